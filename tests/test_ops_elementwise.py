"""Elementwise ops: values equal NumPy's, gradients equal float64 central differences.

Shapes come from hypothesis (0-d, size-1 axes, broadcasting pairs); values
are kept away from each op's kinks so the finite difference measures a
derivative.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, away_from, broadcastable_pair, gradcheck, leaf, shapes

import minidl


@st.composite
def pair(draw, low=-3.0, high=3.0, low_b=None, high_b=None):
    sa, sb = draw(broadcastable_pair())
    a = draw(arrays(sa, low, high))
    b = draw(arrays(sb, low if low_b is None else low_b, high if high_b is None else high_b))
    return a, b


BINARY = {
    "add": (minidl.add, np.add),
    "sub": (minidl.sub, np.subtract),
    "mul": (minidl.mul, np.multiply),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(ab=pair())
def test_binary_grad_matches_central_difference(name, ab):
    op, ref = BINARY[name]
    a, b = ab
    out = op(leaf(a), leaf(b))
    np.testing.assert_allclose(out.data, ref(a, b))
    assert gradcheck(op, (leaf(a), leaf(b)))


@given(ab=pair(low_b=0.5, high_b=3.0))
def test_div_grad_matches_central_difference(ab):
    a, b = ab
    b = b * np.where(np.arange(b.size).reshape(b.shape) % 2, -1.0, 1.0)  # both signs, |b| ≥ 0.5
    np.testing.assert_allclose(minidl.div(leaf(a), leaf(b)).data, a / b)
    assert gradcheck(minidl.div, (leaf(a), leaf(b)))


@given(x=shapes().flatmap(arrays))
def test_neg_grad_matches_central_difference(x):
    np.testing.assert_array_equal((-leaf(x)).data, -x)
    assert gradcheck(minidl.neg, (leaf(x),))


@given(x=shapes().flatmap(arrays), p=st.sampled_from([2, 3, -1, 0.5, 1.5, -2.5]))
def test_pow_tensor_scalar_grad_matches_central_difference(x, p):
    if p != int(p):
        x = np.abs(x) + 0.5  # fractional powers need a positive base
    elif p < 0:
        x = away_from(x, [0.0], 0.3)
    np.testing.assert_allclose((leaf(x) ** p).data, x**p)
    assert gradcheck(lambda t: t**p, (leaf(x),))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pow_zero_exponent_has_zero_gradient_even_at_zero(dtype):
    # x⁰ = 1 is constant: its derivative is 0 everywhere, including x = 0
    x = minidl.tensor([0.0, 2.0], dtype=dtype, requires_grad=True)
    e = minidl.tensor([0.0, 0.0], dtype=dtype)
    ((x**0).sum() + (x**e).sum()).backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    assert x.grad.dtype == dtype


@given(x=shapes().flatmap(arrays), base=st.sampled_from([2, 0.5, 3.5]))
def test_pow_scalar_tensor_grad_matches_central_difference(x, base):
    np.testing.assert_allclose((base ** leaf(x)).data, base**x)
    assert gradcheck(lambda t: base**t, (leaf(x),))


@given(ab=pair(low=0.5, high=3.0))
def test_pow_tensor_tensor_grad_matches_central_difference(ab):
    a, b = ab
    np.testing.assert_allclose(minidl.pow(leaf(a), leaf(b)).data, a**b)
    assert gradcheck(minidl.pow, (leaf(a), leaf(b)))


UNARY = {
    # name: (op, NumPy reference, domain low, domain high)
    "exp": (minidl.exp, np.exp, -3.0, 3.0),
    "log": (minidl.log, np.log, 0.2, 5.0),
    "sqrt": (minidl.sqrt, np.sqrt, 0.2, 5.0),
    "tanh": (minidl.tanh, np.tanh, -3.0, 3.0),
    "sigmoid": (minidl.sigmoid, lambda v: 1 / (1 + np.exp(-v)), -6.0, 6.0),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_smooth_unary_grad_matches_central_difference(name, data):
    op, ref, low, high = UNARY[name]
    x = data.draw(shapes().flatmap(lambda s: arrays(s, low, high)))
    np.testing.assert_allclose(op(leaf(x)).data, ref(x), rtol=1e-12, atol=1e-15)
    assert gradcheck(op, (leaf(x),))


@pytest.mark.parametrize(
    "name, op, ref",
    [
        ("relu", minidl.relu, lambda v: np.where(v > 0, v, 0.0)),
        ("abs", minidl.abs, np.abs),
    ],
)
@given(x=shapes().flatmap(arrays))
def test_kinked_unary_grad_matches_central_difference_off_zero(name, op, ref, x):
    x = away_from(x, [0.0])
    np.testing.assert_array_equal(op(leaf(x)).data, ref(x))
    assert gradcheck(op, (leaf(x),))


@given(
    x=shapes().flatmap(arrays),
    bounds=st.sampled_from([(-1.0, 1.0), (None, 0.5), (-0.5, None), (0.25, 0.5)]),
)
def test_clamp_grad_matches_central_difference_off_bounds(x, bounds):
    lo, hi = bounds
    x = away_from(x, [b for b in bounds if b is not None])
    np.testing.assert_array_equal(minidl.clamp(leaf(x), lo, hi).data, np.clip(x, lo, hi))
    assert gradcheck(lambda t: t.clamp(min=lo, max=hi), (leaf(x),))


@pytest.mark.parametrize("op, ref", [(minidl.maximum, np.maximum), (minidl.minimum, np.minimum)])
@given(ab=pair())
def test_maximum_minimum_grad_matches_central_difference_without_ties(op, ref, ab):
    # a on the grid 0.1·k + 0.03 and b on 0.1·k − 0.02: every a − b is ≥ 0.05 away from 0
    a = np.round(ab[0], 1) + 0.03
    b = np.round(ab[1], 1) - 0.02
    np.testing.assert_array_equal(op(leaf(a), leaf(b)).data, ref(a, b))
    assert gradcheck(op, (leaf(a), leaf(b)))


@pytest.mark.parametrize("op", [minidl.maximum, minidl.minimum])
def test_maximum_minimum_split_the_gradient_at_ties(op):
    a, b = leaf([1.0, 2.0, 3.0]), leaf([1.0, 5.0, 0.0])
    op(a, b).sum().backward()
    win_a = [0.5, 0.0, 1.0] if op is minidl.maximum else [0.5, 1.0, 0.0]
    np.testing.assert_array_equal(a.grad.data, win_a)
    np.testing.assert_array_equal(b.grad.data, 1 - np.array(win_a))


@st.composite
def where_args(draw):
    sa, sb = draw(broadcastable_pair())
    shape = np.broadcast_shapes(sa, sb)
    cond = draw(arrays(shape)) > 0
    if cond.size > 1 and (cond.all() or not cond.any()):
        cond.flat[0] = not cond.flat[0]  # both branches take part, so both gradients are checked
    return cond, draw(arrays(sa)), draw(arrays(sb))


@given(args=where_args())
def test_where_grad_matches_central_difference(args):
    cond, a, b = args
    out = minidl.where(minidl.tensor(cond), leaf(a), leaf(b))
    np.testing.assert_array_equal(out.data, np.where(cond, a, b))
    assert gradcheck(lambda x, y: minidl.where(cond, x, y), (leaf(a), leaf(b)))


@given(x=shapes().flatmap(arrays))
def test_cast_grad_flows_back_in_the_input_dtype(x):
    assert gradcheck(lambda t: t.to(np.float64) * t.double(), (leaf(x),))
    t = minidl.tensor(x, dtype=np.float32, requires_grad=True)
    y = t.double()
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert t.grad.dtype == np.float32
    np.testing.assert_allclose(t.grad.data, 2 * x.astype(np.float32), rtol=1e-6)


def test_cast_between_float_dtypes_with_float_method():
    x = minidl.tensor([1.5, -2.0], dtype=np.float64, requires_grad=True)
    y = x.float()
    assert y.dtype == np.float32 and y.requires_grad
    (y * 3.0).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_cast_to_int_carries_no_gradient():
    x = minidl.tensor([1.7, -2.2], requires_grad=True)
    y = x.long()
    assert y.dtype == np.int64 and not y.requires_grad
    np.testing.assert_array_equal(y.data, [1, -2])


def test_sigmoid_is_finite_and_relatively_exact_in_both_tails():
    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    y = minidl.sigmoid(minidl.tensor(x, dtype=np.float64)).data
    assert np.all(np.isfinite(y))
    # σ(−30) = e⁻³⁰/(1 + e⁻³⁰), a tiny number that must keep its relative precision
    expected = [0.0, np.exp(-30.0) / (1 + np.exp(-30.0)), 0.5, 1 / (1 + np.exp(-30.0)), 1.0]
    np.testing.assert_allclose(y, expected, rtol=1e-14)


def test_sigmoid_float32_left_tail_keeps_log_finite():
    y = minidl.sigmoid(minidl.tensor([-20.0, -50.0]))
    assert y.dtype == np.float32
    np.testing.assert_allclose(np.log(y.data), [-20.0, -50.0], rtol=1e-5)


def test_reflected_operators_compute_the_reflected_math():
    x = minidl.tensor([1.0, 2.0, 4.0])
    np.testing.assert_allclose((2 - x).data, [1.0, 0.0, -2.0])
    np.testing.assert_allclose((1 / x).data, [1.0, 0.5, 0.25])
    np.testing.assert_allclose((2**x).data, [2.0, 4.0, 16.0])
    np.testing.assert_allclose((3 * x).data, [3.0, 6.0, 12.0])
    np.testing.assert_allclose((np.array([1.0, 1.0, 1.0], np.float32) + x).data, [2.0, 3.0, 5.0])
    assert isinstance(np.ones(3, np.float32) + x, minidl.Tensor)
    assert isinstance(np.ones(3, np.float32) * x, minidl.Tensor)


@pytest.mark.parametrize(
    "expr",
    [lambda x: 2 - x, lambda x: 1 / x, lambda x: 2**x, lambda x: 1.5 + x, lambda x: 0.5 * x],
    ids=["rsub", "rtruediv", "rpow", "radd", "rmul"],
)
def test_reflected_operator_grad_matches_central_difference(expr):
    assert gradcheck(expr, (leaf([0.7, 1.3, 2.1]),))


def test_where_of_two_python_numbers_uses_the_default_float_dtype():
    mask = minidl.tensor([True, False])
    out = minidl.where(mask, 1.0, 0.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [1.0, 0.0])


def test_pow_gradient_in_the_exponent_is_zero_at_a_zero_base():
    # 0^y = 0 for every y > 0, so d(0^y)/dy = 0 (ln 0 = −∞ must not leak in); PyTorch's rule
    # also gives 0 at y = 0.  With a base of 3: d(3^p)/dp = 3^p ln 3.
    y = minidl.tensor([0.5, 1.0, 2.0, 0.0], dtype=np.float64, requires_grad=True)
    p = minidl.tensor([2.0, 2.0], dtype=np.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide-by-zero warning either
        (0.0**y).sum().backward()
        (minidl.tensor([0.0, 3.0], dtype=np.float64) ** p).sum().backward()
    np.testing.assert_array_equal(y.grad.data, [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(p.grad.data, [0.0, 9.0 * np.log(3.0)], rtol=1e-15)


def test_clamp_with_tensor_bounds_sends_gradients_to_the_bounds():
    x = minidl.tensor([0.0, 1.0, 2.0], dtype=np.float64, requires_grad=True)
    lo = minidl.tensor([0.5, 0.5, 0.5], dtype=np.float64, requires_grad=True)
    hi = minidl.tensor(1.5, dtype=np.float64, requires_grad=True)  # a 0-d bound broadcasts
    y = minidl.clamp(x, lo, hi)
    np.testing.assert_array_equal(y.data, [0.5, 1.0, 1.5])
    (y * minidl.tensor([1.0, 2.0, 3.0], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 2.0, 0.0])  # only x = 1 is inside
    np.testing.assert_array_equal(lo.grad.data, [1.0, 0.0, 0.0])  # y = lo where x < lo
    assert hi.grad.item() == 3.0  # y = hi where x > hi
    with pytest.raises(ValueError, match="clamp: min is greater than max"):
        minidl.clamp(x, minidl.tensor([0.0, 2.0, 0.0]), minidl.tensor([1.0, 1.0, 1.0]))


def test_clamp_of_integers_to_a_float_bound_is_the_default_float():
    y = minidl.clamp(minidl.tensor([0, 1, 2]), min=0.5)
    assert y.dtype == np.float32  # PyTorch's promotion; NumPy's clip would give float64
    np.testing.assert_array_equal(y.data, [0.5, 1.0, 2.0])


def test_tanh_method_of_integers_is_the_default_float_like_the_function():
    assert minidl.tensor([1, 2]).tanh().dtype == np.float32
    assert minidl.tensor([True, False]).tanh().dtype == np.float32


def test_comparing_with_none_is_false_as_for_any_object():
    t = minidl.ones(2)
    assert (t == None) is False  # noqa: E711  (the comparison under test)
    assert (t != None) is True  # noqa: E711


def test_gradients_at_the_kinks_follow_pytorch():
    # relu'(0) := 0 and d|x|/dx = sign(x), 0 at 0 (the docstrings' convention, as in PyTorch);
    # an exact 0 is common in training (relu of a relu output, zero padding)
    x = leaf([-1.0, 0.0, 2.0])
    minidl.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])
    # −0 and ±inf as their side; at NaN (no derivative) the gradient passes, as PyTorch's
    x = leaf([-0.0, -np.inf, np.inf, np.nan])
    minidl.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0, 1.0])
    x = leaf([-1.0, 0.0, 2.0])
    minidl.abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, 0.0, 1.0])


def test_clamp_on_a_bound_sends_the_gradient_to_x():
    # dy/dx = 1 where lo <= x <= hi; dy/dlo = 1 only where x < lo
    x = leaf([-0.5, 0.5, 0.0, 2.0])
    minidl.clamp(x, -0.5, 0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 1.0, 0.0])
    x, lo = leaf([0.5, 0.0]), leaf([0.5, 0.5])
    minidl.clamp(x, lo).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0])
    np.testing.assert_array_equal(lo.grad.data, [0.0, 1.0])


def test_div_gradients_are_the_closed_form_to_float64_rounding():
    # z = a / b with upstream w:  dL/da = w / b,  dL/db = −w a / b²  (a float32 backward: ~1e-8 off)
    a0, b0, w = np.array([1.0, -2.0, 3.0]), np.array([0.7, 1.3, -2.1]), np.array([1.0, 2.0, -0.5])
    a, b = leaf(a0), leaf(b0)
    (a / b).backward(gradient=w)
    np.testing.assert_allclose(a.grad.data, w / b0, rtol=1e-14)
    np.testing.assert_allclose(b.grad.data, -w * a0 / b0**2, rtol=1e-14)
