"""Questions with yes/no answers: comparisons (``gt``, ``lt``, ``ge``, ``le``, ``eq``, ``ne``),
``isnan``/``isinf``/``isfinite``, ``any``/``all`` along dims, and ``equal``.

Every answer is a bool tensor (``equal``: a Python bool), never part of a graph: a
comparison is a step function, flat wherever it is defined, so there is no gradient.
"""

import numpy as np

from minidl._checks import check_bool
from minidl.autograd import op_error
from minidl.ops.elementwise import as_tensor, compare
from minidl.ops.reduce import is_empty_dims, numpy_names, reduce_dims
from minidl.tensor import Tensor


def gt(a, b):
    """a > b elementwise, broadcasting (a bool tensor)."""
    return compare(np.greater, as_tensor("greater", a), b)


def lt(a, b):
    """a < b elementwise, broadcasting (a bool tensor)."""
    return compare(np.less, as_tensor("less", a), b)


def ge(a, b):
    """a ≥ b elementwise, broadcasting (a bool tensor)."""
    return compare(np.greater_equal, as_tensor("greater_equal", a), b)


def le(a, b):
    """a ≤ b elementwise, broadcasting (a bool tensor)."""
    return compare(np.less_equal, as_tensor("less_equal", a), b)


def eq(a, b):
    """a == b elementwise, broadcasting (a bool tensor)."""
    return compare(np.equal, as_tensor("equal", a), b)


def ne(a, b):
    """a != b elementwise, broadcasting (a bool tensor)."""
    return compare(np.not_equal, as_tensor("not_equal", a), b)


def isnan(x):
    """True where x is NaN (never for an integer or bool tensor)."""
    return Tensor._make(np.asarray(np.isnan(as_tensor("isnan", x).data)))


def isinf(x):
    """True where x is +inf or −inf."""
    return Tensor._make(np.asarray(np.isinf(as_tensor("isinf", x).data)))


def isfinite(x):
    """True where x is neither NaN nor ±inf (everywhere for an integer or bool tensor)."""
    return Tensor._make(np.asarray(np.isfinite(as_tensor("isfinite", x).data)))


def _logical_reduce(op, fn, x, dim, keepdim):
    x = as_tensor(op, x)
    keepdim = check_bool(op, "keepdim", keepdim)
    if is_empty_dims(dim):  # dim=() reduces no axis, as in PyTorch: each element's truth
        return Tensor._make(x.data.astype(bool))
    dims = reduce_dims(op, dim, x.ndim)
    return Tensor._make(np.asarray(fn(x.data, axis=dims, keepdims=keepdim)))


def any(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """True if some element is non-zero (NaN counts), over ``dim`` (an int, a tuple, None:
    every element, or (): none, as PyTorch); ``keepdim`` keeps the reduced axes with size 1.
    A bool tensor, for every input dtype (PyTorch answers in uint8 for a uint8 input)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("any", dim, keepdim, axis, keepdims)
    return _logical_reduce("any", np.any, x, dim, keepdim)


def all(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """True if every element is non-zero (NaN counts), over ``dim``; as :func:`any`."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("all", dim, keepdim, axis, keepdims)
    return _logical_reduce("all", np.all, x, dim, keepdim)


def equal(a, b):
    """True (a Python bool) if a and b have the same shape and the same values, as
    ``torch.equal``: dtypes may differ (1 equals 1.0); a NaN equals nothing, not even itself."""
    for name, t in (("first", a), ("second", b)):
        if not isinstance(t, Tensor):
            raise op_error(
                TypeError, f"equal: expected tensors, got {type(t).__name__} as the {name} argument"
            )
    return a.shape == b.shape and bool(np.array_equal(a.data, b.data))
