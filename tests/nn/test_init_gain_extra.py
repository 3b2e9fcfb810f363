"""nn.init.calculate_gain for conv layers and SELU, as PyTorch, and kaiming_* using them."""

import math

import numpy as np
import pytest
from strategies import raises

import minidl
from minidl.nn import init

LINEAR_LIKE = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
]


@pytest.mark.parametrize("name", LINEAR_LIKE)
def test_linear_and_conv_gain_is_one(name):
    assert init.calculate_gain(name) == 1.0


def test_selu_gain_is_three_quarters():
    assert init.calculate_gain("selu") == 0.75


@pytest.mark.parametrize("name, gain", [("conv2d", 1.0), ("conv_transpose1d", 1.0), ("selu", 0.75)])
def test_kaiming_uniform_and_normal_accept_them(name, gain):
    fan_in = 300
    minidl.manual_seed(0)
    w = init.kaiming_uniform_(minidl.zeros(400, fan_in), nonlinearity=name).data
    bound = gain * math.sqrt(3.0 / fan_in)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    w = init.kaiming_normal_(minidl.zeros(400, fan_in), nonlinearity=name).data
    std = gain / math.sqrt(fan_in)
    assert abs(w.std() / std - 1) < 6 / math.sqrt(2 * w.size)


@pytest.mark.parametrize(
    "call",
    [init.calculate_gain, lambda n: init.kaiming_uniform_(minidl.zeros(3, 3), nonlinearity=n)],
)
def test_unknown_nonlinearity_is_named(call):
    with raises(ValueError, "nonlinearity", "'conv4d'", "'selu'", "'conv2d'"):
        call("conv4d")


def test_gains_match_pytorch():
    torch = pytest.importorskip("torch")
    for name in [*LINEAR_LIKE, "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
