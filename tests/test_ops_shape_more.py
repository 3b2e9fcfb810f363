"""Shape and reduction ops of PyTorch's API: narrow, roll, repeat_interleave, tile,
movedim/moveaxis, swapaxes/swapdims, broadcast_to, unflatten, diag, diagonal, trace,
cumprod, median, count_nonzero; Tensor.where and Tensor.mT.

Expected values are worked by hand or come from NumPy's own functions (np.roll,
np.repeat, np.tile, np.moveaxis, np.diag, np.diagonal, np.trace, np.cumprod, np.sort,
np.count_nonzero); gradients are checked against hand sums and against central
differences in float64.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, distinct, gradcheck, leaf, raises, shapes

import minidl

# ----- narrow ---------------------------------------------------------------------------


def test_narrow_is_a_slice_along_one_dim_sharing_memory():
    x = minidl.arange(12.0).reshape(3, 4)
    y = minidl.narrow(x, 1, 1, 2)
    assert y.tolist() == [[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]]
    assert np.shares_memory(y.data, x.data)  # a view, as x[:, 1:3]
    assert x.narrow(0, -1, 1).tolist() == [[8.0, 9.0, 10.0, 11.0]]  # start counted from the end
    assert x.narrow(1, minidl.tensor(3), 1).tolist() == [[3.0], [7.0], [11.0]]  # 0-d start
    assert x.narrow(1, 4, 0).shape == (3, 0)
    w = minidl.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    (w.narrow(0, 1, 2) * minidl.tensor([10.0, 20.0])).sum().backward()
    assert w.grad.tolist() == [0.0, 10.0, 20.0, 0.0]


def test_narrow_errors_name_the_range():
    x = minidl.zeros(2, 3)
    with raises(ValueError, "narrow: start (2) + length (2) must lie within dim 1 of size 3"):
        x.narrow(1, 2, 2)
    with raises(ValueError, "narrow: start (3) + length (1)"):
        x.narrow(1, 3, 1)  # start = size is allowed only with length 0
    with raises(IndexError, "narrow: start -4 out of range for dim 1 of size 3"):
        x.narrow(1, -4, 1)
    with raises(ValueError, "expected 0 <= length <= 3"):
        x.narrow(1, 0, -1)
    with raises(TypeError, "narrow: length must be an int, got 1.5"):
        x.narrow(1, 0, 1.5)
    with raises(ValueError, "narrow: cannot narrow a 0-d tensor"):
        minidl.narrow(minidl.tensor(1.0), 0, 0, 1)
    with raises(IndexError, "narrow: dim 2 out of range"):
        x.narrow(2, 0, 1)


@given(shape=shapes(min_dims=1), data=st.data())
def test_narrow_matches_numpy_slicing_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    start = data.draw(st.integers(-n, n))
    length = data.draw(st.integers(0, n - start % (n + 1) if start >= 0 else -start))
    first = start + n if start < 0 else start
    expected = np.take(x, np.arange(first, first + length), axis=dim)
    np.testing.assert_array_equal(minidl.narrow(leaf(x), dim, start, length).data, expected)
    assert gradcheck(lambda t: minidl.narrow(t, dim, start, length) ** 2, (leaf(x),))


# ----- roll -----------------------------------------------------------------------------


def test_roll_shifts_cyclically_along_dims_or_the_flattened_tensor():
    x = minidl.arange(6).reshape(2, 3)
    # worked by hand: rows shift down by 1, then columns left by 1
    assert minidl.roll(x, (1, -1), (0, 1)).tolist() == [[4, 5, 3], [1, 2, 0]]
    assert x.roll(1).tolist() == [[5, 0, 1], [2, 3, 4]]  # flattened [5, 0, 1, 2, 3, 4]
    assert x.roll(-4, 1).tolist() == [[1, 2, 0], [4, 5, 3]]  # −4 ≡ −1 (mod 3): one left
    assert x.roll((1, 1), (1, 1)).tolist() == x.roll(2, 1).tolist()  # a repeated dim adds up
    assert x.roll(shifts=1, dims=0).dtype == np.int64
    assert minidl.roll(minidl.tensor(3.0), 2).item() == 3.0
    w = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w.roll(1) * minidl.tensor([10.0, 20.0, 30.0])).sum().backward()  # y = [w2, w0, w1]
    assert w.grad.tolist() == [20.0, 30.0, 10.0]


def test_roll_errors():
    x = minidl.zeros(2, 3)
    with raises(ValueError, "roll: shifts (1, 2) and dims (0,) must have the same length"):
        x.roll((1, 2), 0)
    with raises(ValueError, "roll: 2 shifts (1, 2) given without dims"):
        x.roll((1, 2))
    with raises(TypeError, "roll: shifts must be an int or a non-empty tuple of ints"):
        x.roll(1.5)
    with raises(TypeError, "roll: shifts must be"):
        x.roll(())
    with raises(IndexError, "roll: dim 2 out of range"):
        x.roll(1, 2)
    with raises(IndexError, "roll: dims 0 given for a 0-d tensor"):
        minidl.roll(minidl.tensor(1.0), 1, 0)


@given(shape=shapes(), data=st.data())
def test_roll_matches_numpy_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    if shape and data.draw(st.booleans()):
        k = data.draw(st.integers(1, len(shape)))
        dims = tuple(data.draw(st.integers(-len(shape), len(shape) - 1)) for _ in range(k))
        shifts = tuple(data.draw(st.integers(-6, 6)) for _ in range(k))
        expected = np.roll(x, shifts, dims)
    else:
        dims, shifts = None, data.draw(st.integers(-6, 6))
        expected = np.roll(x.reshape(-1), shifts).reshape(shape)
    np.testing.assert_array_equal(minidl.roll(leaf(x), shifts, dims).data, expected)
    assert gradcheck(lambda t: minidl.roll(t, shifts, dims) * t, (leaf(x),))


# ----- repeat_interleave ----------------------------------------------------------------


def test_repeat_interleave_repeats_each_element_and_sums_the_copies_gradients():
    x = minidl.tensor([[1, 2], [3, 4]])
    assert minidl.repeat_interleave(x, 2).tolist() == [1, 1, 2, 2, 3, 3, 4, 4]  # flattened
    assert x.repeat_interleave(2, dim=1).tolist() == [[1, 1, 2, 2], [3, 3, 4, 4]]
    assert x.repeat_interleave(minidl.tensor([1, 2]), 0).tolist() == [[1, 2], [3, 4], [3, 4]]
    assert x.repeat_interleave(minidl.tensor([3]), 0).shape == (6, 2)  # one count for all
    assert x.repeat_interleave(2).dtype == np.int64
    assert minidl.tensor([1, 2], dtype=np.int32).repeat_interleave(2).dtype == np.int32
    assert minidl.repeat_interleave(minidl.tensor([2, 0, 1])).tolist() == [0, 0, 2]
    assert minidl.repeat_interleave(x, 2, 1, output_size=4).shape == (2, 4)
    w = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w.repeat_interleave(minidl.tensor([2, 0, 3]))  # [w0, w0, w2, w2, w2]
    (y * minidl.tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    assert w.grad.tolist() == [3.0, 0.0, 12.0]


def test_repeat_interleave_errors():
    x = minidl.zeros(2, 3)
    with raises(ValueError, "repeat_interleave: 2 repeats for 3 elements along dim 1"):
        x.repeat_interleave(minidl.tensor([1, 2]), 1)
    with raises(ValueError, "repeat_interleave: repeats must be >= 0, got -1"):
        x.repeat_interleave(minidl.tensor([1, -1]), 0)
    with raises(ValueError, "repeat_interleave: repeats must be >= 0"):
        x.repeat_interleave(-1, 0)
    with raises(TypeError, "repeats must be an int or an integer tensor, got dtype float32"):
        x.repeat_interleave(minidl.tensor([1.0, 1.0]), 0)
    with raises(ValueError, "repeats must be 0-d or 1-D, got shape (1, 1)"):
        x.repeat_interleave(minidl.tensor([[2]]), 1)
    with raises(ValueError, "output_size 5 differs from the result's length 6"):
        x.repeat_interleave(2, 1, output_size=5)
    with raises(TypeError, "repeat_interleave: repeats must be an int, got 1.5"):
        x.repeat_interleave(1.5)
    with raises(TypeError, "called with one tensor, it takes a 1-D integer tensor"):
        minidl.repeat_interleave(x)


@given(shape=shapes(), data=st.data())
def test_repeat_interleave_matches_numpy_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    if shape and data.draw(st.booleans()):
        dim = data.draw(st.integers(-len(shape), len(shape) - 1))
        counts = data.draw(st.lists(st.integers(0, 3), min_size=shape[dim], max_size=shape[dim]))
        repeats = minidl.tensor(np.array(counts, np.int64))
        expected = np.repeat(x, counts, axis=dim)
    else:
        dim, repeats = None, data.draw(st.integers(0, 3))
        expected = np.repeat(x.reshape(-1), repeats)
    np.testing.assert_array_equal(minidl.repeat_interleave(leaf(x), repeats, dim).data, expected)
    assert gradcheck(lambda t: minidl.repeat_interleave(t * t, repeats, dim), (leaf(x),))


# ----- tile, movedim, swapaxes, mT, broadcast_to, unflatten -------------------------------


def test_tile_puts_ones_in_front_of_short_dims():
    x = minidl.tensor([[1, 2], [3, 4]])
    assert minidl.tile(x, (2,)).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4]]  # (2,) means (1, 2)
    assert x.tile(2, 1).tolist() == [[1, 2], [3, 4], [1, 2], [3, 4]]
    assert x.tile((1, 1, 2)).shape == (1, 2, 4)
    assert x.tile(()).tolist() == x.tolist()
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    (w.tile((3,)) * minidl.arange(6.0)).sum().backward()  # w0 at 0, 2, 4; w1 at 1, 3, 5
    assert w.grad.tolist() == [6.0, 9.0]
    with raises(ValueError, "tile: repeat counts must be >= 0, got (-1,)"):
        x.tile((-1,))
    with raises(TypeError, "tile: sizes must be ints"):
        x.tile((1.5,))


@given(shape=shapes(), reps=st.lists(st.integers(0, 3), max_size=4), data=st.data())
def test_tile_matches_numpy_and_gradcheck(shape, reps, data):
    x = data.draw(arrays(shape))
    np.testing.assert_array_equal(minidl.tile(leaf(x), reps).data, np.tile(x, reps))
    assert gradcheck(lambda t: minidl.tile(t, reps) ** 2, (leaf(x),))


def test_movedim_moves_axes_and_keeps_the_others_in_order():
    x = minidl.zeros(2, 3, 4)
    assert minidl.movedim(x, 0, -1).shape == (3, 4, 2)
    assert x.movedim((0, 1), (2, 0)).shape == (3, 4, 2)
    assert minidl.moveaxis(x, 0, 1).shape == x.moveaxis(0, 1).shape == (3, 2, 4)
    assert minidl.movedim(minidl.tensor(1.0), 0, -1).shape == ()
    m = minidl.tensor([[1, 2, 3], [4, 5, 6]])
    assert m.movedim(1, 0).tolist() == [[1, 4], [2, 5], [3, 6]]
    with raises(ValueError, "movedim: source (0, 0) repeats a dim"):
        x.movedim((0, 0), (1, 2))
    with raises(ValueError, "movedim: source (0, 1) and destination (2,) must name as many dims"):
        x.movedim((0, 1), (2,))
    with raises(IndexError, "movedim: dim 3 out of range"):
        x.movedim(3, 0)
    with raises(TypeError, "movedim: destination must be an int or a tuple of ints"):
        x.movedim(0, 1.0)


@given(shape=shapes(min_dims=1), data=st.data())
def test_movedim_and_swapaxes_match_numpy_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    nd = len(shape)
    k = data.draw(st.integers(1, nd))
    src = data.draw(st.permutations(range(nd)))[:k]
    dst = [
        d - nd if data.draw(st.booleans()) else d for d in data.draw(st.permutations(range(nd)))[:k]
    ]
    np.testing.assert_array_equal(minidl.movedim(leaf(x), src, dst).data, np.moveaxis(x, src, dst))
    a, b = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
    np.testing.assert_array_equal(minidl.swapaxes(leaf(x), a, b).data, np.swapaxes(x, a, b))
    np.testing.assert_array_equal(minidl.swapdims(leaf(x), a, b).data, np.swapaxes(x, a, b))
    assert gradcheck(lambda t: minidl.movedim(t, src, dst) ** 2, (leaf(x),))
    assert gradcheck(lambda t: minidl.swapaxes(t * t, a, b), (leaf(x),))
    assert gradcheck(lambda t: minidl.swapdims(t, a, b) * 3, (leaf(x),))


def test_mT_swaps_the_last_two_dims():
    x = minidl.arange(6.0).reshape(1, 2, 3)
    assert x.mT.shape == (1, 3, 2)
    np.testing.assert_array_equal(x.mT.data, np.swapaxes(x.data, -1, -2))
    assert minidl.tensor(2.0).mT.item() == 2.0  # as PyTorch: a 0-d tensor as it is
    with raises(ValueError, "mT: expects a matrix or a batch of matrices", "shape (3,)"):
        _ = minidl.ones(3).mT


def test_broadcast_to_views_without_copying_and_sums_the_gradient_back():
    x = minidl.tensor([[1.0], [2.0]], requires_grad=True)
    y = minidl.broadcast_to(x, (3, -1, 2))
    assert y.shape == (3, 2, 2) and y.tolist() == [[[1.0, 1.0], [2.0, 2.0]]] * 3
    assert x.broadcast_to(2, 2).shape == x.broadcast_to((2, 2)).shape == (2, 2)
    y.sum().backward()
    assert x.grad.tolist() == [[6.0], [6.0]]  # each value used 3 · 2 times
    with raises(ValueError, "broadcast_to: cannot broadcast shape (2, 1) to (3, 2)"):
        minidl.broadcast_to(x, (3, 2))
    with raises(ValueError, "broadcast_to: cannot broadcast shape (2, 1) to (1,)"):
        minidl.broadcast_to(x, (1,))
    with raises(ValueError, "broadcast_to: cannot broadcast shape (2, 1) to (-1, 2, 2)"):
        minidl.broadcast_to(x, (-1, 2, 2))


@given(shape=shapes(), lead=shapes(max_dims=2), data=st.data())
def test_broadcast_to_matches_numpy_and_gradcheck(shape, lead, data):
    x = data.draw(arrays(shape))
    target = lead + tuple(data.draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    np.testing.assert_array_equal(
        minidl.broadcast_to(leaf(x), target).data, np.broadcast_to(x, target)
    )
    assert gradcheck(lambda t: minidl.broadcast_to(t, target) ** 2, (leaf(x),))


def test_unflatten_splits_one_dim():
    x = minidl.arange(24.0).reshape(2, 12)
    assert minidl.unflatten(x, 1, (3, -1)).shape == (2, 3, 4)
    assert x.unflatten(-1, [2, 2, 3]).shape == (2, 2, 2, 3)
    assert x.unflatten(0, (2, 1)).tolist() == [[x[0].tolist()], [x[1].tolist()]]
    with raises(ValueError, "unflatten: sizes (3, 5) do not multiply up to 12, the size of dim 1"):
        x.unflatten(1, (3, 5))
    with raises(ValueError, "unflatten: sizes (5, -1) do not multiply up to 12"):
        x.unflatten(1, (5, -1))
    with raises(ValueError, "unflatten: sizes must be non-empty"):
        x.unflatten(1, ())
    with raises(ValueError, "unflatten: invalid sizes (-1, -1)"):
        x.unflatten(1, (-1, -1))
    with raises(ValueError, "the -1 in sizes (0, -1) cannot be inferred"):
        minidl.zeros(2, 0).unflatten(1, (0, -1))
    with raises(IndexError, "unflatten: dim 0 given for a 0-d tensor"):
        minidl.unflatten(minidl.tensor(1.0), 0, (1,))


@given(shape=shapes(min_dims=1), data=st.data())
def test_unflatten_matches_numpy_reshape_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    a = data.draw(st.sampled_from([k for k in range(1, shape[d] + 1) if shape[d] % k == 0]))
    sizes = (a, -1) if data.draw(st.booleans()) else (a, shape[d] // a)
    expected = x.reshape(shape[:d] + (a, shape[d] // a) + shape[d + 1 :])
    np.testing.assert_array_equal(minidl.unflatten(leaf(x), dim, sizes).data, expected)
    assert gradcheck(lambda t: minidl.unflatten(t, dim, sizes) ** 2, (leaf(x),))


# ----- diag, diagonal, trace ------------------------------------------------------------


def test_diag_builds_a_matrix_from_a_vector_and_reads_a_diagonal_back():
    v = minidl.tensor([1, 2])
    assert minidl.diag(v).tolist() == [[1, 0], [0, 2]]
    assert v.diag(-1).tolist() == [[0, 0, 0], [1, 0, 0], [0, 2, 0]]  # below the main one
    assert minidl.diag(v, 1).tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    assert minidl.diag(v).dtype == np.int64
    m = minidl.arange(6.0).reshape(2, 3)  # [[0, 1, 2], [3, 4, 5]]
    assert m.diag().tolist() == [0.0, 4.0]
    assert minidl.diag(m, 1).tolist() == [1.0, 5.0]
    assert minidl.diag(m, -1).tolist() == [3.0]
    assert minidl.diag(m, 5).shape == (0,)
    assert minidl.diag(minidl.zeros(0)).shape == (0, 0)
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    (minidl.diag(w, 1) * minidl.arange(9.0).reshape(3, 3)).sum().backward()
    assert w.grad.tolist() == [1.0, 5.0]  # w0 sits at [0, 1] (weight 1), w1 at [1, 2] (5)
    with raises(ValueError, "diag: expected a 1-D or 2-D tensor, got shape ()"):
        minidl.diag(minidl.tensor(1.0))
    with raises(ValueError, "diag: expected a 1-D or 2-D tensor, got shape (2, 2, 2)"):
        minidl.diag(minidl.zeros(2, 2, 2))
    with raises(TypeError, "diag: diagonal must be an int, got 0.5"):
        minidl.diag(v, 0.5)


@given(n=st.integers(0, 4), k=st.integers(-3, 3), data=st.data())
def test_diag_of_a_vector_matches_numpy_and_gradcheck(n, k, data):
    x = data.draw(arrays((n,)))
    np.testing.assert_array_equal(minidl.diag(leaf(x), k).data, np.diag(x, k))
    assert gradcheck(lambda t: minidl.diag(t, k) ** 2, (leaf(x),))


def test_diagonal_takes_any_two_dims_and_writes_the_gradient_back_on_them():
    x = minidl.arange(24).reshape(2, 3, 4)
    # x[i, j, k] = 12i + 4j + k; dim1 = 2, dim2 = 0, offset -1 picks (index along dim2) =
    # (index along dim1) − 1: y[j, t] = x[t, j, t + 1] = 13t + 4j + 1
    assert minidl.diagonal(x, -1, 2, 0).tolist() == [[1, 14], [5, 18], [9, 22]]
    assert x.diagonal(1, 1, 2).tolist() == [[1, 6, 11], [13, 18, 23]]
    assert x.diagonal(7).shape == (4, 0)
    w = minidl.zeros(3, 3, dtype=np.float64).requires_grad_()
    (w.diagonal(1) * minidl.tensor([2.0, 3.0], dtype=np.float64)).sum().backward()
    assert w.grad.tolist() == [[0, 2, 0], [0, 0, 3], [0, 0, 0]]
    with raises(ValueError, "diagonal: dim1 and dim2 are the same dim (0, -3)"):
        x.diagonal(0, 0, -3)
    with raises(IndexError, "diagonal: dim 3 out of range"):
        x.diagonal(0, 0, 3)
    with raises(ValueError, "diagonal: input must have at least 2 dims, got shape (3,)"):
        minidl.diagonal(minidl.ones(3))


@given(shape=shapes(min_dims=2, max_dims=4), offset=st.integers(-4, 4), data=st.data())
def test_diagonal_and_2d_diag_match_numpy_and_gradcheck(shape, offset, data):
    x = data.draw(arrays(shape))
    nd = len(shape)
    d1 = data.draw(st.integers(-nd, nd - 1))
    d2 = data.draw(st.integers(-nd, nd - 1).filter(lambda d: d % nd != d1 % nd))
    np.testing.assert_array_equal(
        minidl.diagonal(leaf(x), offset, d1, d2).data, np.diagonal(x, offset, d1, d2)
    )
    assert gradcheck(lambda t: minidl.diagonal(t, offset, d1, d2) ** 2, (leaf(x),))
    m = x.reshape(shape[0], -1)
    np.testing.assert_array_equal(minidl.diag(leaf(m), offset).data, np.diag(m, offset))
    assert gradcheck(lambda t: minidl.diag(t, offset) * 2, (leaf(m),))


def test_trace_sums_the_main_diagonal():
    m = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    t = minidl.trace(m)
    assert t.shape == () and t.item() == 6.0 and t.dtype == np.float32
    t.backward()
    assert m.grad.tolist() == [[1, 0, 0], [0, 1, 0]]  # d tr(M)/dM = the identity's pattern
    ints = minidl.tensor([[1, 2], [3, 4]], dtype=np.int32)
    assert ints.trace().item() == 5 and ints.trace().dtype == np.int64  # as PyTorch
    assert minidl.trace(minidl.zeros(0, 3)).item() == 0.0
    with raises(ValueError, "trace: expected a matrix (2-D), got shape (2, 2, 2)"):
        minidl.trace(minidl.zeros(2, 2, 2))
    with raises(TypeError, "trace: not defined for a bool tensor"):
        minidl.trace(minidl.tensor([[True]]))


@given(shape=shapes(min_dims=2, max_dims=2), data=st.data())
def test_trace_matches_numpy_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    np.testing.assert_allclose(minidl.trace(leaf(x)).item(), np.trace(x), rtol=1e-12)
    assert gradcheck(lambda t: minidl.trace(t * t), (leaf(x),))


# ----- cumprod --------------------------------------------------------------------------


def test_cumprod_values_dtypes_and_the_exact_gradient_at_zeros():
    x = minidl.tensor([[1.0, 2.0, 3.0], [2.0, -1.0, 0.5]])
    assert minidl.cumprod(x, 1).tolist() == [[1.0, 2.0, 6.0], [2.0, -2.0, -1.0]]
    assert x.cumprod(0).tolist() == [[1.0, 2.0, 3.0], [2.0, -2.0, 1.5]]
    assert x.cumprod(1).dtype == np.float32
    assert minidl.tensor([1, 2, 3], dtype=np.int32).cumprod(0).dtype == np.int64  # as PyTorch
    assert minidl.tensor([True, True]).cumprod(0).tolist() == [1, 1]
    assert minidl.cumprod(minidl.tensor(3.0), -1).item() == 3.0
    # y = [x0, x0·x1, …]; with x = [2, 0, 3, 0, 5] and dy = [1, 2, 3, 4, 5], by hand:
    # dx0 = 1 + 2·0 + 3·0·3 + … = 1;  dx1 = 2·x0 + 3·x0·x2 + 4·x0·x2·x3 + … = 4 + 18 = 22;
    # dx2 = 3·x0·x1 + … = 0 (x1 = 0);  dx3 = dx4 = 0 (x1 = 0 is in every product)
    w = minidl.tensor([2.0, 0.0, 3.0, 0.0, 5.0], requires_grad=True)
    (w.cumprod(0) * minidl.tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    assert w.grad.tolist() == [1.0, 22.0, 0.0, 0.0, 0.0]
    with raises(TypeError, "cumprod: dim must be one int, got None"):
        minidl.cumprod(x, None)
    with raises(IndexError, "cumprod: dim 2 out of range"):
        x.cumprod(2)


@given(shape=shapes(min_dims=1), data=st.data())
def test_cumprod_matches_numpy_and_gradcheck_also_with_zeros(shape, data):
    x = data.draw(arrays(shape, low=-2.0, high=2.0))
    zeros = data.draw(arrays(shape, low=0.0, high=1.0)) < 0.3
    x = np.where(zeros, 0.0, x)  # yᵢ is linear in each xⱼ: central differences stay exact
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    np.testing.assert_allclose(
        minidl.cumprod(leaf(x), dim).data, np.cumprod(x, axis=dim), rtol=1e-12
    )
    assert gradcheck(lambda t: minidl.cumprod(t, dim), (leaf(x),))


# ----- median ---------------------------------------------------------------------------


def test_median_is_the_lower_median_with_its_index():
    x = minidl.tensor([4.0, 1.0, 3.0, 2.0])
    assert minidl.median(x).item() == 2.0  # sorted [1, 2, 3, 4]: element (4 − 1) // 2 = 1
    m = minidl.tensor([[3.0, 1.0, 2.0], [9.0, 7.0, 8.0]])
    values, indices = m.median(1)
    assert values.tolist() == [2.0, 8.0] and indices.tolist() == [2, 2]
    assert indices.dtype == np.int64
    r = minidl.median(m, 0, keepdim=True)
    assert r.values.tolist() == [[3.0, 1.0, 2.0]] and r.indices.tolist() == [[0, 0, 0]]
    assert minidl.tensor([5, 1, 3], dtype=np.int32).median().dtype == np.int32
    v0, i0 = minidl.median(minidl.tensor(5.0), 0)
    assert v0.item() == 5.0 and i0.item() == 0 and v0.shape == ()


def test_median_ties_nan_and_where_the_gradient_goes():
    # ties: [2, 1, 2, 3, 2] sorted stably is 1 (at 1), 2 (at 0), 2 (at 2), 2 (at 4), 3;
    # element (5 − 1) // 2 = 2 of that order is the 2 at index 2
    v, i = minidl.median(minidl.tensor([2.0, 1.0, 2.0, 3.0, 2.0]), 0)
    assert v.item() == 2.0 and i.item() == 2
    w = minidl.tensor([2.0, 1.0, 2.0, 3.0, 2.0], requires_grad=True)
    w.median().backward()  # no dim: shared by the three elements equal to the median
    np.testing.assert_allclose(w.grad.data, [1 / 3, 0, 1 / 3, 0, 1 / 3])
    w = minidl.tensor([2.0, 1.0, 2.0, 3.0, 2.0], requires_grad=True)
    (w.median(0).values * 5).backward()  # with dim: all of it to the indexed element
    assert w.grad.tolist() == [0.0, 0.0, 5.0, 0.0, 0.0]
    nan = float("nan")
    v, i = minidl.median(minidl.tensor([[1.0, nan, 3.0, nan], [1.0, 2.0, 3.0, 4.0]]), 1)
    assert np.isnan(v[0].item()) and i.tolist() == [1, 1]  # the first NaN; [1, 2, 3, 4] → 2
    w = minidl.tensor([1.0, nan, 2.0, nan], requires_grad=True)
    w.median().backward()
    assert w.grad.tolist() == [0.0, 0.5, 0.0, 0.5]


def test_median_errors():
    x = minidl.zeros(2, 3)
    with raises(ValueError, "median: cannot reduce dim 0 of length 0"):
        minidl.median(minidl.zeros(0, 3), 0)
    with raises(ValueError, "median: the tensor of shape (0,) has no elements"):
        minidl.median(minidl.zeros(0))
    with raises(TypeError, "median: dim must be one int or None, got (0, 1)"):
        x.median((0, 1))
    with raises(TypeError, "median: keepdim=True needs a dim"):
        x.median(keepdim=True)
    with raises(TypeError, "median: keepdim must be True or False"):
        x.median(0, 1)
    with raises(TypeError, "median: not defined for a bool tensor"):
        minidl.median(minidl.tensor([True, False]))
    with raises(IndexError, "median: dim 2 out of range"):
        x.median(2)
    assert minidl.median(minidl.zeros(0, 3), 1).values.shape == (0,)  # nothing reduced away


@given(shape=shapes(min_dims=1), keepdim=st.booleans(), data=st.data())
def test_median_matches_the_sorted_middle_and_gradchecks(shape, keepdim, data):
    x = distinct(data.draw(arrays(shape)))  # no ties: one median, away from kinks
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = (shape[dim] - 1) // 2
    expected = np.take(np.sort(x, axis=dim), [k], axis=dim)
    values, indices = minidl.median(leaf(x), dim, keepdim=True)
    np.testing.assert_array_equal(values.data, expected)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.data, dim), expected)
    assert minidl.median(leaf(x), dim, keepdim).values.ndim == len(shape) - (not keepdim)
    np.testing.assert_array_equal(minidl.median(leaf(x)).data, np.sort(x, None)[(x.size - 1) // 2])
    assert gradcheck(lambda t: minidl.median(t, dim, keepdim).values ** 2, (leaf(x),))
    assert gradcheck(lambda t: minidl.median(t * t), (leaf(x),))


# ----- count_nonzero, Tensor.where --------------------------------------------------------


def test_count_nonzero_counts_as_int64():
    x = minidl.tensor([[0.0, 1.0], [2.0, 0.5]])
    assert minidl.count_nonzero(x).item() == 3 and minidl.count_nonzero(x).dtype == np.int64
    assert x.count_nonzero(0).tolist() == [1, 2]
    assert x.count_nonzero(dim=(0, 1)).item() == 3
    assert x.count_nonzero(()).item() == 3  # dim=() is every dim, as in PyTorch
    assert minidl.count_nonzero(minidl.tensor([float("nan"), 0.0, -0.0])).item() == 1
    assert minidl.count_nonzero(minidl.tensor([True, False])).item() == 1
    assert minidl.count_nonzero(minidl.zeros(2, 0), 1).tolist() == [0, 0]
    w = minidl.tensor([1.0, 0.0], requires_grad=True)
    assert not minidl.count_nonzero(w).requires_grad
    with raises(ValueError, "count_nonzero: dim (0, 0) repeats an axis"):
        x.count_nonzero((0, 0))
    with raises(IndexError, "count_nonzero: dim 2 out of range"):
        x.count_nonzero(2)


@given(shape=shapes(), data=st.data())
def test_count_nonzero_matches_numpy(shape, data):
    x = np.round(data.draw(arrays(shape)))  # whole numbers: many zeros
    dim = data.draw(st.sampled_from([None, *range(-len(shape), len(shape))]))
    expected = np.count_nonzero(x, axis=dim)
    np.testing.assert_array_equal(minidl.count_nonzero(minidl.tensor(x), dim).data, expected)


def test_tensor_where_method_picks_self_where_the_condition_holds():
    x = minidl.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], requires_grad=True)
    other = minidl.tensor([-1.0, -2.0, -3.0], requires_grad=True)
    y = x.where(x > 2, other)
    assert y.tolist() == [[-1.0, -2.0, -3.0], [3.0, 4.0, 5.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[0, 0, 0], [1, 1, 1]]
    assert other.grad.tolist() == [1.0, 1.0, 1.0]
    ints = minidl.tensor([0, 1, 2])
    r = ints.where(minidl.tensor([True, False, True]), 2.5)
    assert r.tolist() == [0.0, 2.5, 2.0] and r.dtype == np.float32  # as PyTorch's promotion
    with raises(TypeError, "where: condition must be a bool tensor"):
        ints.where(ints, 0)


# ----- against PyTorch ------------------------------------------------------------------


def test_the_shape_and_reduction_batch_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    x[0, 0, :3] = 0.0  # zeros for cumprod's gradient
    g = {}

    def same(ours, theirs):
        theirs = theirs.detach().numpy()
        assert ours.data.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_allclose(ours.data, theirs, rtol=1e-6, atol=1e-6)

    calls = {
        "narrow": lambda m, t: (m.narrow(-1, -3, 2), t.narrow(-1, -3, 2)),
        "roll": lambda m, t: (m.roll((1, -7), (0, -1)), t.roll((1, -7), (0, -1))),
        "roll flat": lambda m, t: (m.roll(-13), t.roll(-13)),
        "repeat_interleave": lambda m, t: (
            m.repeat_interleave(minidl.tensor([0, 2, 1, 3]), 1),
            t.repeat_interleave(torch.tensor([0, 2, 1, 3]), 1),
        ),
        "tile": lambda m, t: (minidl.tile(m, (2, 1, 1, 2)), torch.tile(t, (2, 1, 1, 2))),
        "movedim": lambda m, t: (m.movedim((0, -1), (-1, 1)), t.movedim((0, -1), (-1, 1))),
        "swapaxes": lambda m, t: (minidl.swapaxes(m, 0, -1), torch.swapaxes(t, 0, -1)),
        "mT": lambda m, t: (m.mT, t.mT),
        "broadcast_to": lambda m, t: (
            minidl.broadcast_to(m[:, :1], (2, -1, 4, 5)),
            torch.broadcast_to(t[:, :1], (2, -1, 4, 5)),
        ),
        "unflatten": lambda m, t: (m.unflatten(1, (2, -1)), t.unflatten(1, (2, -1))),
        "diag 1-D": lambda m, t: (minidl.diag(m[0, 0], -2), torch.diag(t[0, 0], -2)),
        "diag 2-D": lambda m, t: (minidl.diag(m[1], 2), torch.diag(t[1], 2)),
        "diagonal": lambda m, t: (m.diagonal(-1, 2, 0), t.diagonal(-1, 2, 0)),
        "trace": lambda m, t: (m[2].trace(), t[2].trace()),
        "cumprod": lambda m, t: (m.cumprod(-1), t.cumprod(-1)),
        "median dim": lambda m, t: (m.median(1, True), t.median(1, True)),
        "median": lambda m, t: (m.median(), t.median()),
        "where": lambda m, t: (
            m.where(m > 0, m[0] * 2),
            t.where(t > 0, t[0] * 2),
        ),
    }
    for name, call in calls.items():
        mx, tx = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours, theirs = call(mx, tx)
        if isinstance(theirs, tuple):  # (values, indices)
            same(ours.indices, theirs.indices)
            ours, theirs = ours.values, theirs.values
        same(ours, theirs)
        g[name] = rng.standard_normal(ours.shape).astype(np.float32)
        (ours * minidl.tensor(g[name])).sum().backward()
        (theirs * torch.tensor(g[name])).sum().backward()
        assert mx.grad.dtype == np.float32, name
        np.testing.assert_allclose(mx.grad.data, tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    ints = np.array([[3, 0, 1], [0, 2, 2]], np.int32)
    mi, ti = minidl.tensor(ints), torch.tensor(ints)
    same(minidl.count_nonzero(mi, 0), torch.count_nonzero(ti, 0))
    same(minidl.cumprod(mi, 1), torch.cumprod(ti, 1))
    same(mi.trace(), ti.trace())
    same(mi.median(1).values, ti.median(1).values)
    same(
        minidl.repeat_interleave(minidl.tensor([2, 0, 1])),
        torch.repeat_interleave(torch.tensor([2, 0, 1])),
    )


def test_the_functions_take_pytorch_keyword_names():
    # torch.roll(input=x, shifts=1, dims=0) and the like carry over unchanged
    x = minidl.tensor(np.arange(6.0).reshape(2, 3))
    a = x.data
    same = np.testing.assert_array_equal
    same(minidl.roll(input=x, shifts=1, dims=0).data, np.roll(a, 1, 0))
    same(minidl.narrow(input=x, dim=1, start=1, length=2).data, a[:, 1:3])
    same(minidl.repeat_interleave(input=x, repeats=2, dim=0).data, np.repeat(a, 2, 0))
    same(minidl.tile(input=x, dims=(2, 1)).data, np.tile(a, (2, 1)))
    same(minidl.movedim(input=x, source=0, destination=1).data, a.T)
    same(minidl.moveaxis(input=x, source=0, destination=1).data, a.T)
    same(minidl.swapaxes(input=x, axis0=0, axis1=1).data, a.T)
    same(minidl.swapdims(input=x, dim0=0, dim1=1).data, a.T)
    same(minidl.broadcast_to(input=x, size=(2, 2, 3)).data, np.broadcast_to(a, (2, 2, 3)))
    same(minidl.unflatten(input=x, dim=1, sizes=(3, 1)).data, a.reshape(2, 3, 1))
    same(minidl.diag(input=x, diagonal=1).data, np.diag(a, 1))
    same(minidl.diagonal(input=x, offset=0, dim1=0, dim2=1).data, np.diagonal(a))
    assert minidl.trace(input=x).item() == 0.0 + 4.0
    same(minidl.cumprod(input=x, dim=1).data, np.cumprod(a, 1))
    assert minidl.median(input=x).item() == 2.0  # the lower median of 0..5
    same(minidl.count_nonzero(input=x, dim=0).data, [1, 2, 2])
    same(minidl.where(condition=x > 2, input=x, other=minidl.zeros(2, 3)).data, a * (a > 2))
    same(x.where(condition=x > 2, other=0.0).data, a * (a > 2))


def test_cumsum_and_cumprod_cast_first_with_dtype():
    ints = minidl.tensor([1, 2, 3])
    s, p = minidl.cumsum(ints, 0, dtype=minidl.float32), ints.cumprod(0, dtype=minidl.float64)
    assert s.dtype == np.float32 and p.dtype == np.float64
    np.testing.assert_array_equal(s.data, [1.0, 3.0, 6.0])
    np.testing.assert_array_equal(p.data, [1.0, 2.0, 6.0])
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = minidl.cumprod(x, 0, dtype=minidl.float64)  # cast recorded: the gradient comes back
    y.sum().backward()
    # d/dx of x0 + x0 x1 + x0 x1 x2 = (1 + x1 + x1 x2, x0 + x0 x2, x0 x1), in x's float32
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [9.0, 4.0, 2.0])


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: x.swapaxes(0, 5), "swapaxes"),
        (lambda x: minidl.swapdims(x, 0, 5), "swapdims"),
        (lambda x: x.moveaxis(0, 5), "moveaxis"),
        (lambda x: minidl.negative(x > 0), "negative"),
        (lambda x: minidl.clamp_min(x, "a"), "clamp_min"),
        (lambda x: minidl.clamp_max(x, "a"), "clamp_max"),
        (lambda x: minidl.ger(x, x), "ger"),
    ],
)
def test_an_error_names_the_alias_that_was_called(call, name):
    with pytest.raises((IndexError, TypeError, ValueError), match=f"^{name}: "):
        call(minidl.ones(2, 3))


def test_cumsum_and_cumprod_give_the_dtype_asked_for_even_a_narrow_int():
    x = minidl.tensor([1, 2, 3])
    for dtype in (np.int32, np.int16, np.float64):
        assert minidl.cumsum(x, 0, dtype=dtype).dtype == dtype
        assert x.cumprod(0, dtype=dtype).dtype == dtype
    np.testing.assert_array_equal(minidl.cumsum(x, 0, dtype=np.int32).data, [1, 3, 6])
