"""Define-by-run autograd: ``Function``, the backward engine, ``no_grad``.

Every differentiable op is a subclass of :class:`Function` with a static
``forward(ctx, *arrays)`` and ``backward(ctx, grad)`` written in plain NumPy.
Calling ``Op.apply(*tensors)`` runs ``forward`` and, when a gradient is
needed, records a graph node: the ``ctx`` object itself (it becomes the
output's ``grad_fn``).  ``Tensor.backward`` walks the recorded nodes in
reverse creation order, which is a topological order because a node is
always created after the nodes of its inputs.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import weakref
from heapq import heappop, heappush

import numpy as np

__all__ = [
    "Function",
    "no_grad",
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "set_grad_enabled",
    "OPS",
    "unbroadcast",
    "ScatterGrad",
    "note_write",
    "grad",
    "register_hook",
    "RemovableHandle",
]


class _GradModeState:
    """Whether ops are recorded.  One instance with a slot, not a class attribute: every op
    reads it, and an instance slot is the cheaper read (Python 3.11 caches it)."""

    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


_GradMode = _GradModeState()


def is_grad_enabled() -> bool:
    """True when operations are recorded for backward."""
    return _GradMode.enabled


class _GradModeBlock:
    """A block run with recording set to ``mode``: ``with ...:``, ``@...()`` or ``@...``."""

    mode = True

    def __new__(cls, fn=None):
        block = object.__new__(cls)
        if fn is None:
            return block
        if not callable(fn):
            raise TypeError(
                f"{cls.__name__}: takes no argument; write `with minidl.{cls.__name__}():` "
                "or use it as a decorator"
            )
        return block(fn)  # the bare decorator, @minidl.no_grad

    def __enter__(self):
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.prev
        return False

    def __call__(self, fn):
        return _decorate(fn, type(self))


def _decorate(fn, block):
    """``fn`` run inside ``block()`` (a fresh block per call).  For a generator function
    the block covers each step of its body, not just the creation of the generator (which
    runs none of the body): ``@no_grad()`` on a generator of predictions records nothing."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            sent = thrown = None
            while True:
                with block():  # one step of the body: up to its next yield
                    try:
                        value = gen.send(sent) if thrown is None else gen.throw(thrown)
                    except StopIteration as stop:
                        return stop.value
                thrown = None
                try:
                    sent = yield value
                except GeneratorExit:
                    with block():
                        gen.close()
                    raise
                except BaseException as e:  # thrown into the wrapper: on to the body
                    thrown = e

        return generator

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with block():
            return fn(*args, **kwargs)

    return wrapper


class no_grad(_GradModeBlock):
    """``with minidl.no_grad():`` records nothing (evaluation, optimizer steps)."""

    mode = False


class enable_grad(_GradModeBlock):
    """Turns recording back on inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeBlock):
    """PyTorch's faster ``no_grad`` for evaluation; in minidl the same as ``no_grad``
    (``inference_mode(False)`` records, as ``enable_grad``)."""

    mode = False

    def __new__(cls, mode=True):
        if isinstance(mode, bool):  # inference_mode() or inference_mode(False): a block
            block = object.__new__(cls)
            block.mode = not mode
            return block
        return super().__new__(cls, mode)  # @inference_mode on a function

    def __call__(self, fn):
        recording = self.mode  # @inference_mode(False) keeps recording
        return _decorate(fn, lambda: inference_mode(not recording))


class set_grad_enabled:
    """``set_grad_enabled(False)`` turns recording off at once, as in PyTorch.

    Used as ``with set_grad_enabled(mode):`` or ``@set_grad_enabled(mode)``, it
    puts the previous mode back when the block or function ends.
    """

    def __init__(self, mode: bool):
        self.prev = _GradMode.enabled
        self.mode = bool(mode)
        _GradMode.enabled = self.mode  # a plain call is a switch (model evaluation scripts)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.prev
        return False

    def __call__(self, fn):
        _GradMode.enabled = self.prev  # as a decorator it acts only while fn runs
        mode = self.mode
        return _decorate(fn, lambda: set_grad_enabled(mode))


# Every built-in op (a Function subclass defined inside minidl) by class name.
# The gradcheck tests and `python -m minidl gradcheck` compare against it.
OPS: dict[str, type] = {}

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
        t.grad = None
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


class _WriteLog:
    """The in-place writes backward checks (see ``note_write``); one instance, as ``_GradMode``."""

    __slots__ = ("last", "by_owner")

    def __init__(self):
        self.last = 0  # creation number of the most recent in-place write anywhere (see note_write)
        # id(array owning written memory) -> [weak reference to that array, number of its last
        # write]; an entry leaves when its array is freed
        self.by_owner = {}


_Writes = _WriteLog()


def note_write(*tensors):
    """Record that each tensor's memory was just written in place (``t[i] = v``, an optimizer step).

    A write takes a number from the same counter as recorded ops, so "written
    after op N ran" is "its number > N.seq".  Backward then refuses an op that
    saved an array sharing memory with the written array, after it ran: its
    gradient would silently use the new values (PyTorch's "modified by an
    inplace operation" error).  The whole array that owns the memory counts as
    written, as PyTorch counts the whole storage, so writes through views and
    ``detach()`` are seen too.  Writes through ``.data`` or NumPy are not.
    """
    seq = _next_id()  # one number for writes made together (every parameter of a step)
    _Writes.last = seq
    by_owner = _Writes.by_owner
    for t in tensors:
        owner = t.data
        if owner.base is not None:  # a parameter owns its array: skip the walk
            owner = _owner(owner)
        entry = by_owner.get(id(owner))
        if entry is not None and entry[0]() is owner:
            entry[1] = seq  # a parameter is written every step: one entry, updated
        else:
            key = id(owner)
            by_owner[key] = [weakref.ref(owner, functools.partial(_forget_writes, key)), seq]


def _forget_writes(key, ref):
    entry = _Writes.by_owner.get(key)
    if entry is not None and entry[0] is ref:  # not a newer array that reused the id
        del _Writes.by_owner[key]


def _check_saved_unchanged(node):
    """Raise if an array ``node`` saved for backward was written in place after it ran."""
    for array in node.saved_tensors:
        if not isinstance(array, np.ndarray):
            continue
        owner = _owner(array)
        entry = _Writes.by_owner.get(id(owner))
        if entry is not None and entry[1] > node.seq and entry[0]() is owner:
            raise RuntimeError(_overwritten(node, array))


def _overwritten(node, array):
    what = "a value it saved (its output, or an index)"
    for k, inp in enumerate(node.inputs):
        if isinstance(inp, Tensor) and np.shares_memory(inp.data, array):
            what = f"its input {k}"
            break
    return (
        f"backward: {node.name} needs {what} (shape {array.shape}, {array.dtype}) as it was "
        "when the op ran, but that memory was modified in place afterwards (t[...] = v, or "
        "an optimizer step before this backward); call backward first, or write into a copy "
        "made before the op (t.clone())"
    )


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


def run_backward(tensor, gradient=None, retain_graph=False, capture=None):
    """Accumulate d(tensor)/d(leaf) · gradient into every leaf's ``.grad``.

    ``capture`` (``grad`` uses it): a dict id(leaf) -> list; the leaves' gradients
    are appended there instead, and no ``.grad`` is written.
    """
    if not tensor._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn "
            "(did you forget requires_grad=True, or compute it under no_grad?)"
        )
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(
                f"backward: grad can be created implicitly only for a scalar output, but the "
                f"output has shape {tensor.shape}; pass gradient= a tensor of that shape "
                f"(or reduce it first, e.g. .sum())"
            )
        shape, dtype = tensor.data.shape, tensor.data.dtype
        # d(tensor)/d(tensor) = 1; a 0-d loss is the usual case, and np.ones costs 3x np.array
        g = np.array(1, dtype) if shape == () else np.ones(shape, dtype)
    else:
        g = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
        if g.dtype.kind not in "biuf":
            # astype would fail on a str, and keep only the real part of a complex number
            raise TypeError(
                f"backward: gradient must hold numbers (bool, int or float), got dtype {g.dtype}"
            )
        if g.shape != tensor.data.shape:
            raise RuntimeError(
                f"backward: gradient has shape {g.shape} but the output has shape {tensor.shape}"
            )
        g = g.astype(tensor.data.dtype, copy=False)
    # arrays whose memory is not ours to hand out as a .grad: the caller's gradient
    handed = set() if gradient is None else {id(_owner(g))}

    root = tensor.grad_fn
    if root is None:
        _deliver({id(tensor): [tensor, g]}, handed, capture)
        return

    # Nodes wait in a heap keyed by creation order, newest first: a node is created
    # after the nodes of its inputs, so when it is popped every node that feeds a
    # gradient into it has already run.  Discovery and ordering are one loop.
    # A chain (the node just run found one new parent, and nothing else waits) skips
    # the heap: that parent is what the heap would pop next.
    if root.out_meta is None:
        pending = {root: g}  # gradient reaching each waiting node's output(s)
    else:
        pending = {root: [None] * len(root.out_meta)}
        pending[root][tensor._out_index] = g
    heap = []
    leaves = {}
    # grad(): only nodes between the outputs and the inputs asked for run, as in PyTorch
    # (a hook or retain_grad() elsewhere in the graph does not fire)
    needed = None if capture is None else _needed(root, capture)
    node = root
    while node is not None:
        if needed is not None and node not in needed:
            pending.pop(node)
            node = heappop(heap)[1] if heap else None
            continue
        inputs = node.inputs
        if inputs is None:
            raise RuntimeError(
                f"backward: trying to backward through the graph a second time ({node.name} "
                "was freed by an earlier backward); pass retain_graph=True to the first "
                "backward if you need to go through it again"
            )
        got = pending.pop(node)
        if node.seq < _Writes.last:  # something was written in place since this op ran
            _check_saved_unchanged(node)
        if node.out_meta is None:
            grad = got if type(got) is np.ndarray else _value(got)
            if node.retained:  # hooks, retain_grad(), grad()
                (grad,) = _store_retained(node, [grad])
            if needed is not None and not needed[node]:  # holds an input of grad(): done
                node = _next_after(node, heap, retain_graph)
                continue
            in_grads = node.fn.backward(node, grad)
        else:
            zeros = node.materialize_grads
            grads = [
                _value(gr) if gr is not None else np.zeros(shape, dtype) if zeros else None
                for gr, (shape, dtype) in zip(got, node.out_meta)
            ]
            if node.retained:  # an output that received no gradient has none (not zeros)
                kept = _store_retained(
                    node, [g if gr is not None else None for gr, g in zip(got, grads)]
                )
                grads = [g if k is None else k for k, g in zip(kept, grads)]
            if needed is not None and not needed[node]:
                node = _next_after(node, heap, retain_graph)
                continue
            in_grads = node.fn.backward(node, *grads)
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        if len(in_grads) != len(inputs):
            raise RuntimeError(
                f"{node.name}: backward returned {len(in_grads)} gradients for {len(inputs)} inputs"
            )
        chained = None  # the parent to run next without the heap (a chain), if any
        for inp, need, gi in zip(inputs, node.needs_input_grad, in_grads):
            if not need or gi is None:
                continue
            data = inp.data
            if (
                type(gi) is not np.ndarray
                or gi.shape != data.shape
                or (gi.dtype is not data.dtype and gi.dtype != data.dtype)
            ):
                gi = _check_grad(node, inp, gi)
            parent = inp.grad_fn
            if parent is None:
                entry = leaves.get(id(inp))
                if entry is None:
                    leaves[id(inp)] = [inp, gi]
                else:
                    entry[1] = _accumulate(entry[1], gi)
            elif parent.out_meta is None:
                current = pending.get(parent)
                if current is None:
                    pending[parent] = gi
                    if chained is None and not heap:
                        chained = parent
                    else:
                        chained = _wait(heap, chained, parent)
                else:
                    pending[parent] = _accumulate(current, gi)
            else:
                slots = pending.get(parent)
                if slots is None:
                    slots = pending[parent] = [None] * len(parent.out_meta)
                    chained = _wait(heap, chained, parent)
                k = inp._out_index
                slots[k] = _accumulate(slots[k], gi)
        if not retain_graph:
            # what forward saved, freed as soon as it is used; as in PyTorch, other ctx
            # attributes (ctx.dim = ...) live as long as the graph
            node.inputs = None
            node.saved_tensors = ()
        node = chained if chained is not None else heappop(heap)[1] if heap else None
    _deliver(leaves, handed, capture)


def _deliver(leaves, handed, capture):
    if _leaf_hooks:
        for key, entry in leaves.items():
            if capture is not None and key not in capture:
                continue  # grad() does not reach this leaf in PyTorch: its hooks do not run
            hooked = _leaf_hooks.get(key)
            if hooked is not None and hooked[0]() is entry[0] and hooked[1]:
                entry[1] = _run_hooks(hooked[1], _value(entry[1]), "a leaf")
    if capture is None:
        _accumulate_leaves(leaves, handed)
        return
    for key, (_, got) in leaves.items():
        if key in capture:
            capture[key].append(np.array(_value(got), copy=True))


def _needed(root, capture):
    """For ``grad()``: the nodes it must visit, each mapped to True if its backward must run
    (an input of ``grad()`` lies behind it) or False if it only holds one of those inputs
    (its output's gradient is captured; nothing behind it is needed).

    Found by a depth-first walk of the graph without recursion (a chain may be long).
    """
    behind = {}  # node -> an input of grad() lies behind it
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            found = False
            for inp, need in zip(node.inputs, node.needs_input_grad):
                if not need:
                    continue
                parent = inp.grad_fn
                if parent is None:
                    found = found or id(inp) in capture
                elif behind[parent] or _holds_input(parent):
                    found = True
            behind[node] = found
        elif node not in behind:
            if node.inputs is None:  # freed by an earlier backward: let the engine say so
                behind[node] = True
                continue
            stack.append((node, True))
            for inp, need in zip(node.inputs, node.needs_input_grad):
                if need and inp.grad_fn is not None and inp.grad_fn not in behind:
                    stack.append((inp.grad_fn, False))
    return {node: through for node, through in behind.items() if through or _holds_input(node)}


def _holds_input(node):
    """Whether one of ``node``'s outputs is an input of ``grad()`` (its list is installed)."""
    return node.retained is not None and any(type(v) is list for v in node.retained.values())


def _next_after(node, heap, retain_graph):
    """Free ``node`` (unless the graph is retained) and return the next node to run."""
    if not retain_graph:
        node.inputs = None
        node.saved_tensors = ()
    return heappop(heap)[1] if heap else None


def _wait(heap, chained, parent):
    """Queue ``parent``, newly found: it is the chained next node if nothing else waits,
    else it goes on the heap (with any node chained before it).  Returns the chained node."""
    if chained is None and not heap:
        return parent
    if chained is not None:
        heappush(heap, (-chained.seq, chained))
    heappush(heap, (-parent.seq, parent))
    return None


def _store_retained(node, grads):
    """Run the hooks on the node's outputs (each may replace its gradient), then keep
    what ``retain_grad`` and ``grad`` asked for; returns the gradients, hooks applied."""
    hooks = node.retained.get("hooks")
    if hooks:
        grads = [
            g
            if g is None or i not in hooks
            else _run_hooks(hooks[i], g, f"an output of {node.name}")
            for i, g in enumerate(grads)
        ]
    for i, ref in node.retained.items():
        if i == "hooks":
            continue
        if type(ref) is list:  # grad() is collecting this output's gradient
            if grads[i] is not None:
                ref.append(np.array(grads[i], copy=True))
            continue
        t = ref()
        if t is not None and grads[i] is not None:
            # accumulates across backward calls, like a leaf's .grad
            g = np.array(grads[i], copy=True)
            t.grad = Tensor._make(g if t.grad is None else _existing_grad(t) + g)
    return grads


class RemovableHandle:
    """What ``register_hook`` (and a module's ``register_forward_hook``) returns:
    ``remove()`` unregisters the hook; ``with t.register_hook(h):`` keeps it for a block."""

    _next_id = itertools.count().__next__

    def __init__(self, hooks, on_remove=None):
        self.hooks = hooks
        self.id = RemovableHandle._next_id()
        self.on_remove = on_remove

    def remove(self):
        if self.hooks.pop(self.id, None) is not None and self.on_remove is not None:
            self.on_remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


# id(leaf) -> [weak reference to it, {handle id: hook}]: a leaf has no node to hold them
_leaf_hooks = {}


def register_hook(tensor, hook):
    """``tensor.register_hook(hook)``: ``hook(grad)`` runs each time the gradient of
    ``tensor`` has been computed, before it is used (added to ``.grad`` for a leaf, passed on
    backwards for a result); a Tensor it returns replaces that gradient."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "register_hook: cannot register a hook on a tensor that does not require grad"
        )
    if not callable(hook):
        raise TypeError(f"register_hook: hook must be callable, got {type(hook).__name__}")
    node = tensor.grad_fn
    if node is None:
        key = id(tensor)
        entry = _leaf_hooks.get(key)
        if entry is None or entry[0]() is not tensor:
            ref = weakref.ref(tensor, functools.partial(_forget_leaf_hooks, key))
            entry = _leaf_hooks[key] = [ref, {}]
        hooks = entry[1]
    else:
        if node.retained is None:
            node.retained = {}
        hooks = node.retained.setdefault("hooks", {}).setdefault(tensor._out_index, {})
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def _forget_leaf_hooks(key, ref):
    entry = _leaf_hooks.get(key)
    if entry is not None and entry[0] is ref:
        del _leaf_hooks[key]


def _run_hooks(hooks, g, where):
    """``g`` through each hook in order (as a read-only Tensor); one may return a new gradient."""
    for hook in list(hooks.values()):
        view = g.view()
        view.flags.writeable = False  # the array may be another path's gradient too
        result = hook(Tensor._make(view))
        if result is not None:
            new = result.data if isinstance(result, Tensor) else np.asarray(result)
            if new.shape != g.shape or new.dtype != g.dtype:
                raise RuntimeError(
                    f"backward: a hook on {where} returned a gradient of shape "
                    f"{new.shape} and dtype {new.dtype}, expected {g.shape} {g.dtype} (as "
                    "PyTorch, a hook may not change the gradient's shape or type)"
                )
            g = np.array(new)  # its own memory
    return g


def _owner(a):
    """The array that owns ``a``'s memory (``a`` itself unless it is a view)."""
    while True:
        base = a.base
        if isinstance(base, np.ndarray):
            a = base
        elif isinstance(getattr(base, "base", None), np.ndarray):
            a = base.base  # as_strided's views keep the array behind a stand-in object
        else:
            return a


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


def _accumulate_leaves(leaves, handed):
    for t, got in leaves.values():
        if not t._requires_grad:
            continue  # frozen (requires_grad_(False)) since the forward: as PyTorch, no .grad
        if t.grad is not None:
            # out of place: the old grad array may be shared with a user's variable
            t.grad = Tensor._make(_existing_grad(t) + _value(got))
            continue
        if type(got) is np.ndarray:
            g = got
            owner = id(g if g.base is None else _owner(g))
            flags = g.flags
            # a broadcast view (zero strides) would make later matmuls skip BLAS, and an
            # op may pass one array to several inputs (Add): two .grads must not share it
            if not (flags.c_contiguous and flags.writeable) or owner in handed:
                g = np.array(g, copy=True, order="C")
            else:
                handed.add(owner)
        else:
            g = _value(got)  # a buffer summed in this backward: ours
        grad = _new_object(Tensor)  # Tensor._make(g), written out: once per leaf per step
        grad.data = g
        grad.grad = None
        grad._requires_grad = False
        grad.grad_fn = None
        grad._out_index = 0
        t.grad = grad


def grad(
    outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False
):
    """d(outputs)/d(inputs), returned as a tuple of tensors, one per input; no ``.grad`` changes.

    As ``torch.autograd.grad``: with several outputs the gradients add up,
    Σₖ ∂outputsₖ/∂input · grad_outputsₖ (``grad_outputs[k]`` may be None for a
    one-element output).  Inputs may be leaves or results of ops.  Only the part
    of the graph between the outputs and the inputs runs: hooks and
    ``retain_grad()`` elsewhere do not fire.  The graph is freed unless
    ``retain_graph=True``.  ``create_graph=True`` (a gradient
    that is itself differentiable, for second derivatives) is not available:
    minidl's backward computes on NumPy arrays and records nothing.
    """
    if create_graph:
        raise NotImplementedError(
            "grad: create_graph=True is not supported; minidl's backward runs on NumPy arrays, "
            "so a gradient is not recorded and has no gradient of its own"
        )
    outputs = _tensor_tuple("grad", "outputs", outputs)
    inputs = _tensor_tuple("grad", "inputs", inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, (Tensor, np.ndarray)):  # one, not a sequence of its rows
        grad_outputs = (grad_outputs,)
    grad_outputs = tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for k, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {k} does not require grad (requires_grad=False)")
    capture = {id(t): [] for t in inputs}
    installed = []  # (node, the retained dict it had): put back afterwards
    also_retained = {}  # inputs that called retain_grad(): their .grad gets it too, as PyTorch
    for t in inputs:
        node = t.grad_fn
        if node is not None:
            kept = (node.retained or {}).get(t._out_index)
            if kept is not None and type(kept) is not list and kept() is t:
                also_retained[id(t)] = t
            installed.append((node, node.retained))
            node.retained = {**(node.retained or {}), t._out_index: capture[id(t)]}
    try:
        for k, (out, g) in enumerate(zip(outputs, grad_outputs)):
            keep = k < len(outputs) - 1 or bool(retain_graph)
            run_backward(out, g, retain_graph=keep, capture=capture)
    finally:
        for node, retained in reversed(installed):
            node.retained = retained
    result = []
    for k, t in enumerate(inputs):
        got = capture[id(t)]
        if not got:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {k} was not used to compute the outputs (its gradient is "
                    "undefined); pass allow_unused=True to get None for it"
                )
            result.append(None)
            continue
        total = got[0]
        for g in got[1:]:
            total = total + g
        result.append(Tensor._make(total.astype(t.data.dtype, copy=False)))
    for t in also_retained.values():
        got = result[next(k for k, s in enumerate(inputs) if s is t)]
        if got is not None:  # None: unused, allow_unused=True
            g = np.array(got.data, copy=True)
            t.grad = Tensor._make(g if t.grad is None else _existing_grad(t) + g)
    return tuple(result)


def _tensor_tuple(op, what, value):
    items = (value,) if isinstance(value, Tensor) else tuple(value)
    for k, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {what} must be tensors, got {type(t).__name__} at {k}")
    if not items:
        raise ValueError(f"{op}: got no {what}")
    return items


def retain_grad(tensor):
    node = tensor.grad_fn
    if node.retained is None:
        node.retained = {}
    node.retained[tensor._out_index] = weakref.ref(tensor)


from minidl.tensor import Tensor  # noqa: E402  (circular: Tensor.backward calls this engine)


def __getattr__(name):
    # PyTorch's spelling torch.autograd.gradcheck (same defaults): minidl's gradcheck, loaded
    # on first use (gradcheck.py imports this module)
    if name in ("gradcheck", "GradcheckError"):
        import importlib

        return getattr(importlib.import_module("minidl.gradcheck"), name)
    raise AttributeError(f"module 'minidl.autograd' has no attribute {name!r}")
