"""masked_fill, repeat, sort/topk, expand_as/type_as/new_*, randperm.

Expected values are worked by hand (or come from NumPy's own definitions:
np.tile, np.sort, np.where); gradients are checked against hand sums and
against central differences in float64.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcastable_pair, distinct, gradcheck, leaf, shapes

import minidl

# ----- masked_fill ------------------------------------------------------------


def test_masked_fill_values_dtype_and_zero_gradient_at_filled_positions():
    x = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    mask = minidl.tensor([[True, False, False], [False, True, True]])
    y = x.masked_fill(mask, -1.0)
    np.testing.assert_array_equal(y.data, [[-1.0, 2.0, 3.0], [4.0, -1.0, -1.0]])
    assert y.dtype == np.float32
    (y * minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    # the upstream gradient passes where mask is False and is zeroed where it is True
    np.testing.assert_array_equal(x.grad.data, [[0.0, 2.0, 3.0], [4.0, 0.0, 0.0]])
    assert x.grad.dtype == np.float32


def test_masked_fill_functional_form_and_a_broadcast_mask():
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = minidl.tensor([[True, False, True], [False, False, True]])
    y = minidl.masked_fill(x, mask, 0.0)  # the result takes the broadcast shape (2, 3)
    np.testing.assert_array_equal(y.data, [[0.0, 2.0, 0.0], [1.0, 2.0, 0.0]])
    y.sum().backward()
    # each x[j] counts once per row where column j is not filled: 1, 2 and 0 rows
    np.testing.assert_array_equal(x.grad.data, [1.0, 2.0, 0.0])


def test_masked_fill_keeps_the_dtype_of_x_as_pytorch_does():
    mask = minidl.tensor([True, False, True])
    ints = minidl.tensor([1, 2, 3]).masked_fill(mask, 2.7)  # truncated toward zero
    assert ints.dtype == np.int64
    np.testing.assert_array_equal(ints.data, [2, 2, 2])
    np.testing.assert_array_equal(
        minidl.tensor([1, 2, 3]).masked_fill(mask, -2.7).data, [-2, 2, -2]
    )
    flags = minidl.tensor([True, False]).masked_fill(minidl.tensor([False, True]), 2)
    assert flags.dtype == np.bool_ and flags.tolist() == [True, True]
    doubles = minidl.tensor([1.0, 2.0, 3.0], dtype=np.float64).masked_fill(mask, 1)
    assert doubles.dtype == np.float64
    assert doubles.tolist() == [1.0, 2.0, 1.0]


def test_masked_fill_with_a_0d_tensor_value_sends_it_the_filled_gradients():
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = minidl.tensor(5.0, requires_grad=True)
    y = x.masked_fill(minidl.tensor([True, False, True]), v)
    np.testing.assert_array_equal(y.data, [5.0, 2.0, 5.0])
    (y * minidl.tensor([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 20.0, 0.0])
    assert v.grad.item() == 40.0  # 10 + 30: the two filled positions


@given(pair=broadcastable_pair(), data=st.data())
def test_masked_fill_grad_matches_central_difference(pair, data):
    xs, ms = pair
    x = data.draw(arrays(xs))
    mask = data.draw(arrays(ms)) > 0
    out = minidl.masked_fill(leaf(x), minidl.tensor(mask), 0.5)
    np.testing.assert_array_equal(out.data, np.where(mask, 0.5, x))
    assert gradcheck(lambda t: minidl.masked_fill(t, mask, 0.5), (leaf(x),))
    assert gradcheck(lambda t, v: t.masked_fill(minidl.tensor(mask), v), (leaf(x), leaf(1.5)))


def test_masked_fill_errors_name_the_op_and_what_was_expected():
    x = minidl.tensor([1.0, 2.0, 3.0])
    with pytest.raises(
        TypeError, match=r"masked_fill: mask must be a bool tensor, got dtype int64"
    ):
        x.masked_fill(minidl.tensor([1, 0, 1]), 0.0)
    with pytest.raises(ValueError, match=r"masked_fill: mask of shape \(2,\) .* shape \(3,\)"):
        x.masked_fill(minidl.tensor([True, False]), 0.0)
    with pytest.raises(ValueError, match=r"masked_fill: value must be .* 0-d .* shape \(2,\)"):
        x.masked_fill(minidl.tensor([True, False, True]), minidl.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"masked_fill: value must be a number .* got str"):
        x.masked_fill(minidl.tensor([True, False, True]), "a")
    with pytest.raises(
        OverflowError, match=r"masked_fill: the value nan cannot be stored in int64"
    ):
        minidl.tensor([1, 2]).masked_fill(minidl.tensor([True, False]), float("nan"))


# ----- repeat -----------------------------------------------------------------


def test_repeat_tiles_as_pytorch_does():
    a = minidl.tensor([[1, 2], [3, 4]])
    expected = [[1, 2, 1, 2, 1, 2], [3, 4, 3, 4, 3, 4], [1, 2, 1, 2, 1, 2], [3, 4, 3, 4, 3, 4]]
    assert a.repeat(2, 3).tolist() == expected
    assert a.repeat((2, 3)).tolist() == expected and a.repeat([2, 3]).tolist() == expected
    assert a.repeat(2, 3).dtype == np.int64
    # more sizes than dims: leading axes of size 1 are added first
    assert minidl.tensor([1, 2]).repeat(2, 1, 2).tolist() == [[[1, 2, 1, 2]], [[1, 2, 1, 2]]]
    assert minidl.tensor(5).repeat(3).tolist() == [5, 5, 5]
    assert minidl.tensor(5).repeat(()).shape == ()
    assert a.repeat(0, 2).shape == (0, 4)


def test_repeat_gradient_is_the_sum_over_the_tiles():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    y = x.repeat(3)  # [x0, x1, x0, x1, x0, x1]
    w = minidl.tensor([1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0])
    (y * w).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0 + 100.0 + 10000.0, 10.0 + 1000.0 + 100000.0])
    assert x.grad.dtype == np.float32

    x = minidl.tensor([[1.0], [2.0]], requires_grad=True)
    y = x.repeat(2, 2)  # rows x0, x1, x0, x1; each row 2 wide
    (y * minidl.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0 + 1 + 4 + 5], [2.0 + 3 + 6 + 7]])

    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    x.repeat(0, 2).sum().backward()  # no tile at all: nothing flows back
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


@given(x=shapes(max_side=3).flatmap(arrays), data=st.data())
def test_repeat_grad_matches_central_difference(x, data):
    extra = data.draw(st.integers(0, 2))
    reps = tuple(
        data.draw(st.lists(st.integers(1, 3), min_size=x.ndim + extra, max_size=x.ndim + extra))
    )
    np.testing.assert_array_equal(leaf(x).repeat(reps).data, np.tile(x, reps))
    if reps:  # x.repeat() with no sizes at all is an error, as in PyTorch
        np.testing.assert_array_equal(leaf(x).repeat(*reps).data, np.tile(x, reps))
    assert gradcheck(lambda t: t.repeat(reps), (leaf(x),))
    assert gradcheck(lambda t: minidl.repeat(t, reps), (leaf(x),))


def test_repeat_errors():
    a = minidl.tensor([[1, 2]])
    with pytest.raises(
        ValueError, match=r"repeat: got 1 repeat size\(s\) \(2,\) .* shape \(1, 2\) \(2 dims\)"
    ):
        a.repeat(2)
    with pytest.raises(ValueError, match=r"repeat: repeat sizes must be >= 0, got \(2, -1\)"):
        a.repeat(2, -1)
    with pytest.raises(TypeError, match=r"repeat: sizes must be ints, got 2.5"):
        a.repeat(2.5, 1)
    with pytest.raises(TypeError, match=r"repeat: missing the repeat sizes"):
        a.repeat()


# ----- expand_as, type_as, new_* ----------------------------------------------


def test_expand_as_broadcasts_to_the_other_shape_and_sums_the_gradient_back():
    x = minidl.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    y = x.expand_as(minidl.zeros(2, 3, 4))
    assert y.shape == (2, 3, 4)
    np.testing.assert_array_equal(y.data[1, :, 3], [1.0, 2.0, 3.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[8.0], [8.0], [8.0]])  # 2 · 4 copies each
    with pytest.raises(ValueError, match=r"expand: cannot expand shape \(3, 1\) to \(2, 4\)"):
        x.expand_as(minidl.zeros(2, 4))


def test_type_as_casts_to_the_other_dtype():
    f = minidl.tensor([1.7, -2.7])
    i = minidl.tensor([1, 2])
    assert f.type_as(i).dtype == np.int64 and f.type_as(i).tolist() == [1, -2]
    assert i.type_as(f).dtype == np.float32
    assert f.type_as(f) is f  # the dtype already matches: as PyTorch, no copy
    d = minidl.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    y = d.type_as(f)
    assert y.dtype == np.float32
    (y * minidl.tensor([3.0, 4.0])).sum().backward()
    assert d.grad.dtype == np.float64
    np.testing.assert_array_equal(d.grad.data, [3.0, 4.0])


def test_new_creation_methods_take_self_dtype_and_are_leaves_without_grad():
    d = minidl.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    for t in (d.new_zeros(2, 3), d.new_zeros((2, 3)), d.new_ones([2, 3]), d.new_full((2, 3), 7)):
        assert t.shape == (2, 3) and t.dtype == np.float64
        assert not t.requires_grad and t.grad_fn is None
    np.testing.assert_array_equal(d.new_zeros(2).data, [0.0, 0.0])
    np.testing.assert_array_equal(d.new_ones(2).data, [1.0, 1.0])
    np.testing.assert_array_equal(d.new_full((2,), 7).data, [7.0, 7.0])
    assert d.new_zeros(()).shape == ()
    n = d.new_tensor([1, 2])
    assert n.dtype == np.float64 and n.tolist() == [1.0, 2.0] and not n.requires_grad

    i = minidl.tensor([1, 2])
    assert i.new_full((2,), 2.7).tolist() == [2, 2]  # into int64, truncated as in PyTorch
    assert i.new_tensor([1.5, 2.5]).tolist() == [1, 2]
    assert i.new_zeros(2, dtype=np.float32).dtype == np.float32
    assert d.new_tensor([1, 2], requires_grad=True).requires_grad
    source = np.array([1.0, 2.0])
    copy = d.new_tensor(source)
    assert not np.shares_memory(copy.data, source)


def test_new_creation_errors_name_the_method():
    d = minidl.tensor([1.0])
    with pytest.raises(ValueError, match=r"new_zeros: negative dimension in shape \(-1,\)"):
        d.new_zeros(-1)
    with pytest.raises(TypeError, match=r"new_full: .* must be an int, got 2.5"):
        d.new_full((2.5,), 1.0)
    with pytest.raises(OverflowError, match=r"new_full: the value 300 cannot be stored in uint8"):
        minidl.tensor(np.array([1], np.uint8)).new_full((2,), 300)


# ----- sort -------------------------------------------------------------------


def test_sort_is_stable_ties_keep_their_original_order():
    x = minidl.tensor([3.0, 1.0, 2.0, 1.0, 3.0])
    values, indices = minidl.sort(x)
    assert values.tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert indices.tolist() == [1, 3, 2, 0, 4]  # the 1 at index 1 before the 1 at index 3
    down = x.sort(descending=True)
    assert down.values.tolist() == [3.0, 3.0, 2.0, 1.0, 1.0]
    assert down.indices.tolist() == [0, 4, 2, 1, 3]  # stable in descending order too
    assert x.sort(stable=True).indices.tolist() == [1, 3, 2, 0, 4]
    assert values.dtype == np.float32 and indices.dtype == np.int64


def test_sort_along_dim_0_of_an_int_matrix():
    values, indices = minidl.tensor([[3, 1], [2, 5]]).sort(dim=0)
    assert values.tolist() == [[2, 1], [3, 5]] and values.dtype == np.int64
    assert indices.tolist() == [[1, 0], [0, 1]]


def test_sort_nan_is_the_largest_and_bool_and_unsigned_sort_descending():
    n = minidl.tensor([1.0, float("nan"), 0.0])
    assert n.sort().indices.tolist() == [2, 0, 1]
    assert n.sort(descending=True).indices.tolist() == [1, 0, 2]
    b = minidl.tensor([True, False, True]).sort(descending=True)
    assert b.values.tolist() == [True, True, False] and b.indices.tolist() == [0, 2, 1]
    u = minidl.tensor(np.array([3, 0, 255, 1], np.uint8)).sort(descending=True)
    assert u.values.tolist() == [255, 3, 1, 0] and u.values.dtype == np.uint8
    assert u.indices.tolist() == [2, 0, 3, 1]


def test_sort_gradient_goes_back_to_where_each_value_came_from():
    x = minidl.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, indices = x.sort()  # [1, 2, 3] from positions [1, 2, 0]
    assert not indices.requires_grad and indices.grad_fn is None
    (values * minidl.tensor([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [30.0, 10.0, 20.0])
    assert x.grad.dtype == np.float32


def test_sort_of_a_0d_and_an_empty_tensor():
    values, indices = minidl.tensor(5.0).sort()
    assert values.shape == () and values.item() == 5.0 and indices.item() == 0
    values, indices = minidl.zeros(2, 0).sort()
    assert values.shape == (2, 0) and indices.shape == (2, 0) and indices.dtype == np.int64


@st.composite
def distinct_and_dim(draw, min_dims=1):
    x = distinct(draw(shapes(min_dims=min_dims).flatmap(arrays)))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@given(args=distinct_and_dim(), descending=st.booleans())
def test_sort_matches_np_sort_and_its_grad_matches_central_difference(args, descending):
    x, dim = args
    values, indices = minidl.sort(leaf(x), dim, descending)
    expected = np.sort(x, axis=dim)
    if descending:
        expected = np.flip(expected, axis=dim)
    np.testing.assert_array_equal(values.data, expected)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.data, axis=dim), expected)
    assert gradcheck(lambda t: minidl.sort(t, dim, descending).values, (leaf(x),))


def test_sort_errors():
    with pytest.raises(IndexError, match=r"sort: dim 1 out of range"):
        minidl.tensor([1.0, 2.0]).sort(dim=1)
    with pytest.raises(IndexError, match=r"sort: dim 1 out of range"):
        minidl.tensor(1.0).sort(dim=1)  # a 0-d tensor takes dim -1 or 0, as in PyTorch
    with pytest.raises(TypeError, match=r"sort: dim must be one int"):
        minidl.tensor([1.0, 2.0]).sort(dim=(0,))


# ----- topk -------------------------------------------------------------------


def test_topk_values_and_indices_with_ties_going_to_the_first():
    x = minidl.tensor([3.0, 1.0, 2.0, 1.0, 3.0])
    values, indices = minidl.topk(x, 2)
    assert values.tolist() == [3.0, 3.0] and indices.tolist() == [0, 4]
    low = x.topk(3, largest=False)
    assert low.values.tolist() == [1.0, 1.0, 2.0] and low.indices.tolist() == [1, 3, 2]
    assert x.topk(3, sorted=False).indices.tolist() == [0, 4, 2]  # sorted anyway
    empty = x.topk(0)
    assert empty.values.shape == (0,) and empty.indices.dtype == np.int64
    m = minidl.tensor([[1.0, 9.0], [5.0, 2.0], [3.0, 4.0]]).topk(2, dim=0)
    assert m.values.tolist() == [[5.0, 9.0], [3.0, 4.0]] and m.indices.tolist() == [[1, 0], [2, 2]]
    z = minidl.tensor(5.0).topk(1)
    assert z.values.shape == () and z.values.item() == 5.0 and z.indices.item() == 0


def test_topk_gradient_reaches_the_chosen_elements_only():
    x = minidl.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, indices = x.topk(2)  # [3, 2] from positions [0, 2]
    assert indices.tolist() == [0, 2] and not indices.requires_grad
    (values * minidl.tensor([10.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [10.0, 0.0, 1.0])


@given(args=distinct_and_dim(), largest=st.booleans(), data=st.data())
def test_topk_matches_a_sorted_slice_and_its_grad_matches_central_difference(args, largest, data):
    x, dim = args
    k = data.draw(st.integers(0, x.shape[dim]))
    values, indices = leaf(x).topk(k, dim, largest)
    ordered = np.sort(x, axis=dim)
    if largest:
        ordered = np.flip(ordered, axis=dim)
    expected = np.take(ordered, np.arange(k), axis=dim)
    np.testing.assert_array_equal(values.data, expected)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.data, axis=dim), expected)
    assert gradcheck(lambda t: minidl.topk(t, k, dim, largest).values, (leaf(x),))


def test_topk_errors():
    x = minidl.tensor([1.0, 2.0, 3.0])
    with pytest.raises(
        ValueError, match=r"topk: k=4 is out of range for dim -1 of size 3 .* 0 <= k <= 3"
    ):
        x.topk(4)
    with pytest.raises(ValueError, match=r"topk: k=-1 is out of range"):
        x.topk(-1)
    with pytest.raises(TypeError, match=r"topk: k must be an int, got 1.0"):
        x.topk(1.0)
    with pytest.raises(ValueError, match=r"topk: k=2 is out of range for dim -1 of size 1"):
        minidl.tensor(1.0).topk(2)


# ----- randperm ---------------------------------------------------------------


def test_randperm_is_a_permutation_reproducible_under_manual_seed():
    for n in (0, 1, 7, 100):
        p = minidl.randperm(n)
        assert p.dtype == np.int64 and p.shape == (n,) and not p.requires_grad
        assert sorted(p.tolist()) == list(range(n))
    minidl.manual_seed(123)
    first, second = minidl.randperm(20).tolist(), minidl.randperm(20).tolist()
    minidl.manual_seed(123)
    assert minidl.randperm(20).tolist() == first
    assert minidl.randperm(20).tolist() == second  # the draws continue the same stream
    f = minidl.randperm(5, dtype=np.float32)
    assert f.dtype == np.float32 and sorted(f.tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_randperm_errors():
    with pytest.raises(ValueError, match=r"randperm: n must be >= 0, got -1"):
        minidl.randperm(-1)
    with pytest.raises(TypeError, match=r"randperm: n must be an int, got 2.5"):
        minidl.randperm(2.5)
    with pytest.raises(OverflowError, match=r"randperm: the value 299 cannot be stored in int8"):
        minidl.randperm(300, dtype=np.int8)
    with pytest.raises(TypeError, match=r"randperm: dtype bool cannot hold a permutation"):
        minidl.randperm(3, dtype=np.bool_)


# ----- against PyTorch, when it is installed (an extra: the proof is above) ----


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([[3.0, 1.0, 2.0, 1.0], [0.5, 4.0, 4.0, -1.0]], np.float32)
    for descending in (False, True):
        ours = minidl.tensor(x).sort(descending=descending)
        theirs = torch.tensor(x).sort(descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    mask = np.array([[True, False, True, False]])
    w = np.arange(8.0, dtype=np.float32).reshape(2, 4)
    a, t = minidl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (
        a.masked_fill(minidl.tensor(mask), 7.0).repeat(2, 3) * minidl.tensor(np.tile(w, (2, 3)))
    ).sum().backward()
    (
        t.masked_fill(torch.tensor(mask), 7.0).repeat(2, 3) * torch.tensor(np.tile(w, (2, 3)))
    ).sum().backward()
    np.testing.assert_array_equal(a.grad.data, t.grad.numpy())
    d = np.array([[0.3, -1.0, 2.0], [1.5, 0.2, -0.4]], np.float32)  # no ties
    a, t = minidl.tensor(d, requires_grad=True), torch.tensor(d, requires_grad=True)
    ours, theirs = a.topk(2, dim=1), t.topk(2, dim=1)
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    (ours.values * minidl.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    (theirs.values * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, t.grad.numpy())


def test_masked_fill_refuses_a_value_that_overflows_the_dtype():
    mask = minidl.tensor([True, False])
    with pytest.raises(OverflowError, match=r"value 1e\+40 does not fit in float32"):
        minidl.tensor([1.0, 2.0]).masked_fill(mask, 1e40)
    filled = minidl.tensor([1.0, 2.0]).masked_fill(mask, float("inf"))  # inf is a float32
    np.testing.assert_array_equal(filled.data, [np.inf, 2.0])
