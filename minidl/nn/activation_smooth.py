"""Smooth squashing activations: LogSigmoid (log σ, in (−∞, 0)) and Softsign (in (−1, 1))."""

from minidl import ops
from minidl.nn.activation import _float_input, _log1p_exp
from minidl.nn.module import Module
from minidl.ops.elementwise import as_float_tensor

__all__ = ["logsigmoid", "softsign", "LogSigmoid", "Softsign"]


def logsigmoid(input):
    """y = log σ(x) = −log(1 + e⁻ˣ);  dy/dx = 1 − σ(x) = σ(−x).

    Through the stable log(1 + eᶻ) of z = −x: log σ(x) for x = −1000 is −1000, not log 0."""
    x = _float_input("logsigmoid", input)
    return -_log1p_exp(-x)


def softsign(input):
    """y = x / (1 + |x|);  dy/dx = 1 / (1 + |x|)²."""
    x = as_float_tensor("softsign", input)
    return x / (ops.abs(x) + 1.0)


class LogSigmoid(Module):
    """y = log σ(x) = −log(1 + e⁻ˣ)."""

    def forward(self, x):
        return logsigmoid(x)


class Softsign(Module):
    """y = x / (1 + |x|)."""

    def forward(self, x):
        return softsign(x)
