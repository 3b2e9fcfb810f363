"""Sorting: ``sort`` and ``topk``, each returning ``(values, indices)`` as ``max(x, dim)`` does;
``argsort``, the indices alone.

The order is NumPy's *stable* argsort, always (``stable=False`` is accepted and
changes nothing): equal values keep their original order, in descending order
too, so ties come out the same on every run and every machine.  PyTorch's
default unstable sort may order ties differently (``topk([3, 1, 2, 1, 3], 2)``
gives indices [4, 0] there, [0, 4] here).  NaN counts as the largest value,
as in PyTorch.

``values`` is x at the sorted positions, taken with the recorded indexing op
(``GetItem``), so there is no new backward: with y = x[index], dx is zeros with
dy added at index (``ScatterGrad``), i.e. each gradient goes back to the
position its value came from.  ``indices`` (int64) carries no gradient.
"""

from collections import namedtuple

import numpy as np

from minidl._checks import check_bool, check_int
from minidl.autograd import op_error
from minidl.ops.elementwise import as_tensor
from minidl.ops.reduce import single_dim
from minidl.ops.shape import GetItem, Reshape
from minidl.tensor import Tensor

SortResult = namedtuple("SortResult", ["values", "indices"])
TopKResult = namedtuple("TopKResult", ["values", "indices"])


def _stable_order(a, axis, descending):
    """The indices that sort ``a`` along ``axis``; ties keep their original order."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    # argsort(-a) would fail for bool, wrap unsigned ints and reverse the order of ties:
    # sort the reversed array ascending and read the result backwards instead
    n = a.shape[axis]
    backwards = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return n - 1 - np.flip(backwards, axis)


def _take(x, order, axis):
    """x's values at ``order`` along ``axis``, recorded (the gradient goes back to them)."""
    grid = np.indices(order.shape, sparse=True)  # broadcastable aranges for the other axes
    return GetItem.apply(x, tuple(order if a == axis else g for a, g in enumerate(grid)))


def _check_dim(op, dim, x):
    # a 0-d tensor is sorted as one element: dim -1 or 0, as in PyTorch
    return single_dim(op, dim, max(x.ndim, 1))


def sort(x, dim=-1, descending=False, *, stable=False):
    """``(values, indices)``: x sorted along ``dim`` (ascending unless ``descending``).

    Always a stable sort (``stable`` is accepted for PyTorch's signature): ties keep
    their original order.  ``values[..., i, ...] = x[..., indices[..., i, ...], ...]``.
    """
    x = as_tensor("sort", x)
    descending = check_bool("sort", "descending", descending)
    d = _check_dim("sort", dim, x)
    if x.ndim == 0:
        return SortResult(Reshape.apply(x, ()), Tensor._make(np.zeros((), np.int64)))
    order = _stable_order(x.data, d, descending).astype(np.int64, copy=False)
    return SortResult(_take(x, order, d), Tensor._make(order))


def topk(x, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) along ``dim``.

    Ties go to the element that comes first; the result is always in sorted order
    (PyTorch leaves the order unspecified when ``sorted=False``; minidl sorts anyway).
    """
    x = as_tensor("topk", x)
    k = check_int("topk", "k", k)
    largest = check_bool("topk", "largest", largest)
    check_bool("topk", "sorted", sorted)
    d = _check_dim("topk", dim, x)
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise op_error(
            ValueError,
            f"topk: k={k} is out of range for dim {dim} of size {n} (tensor of shape "
            f"{x.shape}); expected 0 <= k <= {n}",
        )
    if x.ndim == 0:  # PyTorch gives the element back for k = 0 as well as k = 1
        return TopKResult(Reshape.apply(x, ()), Tensor._make(np.zeros((), np.int64)))
    order = _stable_order(x.data, d, largest)
    order = np.take(order, np.arange(k), axis=d).astype(np.int64, copy=False)
    return TopKResult(_take(x, order, d), Tensor._make(order))


def argsort(x, dim=-1, descending=False, *, stable=False):
    """The int64 indices that sort x along ``dim``: ``sort(x, ...).indices``.

    Always stable, as :func:`sort` (``stable`` is accepted for PyTorch's signature):
    equal values keep their original order, NaN sorts as the largest.  No gradient.
    """
    x = as_tensor("argsort", x)
    descending = check_bool("argsort", "descending", descending)
    d = _check_dim("argsort", dim, x)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    return Tensor._make(_stable_order(x.data, d, descending).astype(np.int64, copy=False))
