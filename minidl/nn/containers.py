"""Containers of modules and parameters, as PyTorch's: ``Sequential``, ``ModuleList``,
``ModuleDict``, ``ParameterList``, ``ParameterDict``.

Each is a :class:`~minidl.nn.module.Module` whose children (or parameters) are registered
under the names "0", "1", … or their keys, so ``state_dict`` keys match PyTorch's
(``0.weight``, ``layers.enc.bias``, ``params.alpha``).
"""

from collections import OrderedDict

import numpy as np

from minidl.nn.module import Module, Parameter
from minidl.tensor import Tensor, is_int

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Linear(2, 8), ReLU(), Linear(8, 1))``.

    Also takes an OrderedDict of name → module; children are named "0", "1", …
    otherwise (as in PyTorch, so state_dict keys are ``0.weight``, ``2.bias``).
    ``del seq[i]`` and ``insert`` renumber the children "0", "1", … as PyTorch
    does, names from an OrderedDict included.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i):
        if isinstance(i, slice):  # children keep their names, so state_dict keys do too
            return Sequential(OrderedDict(list(self._modules.items())[i]))
        return _child(self, i)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def pop(self, i=-1):
        module = self[i]
        del self[i]
        return module

    def __add__(self, other):
        """A new Sequential of both's modules (the same module objects), as PyTorch."""
        if not isinstance(other, Sequential):
            return NotImplemented
        return Sequential(*self, *other)

    def __iadd__(self, other):
        if not isinstance(other, Sequential):
            return NotImplemented
        return self.extend(list(other))

    def __mul__(self, n):
        """The modules repeated ``n`` times (the same objects, so weights are shared)."""
        if not is_int(n) or n < 1:
            raise ValueError(f"Sequential * n: n must be an int >= 1, got {n!r}")
        return Sequential(*(list(self) * int(n)))

    __rmul__ = __mul__

    def __setitem__(self, i, module):
        self.add_module(list(self._modules)[_position(self, i)], module)

    def __delitem__(self, i):
        _delete(self, i)

    def insert(self, i, module):
        _insert(self, i, module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (keys ``0.weight``, ``1.weight``, …)."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:  # not `modules or ()`: a Tensor's truth value is an error
            self.extend(modules)

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules):
        if isinstance(modules, Tensor) or not hasattr(modules, "__iter__"):
            raise TypeError(
                f"ModuleList: expected an iterable of Modules, got {type(modules).__name__}"
            )
        for m in modules:
            self.append(m)
        return self

    def __add__(self, other):
        """A new ModuleList of both's modules (the same module objects), as PyTorch."""
        if not isinstance(other, ModuleList):
            return NotImplemented
        return ModuleList([*self, *other])

    def __iadd__(self, other):
        return self.extend(other)

    def __getitem__(self, i):
        mods = list(self._modules.values())
        if isinstance(i, slice):
            return ModuleList(mods[i])
        return _child(self, i)

    def __setitem__(self, i, module):
        key = list(self._modules)[_position(self, i)]
        self.add_module(key, module)

    def __delitem__(self, i):
        _delete(self, i)

    def insert(self, i, module):
        _insert(self, i, module)
        return self

    def pop(self, i=-1):
        module = self[i]
        del self[i]
        return module

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __repr__(self):
        """As PyTorch prints a ModuleList: a run of children that print alike is one line,
        ``(0-11): 12 x Block(...)``."""
        if not self._modules:
            return "ModuleList()"
        runs = []  # [first index, last index, repr]
        for i, m in enumerate(self._modules.values()):
            body = repr(m)
            if runs and runs[-1][2] == body:
                runs[-1][1] = i
            else:
                runs.append([i, i, body])
        lines = [
            (f"({a}): " if a == b else f"({a}-{b}): {b - a + 1} x ") + body.replace("\n", "\n  ")
            for a, b, body in runs
        ]
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules whose parameters are registered under their keys (``layers.enc.weight``).

    Takes a dict (insertion order kept, as PyTorch) or (key, module) pairs.  A key
    must be a str without '.', and not the name of a method (``keys``, ``forward``, …).
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no key {key!r}; its keys are {list(self._modules)}")
        return self._modules[key]

    def __setitem__(self, key, module):
        if not isinstance(module, Module):
            raise TypeError(
                f"ModuleDict: value for key {key!r} must be a Module, got {type(module).__name__}"
            )
        self.add_module(key, module)

    def __delitem__(self, key):
        self[key]  # the KeyError above, before anything changes
        delattr(self, key)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def clear(self):
        for key in list(self._modules):
            del self[key]

    def update(self, modules):
        """Add or replace modules from a dict, a ModuleDict or (key, module) pairs."""
        _update("ModuleDict", self, modules)


class ParameterList(Module):
    """A list of parameters, registered as ``0``, ``1``, … (keys ``params.0``).

    A plain Tensor is wrapped as a Parameter sharing its array, as in PyTorch.
    """

    def __init__(self, values=None):
        super().__init__()
        self.extend(values or ())

    def append(self, value):
        self.register_parameter(str(len(self._parameters)), _as_parameter(self, len(self), value))
        return self

    def extend(self, values):
        for v in values:
            self.append(v)
        return self

    def __iadd__(self, values):
        return self.extend(values)

    def __getitem__(self, i):
        params = list(self._parameters.values())
        if isinstance(i, slice):
            return ParameterList(params[i])
        return params[_position(self, i)]

    def __setitem__(self, i, value):
        key = str(_position(self, i))
        self.register_parameter(key, _as_parameter(self, key, value))

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def extra_repr(self):
        return "\n".join(
            f"({k}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
            for k, p in self._parameters.items()
        )


class ParameterDict(Module):
    """A dict of parameters, registered under their keys (keys ``params.alpha``).

    A plain Tensor is wrapped as a Parameter sharing its array.  As PyTorch, a plain
    ``dict`` passed to the constructor or ``update`` is added in sorted key order; an
    OrderedDict, a ParameterDict or (key, value) pairs keep theirs.
    """

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        if key not in self._parameters:
            raise KeyError(
                f"ParameterDict has no key {key!r}; its keys are {list(self._parameters)}"
            )
        return self._parameters[key]

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(self, key, value))

    def __delitem__(self, key):
        self[key]
        delattr(self, key)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def items(self):
        return self._parameters.items()

    def values(self):
        return self._parameters.values()

    def get(self, key, default=None):
        return self._parameters.get(key, default)

    def pop(self, key):
        param = self[key]
        del self[key]
        return param

    def clear(self):
        for key in list(self._parameters):
            del self[key]

    def update(self, parameters):
        """Add or replace parameters from a dict, a ParameterDict or (key, value) pairs."""
        if type(parameters) is dict:  # PyTorch sorts a plain dict's keys (its docs say so)
            parameters = sorted(parameters.items())
        _update("ParameterDict", self, parameters)

    def extra_repr(self):
        return "\n".join(
            f"({k}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
            for k, p in self._parameters.items()
        )


def _as_parameter(container, key, value):
    """``value`` as a Parameter: a Parameter itself, a Tensor wrapped (sharing its array)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(
        f"{type(container).__name__}: value for {key!r} must be a Parameter or a Tensor, "
        f"got {type(value).__name__}"
    )


def _update(name, container, pairs):
    """``container[key] = value`` for each pair of a mapping or an iterable of pairs."""
    if hasattr(pairs, "items"):
        pairs = pairs.items()
    elif isinstance(pairs, (str, bytes)) or not hasattr(pairs, "__iter__"):
        raise TypeError(
            f"{name}.update: expected a dict or an iterable of (key, value) pairs, "
            f"got {type(pairs).__name__}"
        )
    for j, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(
                f"{name}.update: element {j} must be a (key, value) pair, got {pair!r:.60}"
            )
        container[pair[0]] = pair[1]


def _renumber(container, modules):
    """Register ``modules`` as the children "0", "1", … (PyTorch renumbers after a change)."""
    for name in list(container._modules):
        delattr(container, name)
    for k, m in enumerate(modules):
        container.add_module(str(k), m)


def _delete(container, i):
    mods = list(container._modules.values())
    if isinstance(i, slice):
        del mods[i]
    else:
        del mods[_position(container, i)]
    _renumber(container, mods)


def _insert(container, i, module):
    if not isinstance(module, Module):
        raise TypeError(f"insert: expected a Module, got {type(module).__name__}")
    mods = list(container._modules.values())
    n = len(mods)
    i = _index(container, i, "insert")
    if not -n <= i <= n:  # list.insert would clip it to an end: PyTorch refuses
        raise IndexError(
            f"{type(container).__name__}.insert: index {i} is out of range for length {n} "
            f"(expected {-n} .. {n})"
        )
    mods.insert(i, module)
    _renumber(container, mods)


def _position(container, i):
    """``i`` as a position in ``container`` (negative counts from the end), or an IndexError."""
    n = len(container)
    i = _index(container, i)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of range for {type(container).__name__} of length {n}")
    return i % n


def _index(container, i, op="index"):
    """``i`` as an int (NumPy ints too), else a TypeError naming the container."""
    if isinstance(i, (bool, np.bool_)) or not hasattr(i, "__index__"):
        raise TypeError(
            f"{type(container).__name__} {op}: expected an int (or a slice), "
            f"got {i!r} ({type(i).__name__})"
        )
    return i.__index__()


def _child(container, i):
    return list(container._modules.values())[_position(container, i)]
