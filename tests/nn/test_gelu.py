"""GELU: values and derivatives against closed forms built on math.erf / math.erfc / math.tanh."""

import math

import numpy as np
import pytest

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck

GRID = np.linspace(-6.0, 6.0, 241)
KAPPA = 0.044715
C = math.sqrt(2 / math.pi)


def exact(x):
    return x * 0.5 * (1 + math.erf(x / math.sqrt(2)))


def exact_grad(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2))) + x * math.exp(-x * x / 2) / math.sqrt(
        2 * math.pi
    )


def tanh_form(x):
    return 0.5 * x * (1 + math.tanh(C * (x + KAPPA * x**3)))


def tanh_grad(x):
    t = math.tanh(C * (x + KAPPA * x**3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * KAPPA * x * x)


FORMS = {"none": (exact, exact_grad), "tanh": (tanh_form, tanh_grad)}


def _value_and_grad(values, approximate, dtype=np.float64):
    x = minidl.tensor(np.asarray(values, dtype=dtype), requires_grad=True)
    y = F.gelu(x, approximate=approximate)
    y.sum().backward()
    return y, x.grad


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_float64_values_and_derivatives_match_the_closed_forms(approximate):
    f, df = FORMS[approximate]
    y, g = _value_and_grad(GRID, approximate)
    assert y.dtype == np.float64 and g.dtype == np.float64
    # left of −3, 1 + erf (and 1 + tanh, 1 − tanh²) cancel, in the reference too: there the
    # two agree to the rounding of numbers near 1 times the factors x (and x·du/dx ≈ 28)
    np.testing.assert_allclose(y.data, [f(v) for v in GRID], rtol=1e-14, atol=2e-15)
    np.testing.assert_allclose(g.data, [df(v) for v in GRID], rtol=1e-14, atol=1e-14)


def test_exact_form_keeps_its_precision_in_the_left_tail():
    # Φ(x) = ½ erfc(−x/√2): 1 + erf(x/√2) would round to 0 below x ≈ −8.3
    xs = np.array([-10.0, -20.0, -30.0])
    y, g = _value_and_grad(xs, "none")
    want = [x * 0.5 * math.erfc(-x / math.sqrt(2)) for x in xs]
    # erfc(z)'s condition number ~2z² turns the rounding of x/√2 into ~1e-13 here
    np.testing.assert_allclose(y.data, want, rtol=1e-12)
    assert y.data[0] == pytest.approx(-10 * 7.619853024160527e-24, rel=1e-12)  # Φ(−10)
    want_g = [
        0.5 * math.erfc(-x / math.sqrt(2)) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        for x in xs
    ]
    np.testing.assert_allclose(g.data, want_g, rtol=1e-12)


def test_exact_form_identities():
    # Φ(x) + Φ(−x) = 1, so gelu(x) − gelu(−x) = x; gelu(0) = 0, gelu'(0) = ½
    x = minidl.tensor(GRID)
    np.testing.assert_allclose((F.gelu(x) - F.gelu(-x)).data, GRID, rtol=1e-15, atol=1e-15)
    y, g = _value_and_grad([0.0], "none")
    assert y.data[0] == 0.0 and g.data[0] == 0.5


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_float32_stays_float32(approximate):
    f, df = FORMS[approximate]
    xs = np.linspace(-5, 5, 41, dtype=np.float32)
    y, g = _value_and_grad(xs, approximate, np.float32)
    assert y.dtype == np.float32 and g.dtype == np.float32
    # the tanh form's 1 + tanh(u) cancels in float32 left of −3 (as in PyTorch): absolute
    # error up to |x|·2⁻²³ there; the exact form's erfc does not cancel
    atol = 1e-6 if approximate == "tanh" else 1e-7
    np.testing.assert_allclose(y.data, [f(float(v)) for v in xs], rtol=2e-6, atol=atol)
    np.testing.assert_allclose(g.data, [df(float(v)) for v in xs], rtol=2e-6, atol=atol)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gradcheck_float64(approximate):
    rng = np.random.default_rng(0)
    x = minidl.tensor(rng.uniform(-4, 4, (3, 5)), requires_grad=True)
    assert gradcheck(lambda a: F.gelu(a, approximate=approximate), (x,), atol=1e-8, rtol=1e-6)


def test_tanh_form_is_close_to_the_exact_one():
    # the approximation's known worst error is ~5e-4 (Hendrycks & Gimpel)
    x = minidl.tensor(GRID)
    diff = np.abs(F.gelu(x, approximate="tanh").data - F.gelu(x).data)
    assert diff.max() < 1e-3 and diff.max() > 0


def test_scalar_and_empty_inputs():
    y, g = _value_and_grad(1.5, "none")
    assert y.shape == () and y.item() == pytest.approx(exact(1.5), rel=1e-15)
    assert g.item() == pytest.approx(exact_grad(1.5), rel=1e-15)
    assert F.gelu(minidl.tensor(np.zeros((0, 3)))).shape == (0, 3)


def test_module_matches_functional_and_prints_like_pytorch():
    x = minidl.tensor(GRID)
    np.testing.assert_array_equal(nn.GELU()(x).data, F.gelu(x).data)
    np.testing.assert_array_equal(nn.GELU("tanh")(x).data, F.gelu(x, approximate="tanh").data)
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.GELU(approximate="tanh")) == "GELU(approximate='tanh')"
    assert list(nn.GELU().parameters()) == []


def test_bad_input_is_refused_with_a_clear_message():
    x = minidl.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"gelu: approximate must be 'none' or 'tanh', got 'erf'"):
        F.gelu(x, approximate="erf")
    with pytest.raises(ValueError, match=r"GELU: approximate must be 'none' or 'tanh', got None"):
        nn.GELU(approximate=None)
    with pytest.raises(TypeError, match="gelu: expected a float tensor, got dtype int64"):
        F.gelu(minidl.tensor([1, 2]))


def test_matches_torch_when_installed():
    torch = pytest.importorskip("torch")
    for approximate in ("none", "tanh"):
        x = minidl.tensor(GRID, requires_grad=True)
        F.gelu(x, approximate=approximate).sum().backward()
        tx = torch.tensor(GRID, requires_grad=True)
        torch.nn.functional.gelu(tx, approximate=approximate).sum().backward()
        ty = torch.nn.functional.gelu(tx, approximate=approximate).detach().numpy()
        # PyTorch cancels 1 + erf in the left tail, minidl uses erfc: absolute agreement there
        np.testing.assert_allclose(
            F.gelu(x, approximate=approximate).data, ty, rtol=1e-13, atol=2e-15
        )
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-13, atol=1e-14)


def test_approximate_is_keyword_only_as_in_pytorch():
    x = minidl.tensor([0.5, -1.0])
    with pytest.raises(TypeError):
        F.gelu(x, "tanh")


def _gelu_and_slope_by_math(v):
    """x Φ(x) and Φ(x) + x φ(x) in float64 from the stdlib, Φ(x) = ½ erfc(−x/√2)."""
    cdf = 0.5 * math.erfc(-v / math.sqrt(2))
    return v * cdf, cdf + v * math.exp(-0.5 * v * v) / math.sqrt(2 * math.pi)


def test_float32_exact_gelu_is_rounded_once_from_float64():
    # x/√2 rounded in float32 moved Φ's tail by ~x² · 2⁻²⁴ relatively: 183 ulp at x ≈ −13
    x = np.linspace(-13, 13, 20001, dtype=np.float32)
    y = minidl.nn.functional.gelu(minidl.tensor(x)).data
    assert y.dtype == np.float32
    expected = np.array([_gelu_and_slope_by_math(float(v))[0] for v in x], np.float32)
    ulp = np.abs(y.view(np.int32).astype(np.int64) - expected.view(np.int32).astype(np.int64))
    assert ulp.max() <= 1


def test_float16_exact_gelu_gradient_is_computed_in_float32():
    # near x = −0.75, Φ(x) + x φ(x) cancels to 3 % of either term: in float16 arithmetic the
    # slope was 75 % off there (PyTorch computes half precision in float32 too)
    x = minidl.tensor(np.linspace(-1.0, -0.5, 201).astype(np.float16), requires_grad=True)
    minidl.nn.functional.gelu(x).sum().backward()
    assert x.grad.dtype == np.float16
    expected = np.array([_gelu_and_slope_by_math(float(v))[1] for v in x.data])
    # the slope rounded to float16 (relative 2⁻¹¹), plus the rounding of the float32 work
    np.testing.assert_allclose(x.grad.data.astype(np.float64), expected, rtol=2e-3, atol=1e-7)
