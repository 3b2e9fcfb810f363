"""Floor division and remainder, bitwise and logical operators, nonzero, unique, multinomial.

Expected values come from Python's own ``//``, ``%``, ``&``, ``|``, ``^``, ``~`` on the
same numbers, from NumPy, or are worked by hand; the remainder's gradient is checked
against float64 central differences with a/b kept away from the integers (where
a mod b jumps).  multinomial is checked for reproducibility and by its frequencies, with
bounds a correct sampler crosses with probability < 1e-6 (the derivation is at ``_bound``).
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcastable_pair, gradcheck, leaf, raises, shapes

import minidl

# ----- floor_divide and remainder: values -------------------------------------------------

INT_PAIRS = [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (-6, 3), (0, 5), (0, -5), (1, 7)]
FLOAT_PAIRS = [(7.5, 2.0), (-7.5, 2.0), (7.5, -2.0), (-7.5, -2.0), (5.0, 2.5), (0.3, 0.1)]


@pytest.mark.parametrize("pairs, dtype", [(INT_PAIRS, np.int64), (FLOAT_PAIRS, np.float64)])
def test_floor_divide_and_remainder_follow_pythons_operators(pairs, dtype):
    a = minidl.tensor([p[0] for p in pairs], dtype=dtype)
    b = minidl.tensor([p[1] for p in pairs], dtype=dtype)
    np.testing.assert_array_equal((a // b).data, [x // y for x, y in pairs])
    np.testing.assert_array_equal((a % b).data, [x % y for x, y in pairs])
    np.testing.assert_array_equal(minidl.floor_divide(a, b).data, [x // y for x, y in pairs])
    np.testing.assert_array_equal(minidl.remainder(a, b).data, [x % y for x, y in pairs])
    np.testing.assert_array_equal(a.floor_divide(b).data, (a // b).data)
    np.testing.assert_array_equal(a.remainder(b).data, (a % b).data)
    # Python's identity a = b·(a // b) + a % b
    np.testing.assert_allclose((b * (a // b) + a % b).data, a.data, rtol=1e-15)


def test_remainder_takes_the_sign_of_the_divisor():
    # −7 = 2·(−4) + 1 and 7 = (−2)·(−4) − 1: the remainder has the divisor's sign, as Python
    a = minidl.tensor([-7, 7, -7, 7])
    b = minidl.tensor([2, -2, -2, 2])
    np.testing.assert_array_equal((a % b).data, [1, -1, -1, 1])
    np.testing.assert_array_equal((a // b).data, [-4, -4, 3, 3])
    x = minidl.tensor([-0.5, 0.5], dtype=np.float64)
    np.testing.assert_array_equal((x % 3.0).data, [2.5, 0.5])
    np.testing.assert_array_equal((x % -3.0).data, [-0.5, -2.5])


def test_reflected_forms_with_a_number_on_the_left():
    t = minidl.tensor([2, -2, 3])
    np.testing.assert_array_equal((7 % t).data, [7 % 2, 7 % -2, 7 % 3])
    np.testing.assert_array_equal((7 // t).data, [7 // 2, 7 // -2, 7 // 3])
    np.testing.assert_array_equal((-7 // t).data, [-7 // 2, -7 // -2, -7 // 3])
    # a Python float with an integer tensor: the default float dtype, as 7.5 % 2 in Python
    r = 7.5 % t
    assert r.dtype == np.float32
    np.testing.assert_array_equal(r.data, [7.5 % 2, 7.5 % -2, 7.5 % 3])
    assert minidl.remainder(7, t).dtype == np.int64


def test_division_of_whole_tensors_broadcasts():
    a = minidl.tensor([[7], [-7]])
    b = minidl.tensor([2, -3, 5])
    want_q = [[x // y for y in (2, -3, 5)] for x in (7, -7)]
    want_r = [[x % y for y in (2, -3, 5)] for x in (7, -7)]
    np.testing.assert_array_equal((a // b).data, want_q)
    np.testing.assert_array_equal((a % b).data, want_r)


@pytest.mark.parametrize(
    "a, b, want",
    [
        (minidl.tensor([7, -7]), minidl.tensor([2, 2]), np.int64),
        (minidl.tensor([7, -7], dtype=np.int32), 2, np.int32),  # a number yields to the tensor
        (minidl.tensor([7, -7], dtype=np.int32), minidl.tensor(2), np.int32),  # 0-d yields
        (minidl.tensor([7, -7], dtype=np.int32), minidl.tensor([2, 2]), np.int64),
        (minidl.tensor([7, 9], dtype=np.uint8), minidl.tensor([2], dtype=np.int8), np.int16),
        (minidl.tensor([7, -7]), 2.5, np.float32),  # int ⊙ Python float: the default float
        (minidl.tensor([7, -7]), minidl.tensor([2.5], dtype=np.float64), np.float64),
        (minidl.tensor([7.0, 7.5]), minidl.tensor([2.0], dtype=np.float64), np.float64),
        (minidl.tensor([7.0, 7.5]), minidl.tensor(2.0, dtype=np.float64), np.float32),
        (minidl.tensor([True, True]), 2, np.int64),  # bool ⊙ int: int64
    ],
)
def test_result_dtypes_follow_pytorchs_promotion(a, b, want):
    assert (a // b).dtype == want
    assert (a % b).dtype == want
    assert (b // a).dtype == want and (b % a).dtype == want


def test_float32_stays_float32():
    x = minidl.tensor([7.5, -7.5], requires_grad=True)
    r = x % 2.0
    assert r.dtype == np.float32 and (x // 2.0).dtype == np.float32
    r.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    "expr",
    [
        lambda: minidl.tensor([7, -7]) // 0,
        lambda: minidl.tensor([7, -7]) % 0,
        lambda: minidl.tensor([7, -7]) // minidl.tensor([1, 0]),
        lambda: 7 % minidl.tensor([3, 0]),
        lambda: minidl.floor_divide(minidl.tensor([1], dtype=np.uint8), 0),
        lambda: minidl.remainder(minidl.tensor([True]), 0),
    ],
)
def test_integer_division_by_zero_raises_instead_of_numpys_silent_zero(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warning either: the error comes first
        with raises(ZeroDivisionError, "division by zero") as info:
            expr()
    assert isinstance(info.value, RuntimeError)  # what PyTorch raises, so torch code catches it
    assert "floor_divide" in str(info.value) or "remainder" in str(info.value)


def test_float_division_by_zero_is_ieee_inf_and_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = minidl.tensor([1.0, -1.0, 0.0])
        q, r = x // 0.0, x % 0.0
        q_int = minidl.tensor([1, -1]) // 0.0  # an int tensor with a float divisor: a float
    np.testing.assert_array_equal(q.data, [np.inf, -np.inf, np.nan])
    assert np.isnan(r.data).all()
    np.testing.assert_array_equal(q_int.data, [np.inf, -np.inf])


def test_two_bool_operands_are_refused():
    t = minidl.tensor([True, False])
    with raises(TypeError, "floor_divide", "bool"):
        t // t
    with raises(TypeError, "remainder", "bool"):
        t % True


# ----- gradients ---------------------------------------------------------------------


def test_remainder_gradient_by_hand():
    # a = [7, −7, 7.5, −7.5], b = [2, 2, −2, −2]: a/b = [3.5, −3.5, −3.75, 3.75], whose floors
    # are [3, −4, −4, 3]; dz/da = 1, dz/db = −⌊a/b⌋ = [−3, 4, 4, −3]
    a = minidl.tensor([7.0, -7.0, 7.5, -7.5], dtype=np.float64, requires_grad=True)
    b = minidl.tensor([2.0, 2.0, -2.0, -2.0], dtype=np.float64, requires_grad=True)
    z = minidl.remainder(a, b)
    np.testing.assert_array_equal(z.data, [7.0 % 2.0, -7.0 % 2.0, 7.5 % -2.0, -7.5 % -2.0])
    z.backward(minidl.tensor([1.0, 2.0, 3.0, 4.0], dtype=np.float64))
    np.testing.assert_array_equal(a.grad.data, [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(b.grad.data, [-3.0, 8.0, 12.0, -12.0])


@st.composite
def dividend_and_divisor(draw):
    """b any real with 0.5 ≤ |b| ≤ 2 (broadcast into a's shape), a = b·(n + f), f in [0.2, 0.8]:
    a/b is ≥ 0.2 from every integer, where a mod b jumps."""
    sa, sb = draw(broadcastable_pair())
    shape = np.broadcast_shapes(sa, sb)
    b = draw(arrays(sb, 0.5, 2.0))
    b = b * np.where(np.arange(b.size).reshape(b.shape) % 2, -1.0, 1.0)
    q = draw(arrays(shape, -3.0, 3.0))
    q = np.floor(q) + 0.2 + 0.6 * (q - np.floor(q))
    return b * q, b


@given(ab=dividend_and_divisor())
def test_remainder_grad_matches_central_difference(ab):
    a, b = ab
    np.testing.assert_allclose(minidl.remainder(leaf(a), leaf(b)).data, np.mod(a, b), atol=1e-12)
    assert gradcheck(minidl.remainder, (leaf(a), leaf(b)))


@st.composite
def grid_pair(draw):
    """Both operands broadcast: b in {±0.5, ±1, ±2} and a an odd multiple of 1/8, so a/b is
    ≥ 1/16 from every integer for every pair that meets."""
    sa, sb = draw(broadcastable_pair())
    a = np.round(draw(arrays(sa, -3.0, 3.0)) * 4) / 4 + 0.125
    b = 2.0 ** np.round(np.log2(draw(arrays(sb, 0.5, 2.0))))
    b = b * np.where(np.arange(b.size).reshape(b.shape) % 2, 1.0, -1.0)
    return a, b


@given(ab=grid_pair())
def test_remainder_grad_with_both_operands_broadcast(ab):
    a, b = ab
    np.testing.assert_array_equal(minidl.remainder(leaf(a), leaf(b)).data, np.mod(a, b))
    assert gradcheck(lambda x, y: x % y, (leaf(a), leaf(b)))


@given(x=shapes().flatmap(lambda s: arrays(s, -3.0, 3.0)), d=st.sampled_from([1.5, -0.75, 2.0]))
def test_remainder_with_a_number_grad_matches_central_difference(x, d):
    # q = n + f with f in [0.2, 0.8], n from −3 to 3: ≥ 0.2 from every integer, and q + 4 > 1
    q = np.floor(x) + 0.2 + 0.6 * (x - np.floor(x))
    x = q * d  # tensor % d jumps where x / d = q is an integer
    np.testing.assert_allclose((leaf(x) % d).data, np.mod(x, d), atol=1e-12)
    assert gradcheck(lambda t: t % d, (leaf(x),))
    y = d / (q + 4.0)  # d % tensor jumps where d / y = q + 4 is an integer
    np.testing.assert_allclose((d % leaf(y)).data, np.mod(d, y), atol=1e-12)
    assert gradcheck(lambda t: d % t, (leaf(y),))


def test_floor_divide_has_no_derivative_and_backward_says_so_as_pytorch():
    x = minidl.tensor([7.5, -7.5], requires_grad=True)
    q = x // 2.0
    assert q.requires_grad  # as in PyTorch: the error comes at backward, not silently a 0
    with raises(RuntimeError, "floor_divide", "not implemented", ".detach()"):
        (q * x).sum().backward()
    x.grad = None
    (q.detach() * x).sum().backward()  # the documented way: the quotient as a constant
    np.testing.assert_array_equal(x.grad.data, [7.5 // 2.0, -7.5 // 2.0])
    with minidl.no_grad():
        assert not (x // 2.0).requires_grad


def test_floor_divide_is_kept_out_of_the_gradchecked_registry():
    from minidl.autograd import OPS
    from minidl.ops.elementwise import FloorDivide

    # nothing to gradcheck: the registry of checked ops leaves it out, Remainder is in it
    assert "FloorDivide" not in OPS and "Remainder" in OPS
    q = FloorDivide.apply(minidl.tensor([7.0], requires_grad=True), 2.0)
    assert q.grad_fn.name == "FloorDivideBackward"


# ----- bitwise and logical operators ---------------------------------------------------

BOOLS = [(False, False), (False, True), (True, False), (True, True)]


def test_bitwise_operators_on_bool_are_truth_tables():
    a = minidl.tensor([p[0] for p in BOOLS])
    b = minidl.tensor([p[1] for p in BOOLS])
    for op, want in [
        (lambda x, y: x & y, [x and y for x, y in BOOLS]),
        (lambda x, y: x | y, [x or y for x, y in BOOLS]),
        (lambda x, y: x ^ y, [x != y for x, y in BOOLS]),
    ]:
        r = op(a, b)
        assert r.dtype == np.bool_
        np.testing.assert_array_equal(r.data, want)
    r = ~a
    assert r.dtype == np.bool_
    np.testing.assert_array_equal(r.data, [not x for x, _ in BOOLS])


def test_bitwise_operators_on_integers_follow_python():
    xs, ys = [12, -5, 0, 255, -1], [10, 3, 7, -256, 6]
    a, b = minidl.tensor(xs), minidl.tensor(ys)
    np.testing.assert_array_equal((a & b).data, [x & y for x, y in zip(xs, ys)])
    np.testing.assert_array_equal((a | b).data, [x | y for x, y in zip(xs, ys)])
    np.testing.assert_array_equal((a ^ b).data, [x ^ y for x, y in zip(xs, ys)])
    np.testing.assert_array_equal((~a).data, [~x for x in xs])  # −x − 1
    np.testing.assert_array_equal(minidl.bitwise_and(a, b).data, (a & b).data)
    np.testing.assert_array_equal(minidl.bitwise_or(a, b).data, (a | b).data)
    np.testing.assert_array_equal(minidl.bitwise_xor(a, b).data, (a ^ b).data)
    np.testing.assert_array_equal(minidl.bitwise_not(a).data, (~a).data)
    np.testing.assert_array_equal(a.bitwise_and(b).data, (a & b).data)


def test_reflected_bitwise_operators_with_python_bools_and_ints():
    t = minidl.tensor([True, False])
    assert (True & t).dtype == np.bool_ and (t ^ True).dtype == np.bool_
    np.testing.assert_array_equal((True & t).data, [True, False])
    np.testing.assert_array_equal((False | t).data, [True, False])
    np.testing.assert_array_equal((True ^ t).data, [False, True])
    i = minidl.tensor([1, 2], dtype=np.int8)
    r = 6 | i
    assert r.dtype == np.int8  # a Python int yields to the tensor's integer dtype
    np.testing.assert_array_equal(r.data, [6 | 1, 6 | 2])
    np.testing.assert_array_equal((6 & i).data, [6 & 1, 6 & 2])
    np.testing.assert_array_equal((6 ^ i).data, [6 ^ 1, 6 ^ 2])
    r = t & 1  # bool tensor & Python int: int64, as PyTorch
    assert r.dtype == np.int64
    np.testing.assert_array_equal(r.data, [1, 0])


def test_bitwise_dtype_promotion():
    assert (minidl.tensor([5, 3]) & minidl.tensor([True, False])).dtype == np.int64
    u, s = minidl.tensor([1, 2], dtype=np.uint8), minidl.tensor([3], dtype=np.int8)
    r = u ^ s
    assert r.dtype == np.int16
    np.testing.assert_array_equal(r.data, [1 ^ 3, 2 ^ 3])


def test_masks_combine_with_bitwise_operators():
    x = minidl.tensor([-2.0, -0.5, 0.5, 2.0])
    np.testing.assert_array_equal(((x > -1) & (x < 1)).data, [False, True, True, False])
    np.testing.assert_array_equal(((x < -1) | (x > 1)).data, [True, False, False, True])
    np.testing.assert_array_equal((~(x > 0)).data, [True, True, False, False])


@pytest.mark.parametrize(
    "expr, op",
    [
        (lambda f, i: f & i, "bitwise_and"),
        (lambda f, i: i | f, "bitwise_or"),
        (lambda f, i: f ^ f, "bitwise_xor"),
        (lambda f, i: ~f, "bitwise_not"),
        (lambda f, i: i & 1.5, "bitwise_and"),
        (lambda f, i: 1.5 | i, "bitwise_or"),
    ],
)
def test_bitwise_operators_refuse_floats_with_a_type_error(expr, op):
    f, i = minidl.tensor([1.0, 2.0]), minidl.tensor([1, 2])
    with raises(TypeError, op, "bool and integer"):
        expr(f, i)


def test_bitwise_errors_name_the_op_and_the_problem():
    with raises(ValueError, "bitwise_and", "(2,)", "(3,)"):
        minidl.tensor([1, 2]) & minidl.tensor([1, 2, 3])
    with raises(OverflowError, "bitwise_and", "300", "int8"):
        minidl.tensor([1], dtype=np.int8) & 300


def test_logical_operators_take_any_dtype_and_give_bool():
    a = minidl.tensor([0.0, 0.0, 2.5, -1.0])
    b = minidl.tensor([0, 3, 0, 7])
    cases = [
        (minidl.logical_and, [False, False, False, True]),
        (minidl.logical_or, [False, True, True, True]),
        (minidl.logical_xor, [False, True, True, False]),
    ]
    for op, want in cases:
        r = op(a, b)
        assert r.dtype == np.bool_
        np.testing.assert_array_equal(r.data, want)
    np.testing.assert_array_equal(minidl.logical_not(a).data, [True, True, False, False])
    np.testing.assert_array_equal(a.logical_not().data, [True, True, False, False])
    np.testing.assert_array_equal(a.logical_and(b).data, [False, False, False, True])
    np.testing.assert_array_equal(a.logical_or(b).data, [False, True, True, True])


# ----- nonzero ---------------------------------------------------------------------


def test_nonzero_by_hand():
    x = minidl.tensor([[0.0, 1.5, 0.0], [float("nan"), 0.0, -2.0]])
    idx = x.nonzero()
    assert idx.dtype == np.int64 and idx.shape == (3, 2)
    # row-major order; NaN is not zero
    np.testing.assert_array_equal(idx.data, [[0, 1], [1, 0], [1, 2]])
    rows, cols = minidl.nonzero(x, as_tuple=True)
    assert rows.dtype == cols.dtype == np.int64
    np.testing.assert_array_equal(rows.data, [0, 1, 1])
    np.testing.assert_array_equal(cols.data, [1, 0, 2])
    picked = x[x.nonzero(as_tuple=True)].data
    assert picked[0] == 1.5 and np.isnan(picked[1]) and picked[2] == -2.0


@pytest.mark.parametrize(
    "data, shape, tuple_parts",
    [
        (5, (1, 0), [[0]]),  # a 0-d tensor: one row with no coordinates; as a tuple, 1-d
        (0, (0, 0), [[]]),
        ([[0, 0], [0, 0]], (0, 2), [[], []]),
        ([True, False, True], (2, 1), [[0, 2]]),
        (np.zeros((2, 0, 3)), (0, 3), [[], [], []]),
    ],
)
def test_nonzero_shapes_at_the_edges(data, shape, tuple_parts):
    x = minidl.tensor(data)
    assert minidl.nonzero(x).shape == shape
    parts = minidl.nonzero(x, as_tuple=True)
    assert [p.data.tolist() for p in parts] == tuple_parts
    assert all(p.dtype == np.int64 for p in parts)


# ----- unique ----------------------------------------------------------------------


def test_unique_by_hand():
    x = minidl.tensor([[3, 1, 2], [3, 1, 3]])
    np.testing.assert_array_equal(minidl.unique(x).data, [1, 2, 3])
    values, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.data, [1, 2, 3])
    np.testing.assert_array_equal(inverse.data, [[2, 0, 1], [2, 0, 2]])
    np.testing.assert_array_equal(counts.data, [2, 1, 3])
    assert inverse.dtype == counts.dtype == np.int64 and values.dtype == np.int64
    np.testing.assert_array_equal(values.data[inverse.data], x.data)  # values[inverse] = x
    v, c = minidl.unique(x, return_counts=True)
    np.testing.assert_array_equal(c.data, [2, 1, 3])
    v, i = minidl.unique(x, return_inverse=True)
    np.testing.assert_array_equal(i.data, inverse.data)


def test_unique_details():
    # sorted=False gives the sorted values too (PyTorch on the CPU does the same)
    np.testing.assert_array_equal(
        minidl.unique(minidl.tensor([3, 1, 2, 1]), sorted=False).data, [1, 2, 3]
    )
    # each NaN is a value of its own
    values, counts = minidl.unique(minidl.tensor([np.nan, 1.0, np.nan]), return_counts=True)
    assert values.data[0] == 1.0 and np.isnan(values.data[1:]).all()
    np.testing.assert_array_equal(counts.data, [1, 1, 1])
    assert values.dtype == np.float32
    # a 0-d tensor: one value, an inverse of its own shape
    v, i, c = minidl.tensor(7).unique(return_inverse=True, return_counts=True)
    assert v.data.tolist() == [7] and i.shape == () and i.data == 0 and c.data.tolist() == [1]
    np.testing.assert_array_equal(
        minidl.unique(minidl.tensor([True, False, True])).data, [False, True]
    )
    x = minidl.tensor([1.0, 2.0, 2.0], requires_grad=True)
    assert not minidl.unique(x).requires_grad
    with raises(NotImplementedError, "unique", "dim=0"):
        minidl.unique(x, dim=0)


# ----- multinomial -------------------------------------------------------------------


def _bound(n, checks, failure=1e-7):
    """Half-width t with P(any of ``checks`` frequencies is off by ≥ t) < ``failure``.

    Each frequency p̂ is a mean of n independent 0/1 draws, so Hoeffding's inequality gives
    P(|p̂ − p| ≥ t) ≤ 2·exp(−2·n·t²); over ``checks`` frequencies the union bound gives
    checks·2·exp(−2·n·t²) = failure, i.e. t = sqrt(ln(2·checks / failure) / (2n)).  With
    failure = 1e-7 a correct sampler fails a test with probability < 1e-6.
    """
    return math.sqrt(math.log(2 * checks / failure) / (2 * n))


def test_multinomial_with_replacement_frequencies():
    minidl.manual_seed(0)
    p = np.array([0.1, 0.0, 0.2, 0.3, 0.4])
    n = 200_000
    draws = minidl.multinomial(minidl.tensor(p * 7.0, dtype=np.float64), n, replacement=True)
    assert draws.dtype == np.int64 and draws.shape == (n,)
    freq = np.bincount(draws.data, minlength=5) / n
    assert freq[1] == 0  # a zero weight is never drawn
    t = _bound(n, 5)  # ≈ 0.0069
    assert np.all(np.abs(freq - p) < t), (freq, t)


def test_multinomial_rows_are_separate_distributions():
    minidl.manual_seed(1)
    p = np.array([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.25, 0.75]])
    n = 100_000
    draws = minidl.tensor(p, dtype=np.float32).multinomial(n, replacement=True)
    assert draws.shape == (2, n)
    freq = np.stack([np.bincount(r, minlength=4) / n for r in draws.data])
    t = _bound(n, 8)
    assert np.all(np.abs(freq - p) < t), (freq, t)


def test_multinomial_without_replacement_draws_sequentially():
    # sequential draws without replacement from weights p: the first is j with probability
    # p_j; the second is j with probability Σ_{i≠j} p_i · p_j / (1 − p_i)
    minidl.manual_seed(2)
    p = np.array([0.1, 0.2, 0.3, 0.4])
    n = 100_000
    draws = minidl.multinomial(minidl.tensor(np.tile(p, (n, 1))), 2).data
    assert draws.shape == (n, 2)
    assert np.all(draws[:, 0] != draws[:, 1])
    first = np.bincount(draws[:, 0], minlength=4) / n
    second = np.bincount(draws[:, 1], minlength=4) / n
    want_second = np.array(
        [sum(p[i] * p[j] / (1 - p[i]) for i in range(4) if i != j) for j in range(4)]
    )
    assert abs(want_second.sum() - 1) < 1e-12
    t = _bound(n, 8)
    assert np.all(np.abs(first - p) < t), (first, t)
    assert np.all(np.abs(second - want_second) < t), (second, want_second, t)


def test_multinomial_without_replacement_gives_distinct_samples():
    minidl.manual_seed(3)
    probs = minidl.rand(50, 6) + 0.01
    draws = minidl.multinomial(probs, 6).data
    for row in draws:
        assert sorted(row.tolist()) == list(range(6))  # all 6 categories, each once
    # zero weights: never drawn while enough non-zero ones remain
    w = minidl.tensor([[0.0, 1.0, 0.0, 2.0, 3.0]] * 200)
    draws = minidl.multinomial(w, 3).data
    assert set(draws.reshape(-1).tolist()) == {1, 3, 4}
    assert all(len(set(r)) == 3 for r in draws.tolist())


def test_multinomial_repeats_under_manual_seed_and_uses_minidls_generator():
    p = minidl.tensor([0.2, 0.3, 0.5])
    minidl.manual_seed(42)
    a = minidl.multinomial(p, 1000, replacement=True)
    b = minidl.multinomial(p, 2)
    minidl.manual_seed(42)
    np.testing.assert_array_equal(minidl.multinomial(p, 1000, replacement=True).data, a.data)
    np.testing.assert_array_equal(minidl.multinomial(p, 2).data, b.data)
    state = minidl.get_rng_state()
    c = p.multinomial(1000, True)
    minidl.set_rng_state(state)
    np.testing.assert_array_equal(p.multinomial(1000, True).data, c.data)
    minidl.manual_seed(43)
    # 1000 draws of three categories agreeing by chance: probability ≤ 0.5^1000
    assert not np.array_equal(minidl.multinomial(p, 1000, replacement=True).data, a.data)


def test_multinomial_edges():
    one = minidl.multinomial(minidl.tensor([0.0, 0.0, 5.0]), 4, replacement=True)
    np.testing.assert_array_equal(one.data, [2, 2, 2, 2])
    assert minidl.multinomial(minidl.zeros(0, 3), 2).shape == (0, 2)
    # weights far beyond float range when summed, and tiny ones: still proportional
    big = minidl.tensor([1e308, 1e308], dtype=np.float64)
    assert set(minidl.multinomial(big, 100, replacement=True).data.tolist()) <= {0, 1}
    tiny = minidl.tensor([1e-310, 0.0, 1e-320], dtype=np.float64)
    assert sorted(minidl.multinomial(tiny, 2).data.tolist()) == [0, 2]
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    assert not minidl.multinomial(x, 2).requires_grad


@pytest.mark.parametrize(
    "args, exc, fragments",
    [
        (([-0.1, 1.0], 1), ValueError, ["multinomial", "-0.1", "≥ 0"]),
        (([np.inf, 1.0], 1), ValueError, ["multinomial", "inf"]),
        (([np.nan, 1.0], 1, True), ValueError, ["multinomial", "nan"]),
        (([[1.0, 1.0], [0.0, 0.0]], 1, True), ValueError, ["multinomial", "row 1", "no positive"]),
        (([0.0, 0.0], 1), ValueError, ["multinomial", "no positive"]),
        (([0.2, 0.8], 3), ValueError, ["multinomial", "3 samples", "2 categories"]),
        (([0.0, 1.0, 0.0], 2), ValueError, ["multinomial", "only 1 non-zero"]),
        (([0.2, 0.8], 0, True), ValueError, ["multinomial", "num_samples", "0"]),
        (([0.2, 0.8], 1.0), TypeError, ["multinomial", "num_samples"]),
        ((np.ones((2, 2, 2)), 1), ValueError, ["multinomial", "1-D", "(2, 2, 2)"]),
        ((np.float64(1.0), 1), ValueError, ["multinomial", "1-D", "()"]),
    ],
)
def test_multinomial_refuses_bad_input(args, exc, fragments):
    probs, *rest = args
    with raises(exc, *fragments):
        minidl.multinomial(minidl.tensor(probs, dtype=np.float32), *rest)


def test_multinomial_refuses_integer_weights():
    with raises(TypeError, "multinomial", "float", "int64"):
        minidl.multinomial(minidl.tensor([1, 2]), 1)


# ----- PyTorch, when installed (CI has none: extras, not the proof) ---------------------


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    ints_a = rng.integers(-20, 21, 200)
    ints_b = rng.integers(-6, 7, 200)
    ints_b[ints_b == 0] = 3
    floats_a = rng.uniform(-10, 10, 200).astype(np.float32)
    floats_b = rng.uniform(-3, 3, 200).astype(np.float32)
    floats_a[:4] = [0.0, -0.0, 6.0, -6.0]
    floats_b[:4] = [-3.0, 3.0, -3.0, 3.0]
    for a, b in [(ints_a, ints_b), (floats_a, floats_b)]:
        ma, mb = minidl.from_numpy(a), minidl.from_numpy(b)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        for mine, theirs in [(ma // mb, ta // tb), (ma % mb, ta % tb), (3 % mb, 3 % tb)]:
            assert str(mine.dtype) == str(theirs.dtype).removeprefix("torch.")
            # equal_nan off; the sign of a zero remainder too (0 % −3 is +0, −6 % 3 is −0)
            np.testing.assert_array_equal(mine.data, theirs.numpy())
            np.testing.assert_array_equal(np.signbit(mine.data), np.signbit(theirs.numpy()))
    i, j = rng.integers(-100, 100, 50), rng.integers(-100, 100, 50)
    for op in (np.bitwise_and, np.bitwise_or, np.bitwise_xor):
        mine = getattr(minidl, op.__name__)(minidl.tensor(i), minidl.tensor(j))
        theirs = getattr(torch, op.__name__)(torch.tensor(i), torch.tensor(j))
        np.testing.assert_array_equal(mine.data, theirs.numpy())
    x = rng.integers(-2, 3, (4, 5)).astype(np.float32)
    np.testing.assert_array_equal(
        minidl.tensor(x).nonzero().data, torch.tensor(x).nonzero().numpy()
    )
    mine = minidl.unique(minidl.tensor(x), return_inverse=True, return_counts=True)
    theirs = torch.unique(torch.tensor(x), return_inverse=True, return_counts=True)
    for m, t in zip(mine, theirs):
        np.testing.assert_array_equal(m.data, t.numpy())
    a = torch.tensor([7.0, -7.0, 7.5, -7.5], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([2.0, 2.0, -2.0, -2.0], dtype=torch.float64, requires_grad=True)
    torch.remainder(a, b).sum().backward()
    ma = minidl.tensor(a.detach().numpy(), requires_grad=True)
    mb = minidl.tensor(b.detach().numpy(), requires_grad=True)
    minidl.remainder(ma, mb).sum().backward()
    np.testing.assert_array_equal(ma.grad.data, a.grad.numpy())
    np.testing.assert_array_equal(mb.grad.data, b.grad.numpy())
    with pytest.raises(RuntimeError, match="not implemented"):
        (a // b).sum().backward()
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        torch.tensor([1]) // 0


@pytest.mark.parametrize("shape", [(0,), (3, 0)])
def test_multinomial_without_categories_is_a_clear_error(shape):
    with pytest.raises(ValueError, match="no categories"):
        minidl.multinomial(minidl.ones(*shape), 1, replacement=True)
