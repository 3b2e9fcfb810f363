"""``Module``: a layer that owns parameters, buffers and sub-layers, as in PyTorch.

Assigning a :class:`Parameter` or a :class:`Module` to an attribute registers
it, so ``parameters()``, ``state_dict()`` and ``train()`` / ``eval()`` find
it.  A buffer (``register_buffer``) is state that is not learned, such as a
running mean: saved in ``state_dict()``, converted by ``to()``, never trained.
``state_dict`` keys are the attribute paths, e.g. ``lstm.weight_ih_l0`` and
``fc.bias``, the same as PyTorch's, so weights can move between the two.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from minidl.autograd import RemovableHandle, is_grad_enabled, note_write
from minidl.nn import backward_hooks
from minidl.tensor import Tensor, as_array, check_bool, to_arguments

__all__ = [
    "Parameter",
    "Module",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
]


_NO_INPUT = object()  # Module.__call__ with no positional argument (forward())


class Parameter(Tensor):
    """A Tensor that is a learnable weight: ``requires_grad=True``, found by ``parameters()``.

    ``Parameter(t)`` shares ``t``'s array (as in PyTorch); an ndarray or nested
    list is taken as it is by ``minidl.tensor`` (Python floats become float32).
    """

    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        self.data = data.data if isinstance(data, Tensor) else as_array(data, op="Parameter")
        self.grad = None
        self.grad_fn = None
        self._out_index = 0
        self._requires_grad = False
        if check_bool("Parameter", "requires_grad", requires_grad):
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns; shown as PyTorch shows it when nothing is missing."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


class Module:
    """Base class of layers and models: subclass it, assign layers in ``__init__``,
    write ``forward``; ``model(x)`` calls ``forward(x)``.

    ``training`` is True after construction and ``train()``, False after
    ``eval()`` (Dropout reads it).
    """

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            # a layer without an __init__ of its own (Sigmoid(3)) lands here: name the layer,
            # not Module, as PyTorch does
            name = type(self).__name__
            if kwargs:
                raise TypeError(
                    f"{name}.__init__() got an unexpected keyword argument {next(iter(kwargs))!r}"
                )
            raise TypeError(
                f"{name}.__init__() takes 1 positional argument but {len(args) + 1} were given"
            )
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ----- registration ----------------------------------------------------
    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if isinstance(value, (Parameter, Module)) and params is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__() "
                "is called (call super().__init__() first)"
            )
        if params is not None:
            modules = self._modules
            buffers = self._buffers
            # PyTorch's rules; re-assigning a name keeps its place in parameters() and state_dict
            if isinstance(value, Parameter):
                modules.pop(name, None)
                self._forget_buffer(name)
                params[name] = value
            elif name in params:
                if value is not None:
                    # the hint fits a tensor or array (new values), not a module
                    hint = (
                        f"; del self.{name} first to put a {type(value).__name__} there"
                        if isinstance(value, Module)
                        else "; to change its values, write "
                        f"`with minidl.no_grad(): self.{name}[...] = value`"
                    )
                    raise TypeError(
                        f"cannot assign {type(value).__name__} as parameter '{name}' "
                        f"(a Parameter or None expected){hint}"
                    )
                params[name] = None
            elif isinstance(value, Module):
                self._forget_buffer(name)
                modules[name] = value
            elif name in modules:
                if value is not None:
                    raise TypeError(
                        f"cannot assign {type(value).__name__} as child module '{name}' "
                        "(a Module or None expected)"
                    )
                modules[name] = None
            elif name in buffers:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(
                        f"{type(self).__name__}: cannot assign {type(value).__name__} as "
                        f"buffer '{name}' (a Tensor or None expected)"
                    )
                buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._parameters.pop(name, None)
        self._forget_buffer(name)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def _forget_buffer(self, name):
        self._buffers.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def _check_new_name(self, op, name, own):
        """A registered name is a plain attribute name, and not an attribute of another kind
        (an orphan left in ``parameters()`` would be trained but never used).  As PyTorch."""
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{op}: name must be a non-empty str without '.', got {name!r}")
        if hasattr(self, name) and name not in own:
            raise KeyError(f"{op}: attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Add ``param`` (a Parameter, or None for an absent one such as ``bias=False``)."""
        _check_initialised(self, "register_parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: '{name}' must be a Parameter or None, "
                f"got {type(param).__name__}"
            )
        self._check_new_name("register_parameter", name, self._parameters)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name, tensor, persistent=True):
        """Add ``tensor`` (or None) as state that is not a parameter: no gradient, not in
        ``parameters()``, never updated by an optimizer.  ``self.name`` reads it; assigning
        a Tensor to ``self.name`` replaces it.  It is in ``state_dict()`` unless
        ``persistent=False``, and ``to(dtype)`` converts it if it is a float tensor."""
        op = f"{type(self).__name__}.register_buffer"
        if "_buffers" not in self.__dict__:
            raise AttributeError(
                f"{op}: cannot register buffer {name!r} before Module.__init__() is called "
                "(call super().__init__() first)"
            )
        if not isinstance(name, str):
            raise TypeError(f"{op}: buffer name must be a str, got {type(name).__name__}")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"{op}: buffer '{name}' must be a Tensor or None, got {type(tensor).__name__}"
            )
        if not isinstance(persistent, bool):
            raise TypeError(f"{op}: persistent must be True or False, got {persistent!r}")
        self._check_new_name(op, name, self._buffers)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name, module):
        """Add a sub-module under ``name`` (what attribute assignment does)."""
        _check_initialised(self, "add_module", name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: '{name}' must be a Module, got {type(module).__name__}")
        self._check_new_name("add_module", name, self._modules)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    # ----- forward ---------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...)")

    # no hooks: empty class defaults; registering a hook gives the module its own dict
    _forward_pre_hooks = _forward_hooks = {}
    _full_backward_pre_hooks = _full_backward_hooks = {}

    def __call__(self, input=_NO_INPUT, /, *args, **kwargs):
        # The common call, one input and no hook anywhere (a global test: reading the module's
        # own hook dicts costs ~500 CPU instructions), is written out: forwarding *args and
        # **kwargs costs ~1,000 more a call, and a training step makes tens of calls.
        if not (args or kwargs or _hooks_alive[0]) and input is not _NO_INPUT:
            return self.forward(input)
        if input is not _NO_INPUT:
            args = (input, *args)
        if _hooks_alive[0]:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args, kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:  # new inputs: a tuple, or one value
                args = result if isinstance(result, tuple) else (result,)
        call = None
        if (self._full_backward_hooks or self._full_backward_pre_hooks) and is_grad_enabled():
            args, call = backward_hooks.wrap_inputs(self, args)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:  # a new output
                output = result
        if call is not None:
            output = backward_hooks.wrap_outputs(call, output)
        return output

    def register_forward_pre_hook(self, hook):
        """Call ``hook(module, args)`` before every ``forward``; a result other than None
        replaces the inputs (a tuple, or one value).  Returns a handle: ``handle.remove()``."""
        return self._add_hook("_forward_pre_hooks", hook)

    def register_forward_hook(self, hook):
        """Call ``hook(module, args, output)`` after every ``forward`` (to look at or record
        activations); a result other than None replaces the output.  Returns a handle:
        ``handle.remove()``, or ``with module.register_forward_hook(h):`` for one block."""
        return self._add_hook("_forward_hooks", hook)

    def register_full_backward_hook(self, hook):
        """Call ``hook(module, grad_input, grad_output)`` each time backward has computed the
        gradients of this module's positional inputs (grad_input) from those of its outputs
        (grad_output): tuples of Tensors, None where there is none.  A tuple returned
        replaces grad_input.  Returns a handle: ``handle.remove()``."""
        return self._add_hook("_full_backward_hooks", hook)

    def register_full_backward_pre_hook(self, hook):
        """Call ``hook(module, grad_output)`` when backward reaches this module's outputs,
        before the gradients go into it; a tuple returned replaces grad_output."""
        return self._add_hook("_full_backward_pre_hooks", hook)

    def _add_hook(self, kind, hook):
        if not callable(hook):
            raise TypeError(
                f"{type(self).__name__}.register{kind[:-6]}_hook: hook must be callable, "
                f"got {type(hook).__name__}"
            )
        hooks = self.__dict__.get(kind)
        if hooks is None:
            hooks = {}
            object.__setattr__(self, kind, hooks)
        handle = RemovableHandle(hooks, on_remove=_hook_removed)
        hooks[handle.id] = hook
        _hooks_alive[0] += 1
        return handle

    # ----- traversal -------------------------------------------------------
    def named_modules(self, prefix="", remove_duplicate=True):
        """(path, module) for this module and every descendant, depth first.

        A module reachable by several paths comes once, unless ``remove_duplicate=False``
        (what ``state_dict`` uses: PyTorch saves a shared module under each of its names).
        """
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if remove_duplicate:
                if id(m) in seen:
                    continue
                seen.add(id(m))
            yield name, m
            children = [
                (f"{name}.{n}" if name else n, c) for n, c in m._modules.items() if c is not None
            ]
            stack.extend(reversed(children))

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()  # a child registered under two names comes once, as in PyTorch
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(key, parameter) pairs, keys as in ``state_dict``; a shared parameter appears once
        (under each of its names with ``remove_duplicate=False``)."""
        seen = set()
        modules = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        for mod_name, m in modules:
            for name, p in m._parameters.items():
                if p is None or (remove_duplicate and id(p) in seen):
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """(key, buffer) pairs, keys as in ``state_dict`` (non-persistent buffers included)."""
        seen = set()
        modules = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        for mod_name, m in modules:
            for name, b in m._buffers.items():
                if b is None or (remove_duplicate and id(b) in seen):
                    continue
                seen.add(id(b))
                yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ----- modes and gradients ---------------------------------------------
    def train(self, mode=True):
        """Set ``training`` on this module, then call ``train(mode)`` on each child (so a
        child's own ``train`` runs); returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be True or False, got {mode!r}")
        object.__setattr__(self, "training", mode)
        for m in self.children():
            m.train(mode)
        return self

    def apply(self, fn):
        """Call ``fn(m)`` on every sub-module, children before parents, then on self (as
        PyTorch's ``model.apply(init_weights)``); returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def eval(self):
        """``train(False)``: Dropout becomes the identity."""
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Forget accumulated gradients (``grad = None``, or zeros if ``set_to_none=False``).

        The zeros are a new tensor, not the old ``.grad`` zeroed in place as PyTorch does:
        a gradient the user kept (``g = p.grad``) keeps its values."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor._make(np.zeros_like(p.data))

    def requires_grad_(self, requires_grad=True):
        requires_grad = check_bool(
            f"{type(self).__name__}.requires_grad_", "requires_grad", requires_grad
        )
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def to(self, *args, device=None, dtype=None):
        """Convert every parameter (in place, same Parameter objects) and every float buffer
        (replaced by a converted tensor, as PyTorch does) to a float ``dtype``.

        Integer and bool buffers (a step counter, a mask) keep their dtype, as in
        PyTorch.  A device may be given too; minidl's only one is "cpu", so
        ``model.to("cpu")`` changes nothing.
        """
        dtype = to_arguments("Module.to", args, device, dtype)
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(f"Module.to: expected a float dtype, got {dtype}")
        for p in self.parameters():
            if p.data.dtype == dtype:
                continue  # no copy: views from state_dict() keep sharing the parameter's memory
            p.data = p.data.astype(dtype)
            if p.grad is not None:
                p.grad = Tensor._make(p.grad.data.astype(dtype))
        converted = {}  # a buffer shared by two modules stays shared
        for m in self.modules():
            for name, b in m._buffers.items():
                if b is None or b.dtype.kind != "f" or b.dtype == dtype:
                    continue
                if id(b) not in converted:
                    converted[id(b)] = Tensor._make(b.data.astype(dtype), b.requires_grad)
                m._buffers[name] = converted[id(b)]
                object.__setattr__(m, name, converted[id(b)])
        return self

    def cpu(self):
        """``self``: minidl has no other device (PyTorch compatibility)."""
        return self

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)

    def get_submodule(self, target):
        """The module at the dotted path ``target`` ("" is this module), as PyTorch."""
        module = self
        for i, name in enumerate(target.split(".") if target else ()):
            child = module._modules.get(name)
            if child is None:
                where = ".".join(target.split(".")[:i]) or type(self).__name__
                raise AttributeError(f"get_submodule: {where} has no submodule {name!r}")
            module = child
        return module

    def get_parameter(self, target):
        """The parameter at the dotted path ``target`` ("0.weight"), as PyTorch."""
        return self._get_tensor("get_parameter", target, "_parameters", "a parameter")

    def get_buffer(self, target):
        """The buffer at the dotted path ``target`` ("bn.running_mean"), as PyTorch."""
        return self._get_tensor("get_buffer", target, "_buffers", "a buffer")

    def _get_tensor(self, op, target, kind, what):
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in getattr(module, kind):
            other = getattr(module, name, None) if name else None
            found = f"a {type(other).__name__}" if other is not None else "nothing"
            raise AttributeError(
                f"{op}: {target!r} is not {what}: {type(module).__name__} has {found} "
                f"named {name!r}"
            )
        return getattr(module, kind)[name]

    def float(self):
        return self.to(np.float32)

    # ----- state -----------------------------------------------------------
    def _named_state(self):
        """(key, tensor) of every parameter and persistent buffer, in ``state_dict`` order:
        each module's parameters, then its buffers, then its children's (PyTorch's order)."""
        for mod_name, m in self.named_modules(remove_duplicate=False):
            skip = m._non_persistent_buffers_set
            buffers = [(n, b) for n, b in m._buffers.items() if n not in skip]
            for name, t in [*m._parameters.items(), *buffers]:
                if t is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), t

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """OrderedDict key → detached tensor sharing the parameter's or persistent buffer's
        data (PyTorch's keys, each after ``prefix``; the Parameters themselves with
        ``keep_vars=True``), filled into ``destination`` if one is given."""
        out = OrderedDict() if destination is None else destination
        for key, t in self._named_state():
            out[prefix + key] = t if keep_vars else t.detach()
        return out

    def load_state_dict(self, state_dict, strict=True):
        """Copy values into the parameters and persistent buffers (in place, so optimizers
        keep working).

        With ``strict=True`` a missing or unexpected key is an error naming
        them all; a shape mismatch is always an error.  Nothing is changed
        unless every check passes.  Returns ``(missing_keys, unexpected_keys)``.
        """
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{name}.load_state_dict: state_dict must be a dict (mapping) of key → tensor, "
                f"got {type(state_dict).__name__}"
            )
        strict = check_bool(f"{name}.load_state_dict", "strict", strict)
        own = OrderedDict(self._named_state())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems = []
        if strict and missing:
            problems.append("Missing key(s): " + ", ".join(repr(k) for k in missing))
        if strict and unexpected:
            problems.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected))
        values = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            arr = value.data if isinstance(value, Tensor) else np.asarray(value)
            if arr.dtype.kind not in "biuf":  # checked here: the copy below must not fail
                problems.append(
                    f"value for {key!r} is not numeric: a {type(value).__name__} "
                    f"of dtype {arr.dtype}"
                )
                continue
            if arr.shape != target.shape:
                problems.append(
                    f"size mismatch for {key!r}: the checkpoint has shape {tuple(arr.shape)}, "
                    f"this model has {tuple(target.shape)}"
                )
            values[key] = arr
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {name}:\n    " + "\n    ".join(problems)
            )
        for key, arr in values.items():
            own[key].data[...] = arr
            note_write(own[key])  # a graph recorded before this load can no longer backward
        return _IncompatibleKeys(missing, unexpected)

    # ----- display ---------------------------------------------------------
    def extra_repr(self):
        """The text inside this module's parentheses (its settings)."""
        return ""

    def __repr__(self):
        lines = []
        extra = self.extra_repr()
        if extra:
            lines.extend(extra.split("\n"))
        for name, m in self._modules.items():
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {body}")
        if not self._modules and "\n" not in extra:
            return f"{type(self).__name__}({extra})"
        return type(self).__name__ + "(\n  " + "\n  ".join(lines) + "\n)"


_hooks_alive = [0]  # hooks registered and not removed, in every module


def _hook_removed():
    _hooks_alive[0] -= 1


def _check_initialised(module, op, name):
    if "_parameters" not in module.__dict__:
        raise AttributeError(
            f"{type(module).__name__}.{op}: cannot add {name!r} before Module.__init__() is "
            "called (call super().__init__() first)"
        )


# re-exported: ``from minidl.nn.module import Sequential`` keeps working
from minidl.nn.containers import (  # noqa: E402  (circular: the containers subclass Module)
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
