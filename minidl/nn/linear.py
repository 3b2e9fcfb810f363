"""Fully connected layer: one fused Function for y = x Wᵀ + b."""

import math

import numpy as np

from minidl.autograd import Function, op_error
from minidl.nn import init
from minidl.nn.module import Module, Parameter
from minidl.ops.elementwise import as_tensor, promote
from minidl.tensor import Tensor, check_device, check_int, get_default_dtype

__all__ = ["Affine", "linear", "Linear"]


class Affine(Function):
    """y = x Wᵀ + b,  x: (…, in), W: (out, in), b: (out,) -> y: (…, out)

    With x and dy flattened to (n, in) and (n, out) over the leading dims:
    dx = dy W,  dW = dyᵀ x,  db = Σₙ dy.
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise op_error(
                ValueError,
                f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features, "
                f"weight of shape {weight.shape} expects {weight.shape[1]}",
            )
        y = x @ weight.T
        if bias is not None:
            y += bias
        need_x, need_w, _ = ctx.needs_input_grad
        # only what backward reads (dx reads W, dW reads x), as PyTorch: a first layer's
        # weight is not saved, so a step on it before backward goes unnoticed there too
        ctx.save_for_backward(x if need_w else None, weight if need_x else None)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = _rows(grad)  # (…, out) -> (n, out): one product sums over every leading dim
        dx = grad @ weight if need_x else None
        dw = g2.T @ _rows(x) if need_w else None
        db = np.add.reduce(g2, 0) if need_b else None  # g2.sum(0) without its Python wrapper
        return dx, dw, db


def _rows(a):
    """(…, k) -> (n, k), n the product of the leading dims (1 for a 1-D a).

    Not ``reshape(-1, k)``: with k = 0 (a layer of width 0) the −1 is ambiguous.
    """
    return a if a.ndim == 2 else a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def linear(x, weight, bias=None):
    """y = x Wᵀ + b (``weight`` of shape (out, in), as in PyTorch).

    Mixed dtypes promote as ``matmul`` does: int64 x with float32 W gives float32.
    """
    if not isinstance(x, Tensor):  # the checks before the calls: this runs for every layer
        x = as_tensor("linear", x)
    if not isinstance(weight, Tensor):
        weight = as_tensor("linear", weight)
    w = weight.data  # arrays, not Tensor properties: this runs for every layer of every step
    if w.ndim != 2:
        raise ValueError(
            f"linear: weight must be 2-D (out_features, in_features), got shape {w.shape}"
        )
    if bias is not None:
        if not isinstance(bias, Tensor):
            bias = as_tensor("linear", bias)
        # (out,), or () and (1,) broadcast along it as in PyTorch; an (out, 1) bias would
        # broadcast too, to a wrong (…, out, out) result.  The common case is tested first:
        # building the tuple of allowed shapes costs ~1,000 CPU instructions a layer.
        shape = bias.data.shape
        if not (len(shape) == 1 and shape[0] == w.shape[0]) and shape not in ((1,), ()):
            raise ValueError(
                f"linear: bias of shape {bias.data.shape} does not match weight of shape "
                f"{w.shape}; expected a bias of shape ({w.shape[0]},)"
            )
    if x.data.dtype is not w.dtype and x.data.dtype != w.dtype:  # `is`: NumPy's dtypes are shared
        # NumPy would compute int64 @ float32 in float64, and every later layer with it
        x, weight = promote(x, weight)
    return Affine.apply(x, weight, bias)


class Linear(Module):
    """y = x Wᵀ + b;  weight (out_features, in_features), bias (out_features,).

    Both start as U(−1/√in_features, 1/√in_features), PyTorch's default.
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        check_device("Linear", device)  # PyTorch's device=: "cpu" is minidl's only device
        in_features = check_int("Linear", "in_features", in_features, 0)
        out_features = check_int("Linear", "out_features", out_features, 0)
        self.in_features = in_features
        self.out_features = out_features
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        bound = 1.0 / math.sqrt(in_features) if in_features > 0 else 0.0
        self.weight = Parameter(np.empty((out_features, in_features), dtype))
        init.uniform_(self.weight, -bound, bound)
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype))
            init.uniform_(self.bias, -bound, bound)
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        return linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
