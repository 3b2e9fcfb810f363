"""The backward engine: ``run_backward`` (``Tensor.backward``) and ``grad``.

``run_backward`` walks the recorded nodes in reverse creation order, which is
a topological order because a node is always created after the nodes of its
inputs, and accumulates each leaf's gradient into its ``.grad``.  ``grad``
runs the same walk but returns the gradients of the inputs it is given.
"""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np

from minidl.autograd.accumulate import (
    _accumulate,
    _check_grad,
    _existing_grad,
    _value,
)
from minidl.autograd.function import _new_object
from minidl.autograd.hooks import _leaf_hooks, _run_hooks, _store_retained
from minidl.autograd.write_log import _check_saved_unchanged, _owner, _Writes


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


def _accumulate_leaves(leaves, handed):
    for t, got in leaves.values():
        if not t._requires_grad:
            continue  # frozen (requires_grad_(False)) since the forward: as PyTorch, no .grad
        if t._grad is not None:
            # out of place: the old grad array may be shared with a user's variable
            t._grad = Tensor._make(_existing_grad(t) + _value(got))
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
        grad._grad = None
        grad._requires_grad = False
        grad.grad_fn = None
        grad._out_index = 0
        t._grad = grad


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


def _import_late():
    """Import ``Tensor``: minidl.tensor imports the ops, which import minidl.autograd, so
    the package calls this once all of minidl.autograd is defined (see its ``__init__``)."""
    global Tensor
    from minidl.tensor import Tensor
