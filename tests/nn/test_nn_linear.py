"""Linear layer and nn.init: values, shapes, dtypes, PyTorch's default distributions."""

import math

import numpy as np
import pytest

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl.nn import init


def test_linear_matches_x_w_transpose_plus_b_over_leading_dims():
    lin = nn.Linear(4, 3)
    x = minidl.randn(2, 5, 4)
    expected = x.data @ lin.weight.data.T + lin.bias.data
    np.testing.assert_allclose(lin(x).data, expected, rtol=1e-6)
    assert lin.weight.shape == (3, 4) and lin.bias.shape == (3,)


def test_linear_gradients_replayed_by_hand():
    rng = np.random.default_rng(0)
    x = minidl.tensor(rng.standard_normal((2, 5, 4)), dtype=np.float64, requires_grad=True)
    w = minidl.tensor(rng.standard_normal((3, 4)), dtype=np.float64, requires_grad=True)
    b = minidl.tensor(rng.standard_normal(3), dtype=np.float64, requires_grad=True)
    dy = rng.standard_normal((2, 5, 3))
    F.linear(x, w, b).backward(minidl.tensor(dy))
    np.testing.assert_allclose(x.grad.data, dy @ w.data, rtol=1e-12)
    np.testing.assert_allclose(
        w.grad.data, np.einsum("nto,nti->oi", dy, x.data), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(b.grad.data, dy.sum(axis=(0, 1)), rtol=1e-12)


def test_linear_float32_stays_float32():
    lin = nn.Linear(3, 2)
    x = minidl.randn(4, 3, requires_grad=True)
    y = lin(x)
    y.sum().backward()
    assert y.dtype == np.float32
    assert x.grad.dtype == lin.weight.grad.dtype == lin.bias.grad.dtype == np.float32


def test_linear_wrong_features_names_shapes():
    with pytest.raises(
        ValueError, match=r"linear: input of shape \(2, 5\) has 5 features.*\(3, 4\) expects 4"
    ):
        nn.Linear(4, 3)(minidl.randn(2, 5))


def test_linear_default_init_is_uniform_one_over_sqrt_fan_in():
    minidl.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = lin.weight.data
    assert np.abs(w).max() <= bound and np.abs(lin.bias.data).max() <= bound
    # U(-r, r) has mean 0 and variance r²/3; 120,000 draws pin both down
    assert abs(w.mean()) < 0.01 * bound
    assert abs(w.var() / (bound**2 / 3) - 1) < 0.02


def test_init_is_reproducible_through_manual_seed():
    minidl.manual_seed(3)
    a = nn.Linear(5, 5).weight.data.copy()
    minidl.manual_seed(3)
    b = nn.Linear(5, 5).weight.data
    np.testing.assert_array_equal(a, b)
    minidl.manual_seed(4)
    assert not np.array_equal(a, nn.Linear(5, 5).weight.data)


def test_init_functions_distributions():
    minidl.manual_seed(0)
    w = minidl.zeros(200, 300)
    init.xavier_uniform_(w)
    r = math.sqrt(6 / (200 + 300))
    assert np.abs(w.data).max() <= r and abs(w.data.var() / (r * r / 3) - 1) < 0.03
    init.kaiming_uniform_(w, a=0.0)
    r = math.sqrt(2) * math.sqrt(3 / 300)
    assert np.abs(w.data).max() <= r and abs(w.data.var() / (r * r / 3) - 1) < 0.03
    init.normal_(w, 1.0, 2.0)
    assert abs(w.data.mean() - 1) < 0.05 and abs(w.data.std() - 2) < 0.05
    init.uniform_(w, -1, 3)
    assert w.data.min() >= -1 and w.data.max() <= 3 and w.dtype == np.float32
    init.zeros_(w)
    assert not w.data.any()
    init.ones_(w)
    assert (w.data == 1).all()
    init.constant_(w, 0.5)
    assert (w.data == 0.5).all()


def test_init_errors():
    with pytest.raises(ValueError, match="2 dims"):
        init.xavier_uniform_(minidl.zeros(3))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform_(minidl.zeros(3, 3), mode="fan")


@pytest.mark.parametrize("x_shape", [(3,), (2, 5, 3), (4, 3)])
def test_a_linear_layer_of_width_zero_gives_zero_gradients_of_every_shape(x_shape):
    # y has no element, so dL/dx = 0 and dW, db are empty; reshape(-1, 0) used to raise
    layer = nn.Linear(3, 0)
    x = minidl.randn(*x_shape, requires_grad=True)
    y = layer(x)
    assert y.shape == (*x_shape[:-1], 0)
    y.sum().backward()
    assert x.grad.shape == x_shape and not x.grad.data.any()
    assert layer.weight.grad.shape == (0, 3) and layer.bias.grad.shape == (0,)


@pytest.mark.parametrize("x_shape", [(0,), (2, 5, 0)])
def test_a_linear_layer_of_no_inputs_is_its_bias(x_shape):
    # y = x Wᵀ + b = b for every row: dL/db counts the rows, dL/dW and dL/dx are empty
    layer = nn.Linear(0, 2)
    x = minidl.randn(*x_shape, requires_grad=True)
    y = layer(x)
    np.testing.assert_array_equal(y.data, np.broadcast_to(layer.bias.data, (*x_shape[:-1], 2)))
    y.sum().backward()
    rows = math.prod(x_shape[:-1])
    np.testing.assert_array_equal(layer.bias.grad.data, [rows, rows])
    assert layer.weight.grad.shape == (2, 0) and x.grad.shape == x_shape
