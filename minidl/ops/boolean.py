"""Elementwise ops with no gradient: ``compare`` (behind ``logic.py``'s comparisons), the
bitwise ``&`` ``|`` ``^`` ``~`` and ``logical_*`` operators, ``allclose`` and ``isclose``."""

import numpy as np

from minidl._checks import is_real
from minidl.autograd import op_error
from minidl.convert import as_array
from minidl.ops.operands import (
    as_tensor,
    operand,
    result_dtype,
)
from minidl.tensor import Tensor


def compare(ufunc, a, b):
    """A boolean tensor from a comparison ufunc; never part of a graph."""
    if b is None:  # t == None is False (and t != None True), as for any object in Python
        return ufunc is np.not_equal
    b = b.data if isinstance(b, Tensor) else operand(ufunc.__name__, b)
    if isinstance(b, Tensor):
        b = b.data
    try:
        return Tensor._make(np.asarray(ufunc(a.data, b)))
    except ValueError:
        raise op_error(
            ValueError,
            f"{ufunc.__name__}: shapes {a.shape} and {np.shape(b)} do not broadcast together",
        ) from None


def _integer_operands(op, a, b):
    """The arrays of a and b in their PyTorch result dtype, both bool or integer."""
    a, b = operand(op, a), operand(op, b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor._make(as_array(a, op=op))
    for v in (a, b):
        kind = v.data.dtype.kind if isinstance(v, Tensor) else type(v).__name__
        if kind not in ("b", "i", "u", "bool", "int"):
            what = f"a tensor of dtype {v.data.dtype}" if isinstance(v, Tensor) else repr(v)
            raise TypeError(
                f"{op}: defined for bool and integer operands only, got {what} (PyTorch "
                "refuses floats too); for a mask of floats compare first, e.g. (x > 0)"
            )
    d = result_dtype(a, b)
    # as_array refuses a Python int that the dtype cannot hold (int8 tensor & 300)
    return [
        v.data.astype(d, copy=False) if isinstance(v, Tensor) else as_array(v, d, op=op)
        for v in (a, b)
    ]


def _bitwise(op, ufunc, a, b):
    a, b = _integer_operands(op, a, b)
    try:
        return Tensor._make(np.asarray(ufunc(a, b)))
    except ValueError:
        raise op_error(
            ValueError, f"{op}: shapes {a.shape} and {b.shape} do not broadcast together"
        ) from None


def bitwise_and(a, b):
    """a & b elementwise for bool or integer tensors (no gradient)."""
    return _bitwise("bitwise_and", np.bitwise_and, a, b)


def bitwise_or(a, b):
    """a | b elementwise for bool or integer tensors (no gradient)."""
    return _bitwise("bitwise_or", np.bitwise_or, a, b)


def bitwise_xor(a, b):
    """a ^ b elementwise for bool or integer tensors (no gradient)."""
    return _bitwise("bitwise_xor", np.bitwise_xor, a, b)


def bitwise_not(a):
    """~a elementwise: logical not for bool, −a − 1 for integers (no gradient)."""
    a = as_tensor("bitwise_not", a)
    if a.data.dtype.kind not in "biu":
        raise TypeError(
            f"bitwise_not (~): defined for bool and integer tensors only, got dtype "
            f"{a.data.dtype} (PyTorch refuses floats too); for a float mask use (x == 0)"
        )
    return Tensor._make(np.invert(a.data))


def _logical(op, ufunc, a, b):
    a, b = as_tensor(op, a), operand(op, b)
    b = b.data if isinstance(b, Tensor) else b
    try:
        return Tensor._make(np.asarray(ufunc(a.data, b)))
    except ValueError:
        raise op_error(
            ValueError, f"{op}: shapes {a.shape} and {np.shape(b)} do not broadcast together"
        ) from None


def logical_and(a, b):
    """Elementwise "both non-zero", a bool tensor, for any dtypes (no gradient)."""
    return _logical("logical_and", np.logical_and, a, b)


def logical_or(a, b):
    """Elementwise "either non-zero", a bool tensor, for any dtypes (no gradient)."""
    return _logical("logical_or", np.logical_or, a, b)


def logical_xor(a, b):
    """Elementwise "exactly one non-zero", a bool tensor, for any dtypes (no gradient)."""
    return _logical("logical_xor", np.logical_xor, a, b)


def logical_not(a):
    """Elementwise "is zero", a bool tensor, for any dtype (no gradient)."""
    return Tensor._make(np.logical_not(as_tensor("logical_not", a).data))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if |a − b| ≤ atol + rtol·|b| everywhere (broadcasting), as ``torch.allclose``.

    A Python bool, never part of a graph.  NaNs are unequal unless ``equal_nan``;
    infinities of one sign are equal.  Two tensors must share a dtype (PyTorch
    refuses float32 against float64 too); a number, list or array ``b`` is
    compared by value, whatever its dtype.
    """
    bv = _close_operands("allclose", a, b, rtol, atol)
    return bool(np.allclose(a.data, bv, rtol=float(rtol), atol=float(atol), equal_nan=equal_nan))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a − b| ≤ atol + rtol·|b| elementwise (broadcasting), a bool tensor, as
    ``torch.isclose``: :func:`allclose` before its "everywhere".  No gradient.  NaNs are
    unequal unless ``equal_nan``; infinities of one sign are equal."""
    bv = _close_operands("isclose", a, b, rtol, atol)
    rtol, atol = float(rtol), float(atol)
    return Tensor._make(
        np.asarray(np.isclose(a.data, bv, rtol=rtol, atol=atol, equal_nan=equal_nan))
    )


def _close_operands(op, a, b, rtol, atol):
    """b's values for ``allclose``/``isclose`` after their checks."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor as the first argument, got {type(a).__name__}")
    if isinstance(b, Tensor):
        if a.data.dtype != b.data.dtype:
            raise TypeError(
                f"{op}: dtypes {a.data.dtype} and {b.data.dtype} differ (PyTorch "
                "refuses this too); convert one first, e.g. b.to(a.dtype)"
            )
        bv = b.data
    else:
        bv = operand(op, b)
        bv = bv.data if isinstance(bv, Tensor) else bv
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if not is_real(tol) or not tol >= 0:
            raise ValueError(f"{op}: {name} must be a number ≥ 0, got {tol!r}")
    try:
        np.broadcast_shapes(a.data.shape, np.shape(bv))
    except ValueError:
        raise ValueError(
            f"{op}: shapes {tuple(a.data.shape)} and {tuple(np.shape(bv))} do not "
            "broadcast together"
        ) from None
    return bv
