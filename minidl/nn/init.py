"""Weight initialisation, in place, drawing from minidl's one generator (``manual_seed``).

    uniform_(w, a, b)          w ~ U(a, b)
    normal_(w, mean, std)      w ~ N(mean, std²)
    xavier_uniform_(w, gain)   w ~ U(−r, r),  r = gain · √(6 / (fan_in + fan_out))
    kaiming_uniform_(w, a)     w ~ U(−r, r),  r = gain · √(3 / fan_in),  gain = √(2 / (1 + a²))

For a weight of shape (out, in, …), fan_in = in · ∏… and fan_out = out · ∏….
Each returns its tensor, whose dtype is kept.
"""

import math

import numpy as np

from minidl.autograd import no_grad, note_write
from minidl.random import generator

__all__ = [
    "uniform_",
    "normal_",
    "zeros_",
    "ones_",
    "constant_",
    "xavier_uniform_",
    "kaiming_uniform_",
    "calculate_fans",
]


def _fill(tensor, values):
    with no_grad():
        tensor.data[...] = values
    note_write(tensor)
    return tensor


def calculate_fans(tensor, op="init"):
    """(fan_in, fan_out) of a weight of shape (out, in, …)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"{op}: fan in and fan out need a tensor with >= 2 dims, got {tensor.shape}"
        )
    receptive = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with U(a, b)."""
    return _fill(tensor, generator().uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with N(mean, std²)."""
    return _fill(tensor, generator().normal(mean, std, tensor.shape))


def zeros_(tensor):
    return _fill(tensor, 0)


def ones_(tensor):
    return _fill(tensor, 1)


def constant_(tensor, value):
    return _fill(tensor, value)


def xavier_uniform_(tensor, gain=1.0):
    """Glorot & Bengio (2010): keeps activation variance equal forwards and backwards."""
    fan_in, fan_out = calculate_fans(tensor, "xavier_uniform_")
    r = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -r, r)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. (2015) for (leaky) ReLU layers; ``a`` is the negative slope."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming_uniform_: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    gains = {"relu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1 + a * a)), "linear": 1.0}
    if nonlinearity not in gains:
        raise ValueError(
            f"kaiming_uniform_: nonlinearity must be one of {sorted(gains)}, got {nonlinearity!r}"
        )
    fan_in, fan_out = calculate_fans(tensor, "kaiming_uniform_")
    fan = fan_in if mode == "fan_in" else fan_out
    r = gains[nonlinearity] * math.sqrt(3.0 / fan)
    return uniform_(tensor, -r, r)
