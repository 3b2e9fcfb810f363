"""Gradients on their way to an input: summed back to its shape, added up across paths.

``unbroadcast`` undoes broadcasting, ``ScatterGrad`` is the sparse gradient
of indexing, and ``_Buffer`` sums the gradients that reach one tensor by
several paths during a backward pass.
"""

from __future__ import annotations

import numpy as np

from minidl.autograd.function import op_error


class ScatterGrad:
    """Gradient of ``x[index]``: zeros of x's shape with ``values`` added at ``index``.

    Returned by the indexing op's backward and materialised by the engine
    straight into the input's gradient buffer, so that T slices of one tensor
    cost O(T · slice) instead of T full-size zero arrays (O(T²) in a loop).
    """

    __slots__ = ("shape", "dtype", "index", "values", "accumulate")

    def __init__(self, shape, dtype, index, values, accumulate):
        self.shape = shape
        self.dtype = dtype
        self.index = index
        self.values = values
        self.accumulate = accumulate  # True when the index may repeat an element

    def add_into(self, buf):
        if self.accumulate:
            np.add.at(buf, self.index, self.values)
        else:
            buf[self.index] += self.values
        return buf

    def dense(self):
        return self.add_into(np.zeros(self.shape, self.dtype))


def unbroadcast(grad, shape):
    """Sum ``grad`` back to ``shape``: the one place broadcasting is undone.

    If y = f(broadcast(x)), then dL/dx sums dL/dy over every axis along which x
    was repeated: the leading axes x lacked, and the axes where x has size 1.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0 or any(n != 1 and grad.shape[i + extra] != n for i, n in enumerate(shape)):
        # not the shape of input broadcast against something: no sum gives the input's shape
        raise op_error(
            ValueError,
            f"gradient of shape {grad.shape} cannot be summed back to the input's shape {shape}",
        )
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
    )
    g = grad.sum(axis=axes, keepdims=True) if axes else grad
    return g.reshape(shape)


class _Buffer:
    """A gradient summed from several paths during one backward pass.

    The first array that arrives may belong to someone else (an op often
    passes its upstream gradient through), so it is copied once, on the
    second arrival; later arrivals are added in place.
    """

    __slots__ = ("array", "owned")

    def __init__(self, g):
        if isinstance(g, ScatterGrad):
            self.array, self.owned = g.dense(), True
        else:
            self.array, self.owned = g, False

    def add(self, g):
        if not self.owned:
            self.array = np.array(self.array, copy=True, order="C")
            self.owned = True
        if isinstance(g, ScatterGrad):
            g.add_into(self.array)
        else:
            self.array += g
        return self


def _accumulate(current, g):
    """current + g, where either may be an array, a ScatterGrad or a _Buffer."""
    if current is None:
        return g
    if type(current) is not _Buffer:
        current = _Buffer(current)
    return current.add(g)


def _value(g):
    if type(g) is _Buffer:
        return g.array
    if type(g) is ScatterGrad:
        return g.dense()
    return g


def _check_grad(node, inp, g):
    if isinstance(g, ScatterGrad):
        if g.shape != inp.data.shape:
            raise op_error(
                RuntimeError,
                f"{node.name}: gradient of shape {g.shape} for an input of shape {inp.data.shape}",
            )
        if g.values.dtype != inp.data.dtype:
            g.values = g.values.astype(inp.data.dtype)
        return g
    if not isinstance(g, np.ndarray):
        g = np.asarray(g, dtype=inp.data.dtype)
    if g.shape != inp.data.shape:
        try:
            g = unbroadcast(g, inp.data.shape)
        except ValueError as e:
            raise op_error(RuntimeError, f"{node.name}: {e}") from None
    if g.dtype != inp.data.dtype:
        g = g.astype(inp.data.dtype)
    return g


def _existing_grad(t):
    """The array of ``t.grad``, checked to have ``t``'s shape before a gradient is added to it.

    A ``.grad`` assigned by hand with another shape would otherwise be broadcast.
    """
    if t.grad.shape != t.shape:
        raise RuntimeError(
            f"backward: the existing .grad of shape {t.grad.shape} does not match the tensor's "
            f"shape {t.shape}; set .grad to None (or zero_grad()) before backward"
        )
    return t.grad.data
