"""Activation layers (ReLU, Tanh, Sigmoid) and Dropout."""

import numpy as np

from minidl import ops
from minidl.autograd import Function
from minidl.nn.module import Module
from minidl.ops.elementwise import as_tensor
from minidl.random import generator
from minidl.tensor import check_fraction

__all__ = ["DropoutMask", "dropout", "ReLU", "Tanh", "Sigmoid", "Dropout"]


class DropoutMask(Function):
    """y = x ⊙ m / (1 − p),  mᵢ ~ Bernoulli(1 − p);  dx = dy ⊙ m / (1 − p)

    Dividing by 1 − p keeps E[y] = x, so nothing changes at evaluation time.
    """

    @staticmethod
    def forward(ctx, x, p):
        keep = generator().random(x.shape, dtype=np.float32) >= p
        scale = np.asarray(1.0 / (1.0 - p) if p < 1 else 0.0, dtype=x.dtype)
        mask = keep * scale
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None


def dropout(x, p=0.5, training=True):
    """Zero each element with probability p and scale the rest by 1/(1 − p) (identity if not
    training or p = 0)."""
    check_fraction("dropout", "probability p", p)
    x = as_tensor("dropout", x)
    if not training or p == 0.0:
        return x
    return DropoutMask.apply(x, float(p))


class ReLU(Module):
    """y = max(x, 0).  ``inplace`` is PyTorch's memory saving: accepted, and the output
    is a new tensor either way (same values; minidl records no in-place ops)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = bool(inplace)

    def forward(self, x):
        return ops.relu(x)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """y = tanh(x)"""

    def forward(self, x):
        return ops.tanh(x)


class Sigmoid(Module):
    """y = 1 / (1 + e^(−x))"""

    def forward(self, x):
        return ops.sigmoid(x)


class Softmax(Module):
    """yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (PyTorch's modules take it: ``Softmax(dim=1)``)."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return ops.softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """yᵢ = xᵢ − log Σⱼ exp(xⱼ) along ``dim``: log-probabilities, the input of ``NLLLoss``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return ops.log_softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Dropout(Module):
    """Dropout with probability ``p`` while ``training``; the identity after ``eval()``."""

    def __init__(self, p=0.5):
        super().__init__()
        check_fraction("Dropout", "probability p", p)
        self.p = p

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
