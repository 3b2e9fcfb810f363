"""Piecewise-linear activations: Hardtanh, ReLU6 (a Hardtanh on [0, 6]) and PReLU."""

import warnings

import numpy as np

from minidl import ops
from minidl.autograd import Function
from minidl.nn.activation import _finite_real
from minidl.nn.module import Module, Parameter
from minidl.ops.elementwise import as_tensor
from minidl.tensor import check_bool, check_device, check_int, get_default_dtype

__all__ = ["HardtanhClip", "hardtanh", "relu6", "prelu", "Hardtanh", "ReLU6", "PReLU"]


class HardtanhClip(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo < x < hi, else 0

    0 at the bounds themselves, as PyTorch's hardtanh (and so relu6 at x = 0 and 6),
    unlike ``clamp``, whose gradient passes there.
    """

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x > ctx.lo) & (x < ctx.hi)), None, None


def _bounds(op, min_val, max_val, equal_ok=True):
    lo = _finite_real(op, "min_val", min_val)
    hi = _finite_real(op, "max_val", max_val)
    if lo > hi or (lo == hi and not equal_ok):
        # as PyTorch: F.hardtanh allows min_val = max_val (a constant), nn.Hardtanh does not
        need = "<=" if equal_ok else "<"
        raise ValueError(f"{op}: expected min_val {need} max_val, got {lo} and {hi}")
    return lo, hi


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """y = min(max(x, min_val), max_val): −1 below −1, x between, 1 above (by default).
    ``inplace`` as in ``nn.ReLU``: the output is a new tensor either way."""
    check_bool("hardtanh", "inplace", inplace)
    lo, hi = _bounds("hardtanh", min_val, max_val)
    return HardtanhClip.apply(as_tensor("hardtanh", input), lo, hi)


def relu6(input, inplace=False):
    """y = min(max(x, 0), 6)  (hardtanh on [0, 6], with its zero gradient at 0 and 6)."""
    check_bool("relu6", "inplace", inplace)
    return HardtanhClip.apply(as_tensor("relu6", input), 0.0, 6.0)


def prelu(input, weight):
    """y = x where x > 0, else a · x, with a = ``weight`` learned per channel (dim 1):
    weight (1,) or 0-d is one slope for all, (C,) one per channel of x (N, C, …).
    dy/dx = 1 where x > 0, else a (at 0 too, as PyTorch);  dy/da = x where x ≤ 0, else 0."""
    x, a = as_tensor("prelu", input), as_tensor("prelu", weight)
    channels = x.shape[1] if x.ndim >= 2 else 1
    if a.ndim > 1 or a.numel() not in (1, channels):
        raise ValueError(
            f"prelu: weight must hold 1 slope or one per channel (dim 1 of the input, "
            f"{channels} for input shape {x.shape}), got weight shape {a.shape}"
        )
    if a.numel() == 1:
        slope = a.reshape(())
    else:  # (C,) -> (C, 1, …, 1): broadcast along dim 1 of x
        slope = a.reshape((channels,) + (1,) * (x.ndim - 2))
    return ops.where(x > 0, x, x * slope)


class Hardtanh(Module):
    """y = min(max(x, min_val), max_val) (PyTorch's defaults −1, 1)."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        # PyTorch's deprecated spellings, with its warning, overriding min_val / max_val
        for old, new, value in (
            ("min_value", "min_val", min_value),
            ("max_value", "max_val", max_value),
        ):
            if value is not None:
                warnings.warn(
                    f"Hardtanh: keyword argument {old} is deprecated and renamed to {new}",
                    FutureWarning,
                    stacklevel=2,
                )
        min_val = min_val if min_value is None else min_value
        max_val = max_val if max_value is None else max_value
        self.min_val, self.max_val = _bounds("Hardtanh", min_val, max_val, equal_ok=False)
        self.inplace = check_bool("Hardtanh", "inplace", inplace)

    def forward(self, x):
        return hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self):
        s = f"min_val={self.min_val}, max_val={self.max_val}"
        return s + (", inplace=True" if self.inplace else "")


class ReLU6(Module):
    """y = min(max(x, 0), 6)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = check_bool("ReLU6", "inplace", inplace)

    def forward(self, x):
        return relu6(x)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class PReLU(Module):
    """y = x where x > 0, else a · x, with ``weight`` a: ``num_parameters`` learned slopes
    (1, shared, or one per channel, dim 1 of the input), each starting at ``init``."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        check_device("PReLU", device)
        self.num_parameters = check_int("PReLU", "num_parameters", num_parameters, 1)
        self.init = _finite_real("PReLU", "init", init)
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.full((self.num_parameters,), init, dtype))

    def forward(self, x):
        return prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"
