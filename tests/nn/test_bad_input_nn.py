"""Bad input to layers, losses, init, modules and optimizers: a clear error, never a silent NaN,
a silent cast or a silent append.  Expected behaviour from PyTorch 2.x (noted per test)."""

from collections import OrderedDict

import numpy as np
import pytest
from strategies import raises

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
import minidl.optim as optim

P = [0.3, 0.5]


# ----- binary cross-entropy: target in [0, 1], weights finite and >= 0 ----------------------
@pytest.mark.parametrize("bad", [2.0, -1.0, float("nan")])
def test_bce_target_must_be_in_0_1(bad):
    # PyTorch: RuntimeError "all elements of target should be between 0 and 1"
    with raises(ValueError, "binary_cross_entropy", "target", "between 0 and 1", str(bad)):
        F.binary_cross_entropy(minidl.tensor(P), minidl.tensor([bad, 0.0]))
    with raises(ValueError, "binary_cross_entropy", "target"):
        nn.BCELoss()(minidl.tensor(P), minidl.tensor([0.0, bad]))


def test_bce_soft_targets_in_0_1_still_work():
    loss = F.binary_cross_entropy(minidl.tensor([0.5]), minidl.tensor([0.5]))
    assert loss.item() == pytest.approx(np.log(2))


def test_bce_with_logits_accepts_targets_outside_0_1_as_pytorch():
    loss = F.binary_cross_entropy_with_logits(minidl.tensor([0.0]), minidl.tensor([2.0]))
    assert np.isfinite(loss.item())


@pytest.mark.parametrize("bad", [float("nan"), -1.0, float("inf")])
def test_bce_weight_must_be_finite_and_non_negative(bad):
    w = minidl.tensor([bad, 1.0])
    x, y = minidl.tensor(P), minidl.tensor([1.0, 0.0])
    with raises(ValueError, "binary_cross_entropy:", "weight", "finite and >= 0"):
        F.binary_cross_entropy(x, y, weight=w)
    with raises(ValueError, "binary_cross_entropy_with_logits", "weight", "finite and >= 0"):
        F.binary_cross_entropy_with_logits(x, y, weight=w)
    with raises(ValueError, "binary_cross_entropy_with_logits", "pos_weight", "finite and >= 0"):
        nn.BCEWithLogitsLoss(pos_weight=w)(x, y)


def test_bce_zero_weight_is_fine():
    loss = F.binary_cross_entropy(minidl.tensor(P), minidl.tensor([1.0, 0.0]), weight=[0.0, 0.0])
    assert loss.item() == 0.0


# ----- dropout: float input only (PyTorch: "result type Float can't be cast to Long") ---------
@pytest.mark.parametrize("x", [minidl.tensor([10, 10, 10, 10]), minidl.tensor([True, False])])
def test_dropout_refuses_non_float_when_it_applies(x):
    with raises(TypeError, "dropout", str(x.dtype), "float"):
        F.dropout(x, p=0.3)
    with raises(TypeError, "dropout", str(x.dtype)):
        nn.Dropout(0.3)(x)


def test_dropout_is_the_identity_for_ints_when_it_does_not_apply():
    # as PyTorch: p = 0 or evaluation mode returns the input unchanged, whatever its dtype
    x = minidl.tensor([10, 10])
    assert F.dropout(x, p=0.0).tolist() == [10, 10]
    assert F.dropout(x, p=0.3, training=False).tolist() == [10, 10]
    assert nn.Dropout(0.3).eval()(x).tolist() == [10, 10]


@pytest.mark.parametrize("value", ["no", 1, 0])
def test_dropout_training_must_be_a_bool(value):
    # PyTorch: "dropout(): argument 'train' (position 3) must be bool, not str"
    with raises(TypeError, "dropout", "training", repr(value)):
        F.dropout(minidl.ones(3), 0.5, training=value)


# ----- init: finite parameters, std >= 0, a <= b ---------------------------------------------
def test_init_normal_and_uniform_parameters():
    w = minidl.zeros(2, 2)
    with raises(ValueError, "normal_", "std", "-1"):
        nn.init.normal_(w, 0, -1)
    with raises(ValueError, "normal_", "std", "nan"):
        nn.init.normal_(w, 0, float("nan"))
    with raises(ValueError, "uniform_", "a=2", "b=1"):
        nn.init.uniform_(w, 2, 1)
    with raises(TypeError, "uniform_", "'a'"):
        nn.init.uniform_(w, "a", 1)
    assert w.tolist() == [[0, 0], [0, 0]]


# ----- LeakyReLU slope --------------------------------------------------------------------
@pytest.mark.parametrize("slope", [float("nan"), float("inf")])
def test_leaky_relu_slope_must_be_finite(slope):
    # PyTorch accepts it and returns NaN outputs; minidl refuses
    with raises(ValueError, "LeakyReLU", "negative_slope", "finite"):
        nn.LeakyReLU(slope)
    with raises(ValueError, "leaky_relu", "negative_slope"):
        F.leaky_relu(minidl.tensor([-1.0]), slope)


# ----- Module flags, load_state_dict, constructor arguments ---------------------------------
@pytest.mark.parametrize("value", ["no", 0, 1])
def test_module_requires_grad_must_be_a_bool(value):
    m = nn.Linear(2, 3)
    with raises(TypeError, "Linear.requires_grad_", "requires_grad", repr(value)):
        m.requires_grad_(value)
    assert all(p.requires_grad for p in m.parameters())  # nothing changed


@pytest.mark.parametrize("value", ["no", 0])
def test_load_state_dict_strict_must_be_a_bool(value):
    # PyTorch takes any truthy value here; minidl refuses, as for its other flags
    m = nn.Linear(2, 3)
    with raises(TypeError, "load_state_dict", "strict", repr(value)):
        m.load_state_dict(m.state_dict(), strict=value)


def test_load_state_dict_needs_a_mapping():
    # PyTorch: TypeError "Expected state_dict to be dict-like, got <class 'list'>."
    with raises(TypeError, "Linear.load_state_dict", "state_dict must be a dict", "list"):
        nn.Linear(2, 3).load_state_dict([1, 2])


def test_load_state_dict_accepts_an_ordered_dict():
    m = nn.Linear(2, 3)
    m.load_state_dict(OrderedDict(m.state_dict()))


def test_layer_without_arguments_named_in_the_error():
    # PyTorch: "Sigmoid.__init__() takes 1 positional argument but 2 were given"
    with raises(TypeError, "Sigmoid.__init__()", "2 were given"):
        nn.Sigmoid(3)
    with raises(TypeError, "Tanh.__init__()", "'dim'"):
        nn.Tanh(dim=1)


def test_flatten_module_of_a_0d_tensor():
    # PyTorch: nn.Flatten() (start_dim=1) of a 0-d tensor is an IndexError, as for 1-d
    with raises(IndexError, "flatten", "dim 1"):
        nn.Flatten()(minidl.tensor(1.0))
    assert nn.Flatten(0)(minidl.tensor(1.0)).shape == (1,)


# ----- containers ------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [nn.Sequential, nn.ModuleList])
@pytest.mark.parametrize("i", [5, -5, 2, -2])
def test_insert_out_of_range(cls, i):
    # PyTorch's Sequential.insert: IndexError "Index out of range" (list.insert would clip)
    c = cls(nn.ReLU()) if cls is nn.Sequential else cls([nn.ReLU()])
    with raises(IndexError, f"{cls.__name__}.insert", f"index {i}", "length 1"):
        c.insert(i, nn.Tanh())
    assert len(c) == 1


@pytest.mark.parametrize("cls", [nn.Sequential, nn.ModuleList])
def test_insert_in_range(cls):
    c = cls(nn.ReLU()) if cls is nn.Sequential else cls([nn.ReLU()])
    c.insert(1, nn.Tanh())
    c.insert(-2, nn.Sigmoid())
    assert [type(m).__name__ for m in c] == ["Sigmoid", "ReLU", "Tanh"]


@pytest.mark.parametrize("index", ["a", 0.0, None])
def test_sequential_index_must_be_an_int(index):
    with raises(TypeError, "Sequential", repr(index), "int"):
        nn.Sequential(nn.ReLU())[index]
    with raises(TypeError, "ModuleList", repr(index)):
        nn.ModuleList([nn.ReLU()])[index]


def test_sequential_numpy_int_index_works():
    s = nn.Sequential(nn.ReLU(), nn.Tanh())
    assert isinstance(s[np.int64(1)], nn.Tanh)


def test_module_list_of_a_tensor():
    with raises(TypeError, "ModuleList", "iterable of Modules", "Tensor"):
        nn.ModuleList(minidl.zeros(2))
    assert len(nn.ModuleList([])) == 0


# ----- optimizer: .grad set by hand, lr set by hand ------------------------------------------
def _param():
    return nn.Parameter(minidl.ones(2))


@pytest.mark.parametrize("opt", [optim.SGD, optim.Adam])
def test_step_refuses_a_grad_that_is_not_a_tensor(opt):
    w = _param()
    w.grad = 3.0
    with raises(TypeError, f"{opt.__name__}.step", "(2,)", "float"):
        opt([w], lr=0.1).step()


@pytest.mark.parametrize("opt", [optim.SGD, optim.Adam])
def test_step_refuses_a_grad_of_another_dtype(opt):
    # PyTorch refuses the assignment itself ("attempting to assign a gradient with dtype
    # 'double' to a tensor with grad_dtype 'Float'"); minidl checks at the step
    w = _param()
    w.grad = minidl.ones(2, dtype=minidl.float64)
    with raises(TypeError, f"{opt.__name__}.step", "float64", "float32"):
        opt([w], lr=0.1).step()
    assert w.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("lr", [float("nan"), -0.1, float("inf"), "a", None])
def test_step_checks_a_learning_rate_set_by_hand(lr):
    w = _param()
    w.grad = minidl.ones(2)
    o = optim.SGD([w], lr=0.1)
    o.param_groups[0]["lr"] = lr
    with raises(ValueError, "SGD.step", "lr", repr(lr)):
        o.step()
    assert w.tolist() == [1.0, 1.0]


def test_step_takes_a_learning_rate_that_is_an_int_or_numpy_float():
    w = _param()
    w.grad = minidl.ones(2)
    o = optim.SGD([w], lr=0.1)
    o.param_groups[0]["lr"] = np.float32(0.5)
    o.step()
    assert w.tolist() == [0.5, 0.5]
    o.param_groups[0]["lr"] = 0
    o.step()
    assert w.tolist() == [0.5, 0.5]


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("flag", ["batch_first", "bidirectional"])
def test_recurrent_layer_flags_must_be_bools(kind, flag):
    # 'no' is truthy: it used to give a batch-first (or bidirectional) layer
    with pytest.raises(TypeError, match=f"{kind}: {flag} must be True or False, got 'no'"):
        getattr(nn, kind)(2, 3, **{flag: "no"})
    assert getattr(getattr(nn, kind)(2, 3, **{flag: np.bool_(True)}), flag) is True


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_recurrent_state_of_another_float_dtype_is_refused(kind):
    # PyTorch refuses too; before, LSTM computed in float32 and GRU/RNN in float64
    layer = getattr(nn, kind)(2, 3)
    h = minidl.zeros(1, 4, 3, dtype=minidl.float64)
    with pytest.raises(TypeError, match=f"{kind}: h0 has dtype float64 but the input is float32"):
        layer(minidl.zeros(5, 4, 2), (h, h) if kind == "LSTM" else h)
    out, _ = layer(minidl.zeros(5, 4, 2), (h.float(), h.float()) if kind == "LSTM" else h.float())
    assert out.dtype == np.float32
