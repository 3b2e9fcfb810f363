"""Module backward hooks: ``register_full_backward_hook`` and ``register_full_backward_pre_hook``.

A call of a module that has such hooks passes its tensors through two identity ops, as
PyTorch does::

    args ──HookInput──> forward (and forward hooks) ──HookOutput──> outputs

Backward reaches ``HookOutput`` with grad_output = dL/d(outputs): the pre-hooks run there
(``hook(module, grad_output)``, and may replace it).  It reaches ``HookInput`` later, with
grad_input = dL/d(positional inputs): the hooks run there (``hook(module, grad_input,
grad_output)``, and may replace grad_input).  Both ops are the identity, so a hook that
returns None changes no gradient.  Only positional tensors that require grad pass through
``HookInput``; as in PyTorch, grad_input has zeros for the other positional tensors (and for
one the loss does not reach) and None for arguments that are not tensors, and grad_output
has None for an output the loss does not reach.
"""

import numpy as np

from minidl.autograd import Function
from minidl.tensor import Tensor

__all__ = ["wrap_inputs", "wrap_outputs"]


class _HookCall:
    """One forward call of a hooked module: its hooks (as registered at that call, as in
    PyTorch), its positional inputs' shapes and dtypes, which of them and of the outputs
    are tracked, and grad_output once backward has it."""

    def __init__(self, module, args):
        self.module = module
        self.hooks = list(module._full_backward_hooks.values())
        self.pre_hooks = list(module._full_backward_pre_hooks.values())
        # (shape, dtype) of each positional tensor, None for other arguments
        self.inputs = [
            (a.data.shape, a.data.dtype) if isinstance(a, Tensor) else None for a in args
        ]
        self.tracked = tuple(
            i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad
        )
        self.n_outputs = 0
        self.tracked_outputs = ()
        self.grad_output = None

    def outputs_reached(self, grads):
        """Backward at the outputs: run the pre-hooks; the hooks too if no input is tracked."""
        grad_output = [None] * self.n_outputs
        for j, g in zip(self.tracked_outputs, grads):
            if g is not None:  # None: an output the loss does not reach, as in PyTorch
                grad_output[j] = _shown(g)
        grad_output = tuple(grad_output)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = _replacement(self, "pre-hook", result, grad_output)
        self.grad_output = grad_output
        if not self.tracked:  # no input to wait for: the hooks run now (PyTorch warns here)
            self._run_hooks((None,) * len(self.inputs))
        return tuple(_array(grad_output[j]) for j in self.tracked_outputs)

    def inputs_reached(self, grads):
        """Backward at the inputs: run the hooks with grad_input and grad_output.

        As in PyTorch, every positional tensor has a gradient there: zeros for one the loss
        does not reach or that does not require grad; other arguments have None."""
        grad_input = [None if meta is None else _shown(np.zeros(*meta)) for meta in self.inputs]
        for i, g in zip(self.tracked, grads):
            if g is not None:
                grad_input[i] = _shown(g)
        grad_input = self._run_hooks(tuple(grad_input))
        return tuple(_array(grad_input[i]) for i in self.tracked)

    def _run_hooks(self, grad_input):
        grad_output = self.grad_output
        if grad_output is None:  # the outputs were not reached (an input kept and used apart)
            grad_output = (None,) * self.n_outputs
        for hook in self.hooks:
            result = hook(self.module, grad_input, grad_output)
            if result is not None:
                grad_input = _replacement(self, "hook", result, grad_input)
        return grad_input


def _array(t):
    return None if t is None else t.data


def _shown(g):
    """A gradient as a hook sees it: a Tensor over a read-only view (the array may be
    another path's gradient too)."""
    view = g.view()
    view.flags.writeable = False
    return Tensor._make(view)


def _replacement(call, kind, result, old):
    """Check a hook's result: a tuple as long as the one it was given, each entry None or a
    tensor of the gradient's shape and dtype; returns it as a tuple of Tensors and Nones."""
    name = f"{type(call.module).__name__} full backward {kind}"
    what = "grad_output" if kind == "pre-hook" else "grad_input"
    if isinstance(result, Tensor):
        result = (result,)
    if not isinstance(result, (tuple, list)) or len(result) != len(old):
        got = len(result) if isinstance(result, (tuple, list)) else type(result).__name__
        raise RuntimeError(
            f"{name}: returned {got} for {what}, expected None or a tuple of {len(old)} "
            "(a Tensor or None for each)"
        )
    new = []
    for i, (r, g) in enumerate(zip(result, old)):
        if r is None:
            new.append(None)
            continue
        if g is None:
            raise RuntimeError(
                f"{name}: returned a gradient for {what}[{i}], which has none (not a tensor, "
                "or not reached by backward); return None there"
            )
        a = r.data if isinstance(r, Tensor) else np.asarray(r)
        if a.shape != g.shape or a.dtype != g.dtype:
            raise RuntimeError(
                f"{name}: returned a gradient of shape {a.shape} and dtype {a.dtype} for "
                f"{what}[{i}], expected {g.shape} {g.dtype} (a hook may not change the "
                "gradient's shape or type)"
            )
        new.append(Tensor._make(np.array(a)))  # its own memory
    return tuple(new)


class HookInput(Function):
    """Identity on a hooked module's tracked inputs, x_i -> x_i;  dL/dx_i as the hooks
    leave it (unchanged if they return None)."""

    @staticmethod
    def forward(ctx, call, *xs):
        ctx.call = call
        ctx.set_materialize_grads(False)  # an input the loss does not reach: None, as PyTorch
        return tuple(x.view() for x in xs)  # views: the output is another tensor, same memory

    @staticmethod
    def backward(ctx, *grads):
        return (None, *ctx.call.inputs_reached(grads))


class HookOutput(Function):
    """Identity on a hooked module's outputs, y_j -> y_j;  dL/dy_j as the pre-hooks leave it."""

    @staticmethod
    def forward(ctx, call, *ys):
        ctx.call = call
        ctx.metas = [(y.shape, y.dtype) for y in ys]
        ctx.set_materialize_grads(False)  # the hooks see None for an output not reached
        return tuple(y.view() for y in ys)

    @staticmethod
    def backward(ctx, *grads):
        grads = ctx.call.outputs_reached(grads)
        # ...but backward goes on through it with zeros, as PyTorch's: its inputs then get
        # zeros, and the hooks run, even when the loss reaches only another output
        return (None, *(np.zeros(*m) if g is None else g for g, m in zip(grads, ctx.metas)))


def wrap_inputs(module, args):
    """(args with the tracked tensors passed through HookInput, the call's record)."""
    call = _HookCall(module, args)
    if call.tracked:
        passed = HookInput.apply(call, *(args[i] for i in call.tracked))
        args = list(args)
        for i, t in zip(call.tracked, passed):
            args[i] = t
        args = tuple(args)
    return args, call


def wrap_outputs(call, output):
    """The module's output with its tensors that require grad passed through HookOutput.

    As in PyTorch, grad_output has one entry per output, or per item of a tuple output;
    None for an item that is not a tensor (a nested tuple such as an LSTM's ``(h_n, c_n)``)
    or receives no gradient.  Other outputs (a list, a dict) are not tracked."""
    single = isinstance(output, Tensor)
    items = (output,) if single else output if type(output) is tuple else None
    if items is None:
        call.hooks = call.pre_hooks = []  # nothing to report grad_output for: PyTorch skips
        return output
    call.n_outputs = len(items)
    call.tracked_outputs = tuple(
        j for j, y in enumerate(items) if isinstance(y, Tensor) and y.requires_grad
    )  # none: the hooks run at the inputs, if any is reached
    if not call.tracked_outputs:
        return output
    passed = HookOutput.apply(call, *(items[j] for j in call.tracked_outputs))
    items = list(items)
    for j, t in zip(call.tracked_outputs, passed):
        items[j] = t
    return items[0] if single else tuple(items)
