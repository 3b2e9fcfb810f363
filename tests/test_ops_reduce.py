"""Reductions: sum, mean, max/min, amax/amin over int, tuple and None dims, with keepdim."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, distinct, gradcheck, leaf, shape_and_dim

import minidl


def _np_axis(dim):
    return dim if dim is None or isinstance(dim, int) else tuple(dim)


REDUCTIONS = {
    "sum": (minidl.sum, np.sum),
    "mean": (minidl.mean, np.mean),
    "amax": (minidl.amax, np.max),
    "amin": (minidl.amin, np.min),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(sd=shape_and_dim(min_dims=0), keepdim=st.booleans(), data=st.data())
def test_reduction_grad_matches_central_difference(name, sd, keepdim, data):
    op, ref = REDUCTIONS[name]
    shape, dim = sd
    x = data.draw(arrays(shape))
    if name in ("amax", "amin"):
        x = distinct(x)  # ties make max non-differentiable
    out = op(leaf(x), dim, keepdim)
    expected = ref(x, axis=_np_axis(dim), keepdims=keepdim)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: op(t, dim, keepdim), (leaf(x),))


@given(sd=shape_and_dim(min_dims=1, allow_none=False, allow_tuple=False), data=st.data())
def test_max_min_with_dim_return_values_and_indices(sd, data):
    shape, dim = sd
    x = distinct(data.draw(arrays(shape)))
    for op, ref, arg in [(minidl.max, np.max, np.argmax), (minidl.min, np.min, np.argmin)]:
        values, indices = op(leaf(x), dim)
        np.testing.assert_array_equal(values.data, ref(x, axis=dim))
        np.testing.assert_array_equal(indices.data, arg(x, axis=dim))
        assert indices.dtype == np.int64 and not indices.requires_grad
        assert gradcheck(lambda t, op=op: op(t, dim).values, (leaf(x),))


def test_max_without_dim_is_a_tensor_and_method_forms_agree():
    x = leaf([[1.0, 5.0], [3.0, 2.0]])
    assert x.max().item() == 5.0 and x.min().item() == 1.0
    np.testing.assert_array_equal(x.amax(0).data, [3.0, 5.0])
    np.testing.assert_array_equal(x.amin(1, keepdim=True).data, [[1.0], [2.0]])
    np.testing.assert_array_equal(x.sum(0).data, [4.0, 7.0])
    np.testing.assert_array_equal(x.mean((0, 1)).data, 2.75)


def test_max_shares_the_gradient_equally_between_ties():
    x = leaf([2.0, 7.0, 7.0, 1.0])
    x.amax().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5, 0.0])
    x = leaf([2.0, 7.0, 7.0, 1.0])
    minidl.max(x).backward()  # max without dim: a tensor, ties shared (as torch.max(x))
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5, 0.0])


def test_max_and_min_with_dim_give_a_tie_gradient_to_the_returned_index_only():
    # PyTorch's rule: max(x, dim) backpropagates to the element its index names
    data = [[2.0, 7.0, 7.0], [1.0, 1.0, 0.0]]
    for op, expected_index in [(minidl.max, [1, 0]), (minidl.min, [0, 2])]:
        x = leaf(data)
        values, indices = op(x, 1)
        np.testing.assert_array_equal(indices.data, expected_index)
        (values * minidl.tensor([10.0, 20.0], dtype=np.float64)).sum().backward()
        expected = np.zeros((2, 3))
        expected[[0, 1], expected_index] = [10.0, 20.0]
        np.testing.assert_array_equal(x.grad.data, expected)


def test_sum_gradient_is_ones_of_the_input_shape():
    x = leaf(np.arange(6.0).reshape(2, 3))
    x.sum(1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3)))


def test_mean_gradient_is_one_over_n():
    x = leaf(np.zeros((4, 5)))
    x.mean(0).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((4, 5), 1 / 4))


@given(sd=shape_and_dim(min_dims=1, allow_none=True, allow_tuple=False), data=st.data())
def test_argmax_argmin_match_numpy_and_carry_no_gradient(sd, data):
    shape, dim = sd
    x = distinct(data.draw(arrays(shape)))
    t = leaf(x)
    for op, ref in [(minidl.argmax, np.argmax), (minidl.argmin, np.argmin)]:
        out = op(t, dim)
        np.testing.assert_array_equal(out.data, ref(x, axis=dim))
        assert out.dtype == np.int64 and not out.requires_grad and out.grad_fn is None


def test_reductions_keep_float32():
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for y in (x.sum(), x.mean(0), x.amax(1), x.amin(), minidl.logsumexp(x, 1)):
        assert y.dtype == np.float32
    x.mean().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("op", [minidl.max, minidl.min, minidl.amax, minidl.amin])
def test_max_and_min_send_the_gradient_to_a_nan_they_return(op):
    # a NaN wins max/min, so it is "the" extreme: dy/dx is 1 there (PyTorch's max(x));
    # two NaNs are a tie and share it.  It used to be 0/0 = NaN for every element.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value" RuntimeWarning either
        x = leaf([1.0, np.nan, 2.0])
        y = op(x)
        assert np.isnan(y.item())
        y.backward()
        np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0])
        x = leaf([np.nan, 3.0, np.nan])
        op(x).backward()
        np.testing.assert_array_equal(x.grad.data, [0.5, 0.0, 0.5])


def test_amax_over_a_dim_sends_the_gradient_to_the_nan_of_its_slice_only():
    # column 0 = [1, 2] has max 2 (index 1); column 1 = [nan, 3] has max nan (index 0)
    x = leaf([[1.0, np.nan], [2.0, 3.0]])
    y = minidl.amax(x, 0)
    np.testing.assert_array_equal(y.data, [2.0, np.nan])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 1.0], [1.0, 0.0]])
    x = leaf([[1.0, np.nan], [2.0, 3.0]])
    values, indices = minidl.max(x, 0)  # the index form agrees: the index names the nan
    np.testing.assert_array_equal(indices.data, [1, 0])
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 1.0], [1.0, 0.0]])


def test_reducing_a_nonempty_dim_of_an_empty_tensor_gives_an_empty_result():
    # shape (0, 3) reduced over dim 1 (length 3): one result per row, and there are 0 rows
    x = leaf(np.zeros((0, 3)))
    assert minidl.amax(x, 1).shape == (0,)
    assert minidl.amin(x, 1, keepdim=True).shape == (0, 1)
    assert minidl.argmax(x, 1).shape == (0,) and minidl.argmin(x, -1).shape == (0,)
    for op in (minidl.max, minidl.min):
        values, indices = op(x, 1)
        assert values.shape == (0,) and indices.shape == (0,) and indices.dtype == np.int64
        values.sum().backward()  # backward through an empty result is fine too
        assert x.grad.shape == (0, 3)
    np.testing.assert_array_equal(x.sum(0).data, [0.0, 0.0, 0.0])  # a sum of nothing is 0


def test_the_mean_over_an_empty_dim_is_an_error_naming_the_shapes():
    # PyTorch gives NaN; minidl refuses (an empty batch would silently make the loss NaN)
    x = leaf(np.zeros((0, 3)))
    with pytest.raises(
        ValueError, match=r"mean: reducing \(0, 3\) over dims \(0,\) has no elements"
    ):
        minidl.mean(x, 0)
    assert minidl.mean(x, 1).shape == (0,)  # over the non-empty dim: one mean per (absent) row


@pytest.mark.parametrize(
    "call",
    [
        lambda x: minidl.amax(x, 0),
        lambda x: minidl.amin(x, (0, 1)),
        lambda x: x.max(),
        lambda x: x.min(0),
        lambda x: minidl.argmax(x),
        lambda x: minidl.argmin(x, 0),
    ],
)
def test_max_family_over_a_zero_length_dim_is_an_error_naming_the_dim(call):
    # the max of an empty slice does not exist (torch raises too)
    with pytest.raises(ValueError, match=r"(max|min): cannot reduce dim 0 of length 0.*\(0, 3\)"):
        call(minidl.zeros(0, 3))


@pytest.mark.parametrize("dim", [(), []])
def test_an_empty_dim_tuple_reduces_every_axis(dim):
    # as in PyTorch: x.sum(()) is the total, not x unchanged.  x = 0..5 in a (2, 3):
    # Σ = 15, mean = 15/6 = 2.5, max 5 (last element), min 0 (first element)
    data = np.arange(6.0).reshape(2, 3)
    for op, value, grad in [
        (minidl.sum, 15.0, np.ones((2, 3))),
        (minidl.mean, 2.5, np.full((2, 3), 1 / 6)),
        (minidl.amax, 5.0, [[0, 0, 0], [0, 0, 1]]),
        (minidl.amin, 0.0, [[1, 0, 0], [0, 0, 0]]),
    ]:
        x = leaf(data)
        y = op(x, dim)
        assert y.shape == () and y.item() == value
        y.backward()
        np.testing.assert_allclose(x.grad.data, grad, rtol=1e-15)
        assert op(x, dim, keepdim=True).shape == (1, 1)


def test_argmax_without_dim_keeps_every_axis_with_keepdim():
    # flattened 0..23 in a (2, 3, 4): the max is the last element (23), the min the first (0)
    x = minidl.tensor(np.arange(24.0).reshape(2, 3, 4))
    out = minidl.argmax(x, keepdim=True)
    assert out.shape == (1, 1, 1) and out.item() == 23
    out = x.argmin(keepdim=True)
    assert out.shape == (1, 1, 1) and out.item() == 0
    assert minidl.argmax(minidl.tensor(7.0), keepdim=True).shape == ()  # 0-d: no axes to keep
