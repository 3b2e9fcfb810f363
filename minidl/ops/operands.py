"""How an op takes its operands: ``operand`` and ``as_tensor`` (a Tensor, a number or an
array), ``as_float_tensor``, and PyTorch's dtype promotion (``result_dtype``, ``promote``)
with the differentiable ``cast`` it rests on.

Imported by every op module (through ``minidl.ops.elementwise``, which re-exports them).
"""

import numpy as np

from minidl._checks import check_dtype, get_default_dtype
from minidl.autograd import Function
from minidl.convert import as_array
from minidl.tensor import Tensor


def operand(op, x):
    """Accept a Tensor, a Python/NumPy number or an array as an op's input.

    Python numbers stay Python numbers, so ``float32_tensor * 2.0`` stays float32.
    """
    if isinstance(x, Tensor) or type(x) in (int, float, bool):
        return x
    if isinstance(x, np.generic):
        return as_array(x, op=op).item()
    if isinstance(x, (np.ndarray, list, tuple)):
        return Tensor._make(as_array(x, op=op))
    raise TypeError(
        f"{op}: unsupported operand of type {type(x).__name__}; "
        "expected a Tensor, a number or an array"
    )


def as_tensor(op, x):
    """Like :func:`operand`, but always a Tensor (for ops whose first input is a tensor)."""
    if isinstance(x, Tensor):
        return x
    x = operand(op, x)
    return x if isinstance(x, Tensor) else Tensor._make(as_array(x, op=op))


# category of a dtype kind or a Python number type: bool < integer < float
CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, bool: 0, int: 1, float: 2}


def result_dtype(a, b, true_divide=False):
    """PyTorch's dtype for a ⊙ b, where each is a Tensor or a Python number.

    Of bool < integer < float, the higher category's dtype wins: int64 ⊙ float32
    is float32 (NumPy says float64) and an integer tensor ⊙ a Python float is the
    default float dtype.  Within one category NumPy's rule stands (float32 ⊙
    float64 → float64), except that a 0-d tensor yields to one with dimensions
    (float32 ⊙ 0-d float64 → float32).  ``true_divide``: integers give the
    default float dtype (7 / 2 = 3.5).
    """
    if not isinstance(a, Tensor):
        a, b = b, a  # a is a tensor: an op always has one
    da = a.data.dtype
    if isinstance(b, Tensor):
        db = b.data.dtype
        ca, cb = CATEGORY[da.kind], CATEGORY[db.kind]
        if ca != cb:
            d = da if ca > cb else db
        elif da == db or b.data.ndim == 0 < a.data.ndim:
            d = da
        elif a.data.ndim == 0 < b.data.ndim:
            d = db
        else:
            d = np.result_type(da, db)
    else:
        cb = CATEGORY[type(b)]
        if cb <= CATEGORY[da.kind]:
            d = da
        else:
            d = get_default_dtype() if cb == 2 else np.dtype(np.int64)
    if true_divide and d.kind != "f":
        d = get_default_dtype()
    return d


def promote(a, b, true_divide=False):
    """(a, b) with every tensor cast to :func:`result_dtype` (a differentiable cast)."""
    d = result_dtype(a, b, true_divide)
    if isinstance(a, Tensor) and a.data.dtype != d:
        a = cast(a, d)
    if isinstance(b, Tensor) and b.data.dtype != d:
        b = cast(b, d)
    return a, b


def as_float_tensor(op, x):
    """``as_tensor``, with integers and bools turned into the default float (exp, log, …)."""
    x = as_tensor(op, x)
    return x if x.data.dtype.kind == "f" else Tensor._make(x.data.astype(get_default_dtype()))


def _not_bool(op, x, hint):
    if x.data.dtype == np.bool_:
        raise TypeError(f"{op}: not defined for a bool tensor (PyTorch refuses it too); {hint}")


class Cast(Function):
    """y = x as another dtype;  dy/dx = 1 (the gradient is cast back)"""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def cast(x, dtype):
    """x converted to ``dtype``; the gradient flows back between float dtypes."""
    dtype = check_dtype("cast", dtype)
    if x.requires_grad and dtype.kind != "f":
        return Tensor._make(x.data.astype(dtype))
    return Cast.apply(x, dtype)
