"""``Tensor``: one NumPy array plus what autograd needs to know about it."""

from __future__ import annotations

import numbers
import operator
import sys
from collections import namedtuple

import numpy as np

__all__ = [
    "Tensor",
    "get_default_dtype",
    "set_default_dtype",
    "as_array",
    "check_device",
    "check_dtype",
    "check_int",
    "check_bool",
    "check_fraction",
    "is_real",
    "is_int",
]

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


MaxResult = namedtuple("MaxResult", ["values", "indices"])


# How tensors print (PyTorch's defaults); set_printoptions changes them
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": sys.maxsize, "edgeitems": 3, "linewidth": 80},
}
_PRINT = {**_PROFILES["default"], "sci_mode": None, "formatter": None}


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """How tensors print, as ``torch.set_printoptions``: digits after the point, the size
    above which a tensor is summarised with "...", the items kept at each edge then, the
    line width; ``profile`` ("default", "short", "full") sets all four first; ``sci_mode``
    True forces scientific notation, False forbids it, None lets NumPy choose."""
    op = "set_printoptions"
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"{op}: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        _PRINT.update(_PROFILES[profile])
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            # threshold may be math.inf (PyTorch's way to print everything)
            if name == "threshold" and value == float("inf"):
                value = sys.maxsize
            _PRINT[name] = check_int(op, name, value, 0)
    if sci_mode is not None:
        sci_mode = check_bool(op, "sci_mode", sci_mode)
    _PRINT["sci_mode"] = sci_mode
    digits = _PRINT["precision"]
    _PRINT["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"} if sci_mode else None


def _checked_view(op, t, out):
    """``out`` (t reshaped) if it shares t's memory; else the error PyTorch gives, as the
    copy reshape made would silently stop sharing memory with t."""
    if out.data.size and not np.may_share_memory(out.data, t.data):
        raise RuntimeError(
            f"{op}: a tensor of shape {t.shape} whose elements are not in row-major order in "
            f"memory (after .t(), .permute(), a strided slice, ...) cannot be seen as shape "
            f"{out.shape} without a copy; use .reshape(...) (it copies when it must) or "
            ".contiguous().view(...), as in PyTorch"
        )
    return out


def _not_an_array(t):
    """The message for a tensor whose ``.data`` was given something other than an array."""
    return (
        f"this tensor's .data is a {type(t.data).__name__}, not a NumPy array: in minidl, "
        ".data IS the array, so `p.data = <tensor>` and `p.data -= lr * p.grad` (NumPy turns "
        "it into p.data = p.data - <tensor>) replace it; write `p.data = t.data`, "
        "`p.data -= lr * p.grad.data`, or `with minidl.no_grad(): p -= lr * p.grad`"
    )


def _tensor_of_tensor(t, default):
    """Refuse ``Tensor(t)`` where PyTorch's answer (``t`` itself: its dtype, its memory, its
    place in the graph) cannot be matched by a new tensor."""
    dtype = t.data.dtype
    if dtype != default:
        # a copy of an int32 t as int32, or a default-float one (minidl's old answer), would
        # silently differ from PyTorch's on the first write, or in dtype
        article = "an" if dtype.name.startswith("int") else "a"
        raise TypeError(
            f"Tensor(t) with {article} {dtype} tensor t: PyTorch returns t itself ({dtype}, "
            f"sharing memory), not a {default} tensor; write t.clone() for {article} {dtype} copy, "
            f"or t.to(minidl.{default}) for {default}"
        )
    if t._requires_grad:
        # PyTorch's alias stays in the graph (gradients reach t); a new tensor would not
        raise TypeError(
            "Tensor(t) with a tensor t that requires grad: PyTorch returns t itself, in the "
            "graph; use t, t.clone() (a copy that passes gradients back to t) or t.detach()"
        )


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    ``data`` is the ``np.ndarray``; ``grad`` is a Tensor of the same shape
    filled by ``backward`` for leaves with ``requires_grad=True`` (and for
    intermediates that called ``retain_grad()``); ``grad_fn`` is the op that
    produced the tensor (None for leaves).
    """

    # _requires_grad is read by every op (apply); the public requires_grad checks what is set
    __slots__ = ("data", "grad", "_requires_grad", "grad_fn", "_out_index", "__weakref__")
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data=(), dtype=None, requires_grad=False):
        """``Tensor(data)`` is PyTorch's ``torch.Tensor(data)``: numbers of the default float
        dtype (``Tensor([1, 2])`` is float32).  ``minidl.tensor(data)`` keeps ints as int64."""
        if is_int(data) and (dtype is None or is_int(dtype)):
            # torch.Tensor(5) and torch.Tensor(2, 3) are sizes (uninitialised memory) there
            sizes = [str(v) for v in (data, dtype, requires_grad) if is_int(v)]
            raise TypeError(
                f"Tensor({', '.join(sizes)}): in PyTorch, ints here are a size; write "
                f"minidl.zeros({', '.join(sizes)}) for a tensor of that shape"
                + (f", or minidl.tensor({data}) for the number" if len(sizes) == 1 else "")
            )
        if dtype is None:
            dtype = get_default_dtype()
            if isinstance(data, Tensor):
                _tensor_of_tensor(data, dtype)
                # torch.Tensor(t) is an alias of t: the same memory, so writes show in both
                self._init(data, dtype, requires_grad, "Tensor", copy=False)
                return
        self._init(data, dtype, requires_grad, "Tensor")

    def _init(self, data, dtype, requires_grad, op="tensor", copy=True):
        """Fill a new tensor with a copy of ``data`` (``dtype`` None: the data's own dtype;
        ``copy=False``: its memory, where the dtype is its own); errors name ``op``, the
        function the user called."""
        arr = as_array(data, dtype, op)
        if copy and (arr is data or (isinstance(data, Tensor) and arr is data.data)):
            arr = arr.copy()  # like torch.tensor: a new tensor owns its data
        self.data = arr
        self.grad = None
        self.grad_fn = None
        self._out_index = 0
        self._requires_grad = False
        if check_bool(op, "requires_grad", requires_grad):  # "no" is not True
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, requires_grad=False, grad_fn=None, out_index=0):
        """Wrap an op's result without checks or copies (the hot path)."""
        t = object.__new__(cls)
        t.data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t._requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._out_index = out_index
        return t

    # ----- properties ------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self):
        """``device("cpu")``: minidl's only device (NumPy arrays live in the CPU's memory)."""
        return Device("cpu")

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded op (user inputs, parameters)."""
        return self.grad_fn is None

    @property
    def T(self):
        """Reverse all axes (transpose for a matrix)."""
        return _ops.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    def size(self, dim=None):
        """The shape, or its length along ``dim``."""
        shape = self.data.shape
        if dim is None:
            return shape
        if type(dim) is int and -len(shape) <= dim < len(shape):
            return shape[dim]
        return shape[_reduce.single_dim("size", dim, len(shape))]  # or its error

    def dim(self):
        return self.data.ndim

    def numel(self):
        return self.data.size

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:  # refused, not an empty iteration: a 0-d tensor is one number
            raise TypeError("iteration over a 0-d tensor (use .item() for its value)")
        return (self[i] for i in range(self.data.shape[0]))

    def numpy(self):
        """The underlying ndarray (shared, not copied); refuses while a graph records it."""
        if self.requires_grad:
            raise RuntimeError(
                "numpy: this tensor requires grad; call .detach().numpy() to get its values"
            )
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors convert, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    # ----- autograd --------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        """Mark a leaf as needing a gradient (in place); returns self."""
        requires_grad = check_bool("requires_grad_", "requires_grad", requires_grad)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad: only float tensors can require gradients, got dtype {self.dtype}"
            )
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad_: only a leaf can stop requiring grad; use detach()")
        self._requires_grad = requires_grad
        return self

    @property
    def requires_grad(self):
        """Whether ops on this tensor are recorded so that backward reaches it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        # checked as requires_grad_: `x.requires_grad = True` on an int tensor would else
        # give it a gradient cast to int (0 for every |g| < 1), and "no" would mean True
        value = check_bool("requires_grad", "requires_grad", value)
        if self.grad_fn is not None:  # as PyTorch, even True (requires_grad_(True) is allowed)
            raise RuntimeError(
                "requires_grad: you can only change requires_grad flags of leaf tensors; "
                "this one is the result of an op (use detach() for a leaf with its values)"
            )
        self.requires_grad_(value)

    def detach(self):
        """A new leaf sharing this tensor's data, cut from the graph."""
        return Tensor._make(self.data)

    def clone(self):
        """A copy in its own memory, still in the graph (the gradient flows back to self)."""
        return _ops.clone(self)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        if self.grad_fn is not None:
            _autograd.retain_grad(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` each time this tensor's gradient is computed, before it is
        used (to look at it, or to return a replacement); returns a handle with ``remove()``.
        As PyTorch: ``h.register_hook(lambda g: print(g.norm()))`` shows the gradient
        reaching ``h`` (for an LSTM's states, how it fades through time)."""
        return _autograd.register_hook(self, hook)

    def backward(self, gradient=None, retain_graph=False):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``gradient`` (same shape as self) is required unless self has one
        element.  The graph is freed afterwards unless ``retain_graph=True``.
        """
        _autograd.run_backward(self, gradient, retain_graph)

    # ----- display ---------------------------------------------------------
    def __repr__(self):
        if type(self.data) is not np.ndarray:
            raise TypeError(_not_an_array(self))
        body = np.array2string(
            self.data,
            separator=", ",
            prefix="tensor(",
            precision=_PRINT["precision"],
            threshold=_PRINT["threshold"],
            edgeitems=_PRINT["edgeitems"],
            max_line_width=_PRINT["linewidth"],
            suppress_small=_PRINT["sci_mode"] is False,
            formatter=_PRINT["formatter"],
        )
        extra = []
        if self.data.dtype not in (get_default_dtype(), np.int64, np.bool_):
            extra.append(f"dtype={self.data.dtype}")
        if self.grad_fn is not None:
            extra.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extra) + ")"

    def __format__(self, spec):
        # f"{loss:.4f}": a 0-d tensor formats as its number, as in PyTorch
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        if not spec:
            return str(self)
        raise TypeError(
            f"format: the spec {spec!r} needs a 0-d tensor, got shape {self.shape}; "
            "format t.item() or t.tolist()"
        )

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer one-element tensors can be used as an index")
        return int(self.data)

    __hash__ = object.__hash__

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    # ----- arithmetic ------------------------------------------------------
    def __add__(self, other):
        if _no_promotion(self, other):
            return _ew.Add.apply(self, other)
        return _ops.add(self, other)

    def __radd__(self, other):
        if _no_promotion(self, other):
            return _ew.Add.apply(other, self)
        return _ops.add(other, self)

    def __sub__(self, other):
        if _no_promotion(self, other):
            return _ew.Sub.apply(self, other)
        return _ops.sub(self, other)

    def __rsub__(self, other):
        if _no_promotion(self, other):
            return _ew.Sub.apply(other, self)
        return _ops.sub(other, self)

    def __mul__(self, other):
        if _no_promotion(self, other):
            return _ew.Mul.apply(self, other)
        return _ops.mul(self, other)

    def __rmul__(self, other):
        if _no_promotion(self, other):
            return _ew.Mul.apply(other, self)
        return _ops.mul(other, self)

    def __truediv__(self, other):
        if _no_promotion(self, other, float_only=True):
            return _ew.Div.apply(self, other)
        return _ops.div(self, other)

    def __rtruediv__(self, other):
        if _no_promotion(self, other, float_only=True):
            return _ew.Div.apply(other, self)
        return _ops.div(other, self)

    def __floordiv__(self, other):
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops.floor_divide(other, self)

    def __mod__(self, other):
        return _ops.remainder(self, other)

    def __rmod__(self, other):
        return _ops.remainder(other, self)

    # bitwise operators, for bool and integer tensors (masks: (x > 0) & (x < 1))
    def __and__(self, other):
        return _ops.bitwise_and(self, other)

    def __rand__(self, other):
        return _ops.bitwise_and(other, self)

    def __or__(self, other):
        return _ops.bitwise_or(self, other)

    def __ror__(self, other):
        return _ops.bitwise_or(other, self)

    def __xor__(self, other):
        return _ops.bitwise_xor(self, other)

    def __rxor__(self, other):
        return _ops.bitwise_xor(other, self)

    def __invert__(self):
        return _ops.bitwise_not(self)

    def __pow__(self, other):
        return _ops.pow(self, other)

    def __rpow__(self, other):
        return _ops.pow(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        try:  # free unless it raises: -x runs in training loops
            return _ew.Neg.apply(self)
        except TypeError:
            if self.data.dtype != np.bool_:
                raise
        # NumPy's bool-negative text is not minidl's: give neg()'s error
        return _ew._neg("neg (the - operator)", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __getitem__(self, index):
        return _ops.index(self, index)

    def __setitem__(self, index, value):
        self._write(index, value, "setitem")

    def _write(self, index, value, op):
        """``self[index] = value``, its errors naming ``op`` (setitem, fill_, copy_)."""
        _check_write(self, value, op)
        if value is None:  # NumPy would write NaN into a float array
            raise TypeError(
                f"{op}: cannot assign None to a tensor of dtype {self.data.dtype}; "
                "expected a number or a tensor"
            )
        parts = index if isinstance(index, tuple) else (index,)
        index = tuple(_shape_ops._index_part(i, op) for i in parts)  # as t[index] reads
        # in t's dtype, checked (300 into uint8 is an error); a Python float goes straight to
        # t's dtype, not through the default float32 first
        value = as_array(value, self.data.dtype, op=op)
        target = self.data
        *views, index = _shape_ops.torch_order(index, target.ndim)  # as t[index] reads
        for part in views:
            target = target[part]  # ints and slices: a view, so the write goes through
        try:
            target[index] = value
        except (IndexError, ValueError) as e:
            raise type(e)(
                f"{op}: writing a value of shape {value.shape} into a tensor of shape "
                f"{self.shape}: {e}"
            ) from None
        _autograd.note_write(self)

    # ----- in-place arithmetic: t += x writes into t's array, like torch's add_ ----------
    # Without these, Python would run t = t + x: in `for p in params: p -= lr * p.grad`
    # only the loop variable would change, and the model would silently never train.
    def __iadd__(self, other):
        return _in_place(self, "+=", np.add, Tensor.__add__, other)

    def __isub__(self, other):
        return _in_place(self, "-=", np.subtract, Tensor.__sub__, other)

    def __imul__(self, other):
        return _in_place(self, "*=", np.multiply, Tensor.__mul__, other)

    def __itruediv__(self, other):
        return _in_place(self, "/=", np.true_divide, Tensor.__truediv__, other)

    def __ipow__(self, other):
        return _in_place(self, "**=", np.power, Tensor.__pow__, other)

    # PyTorch's in-place methods (w.grad.zero_()).  A method cannot rebind the caller's
    # name as ``t += x`` does, so inside a graph they are refused (see _check_write).
    def add_(self, other, *, alpha=1):
        """t ← t + alpha·other, in place; returns t."""
        _check_write(self, other, "add_")
        return _in_place(self, "add_", np.add, None, other if alpha == 1 else other * alpha)

    def sub_(self, other, *, alpha=1):
        """t ← t − alpha·other, in place; returns t."""
        _check_write(self, other, "sub_")
        return _in_place(self, "sub_", np.subtract, None, other if alpha == 1 else other * alpha)

    def mul_(self, other):
        """t ← t · other, in place; returns t."""
        _check_write(self, other, "mul_")
        return _in_place(self, "mul_", np.multiply, None, other)

    def div_(self, other):
        """t ← t / other, in place (float tensors); returns t."""
        _check_write(self, other, "div_")
        return _in_place(self, "div_", np.true_divide, None, other)

    def fill_(self, value):
        """Every element ← value, in place; returns t."""
        self._write(..., value, "fill_")
        return self

    def zero_(self):
        """Every element ← 0, in place; returns t."""
        return self.fill_(0)

    def copy_(self, src):
        """t ← src (broadcast to t's shape, converted to t's dtype), in place; returns t."""
        self._write(..., src, "copy_")
        return self

    def clamp_(self, min=None, max=None):
        """t ← clamp(t, min, max), in place (bounds: numbers or tensors broadcast to t);
        returns t."""
        return self._clamp_in_place("clamp_", _ops.clamp, min, max)

    def clip_(self, min=None, max=None):
        """t ← clip(t, min, max), in place: :meth:`clamp_` under NumPy's name; returns t."""
        return self._clamp_in_place("clip_", _ops.clip, min, max)

    def _clamp_in_place(self, op, clamp, min, max):
        for bound in (min, max):
            _check_write(self, bound, op)
        _write_result(self, clamp(self.detach(), _detached(min), _detached(max)), op)
        return self

    def masked_fill_(self, mask, value):
        """t ← value where the bool ``mask`` (broadcast to t) is True, in place; returns t."""
        _check_write(self, value, "masked_fill_")
        result = _ops.masked_fill(self.detach(), mask, _detached(value))
        _write_result(self, result, "masked_fill_")
        return self

    def detach_(self):
        """Cut this tensor from the graph in place: a leaf that does not require grad; returns t.

        Unlike PyTorch, an op that used t *before* ``detach_`` then no longer passes its
        gradient back through t either (minidl's graph reads t's ``grad_fn`` at backward
        time); call ``detach_`` before using t, or use ``u = t.detach()``.

        A view made in the graph (``(x * 2)[1:]``, ``.view``, ``.T``) is refused, as in
        PyTorch ("Can't detach views in-place"): it shares memory with the tensor it was
        taken from, which stays in the graph.  PyTorch refuses a view made outside a graph
        too; minidl does not record those (to it they are plain leaves), and cutting them
        is the no-op it would be for any leaf.
        """
        node = self.grad_fn
        if node is not None and self.data.base is not None and node.inputs is not None:
            owner = _autograd._owner(self.data)
            for inp in node.inputs:
                if isinstance(inp, Tensor) and _autograd._owner(inp.data) is owner:
                    raise RuntimeError(
                        f"detach_: this tensor is a view of another ({node.name} made it from "
                        f"a tensor of shape {inp.shape}), and a view cannot be detached in "
                        "place, as in PyTorch; use v = t.detach() instead"
                    )
        self.grad_fn = None
        self._requires_grad = False
        self._out_index = 0
        return self

    def uniform_(self, a=0.0, b=1.0):
        """Fill with samples of U(a, b) from minidl's generator, in place; returns t."""
        _check_write(self, None, "uniform_")
        from minidl.nn import init  # nn imports tensor: a top-level import would be circular

        return init.uniform_(self, a, b)

    def normal_(self, mean=0.0, std=1.0):
        """Fill with samples of N(mean, std²) from minidl's generator, in place; returns t."""
        _check_write(self, None, "normal_")
        from minidl.nn import init

        return init.normal_(self, mean, std)

    # comparisons: boolean tensors, never part of a graph
    def __eq__(self, other):
        return _ops.compare(np.equal, self, other)

    def __ne__(self, other):
        return _ops.compare(np.not_equal, self, other)

    def eq(self, other):
        """``self == other`` elementwise (a bool tensor), PyTorch's method form."""
        return _ops.compare(np.equal, self, other)

    def ne(self, other):
        """``self != other`` elementwise (a bool tensor)."""
        return _ops.compare(np.not_equal, self, other)

    def __lt__(self, other):
        return _ops.compare(np.less, self, other)

    def __le__(self, other):
        return _ops.compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _ops.compare(np.greater, self, other)

    def __ge__(self, other):
        return _ops.compare(np.greater_equal, self, other)

    # ----- methods mirroring minidl.<op> -----------------------------------
    def add(self, other):
        return _ops.add(self, other)

    def sub(self, other):
        return _ops.sub(self, other)

    def mul(self, other):
        return _ops.mul(self, other)

    def div(self, other):
        return _ops.div(self, other)

    def pow(self, exponent):
        return _ops.pow(self, exponent)

    def matmul(self, other):
        return _ops.matmul(self, other)

    def mm(self, other):
        return _ops.mm(self, other)

    def bmm(self, other):
        return _ops.bmm(self, other)

    def dot(self, other):
        return _ops.dot(self, other)

    # matrix products (PyTorch has no Tensor.tensordot or Tensor.einsum)
    def outer(self, vec2):
        return _ops.outer(self, vec2)

    def ger(self, vec2):
        return _ops.ger(self, vec2)

    def inner(self, other):
        return _ops.inner(self, other)

    def mv(self, vec):
        return _ops.mv(self, vec)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def cross(self, other, dim=None):
        return _ops.cross(self, other, dim)

    def kron(self, other):
        return _ops.kron(self, other)

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def tanh(self):
        if self.data.dtype.kind == "f":
            return _elementary.Tanh.apply(self)  # the hot case, without the wrapper's dtype check
        return _ops.tanh(self)  # integers and bools: the default float, as minidl.tanh

    def sin(self):
        return _ops.sin(self)

    def cos(self):
        return _ops.cos(self)

    def prod(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.prod(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def cumsum(self, dim=None, *, dtype=None, axis=None):
        return _ops.cumsum(self, dim, dtype=dtype, axis=axis)

    def norm(self, p=2, dim=None, keepdim=False):
        return _ops.norm(self, p, dim, keepdim)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.isclose(self, other, rtol, atol, equal_nan)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def relu(self):
        return _ops.relu(self)

    def abs(self):
        return _ops.abs(self)

    def clamp(self, min=None, max=None):
        return _ops.clamp(self, min, max)

    def clip(self, min=None, max=None):
        return _ops.clip(self, min, max)

    def maximum(self, other):
        return _ops.maximum(self, other)

    def minimum(self, other):
        return _ops.minimum(self, other)

    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.sum(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.mean(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def var(
        self, dim=None, *, correction=1, keepdim=False, unbiased=None, axis=None, keepdims=None
    ):
        return _ops.var(
            self,
            dim,
            correction=correction,
            keepdim=keepdim,
            unbiased=unbiased,
            axis=axis,
            keepdims=keepdims,
        )

    def std(
        self, dim=None, *, correction=1, keepdim=False, unbiased=None, axis=None, keepdims=None
    ):
        return _ops.std(
            self,
            dim,
            correction=correction,
            keepdim=keepdim,
            unbiased=unbiased,
            axis=axis,
            keepdims=keepdims,
        )

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def gt(self, other):
        """``self > other`` elementwise (a bool tensor)."""
        return _ops.compare(np.greater, self, other)

    def lt(self, other):
        """``self < other`` elementwise (a bool tensor)."""
        return _ops.compare(np.less, self, other)

    def ge(self, other):
        """``self >= other`` elementwise (a bool tensor)."""
        return _ops.compare(np.greater_equal, self, other)

    def le(self, other):
        """``self <= other`` elementwise (a bool tensor)."""
        return _ops.compare(np.less_equal, self, other)

    def isnan(self):
        return _ops.isnan(self)

    def isinf(self):
        return _ops.isinf(self)

    def isfinite(self):
        return _ops.isfinite(self)

    def equal(self, other):
        """True (a Python bool) if ``other`` has this shape and these values."""
        return _ops.equal(self, other)

    def gather(self, dim, index):
        return _ops.gather(self, dim, index)

    def flip(self, *dims, **kwargs):
        return _ops.flip(self, *dims, **kwargs)  # dims=[...] as a keyword too

    def argsort(self, dim=-1, descending=False, *, stable=False):
        return _ops.argsort(self, dim, descending, stable=stable)

    def sign(self):
        return _ops.sign(self)

    def round(self, *, decimals=0):
        return _ops.round(self, decimals=decimals)

    def unbind(self, dim=0):
        return _ops.unbind(self, dim)

    def tril(self, diagonal=0):
        return _ops.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _ops.triu(self, diagonal)

    def reshape_as(self, other):
        """This tensor reshaped to ``other``'s shape."""
        return _ops.reshape(self, *other.shape)

    def reshape(self, *shape):
        return _ops.reshape(self, *shape)

    def view(self, *shape):
        """The same memory seen with another shape; like PyTorch, an error where that needs a
        copy (a transposed or permuted tensor): ``reshape`` copies then."""
        return _checked_view("view", self, _ops.reshape(self, *shape))

    def view_as(self, other):
        """This tensor viewed with ``other``'s shape (``view``)."""
        return _checked_view("view_as", self, _ops.reshape(self, *other.shape))

    def is_contiguous(self):
        """True if the elements lie in memory in row-major order (C order), as ``view`` needs."""
        return bool(self.data.flags.c_contiguous)

    def expand_as(self, other):
        """This tensor broadcast to ``other``'s shape (``expand``)."""
        return _ops.expand(self, *other.shape)

    def type_as(self, other):
        """This tensor cast to ``other``'s dtype (itself when the dtype already matches)."""
        if not isinstance(other, Tensor):
            raise TypeError(f"type_as: other must be a Tensor, got {type(other).__name__}")
        return self if other.dtype == self.data.dtype else _ops.cast(self, other.dtype)

    def repeat(self, *sizes):
        """Tiled ``sizes[i]`` times along axis i; extra leading sizes add axes."""
        return _ops.repeat(self, *sizes)

    def masked_fill(self, mask, value):
        """A copy with ``value`` where the bool ``mask`` is True (the gradient is 0 there)."""
        return _ops.masked_fill(self, mask, value)

    def sort(self, dim=-1, descending=False, *, stable=False):
        return _ops.sort(self, dim, descending, stable=stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _ops.topk(self, k, dim, largest, sorted)

    def floor_divide(self, other):
        return _ops.floor_divide(self, other)

    def remainder(self, other):
        return _ops.remainder(self, other)

    # rounding, elementary functions, arithmetic, bitwise and logical operators
    def floor(self):
        return _ops.floor(self)

    def ceil(self):
        return _ops.ceil(self)

    def trunc(self):
        return _ops.trunc(self)

    def frac(self):
        return _ops.frac(self)

    def square(self):
        return _ops.square(self)

    def reciprocal(self):
        return _ops.reciprocal(self)

    def rsqrt(self):
        return _ops.rsqrt(self)

    def log1p(self):
        return _ops.log1p(self)

    def expm1(self):
        return _ops.expm1(self)

    def log2(self):
        return _ops.log2(self)

    def log10(self):
        return _ops.log10(self)

    def sinh(self):
        return _ops.sinh(self)

    def cosh(self):
        return _ops.cosh(self)

    def asin(self):
        return _ops.asin(self)

    def acos(self):
        return _ops.acos(self)

    def atan(self):
        return _ops.atan(self)

    def erf(self):
        return _ops.erf(self)

    def neg(self):
        return _ops.neg(self)

    def negative(self):
        return _ops.negative(self)

    def atan2(self, other):
        return _ops.atan2(self, other)

    def hypot(self, other):
        return _ops.hypot(self, other)

    def lerp(self, end, weight):
        return _ops.lerp(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1):
        return _ops.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return _ops.addcdiv(self, tensor1, tensor2, value=value)

    def fmod(self, other):
        return _ops.fmod(self, other)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def clamp_min(self, min):
        return _ops.clamp_min(self, min)

    def clamp_max(self, max):
        return _ops.clamp_max(self, max)

    def bitwise_and(self, other):
        return _ops.bitwise_and(self, other)

    def bitwise_or(self, other):
        return _ops.bitwise_or(self, other)

    def bitwise_xor(self, other):
        return _ops.bitwise_xor(self, other)

    def bitwise_not(self):
        return _ops.bitwise_not(self)

    def logical_and(self, other):
        return _ops.logical_and(self, other)

    def logical_or(self, other):
        return _ops.logical_or(self, other)

    def logical_xor(self, other):
        return _ops.logical_xor(self, other)

    def logical_not(self):
        return _ops.logical_not(self)

    def nonzero(self, *, as_tuple=False):
        return _ops.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def multinomial(self, num_samples, replacement=False):
        from minidl import creation  # creation imports tensor: a top-level import is circular

        return creation.multinomial(self, num_samples, replacement)

    # views, rearranging copies and reductions: narrow, roll, repeat_interleave, tile, movedim,
    # diag, median, …
    def narrow(self, dim, start, length):
        return _ops.narrow(self, dim, start, length)

    def roll(self, shifts, dims=None):
        return _ops.roll(self, shifts, dims)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return _ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, *dims):
        """``x.tile(2, 3)`` or ``x.tile((2, 3))``, as ``minidl.tile``."""
        return _ops.tile(self, dims[0] if len(dims) == 1 and not is_int(dims[0]) else dims)

    def movedim(self, source, destination):
        return _ops.movedim(self, source, destination)

    def moveaxis(self, source, destination):
        return _ops.moveaxis(self, source, destination)

    def swapaxes(self, axis0, axis1):
        return _ops.swapaxes(self, axis0, axis1)

    def swapdims(self, dim0, dim1):
        return _ops.swapdims(self, dim0, dim1)

    def broadcast_to(self, *shape):
        """``x.broadcast_to(2, 3)`` or ``x.broadcast_to((2, 3))``, as ``minidl.broadcast_to``."""
        return _ops.broadcast_to(self, shape[0] if len(shape) == 1 else shape)

    def unflatten(self, dim, sizes):
        return _ops.unflatten(self, dim, sizes)

    def diag(self, diagonal=0):
        return _ops.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _ops.diagonal(self, offset, dim1, dim2)

    def trace(self):
        return _ops.trace(self)

    def cumprod(self, dim=None, *, dtype=None, axis=None):
        return _ops.cumprod(self, dim, dtype=dtype, axis=axis)

    def median(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.median(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def count_nonzero(self, dim=None, *, axis=None):
        return _ops.count_nonzero(self, dim, axis=axis)

    def where(self, condition, other):
        """This tensor where ``condition`` is True, else ``other``: ``minidl.where(condition,
        self, other)``."""
        return _ops.where(condition, self, other)

    @property
    def mT(self):
        """The last two dims swapped (a batch of matrices transposed); a 0-d tensor as it is."""
        if self.data.ndim == 1:
            raise ValueError(
                f"mT: expects a matrix or a batch of matrices (at least 2 dims), got shape "
                f"{self.shape}"
            )
        return _ops.transpose(self, -2, -1) if self.data.ndim else self

    # selection and writes by index tensors (minidl/ops/indexing.py, minidl/ops/scatter.py)
    def index_select(self, dim, index):
        return _ops.index_select(self, dim, index)

    def masked_select(self, mask):
        return _ops.masked_select(self, mask)

    def take(self, index):
        return _ops.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _ops.take_along_dim(self, indices, dim)

    def scatter(self, dim, index, src=None, *, value=None):
        return _ops.scatter(self, dim, index, src, value=value)

    def scatter_add(self, dim, index, src):
        return _ops.scatter_add(self, dim, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        return _ops.index_add(self, dim, index, source, alpha=alpha)

    def index_fill(self, dim, index, value):
        return _ops.index_fill(self, dim, index, value)

    def index_copy(self, dim, index, source):
        return _ops.index_copy(self, dim, index, source)

    def scatter_(self, dim, index, src=None, *, value=None):
        """``scatter``, written into this tensor (outside a graph, as ``masked_fill_``);
        returns t."""
        _check_write(self, src, "scatter_")
        _check_write(self, value, "scatter_")
        result = _ops.scatter(self.detach(), dim, index, _detached(src), value=_detached(value))
        _write_result(self, result, "scatter_")
        return self

    def scatter_add_(self, dim, index, src):
        """``scatter_add``, written into this tensor (outside a graph); returns t."""
        _check_write(self, src, "scatter_add_")
        _write_result(
            self, _ops.scatter_add(self.detach(), dim, index, _detached(src)), "scatter_add_"
        )
        return self

    def index_add_(self, dim, index, source, *, alpha=1):
        """``index_add``, written into this tensor (outside a graph); returns t."""
        _check_write(self, source, "index_add_")
        result = _ops.index_add(self.detach(), dim, index, _detached(source), alpha=alpha)
        _write_result(self, result, "index_add_")
        return self

    def index_fill_(self, dim, index, value):
        """``index_fill``, written into this tensor (outside a graph); returns t."""
        _check_write(self, value, "index_fill_")
        _write_result(
            self, _ops.index_fill(self.detach(), dim, index, _detached(value)), "index_fill_"
        )
        return self

    def index_copy_(self, dim, index, source):
        """``index_copy``, written into this tensor (outside a graph); returns t."""
        _check_write(self, source, "index_copy_")
        _write_result(
            self, _ops.index_copy(self.detach(), dim, index, _detached(source)), "index_copy_"
        )
        return self

    # new_*: new leaves with this tensor's dtype (unless ``dtype`` is given), outside any graph
    def new_full(self, size, fill_value, *, dtype=None, requires_grad=False):
        from minidl import creation  # creation imports tensor: a top-level import is circular

        dtype = self.data.dtype if dtype is None else dtype
        return creation.filled(size, fill_value, dtype, requires_grad, "new_full")

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        from minidl import creation

        dtype = self.data.dtype if dtype is None else dtype
        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return creation.filled(size, 0, dtype, requires_grad, "new_zeros")

    def new_ones(self, *size, dtype=None, requires_grad=False):
        from minidl import creation

        dtype = self.data.dtype if dtype is None else dtype
        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return creation.filled(size, 1, dtype, requires_grad, "new_ones")

    def new_tensor(self, data, *, dtype=None, requires_grad=False):
        """A copy of ``data`` as a new leaf of this tensor's dtype (a float into ints truncates)."""
        t = Tensor.__new__(Tensor)
        t._init(data, self.data.dtype if dtype is None else dtype, requires_grad)
        return t

    def t(self):
        """The transpose of a matrix (a tensor of ≤ 2 dims; 0-d and 1-d come back as a view of
        the same values, as in PyTorch)."""
        if self.data.ndim > 2:
            raise ValueError(
                f"t: expects a tensor of at most 2 dims, got shape {self.shape}; "
                "use transpose(dim0, dim1) or permute"
            )
        return _ops.transpose(self, 0, -1)  # ≤ 1 dim: a recorded view, as PyTorch's

    def contiguous(self):
        """This tensor if its array is C-contiguous, else a recorded copy (``clone``)."""
        return self if self.data.flags.c_contiguous else self.clone()

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return _ops.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _ops.permute(self, *dims)

    def squeeze(self, dim=None):
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _ops.unsqueeze(self, dim)

    def expand(self, *shape):
        return _ops.expand(self, *shape)

    def split(self, split_size_or_sections, dim=0):
        return _ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _ops.chunk(self, chunks, dim)

    def softmax(self, dim=None):
        return _ops.softmax(self, dim)

    def log_softmax(self, dim=None):
        return _ops.log_softmax(self, dim)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False):
        """This tensor with another dtype: a recorded cast (differentiable between floats),
        or ``self`` when the dtype already matches, as in PyTorch (``copy=True`` copies).

        PyTorch's device arguments are accepted for the one device minidl has:
        ``t.to("cpu")`` is ``t`` itself, ``t.to("cpu", np.float64)`` a cast.
        """
        dtype = to_arguments("Tensor.to", args, device, dtype)
        if copy:
            return _ops.cast(self, self.data.dtype if dtype is None else dtype)
        return self if dtype is None else self._cast(dtype)

    def _cast(self, dtype):
        # no copy when nothing changes, as PyTorch: a write through either name shows in both
        return self if self.data.dtype == dtype else _ops.cast(self, dtype)

    def type(self, dtype=None, non_blocking=False):
        """Without ``dtype``, PyTorch's type name ('torch.FloatTensor' for float32).  With one
        (a dtype, or a name such as 'torch.LongTensor'), this tensor cast to it: itself when
        the dtype already matches, else a recorded cast, as ``to``."""
        if dtype is None:
            return "torch." + _TYPE_NAMES[self.data.dtype.newbyteorder("=")]  # '>f4' too
        if isinstance(dtype, str):
            dtype = _dtype_of_type_name("Tensor.type", dtype)
        return self._cast(check_dtype("Tensor.type", dtype))

    def cpu(self):
        """``self``: minidl's arrays always live in the CPU's memory (PyTorch compatibility)."""
        return self

    def cuda(self, device=None, non_blocking=False):
        """Always an error: minidl has no GPU (``minidl.cuda.is_available()`` is False)."""
        check_device("Tensor.cuda", "cuda")

    def float(self):
        return self._cast(_FLOAT32)

    def double(self):
        return self._cast(_FLOAT64)

    def long(self):
        return self._cast(_INT64)

    def int(self):
        return self._cast(_INT32)

    def bool(self):
        return self._cast(_BOOL)

    def half(self):
        return self._cast(np.dtype(np.float16))

    def short(self):
        return self._cast(np.dtype(np.int16))

    def char(self):
        return self._cast(np.dtype(np.int8))

    def byte(self):
        return self._cast(np.dtype(np.uint8))

    def is_floating_point(self):
        """True for a float dtype, as PyTorch's."""
        return self.data.dtype.kind == "f"


from minidl import autograd as _autograd  # noqa: E402  (circular: autograd wraps results in Tensor)
from minidl import ops as _ops  # noqa: E402
from minidl.ops import elementary as _elementary  # noqa: E402
from minidl.ops import elementwise as _ew  # noqa: E402
from minidl.ops import reduce as _reduce  # noqa: E402
from minidl.ops import shape as _shape_ops  # noqa: E402


class Device:
    """PyTorch's ``torch.device`` (``minidl.device``), for minidl's one device: ``device("cpu")``.

    So that ``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``
    and ``model.to(device)`` run unchanged (``minidl.cuda.is_available()`` is False).
    """

    __slots__ = ("type",)

    def __init__(self, type="cpu", index=None):
        name = type.type if isinstance(type, Device) else type
        if name == "cpu:0" and index is None:  # PyTorch's "type:index" string
            name, index = "cpu", 0
        if name != "cpu" or index not in (None, 0):
            raise ValueError(
                f"device: minidl runs on the CPU only (NumPy arrays); got {name!r}"
                + ("" if index is None else f", index {index!r}")
                + ". Use device('cpu'); minidl.cuda.is_available() is False"
            )
        self.type = "cpu"

    def __str__(self):
        return self.type

    def __repr__(self):
        return f"device(type='{self.type}')"

    def __eq__(self, other):
        return isinstance(other, (Device, str)) and str(other) == self.type

    def __hash__(self):
        return hash(self.type)


device = Device  # PyTorch's lowercase name


def to_arguments(op, args, device=None, dtype=None):
    """The dtype (or None) from PyTorch-style ``to(...)`` arguments: a dtype, a device, or both.

    minidl runs on NumPy, so its only device is "cpu"; any other is an error.
    """
    for a in args:
        if isinstance(a, (str, Device)):
            device = a
        else:
            dtype = a
    check_device(op, device)
    return None if dtype is None else check_dtype(op, dtype)


def check_device(op, device):
    """Raise unless ``device`` is None, "cpu" ("cpu:0") or ``device("cpu")``: minidl runs
    on NumPy."""
    if device is not None and str(device) not in ("cpu", "cpu:0"):
        if str(device) != "cuda" and _names_a_dtype(str(device)):
            raise TypeError(
                f"{op}: {device!r} is the name of a dtype, and a string here means a device; "
                f"pass the dtype itself, e.g. np.{np.dtype(device)}"
            )
        if isinstance(device, str) and device.split(":")[0] not in _DEVICE_TYPES:
            raise ValueError(
                f"{op}: {device!r} is neither a known dtype nor a device; expected a dtype "
                "(minidl.float32, np.float64) or the device 'cpu'"
            )
        raise ValueError(
            f"{op}: minidl runs on the CPU only (NumPy arrays); got device {device!r}. "
            "Use 'cpu', or leave the device out"
        )


# PyTorch's device types: a string naming one of them gets the "CPU only" answer
_DEVICE_TYPES = {"cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "hpu", "ipu", "mtia", "lazy"}

_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)
_INT64, _INT32, _BOOL = np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.bool_)

# Tensor.type()'s names, as PyTorch's CPU tensor types
_TYPE_NAMES = {
    np.dtype(t): name
    for t, name in [
        (np.float16, "HalfTensor"),
        (np.float32, "FloatTensor"),
        (np.float64, "DoubleTensor"),
        (np.int8, "CharTensor"),
        (np.int16, "ShortTensor"),
        (np.int32, "IntTensor"),
        (np.int64, "LongTensor"),
        (np.uint8, "ByteTensor"),
        (np.uint16, "UInt16Tensor"),
        (np.uint32, "UInt32Tensor"),
        (np.uint64, "UInt64Tensor"),
        (np.bool_, "BoolTensor"),
    ]
}
_TYPE_DTYPES = {"torch." + name: d for d, name in _TYPE_NAMES.items()}


def _dtype_of_type_name(op, name):
    """The dtype a PyTorch type name such as 'torch.FloatTensor' stands for."""
    if name == "torch.Tensor":
        return get_default_dtype()
    if name in _TYPE_DTYPES:
        return _TYPE_DTYPES[name]
    if name.startswith("torch.cuda."):
        check_device(op, "cuda")
    raise ValueError(
        f"{op}: unknown type name {name!r}; expected a dtype (minidl.float32) or a PyTorch "
        "type name such as 'torch.FloatTensor' or 'torch.LongTensor'"
    )


def _names_a_dtype(name):
    try:
        return np.dtype(name).kind in "biuf"
    except TypeError:
        return False


_SYMBOLS = {"add_": "+", "sub_": "-", "mul_": "*", "div_": "/"}


def _in_place(t, op, ufunc, out_of_place, other):
    """``t op= other``: the result keeps t's shape and dtype.

    Outside a graph (a weight update under ``no_grad``, plain data) it is written into t's
    array.  Inside one (t or other requires grad while recording), minidl records no in-place
    op: the result is ``t op other``, a new recorded tensor that Python binds to the name, so
    ``out += residual`` in a forward pass gives the right gradients (other references to the
    old t keep its old values).  A leaf that requires grad is refused, as in PyTorch.
    """
    in_graph = _autograd.is_grad_enabled() and (
        t.requires_grad or (isinstance(other, Tensor) and other.requires_grad)
    )
    if not in_graph or (t.requires_grad and t.grad_fn is None):
        _check_write(t, other, op)  # refuses a leaf that requires grad, or read-only memory
    other = _ew.operand(op, other)
    dtype = _ew.result_dtype(t, other, true_divide=ufunc is np.true_divide)
    if _ew.CATEGORY[dtype.kind] > _ew.CATEGORY[t.data.dtype.kind]:
        raise TypeError(
            f"{op}: the result has dtype {dtype}, which cannot be stored in place in a "
            f"tensor of dtype {t.dtype}; write t = t {_SYMBOLS.get(op, op[:-1])} x "
            "(a new tensor) instead"
        )
    value = other.data if isinstance(other, Tensor) else other
    try:
        shape = np.broadcast_shapes(t.data.shape, np.shape(value))
    except ValueError:
        shape = None
    if shape != t.data.shape:
        raise RuntimeError(
            f"{op}: a tensor of shape {t.shape} cannot hold the result with an operand of shape "
            f"{np.shape(value)}" + ("" if shape is None else f" (broadcast shape {shape})")
        )
    if in_graph:
        return out_of_place(t, other)
    try:
        ufunc(t.data, value, out=t.data, casting="unsafe")
    except OverflowError as e:
        raise OverflowError(f"{op}: {e} (the tensor's dtype is {t.dtype})") from None
    except TypeError as e:  # NumPy's own refusal (bool - bool): say which op it was
        raise TypeError(f"{op}: {e} (the tensor's dtype is {t.dtype})") from None
    _autograd.note_write(t)
    return t


def _check_write(t, value, op):
    """Refuse a write into t that a graph would not see, or into read-only memory."""
    if _autograd.is_grad_enabled():
        if t.requires_grad:
            what = "a leaf that requires grad" if t.grad_fn is None else "a tensor in a graph"
            raise RuntimeError(
                f"{op}: in-place write into {what}, shape {t.shape}; minidl records no "
                "in-place ops. For a weight update do it under `with minidl.no_grad():`; "
                "otherwise build a new tensor (t = t - x, minidl.where, minidl.cat)"
            )
        if isinstance(value, Tensor) and value.requires_grad:
            raise RuntimeError(
                f"{op}: the value written (the right-hand side) requires grad, and minidl "
                "records no in-place op, so its gradient would be lost; build a new tensor "
                "(t = t - x, minidl.where, minidl.cat) or write value.detach()"
            )
    if not t.data.flags.writeable:
        raise RuntimeError(
            f"{op}: this tensor of shape {t.shape} is a read-only view (an expand() result "
            "repeats one element in memory); write into t.clone() instead"
        )


def _detached(value):
    """A tensor operand cut from any graph (an in-place method has checked it needs none)."""
    return value.detach() if isinstance(value, Tensor) else value


def _write_result(t, result, op):
    """Write ``result`` (an out-of-place op's answer) into t's array, which keeps its shape
    and dtype: the in-place methods built on an out-of-place op (``clamp_``, ``masked_fill_``)."""
    if result.shape != t.data.shape:
        raise RuntimeError(
            f"{op}: a tensor of shape {t.shape} cannot hold the result of shape {result.shape} "
            "(an operand broadcasts to a larger shape)"
        )
    if _ew.CATEGORY[result.data.dtype.kind] > _ew.CATEGORY[t.data.dtype.kind]:
        raise TypeError(
            f"{op}: the result has dtype {result.dtype}, which cannot be stored in place in a "
            f"tensor of dtype {t.dtype}; use the out-of-place {op[:-1]} (a new tensor) instead"
        )
    np.copyto(t.data, result.data, casting="unsafe")
    _autograd.note_write(t)


def _no_promotion(t, other, float_only=False):
    """True when NumPy's dtype for t ⊙ other is already PyTorch's (``ops.result_dtype``),
    so the operator can call the op directly: the common, hot case."""
    k = type(other)
    if float_only and t.data.dtype.kind != "f":
        return False  # int / int is a float in PyTorch, and NumPy's float64
    if k is Tensor:
        return other.data.dtype is t.data.dtype
    return k is int or (k is float and t.data.dtype.kind == "f")
