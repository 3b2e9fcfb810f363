"""Bad input outside the core ops gets an error naming the layer or function and what was expected.

Layers, losses, the backward engine's checks on what the user hands it, optimizers,
data loading, metrics, text, checkpoints and gradcheck.  (The tensor and op
checks are in test_errors.py.)
"""

import numpy as np
import pytest
from strategies import gradcheck, leaf, raises

import minidl
import minidl.nn.functional as F
from minidl import data, metrics, models, nn, text

# ----- layers on integer input: promoted like matmul, not computed in float64 -----------------


def test_linear_promotes_int_and_bool_input_to_the_weight_dtype():
    lin = nn.Linear(2, 3)
    x = minidl.tensor([[1, 2], [0, 3]])
    y = lin(x)
    assert y.dtype == np.float32 == (x @ lin.weight.T).dtype
    np.testing.assert_array_equal(y.data, lin(x.float()).data)
    assert F.linear(minidl.tensor([[True, False]]), lin.weight, lin.bias).dtype == np.float32


def test_linear_on_int_input_passes_gradcheck():
    x = minidl.tensor([[1, -2, 0], [3, 1, 2]])
    w, b = np.random.default_rng(0).normal(size=(4, 3)), np.linspace(-1, 1, 4)
    assert gradcheck(lambda w, b: F.linear(x, w, b), (leaf(w), leaf(b)))


def test_lstm_promotes_int_input_and_state_to_the_weight_dtype():
    minidl.manual_seed(0)
    lstm = nn.LSTM(3, 4)
    x = minidl.tensor(np.arange(30).reshape(5, 2, 3) % 3)  # int64
    h0 = minidl.tensor(np.ones((1, 2, 4), np.int64))
    out, (h, c) = lstm(x, (h0, h0))
    assert out.dtype == h.dtype == c.dtype == np.float32
    ref, (h_ref, _) = lstm(x.float(), (h0.float(), h0.float()))
    np.testing.assert_array_equal(out.data, ref.data)
    np.testing.assert_array_equal(h.data, h_ref.data)
    out.sum().backward()
    assert lstm.weight_ih_l0.grad.dtype == np.float32
    assert lstm(x)[0].dtype == np.float32  # zero initial state


# ----- losses ----------------------------------------------------------------------------------


def test_mse_loss_mean_over_an_empty_input_is_an_error_not_nan():
    with raises(ValueError, "mse_loss", "(0, 3)", "empty"):
        F.mse_loss(minidl.zeros(0, 3), minidl.zeros(0, 3))
    with raises(ValueError, "mse_loss", "(0,)"):
        nn.MSELoss()(minidl.zeros(0), minidl.zeros(0))
    assert F.mse_loss(minidl.zeros(0), minidl.zeros(0), reduction="sum").item() == 0.0


def test_cross_entropy_with_zero_classes_names_cross_entropy():
    with raises(ValueError, "cross_entropy:", "(2, 0)", "no classes"):
        F.cross_entropy(minidl.zeros(2, 0), minidl.tensor([-100, -100]), reduction="sum")


@pytest.mark.parametrize("value", ["0.1", None, True])
def test_cross_entropy_label_smoothing_must_be_a_number(value):
    with raises(TypeError, "cross_entropy", "label_smoothing", repr(value)):
        F.cross_entropy(minidl.randn(2, 3), minidl.tensor([0, 1]), label_smoothing=value)


# ----- F.linear / F.embedding: shapes of weight and bias -----------------------------------------


@pytest.mark.parametrize(
    "bias, shape",
    [(minidl.ones(5), "(5,)"), (minidl.ones(3, 1), "(3, 1)"), (minidl.ones(2), "(2,)")],
)
def test_linear_bias_must_have_shape_out_features(bias, shape):
    # an (out, 1) bias used to pass forward by broadcasting, then fail in backward
    with raises(ValueError, "linear:", f"bias of shape {shape}", "(3, 2)", "expected", "(3,)"):
        F.linear(minidl.ones(4, 2), minidl.ones(3, 2), bias)


@pytest.mark.parametrize("call", [F.linear, F.embedding])
def test_linear_and_embedding_need_a_2d_weight(call):
    x = minidl.ones(3, 2) if call is F.linear else minidl.tensor([1, 2])
    name = "linear:" if call is F.linear else "embedding:"
    with raises(ValueError, name, "2-D", "(5,)"):
        call(x, minidl.randn(5, requires_grad=True))


def test_linear_and_embedding_take_a_nested_list_weight_as_matmul_does():
    assert F.linear(minidl.ones(3, 2), [[1.0, 2.0]]).data.tolist() == [[3.0]] * 3
    assert F.embedding(minidl.tensor([1]), [[1.0, 2.0], [3.0, 4.0]]).data.tolist() == [[3.0, 4.0]]


# ----- LSTM state: a pair (h, c), not one tensor --------------------------------------------------


def test_lstm_cell_given_one_state_tensor_says_it_needs_a_pair():
    cell = nn.LSTMCell(3, 4)
    for batch in (5, 2):  # B = 2 used to be unpacked into two rows described as h and c
        with raises(TypeError, "LSTMCell", "(h, c)", f"Tensor of shape ({batch}, 4)"):
            cell(minidl.ones(batch, 3), minidl.zeros(batch, 4))


@pytest.mark.parametrize("layers", [1, 2])
def test_lstm_given_one_state_tensor_says_it_needs_a_pair(layers):
    lstm = nn.LSTM(3, 4, num_layers=layers)
    with raises(TypeError, "LSTM", "(h0, c0)", f"Tensor of shape ({layers}, 2, 4)"):
        lstm(minidl.ones(5, 2, 3), minidl.zeros(layers, 2, 4))
    with raises(TypeError, "LSTM", "(h0, c0)", "tuple of 3 items"):
        lstm(minidl.ones(5, 2, 3), (minidl.zeros(layers, 2, 4),) * 3)


# ----- layer constructors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, exc, fragments",
    [
        (lambda: nn.Linear(-1, 3), ValueError, ("Linear", "in_features", ">= 0", "-1")),
        (lambda: nn.Linear(2.0, 3), TypeError, ("Linear", "in_features", "int", "2.0")),
        (lambda: nn.Linear(2, True), TypeError, ("Linear", "out_features", "True")),
        (lambda: nn.Embedding(-1, 3), ValueError, ("Embedding", "num_embeddings", "-1")),
        (lambda: nn.Embedding(5, "3"), TypeError, ("Embedding", "embedding_dim", "'3'")),
        (
            lambda: nn.Embedding(5, 3, padding_idx=1.5),
            TypeError,
            ("Embedding", "padding_idx", "1.5"),
        ),
        (lambda: nn.LSTMCell(3, 0), ValueError, ("LSTMCell", "hidden_size", ">= 1", "0")),
        (lambda: nn.LSTMCell(-3, 4), ValueError, ("LSTMCell", "input_size", "-3")),
        (lambda: nn.LSTM(3, 0), ValueError, ("LSTM", "hidden_size", ">= 1", "0")),
        (lambda: nn.LSTM(3, -2), ValueError, ("LSTM", "hidden_size", "-2")),
        (lambda: nn.LSTM(0, 4), ValueError, ("LSTM", "input_size", ">= 1")),
        (lambda: nn.LSTM(3, 4, num_layers=2.0), TypeError, ("LSTM", "num_layers", "2.0")),
        (lambda: nn.LSTM(3, 4, num_layers=0), ValueError, ("LSTM", "num_layers", ">= 1")),
    ],
)
def test_layer_sizes_are_checked(make, exc, fragments):
    with raises(exc, *fragments):
        make()


def test_functional_embedding_padding_idx_must_be_an_int():
    with raises(TypeError, "embedding", "padding_idx", "True"):
        F.embedding(minidl.tensor([1]), minidl.randn(5, 3), padding_idx=True)


def test_zero_sizes_and_numpy_ints_are_accepted_as_in_pytorch():
    assert nn.Linear(0, 3)(minidl.zeros(2, 0)).shape == (2, 3)
    lin = nn.Linear(np.int64(2), 3)
    assert type(lin.in_features) is int and lin.weight.shape == (3, 2)
    assert nn.Embedding(0, 3).weight.shape == (0, 3)
    assert nn.Embedding(5, 3, padding_idx=np.int64(-1)).padding_idx == 4


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda p: nn.Dropout(p), "Dropout"),
        (lambda p: F.dropout(minidl.ones(3), p=p), "dropout"),
    ],
)
@pytest.mark.parametrize("p", [None, "0.5", True])
def test_dropout_probability_must_be_a_number(call, name, p):
    with raises(TypeError, name, "probability p", repr(p)):
        call(p)


# ----- backward: what the user hands the engine ---------------------------------------------------


@pytest.mark.parametrize("shape", [(1,), (1, 3), (2,)])
def test_backward_refuses_an_assigned_grad_of_another_shape(shape):
    p = minidl.ones(3, requires_grad=True)
    p.grad = minidl.ones(*shape)
    with raises(RuntimeError, "backward", f".grad of shape {shape}", "shape (3,)"):
        (p * 1).sum().backward()


def test_backward_refuses_a_retained_grad_of_another_shape():
    p = minidl.ones(3, requires_grad=True)
    y = p * 2
    y.retain_grad()
    y.grad = minidl.ones(1)
    with raises(RuntimeError, "backward", ".grad of shape (1,)", "shape (3,)"):
        y.sum().backward()


@pytest.mark.parametrize(
    "gradient, dtype",
    [(["a", "b", "c"], "<U1"), ([1j, 0, 0], "complex128"), ([None] * 3, "object")],
)
def test_backward_gradient_must_be_numeric(gradient, dtype):
    # a complex gradient used to be cut to its real part with only a ComplexWarning
    x = minidl.ones(3, requires_grad=True)
    with raises(TypeError, "backward", "gradient", dtype):
        (x * 2).backward(gradient=gradient)


# ----- gradcheck ----------------------------------------------------------------------------------


@pytest.mark.parametrize("eps", [0, -1e-6, float("nan"), "1e-6"])
def test_gradcheck_eps_must_be_positive(eps):
    x = minidl.ones(3, requires_grad=True)
    with raises(ValueError, "gradcheck", "eps", repr(eps)):
        minidl.gradcheck(lambda a: (a * a).sum(), x, eps=eps)
    with raises(ValueError, "numerical_grad", "eps"):
        minidl.numerical_grad(lambda a: a * a, x, eps=eps)


def test_numerical_grad_checks_grad_outputs_against_the_outputs():
    x = minidl.ones(3, requires_grad=True)
    with raises(ValueError, "numerical_grad", "grad_outputs[0]", "(2,)", "(3,)"):
        minidl.numerical_grad(lambda a: a * a, x, grad_outputs=[np.ones(2)])
    with raises(ValueError, "numerical_grad", "1 output", "2 arrays"):
        minidl.numerical_grad(lambda a: a * a, x, grad_outputs=[np.ones(3), np.ones(3)])
    with raises(ValueError, "numerical_grad", "list", "ndarray"):
        minidl.numerical_grad(lambda a: a * a, x, grad_outputs=np.ones(3))
    (g,) = minidl.numerical_grad(lambda a: a * a, x, grad_outputs=[minidl.tensor([1.0, 0, 2])])
    np.testing.assert_allclose(g, [2.0, 0.0, 4.0], rtol=1e-6)


# ----- optimizers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, fragments",
    [
        (lambda p: minidl.optim.SGD([p], lr=float("inf")), ("SGD", "lr", "finite", "inf")),
        (lambda p: minidl.optim.GD([p], lr=float("inf")), ("GD", "lr", "finite")),
        (lambda p: minidl.optim.Adam([p], lr=float("inf")), ("Adam", "lr", "inf")),
        (lambda p: minidl.optim.Adam([p], eps=float("inf")), ("Adam", "eps", "finite", "inf")),
    ],
)
def test_optimizer_hyper_parameters_must_be_finite(make, fragments):
    with raises(ValueError, *fragments):
        make(minidl.ones(3, requires_grad=True))


def test_optimizer_params_must_be_iterable():
    with raises(TypeError, "SGD", "params", "iterable", "NoneType"):
        minidl.optim.SGD(None, lr=0.1)


@pytest.mark.parametrize("state_dict", [{"state": {}}, {"param_groups": []}, None])
def test_load_state_dict_needs_state_and_param_groups(state_dict):
    opt = minidl.optim.SGD([minidl.ones(3, requires_grad=True)], lr=0.1)
    with raises(ValueError, "SGD.load_state_dict", "'state'", "'param_groups'"):
        opt.load_state_dict(state_dict)


@pytest.mark.parametrize(
    "make, key",
    [
        (lambda p: minidl.optim.Adam([p]), "v"),
        (lambda p: minidl.optim.Adam([p]), "step"),
        (lambda p: minidl.optim.SGD([p], lr=0.1, momentum=0.9), "velocity"),
    ],
)
def test_load_state_dict_refuses_a_parameter_state_missing_a_key(make, key):
    p = minidl.ones(3, requires_grad=True)
    opt = make(p)
    p.grad = minidl.ones(3)
    opt.step()
    sd = opt.state_dict()
    del sd["state"][0][key]
    name = type(opt).__name__
    with raises(ValueError, f"{name}.load_state_dict", "parameter 0", repr(key)):
        opt.load_state_dict(sd)
    opt.step()  # the optimizer was left as it was


# ----- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [5, -4, 3])
def test_tensor_dataset_index_out_of_range_names_the_length(index):
    ds = data.TensorDataset(minidl.randn(3, 2), minidl.tensor([0, 1, 0]))
    with raises(IndexError, "TensorDataset", f"index {index}", "3 samples"):
        ds[index]


def test_default_collate_of_no_samples():
    with raises(ValueError, "default_collate", "no samples"):
        data.default_collate([])


@pytest.mark.parametrize("dataset, kind", [(None, "NoneType"), (5, "int")])
def test_data_loader_needs_a_dataset(dataset, kind):
    with raises(TypeError, "DataLoader", "dataset", kind):
        data.DataLoader(dataset)


# ----- metrics ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, fragments",
    [
        (lambda: metrics.accuracy(["1", "0", "1"], [1, 0, 1]), ("accuracy", "y_true", "strings")),
        (
            lambda: metrics.f1_score(["1", "0"], [1, 0], average="macro"),
            ("f1_score", "y_true", "strings", "y_pred", "numbers"),
        ),
        (
            lambda: metrics.recall([1, 0], ["1", "0"], average="micro"),
            ("recall", "y_pred", "strings"),
        ),
        (lambda: metrics.precision(["a", "a"], ["a", "a"]), ("precision", "pos_label", "numbers")),
        (
            lambda: metrics.confusion_matrix([1, 2], [1, 2], labels=["1", "2"]),
            ("confusion_matrix", "labels", "strings"),
        ),
    ],
)
def test_metrics_refuse_string_labels_against_numbers(call, fragments):
    with raises(TypeError, *fragments):
        call()


def test_metrics_compare_strings_with_strings():
    assert metrics.accuracy(["a", "b"], ["a", "a"]) == 0.5
    assert metrics.precision(["a", "b"], ["a", "a"], pos_label="a") == 0.5


@pytest.mark.parametrize("zero_division", ["warn", None, True])
def test_zero_division_must_be_a_number(zero_division):
    with raises(TypeError, "precision", "zero_division", repr(zero_division)):
        metrics.precision([0, 0], [0, 0], zero_division=zero_division)


# ----- models, text, checkpoints ------------------------------------------------------------------


@pytest.mark.parametrize("pad_id", [100, 5, -1])
def test_bag_of_words_pad_id_out_of_range(pad_id):
    with raises(ValueError, "bag_of_words", f"pad_id {pad_id}", "vocabulary of 5"):
        models.bag_of_words(np.array([[1, 2]]), 5, pad_id=pad_id)


def test_pad_sequences_refuses_uint64_ids_beyond_int64():
    with raises(OverflowError, "pad_sequences", "sequence 1", str(2**64 - 1), "int64"):
        text.pad_sequences([[1], np.array([2**64 - 1], np.uint64)])
    small = text.pad_sequences([np.array([2**62], np.uint64)])
    assert small.dtype == np.int64 and small.tolist() == [[2**62]]


@pytest.mark.parametrize("value", [1.5, 2.0, True, "0"])
def test_pad_sequences_value_must_be_an_int(value):
    # 1.5 used to be written as 1, the <unk> id
    with raises(TypeError, "pad_sequences", "value", repr(value)):
        text.pad_sequences([[2, 3], [4]], value=value)


def test_pad_sequences_value_must_fit_int64():
    with raises(OverflowError, "pad_sequences", str(2**63), "int64"):
        text.pad_sequences([[2, 3], [4]], value=2**63)


def test_save_into_a_missing_folder_names_the_folder(tmp_path):
    path = tmp_path / "no_such_dir" / "ckpt.npz"
    with raises(FileNotFoundError, "save", str(tmp_path / "no_such_dir"), "does not exist"):
        minidl.save({"w": minidl.ones(2)}, path)


def test_save_that_cannot_create_its_file_names_the_users_path(tmp_path, monkeypatch):
    def refuse(**kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".tmp-abc.npz"))

    monkeypatch.setattr("minidl.serialize.tempfile.mkstemp", refuse)
    path = tmp_path / "ckpt.npz"
    with raises(PermissionError, "save", str(path)) as info:
        minidl.save({"w": minidl.ones(2)}, path)
    assert ".tmp-abc" not in str(info.value)


def test_save_below_a_file_names_the_users_path(tmp_path):
    (tmp_path / "afile").write_text("")
    path = tmp_path / "afile" / "ckpt.npz"
    with raises(NotADirectoryError, "save", str(path), "Not a directory") as info:
        minidl.save({"w": minidl.ones(2)}, path)
    assert ".tmp-" not in str(info.value)


@pytest.mark.parametrize("bias_shape", [(), (1,)])
def test_linear_takes_a_bias_that_broadcasts_along_out_features_as_pytorch(bias_shape):
    x = np.random.default_rng(0).normal(size=(4, 2))
    w = np.random.default_rng(1).normal(size=(3, 2))
    b = np.full(bias_shape, 0.5)
    np.testing.assert_allclose(F.linear(leaf(x), leaf(w), leaf(b)).data, x @ w.T + 0.5)
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), (leaf(x), leaf(w), leaf(b)))
