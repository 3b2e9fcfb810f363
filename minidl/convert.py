"""Python data to NumPy arrays: ``as_array`` (what ``minidl.tensor(data)`` accepts, with
PyTorch's dtypes) and ``convert`` (a checked cast: no silent integer wrap-around)."""

import numpy as np

from minidl._checks import check_dtype, get_default_dtype, is_int, is_real


def convert(arr, dtype, op):
    """``arr`` as ``dtype``; a value the integer dtype cannot hold is an OverflowError.

    Floats are truncated toward zero (1.7 -> 1), as in PyTorch; NaN, ±inf and
    values out of the integer range are refused, where NumPy would wrap them
    silently (300 as uint8 is 44).  PyTorch refuses most of these too, but
    wraps a negative number into an unsigned type (-1 as uint8 is 255); minidl
    refuses it.
    """
    if dtype.kind in "iu" and arr.dtype.kind in "iuf" and arr.size and arr.dtype != dtype:
        info = np.iinfo(dtype)
        lo, hi = arr.min().item(), arr.max().item()  # Python numbers: exact comparisons
        if not (info.min <= lo and hi <= info.max):  # NaN fails too
            bad = hi if info.min <= lo else lo
            raise OverflowError(
                f"{op}: the value {bad} cannot be stored in {dtype} "
                f"(range {info.min} .. {info.max})"
            )
    return arr.astype(dtype, copy=False)


def as_array(data, dtype=None, op="tensor"):
    """Turn ``data`` (Tensor, array, nested lists, number) into an ndarray minidl accepts.

    Python floats become the default float dtype, Python ints int64; NumPy
    arrays and scalars keep their dtype.  Strings, objects and complex numbers are refused,
    and so are ints that int64 (or the ``dtype`` asked for) cannot hold.
    """
    if dtype is not None:
        dtype = check_dtype(op, dtype)
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, np.ndarray):
        arr = data
    else:
        # a flat list of Python numbers (the common case) needs neither pass below
        mixed = isinstance(data, (list, tuple)) and not set(map(type, data)) <= _PYTHON_NUMBERS
        if mixed:
            data = _unwrapped(data)  # tensors at any depth: their arrays (dtypes kept)
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError) as e:
            # only now, after NumPy failed: the rectangular (normal) path pays nothing for it
            where = _ragged(data) if isinstance(data, _NESTED) else None
            if where is not None:
                raise ValueError(f"{op}: the nested lists are ragged: {where}") from None
            raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__}: {e}") from None
        except OverflowError:  # NumPy refuses some ints beyond 64 bits outright
            raise OverflowError(f"{op}: an integer in the data does not fit in int64") from None
        if arr.dtype.kind == "O":
            _refuse_none(data, op)  # NumPy would make it NaN in a float array
        if dtype is not None and dtype.kind == "f":
            if arr.dtype.kind == "O":
                arr = _as_floats(data, dtype, op)  # ints beyond 64 bits, asked for as floats
        elif arr.dtype.kind == "O" and _has_float(data):
            arr = _as_floats(data, np.dtype(np.float64), op)  # big ints beside floats: floats
        elif arr.dtype.kind == "O" or (
            isinstance(data, (list, tuple))
            and arr.dtype == np.float64
            and arr.size
            and np.abs(arr).max() >= 2.0**63
        ):  # ints beyond int64 arrive as objects, or as floats when mixed with small ones
            _refuse_big_ints(data, arr, op)
        held = _numpy_scalar_dtype(data) if mixed else None
        if held is not None and dtype is None and arr.dtype.kind in "biuf":
            arr = convert(arr, held, op)  # a Python int beyond int64 is refused, not wrapped
        elif arr.dtype.kind == "f" and dtype is None and not isinstance(data, np.generic):
            arr = arr.astype(get_default_dtype())
        elif arr.dtype.kind in "iu" and dtype is None and not isinstance(data, np.generic):
            # Python ints in [2**63, 2**64) arrive as uint64: refused, not wrapped negative.
            # A NumPy scalar keeps its dtype (np.int32(3) is int32), as floats do, and in PyTorch
            arr = convert(arr, np.dtype(np.int64), op)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{op}: expected numeric data (bool, int or float), got {type(data).__name__} "
            f"with dtype {arr.dtype}"
        )
    if dtype is not None:
        arr = convert(arr, dtype, op)
    return arr


# what NumPy reads as a row of a nested list (a range too: tensor([range(3)]) is [[0, 1, 2]])
_NESTED = (list, tuple, range)


def _ragged(data):
    """Where a nested list stops being rectangular, as 'data[1] has length 2, expected 1
    (as data[0])', or None if it is rectangular.

    The expected length at each depth is that of the first list there (PyTorch's rule,
    "expected sequence of length 1 at dim 1 (got 2)"); arrays (tensors) inside count by
    their shape.
    """
    shape, x = [], data
    while True:  # the shape the first element at each depth implies
        if isinstance(x, np.ndarray):
            shape.extend(x.shape)
            break
        if not isinstance(x, _NESTED):
            break
        shape.append(len(x))
        if not x:
            break
        x = x[0]

    def name(path):
        return "data" + "".join(f"[{i}]" for i in path)

    def expected(depth):
        return name([0] * depth)

    stack = [(data, ())]
    while stack:
        x, path = stack.pop()
        depth = len(path)
        if isinstance(x, np.ndarray):
            if x.shape != tuple(shape[depth:]):
                return (
                    f"{name(path)} has shape {x.shape}, expected {tuple(shape[depth:])} "
                    f"(as {expected(depth)})"
                )
        elif isinstance(x, _NESTED):
            if depth >= len(shape):
                return (
                    f"{name(path)} is a {type(x).__name__} of length {len(x)}, expected a number "
                    f"(as {expected(depth)})"
                )
            if len(x) != shape[depth]:
                return (
                    f"{name(path)} has length {len(x)}, expected {shape[depth]} "
                    f"(as {expected(depth)})"
                )
            stack.extend((v, (*path, i)) for i, v in reversed(list(enumerate(x))))
        elif depth < len(shape):
            return (
                f"{name(path)} is {x!r}, not a list; expected a list of length "
                f"{shape[depth]} (as {expected(depth)})"
            )
    return None


def _numpy_scalar_dtype(data):
    """PyTorch's dtype for a (nested) list that holds NumPy scalars or arrays (tensors), or
    None if it holds none.

    As in ``torch.tensor``, a NumPy scalar keeps its dtype ([np.float64(0.1)] is float64,
    where NumPy's asarray cannot tell it from a Python float), a Python float counts as the
    default float dtype and a Python int as int64; the kinds promote as PyTorch's do (any
    float wins: [np.int64(1), 1.5] is float32)."""
    if not _holds_numpy(data):  # the common case, at C speed: no second slow pass
        return None
    dtypes, numpy_seen, stack = set(), False, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, (np.generic, np.ndarray)):  # a tensor in the list: its array
            numpy_seen = True
            dtypes.add(item.dtype)
        elif isinstance(item, bool):
            dtypes.add(np.dtype(np.bool_))
        elif isinstance(item, int):
            dtypes.add(np.dtype(np.int64))
        elif isinstance(item, float):
            dtypes.add(get_default_dtype())
    if not numpy_seen:
        return None
    for kinds in ("f", "iu", "b"):
        chosen = [d for d in dtypes if d.kind in kinds]
        if chosen:
            return np.result_type(*chosen)
    return None


_PYTHON_NUMBERS = frozenset((bool, int, float))


def _unwrapped(seq):
    """A (nested) list with every Tensor in it replaced by its array."""
    if set(map(type, seq)) <= _PYTHON_NUMBERS:
        return seq
    return [
        v.data if isinstance(v, Tensor) else _unwrapped(v) if type(v) in (list, tuple) else v
        for v in seq
    ]


def _object_leaves(data):
    return np.array(data, dtype=object).ravel() if np.ndim(data) else [data]


def _refuse_none(data, op):
    if any(v is None for v in _object_leaves(data)):
        raise TypeError(f"{op}: None is not a number (the data holds a None)")


def _has_float(data):
    leaves = _object_leaves(data)
    return all(is_real(v) for v in leaves) and any(
        isinstance(v, (float, np.floating)) for v in leaves
    )


def _holds_numpy(seq):
    """Whether a (nested) list holds a NumPy scalar or array anywhere."""
    types = set(map(type, seq))
    if types <= _PYTHON_NUMBERS:
        return False
    for v in seq:
        if type(v) is list or type(v) is tuple:
            if _holds_numpy(v):
                return True
        elif isinstance(v, (np.generic, np.ndarray)):
            return True
    return False


def _as_floats(data, dtype, op):
    try:
        return np.asarray(data, dtype=dtype)
    except (ValueError, TypeError, OverflowError) as e:
        raise TypeError(
            f"{op}: cannot make a {dtype} tensor from {type(data).__name__}: {e}"
        ) from None


def _refuse_big_ints(data, arr, op):
    """Python ints that int64 cannot hold are an OverflowError, as in PyTorch: NumPy would
    keep them as objects ("got dtype object") or, beside small ints, turn them all into floats."""
    leaves = np.array(data, dtype=object).ravel() if arr.ndim else [data]
    if all(is_int(v) for v in leaves):
        worst = max((int(v) for v in leaves), key=abs)
        raise OverflowError(
            f"{op}: integer {worst} does not fit in int64 (range {-(2**63)} .. {2**63 - 1})"
        )


def _import_late():
    """Import Tensor (``as_array`` accepts tensors).  minidl.tensor imports this module before
    Tensor exists (a Tensor's array is made here), and calls this once it does."""
    global Tensor
    from minidl.tensor import Tensor
