"""Reductions: sum, mean, max/min, amax/amin over int, tuple and None dims, with keepdim."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, distinct, leaf, shape_and_dim

import minidl
from minidl import gradcheck


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
