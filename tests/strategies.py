"""Shared by the tests: hypothesis strategies (shapes, broadcastable pairs, arrays, dims), helpers.

Shapes are small (gradcheck perturbs every element twice) and include 0-d
tensors and axes of size 1, the cases where broadcasting and reductions
most often go wrong.
"""

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minidl
from minidl import selfcheck
from minidl.autograd import Function
from minidl.tensor import Tensor

MAX_SIDE = 4


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=MAX_SIDE):
    """Array shapes with 0..3 axes of length 1..4 (0-d and size-1 axes included)."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_pair(min_dims=0, max_dims=3):
    """Two shapes that broadcast together (either may be smaller or have size-1 axes)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=MAX_SIDE
    ).map(lambda r: r.input_shapes)


def arrays(shape, low=-3.0, high=3.0):
    """float64 arrays of moderate magnitude (central differences stay accurate)."""
    return hnp.arrays(
        np.float64,
        shape,
        elements=st.floats(low, high, allow_nan=False, allow_infinity=False, width=64),
        fill=st.nothing(),  # every element drawn: no arrays of one repeated value
    )


def gradcheck(fn, inputs):
    """``minidl.gradcheck`` at the self-check's strict float64 tolerances (``selfcheck.ATOL``)."""
    return minidl.gradcheck(fn, inputs, atol=selfcheck.ATOL, rtol=selfcheck.RTOL)


def away_from(a, points, gap=1e-2):
    """``a`` with every element at least ``gap`` from each kink in ``points``.

    Non-differentiable points (|x| at 0, clamp at its bounds) make the central
    difference straddle the kink; moving values off them keeps the check about
    the derivative, not the kink.
    """
    a = np.array(a, dtype=np.float64)
    for p in points:
        close = np.abs(a - p) < gap
        a[close] = p + np.where(a[close] >= p, gap, -gap) * 2
    return a


def distinct(a, gap=1e-2):
    """``a`` with every pair of elements at least ``gap`` apart (no ties for max/min)."""
    a = np.array(a, dtype=np.float64)
    flat = a.reshape(-1)
    order = np.argsort(flat, kind="stable")
    flat[order] = flat[order] + gap * 2 * np.arange(flat.size)
    return a


def leaf(a):
    """A float64 leaf tensor that requires grad."""
    return Tensor._make(np.array(a, dtype=np.float64), True)


@st.composite
def shape_and_dim(draw, min_dims=1, max_dims=3, allow_none=True, allow_tuple=True):
    """A shape and a valid ``dim`` for it: an int (negative too), a tuple of axes, or None."""
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims))
    nd = len(shape)
    options = ["int"] if nd else []
    if allow_none:
        options.append("none")
    if allow_tuple and nd:
        options.append("tuple")
    kind = draw(st.sampled_from(options))
    if kind == "none":
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-nd, nd - 1))
    axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    signs = draw(st.lists(st.booleans(), min_size=len(axes), max_size=len(axes)))
    return shape, tuple(a - nd if neg else a for a, neg in zip(axes, signs))


def square_with_slope(k):
    """A Function y = x² whose backward returns k·x: right for k = 2, else a bug to catch."""

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * k * x

    return Square


@contextmanager
def raises(exc, *fragments):
    """pytest.raises that also checks the message contains every fragment, literally."""
    with pytest.raises(exc) as info:
        yield info
    msg = str(info.value)
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"
