"""Tensor functions of beginner PyTorch tutorials: gather, flip, argsort, sign, round, unbind,
reshape_as; gt/lt/ge/le, isnan/isinf/isfinite, any/all with dim, equal, is_tensor, as_tensor,
full_like/rand_like/randn_like, tril/triu, where(cond); clamp_, masked_fill_, detach_.

Expected values are worked by hand (or come from NumPy's own functions: np.flip,
np.tril, np.argsort, np.round); gradients are checked against hand sums and against
central differences in float64.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, gradcheck, leaf, raises, shapes

import minidl

# ----- gather --------------------------------------------------------------------------


def test_gather_picks_along_dim_and_adds_up_the_gradient_of_repeated_picks():
    x = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    index = minidl.tensor([[2, 2, 0], [1, 0, 1]])
    y = minidl.gather(x, 1, index)  # y[i, j] = x[i, index[i, j]]
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, [[3.0, 3.0, 1.0], [5.0, 4.0, 5.0]])
    (y * minidl.tensor([[1.0, 10.0, 100.0], [1.0, 10.0, 100.0]])).sum().backward()
    # row 0: x[0, 2] picked with weights 1 and 10, x[0, 0] with 100; row 1: x[1, 1] by 1 + 100
    np.testing.assert_array_equal(x.grad.data, [[100.0, 0.0, 11.0], [10.0, 101.0, 0.0]])


def test_gather_along_dim_0_with_an_index_smaller_than_the_input():
    x = minidl.arange(12.0).reshape(3, 4)  # x[i, j] = 4i + j
    y = x.gather(0, minidl.tensor([[2, 0], [1, 2]]))  # y[i, j] = x[index[i, j], j]
    np.testing.assert_array_equal(y.data, [[8.0, 1.0], [4.0, 9.0]])
    assert minidl.gather(minidl.tensor(5.0), 0, minidl.tensor(0)).item() == 5.0


def test_gather_of_the_target_class_scores_as_in_a_tutorial():
    logits = minidl.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], requires_grad=True)
    target = minidl.tensor([1, 0])
    picked = logits.gather(1, target.unsqueeze(1)).squeeze(1)
    np.testing.assert_allclose(picked.data, [0.7, 0.5])
    picked.sum().backward()
    np.testing.assert_array_equal(logits.grad.data, [[0, 1, 0], [1, 0, 0]])


@given(shape=shapes(min_dims=1), data=st.data())
def test_gather_grad_matches_central_difference(shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    index_shape = tuple(
        data.draw(st.integers(1, 4)) if a == d else data.draw(st.integers(1, n))
        for a, n in enumerate(shape)
    )
    index = data.draw(st.lists(st.integers(0, shape[d] - 1), min_size=int(np.prod(index_shape))))
    index = np.array(index[: int(np.prod(index_shape))], np.int64).reshape(index_shape)
    expected = np.take_along_axis(
        x[tuple(slice(0, n) for n in index_shape[:d] + (shape[d],) + index_shape[d + 1 :])],
        index,
        axis=d,
    )
    np.testing.assert_array_equal(minidl.gather(leaf(x), dim, index).data, expected)
    assert gradcheck(lambda t: minidl.gather(t, dim, index), (leaf(x),))


def test_overwriting_the_gather_index_before_backward_is_an_error():
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = minidl.tensor([0, 2])
    y = x.gather(0, index)
    index[0] = 1  # backward would send the gradient to the wrong element
    with raises(RuntimeError, "GatherBackward needs", "modified in place"):
        y.sum().backward()


def test_gather_errors_name_the_op_the_shapes_and_what_was_expected():
    x = minidl.ones(2, 3)
    with raises(
        TypeError,
        "gather: index must be an integer tensor of dtype int64 or int32, got dtype float32",
    ):
        x.gather(1, minidl.tensor([[0.0]]))
    with raises(ValueError, "index of shape (2,) must have as many dims as the input"):
        x.gather(1, minidl.tensor([0, 1]))
    with raises(IndexError, "gather: index 3 is out of bounds for dim 1 of size 3"):
        x.gather(1, minidl.tensor([[3]]))
    with raises(IndexError, "gather: index -1 is out of bounds"):
        x.gather(1, minidl.tensor([[-1]]))
    with raises(ValueError, "larger than the input of shape (2, 3) in dim 0"):
        x.gather(1, minidl.zeros(3, 1, dtype=np.int64))
    with raises(IndexError, "gather: dim 2 out of range"):
        x.gather(2, minidl.zeros(1, 1, dtype=np.int64))


# ----- flip -----------------------------------------------------------------------------


def test_flip_reverses_the_given_axes_into_new_memory():
    x = minidl.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(minidl.flip(x, (0, 1)).data, [[5, 4, 3], [2, 1, 0]])
    y = x.flip(1)
    np.testing.assert_array_equal(y.data, [[2, 1, 0], [5, 4, 3]])
    y[0, 0] = 100  # a copy, as PyTorch's flip: x is unchanged
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert x.flip(0, 1).tolist() == x.flip([0, 1]).tolist() == [[5, 4, 3], [2, 1, 0]]
    w = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w.flip(0) * minidl.tensor([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [30.0, 20.0, 10.0])  # y[i] = w[2 − i]
    with raises(ValueError, "flip: dim (0, 0) repeats an axis"):
        x.flip(0, 0)
    with raises(TypeError, "flip: missing dims"):
        x.flip()
    # PyTorch's keyword form, and an empty dims list (a copy)
    assert minidl.flip(x, dims=[1]).tolist() == x.flip(dims=(1,)).tolist() == [[2, 1, 0], [5, 4, 3]]
    assert x.flip([]).tolist() == x.tolist()


@given(shape=shapes(), data=st.data())
def test_flip_matches_numpy_and_its_grad_central_difference(shape, data):
    x = data.draw(arrays(shape))
    nd = max(len(shape), 1)
    dims = tuple(data.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True)))
    expected = np.flip(x, dims) if shape else x
    np.testing.assert_array_equal(minidl.flip(leaf(x), dims).data, expected)
    assert gradcheck(lambda t: minidl.flip(t, dims) * minidl.flip(t, dims), (leaf(x),))


# ----- argsort --------------------------------------------------------------------------


def test_argsort_is_stable_int64_and_matches_sort_indices():
    x = minidl.tensor([3.0, 1.0, 2.0, 1.0, 3.0])
    idx = minidl.argsort(x)
    assert idx.dtype == np.int64 and idx.tolist() == [1, 3, 2, 0, 4]  # ties keep their order
    assert x.argsort(descending=True).tolist() == [0, 4, 2, 1, 3]
    m = minidl.tensor([[3, 1, 2], [0, 5, 4]])
    assert m.argsort(dim=0).tolist() == [[1, 0, 0], [0, 1, 1]]
    assert m.argsort(1, stable=True).tolist() == minidl.sort(m, 1).indices.tolist()
    assert minidl.argsort(minidl.tensor(7.0)).tolist() == 0
    with raises(IndexError, "argsort: dim 2 out of range"):
        m.argsort(2)


@given(shape=shapes(min_dims=1), descending=st.booleans(), data=st.data())
def test_argsort_matches_numpy_stable_argsort(shape, descending, data):
    x = np.round(data.draw(arrays(shape)))  # whole numbers: ties are common
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    got = minidl.argsort(minidl.tensor(x), dim, descending).data
    expected = np.argsort(-x if descending else x, axis=dim, kind="stable")
    np.testing.assert_array_equal(got, expected)


# ----- sign and round -------------------------------------------------------------------


def test_sign_values_dtypes_and_zero_gradient():
    x = minidl.tensor([-2.5, 0.0, 3.0, float("nan")], requires_grad=True)
    y = minidl.sign(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, [-1.0, 0.0, 1.0, 0.0])  # NaN gives 0, as PyTorch
    (y * 5).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0, 0.0])
    assert minidl.tensor([-3, 0, 2]).sign().tolist() == [-1, 0, 1]
    assert minidl.tensor([True, False]).sign().tolist() == [True, False]


def test_round_rounds_halves_to_even_keeps_float32_and_takes_decimals():
    x = minidl.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6])
    y = minidl.round(x)
    assert y.dtype == np.float32
    assert y.tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, 2.0, 3.0]
    np.testing.assert_allclose(
        minidl.tensor([1.25, 1.35, -0.75], dtype=np.float64).round(decimals=1).data,
        [1.2, 1.4, -0.8],  # 12.5 → 12, 13.5 → 14, −7.5 → −8
    )
    assert minidl.tensor([15.0, 25.0, 149.0]).round(decimals=-1).tolist() == [20.0, 20.0, 150.0]
    w = minidl.tensor([0.3, 1.7], requires_grad=True)
    (w.round() * w).sum().backward()  # d(round(w)·w)/dw = round(w) + 0·w
    np.testing.assert_array_equal(w.grad.data, [0.0, 2.0])
    # integers come back as they are, as in PyTorch, which refuses decimals for them
    assert minidl.tensor([15, -25]).round().tolist() == [15, -25]
    assert minidl.tensor([15, -25]).round().dtype == np.int64
    with raises(TypeError, "round: decimals=1 needs a float tensor, got dtype int64"):
        minidl.tensor([1, 2]).round(decimals=1)
    with raises(TypeError, "round: decimals must be an int, got 1.5"):
        minidl.round(x, decimals=1.5)


@given(shape=shapes(), decimals=st.integers(-1, 2), data=st.data())
def test_sign_and_round_match_numpy_and_gradcheck(shape, decimals, data):
    x = data.draw(arrays(shape))
    # keep x·10^d at least 0.05 from the jumps of round (n + ½) and of sign (0)
    scaled = x * 10.0**decimals
    frac = scaled - np.floor(scaled)
    x = np.where(np.abs(frac - 0.5) < 0.05, x + 0.1 / 10.0**decimals, x)
    x = np.where(np.abs(x) < 0.05, 0.1, x)
    np.testing.assert_array_equal(minidl.sign(leaf(x)).data, np.sign(x))
    np.testing.assert_array_equal(
        minidl.round(leaf(x), decimals=decimals).data, np.round(x, decimals)
    )
    assert gradcheck(lambda t: minidl.sign(t) * t, (leaf(x),))
    assert gradcheck(lambda t: minidl.round(t, decimals=decimals) + t * t, (leaf(x),))


# ----- unbind, reshape_as ---------------------------------------------------------------


def test_unbind_gives_the_slices_and_their_gradients_go_back():
    x = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    rows = minidl.unbind(x)
    assert isinstance(rows, tuple) and [r.tolist() for r in rows] == [[1, 2, 3], [4, 5, 6]]
    a, b, c = x.unbind(1)
    assert a.tolist() == [1.0, 4.0] and c.tolist() == [3.0, 6.0]
    (a * 2 + c * c).sum().backward()  # b unused: its column gets 0
    np.testing.assert_array_equal(x.grad.data, [[2.0, 0.0, 6.0], [2.0, 0.0, 12.0]])
    assert minidl.unbind(minidl.zeros(0, 3)) == ()
    with raises(IndexError, "unbind: dim 0 given for a 0-d tensor"):
        minidl.unbind(minidl.tensor(1.0))


@given(shape=shapes(min_dims=1), data=st.data())
def test_unbind_matches_numpy_slices_and_gradcheck(shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    pieces = minidl.unbind(leaf(x), dim)
    assert len(pieces) == shape[dim]
    for k, p in enumerate(pieces):
        np.testing.assert_array_equal(p.data, np.take(x, k, axis=dim))
    weights = np.arange(1.0, shape[dim] + 1)
    assert gradcheck(
        lambda t: minidl.stack([w * p * p for w, p in zip(weights, t.unbind(dim))]), (leaf(x),)
    )


def test_reshape_as_takes_the_other_tensors_shape_and_passes_the_gradient():
    x = minidl.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x.reshape_as(minidl.zeros(2, 2))
    assert y.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    (y * minidl.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0, 4.0]
    with raises(ValueError, "cannot view a tensor of shape (4,)"):
        x.reshape_as(minidl.zeros(3))


# ----- tril / triu ----------------------------------------------------------------------


def test_tril_and_triu_keep_a_triangle_and_mask_the_gradient_the_same_way():
    x = minidl.arange(1.0, 10.0).reshape(3, 3).requires_grad_()
    lower = minidl.tril(x)
    assert lower.tolist() == [[1, 0, 0], [4, 5, 0], [7, 8, 9]]
    assert x.triu(1).tolist() == [[0, 2, 3], [0, 0, 6], [0, 0, 0]]
    assert minidl.tril(minidl.ones(2, 3, dtype=np.int64), -1).tolist() == [[0, 0, 0], [1, 0, 0]]
    assert lower.dtype == np.float32
    (lower.sum() + 10 * x.triu(1).sum()).backward()
    assert x.grad.tolist() == [[1, 10, 10], [1, 1, 10], [1, 1, 1]]
    with raises(ValueError, "tril: input must have at least 2 dims", "shape (3,)"):
        minidl.tril(minidl.ones(3))
    with raises(TypeError, "triu: diagonal must be an int, got 0.5"):
        minidl.triu(minidl.ones(2, 2), 0.5)


@given(shape=shapes(min_dims=2), k=st.integers(-4, 4), data=st.data())
def test_tril_triu_match_numpy_and_gradcheck(shape, k, data):
    x = data.draw(arrays(shape))
    np.testing.assert_array_equal(minidl.tril(leaf(x), k).data, np.tril(x, k))
    np.testing.assert_array_equal(minidl.triu(leaf(x), k).data, np.triu(x, k))
    assert gradcheck(lambda t: minidl.tril(t, k) * t, (leaf(x),))
    assert gradcheck(lambda t: minidl.triu(t * t, k), (leaf(x),))


# ----- comparisons, isnan/isinf/isfinite, any/all, equal ----------------------------------


def test_comparison_methods_and_functions_give_bool_tensors():
    x = minidl.tensor([1.0, 2.0, 3.0])
    assert x.gt(2).tolist() == [False, False, True]
    assert x.lt(2).tolist() == [True, False, False]
    assert x.ge(2).tolist() == [False, True, True]
    assert x.le(minidl.tensor([0.0, 2.0, 5.0])).tolist() == [False, True, True]
    assert minidl.gt(x, 1.5).dtype == np.bool_
    assert minidl.lt(2, x).tolist() == [False, False, True]  # a number first: 2 < x
    assert minidl.ge([1, 5], 2).tolist() == [False, True]
    assert minidl.le(x, 2).tolist() == [True, True, False]
    assert minidl.eq(x, 2).tolist() == [False, True, False]
    assert minidl.ne(x, 2).tolist() == [True, False, True]
    w = minidl.tensor([1.0, -1.0], requires_grad=True)
    assert not w.gt(0).requires_grad  # no gradient through a comparison
    with raises(ValueError, "greater: shapes (3,) and (2,) do not broadcast"):
        x.gt(minidl.tensor([1.0, 2.0]))


def test_isnan_isinf_isfinite():
    x = minidl.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    assert minidl.isnan(x).tolist() == [False, True, False, False]
    assert x.isinf().tolist() == [False, False, True, True]
    assert x.isfinite().tolist() == [True, False, False, False]
    assert minidl.tensor([1, 2]).isnan().tolist() == [False, False]
    assert minidl.isfinite(minidl.tensor([True])).tolist() == [True]
    assert minidl.isnan(x).dtype == np.bool_


def test_any_and_all_with_dim_and_keepdim():
    m = minidl.tensor([[0, 2], [0, 0]])
    assert m.any().item() is True and m.all().item() is False
    assert minidl.any(m, dim=1).tolist() == [True, False]
    assert m.any(0).tolist() == [False, True]
    assert minidl.all(minidl.tensor([[1.0, 2.0], [0.0, 3.0]]), dim=1).tolist() == [True, False]
    r = minidl.tensor([[1.0, 2.0], [0.0, 3.0]]).all(dim=(0, 1), keepdim=True)
    assert r.shape == (1, 1) and r.tolist() == [[False]]
    assert m.any(dim=-1, keepdim=True).tolist() == [[True], [False]]
    assert minidl.any(minidl.tensor([float("nan")])).item() is True  # NaN is non-zero
    assert minidl.all(minidl.zeros(0)).item() is True  # all of nothing
    assert m.any(1).dtype == np.bool_
    with raises(IndexError, "any: dim 2 out of range"):
        m.any(2)


def test_equal_is_a_python_bool_of_same_shape_and_values():
    a = minidl.tensor([1.0, 2.0])
    assert minidl.equal(a, minidl.tensor([1.0, 2.0])) is True
    assert a.equal(minidl.tensor([1, 2])) is True  # values compare across dtypes, as PyTorch
    assert minidl.equal(a, minidl.tensor([1.0, 3.0])) is False
    assert minidl.equal(a, minidl.tensor([[1.0, 2.0]])) is False  # another shape
    assert minidl.equal(minidl.ones(2), minidl.ones(1)) is False  # would broadcast, but not equal
    nan = minidl.tensor([float("nan")])
    assert minidl.equal(nan, nan) is False
    with raises(TypeError, "equal: expected tensors, got list as the second argument"):
        minidl.equal(a, [1.0, 2.0])


# ----- is_tensor, as_tensor, full_like, rand_like, randn_like ------------------------------


def test_is_tensor():
    assert minidl.is_tensor(minidl.zeros(1))
    assert not minidl.is_tensor(np.zeros(1)) and not minidl.is_tensor(1.0)


def test_as_tensor_shares_memory_with_a_numpy_array_of_the_right_dtype():
    a = np.zeros(3)
    t = minidl.as_tensor(a)
    assert t.dtype == np.float64  # the array's dtype is kept, as in PyTorch
    a[0] = 5.0
    assert t.tolist() == [5.0, 0.0, 0.0]  # one memory
    t2 = minidl.as_tensor(a, dtype=np.float64)
    t2[1] = 7.0
    assert a[1] == 7.0
    t3 = minidl.as_tensor(a, dtype=minidl.float32)  # another dtype: a converted copy
    a[2] = 9.0
    assert t3.dtype == np.float32 and t3.tolist() == [5.0, 7.0, 0.0]
    x = minidl.tensor([1.0, 2.0])
    assert minidl.as_tensor(x) is x and minidl.as_tensor(x, dtype=np.float32) is x
    assert minidl.as_tensor(x, np.float64).dtype == np.float64
    lst = minidl.as_tensor([1, 2])
    assert lst.dtype == np.int64 and lst.tolist() == [1, 2]
    assert minidl.as_tensor([1.5]).dtype == np.float32
    with raises(ValueError, "as_tensor: minidl runs on the CPU only"):
        minidl.as_tensor([1.0], device="cuda")


def test_as_tensor_of_a_tensor_with_another_dtype_stays_in_the_graph():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    (minidl.as_tensor(w, dtype=np.float64) * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0] and w.grad.dtype == np.float32


def test_full_like_rand_like_randn_like():
    ints = minidl.tensor([[1, 2, 3]])
    f = minidl.full_like(ints, 2.7)
    assert f.dtype == np.int64 and f.tolist() == [[2, 2, 2]]  # truncated, as in PyTorch
    g = minidl.full_like(ints, 0.5, dtype=minidl.float32)
    assert g.dtype == np.float32 and g.tolist() == [[0.5, 0.5, 0.5]]
    x = minidl.zeros(2, 3)
    minidl.manual_seed(3)
    r = minidl.rand_like(x)
    minidl.manual_seed(3)
    expected = np.random.default_rng(3).random((2, 3)).astype(np.float32)
    np.testing.assert_array_equal(r.data, expected)  # minidl's seeded generator, PCG64
    assert minidl.rand(2, 3).tolist() == r.tolist()
    assert r.shape == (2, 3) and r.dtype == np.float32 and ((r.data >= 0) & (r.data < 1)).all()
    minidl.manual_seed(4)
    n = minidl.randn_like(minidl.zeros(4, dtype=np.float64), requires_grad=True)
    np.testing.assert_array_equal(n.data, np.random.default_rng(4).standard_normal(4))
    assert n.dtype == np.float64 and n.requires_grad and n.is_leaf
    with raises(TypeError, "rand_like: expected a float dtype, got int64"):
        minidl.rand_like(ints)
    with raises(TypeError, "randn_like: expected a float dtype, got int64"):
        minidl.randn_like(x, dtype=np.int64)


# ----- where(cond) ----------------------------------------------------------------------


def test_where_with_one_argument_is_nonzero_as_tuple():
    cond = minidl.tensor([[True, False], [False, True]])
    rows, cols = minidl.where(cond)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1] and rows.dtype == np.int64
    x = minidl.tensor([[5.0, 6.0], [7.0, 8.0]])
    assert x[minidl.where(x > 6)].tolist() == [7.0, 8.0]
    (idx,) = minidl.where(minidl.tensor([0, 3, 0, 1]))  # any dtype: non-zero counts
    assert idx.tolist() == [1, 3]
    assert [t.tolist() for t in minidl.where(minidl.tensor(True))] == [[0]]
    assert minidl.where(cond, 1.0, 0.0).tolist() == [[1.0, 0.0], [0.0, 1.0]]  # 3 args: as before
    with raises(TypeError, "where: expected where(condition, input, other)"):
        minidl.where(cond, x)


# ----- in-place: clamp_, masked_fill_, detach_ ------------------------------------------


def test_clamp_and_masked_fill_write_in_place_and_return_the_tensor():
    x = minidl.tensor([-2.0, 0.5, 3.0])
    alias = x
    assert x.clamp_(-1.0, 1.0) is x
    assert alias.tolist() == [-1.0, 0.5, 1.0] and x.dtype == np.float32
    assert x.clamp_(min=0.0).tolist() == [0.0, 0.5, 1.0]
    assert x.clamp_(max=minidl.tensor([1.0, 0.25, 0.5])).tolist() == [0.0, 0.25, 0.5]
    assert x.masked_fill_(minidl.tensor([True, False, True]), 9.0) is x
    assert alias.tolist() == [9.0, 0.25, 9.0]
    m = minidl.zeros(2, 3)
    m.masked_fill_(minidl.tensor([False, True, False]), -1.0)  # the mask broadcasts to m
    assert m.tolist() == [[0, -1, 0], [0, -1, 0]]
    ints = minidl.tensor([1, 5, 9])
    assert ints.clamp_(2, 6).tolist() == [2, 5, 6] and ints.dtype == np.int64


def test_clamp_and_masked_fill_in_place_are_refused_as_the_other_in_place_methods():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    for call in (lambda: w.clamp_(0.0, 1.0), lambda: w.masked_fill_(w > 1, 0.0)):
        with raises(RuntimeError, "in-place write into a leaf that requires grad"):
            call()
    with raises(RuntimeError, "clamp_: in-place write into a tensor in a graph"):
        (w * 2).clamp_(0.0)
    with minidl.no_grad():  # a weight update: allowed, as add_ and fill_ are
        w.clamp_(max=1.5)
        w.masked_fill_(minidl.tensor([True, False]), 0.0)
    assert w.tolist() == [0.0, 1.5]
    x = minidl.zeros(2)
    with raises(RuntimeError, "masked_fill_: the value written (the right-hand side) requires"):
        x.masked_fill_(minidl.tensor([True, False]), minidl.tensor(1.0, requires_grad=True))
    with raises(RuntimeError, "clamp_: the value written"):
        x.clamp_(max=w)
    with raises(TypeError, "clamp_: the result has dtype float32, which cannot be stored"):
        minidl.tensor([1, 2, 3]).clamp_(0.5)
    with raises(RuntimeError, "masked_fill_: a tensor of shape (3,) cannot hold the result of"):
        minidl.zeros(3).masked_fill_(minidl.tensor([[True], [False]]), 1.0)
    with raises(RuntimeError, "clamp_: this tensor of shape (2, 3) is a read-only view"):
        minidl.zeros(3).expand(2, 3).clamp_(0.0)
    with raises(TypeError, "masked_fill: mask must be a bool tensor"):
        x.masked_fill_(minidl.tensor([1, 0]), 1.0)


def test_in_place_writes_are_seen_by_a_backward_that_needs_the_old_values():
    x = minidl.tensor([1.0, 2.0])
    w = minidl.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()  # Mul saved x
    x.clamp_(max=1.5)
    with raises(RuntimeError, "MulBackward needs its input 1", "modified in place"):
        y.backward()


def test_detach_in_place_cuts_the_tensor_from_the_graph():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    h = w * 2
    assert h.detach_() is h
    assert not h.requires_grad and h.grad_fn is None and h.is_leaf
    assert h.tolist() == [2.0, 4.0]
    out = (h * w).sum()  # h is now a constant: d/dw (h · w) = h
    out.backward()
    assert w.grad.tolist() == [2.0, 4.0]
    leaf_w = minidl.tensor([1.0], requires_grad=True)
    assert not leaf_w.detach_().requires_grad


@pytest.mark.parametrize(
    "view",
    [
        lambda h: h[1:],
        lambda h: h[0],
        lambda h: h.view(6),
        lambda h: h.T,
        lambda h: h.unsqueeze(0),
        lambda h: h.narrow(1, 0, 2),
        lambda h: h.diagonal(),
    ],
)
def test_detach_in_place_refuses_a_view_in_the_graph_as_pytorch(view):
    # PyTorch: "Can't detach views in-place. Use detach() instead."
    x = minidl.ones(2, 3, requires_grad=True)
    v = view(x * 2)
    with raises(RuntimeError, "detach_: this tensor is a view of another", "t.detach()"):
        v.detach_()
    assert v.requires_grad and v.grad_fn is not None  # left as it was


def test_detach_in_place_still_cuts_what_is_not_a_view():
    x = minidl.ones(2, 3, requires_grad=True)
    for t in ((x * 2)[[0, 1]], (x * 2).T.reshape(6), (x * 2)[1:].clone(), x[1:].detach()):
        assert not t.detach_().requires_grad  # a copy, or detach() of a view: as in PyTorch


# ----- against PyTorch ------------------------------------------------------------------


def test_the_new_functions_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    x[0, 0], x[1, 1] = np.nan, np.inf
    halves = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.25, 0.35, 1.005], np.float32)
    index = rng.integers(0, 4, (3, 5))

    def same(ours, theirs):
        theirs = theirs.detach().numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours.data, theirs)

    mx, tx = minidl.tensor(x), torch.tensor(x)
    same(minidl.gather(mx, 1, minidl.tensor(index)), torch.gather(tx, 1, torch.tensor(index)))
    same(minidl.flip(mx, (0, 1)), torch.flip(tx, (0, 1)))
    ties = np.array([[2.0, 1.0, 2.0, 1.0], [0.0, 0.0, 3.0, -1.0]], np.float32)
    for desc in (False, True):
        same(
            minidl.argsort(minidl.tensor(ties), 1, desc),
            torch.argsort(torch.tensor(ties), dim=1, descending=desc, stable=True),
        )
    same(minidl.sign(mx), torch.sign(tx))
    for d in (0, 1, 2, -1):
        same(minidl.tensor(halves).round(decimals=d), torch.tensor(halves).round(decimals=d))
    for a, b in zip(minidl.unbind(mx, 1), torch.unbind(tx, 1)):
        same(a, b)
    for k in (-1, 0, 2):
        same(minidl.tril(mx, k), torch.tril(tx, k))
        same(minidl.triu(mx, k), torch.triu(tx, k))
    for name in ("gt", "lt", "ge", "le"):
        same(getattr(mx, name)(0.5), getattr(tx, name)(0.5))
        same(getattr(minidl, name)(mx, 0.5), getattr(torch, name)(tx, 0.5))
    for name in ("isnan", "isinf", "isfinite"):
        same(getattr(minidl, name)(mx), getattr(torch, name)(tx))
    ints = np.array([[0, 2], [0, 0], [1, 3]])
    for dim in (None, 0, 1, (0, 1)):
        for fn in ("any", "all"):
            kw = {} if dim is None else {"dim": dim, "keepdim": True}
            same(getattr(minidl.tensor(ints), fn)(**kw), getattr(torch.tensor(ints), fn)(**kw))
    assert minidl.equal(mx, minidl.tensor(x)) == torch.equal(tx, torch.tensor(x))  # NaN: False
    fin = np.nan_to_num(x, posinf=9.0)
    assert minidl.equal(minidl.tensor(fin), minidl.tensor(fin)) is torch.equal(
        torch.tensor(fin), torch.tensor(fin)
    )
    for ours, theirs in zip(minidl.where(mx > 0), torch.where(tx > 0)):
        same(ours, theirs)
    same(minidl.full_like(minidl.tensor(ints), 2.7), torch.full_like(torch.tensor(ints), 2.7))
    mm, tm = minidl.tensor(fin), torch.tensor(fin)
    same(mm.clone().clamp_(-0.5, 0.5), tm.clone().clamp_(-0.5, 0.5))
    mask = fin > 0
    same(
        mm.clone().masked_fill_(minidl.tensor(mask), -1.0),
        tm.clone().masked_fill_(torch.tensor(mask), -1.0),
    )
    # gradients: gather with repeats, flip, tril, unbind
    g = rng.standard_normal((3, 5)).astype(np.float32)
    ml, tl = minidl.tensor(fin, requires_grad=True), torch.tensor(fin, requires_grad=True)
    (minidl.gather(ml, 1, minidl.tensor(index)) * minidl.tensor(g)).sum().backward()
    (torch.gather(tl, 1, torch.tensor(index)) * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ml.grad.data, tl.grad.numpy(), rtol=1e-6)
    ml, tl = minidl.tensor(fin, requires_grad=True), torch.tensor(fin, requires_grad=True)
    for m_out, t_out in [
        (ml.flip(0).tril(1).sum(), tl.flip(0).tril(1).sum()),
        (
            (ml.unbind(1)[2] * 3).sum() + ml.triu().sign().sum(),
            (tl.unbind(1)[2] * 3).sum() + tl.triu().sign().sum(),
        ),
    ]:
        m_out.backward()
        t_out.backward()
    np.testing.assert_allclose(ml.grad.data, tl.grad.numpy(), rtol=1e-6)
