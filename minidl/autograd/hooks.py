"""Tensor hooks and ``retain_grad``: seeing (or replacing) a gradient during backward.

A result keeps its hooks and retained gradients on its node
(``node.retained``); a leaf has no node, so its hooks live in ``_leaf_hooks``.
"""

from __future__ import annotations

import functools
import itertools
import weakref

import numpy as np

from minidl.autograd.accumulate import _existing_grad


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


def retain_grad(tensor):
    node = tensor.grad_fn
    if node.retained is None:
        node.retained = {}
    node.retained[tensor._out_index] = weakref.ref(tensor)


def _import_late():
    """Import ``Tensor``: minidl.tensor imports the ops, which import minidl.autograd, so
    the package calls this once all of minidl.autograd is defined (see its ``__init__``)."""
    global Tensor
    from minidl.tensor import Tensor
