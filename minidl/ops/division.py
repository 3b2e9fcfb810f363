"""Division with rounding and remainders: ``floor_divide`` (``//``, no derivative),
``remainder`` (``%``, Python's sign) and ``fmod`` (C's sign); an integer division by zero
raises, as in PyTorch, rather than giving NumPy's 0."""

import numpy as np

from minidl.autograd import Function, op_error
from minidl.ops.arithmetic import _operands
from minidl.ops.operands import (
    result_dtype,
)


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """Integer division by zero: Python's ZeroDivisionError, and the RuntimeError PyTorch raises."""


def _refuse_zero_divisor(op, a, b):
    # NumPy warns and answers 0 for an integer x // 0 or x % 0, a silently wrong number
    if np.result_type(a, b).kind in "biu" and np.any(np.asarray(b) == 0):
        raise op_error(
            IntegerDivisionByZero,
            f"{op}: integer division by zero (a divisor of shape {np.shape(b)} holds a 0); "
            "PyTorch raises here too. Convert to float first for inf/nan instead",
        )


class Remainder(Function):
    """z = a mod b = a − b·⌊a/b⌋, with the sign of b (Python's %);
    dz/da = 1,  dz/db = −⌊a/b⌋  (⌊a/b⌋ is a step: constant between its jumps)"""

    @staticmethod
    def forward(ctx, a, b):
        _refuse_zero_divisor("remainder", a, b)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)  # dz/da = 1 needs neither
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.fmod(a, b)  # C's remainder: the sign of a
            # PyTorch's rule (np.remainder differs on the sign of a zero result: 0 % −3)
            wrong_sign = (z != 0) & ((z < 0) != (np.asarray(b) < 0))
            return np.where(wrong_sign, z + b, z)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad, -grad * np.floor_divide(a, b)


class FloorDivide(Function):
    """z = ⌊a/b⌋;  no derivative: backward raises, as PyTorch's does (it is 0 between the
    jumps and undefined at them, so a gradient through it is almost surely a mistake)"""

    differentiable = False  # not in OPS: `python -m minidl gradcheck` has nothing to check

    @staticmethod
    def forward(ctx, a, b):
        _refuse_zero_divisor("floor_divide", a, b)
        # float x // 0 is ±inf or nan (IEEE); the integer minimum // −1 wraps, as in PyTorch
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.floor_divide(a, b)  # the rounding of PyTorch's div(rounding_mode="floor")

    @staticmethod
    def backward(ctx, grad):
        raise op_error(
            RuntimeError,
            "floor_divide: the derivative of a // b is not implemented (PyTorch raises here "
            "too: it is 0 between the jumps of the floor and undefined at them). To use the "
            "quotient as a constant, call .detach() on it; for a gradient, use a / b",
        )


class Fmod(Function):
    """z = a − b·trunc(a/b), with the sign of a (C's fmod; −7 fmod 3 = −1, where −7 % 3 = 2);
    dz/da = 1,  dz/db = −trunc(a/b)  (trunc(a/b) is a step: constant between its jumps)"""

    @staticmethod
    def forward(ctx, a, b):
        _refuse_zero_divisor("fmod", a, b)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)  # dz/da = 1 needs neither
        with np.errstate(divide="ignore", invalid="ignore"):  # float x fmod 0 is NaN (IEEE)
            return np.fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad, -grad * np.trunc(a / b)


def _no_bool_division(op, a, b):
    if result_dtype(a, b) == np.bool_:
        raise TypeError(
            f"{op}: not defined for two bool operands (PyTorch refuses them too); "
            "convert one to an integer first, e.g. t.long()"
        )


def floor_divide(a, b):
    """⌊a / b⌋ elementwise, broadcasting (Python's //: rounds toward −∞, 7 // −2 = −4).

    Integers stay integers (int64 // int64 is int64), and an integer division by zero
    raises, as in PyTorch.  The result has no derivative: backward through it raises,
    as PyTorch's does; ``.detach()`` it to use it as a constant.
    """
    a, b = _operands("floor_divide", a, b)
    _no_bool_division("floor_divide", a, b)
    return FloorDivide.apply(a, b)


def remainder(a, b):
    """a mod b elementwise, broadcasting, with the sign of b as Python's % (−7 % 3 = 2).

    Integer division by zero raises, as in PyTorch.  dz/da = 1, dz/db = −⌊a/b⌋.
    """
    a, b = _operands("remainder", a, b)
    _no_bool_division("remainder", a, b)
    return Remainder.apply(a, b)


def fmod(input, other):
    """C's remainder a − b·trunc(a/b), with the sign of the dividend (fmod(−7, 3) = −1, where
    −7 % 3 = 2), broadcasting.  Integers stay integers and an integer division by zero
    raises, as in PyTorch; a float one gives NaN.  dz/da = 1, dz/db = −trunc(a/b)."""
    a, b = _operands("fmod", input, other)
    _no_bool_division("fmod", a, b)
    return Fmod.apply(a, b)
