"""Argument checks shared by every op (is_real, check_int, check_bool, ...) and the
default float dtype (``get_default_dtype``, ``set_default_dtype``)."""

import numbers
import operator

import numpy as np

_DEFAULT_DTYPE = [np.dtype(np.float32)]


def get_default_dtype():
    """The float dtype of tensors made from Python floats (float32 unless changed)."""
    return _DEFAULT_DTYPE[0]


def set_default_dtype(dtype):
    """Set the float dtype of new tensors: ``np.float32`` (default) or ``np.float64``."""
    d = np.dtype(dtype)
    if d not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: expected float32 or float64, got {d}")
    _DEFAULT_DTYPE[0] = d


def is_real(v):
    """True for a real number that is not a bool: a float, an int, a NumPy scalar."""
    # plain float and int first: an isinstance check against numbers.Real costs ~1 µs
    return (
        type(v) is float
        or type(v) is int
        or (isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)))
    )


def is_int(v):
    """True for an integer that is not a bool (True as a size or an index is a slip)."""
    return type(v) is int or (
        isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))
    )


def check_int(op, name, value, minimum=None):
    """``value`` as a Python int (>= ``minimum``), else an error naming ``op`` and ``name``.

    Anything with ``__index__`` counts (NumPy ints); a float is refused rather
    than truncated, and a bool because True as a size is almost surely a slip.
    """
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError
        v = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{op}: {name} must be an int, got {value!r} ({type(value).__name__})"
        ) from None
    if minimum is not None and v < minimum:
        raise ValueError(f"{op}: {name} must be an int >= {minimum}, got {v}")
    return v


def check_bool(op, name, value):
    """``value`` as a Python bool if it is a bool (or NumPy bool), else a TypeError naming
    ``op`` and ``name``: a flag given 'no' or 1 is a slip that truthiness would hide (as in
    PyTorch, which refuses both)."""
    if type(value) is bool:
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"{op}: {name} must be True or False, got {value!r} ({type(value).__name__})")


def check_fraction(op, name, value):
    """Raise unless ``value`` is a number (not a bool) in [0, 1], such as a probability."""
    if not is_real(value):
        raise TypeError(
            f"{op}: {name} must be a number in [0, 1], got {value!r} ({type(value).__name__})"
        )
    if not 0.0 <= value <= 1.0:  # NaN fails both comparisons
        raise ValueError(f"{op}: {name} must be in [0, 1], got {value}")


def check_dtype(op, dtype):
    """``np.dtype(dtype)`` if minidl supports it (bool, an integer or a float), else a TypeError."""
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype") from None
    if d.kind not in "biuf":
        raise TypeError(
            f"{op}: dtype {d} is not supported; expected bool, an integer or a float dtype"
        )
    return d
