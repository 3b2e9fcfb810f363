"""Bounds and choices: ``clamp`` (``clip``, ``clamp_min``, ``clamp_max``), ``maximum``,
``minimum`` and ``where``; the gradient goes to the input that was kept."""

import numpy as np

from minidl.autograd import Function, op_error
from minidl.ops.arithmetic import _operands
from minidl.ops.operands import (
    as_tensor,
    cast,
    operand,
    promote,
    result_dtype,
)
from minidl.tensor import Tensor


class Clamp(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo ≤ x ≤ hi, else 0;
    dy/dlo = 1 where x < lo,  dy/dhi = 1 where x > hi  (bounds: numbers or tensors)"""

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        if lo is None and hi is None:
            raise op_error(TypeError, "clamp: at least one of min and max must be given")
        if lo is not None and hi is not None and np.any(lo > hi):
            if np.ndim(lo) == np.ndim(hi) == 0:
                raise op_error(ValueError, f"clamp: min {lo} is greater than max {hi}")
            raise op_error(ValueError, "clamp: min is greater than max at some position")
        y = np.clip(x, lo, hi)
        inside = np.ones(y.shape, bool)  # the broadcast shape, when a bound is a tensor
        below = above = None
        if lo is not None:
            inside &= x >= lo
            below = x < lo
        if hi is not None:
            inside &= x <= hi
            above = x > hi
        ctx.save_for_backward(inside, below, above)
        return y

    @staticmethod
    def backward(ctx, grad):
        inside, below, above = ctx.saved_tensors
        _, need_lo, need_hi = ctx.needs_input_grad
        return (
            grad * inside,
            grad * below if need_lo else None,
            grad * above if need_hi else None,
        )


class Maximum(Function):
    """z = max(a, b) elementwise;  the gradient goes to the larger input (halved at ties)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a > b) + 0.5 * (a == b)
        return grad * share, grad * (1 - share)


class Minimum(Function):
    """z = min(a, b) elementwise;  the gradient goes to the smaller input (halved at ties)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a < b) + 0.5 * (a == b)
        return grad * share, grad * (1 - share)


class Where(Function):
    """z = a where cond else b;  dz/da = cond,  dz/db = not cond"""

    @staticmethod
    def forward(ctx, cond, a, b):
        cond = np.asarray(cond, bool)
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        zero = np.zeros((), grad.dtype)
        return None, np.where(cond, grad, zero), np.where(cond, zero, grad)


def clamp(x, min=None, max=None):
    """Limit x to [min, max]; either bound may be None, a number or a tensor (broadcast)."""
    return _clamp("clamp", x, min, max)


def clip(input, min=None, max=None):
    """:func:`clamp` under NumPy's name, as ``torch.clip``."""
    return _clamp("clip", input, min, max)


def _clamp(op, x, min, max):
    x = as_tensor(op, x)
    # numbers stay Python numbers (they never upcast a float32 x); arrays become tensors
    lo, hi = (None if b is None else operand(op, b) for b in (min, max))
    for bound in (lo, hi):  # PyTorch's result dtype: an integer x clamped to 0.5 is a float
        if bound is not None and result_dtype(x, bound) != x.data.dtype:
            x = cast(x, result_dtype(x, bound))
    lo, hi = (
        cast(b, x.dtype) if isinstance(b, Tensor) and b.dtype != x.dtype else b for b in (lo, hi)
    )
    try:
        return Clamp.apply(x, lo, hi)
    except ValueError as e:  # checked only after NumPy failed: the normal path pays nothing
        _clamp_broadcast(op, x, lo, hi)
        raise _renamed(e, op) from None
    except TypeError as e:
        raise _renamed(e, op) from None


def _renamed(e, op):
    # Clamp's own checks say "clamp:"; clip and clamp_min must name themselves
    msg = str(e)
    if op == "clamp" or not msg.startswith("clamp:"):
        return e
    plain = next(k for k in type(e).__mro__ if k.__module__ == "builtins")
    return op_error(plain, op + msg[5:])


def _clamp_broadcast(op, x, lo, hi):
    """Raise an error naming ``op`` and the shapes if x and the tensor bounds do not
    broadcast together (NumPy's own text names neither the op nor which bound)."""
    shapes = [("input", x.shape)] + [
        (name, b.shape) for name, b in (("min", lo), ("max", hi)) if isinstance(b, Tensor)
    ]
    for k in range(1, len(shapes)):
        try:
            np.broadcast_shapes(*(shape for _, shape in shapes[: k + 1]))
        except ValueError:
            named = [f"{name} of shape {shape}" for name, shape in shapes[: k + 1]]
            named = ", ".join(named[:-1]) + " and " + named[-1]
            raise op_error(
                ValueError,
                f"{op}: {named} do not broadcast together (each size must match or be 1, "
                "counting from the last dim)",
            ) from None


def _bound(op, name, value):
    # clamp_min(x, None) is a slip (PyTorch refuses it too): clamp's "at least one of min
    # and max" would not say which function or argument
    if value is None:
        raise TypeError(f"{op}: {name} must be a number or a tensor, got None")
    return value


def clamp_min(input, min):
    """max(x, min) elementwise: ``clamp(input, min=min)``."""
    return _clamp("clamp_min", input, _bound("clamp_min", "min", min), None)


def clamp_max(input, max):
    """min(x, max) elementwise: ``clamp(input, max=max)``."""
    return _clamp("clamp_max", input, None, _bound("clamp_max", "max", max))


def maximum(a, b):
    """Elementwise maximum of two tensors."""
    return Maximum.apply(*_operands("maximum", a, b))


def minimum(a, b):
    """Elementwise minimum of two tensors."""
    return Minimum.apply(*_operands("minimum", a, b))


_ONE_ARGUMENT = object()  # where(cond) alone: nothing given for a and b


def where(condition, input=_ONE_ARGUMENT, other=_ONE_ARGUMENT):
    """Pick from input where condition is true, else from other (condition carries no
    gradient).

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as in PyTorch: one
    int64 tensor of indices per dim (condition may then be of any dtype; non-zero counts).
    """
    cond, a, b = condition, input, other
    if a is _ONE_ARGUMENT and b is _ONE_ARGUMENT:
        from minidl.ops.search import nonzero  # search imports elementwise, hence this module

        return nonzero(cond, as_tuple=True)
    if a is _ONE_ARGUMENT or b is _ONE_ARGUMENT:
        raise TypeError(
            "where: expected where(condition, input, other), or where(condition) alone; "
            "got input or other without the other one"
        )
    if not isinstance(cond, Tensor):
        cond = Tensor._make(np.asarray(cond))
    if cond.data.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {cond.data.dtype}")
    a, b = operand("where", a), operand("where", b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor("where", a)  # two Python numbers: the default float dtype, as in tensor()
    # cond as a Tensor: backward can then tell when it was overwritten
    return Where.apply(cond, *promote(a, b))
