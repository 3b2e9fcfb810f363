"""Making tensors: from data, filled with constants, ranges, random numbers."""

import numpy as np

from minidl.random import generator
from minidl.tensor import Tensor, as_array, get_default_dtype


def _dtype(dtype):
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def _size(shape, op):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: expected a shape of integers, got {shape!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{op}: negative dimension in shape {shape}")
    return shape


def _new(array, requires_grad):
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (Python floats become float32 by default)."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def from_numpy(array):
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got {type(array).__name__}")
    return Tensor._make(as_array(array, op="from_numpy"))


def zeros(*shape, dtype=None, requires_grad=False):
    """A tensor of zeros."""
    return _new(np.zeros(_size(shape, "zeros"), _dtype(dtype)), requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    """A tensor of ones."""
    return _new(np.ones(_size(shape, "ones"), _dtype(dtype)), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``shape`` filled with ``fill_value``."""
    if dtype is None and isinstance(fill_value, (bool, int, np.bool_, np.integer)):
        dtype = np.bool_ if isinstance(fill_value, (bool, np.bool_)) else np.int64
    return _new(np.full(_size((shape,), "full"), fill_value, _dtype(dtype)), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    """Zeros with the shape (and dtype, unless given) of ``t``."""
    t = as_array(t, op="zeros_like")
    return _new(np.zeros(t.shape, dtype or t.dtype), requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    """Ones with the shape (and dtype, unless given) of ``t``."""
    t = as_array(t, op="ones_like")
    return _new(np.ones(t.shape, dtype or t.dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Evenly spaced values in [start, end); integers give int64, floats the default float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must not be zero")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else get_default_dtype()
    return _new(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from start to end inclusive."""
    return _new(np.linspace(start, end, steps, dtype=_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The identity matrix (n × m)."""
    return _new(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1) from minidl's seeded generator."""
    return _new(generator().random(_size(shape, "rand")).astype(_dtype(dtype)), requires_grad)


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal samples from minidl's seeded generator."""
    return _new(
        generator().standard_normal(_size(shape, "randn")).astype(_dtype(dtype)), requires_grad
    )


def randint(low, high, size, dtype=np.int64):
    """Integers uniform in [low, high) from minidl's seeded generator."""
    return _new(generator().integers(low, high, _size((size,), "randint")).astype(dtype), False)
