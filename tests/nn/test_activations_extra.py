"""SiLU, ELU, Softplus, Mish: values and derivatives against NumPy closed forms, large inputs
without overflow warnings, PyTorch's signatures and reprs, and clear errors."""

import numpy as np
import pytest
from strategies import raises

import minidl
import minidl.nn as nn
import minidl.nn.functional as F

RNG = np.random.default_rng(0)
# small, moderate and huge magnitudes, the softplus threshold, and the kink of ELU
X = np.concatenate(
    [
        RNG.standard_normal(60) * 3,
        RNG.standard_normal(20) * 50,
        [-1e300, -800.0, -745.0, -40.0, -1e-10, 0.0, 1e-10, 19.999, 20.0, 20.001, 800.0, 1e300],
    ]
)


def sigma(x):
    e = np.exp(-np.abs(x))  # ≤ 1: never overflows, and keeps σ(−40) ≈ e⁻⁴⁰ precise
    return np.where(x >= 0, 1.0, e) / (1 + e)


def sp(z):
    return np.logaddexp(0.0, z)  # log(1 + eᶻ), never overflows


def silu_ref(x):
    return x * sigma(x), sigma(x) * (1 + x * (1 - sigma(x)))


def elu_ref(x, alpha=1.0):
    neg = np.minimum(x, 0.0)
    return np.where(x > 0, x, alpha * np.expm1(neg)), np.where(x > 0, 1.0, alpha * np.exp(neg))


def softplus_ref(x, beta=1.0, threshold=20.0):
    z = np.clip(x, -1e300, 1e300) * beta
    y = np.where(z > threshold, x, sp(z) / beta)
    return y, np.where(z > threshold, 1.0, sigma(z))


def mish_ref(x):
    t = np.tanh(sp(x))
    return x * t, t + x * sigma(x) * (1 - t * t)


CASES = [
    ("silu", F.silu, {}, silu_ref),
    ("elu", F.elu, {}, elu_ref),
    ("elu alpha 0.3", F.elu, {"alpha": 0.3}, lambda x: elu_ref(x, 0.3)),
    ("elu alpha -2", F.elu, {"alpha": -2.0}, lambda x: elu_ref(x, -2.0)),
    ("softplus", F.softplus, {}, softplus_ref),
    (
        "softplus b2 t10",
        F.softplus,
        {"beta": 2.0, "threshold": 10.0},
        lambda x: softplus_ref(x, 2, 10),
    ),
    ("softplus b0.5", F.softplus, {"beta": 0.5}, lambda x: softplus_ref(x, 0.5)),
    (
        "softplus b-1.5 t5",
        F.softplus,
        {"beta": -1.5, "threshold": 5.0},
        lambda x: softplus_ref(x, -1.5, 5),
    ),
    ("mish", F.mish, {}, mish_ref),
]


@pytest.mark.filterwarnings("error")  # no overflow or invalid-value warning, even at ±1e300
@pytest.mark.parametrize("name, fn, kw, ref", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_closed_forms(name, fn, kw, ref):
    with np.errstate(over="ignore"):  # the NumPy reference only: x · σ(x) at ±1e300
        want_y, want_dy = ref(X)
    x = minidl.tensor(X, requires_grad=True)
    y = fn(x, **kw)
    y.sum().backward()
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.detach().numpy(), want_y, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(x.grad.numpy(), want_dy, rtol=1e-12, atol=1e-300)
    assert np.all(np.isfinite(y.detach().numpy()))


@pytest.mark.parametrize("fn", [F.silu, F.elu, F.softplus, F.mish])
def test_float32_stays_float32(fn):
    x = minidl.tensor(np.array([-3e38, -2.0, 0.5, 3e38], np.float32))
    assert fn(x).dtype == np.float32


def test_softplus_and_elu_at_infinity():
    x = minidl.tensor([-np.inf, np.inf])
    assert F.softplus(x).tolist() == [0.0, np.inf]
    assert F.elu(x, alpha=2.0).tolist() == [-2.0, np.inf]


def test_elu_near_zero_keeps_relative_precision():  # expm1, not exp(x) − 1
    x = np.array([-1e-10, -1e-300, -0.5])
    np.testing.assert_allclose(F.elu(minidl.tensor(x)).tolist(), np.expm1(x), rtol=1e-15)


def test_elu_gradient_at_zero_is_alpha_as_pytorch():
    x = minidl.tensor([0.0], requires_grad=True)
    F.elu(x, alpha=0.5).sum().backward()
    assert x.grad.tolist() == [0.5]


def test_modules_match_functions_and_reprs():
    x = minidl.tensor(X[:20])
    for module, fn in [
        (nn.SiLU(), F.silu),
        (nn.ELU(0.4), lambda t: F.elu(t, 0.4)),
        (nn.Softplus(2.0, 5.0), lambda t: F.softplus(t, 2.0, 5.0)),
        (nn.Mish(), F.mish),
    ]:
        np.testing.assert_array_equal(module(x).numpy(), fn(x).numpy())
    assert repr(nn.SiLU()) == "SiLU()"
    assert repr(nn.SiLU(inplace=True)) == "SiLU(inplace=True)"
    assert repr(nn.Mish()) == "Mish()"
    assert repr(nn.Mish(True)) == "Mish(inplace=True)"
    assert repr(nn.ELU()) == "ELU(alpha=1.0)"
    assert repr(nn.ELU(2, True)) == "ELU(alpha=2, inplace=True)"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.Softplus(2, 10)) == "Softplus(beta=2, threshold=10)"


@pytest.mark.parametrize(
    "call",
    [
        lambda x: nn.SiLU(inplace=True)(x),
        lambda x: nn.ELU(inplace=True)(x),
        lambda x: nn.Mish(inplace=True)(x),
        lambda x: F.silu(x, inplace=True),
        lambda x: F.elu(x, 1.0, True),
        lambda x: F.mish(x, inplace=True),
    ],
)
def test_inplace_is_accepted_and_returns_a_new_tensor(call):
    x = minidl.tensor([-1.0, 2.0])
    y = call(x)
    assert y is not x and x.tolist() == [-1.0, 2.0]


def test_exported_like_pytorch():
    for name in ["SiLU", "ELU", "Softplus", "Mish"]:
        assert name in nn.__all__ and hasattr(nn, name)
    for name in ["silu", "elu", "softplus", "mish"]:
        assert name in F.__all__ and hasattr(F, name)


@pytest.mark.parametrize("alpha", [float("nan"), float("inf"), -float("inf")])
def test_elu_alpha_must_be_finite(alpha):
    with raises(ValueError, "ELU", "alpha must be a finite real number", str(alpha)):
        nn.ELU(alpha)
    with raises(ValueError, "elu", "alpha", str(alpha)):
        F.elu(minidl.tensor([-1.0]), alpha)


@pytest.mark.parametrize("alpha", ["1.0", None, True])
def test_elu_alpha_must_be_a_number(alpha):
    with raises(TypeError, "ELU", "alpha", repr(alpha)):
        nn.ELU(alpha)


@pytest.mark.parametrize("beta", [0, 0.0, float("nan"), float("inf")])
def test_softplus_beta_must_be_finite_and_non_zero(beta):
    with raises(ValueError, "Softplus", "beta", str(beta)):
        nn.Softplus(beta)
    with raises(ValueError, "softplus", "beta", str(beta)):
        F.softplus(minidl.tensor([1.0]), beta=beta)


def test_softplus_threshold_checks():
    with raises(ValueError, "Softplus", "threshold", "nan"):
        nn.Softplus(threshold=float("nan"))
    with raises(TypeError, "softplus", "threshold", "'20'"):
        F.softplus(minidl.tensor([1.0]), threshold="20")
    # inf: never revert to x
    assert F.softplus(minidl.tensor([30.0]), threshold=float("inf")).tolist() == [
        pytest.approx(30.0 + np.exp(-30.0), rel=1e-15)
    ]


@pytest.mark.parametrize(
    "fn, name", [(F.silu, "silu"), (F.elu, "elu"), (F.softplus, "softplus"), (F.mish, "mish")]
)
def test_integer_input_is_refused_as_in_pytorch(fn, name):
    with raises(TypeError, name, "float tensor", "int64"):
        fn(minidl.tensor([1, 2]))


@pytest.mark.parametrize("name, fn, kw, ref", CASES, ids=[c[0] for c in CASES])
def test_matches_pytorch(name, fn, kw, ref):
    torch = pytest.importorskip("torch")
    x = X[np.abs(X) < 1e300]  # PyTorch's x · β overflows to inf there (same result, no warning)
    t = torch.tensor(x, requires_grad=True)
    ty = getattr(torch.nn.functional, name.split()[0])(t, **kw)
    ty.sum().backward()
    m = minidl.tensor(x, requires_grad=True)
    my = fn(m, **kw)
    my.sum().backward()
    np.testing.assert_allclose(my.detach().numpy(), ty.detach().numpy(), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-300)
