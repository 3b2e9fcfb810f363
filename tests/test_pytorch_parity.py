"""PyTorch idioms that students write, run with minidl: the same results, or a clear error.

Each test is a snippet found in beginner PyTorch code (an audit ran such snippets against
PyTorch 2.13); the expected values are worked out by hand.
"""

import numpy as np
import pytest
from strategies import gradcheck, raises

import minidl
from minidl import nn


# ----- torch.Tensor(data) is float ------------------------------------------------------
def test_the_tensor_class_makes_float_tensors_as_torch_tensor_does():
    x = minidl.Tensor([1, 2, 3])
    assert x.dtype == np.float32 and x.tolist() == [1.0, 2.0, 3.0]
    x[0] = 0.5  # an int64 tensor would truncate this to 0
    assert x.tolist() == [0.5, 2.0, 3.0]
    assert minidl.tensor([1, 2, 3]).dtype == np.int64  # the function keeps the data's dtype
    assert minidl.Tensor(np.array([1, 2], np.int64)).dtype == np.float32
    assert minidl.Tensor([1, 2], dtype=np.int64).dtype == np.int64  # asked for: kept
    empty = minidl.Tensor()
    assert empty.shape == (0,) and empty.dtype == np.float32
    previous = minidl.get_default_dtype()
    try:
        minidl.set_default_dtype(np.float64)
        assert minidl.Tensor([1]).dtype == np.float64
    finally:
        minidl.set_default_dtype(previous)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_, np.float64])
def test_the_tensor_class_refuses_a_tensor_of_another_dtype(dtype):
    # torch.Tensor(t) gives t itself (int32, sharing memory), not a float32 copy
    t = minidl.tensor([1, 0], dtype=dtype)
    article = "an" if np.dtype(dtype).name.startswith("int") else "a"
    with raises(TypeError, f"Tensor(t) with {article} {np.dtype(dtype)} tensor", "t.clone()"):
        minidl.Tensor(t)
    assert minidl.Tensor(t, dtype=np.float32).tolist() == [1.0, 0.0]  # asked for: converted


def test_the_tensor_class_of_a_tensor_shares_its_memory_as_torch():
    # torch.Tensor(t) of the default dtype is t itself: a write through either shows in both
    f = minidl.tensor([1.5, 2.0])
    alias = minidl.Tensor(f)
    alias[0] = 9.0
    assert alias.dtype == np.float32 and f.tolist() == [9.0, 2.0]
    # ... and stays in the graph, which a new tensor cannot: refused, not silently cut off
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    with raises(TypeError, "Tensor(t) with a tensor t that requires grad", "t.clone()"):
        minidl.Tensor(w)


def test_the_tensor_class_and_as_tensor_name_themselves_in_errors():
    with raises(TypeError, "Tensor: expected numeric data"):
        minidl.Tensor(["a"])
    with raises(TypeError, "Tensor: requires_grad must be True or False"):
        minidl.Tensor([1.0], requires_grad="no")
    with raises(ValueError, "Tensor: the nested lists are ragged"):
        minidl.Tensor([[1.0], [1.0, 2.0]])
    with raises(TypeError, "as_tensor: expected numeric data"):
        minidl.as_tensor(["a"])
    with raises(TypeError, "as_tensor: None is not a number"):
        minidl.as_tensor([1, None])
    with raises(OverflowError, "as_tensor: integer 1180591620717411303424 does not fit"):
        minidl.as_tensor([2**70])
    with raises(OverflowError, "as_tensor: the value 300 cannot be stored in uint8"):
        minidl.as_tensor([300], dtype=np.uint8)


@pytest.mark.parametrize(
    "args, fragments",
    [((5,), ("Tensor(5)", "zeros(5)", "tensor(5)")), ((2, 3), ("Tensor(2, 3)", "zeros(2, 3)"))],
)
def test_the_tensor_class_refuses_sizes_with_a_pointer_to_zeros(args, fragments):
    # in PyTorch Tensor(5) is 5 uninitialised numbers; here it would silently be the number 5
    with pytest.raises(TypeError) as e:
        minidl.Tensor(*args)
    assert all(f in str(e.value) for f in fragments), str(e.value)


# ----- f"{loss:.4f}" ------------------------------------------------------------------
def test_a_0d_tensor_formats_as_its_number():
    loss = minidl.tensor(0.123456)
    assert f"{loss:.3f}" == "0.123" and f"{loss:8.2e}" == format(
        np.float32(0.123456).item(), "8.2e"
    )
    assert f"{minidl.tensor(7):>4}" == "   7"
    v = minidl.tensor([1.0, 2.0])
    assert f"{v}" == str(v)
    with pytest.raises(TypeError, match=r"0-d tensor, got shape \(2,\).*item\(\)"):
        f"{v:.2f}"


# ----- in-place methods --------------------------------------------------------------
def test_in_place_methods_write_into_the_same_array_and_return_the_tensor():
    t = minidl.tensor([1.0, 2.0, 4.0])
    array = t.data
    assert t.add_(minidl.tensor([1.0, 1.0, 1.0])) is t and t.tolist() == [2.0, 3.0, 5.0]
    assert t.sub_(1.0, alpha=2).tolist() == [0.0, 1.0, 3.0]  # t − 2·1
    assert t.add_(minidl.tensor([1.0, 2.0, 3.0]), alpha=-1).tolist() == [-1.0, -1.0, 0.0]
    assert t.mul_(-3.0).tolist() == [3.0, 3.0, 0.0]
    assert t.div_(2).tolist() == [1.5, 1.5, 0.0]
    assert t.fill_(7).tolist() == [7.0, 7.0, 7.0]
    assert t.zero_().tolist() == [0.0, 0.0, 0.0]
    m = minidl.zeros(2, 3)
    assert m.copy_(minidl.tensor([1, 2, 3])).tolist() == [[1.0, 2.0, 3.0]] * 2  # broadcast, cast
    assert t.data is array and m.dtype == np.float32


def test_the_hand_written_training_loop_zeroes_grads_in_place():
    # d2l's loop: w -= lr * w.grad under no_grad, then w.grad.zero_(); L = Σ w², dL/dw = 2w
    w = minidl.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(2):
        (w * w).sum().backward()
        with minidl.no_grad():
            w -= 0.25 * w.grad
            w.grad.zero_()
    # each step: w ← w − 0.25·2w = w/2, with the gradient zeroed in between
    assert w.tolist() == [0.25, -0.5] and w.grad.tolist() == [0.0, 0.0]


def test_in_place_methods_are_refused_where_a_graph_would_not_see_them():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    for call in (lambda: w.add_(1.0), lambda: w.zero_(), lambda: w.copy_(w), lambda: w.normal_()):
        with pytest.raises(RuntimeError, match="leaf that requires grad.*no_grad"):
            call()
    with pytest.raises(RuntimeError, match="mul_: in-place write into a tensor in a graph"):
        (w * 2).mul_(3.0)
    c = minidl.tensor([1.0, 1.0])
    with pytest.raises(RuntimeError, match="add_: the value written.*requires grad"):
        c.add_(w)
    with minidl.no_grad():
        assert w.mul_(2.0).tolist() == [2.0, 4.0]


def test_an_in_place_method_on_a_saved_input_stops_the_backward_that_needs_it():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    a = minidl.tensor([3.0, 4.0])
    y = (w * a).sum()  # dy/dw = a, saved by the product
    a.mul_(10.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_in_place_methods_keep_the_dtype_or_say_why_not():
    i = minidl.tensor([1, 2])
    with pytest.raises(TypeError, match=r"div_: the result has dtype float32.*t = t / x"):
        i.div_(2)
    with pytest.raises(TypeError, match=r"add_: .*int64; write t = t \+ x"):
        i.add_(0.5)
    assert i.add_(3).tolist() == [4, 5] and i.dtype == np.int64


def test_random_in_place_fills_draw_from_minidl_s_generator():
    minidl.manual_seed(0)
    u = minidl.zeros(20000).uniform_(-2.0, 3.0)
    assert u.data.min() >= -2.0 and u.data.max() < 3.0
    assert abs(u.data.mean() - 0.5) < 0.05  # mean of U(−2, 3); its sd is 5/√12 ≈ 1.44
    n = minidl.zeros(20000).normal_(1.0, 2.0)
    assert abs(n.data.mean() - 1.0) < 0.05 and abs(n.data.std() - 2.0) < 0.05
    minidl.manual_seed(3)
    first = minidl.zeros(5).normal_().tolist()
    minidl.manual_seed(3)
    assert minidl.zeros(5).normal_().tolist() == first
    with pytest.raises(TypeError):
        minidl.tensor([1, 2]).normal_()  # integers cannot hold samples of a normal


# ----- small methods ----------------------------------------------------------------
def test_eq_view_as_t_and_contiguous():
    pred = minidl.tensor([[1], [0], [2]])
    target = minidl.tensor([1, 0, 1])
    assert pred.eq(target.view_as(pred)).sum().item() == 2  # the MNIST example's accuracy
    assert pred.ne(target.view_as(pred)).tolist() == [[False], [False], [True]]
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x.t()
    assert y.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert x.contiguous() is x and y.contiguous() is not y
    weights = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])
    (y.contiguous() * weights).sum().backward()  # dL/dx = weightsᵀ
    assert x.grad.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    v = minidl.tensor([1.0, 2.0])
    vt = v.t()  # a 1-D tensor's t() is a view of the same values, not v itself (torch 2.13)
    assert vt is not v and vt.tolist() == [1.0, 2.0] and np.shares_memory(vt.data, v.data)
    with pytest.raises(ValueError, match=r"t: expects a tensor of at most 2 dims"):
        minidl.zeros(2, 2, 2).t()


def test_pytorch_dtype_names_do_not_replace_python_s_builtins():
    assert minidl.float is np.dtype(np.float32) and minidl.double is np.dtype(np.float64)
    assert minidl.half is np.dtype(np.float16) and minidl.int is np.dtype(np.int32)
    assert minidl.bool is np.dtype(np.bool_) and minidl.uint8 is np.dtype(np.uint8)
    assert minidl.tensor([1], dtype=minidl.float).dtype == np.float32
    assert minidl.tensor([1.5]).to(minidl.double).dtype == np.float64
    names = {}
    exec("from minidl import *", names)
    assert "tensor" in names and not {"float", "int", "bool"} & set(names)


# ----- options accepted for PyTorch code ----------------------------------------------
def test_dataloader_accepts_num_workers_and_pin_memory():
    loader = minidl.data.DataLoader(list(range(5)), batch_size=2, num_workers=2, pin_memory=True)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError, match="num_workers must be an int >= 0"):
        minidl.data.DataLoader([1], num_workers=-1)


def test_load_accepts_weights_only_and_a_cpu_map_location(tmp_path):
    path = tmp_path / "m.npz"
    minidl.save({"w": minidl.tensor([1.0, 2.0])}, path)
    loaded = minidl.load(path, map_location="cpu", weights_only=True)
    assert loaded["w"].tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="CPU only.*'cuda:0'"):
        minidl.load(path, map_location="cuda:0")


def test_relu_accepts_inplace():
    relu = nn.ReLU(inplace=True)
    x = minidl.tensor([-1.0, 2.0])
    assert relu(x).tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]
    assert repr(relu) == "ReLU(inplace=True)" and repr(nn.ReLU()) == "ReLU()"


# ----- the device line at the top of every PyTorch script ------------------------------
def test_the_device_selection_line_picks_the_cpu_and_to_device_works():
    device = minidl.device("cuda" if minidl.cuda.is_available() else "cpu")
    assert minidl.cuda.is_available() is False and minidl.cuda.device_count() == 0
    assert str(device) == "cpu" and device == "cpu" and device == minidl.device("cpu")
    assert repr(device) == "device(type='cpu')"
    model = nn.Linear(2, 2).to(device)
    x = minidl.ones(3, 2).to(device)
    assert x.to(device) is x and model(x).shape == (3, 2)
    assert x.to(device, minidl.double).dtype == np.float64
    with pytest.raises(ValueError, match="CPU only.*'cuda'.*is_available\\(\\) is False"):
        minidl.device("cuda")
    with pytest.raises(ValueError, match="CPU only"):
        x.to("cuda")


def test_max_and_min_of_two_tensors_are_elementwise_as_in_pytorch():
    a = minidl.tensor([1.0, 5.0, -2.0], requires_grad=True)
    b = minidl.tensor([3.0, 2.0, -2.5])
    assert minidl.max(a, b).tolist() == [3.0, 5.0, -2.0]
    assert minidl.min(a, b).tolist() == [1.0, 2.0, -2.5]
    minidl.max(a, b).sum().backward()  # d max(a, b)/da = 1 where a is the larger
    assert a.grad.tolist() == [0.0, 1.0, 1.0]


def test_randint_takes_pytorch_s_high_and_size_form():
    minidl.manual_seed(0)
    short = minidl.randint(10, (4,))
    minidl.manual_seed(0)
    assert short.tolist() == minidl.randint(0, 10, (4,)).tolist()
    assert short.dtype == np.int64 and all(0 <= v < 10 for v in short.tolist())
    with pytest.raises(TypeError, match="randint"):
        minidl.randint(10)


def test_randint_takes_requires_grad_and_a_float_dtype_as_torch():
    minidl.manual_seed(0)
    x = minidl.randint(0, 5, (3,), dtype=np.float32, requires_grad=True)
    assert x.dtype == np.float32 and x.requires_grad and x.is_leaf
    assert all(v in (0.0, 1.0, 2.0, 3.0, 4.0) for v in x.tolist())
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    assert not minidl.randint(0, 5, (3,)).requires_grad
    assert minidl.randint(0, 5, (3,), dtype=None).dtype == np.int64  # None: torch's int64
    # PyTorch: "Only Tensors of floating point and complex dtype can require gradients"
    with raises(TypeError, "randint: requires_grad=True needs a float dtype", "int64"):
        minidl.randint(0, 5, (3,), requires_grad=True)
    with raises(TypeError, "randint: requires_grad must be True or False"):
        minidl.randint(0, 5, (3,), requires_grad="no")
    # floats hold whole numbers exactly up to 2**24 only (torch warns beyond, then rounds)
    with raises(OverflowError, "randint", "float32", "16777216"):
        minidl.randint(0, 2**25, (3,), dtype=np.float32)


# ----- layers and helpers of beginner models ----------------------------------------------
def test_flatten_identity_and_leaky_relu_modules():
    x = minidl.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12) and nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Identity(54, unused="x")(x) is x
    leaky = nn.LeakyReLU(0.1)
    y = minidl.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    out = leaky(y)
    np.testing.assert_allclose(out.data, [-0.2, 0.0, 3.0], rtol=1e-6)
    out.sum().backward()
    # dy/dx: the slope below 0 and at 0 (PyTorch's choice: x > 0 is false there), 1 above
    np.testing.assert_allclose(y.grad.data, [0.1, 0.1, 1.0], rtol=1e-6)
    assert out.dtype == np.float32
    assert repr(leaky) == "LeakyReLU(negative_slope=0.1)"
    assert nn.functional.leaky_relu(minidl.tensor([-1.0])).tolist() == [pytest.approx(-0.01)]
    with pytest.raises(TypeError, match="leaky_relu: negative_slope must be a real number"):
        nn.functional.leaky_relu(y, "0.1")


def test_one_hot_rows():
    t = minidl.tensor([0, 2, 1])
    assert nn.functional.one_hot(t).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    wide = nn.functional.one_hot(t, num_classes=4)
    assert wide.shape == (3, 4) and wide.dtype == np.int64 and wide.data.sum() == 3
    assert nn.functional.one_hot(minidl.tensor([[1], [0]]), 2).shape == (2, 1, 2)
    with pytest.raises(IndexError, match="class 3 out of range for num_classes=3"):
        nn.functional.one_hot(minidl.tensor([3]), 3)
    with pytest.raises(TypeError, match="integer class indices"):
        nn.functional.one_hot(minidl.tensor([1.0]))


def test_random_split_partitions_the_dataset_by_counts_or_fractions():
    data = list(range(10))
    minidl.manual_seed(0)
    train, val = minidl.data.random_split(data, [0.75, 0.25])
    # PyTorch's rule: ⌊7.5⌋ = 7 and ⌊2.5⌋ = 2, the one left over goes to the first subset
    assert (len(train), len(val)) == (8, 2)
    seen = [train[i] for i in range(len(train))] + [val[i] for i in range(len(val))]
    assert sorted(seen) == data  # every sample exactly once
    a, b, c = minidl.data.random_split(data, [3, 3, 4], generator=1)
    again = minidl.data.random_split(data, [3, 3, 4], generator=1)
    assert [len(s) for s in (a, b, c)] == [3, 3, 4]
    assert [s.indices for s in (a, b, c)] == [s.indices for s in again]  # a seed fixes it
    loader = minidl.data.DataLoader(a, batch_size=3)
    assert sorted(next(iter(loader)).tolist()) == sorted(a.indices)  # Subset feeds a loader
    with pytest.raises(ValueError, match="sum to 6, but the dataset has 10"):
        minidl.data.random_split(data, [3, 3])
    with pytest.raises(ValueError, match="fractions must lie in"):
        minidl.data.random_split(data, [0.5, 0.6])


def test_softmax_without_dim_takes_the_last_dim_only_where_pytorch_does():
    # PyTorch's F.softmax(x) without dim uses dim 0 for 1-d and 3-d input, dim 1 for 2-d
    v = minidl.tensor([1.0, 2.0])
    m = minidl.tensor([[1.0, 2.0], [3.0, 5.0]])
    e = np.exp
    np.testing.assert_allclose(minidl.softmax(v).data, [e(1) / (e(1) + e(2)), e(2) / (e(1) + e(2))])
    np.testing.assert_allclose(minidl.softmax(m).data.sum(axis=1), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax()(m).data, minidl.log_softmax(m, dim=1).data)
    cube = minidl.zeros(2, 1, 2)
    for call in (minidl.softmax, minidl.log_softmax, lambda t: t.softmax(), nn.Softmax()):
        with pytest.raises(ValueError, match=r"pass dim for a tensor of 3 dims.*dim 0"):
            call(cube)
    assert minidl.softmax(cube, dim=-1).shape == (2, 1, 2)


# ----- sequence models: pretrained vectors, one loss per position -------------------------
def test_embedding_from_pretrained_copies_the_table_and_freezes_it_by_default():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    minidl.manual_seed(0)
    before = minidl.rand(2).tolist()
    minidl.manual_seed(0)
    emb = nn.Embedding.from_pretrained(table)
    assert minidl.rand(2).tolist() == before  # no draws from the generator
    assert emb(minidl.tensor([1, 3])).tolist() == [[3.0, 4.0, 5.0], [9.0, 10.0, 11.0]]
    assert not emb.weight.requires_grad and emb.weight.data is not table
    assert repr(emb) == "Embedding(4, 3)" and emb.weight.dtype == np.float32
    trainable = nn.Embedding.from_pretrained(minidl.tensor(table), freeze=False, padding_idx=0)
    assert trainable.weight.requires_grad and trainable.weight.data[0].tolist() == [0.0, 1.0, 2.0]
    trainable(minidl.tensor([0, 2, 2])).sum().backward()
    # each use of row 2 adds 1; the padding row gets no gradient
    assert trainable.weight.grad.tolist() == [[0.0] * 3, [0.0] * 3, [2.0] * 3, [0.0] * 3]
    with pytest.raises(ValueError, match="2-D float table"):
        nn.Embedding.from_pretrained(np.zeros(3))


def test_cross_entropy_and_nll_take_a_class_dim_1_with_positions_after_it():
    # a tagger's logits (N, C, T) against tags (N, T): the mean over every tagged position
    rng = np.random.default_rng(0)
    x = minidl.tensor(rng.normal(size=(2, 4, 3)), requires_grad=True)
    t = minidl.tensor([[0, 3, 1], [2, 2, -100]])
    flat_x, flat_t = x.data.transpose(0, 2, 1).reshape(6, 4), t.data.reshape(6)
    keep = flat_t != -100
    log_p = flat_x - np.log(np.exp(flat_x).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(6)[keep], flat_t[keep]].mean()
    loss = nn.functional.cross_entropy(x, t)
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    assert nn.functional.nll_loss(minidl.log_softmax(x, dim=1), t).item() == pytest.approx(
        expected, rel=1e-12
    )
    per_position = nn.functional.cross_entropy(x, t, reduction="none")
    assert per_position.shape == (2, 3) and per_position.data[1, 2] == 0
    assert gradcheck(lambda x: nn.functional.cross_entropy(x, t, label_smoothing=0.1), (x,))
    with pytest.raises(ValueError, match=r"target of shape \(2, 4\).*expected \(2, 3\)"):
        nn.functional.cross_entropy(x, minidl.tensor([[0] * 4] * 2))


def test_pytorch_import_lines_for_data_and_models_work():
    # `from torch.utils.data import DataLoader` is the first line of most training scripts
    import minidl.utils.data as data_alias
    from minidl.utils.data import DataLoader, TensorDataset, random_split

    assert data_alias is minidl.data and minidl.utils.data is minidl.data
    assert DataLoader is minidl.data.DataLoader and TensorDataset is minidl.data.TensorDataset
    assert random_split is minidl.data.random_split
    # README: "the class runs unchanged (minidl.models.TextClassifier)" after `import minidl`
    assert minidl.models.TextClassifier.__name__ == "TextClassifier"
