"""``Optimizer``: parameter groups, ``zero_grad``, ``step`` and checkpoints.

A subclass supplies two things: ``_check_group(group)`` (validate its
hyper-parameters) and ``_update(p, g, group)`` (one step on one parameter,
in place on the array ``p.data`` from the gradient array ``g``), and lists in
``_state_keys`` the keys of a parameter's state, so that a loaded checkpoint
is checked to have them.  The base class walks the groups, skips parameters
without a gradient and never touches ``p.grad``.

A group with a ``weight_decay`` λ > 0 has the L2 penalty's gradient added
before ``_update`` sees g (PyTorch's weight decay, the same for every
optimizer; not AdamW's decoupled one)::

    g ← g + λ θ

A subclass that uses ``weight_decay`` its own way (``AdamW``'s decoupled decay)
sets ``_decoupled_weight_decay = True`` and the base class leaves g alone.
"""

import collections.abc
import math

import numpy as np

from minidl.autograd import _GradMode, enable_grad, note_write
from minidl.tensor import Tensor, _not_an_array, check_bool, is_real

__all__ = ["Optimizer"]


_INF = float("inf")
_SCHEDULER_KEYS = {"initial_lr"}  # what a scheduler adds to a group (the lr_scheduler package)


class Optimizer:
    """Base class: holds ``param_groups`` (a list of dicts) and per-parameter ``state``.

    ``params`` is an iterable of tensors, or of dicts ``{"params": [...], "lr": ...}``
    whose missing hyper-parameters are taken from ``defaults`` (as in PyTorch).
    ``state`` maps a parameter to its dict of running quantities (e.g. Adam's m, v).
    ``maximize=True`` (every optimizer, as in PyTorch) ascends: each step is that of −g,
    negated before any weight decay is added.
    """

    _state_keys = ()  # the keys of a parameter's state (Adam: "step", "m", "v")
    # hyper-parameters added after checkpoints were first saved, each with the value that
    # gives the old update: a checkpoint without one loads with that value (as in PyTorch)
    _added_later = {"weight_decay": 0.0, "maximize": False}
    # True: the subclass's _update applies "weight_decay" itself (AdamW), so step() does not
    # add the coupled λθ to g
    _decoupled_weight_decay = False

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of tensors or of dicts, "
                "got a single Tensor (wrap it in a list)"
            )
        if not isinstance(params, collections.abc.Iterable):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of tensors or of dicts "
                f"(e.g. model.parameters()), got {type(params).__name__}"
            )
        self.defaults = dict(defaults)
        self.state = {}
        self._work = {}
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group):
        """Add ``{"params": [...], **hyper}``; unspecified hyper-parameters use the defaults."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a parameter group is a dict with a 'params' key")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: expected Tensors as parameters, got {type(p).__name__}")
            if p.dtype.kind != "f" or not p.is_leaf:
                raise ValueError(
                    f"{name}: can only optimize float leaf tensors, got dtype {p.dtype}"
                    f"{'' if p.is_leaf else ' (a non-leaf: result of an op)'}"
                )
            if id(p) in seen:
                raise ValueError(f"{name}: a parameter appears in more than one group (or twice)")
            seen.add(id(p))
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"{name}: unknown hyper-parameter(s) {sorted(unknown)}")
        full = {**self.defaults, **group, "params": params}
        self._check_group(full)
        self.param_groups.append(full)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: ``p.grad = None`` (or a fresh zero tensor where there was a
        gradient; a parameter without one keeps None, as in PyTorch, so that ``step`` still
        skips it)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p._grad is None:  # _grad: the slot behind .grad, read fast
                    p._grad = None
                else:  # a fresh array, not an in-place fill: the old grad may be held by the user
                    p._grad = Tensor._make(np.zeros_like(p.data))

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        written = []
        update = self._update
        state = self.state
        previous = _GradMode.enabled
        _GradMode.enabled = False  # no_grad() without the block object: this runs every step
        coupled = not self._decoupled_weight_decay
        try:
            for group in self.param_groups:
                lr = group["lr"]
                if type(lr) is not float or not 0.0 <= lr < _INF:  # NaN fails too
                    # a hand-set group["lr"] (a scheduler writes Python floats): checked as
                    # at construction, else a NaN lr turns every weight NaN
                    group["lr"] = real_in_range(
                        f"{type(self).__name__}.step", "learning rate lr", lr, 0, None
                    )
                decay = group.get("weight_decay", 0.0) if coupled else 0.0
                maximize = group.get("maximize", False)
                for p in group["params"]:
                    grad = p._grad  # .grad without its property (a parameter is a leaf)
                    if grad is None:
                        continue
                    if type(grad) is not Tensor and not isinstance(grad, Tensor):
                        raise TypeError(
                            f"{type(self).__name__}.step: the .grad of the parameter of shape "
                            f"{p.data.shape} must be a Tensor or None, got {type(grad).__name__}"
                        )
                    g, data = grad.data, p.data
                    if type(data) is not np.ndarray:
                        raise TypeError(f"{type(self).__name__}.step: {_not_an_array(p)}")
                    if g.shape != data.shape:
                        raise ValueError(
                            f"{type(self).__name__}.step: gradient of shape {g.shape} "
                            f"for a parameter of shape {data.shape}"
                        )
                    if g.dtype is not data.dtype and g.dtype != data.dtype:
                        # the update would cast it silently; a .grad set by hand is the cause
                        raise TypeError(
                            f"{type(self).__name__}.step: gradient of dtype {g.dtype} for a "
                            f"parameter of dtype {data.dtype}, shape {data.shape}; .grad must "
                            "have the parameter's dtype"
                        )
                    kept = state.get(p) if state else None  # plain SGD keeps none
                    if kept:  # Adam's m and v, SGD's velocity, ...: made for this dtype
                        for value in kept.values():
                            if type(value) is np.ndarray and value.dtype is not data.dtype:
                                self._state_mismatch(p, value)
                    if maximize:  # ascend: the update of −g, before any decay (PyTorch's order)
                        g = -g
                    if decay:
                        g = self._add_weight_decay(g, data, decay)
                    update(p, g, group)
                    written.append(p)
        finally:
            _GradMode.enabled = previous
            if written:  # a graph recorded before this step can no longer backward
                note_write(*written)
        return loss

    def _check_group(self, group):
        """Validate a group's hyper-parameters (numbers become Python floats: no upcasting)."""
        name = type(self).__name__
        group["lr"] = real_in_range(name, "learning rate lr", group["lr"], 0, None)
        if "weight_decay" in group:
            decay = group["weight_decay"]
            group["weight_decay"] = real_in_range(name, "weight_decay λ", decay, 0, None)
        if "maximize" in group:
            group["maximize"] = check_bool(name, "maximize", group["maximize"])

    def _state_mismatch(self, p, array):
        """Raise for a state array (Adam's m, SGD's velocity) that no longer matches its
        parameter: in-place NumPy would keep float32 moments for a float64 parameter."""
        if array.dtype != p.data.dtype:
            raise RuntimeError(
                f"{type(self).__name__}.step: the state of the parameter of shape "
                f"{p.data.shape} is {array.dtype} {array.shape} but the parameter is now "
                f"{p.data.dtype} (was the model converted, e.g. .double(), after the optimizer "
                "made a step?); create the optimizer after converting the model, as in PyTorch"
            )

    def _update(self, p, g, group):
        raise NotImplementedError(f"{type(self).__name__} must define _update(p, g, group)")

    def _add_weight_decay(self, g, theta, decay):
        """g + λθ, in a scratch array: the user's ``p.grad`` stays the gradient of the loss."""
        (out,) = self._work_arrays(theta, 1, use="weight_decay")  # not the update's scratch
        np.multiply(theta, decay, out=out)  # a Python-float λ keeps float32 float32
        out += g
        return out

    def _work_arrays(self, array, n, use="update"):
        """``n`` scratch arrays of ``array``'s shape and dtype, shared by same-shaped parameters.

        Updates write their temporaries here (``out=``): fresh temporaries the
        size of a large parameter (an embedding table) cost page faults every step.
        Each ``use`` has its own arrays.
        """
        key = (use, array.shape, array.dtype, n)
        work = self._work.get(key)
        if work is None:
            work = self._work[key] = tuple(np.empty_like(array) for _ in range(n))
        return work

    # ----- checkpoints -----------------------------------------------------
    def state_dict(self):
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``.

        Parameters are numbered in group order, as in PyTorch; arrays are copies,
        so the dict is a snapshot (savable with ``minidl.save``).
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: _plain(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: _plain(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by ``state_dict`` (same parameter layout)."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(
                f"{name}.load_state_dict: expected the dict returned by state_dict(), with keys "
                f"'state' and 'param_groups', got {got}"
            )
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: {len(groups)} parameter groups saved, "
                f"this optimizer has {len(self.param_groups)}"
            )
        params = []
        for i, (saved, mine) in enumerate(zip(groups, self.param_groups)):
            if len(saved["params"]) != len(mine["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: group {i} saved {len(saved['params'])} "
                    f"parameters, this optimizer has {len(mine['params'])}"
                )
            params.extend(zip((int(j) for j in saved["params"]), mine["params"]))
        new_groups = []
        for saved, mine in zip(groups, self.param_groups):
            saved = {**{k: v for k, v in self._added_later.items() if k in mine}, **saved}
            # a learning-rate scheduler's record (lr_scheduler): on either side or both
            keys, mine_keys = set(saved) - _SCHEDULER_KEYS, set(mine) - _SCHEDULER_KEYS
            unknown, missing = sorted(keys - mine_keys), sorted(mine_keys - keys)
            problems = []
            if unknown:
                problems.append(f"hyper-parameter(s) {unknown} belong to another optimizer")
            if missing:
                problems.append(f"this optimizer's {missing} are missing")
            if problems:
                raise ValueError(f"{name}.load_state_dict: " + "; ".join(problems))
            group = {k: _like(mine[k], v) if k in mine else float(v) for k, v in saved.items()}
            for k in (_SCHEDULER_KEYS & set(mine)) - set(saved):
                group[k] = mine[k]  # a scheduler built before loading keeps its record
            group["params"] = mine["params"]
            self._check_group(group)
            new_groups.append(group)
        saved_state = {int(k): v for k, v in state_dict["state"].items()}
        new_state = {}
        for j, p in params:
            if j in saved_state:
                missing = [k for k in self._state_keys if k not in saved_state[j]]
                if missing:
                    raise ValueError(
                        f"{name}.load_state_dict: the state of parameter {j} lacks {missing} "
                        f"(expected keys {list(self._state_keys)})"
                    )
                new_state[p] = {k: _restore(name, p, k, v) for k, v in saved_state[j].items()}
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            hyper = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            lines.append(f"  group {i}: {len(group['params'])} params, {hyper}")
        return "\n".join(lines) + "\n)"


def real_in_range(name, what, value, low, high):
    """``float(value)`` if it is a finite real number with low <= value (< high), else a
    ValueError."""
    ok = is_real(value)
    # not NaN, and not inf either: lr=inf makes one step give -inf or NaN parameters
    ok = ok and math.isfinite(value) and value >= low and (high is None or value < high)
    if not ok:
        bound = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{name}: {what} must be a finite number {bound}, got {value!r}")
    return float(value)


def _plain(v):
    """A snapshot value for a state dict: arrays copied, tuples as lists."""
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def _like(current, saved):
    """Give a loaded hyper-parameter the Python type it has in this optimizer."""
    if isinstance(current, tuple):
        return tuple(_like(c, s) for c, s in zip(current, saved))
    if isinstance(current, bool):
        return bool(saved)
    if isinstance(current, (int, float)):
        return type(current)(saved.item() if hasattr(saved, "item") else saved)
    return saved


def _restore(name, p, key, value):
    """A saved per-parameter state value: arrays as arrays of p's dtype, counters as numbers."""
    if isinstance(value, Tensor):
        value = value.data
    if p.data.ndim == 0 and isinstance(value, float | np.floating | np.ndarray):
        # a scalar parameter's m, v or velocity is a 0-d array, updated in place by _update:
        # restored as a Python float it would never change again
        value = np.asarray(value)
        if value.dtype.kind == "f":
            return value.astype(p.data.dtype, copy=True).reshape(p.data.shape)
    if isinstance(value, np.ndarray) and value.ndim > 0:
        if value.shape != p.data.shape:
            raise ValueError(
                f"{name}.load_state_dict: state {key!r} has shape {value.shape}, "
                f"its parameter has shape {p.data.shape}"
            )
        return value.astype(p.data.dtype, copy=True)
    if isinstance(value, np.ndarray | np.generic):
        value = value.item()
    return value
