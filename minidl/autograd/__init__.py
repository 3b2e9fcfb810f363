"""Define-by-run autograd: ``Function``, the backward engine, ``no_grad``.

Every differentiable op is a subclass of :class:`Function` with a static
``forward(ctx, *arrays)`` and ``backward(ctx, grad)`` written in plain NumPy.
Calling ``Op.apply(*tensors)`` runs ``forward`` and, when a gradient is
needed, records a graph node: the ``ctx`` object itself (it becomes the
output's ``grad_fn``).  ``Tensor.backward`` walks the recorded nodes in
reverse creation order, which is a topological order because a node is
always created after the nodes of its inputs.

One idea per file:

    grad_mode.py   no_grad, enable_grad, inference_mode, set_grad_enabled
    function.py    Function, Node (the ctx), apply; op_error
    write_log.py   note_write: in-place writes that backward checks for
    accumulate.py  unbroadcast, ScatterGrad: gradients summed back to an input
    hooks.py       register_hook, retain_grad
    engine.py      run_backward (Tensor.backward), grad

Every name is re-exported here (``from minidl.autograd import X``).  A name
is the same object as in its file: to replace one (a test's monkeypatch),
set it in the file whose functions read it.
"""

from minidl.autograd import accumulate, engine, function, grad_mode, hooks, write_log
from minidl.autograd.accumulate import (
    ScatterGrad,
    _accumulate,
    _Buffer,
    _check_grad,
    _existing_grad,
    _value,
    unbroadcast,
)
from minidl.autograd.engine import (
    _accumulate_leaves,
    _deliver,
    _holds_input,
    _needed,
    _next_after,
    _tensor_tuple,
    _wait,
    grad,
    run_backward,
)
from minidl.autograd.function import (
    _OP_ERRORS,
    OPS,
    Function,
    Node,
    OpError,
    _bind_tensor_keywords,
    _describe,
    _new_object,
    _next_id,
    op_error,
)
from minidl.autograd.grad_mode import (
    _decorate,
    _GradMode,
    _GradModeBlock,
    _GradModeState,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minidl.autograd.hooks import (
    RemovableHandle,
    _forget_leaf_hooks,
    _leaf_hooks,
    _run_hooks,
    _store_retained,
    register_hook,
    retain_grad,
)
from minidl.autograd.write_log import (
    _check_saved_unchanged,
    _forget_writes,
    _overwritten,
    _owner,
    _WriteLog,
    _Writes,
    note_write,
)

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

# Last: minidl.tensor imports the ops, which import the names above (circular: Tensor.backward
# calls this engine, and the engine wraps gradients in Tensor)
from minidl.tensor import Tensor  # noqa: E402

for _module in (function, write_log, hooks, engine):
    _module._import_late()
del _module


def __getattr__(name):
    # PyTorch's spelling torch.autograd.gradcheck (same defaults): minidl's gradcheck, loaded
    # on first use (gradcheck.py imports this module)
    if name in ("gradcheck", "GradcheckError"):
        import importlib

        return getattr(importlib.import_module("minidl.gradcheck"), name)
    raise AttributeError(f"module 'minidl.autograd' has no attribute {name!r}")
