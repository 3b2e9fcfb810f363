"""Indexing ops: index_select, masked_select, take, take_along_dim, scatter, scatter_add,
index_add, index_fill, index_copy, and the in-place scatter_, scatter_add_, index_add_,
index_fill_, index_copy_.

Expected values are worked by hand or come from NumPy's own functions (np.take,
np.take_along_axis, np.put_along_axis, np.isin) or from a loop over the op's definition;
gradients are checked against hand sums and against central differences in float64.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcastable_pair, gradcheck, leaf, raises, shapes

import minidl


def _moved(a, d):
    """``a`` with axis d first (a view: a write through it lands in ``a``)."""
    return np.moveaxis(a, d, 0)


# ----- index_select -----------------------------------------------------------------------


def test_index_select_picks_slices_and_adds_up_the_gradient_of_repeated_picks():
    x = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = minidl.index_select(x, 1, minidl.tensor([2, 0, 2]))
    assert y.dtype == np.float32
    assert y.tolist() == [[3.0, 1.0, 3.0], [6.0, 4.0, 6.0]]
    (y * minidl.tensor([1.0, 10.0, 100.0])).sum().backward()
    # column 2 was read with weights 1 and 100, column 0 with 10, column 1 never
    assert x.grad.tolist() == [[10.0, 0.0, 101.0], [10.0, 0.0, 101.0]]
    assert x.index_select(0, minidl.tensor(1)).tolist() == [[4.0, 5.0, 6.0]]  # 0-d: size 1
    assert x.index_select(-1, minidl.tensor([], dtype=np.int64)).shape == (2, 0)
    ints = minidl.tensor([7, 8, 9]).index_select(0, minidl.tensor([1], dtype=minidl.int32))
    assert ints.dtype == np.int64 and ints.tolist() == [8]
    assert minidl.index_select(minidl.tensor(5.0), 0, minidl.tensor([0])).shape == ()


@given(shape=shapes(min_dims=1), data=st.data())
def test_index_select_matches_np_take_and_its_grad_central_difference(shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    index = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=5)), np.int64)
    y = minidl.index_select(leaf(x), dim, index)
    np.testing.assert_array_equal(y.data, np.take(x, index, axis=dim))
    assert gradcheck(lambda t: minidl.index_select(t, dim, index), (leaf(x),))


def test_index_select_errors_name_the_op_and_what_was_expected():
    x = minidl.ones(2, 3)
    with raises(IndexError, "index_select: index -1 is out of bounds for dim 1 of size 3"):
        x.index_select(1, minidl.tensor([-1]))
    with raises(IndexError, "index_select: index 3 is out of bounds", "expected 0 <= index < 3"):
        x.index_select(1, minidl.tensor([0, 3]))
    with raises(TypeError, "index_select: index must be an integer tensor of dtype int64 or int32"):
        x.index_select(1, minidl.tensor([1.0]))
    with raises(TypeError, "got dtype bool"):
        x.index_select(1, minidl.tensor([True]))
    with raises(IndexError, "index_select: index must be a vector of indices", "shape (1, 1)"):
        x.index_select(1, minidl.tensor([[0]]))
    with raises(IndexError, "index_select: dim 2 out of range"):
        x.index_select(2, minidl.tensor([0]))
    with raises(IndexError, "index_select: a 0-d input takes one index, got 2"):
        minidl.tensor(1.0).index_select(0, minidl.tensor([0, 0]))


# ----- masked_select --------------------------------------------------------------------


def test_masked_select_broadcasts_and_sends_the_gradient_back_to_each_pick():
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = minidl.tensor([[True, False, True], [True, True, False]])
    y = minidl.masked_select(x, mask)  # x is broadcast to (2, 3): x[0] is picked twice
    assert y.dtype == np.float32 and y.tolist() == [1.0, 3.0, 1.0, 2.0]
    (y * minidl.tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    assert x.grad.tolist() == [101.0, 1000.0, 10.0]
    m = minidl.arange(6).reshape(2, 3)
    assert m.masked_select(m > 3).tolist() == [4, 5] and m.masked_select(m > 3).dtype == np.int64
    assert minidl.masked_select(minidl.tensor(3.0), minidl.tensor(True)).shape == (1,)
    assert minidl.masked_select(minidl.zeros(0, 3), minidl.tensor([True, False, True])).shape == (
        0,
    )


@given(pair=broadcastable_pair(), data=st.data())
def test_masked_select_matches_numpy_boolean_indexing_and_gradcheck(pair, data):
    sx, sm = pair
    x = data.draw(arrays(sx))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=int(np.prod(sm)))))
    mask = mask[: int(np.prod(sm))].reshape(sm)
    shape = np.broadcast_shapes(sx, sm)
    y = minidl.masked_select(leaf(x), mask)
    np.testing.assert_array_equal(y.data, np.broadcast_to(x, shape)[np.broadcast_to(mask, shape)])
    assert gradcheck(lambda t: minidl.masked_select(t, mask), (leaf(x),))


def test_masked_select_errors():
    x = minidl.ones(2, 3)
    with raises(TypeError, "masked_select: mask must be a bool tensor, got dtype int64"):
        x.masked_select(minidl.tensor([1, 0, 1]))
    with raises(TypeError, "masked_select: mask must be a bool tensor, got dtype uint8"):
        x.masked_select(minidl.tensor([1, 0, 1], dtype=np.uint8))
    with raises(ValueError, "masked_select: mask of shape (2,) does not broadcast", "(2, 3)"):
        x.masked_select(minidl.tensor([True, False]))


# ----- take and take_along_dim ----------------------------------------------------------


def test_take_reads_the_tensor_as_one_flat_row():
    x = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = minidl.take(x, minidl.tensor([[5, 0], [-1, 1]]))  # -1 counts from the end, as PyTorch
    assert y.shape == (2, 2) and y.tolist() == [[6.0, 1.0], [6.0, 2.0]]
    (y * minidl.tensor([[1.0, 10.0], [100.0, 1000.0]])).sum().backward()
    assert x.grad.tolist() == [[10.0, 1000.0, 0.0], [0.0, 0.0, 101.0]]
    assert x.grad.dtype == np.float32
    assert x.take(minidl.tensor(4)).shape == () and x.take(minidl.tensor(4)).item() == 5.0
    assert minidl.take(minidl.tensor(7), minidl.tensor([0, -1])).tolist() == [7, 7]


@given(shape=shapes(), data=st.data())
def test_take_matches_np_take_of_the_flat_array_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    n = x.size
    index = np.array(data.draw(st.lists(st.integers(-n, n - 1), max_size=6)), np.int64)
    index = index.reshape(data.draw(st.sampled_from([(-1,), (1, -1)])))
    np.testing.assert_array_equal(minidl.take(leaf(x), index).data, np.take(x.ravel(), index))
    assert gradcheck(lambda t: minidl.take(t, index), (leaf(x),))


def test_take_along_dim_broadcasts_outside_dim_and_flattens_without_one():
    x = minidl.tensor([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]], requires_grad=True)
    top = x.argsort(dim=1, descending=True)[:, :1]  # the column of each row's largest
    assert minidl.take_along_dim(x, top, dim=1).tolist() == [[30.0], [60.0]]
    # indices (1, 2) broadcast against x's 2 rows: the same two columns from each row
    y = x.take_along_dim(minidl.tensor([[2, 2]]), 1)
    assert y.tolist() == [[20.0, 20.0], [50.0, 50.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 2.0], [0.0, 0.0, 2.0]]
    # x (1, 3) broadcast against indices (2, 1); a negative index counts from the end
    row = minidl.tensor([[1.0, 2.0, 3.0]])
    assert minidl.take_along_dim(row, minidl.tensor([[0], [-1]]), 1).tolist() == [[1.0], [3.0]]
    assert minidl.take_along_dim(x, minidl.tensor([[5, 0]])).tolist() == [50.0, 10.0]  # flat


@given(shape=shapes(min_dims=1), data=st.data())
def test_take_along_dim_matches_np_take_along_axis_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    n = shape[d]
    # indices of size 1 where x has more broadcast against x, and the other way round
    ishape = tuple(
        data.draw(st.integers(0, 3)) if a == d else data.draw(st.sampled_from([1, s]))
        for a, s in enumerate(shape)
    )
    size = int(np.prod(ishape))
    flat = data.draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size))
    index = np.array(flat, np.int64).reshape(ishape)
    # NumPy's take_along_axis broadcasts x and index outside axis d as PyTorch does
    np.testing.assert_array_equal(
        minidl.take_along_dim(leaf(x), index, dim).data, np.take_along_axis(x, index, d)
    )
    assert gradcheck(lambda t: minidl.take_along_dim(t, index, dim), (leaf(x),))
    positive = np.abs(index) % n if n else index
    expected = np.take_along_axis(x.ravel(), positive.ravel(), 0)
    np.testing.assert_array_equal(minidl.take_along_dim(leaf(x), positive).data, expected)
    assert gradcheck(lambda t: minidl.take_along_dim(t, positive), (leaf(x),))


def test_take_and_take_along_dim_errors():
    x = minidl.ones(2, 3)
    with raises(IndexError, "take: index 6 is out of bounds for a tensor of 6 elements"):
        x.take(minidl.tensor([6]))
    with raises(IndexError, "take: index -7 is out of bounds", "expected -6 <= index < 6"):
        x.take(minidl.tensor([-7]))
    with raises(TypeError, "take: index must be an integer tensor of dtype int64, got dtype int32"):
        x.take(minidl.tensor([0], dtype=minidl.int32))
    with raises(IndexError, "take: cannot take from an empty tensor"):
        minidl.zeros(0).take(minidl.tensor([0]))
    with raises(IndexError, "take_along_dim: indices -1 is out of bounds for the flattened input"):
        x.take_along_dim(minidl.tensor([-1]))
    with raises(IndexError, "take_along_dim: indices 3 is out of bounds for dim 1 of size 3"):
        x.take_along_dim(minidl.tensor([[3]]), 1)
    with raises(IndexError, "take_along_dim: indices -4 is out of bounds"):
        x.take_along_dim(minidl.tensor([[-4]]), 1)
    with raises(ValueError, "indices of shape (1,) must have as many dims as the input"):
        x.take_along_dim(minidl.tensor([0]), 1)
    with raises(ValueError, "input of shape (2, 3) and indices of shape (4, 1) do not broadcast"):
        x.take_along_dim(minidl.zeros(4, 1, dtype=np.int64), 1)
    with raises(TypeError, "take_along_dim: indices must be an integer tensor of dtype int64"):
        x.take_along_dim(minidl.tensor([[0.0]]), 1)
    with raises(IndexError, "take_along_dim: dim 0 given for a 0-d tensor"):
        minidl.tensor(1.0).take_along_dim(minidl.tensor(0), 0)


# ----- scatter and scatter_add ----------------------------------------------------------


def test_scatter_writes_src_and_splits_the_gradient_between_input_and_src():
    x = minidl.zeros(2, 4, requires_grad=True)
    src = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    index = minidl.tensor([[3, 0], [1, 2]])  # index (2, 2) uses src's corner [:, :2]
    y = minidl.scatter(x, 1, index, src)  # y[i, index[i, j]] = src[i, j]
    assert y.tolist() == [[2.0, 0.0, 0.0, 1.0], [0.0, 4.0, 5.0, 0.0]]
    g = minidl.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
    (y * g).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 3.0, 0.0], [5.0, 0.0, 0.0, 8.0]]  # 0 where written
    assert src.grad.tolist() == [[4.0, 1.0, 0.0], [6.0, 7.0, 0.0]]  # g at where each went
    v = minidl.zeros(3).scatter(0, minidl.tensor([2, 0]), 1.5)  # a number: PyTorch's value
    assert v.tolist() == [1.5, 0.0, 1.5] and v.dtype == np.float32
    assert minidl.tensor([1, 2, 3]).scatter(0, minidl.tensor([1]), value=7.9).tolist() == [1, 7, 3]
    assert minidl.scatter(minidl.tensor(1.0), 0, minidl.tensor(0), minidl.tensor(5.0)).item() == 5


def test_scatter_with_a_repeated_place_keeps_the_last_write():
    # PyTorch leaves this undefined; minidl writes in NumPy's order, so the last one stays
    y = minidl.zeros(3).scatter(0, minidl.tensor([1, 1]), minidl.tensor([5.0, 7.0]))
    assert y.tolist() == [0.0, 7.0, 0.0]


def test_scatter_add_adds_up_repeated_places_and_passes_the_gradient():
    x = minidl.tensor([[1.0, 1.0, 1.0]], requires_grad=True)
    src = minidl.tensor([[1.0, 2.0, 4.0, 8.0]], requires_grad=True)
    y = x.scatter_add(1, minidl.tensor([[2, 0, 2, 2]]), src)
    assert y.tolist() == [[3.0, 1.0, 14.0]]
    (y * minidl.tensor([[10.0, 20.0, 30.0]])).sum().backward()
    assert x.grad.tolist() == [[10.0, 20.0, 30.0]]
    assert src.grad.tolist() == [[30.0, 10.0, 30.0, 30.0]]
    counts = minidl.zeros(4, dtype=np.int64).scatter_add(
        0, minidl.tensor([1, 3, 1]), minidl.ones(3, dtype=np.int64)
    )
    assert counts.dtype == np.int64 and counts.tolist() == [0, 2, 0, 1]  # a histogram


def _distinct_index(data, shape, d):
    """An index of ``shape`` whose entries along axis d are distinct (a permutation's prefix)
    in 0 .. n-1, and a k <= n for the size along d."""
    n = shape[d]
    k = data.draw(st.integers(0, n))
    other = tuple(data.draw(st.integers(1, s)) for s in shape)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    full = np.argsort(rng.random(other[:d] + (n,) + other[d + 1 :]), axis=d)
    return np.take(full, np.arange(k), axis=d)


@given(shape=shapes(min_dims=1), data=st.data())
def test_scatter_matches_np_put_along_axis_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    index = _distinct_index(data, shape, d)
    src = data.draw(arrays(tuple(i + data.draw(st.integers(0, 1)) for i in index.shape)))
    expected = x.copy()
    corner = tuple(slice(0, n) if a != d else slice(None) for a, n in enumerate(index.shape))
    np.put_along_axis(expected[corner], index, src[tuple(slice(0, n) for n in index.shape)], d)
    np.testing.assert_array_equal(minidl.scatter(leaf(x), dim, index, leaf(src)).data, expected)
    assert gradcheck(lambda a, b: minidl.scatter(a, dim, index, b), (leaf(x), leaf(src)))
    assert gradcheck(lambda a: minidl.scatter(a, dim, index, value=-0.5), (leaf(x),))


@given(shape=shapes(min_dims=1), data=st.data())
def test_scatter_add_matches_the_definition_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    ishape = tuple(data.draw(st.integers(0, 3 if a == d else s)) for a, s in enumerate(shape))
    size = int(np.prod(ishape))
    flat = data.draw(st.lists(st.integers(0, shape[d] - 1), min_size=size, max_size=size))
    index = np.array(flat, np.int64).reshape(ishape)  # repeats allowed: they add up
    src = data.draw(arrays(ishape))
    expected = x.copy()
    for pos in np.ndindex(*ishape):
        place = pos[:d] + (index[pos],) + pos[d + 1 :]
        expected[place] += src[pos]
    np.testing.assert_allclose(
        minidl.scatter_add(leaf(x), dim, index, leaf(src)).data, expected, rtol=1e-12
    )
    assert gradcheck(lambda a, b: minidl.scatter_add(a, dim, index, b), (leaf(x), leaf(src)))


def test_scatter_errors_name_the_op_the_shapes_and_what_was_expected():
    x = minidl.zeros(3, 4)
    ones = minidl.ones(1, 1)
    with raises(IndexError, "scatter: index -1 is out of bounds for dim 1 of size 4"):
        x.scatter(1, minidl.tensor([[-1]]), ones)
    with raises(IndexError, "scatter_add: index 4 is out of bounds for dim 1 of size 4"):
        x.scatter_add(1, minidl.tensor([[4]]), ones)
    with raises(TypeError, "scatter: index must be an integer tensor of dtype int64 or int32"):
        x.scatter(1, minidl.tensor([[0.0]]), ones)
    with raises(TypeError, "scatter: input and src must have the same dtype, got float32 and"):
        x.scatter(1, minidl.tensor([[0]]), minidl.ones(1, 1, dtype=np.float64))
    with raises(ValueError, "scatter: index of shape (1,) must have as many dims as the input"):
        x.scatter(1, minidl.tensor([0]), minidl.ones(1))
    with raises(ValueError, "scatter: src of shape () must have as many dims as the index"):
        x.scatter(1, minidl.tensor([[0]]), minidl.tensor(1.0))  # PyTorch 2.13 refuses it too
    with raises(ValueError, "scatter: src of shape (1,) must have as many dims as the index"):
        x.scatter(1, minidl.tensor([[0]]), minidl.tensor([1.0]))
    with raises(ValueError, "index of shape (1, 2) is larger than the src of shape (1, 1)"):
        x.scatter(1, minidl.tensor([[0, 1]]), ones)
    with raises(ValueError, "index of shape (4, 1) is larger", "k != dim (1)"):
        x.scatter(1, minidl.zeros(4, 1, dtype=np.int64), minidl.ones(4, 1))
    with raises(TypeError, "scatter: give exactly one of src (a tensor) and value"):
        x.scatter(1, minidl.tensor([[0]]))
    with raises(OverflowError, "scatter: value 1e+300 does not fit in float32"):
        x.scatter(1, minidl.tensor([[0]]), 1e300)
    with raises(OverflowError, "scatter: the value nan cannot be stored in int64"):
        minidl.tensor([1, 2]).scatter(0, minidl.tensor([0]), float("nan"))
    with raises(TypeError, "scatter_add: src must be a tensor, got float"):
        x.scatter_add(1, minidl.tensor([[0]]), 1.0)


@pytest.mark.parametrize("shape", [(0,), (0, 2, 2), (0, 4)])
def test_scatter_with_an_empty_index_of_other_dims_returns_the_input_as_pytorch(shape):
    # PyTorch 2.13 checks no dims when the index is empty: the input comes back unchanged
    x = minidl.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    empty = minidl.zeros(*shape, dtype=np.int64)
    weights = minidl.tensor(np.arange(1.0, 13.0).reshape(3, 4))
    for y in (
        minidl.scatter(x, 1, empty, value=5.0),
        x.scatter(1, empty, 5.0),
        x.scatter(1, empty, minidl.ones(5, dtype=np.float64)),
        x.scatter_add(0, empty, minidl.ones(3, 4, dtype=np.float64)),
    ):
        assert y.tolist() == x.tolist() and y.data is not x.data
        x.grad = None
        (y * weights).sum().backward()  # dx = dy: nothing was overwritten
        assert x.grad.tolist() == weights.tolist()
    z = minidl.zeros(3, 4).scatter_(1, empty, 5.0)
    assert z.tolist() == [[0.0] * 4] * 3
    assert minidl.tensor(1.0).scatter(0, empty, 2.0).tolist() == 1.0
    with pytest.raises(IndexError, match="dim 5 out of range"):
        x.scatter(5, empty, 1.0)  # dim is still checked, as PyTorch does
    with pytest.raises(TypeError, match="index must be an integer tensor"):
        x.scatter(1, minidl.zeros(*shape), 1.0)  # so is the dtype (PyTorch skips it here)


# ----- index_add, index_fill, index_copy ------------------------------------------------


def test_index_add_adds_scaled_slices_repeats_adding_up():
    x = minidl.zeros(3, 2, requires_grad=True)
    source = minidl.tensor([[1.0, 2.0], [10.0, 20.0], [100.0, 200.0]], requires_grad=True)
    y = minidl.index_add(x, 0, minidl.tensor([2, 0, 2]), source, alpha=2)
    assert y.tolist() == [[20.0, 40.0], [0.0, 0.0], [202.0, 404.0]]
    g = minidl.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    (y * g).sum().backward()
    assert x.grad.tolist() == g.tolist()
    assert source.grad.tolist() == [[10.0, 12.0], [2.0, 4.0], [10.0, 12.0]]  # 2 · g[index]
    assert minidl.tensor(1.0).index_add(0, minidl.tensor([0]), minidl.tensor(2.0)).item() == 3.0
    ints = minidl.tensor([1, 2]).index_add(0, minidl.tensor([1]), minidl.tensor([5]), alpha=-1)
    assert ints.dtype == np.int64 and ints.tolist() == [1, -3]


def test_index_fill_fills_slices_and_its_value_gets_their_gradient_once():
    x = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    value = minidl.tensor(-1.0, requires_grad=True)
    y = x.index_fill(1, minidl.tensor([2, -3, 2]), value)  # -3 is column 0, as in PyTorch
    assert y.tolist() == [[-1.0, 2.0, -1.0], [-1.0, 5.0, -1.0]]
    g = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (y * g).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 0.0], [0.0, 5.0, 0.0]]
    assert value.grad.item() == 1.0 + 3.0 + 4.0 + 6.0  # column 2 named twice, filled once
    assert minidl.tensor([1, 2, 3]).index_fill(0, minidl.tensor(1), 2.7).tolist() == [1, 2, 3]
    assert minidl.tensor([1, 5, 3]).index_fill(0, minidl.tensor([1]), -2.7).tolist() == [1, -2, 3]
    filled = minidl.zeros(2).index_fill(0, minidl.tensor([0]), minidl.tensor(2.5, dtype=np.float64))
    assert filled.dtype == np.float32 and filled.tolist() == [2.5, 0.0]


def test_index_copy_replaces_slices_and_splits_the_gradient():
    x = minidl.zeros(2, 3, requires_grad=True)
    source = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = minidl.index_copy(x, 1, minidl.tensor([2, 0]), source)
    assert y.tolist() == [[2.0, 0.0, 1.0], [4.0, 0.0, 3.0]]
    g = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (y * g).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 0.0], [0.0, 5.0, 0.0]]
    assert source.grad.tolist() == [[3.0, 1.0], [6.0, 4.0]]
    # a 0-d source into a 1-D input, as PyTorch allows
    assert minidl.zeros(3).index_copy(0, minidl.tensor(1), minidl.tensor(2.0)).tolist() == [0, 2, 0]


@given(shape=shapes(min_dims=1), alpha=st.sampled_from([1, -2, 0.5]), data=st.data())
def test_index_add_fill_copy_match_their_definitions_and_gradcheck(shape, alpha, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    n = shape[d]
    index = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=4)), np.int64)
    source = data.draw(arrays(shape[:d] + (index.size,) + shape[d + 1 :]))
    added = x.copy()
    for k, i in enumerate(index):
        _moved(added, d)[i] += alpha * _moved(source, d)[k]
    np.testing.assert_allclose(
        minidl.index_add(leaf(x), dim, index, leaf(source), alpha=alpha).data, added, rtol=1e-12
    )
    assert gradcheck(
        lambda a, b: minidl.index_add(a, dim, index, b, alpha=alpha), (leaf(x), leaf(source))
    )
    chosen = np.isin(np.arange(n), index).reshape((-1,) + (1,) * (len(shape) - 1 - d))
    np.testing.assert_array_equal(
        minidl.index_fill(leaf(x), dim, index, 0.25).data, np.where(chosen, 0.25, x)
    )
    assert gradcheck(lambda a, v: minidl.index_fill(a, dim, index, v), (leaf(x), leaf(0.75)))
    unique = np.unique(index)  # index_copy with distinct indices: a defined result
    source = source[tuple(slice(0, unique.size) if a == d else slice(None) for a in range(x.ndim))]
    copied = x.copy()
    for k, i in enumerate(unique):
        _moved(copied, d)[i] = _moved(source, d)[k]
    np.testing.assert_array_equal(
        minidl.index_copy(leaf(x), dim, unique, leaf(source)).data, copied
    )
    assert gradcheck(lambda a, b: minidl.index_copy(a, dim, unique, b), (leaf(x), leaf(source)))


def test_index_add_fill_copy_errors():
    x = minidl.zeros(3, 4)
    one = minidl.ones(3, 1)
    with raises(IndexError, "index_add: index -1 is out of bounds for dim 1 of size 4"):
        x.index_add(1, minidl.tensor([-1]), one)
    with raises(IndexError, "index_copy: index 4 is out of bounds for dim 1 of size 4"):
        x.index_copy(1, minidl.tensor([4]), one)
    with raises(IndexError, "index_fill: index -5 is out of bounds", "expected -4 <= index < 4"):
        x.index_fill(1, minidl.tensor([-5]), 1.0)
    with raises(TypeError, "index_fill: index must be an integer tensor of dtype int64, got"):
        x.index_fill(1, minidl.tensor([1], dtype=minidl.int32), 1.0)
    with raises(TypeError, "index_copy: index must be an integer tensor of dtype int64, got"):
        x.index_copy(1, minidl.tensor([0], dtype=minidl.int32), one)
    with raises(IndexError, "index_add: index must be a vector of indices", "(1, 1)"):
        x.index_add(1, minidl.tensor([[0]]), one)
    with raises(TypeError, "index_add: input and source must have the same dtype"):
        x.index_add(1, minidl.tensor([0]), minidl.ones(3, 1, dtype=np.float64))
    with raises(ValueError, "index_add: source of shape (3, 2) does not fit", "expected source of"):
        x.index_add(1, minidl.tensor([0]), minidl.ones(3, 2))
    with raises(ValueError, "index_copy: source of shape (2, 1) does not fit an input of shape"):
        x.index_copy(1, minidl.tensor([0]), minidl.ones(2, 1))
    with raises(
        TypeError, "index_add: alpha=1.5 is not an integer, and the input's dtype is int64"
    ):
        minidl.tensor([1]).index_add(0, minidl.tensor([0]), minidl.tensor([1]), alpha=1.5)
    with raises(ValueError, "index_fill: value must be a number or a 0-d tensor", "(1,)"):
        x.index_fill(1, minidl.tensor([0]), minidl.tensor([1.0]))
    with raises(OverflowError, "index_fill: the value nan cannot be stored in int64"):
        minidl.tensor([1]).index_fill(0, minidl.tensor([0]), float("nan"))
    with raises(ValueError, "index_add: a 0-d input takes a 0-d source, got shape (1,)"):
        minidl.tensor(1.0).index_add(0, minidl.tensor([0]), minidl.tensor([2.0]))


def test_overwriting_an_index_before_backward_is_an_error():
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = minidl.tensor([0, 2])
    y = x.index_select(0, index)
    index[0] = 1  # backward would send the gradient to the wrong element
    with raises(RuntimeError, "IndexSelectBackward needs", "modified in place"):
        y.sum().backward()


# ----- in place -------------------------------------------------------------------------


def test_in_place_forms_write_into_the_tensor_and_return_it():
    x = minidl.zeros(2, 3)
    alias = x
    assert x.index_add_(1, minidl.tensor([0, 0]), minidl.ones(2, 2), alpha=3) is x
    assert alias.tolist() == [[6.0, 0.0, 0.0], [6.0, 0.0, 0.0]]
    assert x.index_fill_(0, minidl.tensor(1), -1.0) is x
    assert x.index_copy_(1, minidl.tensor([2]), minidl.tensor([[7.0], [8.0]])) is x
    assert x.scatter_(1, minidl.tensor([[1], [0]]), value=5.0) is x
    assert x.scatter_add_(0, minidl.tensor([[1, 1, 1]]), minidl.ones(1, 3)) is x
    assert alias.tolist() == [[6.0, 5.0, 7.0], [6.0, 0.0, 9.0]]
    assert x.scatter_(1, minidl.tensor([[0]]), minidl.tensor([[4.0]])).tolist()[0][0] == 4.0
    assert x.dtype == np.float32


def test_in_place_forms_follow_minidls_in_place_rules():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    i = minidl.tensor([0])
    calls = {
        "index_add_": lambda t: t.index_add_(0, i, minidl.ones(1)),
        "index_fill_": lambda t: t.index_fill_(0, i, 0.0),
        "index_copy_": lambda t: t.index_copy_(0, i, minidl.ones(1)),
        "scatter_": lambda t: t.scatter_(0, i, minidl.ones(1)),
        "scatter_add_": lambda t: t.scatter_add_(0, i, minidl.ones(1)),
    }
    for name, call in calls.items():
        with raises(RuntimeError, f"{name}: in-place write into a leaf that requires grad"):
            call(w)
        with raises(RuntimeError, f"{name}: in-place write into a tensor in a graph"):
            call(w * 2)
    with minidl.no_grad():  # a weight update: allowed, as for add_ and masked_fill_
        for call in calls.values():
            call(w)
    assert w.tolist() == [2.0, 2.0]  # w[0]: 1 + 1 = 2, fill 0, copy 1, scatter 1, 1 + 1 = 2
    x = minidl.zeros(2)
    with raises(RuntimeError, "index_add_: the value written (the right-hand side) requires"):
        x.index_add_(0, i, minidl.ones(1, requires_grad=True))
    with raises(RuntimeError, "scatter_: this tensor of shape (2, 2) is a read-only view"):
        minidl.zeros(2).expand(2, 2).scatter_(1, minidl.tensor([[0], [1]]), value=1.0)
    with raises(IndexError, "index_copy: index 2 is out of bounds"):
        x.index_copy_(0, minidl.tensor([2]), minidl.ones(1))
    assert x.tolist() == [0.0, 0.0]  # nothing written by the refused call


def test_an_in_place_write_is_seen_by_a_backward_that_needs_the_old_values():
    x = minidl.tensor([1.0, 2.0])
    w = minidl.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()  # Mul saved x
    x.index_fill_(0, minidl.tensor([0]), 0.0)
    with raises(RuntimeError, "MulBackward needs its input 1", "modified in place"):
        y.backward()


# ----- against PyTorch ------------------------------------------------------------------


def test_the_indexing_ops_agree_with_pytorch_in_values_dtypes_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)

    def same(ours, theirs):
        theirs = theirs.detach().numpy()
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_allclose(ours.data, theirs, rtol=1e-6, atol=1e-6)

    def both(x):
        return minidl.tensor(x), torch.tensor(x)

    mask = rng.random((3, 4)) > 0.5
    vec = np.array([3, 0, 3])
    perm = np.argsort(rng.random((3, 4)), axis=1)[:, :2]  # distinct places per row
    repeats = np.array([[1, 1, 3]] * 3)
    cases = [  # (op on input t and src s of library m, whether s gets a gradient)
        (lambda t, s, m: m.index_select(t, 1, m.tensor(vec)), False),
        (lambda t, s, m: m.masked_select(t, m.tensor(mask)), False),
        (lambda t, s, m: m.take(t, m.tensor([[-1, 5], [5, 0]])), False),
        (lambda t, s, m: m.take_along_dim(t, m.tensor(perm), 1), False),
        (lambda t, s, m: m.take_along_dim(t, m.tensor(vec)), False),
        # src of index's shape: PyTorch's backward refuses a larger src (minidl gives 0 there)
        (lambda t, s, m: m.scatter(t, 1, m.tensor(perm), s[:, :2]), True),
        (lambda t, s, m: m.scatter(t, 1, m.tensor(perm), value=2.5), False),
        (lambda t, s, m: m.scatter_add(t, 1, m.tensor(repeats), s[:, :3]), True),
        (lambda t, s, m: t.index_add(1, m.tensor(vec), s[:, :3], alpha=-2), True),
        (lambda t, s, m: t.index_fill(0, m.tensor([-1, 0]), -3.0), False),
        (lambda t, s, m: t.index_copy(1, m.tensor([2, 0]), s[:, :2]), True),
    ]
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((3, 4)).astype(dtype)
        src = rng.standard_normal((3, 4)).astype(dtype)
        for fn, uses_src in cases:
            mx = minidl.tensor(x, requires_grad=True)
            tx = torch.tensor(x, requires_grad=True)
            ms = minidl.tensor(src, requires_grad=True)
            ts = torch.tensor(src, requires_grad=True)
            ours, theirs = fn(mx, ms, minidl), fn(tx, ts, torch)
            same(ours, theirs)
            weights = rng.standard_normal(ours.shape).astype(dtype)
            (ours * minidl.tensor(weights)).sum().backward()
            (theirs * torch.tensor(weights)).sum().backward()
            same(mx.grad, tx.grad)
            if uses_src:
                same(ms.grad, ts.grad)
    ints = np.arange(6).reshape(2, 3)
    mi, ti = both(ints)
    same(mi.index_fill(1, minidl.tensor([1]), 2.7), ti.index_fill(1, torch.tensor([1]), 2.7))
    same(mi.scatter(1, minidl.tensor([[0]]), -1.9), ti.scatter(1, torch.tensor([[0]]), -1.9))
    same(mi.masked_select(mi > 2), ti.masked_select(ti > 2))
    for name in ("index_add_", "index_copy_"):
        ours, theirs = mi.clone(), ti.clone()
        getattr(ours, name)(0, minidl.tensor([1]), minidl.tensor([[7, 8, 9]]))
        getattr(theirs, name)(0, torch.tensor([1]), torch.tensor([[7, 8, 9]]))
        same(ours, theirs)


@pytest.mark.parametrize("op", [minidl.scatter, minidl.scatter_add])
def test_an_empty_index_writes_nothing_whatever_the_shape_of_src(op):
    # PyTorch checks no sizes for an empty index: the input comes back unchanged
    x = minidl.ones(3, 4, requires_grad=True)
    src = minidl.ones(2, 0, requires_grad=True)
    y = op(x, 1, minidl.zeros(3, 0, dtype=minidl.int64), src)
    np.testing.assert_array_equal(y.data, np.ones((3, 4)))
    (y * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full((3, 4), 2.0))
    assert src.grad.shape == (2, 0)


def test_gather_takes_int64_or_int32_indices_and_a_list_of_numpy_uint8_scalars_is_ints():
    x = minidl.tensor([10.0, 20.0, 30.0])
    for dtype in (np.int64, np.int32):
        np.testing.assert_array_equal(
            x.gather(0, minidl.tensor([2, 0], dtype=dtype)).data, [30, 10]
        )
    with raises(TypeError, "gather", "int64 or int32", "uint8"):
        x.gather(0, minidl.tensor(np.array([2, 0], np.uint8)))
    # a list of NumPy ints is a list of indices (PyTorch agrees); only a uint8 array or tensor
    # is ambiguous
    np.testing.assert_array_equal(x[[np.uint8(1), np.uint8(0)]].data, [20.0, 10.0])


@pytest.mark.parametrize(
    "x, index, expected",
    [
        ([1.0, 2.0, 3.0], 2, 3.0),  # a 0-d index of a 1-D input: a 0-d result
        (5.0, 0, 5.0),
        (5.0, [0, 0], [5.0, 5.0]),  # a 1-D index of a 0-d input
    ],
)
def test_gather_counts_a_0d_tensor_as_1d_as_pytorch(x, index, expected):
    x = minidl.tensor(x, dtype=np.float64, requires_grad=True)
    y = minidl.gather(x, 0, minidl.tensor(index))
    assert y.shape == np.shape(expected) and y.tolist() == expected
    y.sum().backward()
    # d/dx of Σ picked values: 1 per pick, added at the picked position
    picks = np.zeros(max(x.data.size, 1))
    np.add.at(picks, np.ravel(index), 1.0)
    np.testing.assert_array_equal(x.grad.data, picks.reshape(x.shape))


def test_gather_0d_and_1d_against_pytorch():
    torch = pytest.importorskip("torch")
    for x, index in [([1.0, 2.0, 3.0], 2), (5.0, 0), (5.0, [0, 0]), ([4.0, 5.0], [1, 1, 0])]:
        got = minidl.gather(minidl.tensor(x), -1, minidl.tensor(index))
        want = torch.gather(torch.tensor(x), -1, torch.tensor(index))
        assert got.shape == tuple(want.shape) and got.tolist() == want.tolist()
