"""More elementwise math: floor/ceil/trunc/frac, square, reciprocal, rsqrt, log1p, expm1,
log2, log10, sinh, cosh, asin, acos, atan, erf, atan2, hypot, lerp, addcmul, addcdiv, fmod,
nan_to_num, clamp_min/clamp_max, and the neg/negative methods.

Expected values come from closed forms (sinh x = (eˣ − e⁻ˣ)/2, ...), from Python's math
module (math.floor, math.erf, math.fmod, ...), from NumPy's own functions (np.arctan2,
np.nan_to_num) or are worked by hand; gradients are checked against central differences
in float64 over hypothesis shapes, and against hand-worked derivatives.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import (
    MAX_SIDE,
    arrays,
    away_from,
    broadcastable_pair,
    gradcheck,
    leaf,
    raises,
    shapes,
)

import minidl


def elementwise(f, *arrays_):
    """f applied one element at a time with Python floats: a reference independent of NumPy."""
    return np.vectorize(lambda *v: f(*(float(x) for x in v)), otypes=[np.float64])(*arrays_)


def three_shapes():
    """Three shapes that broadcast together (lerp, addcmul, addcdiv)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=3, min_dims=0, max_dims=3, min_side=1, max_side=MAX_SIDE
    ).map(lambda r: r.input_shapes)


# ----- one-input functions: values from closed forms, gradients by central differences ------

# (function, reference from Python's math module or a closed form, lowest, highest input)
UNARY = [
    (minidl.square, lambda x: x * x, -3.0, 3.0),
    (minidl.reciprocal, lambda x: 1 / x, -3.0, 3.0),
    (minidl.rsqrt, lambda x: 1 / math.sqrt(x), 0.2, 3.0),
    (minidl.log1p, lambda x: math.log(1 + x), -0.8, 3.0),
    (minidl.expm1, lambda x: math.exp(x) - 1, -3.0, 3.0),
    (minidl.log2, lambda x: math.log(x) / math.log(2), 0.2, 3.0),
    (minidl.log10, lambda x: math.log(x) / math.log(10), 0.2, 3.0),
    (minidl.sinh, lambda x: (math.exp(x) - math.exp(-x)) / 2, -3.0, 3.0),
    (minidl.cosh, lambda x: (math.exp(x) + math.exp(-x)) / 2, -3.0, 3.0),
    (minidl.asin, math.asin, -0.9, 0.9),
    (minidl.acos, math.acos, -0.9, 0.9),
    (minidl.atan, math.atan, -3.0, 3.0),
    (minidl.erf, math.erf, -3.0, 3.0),
]


@pytest.mark.parametrize("fn, ref, low, high", UNARY, ids=[u[0].__name__ for u in UNARY])
@given(shape=shapes(), data=st.data())
def test_unary_values_match_closed_form_and_grad_matches_central_difference(
    fn, ref, low, high, shape, data
):
    x = data.draw(arrays(shape, low, high))
    if fn is minidl.reciprocal:
        x = away_from(x, [0.0], 0.1)
    y = fn(leaf(x))
    assert y.dtype == np.float64 and y.shape == x.shape
    np.testing.assert_allclose(y.data, elementwise(ref, x), rtol=1e-13, atol=1e-15)
    assert gradcheck(fn, (leaf(x),))


# the derivative of each, worked by hand at x = 0.5 (x = 2 for the logs and rsqrt)
HAND_DERIVATIVES = [
    (minidl.square, 0.5, 1.0),  # 2x
    (minidl.reciprocal, 0.5, -4.0),  # −1/x²
    (minidl.rsqrt, 4.0, -1 / 16),  # −½ x^(−3/2) = −½ · ⅛
    (minidl.log1p, 0.5, 1 / 1.5),  # 1/(1 + x)
    (minidl.expm1, 0.5, math.exp(0.5)),  # eˣ
    (minidl.log2, 2.0, 1 / (2 * math.log(2))),  # 1/(x ln 2)
    (minidl.log10, 2.0, 1 / (2 * math.log(10))),  # 1/(x ln 10)
    (minidl.sinh, 0.5, (math.exp(0.5) + math.exp(-0.5)) / 2),  # cosh x
    (minidl.cosh, 0.5, (math.exp(0.5) - math.exp(-0.5)) / 2),  # sinh x
    (minidl.asin, 0.5, 1 / math.sqrt(0.75)),  # 1/√(1 − x²)
    (minidl.acos, 0.5, -1 / math.sqrt(0.75)),  # −1/√(1 − x²)
    (minidl.atan, 0.5, 0.8),  # 1/(1 + x²)
    (minidl.erf, 0.5, 2 / math.sqrt(math.pi) * math.exp(-0.25)),  # (2/√π) e^(−x²)
    (minidl.frac, 0.5, 1.0),
    (minidl.floor, 0.5, 0.0),
    (minidl.ceil, 0.5, 0.0),
    (minidl.trunc, 0.5, 0.0),
]


@pytest.mark.parametrize(
    "fn, x, slope", HAND_DERIVATIVES, ids=[h[0].__name__ for h in HAND_DERIVATIVES]
)
def test_unary_derivative_equals_the_textbook_formula(fn, x, slope):
    t = minidl.tensor([x, x], dtype=minidl.float64, requires_grad=True)
    fn(t).sum().backward()
    np.testing.assert_allclose(t.grad.data, [slope, slope], rtol=1e-14)


def test_log1p_and_expm1_keep_the_digits_that_log_and_exp_lose():
    tiny = minidl.tensor([1e-20, -3e-18], dtype=minidl.float64)
    # ln(1 + x) = x − x²/2 + ...: 1 + 1e-20 rounds to 1, so log(1 + x) would be 0
    np.testing.assert_array_equal(minidl.log1p(tiny).data, [1e-20, -3e-18])
    np.testing.assert_array_equal(tiny.expm1().data, [1e-20, -3e-18])  # eˣ − 1 = x + x²/2 + ...


def test_inverse_trig_and_erf_at_known_points():
    x = minidl.tensor([-1.0, -0.5, 0.0, 0.5, 1.0], dtype=minidl.float64)
    np.testing.assert_allclose(x.asin().data, np.array([-3, -1, 0, 1, 3]) * math.pi / 6)
    np.testing.assert_allclose(x.acos().data, np.array([6, 4, 3, 2, 0]) * math.pi / 6)
    np.testing.assert_allclose(x.atan().data[[0, 2, 4]], [-math.pi / 4, 0, math.pi / 4])
    e = minidl.tensor([0.0, 10.0, -10.0, math.inf, -math.inf], dtype=minidl.float64).erf()
    np.testing.assert_array_equal(e.data, [0.0, 1.0, -1.0, 1.0, -1.0])
    assert np.isnan(minidl.erf(minidl.tensor([math.nan])).item())


def test_erf_agrees_with_math_erf_to_the_last_bits_on_many_points():
    rng = np.random.default_rng(7)
    x = np.concatenate(
        [rng.uniform(-6, 6, 5000), rng.standard_normal(5000) * 1e-3, np.linspace(-8, 8, 2001)]
    )
    ours = minidl.tensor(x, dtype=minidl.float64).erf().data
    exact = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(ours, exact, rtol=1e-15, atol=0)
    # float32: the float64 value rounded once, so off by at most half an ulp of float32
    ours32 = minidl.tensor(x.astype(np.float32)).erf().data
    assert ours32.dtype == np.float32
    exact32 = np.array([math.erf(float(v)) for v in x.astype(np.float32)])
    assert np.all(np.abs(ours32 - exact32) <= np.spacing(np.abs(exact32).astype(np.float32)))


def test_sinh_cosh_identities():
    x = minidl.tensor(np.linspace(-3, 3, 13), dtype=minidl.float64)
    c, s = x.cosh().data, x.sinh().data
    np.testing.assert_allclose(c * c - s * s, 1.0, rtol=1e-12)  # cosh² − sinh² = 1
    np.testing.assert_allclose(s + c, np.exp(x.data), rtol=1e-13, atol=1e-14)  # = eˣ


# ----- floor, ceil, trunc, frac -------------------------------------------------------------


def test_rounding_by_hand_negative_numbers_included():
    x = minidl.tensor([-2.5, -1.0, -0.2, 0.0, 0.2, 1.0, 2.5])
    assert x.floor().tolist() == [-3.0, -1.0, -1.0, 0.0, 0.0, 1.0, 2.0]
    assert x.ceil().tolist() == [-2.0, -1.0, -0.0, 0.0, 1.0, 1.0, 3.0]
    assert minidl.trunc(x).tolist() == [-2.0, -1.0, -0.0, 0.0, 0.0, 1.0, 2.0]
    np.testing.assert_allclose(minidl.frac(x).data, [-0.5, 0.0, -0.2, 0.0, 0.2, 0.0, 0.5])
    assert x.frac().dtype == x.floor().dtype == np.float32


@given(shape=shapes(), data=st.data())
def test_rounding_matches_python_math_and_grad_matches_central_difference(shape, data):
    # at least 0.02 from every integer: the staircases jump there
    x = away_from(data.draw(arrays(shape)), range(-4, 5), gap=1e-2)
    for fn, ref in (
        (minidl.floor, math.floor),
        (minidl.ceil, math.ceil),
        (minidl.trunc, math.trunc),
        (minidl.frac, lambda v: math.modf(v)[0]),
    ):
        np.testing.assert_allclose(fn(leaf(x)).data, elementwise(ref, x), atol=1e-15)
        assert gradcheck(fn, (leaf(x),))


def test_rounding_keeps_integers_and_refuses_bools_as_pytorch():
    i = minidl.tensor([3, -2])
    for name in ("floor", "ceil", "trunc"):
        y = getattr(i, name)()
        assert y.dtype == np.int64 and y.tolist() == [3, -2]
        y[0] = 7  # a copy: the input is unchanged
        assert i.tolist() == [3, -2]
        with raises(TypeError, f"{name}: not defined for a bool tensor"):
            getattr(minidl, name)(minidl.tensor([True]))
    with raises(TypeError, "frac: defined for float tensors only, got dtype int64"):
        i.frac()


# ----- square -------------------------------------------------------------------------------


def test_square_keeps_integer_dtypes_as_pytorch():
    assert minidl.square(minidl.tensor([3, -4])).tolist() == [9, 16]
    assert minidl.square(minidl.tensor([3, -4])).dtype == np.int64
    b = minidl.tensor([True, False]).square()
    assert b.dtype == np.int64 and b.tolist() == [1, 0]
    u = minidl.tensor([200], dtype=minidl.uint8).square()  # 40000 mod 256, as PyTorch's
    assert u.dtype == np.uint8 and u.tolist() == [64]


# ----- dtypes, domains, warnings -------------------------------------------------------------

FLOAT_RESULT = [
    minidl.reciprocal,
    minidl.rsqrt,
    minidl.log1p,
    minidl.expm1,
    minidl.log2,
    minidl.log10,
    minidl.sinh,
    minidl.cosh,
    minidl.asin,
    minidl.acos,
    minidl.atan,
    minidl.erf,
]


@pytest.mark.parametrize("fn", FLOAT_RESULT, ids=lambda f: f.__name__)
def test_integer_input_gives_the_default_float_and_float32_stays_float32(fn):
    assert fn(minidl.tensor([1, 2])).dtype == np.float32
    assert fn(minidl.tensor([True, False])).dtype == np.float32
    x = minidl.tensor([0.25, 0.5], requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    assert fn(minidl.tensor([0.25], dtype=minidl.float64)).dtype == np.float64
    previous = minidl.get_default_dtype()
    minidl.set_default_dtype(minidl.float64)
    try:
        assert fn(minidl.tensor([1, 2])).dtype == np.float64
    finally:
        minidl.set_default_dtype(previous)


def test_outside_the_domain_gives_nan_or_inf_as_pytorch_without_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning would fail here
        x = minidl.tensor([-2.0, -1.0, 0.0, 2.0], requires_grad=True)
        np.testing.assert_allclose(minidl.log1p(x).data, [np.nan, -np.inf, 0, math.log(3)], 1e-7)
        np.testing.assert_array_equal(minidl.log2(x).data, [np.nan, np.nan, -np.inf, 1.0])
        np.testing.assert_array_equal(minidl.log10(x).data[:3], [np.nan, np.nan, -np.inf])
        np.testing.assert_array_equal(minidl.rsqrt(x).data[:3], [np.nan, np.nan, np.inf])
        np.testing.assert_array_equal(minidl.reciprocal(x).data[2], np.inf)
        assert np.isnan(minidl.asin(x).data[[0, 3]]).all()
        assert np.isnan(minidl.acos(x).data[[0, 3]]).all()
        assert np.isinf(minidl.sinh(minidl.tensor([100.0])).item())  # e¹⁰⁰ > float32's max
        assert np.isinf(minidl.cosh(minidl.tensor([-100.0])).item())
        assert np.isinf(minidl.expm1(minidl.tensor([100.0])).item())
        # inf and NaN gradients at the edges, and no warning (one backward each: the engine
        # itself would warn on adding inf and −inf from two ops)
        for f in (minidl.log1p, minidl.log2, minidl.log10, minidl.rsqrt, minidl.asin):
            t = minidl.tensor([-2.0, -1.0, 0.0, 2.0], requires_grad=True)
            f(t).sum().backward()
            assert not np.isfinite(t.grad.data).all()
        for f in (minidl.acos, minidl.reciprocal, minidl.sinh, minidl.cosh):
            f(minidl.tensor([-2.0, 0.0, 1.0, 100.0], requires_grad=True)).sum().backward()
        np.testing.assert_array_equal(minidl.fmod(x, 0.0).data, [np.nan] * 4)
        a0, b0 = minidl.zeros(2, requires_grad=True), minidl.zeros(2, requires_grad=True)
        minidl.atan2(a0, b0).sum().backward()
        # the origin has no direction: gradient 0 there, as PyTorch (not 0/0 = NaN)
        np.testing.assert_array_equal(a0.grad.data, [0.0, 0.0])
        np.testing.assert_array_equal(b0.grad.data, [0.0, 0.0])
        minidl.hypot(minidl.zeros(2, requires_grad=True), minidl.zeros(2)).sum().backward()
        minidl.addcdiv(x, x, minidl.zeros(4)).sum().backward()


# ----- atan2, hypot -------------------------------------------------------------------------


def test_atan2_finds_the_quadrant_and_hypot_the_length_by_hand():
    y = minidl.tensor([1.0, 1.0, -1.0, -1.0, 0.0], dtype=minidl.float64)
    x = minidl.tensor([1.0, -1.0, -1.0, 1.0, -2.0], dtype=minidl.float64)
    quarter = math.pi / 4
    np.testing.assert_allclose(
        minidl.atan2(y, x).data, [quarter, 3 * quarter, -3 * quarter, -quarter, math.pi]
    )
    a = minidl.tensor([3.0], requires_grad=True)
    b = minidl.tensor([4.0], requires_grad=True)
    z = a.hypot(b)
    assert z.tolist() == [5.0]
    z.backward(minidl.ones(1))
    np.testing.assert_allclose([a.grad.item(), b.grad.item()], [0.6, 0.8])  # a/z, b/z
    a.grad = b.grad = None
    a.atan2(b).backward(minidl.ones(1))  # b/(a² + b²), −a/(a² + b²)
    np.testing.assert_allclose([a.grad.item(), b.grad.item()], [4 / 25, -3 / 25])
    big = minidl.tensor([3e30], dtype=minidl.float32)
    assert minidl.hypot(big, big * (4 / 3)).item() == pytest.approx(5e30, rel=1e-6)  # no overflow


@given(pair=broadcastable_pair(), data=st.data())
def test_atan2_and_hypot_match_references_and_grads_match_central_difference(pair, data):
    sa, sb = pair
    # away from the origin and, for atan2, from the cut along the negative x axis (a = 0)
    a = away_from(data.draw(arrays(sa)), [0.0], 0.1)
    b = away_from(data.draw(arrays(sb)), [0.0], 0.1)
    out = minidl.atan2(leaf(a), leaf(b))
    np.testing.assert_allclose(out.data, elementwise(math.atan2, *np.broadcast_arrays(a, b)))
    assert gradcheck(minidl.atan2, (leaf(a), leaf(b)))
    out = minidl.hypot(leaf(a), leaf(b))
    np.testing.assert_allclose(out.data, np.sqrt(a * a + b * b), rtol=1e-14)
    assert gradcheck(minidl.hypot, (leaf(a), leaf(b)))


def test_atan2_and_hypot_dtypes_as_pytorch():
    i = minidl.tensor([1, -2])
    assert minidl.atan2(i, i).dtype == np.float32  # integers: the default float
    f32 = minidl.tensor([1.0, 2.0])
    assert f32.atan2(i).dtype == f32.hypot(i).dtype == np.float32
    assert f32.atan2(f32.double()).dtype == np.float64
    with raises(TypeError, "hypot: defined for float tensors only, got result dtype int64"):
        minidl.hypot(i, i)
    with raises(ValueError, "atan2", "(2,)", "(3,)"):
        minidl.atan2(f32, minidl.ones(3))


# ----- lerp ---------------------------------------------------------------------------------


def test_lerp_by_hand_with_a_number_and_a_tensor_weight():
    a = minidl.tensor([0.0, 10.0], requires_grad=True)
    e = minidl.tensor([4.0, 20.0], requires_grad=True)
    assert minidl.lerp(a, e, 0.25).tolist() == [1.0, 12.5]
    w = minidl.tensor([0.5, 1.0], requires_grad=True)
    z = a.lerp(e, w)
    assert z.tolist() == [2.0, 20.0]
    z.backward(minidl.tensor([1.0, 2.0]))
    assert a.grad.tolist() == [0.5, 0.0]  # 1 − w
    assert e.grad.tolist() == [0.5, 2.0]  # w
    assert w.grad.tolist() == [4.0, 20.0]  # e − a
    # w = 1 lands exactly on end and w = 0 on input, whatever the rounding of e − a
    x, y = minidl.tensor([0.1, 1e-8]), minidl.tensor([0.7, 3e8])
    assert minidl.lerp(x, y, 1.0).tolist() == y.tolist()
    assert minidl.lerp(x, y, 0.0).tolist() == x.tolist()


@given(three=three_shapes(), tensor_weight=st.booleans(), data=st.data())
def test_lerp_matches_its_formula_and_grad_matches_central_difference(three, tensor_weight, data):
    sa, se, sw = three
    a, e = data.draw(arrays(sa)), data.draw(arrays(se))
    if tensor_weight:
        w = data.draw(arrays(sw, -1.0, 2.0))
        inputs = (leaf(a), leaf(e), leaf(w))
        fn = minidl.lerp
    else:
        w = data.draw(st.floats(-1.0, 2.0))
        inputs = (leaf(a), leaf(e))

        def fn(a_, e_):
            return minidl.lerp(a_, e_, w)

    np.testing.assert_allclose(fn(*inputs).data, a + w * (e - a), rtol=1e-13, atol=1e-13)
    assert gradcheck(fn, inputs)


def test_lerp_dtypes_and_errors_as_pytorch():
    f32 = minidl.tensor([1.0, 2.0])
    assert minidl.lerp(f32, f32, minidl.tensor(0.5, dtype=minidl.float64)).dtype == np.float32
    assert minidl.lerp(f32, f32, np.float64(0.5)).dtype == np.float32  # no NumPy upcast
    with raises(TypeError, "lerp: end has dtype float64 but input has float32"):
        minidl.lerp(f32, f32.double(), 0.5)
    with raises(TypeError, "lerp: input must be a float tensor, got dtype int64"):
        minidl.lerp(minidl.tensor([1, 2]), minidl.tensor([1, 2]), 0.5)
    with raises(TypeError, "lerp: weight must be a number or a float tensor, got True"):
        minidl.lerp(f32, f32, True)
    with raises(TypeError, "lerp: weight must be a number or a float tensor, got dtype int64"):
        minidl.lerp(f32, f32, minidl.tensor([1, 0]))
    with raises(ValueError, "lerp", "(2,)", "(3,)"):
        minidl.lerp(f32, minidl.ones(3), 0.5)


# ----- addcmul, addcdiv ---------------------------------------------------------------------


def test_addcmul_and_addcdiv_by_hand():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    t1 = minidl.tensor([3.0, 4.0], requires_grad=True)
    t2 = minidl.tensor([2.0, -8.0], requires_grad=True)
    z = minidl.addcmul(x, t1, t2, value=0.5)
    assert z.tolist() == [4.0, -14.0]  # 1 + ½·3·2, 2 + ½·4·(−8)
    z.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    assert t1.grad.tolist() == [1.0, -4.0]  # v·t₂
    assert t2.grad.tolist() == [1.5, 2.0]  # v·t₁
    x.grad = t1.grad = t2.grad = None
    z = x.addcdiv(t1, t2, value=2)
    assert z.tolist() == [4.0, 1.0]  # 1 + 2·3/2, 2 + 2·4/(−8)
    z.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    assert t1.grad.tolist() == [1.0, -0.25]  # v/t₂
    assert t2.grad.tolist() == [-1.5, -0.125]  # −v·t₁/t₂²
    assert x.addcmul(t1, t2).tolist() == [7.0, -30.0]  # value defaults to 1


@given(three=three_shapes(), value=st.sampled_from([1, -0.5, 2.5]), data=st.data())
def test_addcmul_addcdiv_match_formula_and_grads_match_central_difference(three, value, data):
    sx, s1, s2 = three
    x, t1 = data.draw(arrays(sx)), data.draw(arrays(s1))
    t2 = away_from(data.draw(arrays(s2)), [0.0], 0.25)  # a divisor ≥ 0.5 from 0
    inputs = (leaf(x), leaf(t1), leaf(t2))
    np.testing.assert_allclose(
        minidl.addcmul(*inputs, value=value).data, x + value * t1 * t2, rtol=1e-14, atol=1e-14
    )
    np.testing.assert_allclose(
        minidl.addcdiv(*inputs, value=value).data, x + value * t1 / t2, rtol=1e-14, atol=1e-14
    )
    assert gradcheck(lambda a, b, c: minidl.addcmul(a, b, c, value=value), inputs)
    assert gradcheck(lambda a, b, c: minidl.addcdiv(a, b, c, value=value), inputs)


def test_addcmul_addcdiv_dtypes_and_errors():
    i, f32 = minidl.tensor([3, -2]), minidl.tensor([0.5, 2.0])
    z = minidl.addcmul(i, i, i, value=2)  # integers stay integers, as in PyTorch
    assert z.dtype == np.int64 and z.tolist() == [21, 6]
    assert minidl.addcmul(i, f32, i).dtype == np.float32
    assert minidl.addcmul(f32, f32.double(), f32).dtype == np.float64
    assert minidl.addcdiv(f32, f32, f32, value=2).dtype == np.float32
    assert minidl.addcmul(f32, f32, f32, value=np.float64(2)).dtype == np.float32
    # one float operand: true division, 3 + 0.5/3 and −2 + 2/(−2)
    np.testing.assert_allclose(minidl.addcdiv(i, f32, i).data, [3 + 1 / 6, -3.0], rtol=1e-7)
    with raises(TypeError, "addcdiv: tensor1 (int64) and tensor2 (int64) are both integers"):
        minidl.addcdiv(f32, i, i)
    with raises(TypeError, "addcmul: value 0.5 is not a whole number", "int64"):
        minidl.addcmul(i, i, i, value=0.5)  # PyTorch would silently use 0
    with raises(TypeError, "addcmul: value must be a number, got 'a'"):
        minidl.addcmul(f32, f32, f32, value="a")
    with raises(TypeError, "addcmul: not defined for bool tensors"):
        b = minidl.tensor([True, False])
        minidl.addcmul(b, b, b)
    with raises(ValueError, "addcmul", "(2,)", "(3,)"):
        minidl.addcmul(f32, f32, minidl.ones(3))
    with pytest.raises(TypeError):
        minidl.addcmul(f32, f32, f32, 2)  # value is keyword-only, as in PyTorch


# ----- fmod ---------------------------------------------------------------------------------


def test_fmod_takes_the_sign_of_the_dividend_unlike_remainder():
    a = minidl.tensor([-7.0, 7.0, -7.0, 7.0, 5.5])
    b = minidl.tensor([3.0, -3.0, -3.0, 3.0, 2.0])
    assert minidl.fmod(a, b).tolist() == [-1.0, 1.0, -1.0, 1.0, 1.5]
    assert minidl.remainder(a, b).tolist() == [2.0, -2.0, -1.0, 1.0, 1.5]
    i = minidl.tensor([-7, 7])
    assert i.fmod(3).tolist() == [-1, 1] and i.fmod(3).dtype == np.int64
    assert i.fmod(2.5).dtype == np.float32  # an integer and a Python float: default float


def test_fmod_gradients_by_hand_including_a_broadcast_dividend():
    a = minidl.tensor([5.5, -5.5], requires_grad=True)
    b = minidl.tensor([[2.0], [-3.0]], requires_grad=True)
    z = minidl.fmod(a, b)  # (2, 2): rows b = 2 and b = −3
    assert z.tolist() == [[1.5, -1.5], [2.5, -2.5]]
    z.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0]  # dz/da = 1, summed over the two rows
    # dz/db = −trunc(a/b): −(2 + (−2)) = 0 for b = 2, −((−1) + 1) = 0 for b = −3
    assert b.grad.tolist() == [[0.0], [0.0]]
    b2 = minidl.tensor([2.0, -2.0], requires_grad=True)
    minidl.fmod(minidl.tensor([7.0, 7.0]), b2).sum().backward()
    assert b2.grad.tolist() == [-3.0, 3.0]  # trunc(3.5) = 3, trunc(−3.5) = −3 (floor: −4)


@given(pair=broadcastable_pair(), data=st.data())
def test_fmod_matches_math_fmod_and_grad_matches_central_difference(pair, data):
    sa, sb = pair
    full = np.broadcast_shapes(sa, sb)
    b = away_from(data.draw(arrays(sb)), [0.0], 0.25)
    # a = b·q with q ≥ 0.1 from every integer: a/b stays off the jumps of trunc
    q = away_from(data.draw(arrays(full, -4.0, 4.0)), range(-5, 6), 0.05)
    a = b * q
    np.testing.assert_allclose(
        minidl.fmod(leaf(a), leaf(b)).data, elementwise(math.fmod, a, np.broadcast_to(b, full))
    )
    assert gradcheck(minidl.fmod, (leaf(a), leaf(b)))


def test_fmod_errors_as_pytorch():
    with raises(ZeroDivisionError, "fmod: integer division by zero"):
        minidl.fmod(minidl.tensor([5, 6]), minidl.tensor([1, 0]))
    with raises(RuntimeError, "fmod: integer division by zero"):  # PyTorch's exception type
        minidl.tensor([5]).fmod(0)
    with raises(TypeError, "fmod: not defined for two bool operands"):
        minidl.fmod(minidl.tensor([True]), minidl.tensor([True]))


# ----- nan_to_num ---------------------------------------------------------------------------


def test_nan_to_num_defaults_are_the_dtypes_extremes_and_the_gradient_is_zero_where_replaced():
    x = minidl.tensor([math.nan, math.inf, -math.inf, 1.5], requires_grad=True)
    y = minidl.nan_to_num(x)
    big = float(np.finfo(np.float32).max)
    assert y.dtype == np.float32 and y.tolist() == [0.0, big, -big, 1.5]
    y.backward(minidl.tensor([10.0, 20.0, 30.0, 40.0]))
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 40.0]
    d = minidl.tensor([math.nan, math.inf, -math.inf], dtype=minidl.float64)
    assert d.nan_to_num(nan=-1.0, posinf=2.0, neginf=-3).tolist() == [-1.0, 2.0, -3.0]
    assert d.nan_to_num().tolist()[1] == float(np.finfo(np.float64).max)
    # a replacement beyond float32's range becomes inf, as PyTorch's cast makes it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.nan_to_num(posinf=1e300).tolist()[1] == math.inf


def test_nan_to_num_leaves_integers_and_bools_as_they_are():
    for t in (minidl.tensor([3, -2]), minidl.tensor([True, False])):
        y = t.nan_to_num()
        assert y.dtype == t.dtype and y.tolist() == t.tolist()
    with raises(TypeError, "nan_to_num: posinf must be a number or None, got 'big'"):
        minidl.nan_to_num(minidl.ones(2), posinf="big")
    with raises(TypeError, "nan_to_num: nan must be a number or None, got True"):
        minidl.nan_to_num(minidl.ones(2), nan=True)


@given(shape=shapes(), data=st.data())
def test_nan_to_num_matches_numpy_and_grad_matches_central_difference(shape, data):
    x = data.draw(arrays(shape))
    special = data.draw(
        hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, np.nan, np.inf, -np.inf]))
    )
    x = np.where(special == 0, x, special)
    nan, posinf, neginf = (data.draw(st.floats(-5, 5)) for _ in range(3))
    y = minidl.nan_to_num(leaf(x), nan=nan, posinf=posinf, neginf=neginf)
    np.testing.assert_array_equal(y.data, np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf))
    assert gradcheck(lambda t: minidl.nan_to_num(t, nan, posinf, neginf), (leaf(x),))


# ----- clamp_min, clamp_max, neg, negative --------------------------------------------------


@given(pair=broadcastable_pair(), tensor_bound=st.booleans(), data=st.data())
def test_clamp_min_max_match_numpy_and_grads_match_central_difference(pair, tensor_bound, data):
    sx, sb = pair
    x = data.draw(arrays(sx))
    if tensor_bound:
        bound = data.draw(arrays(sb))
        x = x + np.where(np.abs(x - bound) < 0.02, 0.1, 0.0)  # off the kinks x = bound
        inputs = (leaf(x), leaf(bound))
        lo, hi = minidl.clamp_min, minidl.clamp_max
    else:
        bound = data.draw(st.floats(-2, 2))
        x = away_from(x, [bound])
        inputs = (leaf(x),)

        def lo(t):
            return minidl.clamp_min(t, bound)

        def hi(t):
            return minidl.clamp_max(t, bound)

    np.testing.assert_array_equal(lo(*inputs).data, np.maximum(x, bound))
    np.testing.assert_array_equal(hi(*inputs).data, np.minimum(x, bound))
    assert gradcheck(lo, inputs)
    assert gradcheck(hi, inputs)


def test_clamp_min_max_methods_and_dtypes_by_hand():
    x = minidl.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    (x.clamp_min(0.0) + x.clamp_max(1.0)).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 1.0]  # passed by one, both, one
    i = minidl.tensor([3, -2])
    assert minidl.clamp_max(i, 1).tolist() == [1, -2] and i.clamp_max(1).dtype == np.int64
    assert i.clamp_min(0.5).dtype == np.float32  # an integer clamped to a float bound


def test_clamp_min_and_clamp_max_refuse_none_naming_themselves():
    x = minidl.ones(2)
    with raises(TypeError, "clamp_min: min must be a number or a tensor, got None"):
        minidl.clamp_min(x, None)
    with raises(TypeError, "clamp_max: max must be a number or a tensor, got None"):
        x.clamp_max(None)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: minidl.clamp(x, minidl.zeros(4)), "clamp: input of shape (2, 3) and min of"),
        (lambda x: minidl.clamp_min(x, minidl.zeros(4)), "clamp_min: input of shape (2, 3) and"),
        (lambda x: x.clamp_max(minidl.zeros(4)), "clamp_max: input of shape (2, 3) and max of"),
        (
            lambda x: minidl.clamp(x, minidl.zeros(3), minidl.zeros(4)),
            "clamp: input of shape (2, 3), min of shape (3,) and max of shape (4,) do not",
        ),
    ],
)
def test_clamp_bounds_that_do_not_broadcast_name_the_op_and_the_shapes(call, message):
    with raises(ValueError, message, "do not broadcast together"):
        call(minidl.ones(2, 3))


def test_neg_and_negative_methods():
    x = minidl.tensor([1.5, -2.0], requires_grad=True)
    assert x.neg().tolist() == x.negative().tolist() == minidl.negative(x).tolist() == [-1.5, 2.0]
    (x.neg() + 2 * x.negative()).sum().backward()
    assert x.grad.tolist() == [-3.0, -3.0]
    assert minidl.tensor([3, -1]).negative().tolist() == [-3, 1]
    with raises(TypeError, "neg: not defined for a bool tensor", "logical_not"):
        minidl.tensor([True]).neg()
    with raises(TypeError, "neg (the - operator): not defined for a bool tensor", "logical_not"):
        -minidl.tensor([True])
    assert gradcheck(minidl.negative, (leaf([0.5, -1.0]),))


# ----- against PyTorch ----------------------------------------------------------------------


def test_values_dtypes_and_gradients_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)

    def check(ours, theirs, rtol, name=""):
        theirs = theirs.detach().numpy()
        assert ours.dtype == theirs.dtype, name
        np.testing.assert_allclose(
            ours.data, theirs, rtol=rtol, atol=rtol, equal_nan=True, err_msg=name
        )

    for dtype, rtol in ((np.float32, 2e-6), (np.float64, 1e-13)):
        x = rng.uniform(-3, 3, (3, 4)).astype(dtype)
        x[0, 0], x[0, 1] = 2.5, -2.5  # halves: floor, ceil, trunc, frac differ on their sign
        p = rng.uniform(0.2, 3, (3, 4)).astype(dtype)
        u = rng.uniform(-0.9, 0.9, (3, 4)).astype(dtype)
        b = (rng.uniform(0.5, 2, (4,)) * rng.choice([-1, 1], 4)).astype(dtype)
        special = x.copy()
        special[1, :3] = [np.nan, np.inf, -np.inf]
        for name, data in [
            *((n, x) for n in ("floor", "ceil", "trunc", "frac", "square", "sinh", "cosh")),
            *((n, x) for n in ("atan", "erf", "expm1", "reciprocal", "neg", "negative")),
            *((n, p) for n in ("rsqrt", "log1p", "log2", "log10")),
            ("asin", u),
            ("acos", u),
        ]:
            ml, tl = minidl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
            mo, to = getattr(minidl, name)(ml), getattr(torch, name)(tl)
            check(mo, to, rtol, name)
            g = rng.standard_normal(data.shape).astype(dtype)
            mo.backward(minidl.tensor(g))
            to.backward(torch.tensor(g))
            check(ml.grad, tl.grad, rtol, name)
        binary = [
            ("atan2", lambda m, a, c: m.atan2(a, c), (x, b)),
            ("hypot", lambda m, a, c: m.hypot(a, c), (x, b)),
            ("fmod", lambda m, a, c: m.fmod(a, c), (x, b)),
            ("lerp", lambda m, a, c: m.lerp(a, c, 0.3), (x, u)),
            ("lerp w", lambda m, a, c, w: m.lerp(a, c, w), (x, u, p[:1])),
            ("addcmul", lambda m, a, c, d: m.addcmul(a, c, d, value=-0.5), (x, u, b)),
            ("addcdiv", lambda m, a, c, d: m.addcdiv(a, c, d, value=2.0), (x, u, b)),
            ("nan_to_num", lambda m, a: m.nan_to_num(a, nan=1.0, neginf=-2.0), (special,)),
            ("clamp_min", lambda m, a, c: m.clamp_min(a, c), (x, b)),
            ("clamp_max", lambda m, a: m.clamp_max(a, 0.25), (x,)),
        ]
        for name, fn, arrays_ in binary:
            ms = [minidl.tensor(a, requires_grad=True) for a in arrays_]
            ts = [torch.tensor(a, requires_grad=True) for a in arrays_]
            mo, to = fn(minidl, *ms), fn(torch, *ts)
            check(mo, to, rtol, name)
            g = rng.standard_normal(mo.shape).astype(dtype)
            mo.backward(minidl.tensor(g))
            to.backward(torch.tensor(g))
            for m, t in zip(ms, ts):
                check(m.grad, t.grad, rtol, name)
    # integer inputs: the dtypes PyTorch gives
    i = np.array([[3, -2], [0, 7]])
    mi, ti = minidl.tensor(i), torch.tensor(i)
    for name in ("floor", "ceil", "trunc", "square", "neg", "nan_to_num", "sinh", "erf"):
        check(getattr(mi, name)(), getattr(ti, name)(), 1e-6, name)
    check(mi.fmod(3), ti.fmod(3), 0)
    check(mi.addcmul(mi, mi, value=2), ti.addcmul(ti, ti, value=2), 0)
    check(mi.atan2(mi), ti.atan2(ti), 1e-6)
    check(mi.clamp_min(1), ti.clamp_min(1), 0)
