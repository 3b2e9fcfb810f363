"""Hardtanh, ReLU6, LogSigmoid, Softsign, PReLU, Unflatten and softmax's dtype=: the
formulas by hand, and torch 2.13's values, gradients and reprs (skipped without torch)."""

import numpy as np
import pytest

import minidl
import minidl.nn.functional as F
from minidl import nn

# the kinks themselves are included: torch's gradient there is part of the definition
POINTS = np.array([-7.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 6.0, 7.0])


def _value_and_grad(fn, x):
    t = minidl.tensor(x, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return y.data, t.grad.data


def test_hardtanh_and_relu6_clip_with_zero_gradient_at_the_bounds():
    y, g = _value_and_grad(F.hardtanh, POINTS)
    np.testing.assert_array_equal(y, np.clip(POINTS, -1, 1))
    np.testing.assert_array_equal(g, (POINTS > -1) & (POINTS < 1))
    y, g = _value_and_grad(lambda t: F.hardtanh(t, -2.0, 6.0), POINTS)
    np.testing.assert_array_equal(y, np.clip(POINTS, -2, 6))
    np.testing.assert_array_equal(g, (POINTS > -2) & (POINTS < 6))
    y, g = _value_and_grad(F.relu6, POINTS)
    np.testing.assert_array_equal(y, np.clip(POINTS, 0, 6))
    np.testing.assert_array_equal(g, (POINTS > 0) & (POINTS < 6))
    assert nn.ReLU6()(minidl.tensor([-1, 3, 9])).tolist() == [0, 3, 6]  # ints stay ints


def test_hardtanh_bounds_are_checked():
    with pytest.raises(ValueError, match="hardtanh: expected min_val <= max_val, got 2.0 and 1.0"):
        F.hardtanh(minidl.ones(2), 2.0, 1.0)
    assert F.hardtanh(minidl.tensor([0.0, 3.0]), 2.0, 2.0).tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="Hardtanh: expected min_val < max_val"):
        nn.Hardtanh(1.0, 1.0)


def test_logsigmoid_and_softsign_are_the_formulas():
    x = np.linspace(-20, 20, 41)
    y, g = _value_and_grad(F.logsigmoid, x)
    np.testing.assert_allclose(y, -np.log1p(np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(g, 1 / (1 + np.exp(x)), rtol=1e-12)
    # far tails: log σ(−1000) = −1000 (not log 0), log σ(1000) = 0
    far = F.logsigmoid(minidl.tensor([-1000.0, 1000.0])).tolist()
    assert far == [-1000.0, 0.0]
    y, g = _value_and_grad(F.softsign, x)
    np.testing.assert_allclose(y, x / (1 + np.abs(x)), rtol=1e-13)
    np.testing.assert_allclose(g, 1 / (1 + np.abs(x)) ** 2, rtol=1e-13)
    assert F.softsign(minidl.tensor([1, 3])).tolist() == [0.5, 0.75]
    with pytest.raises(TypeError, match="logsigmoid: expected a float tensor"):
        F.logsigmoid(minidl.tensor([1, 2]))


def test_prelu_learns_one_slope_per_channel_of_dim_1():
    minidl.manual_seed(0)
    layer = nn.PReLU(3)
    assert layer.weight.tolist() == [0.25] * 3 and layer.weight.requires_grad
    assert list(layer.state_dict()) == ["weight"]
    x = np.arange(-12.0, 12.0).reshape(2, 3, 4)
    layer.weight.data[...] = [0.1, -0.5, 2.0]
    y = layer(minidl.tensor(x))
    a = np.array([0.1, -0.5, 2.0])[None, :, None]
    np.testing.assert_allclose(y.data, np.where(x > 0, x, a * x))
    y.sum().backward()
    np.testing.assert_allclose(layer.weight.grad.data, np.where(x > 0, 0, x).sum(axis=(0, 2)))
    one = nn.PReLU(init=0.1)
    assert one(minidl.tensor([[-1.0, 2.0]])).tolist()[0] == pytest.approx([-0.1, 2.0])
    with pytest.raises(ValueError, match=r"prelu: weight must hold 1 slope or one per channel"):
        layer(minidl.ones(4))  # no channel dim: one slope only


def test_unflatten_splits_one_dim():
    x = minidl.arange(12.0).reshape(2, 6)
    assert nn.Unflatten(1, (2, 3))(x).tolist() == np.arange(12.0).reshape(2, 2, 3).tolist()
    assert nn.Unflatten(-1, [3, -1])(x).shape == (2, 3, 2)
    assert repr(nn.Unflatten(1, (2, 3))) == "Unflatten(dim=1, unflattened_size=(2, 3))"
    with pytest.raises(TypeError, match="Unflatten: unflattened_size must be a tuple"):
        nn.Unflatten(1, 2)


def test_softmax_dtype_computes_in_that_dtype_and_returns_the_gradient_in_the_inputs():
    x = minidl.tensor([-1.0, 2.0], requires_grad=True)  # float32
    y = F.log_softmax(x, 0, dtype=minidl.float64)
    assert y.dtype == minidl.float64
    y[0].backward()
    p = np.exp(2.0) / (np.exp(-1.0) + np.exp(2.0))
    assert x.grad.dtype == minidl.float32
    np.testing.assert_allclose(x.grad.data, [p, -p], rtol=1e-6)
    np.testing.assert_allclose(
        F.softmax(minidl.tensor([1, 2]), 0, dtype=minidl.float32).data,
        [1 / (1 + np.e), 1 / (1 + np.exp(-1))],  # softmax of (1, 2) is (σ(−1), σ(1))
        rtol=1e-6,
    )
    with pytest.raises(TypeError, match="softmax: dtype must be a float dtype"):
        F.softmax(minidl.tensor([1.0, 2.0]), 0, dtype=minidl.int64)


ACTIVATIONS = [
    ("hardtanh", lambda F_: F_.hardtanh, {}),
    ("hardtanh -2 6", lambda F_: lambda x: F_.hardtanh(x, -2.0, 6.0), {}),
    ("relu6", lambda F_: F_.relu6, {}),
    ("logsigmoid", lambda F_: F_.logsigmoid, {}),
    ("softsign", lambda F_: F_.softsign, {}),
]


@pytest.mark.parametrize("name, get, kw", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activations_match_pytorch(name, get, kw):
    torch = pytest.importorskip("torch")
    x = np.concatenate([POINTS, np.random.default_rng(0).uniform(-8, 8, 20)])
    t = torch.tensor(x, requires_grad=True)
    ty = get(torch.nn.functional)(t)
    ty.sum().backward()
    y, g = _value_and_grad(get(F), x)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_prelu_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4))
    x[0, 0, :2] = 0.0  # the kink: slope a for x, 0 for a, in torch
    for w in (np.array([0.3, -0.2, 1.5]), np.array([0.4])):
        tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
        mx, mw = minidl.tensor(x, requires_grad=True), minidl.tensor(w, requires_grad=True)
        g = rng.standard_normal(x.shape)
        ty, my = torch.nn.functional.prelu(tx, tw), F.prelu(mx, mw)
        np.testing.assert_allclose(my.data, ty.detach().numpy(), rtol=1e-12)
        (ty * torch.tensor(g)).sum().backward()
        (my * minidl.tensor(g)).sum().backward()
        np.testing.assert_allclose(mx.grad.data, tx.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(mw.grad.data, tw.grad.numpy(), rtol=1e-12)
    assert F.prelu(minidl.tensor(-2.0), minidl.tensor([0.5])).item() == pytest.approx(
        torch.nn.functional.prelu(torch.tensor(-2.0), torch.tensor([0.5])).item()
    )


def test_softmax_dtype_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([[0.3, -1.2, 2.0], [1.0, 1.0, -3.0]], np.float32)
    for name in ("softmax", "log_softmax"):
        tx = torch.tensor(x, requires_grad=True)
        mx = minidl.tensor(x, requires_grad=True)
        ty = getattr(torch.nn.functional, name)(tx, 1, dtype=torch.float64)
        my = getattr(F, name)(mx, 1, dtype=minidl.float64)
        assert my.dtype == minidl.float64 and ty.dtype == torch.float64
        np.testing.assert_allclose(my.data, ty.detach().numpy(), rtol=1e-12)
        (ty[:, 0] * torch.tensor([1.0, -2.0], dtype=torch.float64)).sum().backward()
        (my[:, 0] * minidl.tensor([1.0, -2.0])).sum().backward()
        assert mx.grad.dtype == minidl.float32
        np.testing.assert_allclose(mx.grad.data, tx.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda nn_: nn_.Hardtanh(),
        lambda nn_: nn_.Hardtanh(-2, 3),
        lambda nn_: nn_.Hardtanh(-2.0, 3.0, True),
        lambda nn_: nn_.ReLU6(),
        lambda nn_: nn_.ReLU6(True),
        lambda nn_: nn_.LogSigmoid(),
        lambda nn_: nn_.Softsign(),
        lambda nn_: nn_.PReLU(),
        lambda nn_: nn_.PReLU(3, 0.1),
        lambda nn_: nn_.Unflatten(1, (2, 3)),
    ],
)
def test_module_reprs_match_pytorch(make):
    torch = pytest.importorskip("torch")
    assert repr(make(nn)) == repr(make(torch.nn))


def test_unflatten_and_prelu_modules_match_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((2, 12))
    for dim, sizes in ((1, (3, 4)), (-1, (2, -1)), (1, (1, 12))):
        theirs = torch.nn.Unflatten(dim, sizes)(torch.tensor(x))
        np.testing.assert_array_equal(nn.Unflatten(dim, sizes)(minidl.tensor(x)).data, theirs)
    tp, mp = torch.nn.PReLU(3, 0.1), nn.PReLU(3, 0.1)  # both float32
    assert [tuple(p.shape) for p in tp.parameters()] == [p.shape for p in mp.parameters()]
    np.testing.assert_array_equal(mp.weight.data, tp.weight.detach().numpy())


def test_hardtanh_takes_torchs_deprecated_min_value_max_value_with_its_warning():
    with pytest.warns(FutureWarning, match="min_value is deprecated and renamed to min_val"):
        layer = nn.Hardtanh(min_value=-3.0)
    assert (layer.min_val, layer.max_val) == (-3.0, 1.0)
    with pytest.warns(FutureWarning, match="max_value"):
        layer = nn.Hardtanh(-1.0, 1.0, False, None, 4.0)
    assert layer(minidl.tensor([-5.0, 5.0])).tolist() == [-1.0, 4.0]
