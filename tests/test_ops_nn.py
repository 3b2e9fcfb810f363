"""softmax, log_softmax, logsumexp: the math against NumPy, stability at large inputs, gradients."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, gradcheck, leaf, shape_and_dim

import minidl


def _ref_softmax(x, dim):
    e = np.exp(x)  # safe: the drawn values are in [-3, 3]
    return e / e.sum(axis=dim, keepdims=True)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(sd=shape_and_dim(allow_none=False, allow_tuple=False), data=st.data())
def test_softmax_family_grad_matches_central_difference(name, sd, data):
    shape, dim = sd
    x = data.draw(arrays(shape))
    op = getattr(minidl, name)
    expected = _ref_softmax(x, dim)
    if name == "log_softmax":
        expected = np.log(expected)
    np.testing.assert_allclose(op(leaf(x), dim).data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: op(t, dim), (leaf(x),))


@given(sd=shape_and_dim(allow_none=False, allow_tuple=False), data=st.data())
def test_softmax_rows_are_probabilities(sd, data):
    shape, dim = sd
    y = minidl.softmax(leaf(data.draw(arrays(shape, -50.0, 50.0))), dim).data
    assert np.all(y >= 0) and np.all(y <= 1)
    np.testing.assert_allclose(y.sum(axis=dim), 1.0, rtol=1e-12)


@given(sd=shape_and_dim(min_dims=0), keepdim=st.booleans(), data=st.data())
def test_logsumexp_grad_matches_central_difference(sd, keepdim, data):
    shape, dim = sd
    x = data.draw(arrays(shape))
    axis = dim if dim is None or isinstance(dim, int) else tuple(dim)
    expected = np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdim))
    lse = minidl.logsumexp(leaf(x), dim, keepdim).data
    np.testing.assert_allclose(lse, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: minidl.logsumexp(t, dim, keepdim), (leaf(x),))


@pytest.mark.parametrize("big", [1e4, -1e4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_inputs_stay_finite_and_exact(big, dtype):
    # shifting every input by c shifts logsumexp by c and leaves softmax unchanged
    base = np.array([[0.0, 1.0, 2.0], [-1.0, 0.5, 0.0]])
    x = minidl.tensor(base + big, dtype=dtype)
    lse = minidl.logsumexp(x, 1).data
    assert lse.dtype == dtype and np.all(np.isfinite(lse))
    np.testing.assert_allclose(lse, np.log(np.exp(base).sum(1)) + big, rtol=1e-6)
    np.testing.assert_allclose(minidl.softmax(x, 1).data, _ref_softmax(base, 1), rtol=1e-5)
    np.testing.assert_allclose(
        minidl.log_softmax(x, 1).data, np.log(_ref_softmax(base, 1)), atol=1e-3
    )


def test_large_inputs_have_finite_gradients():
    x = minidl.tensor([1e4, 1e4 - 1.0, -1e4], dtype=np.float64, requires_grad=True)
    minidl.logsumexp(x).backward()
    expected = np.exp([0.0, -1.0]) / np.exp([0.0, -1.0]).sum()
    np.testing.assert_allclose(x.grad.data, [expected[0], expected[1], 0.0], rtol=1e-12)


def test_log_softmax_is_exact_where_softmax_underflows():
    x = minidl.tensor([0.0, -200.0], dtype=np.float64)
    np.testing.assert_allclose(minidl.log_softmax(x).data, [0.0, -200.0], atol=1e-12)


def test_softmax_of_a_row_of_minus_infinity_but_one_is_one_hot():
    x = minidl.tensor([-np.inf, 0.0, -np.inf])
    np.testing.assert_array_equal(minidl.softmax(x).data, [0.0, 1.0, 0.0])


def test_a_row_holding_plus_infinity_is_nan_in_softmax_as_pytorch_and_inf_in_logsumexp():
    # exp(inf)/Σ is inf/inf: the whole row is NaN in PyTorch, not a half-valid [nan, 0, 0];
    # log Σ exp of a row holding +inf is +inf (PyTorch's too)
    x = minidl.tensor([[np.inf, 0.0, 1.0], [-np.inf, 0.0, np.log(3.0)]], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        soft, log_soft = minidl.softmax(x, 1).data, minidl.log_softmax(x, 1).data
    assert np.isnan(soft[0]).all() and np.isnan(log_soft[0]).all()
    np.testing.assert_allclose(soft[1], [0.0, 0.25, 0.75])  # e⁰ : e^{log 3} = 1 : 3
    np.testing.assert_allclose(log_soft[1], [-np.inf, np.log(0.25), np.log(0.75)])
    np.testing.assert_allclose(minidl.logsumexp(x, 1).data, [np.inf, np.log(4.0)], rtol=1e-15)


def test_softmax_rejects_a_bad_dim():
    # (a 0-d tensor is accepted, as PyTorch: see the 0-d test at the end of this file)
    with pytest.raises(IndexError, match="dim 2 out of range.*2 dimension"):
        minidl.softmax(minidl.zeros(2, 3), dim=2)


def test_softmax_family_over_a_zero_length_dim():
    # a (0, 3) tensor: over dim 0 every column is an empty sum, log Σ∅ exp = log 0 = −inf;
    # softmax and log_softmax keep the input's (empty) shape, as in PyTorch
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log 0 is the answer, not a RuntimeWarning
        for call, shape in [
            (lambda t: minidl.logsumexp(t, 0), (3,)),
            (lambda t: minidl.logsumexp(t, 1), (0,)),
            (lambda t: minidl.logsumexp(t), ()),
            (lambda t: minidl.softmax(t, 0), (0, 3)),
            (lambda t: minidl.softmax(t, 1), (0, 3)),
            (lambda t: minidl.log_softmax(t, 0), (0, 3)),
        ]:
            x = leaf(np.zeros((0, 3)))
            y = call(x)
            assert y.shape == shape
            y.sum().backward()
            assert x.grad.shape == (0, 3)
        np.testing.assert_array_equal(
            minidl.logsumexp(leaf(np.zeros((0, 3))), 0).data, [-np.inf] * 3
        )


def test_logsumexp_with_an_empty_dim_tuple_is_an_error():
    # sum(x, ()) reduces every axis, but PyTorch rejects logsumexp(x, ()): no guessing
    with pytest.raises(
        ValueError, match=r"logsumexp: dim=\(\) given for a tensor of shape \(2, 3\)"
    ):
        minidl.logsumexp(minidl.zeros(2, 3), ())


def test_softmax_family_of_an_integer_tensor_gives_the_default_float():
    # x = [0, 0, 2]: Σ exp = 2 + e², so softmax = [1, 1, e²] / (2 + e²) and
    # logsumexp = log(2 + e²); float32 (the default), as exp(int) is, not float64
    x = minidl.tensor([0, 0, 2])
    total = 2 + np.exp(2.0)
    expected = {
        minidl.softmax: np.array([1.0, 1.0, np.exp(2.0)]) / total,
        minidl.log_softmax: np.array([0.0, 0.0, 2.0]) - np.log(total),
        minidl.logsumexp: np.log(total),
    }
    for fn, value in expected.items():
        out = fn(x)
        assert out.dtype == np.float32, fn
        np.testing.assert_allclose(out.data, value, rtol=1e-6)


def test_softmax_of_a_0d_tensor_is_one_element_along_dim_0_as_pytorch():
    # one element: softmax = e^x / e^x = 1, log_softmax = 0, both constant in x
    for dim in (None, 0, -1):
        x = minidl.tensor(3.0, requires_grad=True)
        s, ls = minidl.softmax(x, dim), minidl.log_softmax(x, dim)
        assert s.shape == () and s.item() == 1.0 and ls.item() == 0.0
        (s + ls).backward()
        assert x.grad.item() == 0.0
    with pytest.raises(IndexError, match="softmax: dim 1 out of range"):
        minidl.softmax(minidl.tensor(3.0), 1)
