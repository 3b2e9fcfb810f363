"""``Tensor``: one NumPy array plus what autograd needs to know about it.

This file holds the core (slots, constructor, properties, autograd, display, operators);
the rest of the class comes from mixins: tensor_math.py (``t.exp()``, ``t.sum(dim)``, ...),
tensor_shape.py (``t.view``, ``t.sort``, ``t.gather``, ...), tensor_dtype.py (``t.to``,
``t.float()``, ``t.new_zeros``, ...) and tensor_inplace.py (``t += x``, ``add_``, ``fill_``,
...).  The helpers other modules used to import from here live in _checks.py (argument
checks, the default dtype), convert.py (``as_array``), printing.py and devices.py; their
names are re-exported.
"""

from __future__ import annotations

import warnings
from collections import namedtuple

import numpy as np

from minidl import convert as _convert
from minidl import tensor_dtype, tensor_inplace, tensor_math, tensor_shape
from minidl._checks import (
    check_bool,
    check_dtype,
    check_fraction,
    check_int,
    get_default_dtype,
    is_int,
    is_real,
    set_default_dtype,
)
from minidl.convert import as_array, convert
from minidl.devices import Device, check_device, device, to_arguments
from minidl.printing import format_data, set_printoptions
from minidl.tensor_dtype import TensorDtype
from minidl.tensor_inplace import TensorInPlace, _check_write
from minidl.tensor_math import TensorMath
from minidl.tensor_shape import TensorShape

# with the helpers minidl's modules imported from here before they had their own files
__all__ = [
    "Tensor",
    "get_default_dtype",
    "set_default_dtype",
    "as_array",
    "convert",
    "check_device",
    "check_dtype",
    "check_int",
    "check_bool",
    "check_fraction",
    "is_real",
    "is_int",
    "Device",
    "device",
    "to_arguments",
    "set_printoptions",
]

MaxResult = namedtuple("MaxResult", ["values", "indices"])


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


class Tensor(TensorMath, TensorShape, TensorDtype, TensorInPlace):
    """An n-dimensional array that can record the operations applied to it.

    ``data`` is the ``np.ndarray``; ``grad`` is a Tensor of the same shape
    filled by ``backward`` for leaves with ``requires_grad=True`` (and for
    intermediates that called ``retain_grad()``); ``grad_fn`` is the op that
    produced the tensor (None for leaves).
    """

    # _requires_grad is read by every op (apply); the public requires_grad checks what is set.
    # _grad likewise is what the engine and optimizers read and write; the public grad warns
    # when read on a result that backward does not fill.
    __slots__ = ("data", "_grad", "_requires_grad", "grad_fn", "_out_index", "__weakref__")
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
        self._grad = None
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
        t._grad = None
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
    def grad(self):
        """d(output)/d(self) summed over the backward calls so far (a Tensor of self's shape),
        or None.  Backward fills it for leaves that require grad, and for results of ops
        only after ``retain_grad()``: reading it on another result warns, as in PyTorch."""
        g = self._grad
        if g is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                f"grad: this tensor is not a leaf but the result of {self.grad_fn.name}, so "
                "backward leaves its .grad None; call .retain_grad() on it before backward to "
                "keep its gradient, or read .grad on the leaf tensor (an input or a "
                "parameter) you meant",
                UserWarning,
                stacklevel=2,
            )
        return g

    @grad.setter
    def grad(self, value):
        self._grad = value

    @property
    def retains_grad(self):
        """True for a result of an op that called ``retain_grad()`` (as in PyTorch)."""
        node = self.grad_fn
        if node is None or not node.retained:
            return False
        ref = node.retained.get(self._out_index)
        return type(ref) is not list and ref is not None and ref() is self

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
        body = format_data(self.data)
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


def _no_promotion(t, other, float_only=False):
    """True when NumPy's dtype for t ⊙ other is already PyTorch's (``ops.result_dtype``),
    so the operator can call the op directly: the common, hot case."""
    k = type(other)
    if float_only and t.data.dtype.kind != "f":
        return False  # int / int is a float in PyTorch, and NumPy's float64
    if k is Tensor:
        return other.data.dtype is t.data.dtype
    return k is int or (k is float and t.data.dtype.kind == "f")


# convert.py was imported above, before Tensor existed: it gets Tensor now, before the ops
# (which make tensors) are imported
_convert._import_late()

from minidl import autograd as _autograd  # noqa: E402  (circular: autograd wraps results in Tensor)
from minidl import ops as _ops  # noqa: E402
from minidl.ops import elementwise as _ew  # noqa: E402
from minidl.ops import reduce as _reduce  # noqa: E402
from minidl.ops import shape as _shape_ops  # noqa: E402

# the mixins were imported above for Tensor's bases: they get Tensor and the ops now
for _module in (tensor_math, tensor_shape, tensor_dtype, tensor_inplace):
    _module._import_late()
