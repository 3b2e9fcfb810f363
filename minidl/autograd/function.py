"""``Function``, the base of every differentiable op, and ``Node``, the ``ctx`` it records.

Calling ``Op.apply(*tensors)`` runs ``forward`` on the tensors' arrays and,
when a gradient is needed, records the ``ctx`` (a :class:`Node`) as the
output's ``grad_fn``.  An error ``forward`` raises on bad input is passed on
with the op's name and the inputs' shapes (``op_error``).
"""

from __future__ import annotations

import inspect
import itertools

import numpy as np

from minidl.autograd.grad_mode import _GradMode

# Every built-in op (a Function subclass defined inside minidl) by class name.
# The gradcheck tests and `python -m minidl gradcheck` compare against it.
OPS: dict[str, type] = {}

# creation numbers of recorded ops; note_write (write_log.py) numbers in-place writes from
# the same counter, so that "written after op N ran" is a comparison of two numbers
_next_id = itertools.count().__next__
_new_object = object.__new__


class OpError(Exception):
    """Marker mixin: an error message already written for the user."""


def op_error(kind, message):
    """An exception of type ``kind`` whose message ``apply`` passes on unchanged."""
    cls = _OP_ERRORS.get(kind)
    if cls is None:
        cls = _OP_ERRORS[kind] = type(
            kind.__name__, (kind, OpError), {"__module__": kind.__module__}
        )
    try:
        return cls(message)
    except TypeError:  # a NumPy error whose __init__ wants more (_UFuncOutputCastingError)
        return op_error(next(k for k in kind.__mro__ if k.__module__ == "builtins"), message)


_OP_ERRORS: dict[type, type] = {}


def _describe(x):
    if isinstance(x, np.ndarray):
        return f"{tuple(x.shape)} {x.dtype}"
    return type(x).__name__ if not isinstance(x, (int, float, bool)) else repr(x)


class Function:
    """Base class of a differentiable op, used as in PyTorch::

        class Softplus(minidl.autograd.Function):
            '''y = log(1 + e^x);  dy/dx = sigmoid(x)'''

            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return np.logaddexp(0, x)

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad / (1 + np.exp(-x))

        y = Softplus.apply(x)

    Unlike PyTorch, ``forward`` and ``backward`` see NumPy arrays, so the
    math stays visible.  ``backward`` returns one gradient per ``forward``
    argument (``None`` where there is none); a tensor passed by keyword counts
    at its position in ``forward``'s signature.  A gradient may keep the
    broadcast shape of the output: the engine sums it back to the input's
    shape (see :func:`unbroadcast`).  A ``forward`` may return a tuple of
    arrays; ``backward`` then receives one gradient per output (zeros for an
    output that received none, or None after ``ctx.set_materialize_grads(False)``).
    """

    # False for a built-in op whose backward only raises (floor division, as PyTorch's):
    # it has no gradient to check, so it stays out of OPS
    differentiable = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("minidl.") and cls.differentiable:
            OPS[cls.__name__] = cls

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("a Function subclass must define a static backward(ctx, grad)")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on the arrays of ``args``; record a node if a gradient is needed."""
        if kwargs and any(isinstance(v, Tensor) for v in kwargs.values()):
            args, kwargs = _bind_tensor_keywords(cls, args, kwargs)
        # The inputs' arrays, and which inputs need a gradient.  One and two inputs (nearly
        # every op) are written out: the general loop's lists cost ~1,500 more CPU
        # instructions per op, a twentieth of a small op's whole cost (benchmarks/README.md).
        enabled = _GradMode.enabled
        n = len(args)
        if n == 2:
            a, b = args
            need_a = need_b = False
            if isinstance(a, Tensor):
                if enabled and a._requires_grad:
                    need_a = True
                a = a.data
            if isinstance(b, Tensor):
                if enabled and b._requires_grad:
                    need_b = True
                b = b.data
            arrays = (a, b)
            # constant tuples: nothing is built per op
            if need_a:
                needs = (True, True) if need_b else (True, False)
            else:
                needs = (False, True) if need_b else (False, False)
            track = need_a or need_b
        elif n == 1:
            (a,) = args
            track = False
            if isinstance(a, Tensor):
                if enabled and a._requires_grad:
                    track = True
                a = a.data
            arrays = (a,)
            needs = (True,) if track else (False,)
        else:
            arrays = []
            needs = []
            track = False
            for a in args:
                if isinstance(a, Tensor):
                    arrays.append(a.data)
                    if enabled and a._requires_grad:
                        needs.append(True)
                        track = True
                        continue
                else:
                    arrays.append(a)
                needs.append(False)
            needs = tuple(needs)
        ctx = _new_object(Node)
        ctx.fn = cls
        ctx.needs_input_grad = needs
        ctx.saved_tensors = ()
        ctx.out_meta = None
        ctx.retained = None
        try:
            # the arrays written out where there are one or two: a call with *arrays costs
            # ~900 CPU instructions more
            if kwargs:
                out = cls.forward(ctx, *arrays, **kwargs)
            elif n == 2:
                out = cls.forward(ctx, a, b)
            elif n == 1:
                out = cls.forward(ctx, a)
            else:
                out = cls.forward(ctx, *arrays)
        except OpError:
            raise
        except (ValueError, IndexError, TypeError, OverflowError) as e:
            shapes = ", ".join(_describe(a) for a in arrays)
            raise op_error(type(e), f"{cls.__name__.lower()}: inputs {shapes}: {e}") from e
        if type(out) is not np.ndarray:
            if type(out) is tuple:
                if not track:
                    return tuple(Tensor._make(o) for o in out)
                ctx.inputs = args
                ctx.seq = _next_id()
                ctx.out_meta = [(o.shape, o.dtype) for o in out]
                return tuple(Tensor._make(o, True, ctx, i) for i, o in enumerate(out))
            out = np.asarray(out)  # a NumPy scalar (x.sum())
        # Tensor._make written out (tests/test_engine.py checks every slot is set): the call
        # alone cost ~1,500 of the ~10,000 CPU instructions apply adds to each op
        t = _new_object(Tensor)
        t.data = out
        t._grad = None
        t._out_index = 0
        if track:
            ctx.inputs = args
            ctx.seq = _next_id()
            t._requires_grad = True
            t.grad_fn = ctx
        else:
            t._requires_grad = False
            t.grad_fn = None
        return t


def _bind_tensor_keywords(fn, args, kwargs):
    """``f.apply(x, w=w)`` as ``f.apply(x, w)``: a tensor passed by keyword moves to its
    position in ``forward``'s signature, so that it is tracked and gets its gradient."""
    try:
        bound = inspect.signature(fn.forward).bind(None, *args, **kwargs)  # None: ctx
    except TypeError as e:
        raise TypeError(f"{fn.__name__}.apply: {e}") from None
    bound.apply_defaults()  # apply(x, hi=t) with forward(ctx, x, lo=None, hi=None): hi is 3rd
    for name, value in bound.kwargs.items():
        if isinstance(value, Tensor):
            raise TypeError(
                f"{fn.__name__}.apply: tensor argument '{name}' is keyword-only in forward; "
                "autograd tracks the positional arguments, so make it one"
            )
    return bound.args[1:], bound.kwargs


class Node:
    """A recorded op: the ``ctx`` of its Function and the ``grad_fn`` of its output.

    Holds the inputs and what ``forward`` saved with ``save_for_backward``; backward
    drops both as soon as the node has run (unless ``retain_graph=True``), so
    intermediate arrays are freed.  Other attributes ``forward`` set (``ctx.dim``)
    live as long as the node, as in PyTorch: save arrays with ``save_for_backward``.
    """

    # slots, read for every node by backward; apply sets them all (tests/test_engine.py checks)
    __slots__ = (
        "fn",
        "inputs",
        "needs_input_grad",
        "seq",
        "saved_tensors",
        "out_meta",
        "retained",
        "__dict__",
        "__weakref__",
    )
    materialize_grads = True  # rarely set: a class default keeps creating a node cheap

    def save_for_backward(self, *arrays):
        """Keep what ``backward`` needs (arrays, as in PyTorch's ``ctx.save_for_backward``)."""
        self.saved_tensors = arrays

    def set_materialize_grads(self, value):
        """``False``: ``backward`` gets None, not zeros, for an output that received no gradient.

        As in PyTorch.  For a multi-output op whose caller often uses one output
        only (an LSTM's ``h_n``), it saves building and reading a large zero array.
        """
        self.materialize_grads = bool(value)

    @property
    def name(self):
        return f"{self.fn.__name__}Backward"

    @property
    def next_functions(self):
        """The nodes of this node's inputs (None for leaves and constants), as in PyTorch."""
        if self.inputs is None:
            return ()
        return tuple(a.grad_fn if isinstance(a, Tensor) else None for a in self.inputs)

    def __repr__(self):
        return f"<{self.name}>"


def _import_late():
    """Import ``Tensor``: minidl.tensor imports the ops, which import minidl.autograd, so
    the package calls this once all of minidl.autograd is defined (see its ``__init__``)."""
    global Tensor
    from minidl.tensor import Tensor
