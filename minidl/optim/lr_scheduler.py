"""Learning-rate schedulers, as PyTorch's ``torch.optim.lr_scheduler``.

A scheduler sets each group's ``"lr"`` once per epoch; call ``scheduler.step()``
once per epoch, after ``optimizer.step()``::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)            # optimizer.step() inside, with the current lr
        scheduler.step()      # epoch ← epoch + 1, and the lr of the new epoch

As in PyTorch, most schedulers are *chainable*: ``StepLR``, ``MultiStepLR``,
``ExponentialLR``, ``ConstantLR``, ``LinearLR``, ``PolynomialLR``,
``MultiplicativeLR`` and ``CosineAnnealingLR`` compute the new lr from the group's
*current* lr, so alone they follow their closed form, and an lr set by hand or a
second scheduler on the same optimizer compounds with them.  ``LambdaLR``,
``CosineAnnealingWarmRestarts`` and ``OneCycleLR`` set the lr from η₀ directly.
``SequentialLR`` runs schedulers one after the other, ``ChainedScheduler`` steps
several at once, and ``ReduceLROnPlateau``'s ``step(val_loss)`` takes the loss.

Construction stores η₀ in each group as ``"initial_lr"`` (if not already there)
and applies epoch 0, so ``last_epoch`` is 0 afterwards, as in PyTorch.  To resume,
``last_epoch=k`` (every group must then hold ``"initial_lr"``, e.g. from the
optimizer's checkpoint) starts the counter at k + 1.  Each lr is a Python float.
"""

import bisect
import math
import types
import warnings

from minidl.optim.optimizer import Optimizer, real_in_range
from minidl.tensor import Tensor, is_int, is_real

__all__ = [
    "LRScheduler",
    "StepLR",
    "ExponentialLR",
    "LambdaLR",
    "MultiplicativeLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
]

EPOCH_DEPRECATION_WARNING = (
    "scheduler.step(epoch) is deprecated (as in PyTorch): call scheduler.step() once per "
    "epoch instead. With an epoch, the scheduler jumps to it and uses its closed form where "
    "it has one, ignoring any other scheduler on the same optimizer."
)


class LRScheduler:
    """Base class: a subclass defines ``get_lr()``, the lrs at ``self.last_epoch``."""

    _is_initial = False  # True during the construction's step (PyTorch's initial mode)
    _negative_hint = ""  # why a subclass's lr can turn negative, and what to do

    def __init__(self, optimizer, last_epoch=-1):
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        last_epoch = _last_epoch_arg(name, last_epoch)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            _check_resumable(name, optimizer)
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def get_lr(self):
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def _initial_step(self):
        self._is_initial = True
        try:
            self._advance(None)
        finally:
            del self._is_initial

    def step(self, epoch=None):
        """Advance one epoch and write its lr into every group.

        ``step(epoch)`` is deprecated, as in PyTorch (it warns): it jumps to ``epoch``
        and uses the scheduler's closed form where it has one.
        """
        if epoch is not None:
            epoch = _epoch_arg(type(self).__name__, epoch)
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._advance(epoch)

    def _advance(self, epoch):
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        """One step (``epoch`` None) or a jump to ``epoch``; a refused lr changes nothing."""
        saved = dict(self.__dict__)
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
            lrs = self._checked(values)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise
        self._apply(lrs)

    def _checked(self, values):
        groups = self.optimizer.param_groups
        if len(values) != len(groups):
            self._same_groups(len(values), "base_lrs")
        return [self._check_lr(i, lr) for i, lr in enumerate(values)]

    def _check_lr(self, i, lr):
        if is_real(lr) and math.isfinite(lr) and lr >= 0:
            return float(lr)
        name = type(self).__name__
        why = self._negative_hint if is_real(lr) and lr < 0 else ""
        raise ValueError(
            f"{name}.step: the scheduled lr must be a finite number >= 0, got {lr!r} for "
            f"parameter group {i} at epoch {self.last_epoch}{why}"
        )

    def _apply(self, lrs):
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [float(group["lr"]) for group in self.optimizer.param_groups]

    def _same_groups(self, n, what):
        """A ValueError unless the optimizer still has ``n`` parameter groups."""
        groups = len(self.optimizer.param_groups)
        if groups != n:
            name = type(self).__name__
            raise ValueError(
                f"{name}.step: the optimizer has {groups} parameter groups, the scheduler was "
                f"built for {n} ({what} has one entry per group); {name} cannot schedule a "
                "group added by add_param_group after it was made (PyTorch raises too): "
                "build the scheduler after adding every group"
            )

    def get_last_lr(self):
        """The lrs set by the last ``step()`` (or the construction), one per group."""
        return list(self._last_lr)

    def state_dict(self):
        """A plain dict: the epoch, the base lrs, the last lrs and the hyper-parameters."""
        return {k: _copy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def _check_saved(self, state_dict, per_group):
        """The class's name, once ``state_dict`` has this scheduler's keys and one entry per
        parameter group in each list of ``per_group``; else a ValueError naming the problem."""
        name = type(self).__name__
        mine = self.state_dict()
        if not isinstance(state_dict, dict) or set(state_dict) != set(mine):
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(
                f"{name}.load_state_dict: expected the dict returned by {name}.state_dict(), "
                f"with keys {sorted(mine)}, got {got}"
            )
        n = len(self.optimizer.param_groups)
        for key in per_group:
            if len(state_dict[key]) != n:
                raise ValueError(
                    f"{name}.load_state_dict: {len(state_dict[key])} {key} saved, "
                    f"this optimizer has {n} parameter groups"
                )
        return name

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned; the next ``step()`` continues the sequence.

        As in PyTorch the optimizer's lrs are not touched: load its own state_dict too.
        """
        name = self._check_saved(state_dict, self._per_group_keys)
        epoch = state_dict["last_epoch"]
        if not is_int(epoch) or epoch < -1:  # -1: not started yet, inside a SequentialLR
            raise ValueError(
                f"{name}.load_state_dict: last_epoch must be an int >= -1, got {epoch!r}"
            )
        restored = {k: self._restore_value(name, k, v) for k, v in state_dict.items()}
        self.__dict__.update(restored)  # all checked first: a refused dict changes nothing

    _per_group_keys = ("base_lrs", "_last_lr")

    def _restore_value(self, name, k, v):
        """A saved attribute, checked as the constructor checks it (a subclass adds its own)."""
        if k in ("base_lrs", "_last_lr"):
            return [real_in_range(name, k, x, 0, None) for x in v]
        if k == "last_epoch":
            return int(v)
        if k == "gamma":
            return _positive_real(name, "gamma", v)
        if k in ("step_size", "total_iters", "T_max", "T_0", "T_i", "T_mult", "total_steps"):
            return _positive_int(name, k, v)
        if k in ("eta_min", "power"):
            return real_in_range(name, k, v, 0, None)
        return _copy(v)

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.get_last_lr()})"


def _copy(v):
    """A state-dict value: lists and dicts copied (one level below too), the rest as is."""
    if isinstance(v, list):
        return [_copy(x) for x in v]
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    return v


def _last_epoch_arg(name, last_epoch):
    if not is_int(last_epoch) or last_epoch < -1:
        raise ValueError(
            f"{name}: last_epoch must be -1 (a new schedule) or the int epoch to resume "
            f"after (>= 0), got {last_epoch!r}"
        )
    return int(last_epoch)


def _check_resumable(name, optimizer):
    for i, group in enumerate(optimizer.param_groups):
        if "initial_lr" not in group:
            raise KeyError(
                f"{name}: param 'initial_lr' is not specified in param_groups[{i}] when "
                "resuming with last_epoch >= 0 (as in PyTorch): load the optimizer's "
                "checkpoint (saved while a scheduler ran) before building the scheduler, "
                "or use last_epoch=-1 for a new schedule"
            )


def _epoch_arg(name, epoch):
    if not is_int(epoch) or epoch < 0:
        raise ValueError(
            f"{name}.step: epoch must be an int >= 0 (or better, call step() with no "
            f"argument once per epoch), got {epoch!r}"
        )
    return int(epoch)


def _positive_int(name, what, value):
    if not is_int(value) or value <= 0:
        raise ValueError(f"{name}: {what} must be a positive int, got {value!r}")
    return int(value)


def _check_optimizer(name, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{name}: optimizer must be a minidl.optim Optimizer, got {type(optimizer).__name__}"
        )


def _per_group(name, what, value, optimizer):
    """``value`` for every parameter group: one for all, or a list with one per group."""
    n = len(optimizer.param_groups)
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise ValueError(
                f"{name}: expected {n} {what} (one per parameter group), got {len(value)}"
            )
        return list(value)
    return [value] * n


def _positive_real(name, what, value):
    if not is_real(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: {what} must be a finite number > 0, got {value!r}")
    return float(value)


def _current(optimizer):
    return [group["lr"] for group in optimizer.param_groups]


class StepLR(LRScheduler):
    """The lr times γ every ``step_size`` epochs: alone, η = η₀ · γ^⌊epoch / step_size⌋."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = _positive_int("StepLR", "step_size", step_size)
        self.gamma = _positive_real("StepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        current = _current(self.optimizer)
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return current
        return [lr * self.gamma for lr in current]

    def _closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """The lr times γ every epoch: alone, η = η₀ · γ^epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = _positive_real("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        current = _current(self.optimizer)
        return current if self._is_initial else [lr * self.gamma for lr in current]

    def _closed_form_lr(self):
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class _Lambdas(LRScheduler):
    """Shared by LambdaLR and MultiplicativeLR: one function of the epoch per group.

    ``state_dict()`` does not save the functions (a callable object's ``__dict__``
    is saved, as in PyTorch): rebuild the scheduler with them, then load.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch):
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        fns = _per_group(name, "lr_lambda functions", lr_lambda, optimizer)
        for fn in fns:
            if not callable(fn):
                raise TypeError(
                    f"{name}: lr_lambda must be a function of the epoch (or a list of them), "
                    f"got {fn!r}"
                )
        self.lr_lambdas = fns
        super().__init__(optimizer, last_epoch)

    def _factors(self):
        self._same_groups(len(self.lr_lambdas), "lr_lambda")
        factors = []
        for fn in self.lr_lambdas:
            factor = fn(self.last_epoch)
            if not is_real(factor) or not math.isfinite(factor):
                raise ValueError(
                    f"{type(self).__name__}: lr_lambda({self.last_epoch}) must return a finite "
                    f"number, got {factor!r}"
                )
            factors.append(float(factor))
        return factors

    def state_dict(self):
        state = {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else dict(getattr(fn, "__dict__", {}))
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict):
        fns = self.lr_lambdas
        saved = state_dict.get("lr_lambdas") if isinstance(state_dict, dict) else None
        if saved is not None and len(saved) != len(fns):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: {len(saved)} lr_lambdas saved, this "
                f"scheduler has {len(fns)}"
            )
        super().load_state_dict(state_dict)
        self.lr_lambdas = fns  # the functions stay; a callable object gets its saved attributes
        for fn, attrs in zip(fns, saved or ()):
            if attrs is not None:
                fn.__dict__.update(attrs)


class LambdaLR(_Lambdas):
    """η = η₀ · λ(epoch), λ = ``lr_lambda`` (one function, or a list with one per group).

    ``state_dict()`` does not save the functions (a callable object's ``__dict__``
    is saved, as in PyTorch): rebuild the scheduler with them, then load.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        return [base * f for base, f in zip(self.base_lrs, self._factors())]


class MultiplicativeLR(_Lambdas):
    """The lr times λ(epoch) every epoch after the first: alone, η_e = η₀ · λ(1) ⋯ λ(e).

    Functions as in ``LambdaLR`` (one, or one per group; not saved by ``state_dict``).
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return _current(self.optimizer)
        return [lr * f for lr, f in zip(_current(self.optimizer), self._factors())]


class MultiStepLR(LRScheduler):
    """The lr times γ at each epoch in ``milestones``: alone, η = η₀ · γ^#{m <= epoch}.

    As PyTorch's: an epoch listed k times multiplies by γ^k, and a milestone 0
    applies at construction.  Chainable as ``StepLR`` (the current lr is scaled).
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = _milestones("MultiStepLR", milestones)
        self.gamma = _positive_real("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        current = _current(self.optimizer)
        k = self.milestones.count(self.last_epoch)
        return current if k == 0 else [lr * self.gamma**k for lr in current]

    def _closed_form_lr(self):
        k = bisect.bisect_right(self.milestones, self.last_epoch)
        return [base * self.gamma**k for base in self.base_lrs]

    def _restore_value(self, name, k, v):
        return _milestones(name, v) if k == "milestones" else super()._restore_value(name, k, v)


def _milestones(name, milestones):
    """The milestones as a sorted list of Python ints (repeats kept), or a ValueError."""
    ok = not isinstance(milestones, str | bytes) and hasattr(milestones, "__iter__")
    values = list(milestones) if ok else []
    if not ok or not all(is_int(m) and m >= 0 for m in values):
        raise ValueError(
            f"{name}: milestones must be a list of epochs (ints >= 0), got {milestones!r}"
        )
    return sorted(int(m) for m in values)


class ConstantLR(LRScheduler):
    """η = η₀ · factor for epochs < ``total_iters``, then η₀ (PyTorch's warm-up by a constant).

    Chainable: epoch 0 multiplies the current lr by factor, epoch ``total_iters`` by 1/factor.
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if not is_real(factor) or not 0 < factor <= 1:
            raise ValueError(f"ConstantLR: factor must be a number in (0, 1], got {factor!r}")
        self.factor = float(factor)
        self.total_iters = _positive_int("ConstantLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        current = _current(self.optimizer)
        if self.last_epoch == 0:
            return [lr * self.factor for lr in current]
        if self.last_epoch != self.total_iters:
            return current
        return [lr * (1.0 / self.factor) for lr in current]

    def _closed_form_lr(self):
        f = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base * f for base in self.base_lrs]

    def _restore_value(self, name, k, v):
        if k == "factor":
            if not is_real(v) or not 0 < v <= 1:
                raise ValueError(f"{name}: factor must be a number in (0, 1], got {v!r}")
            return float(v)
        return super()._restore_value(name, k, v)


class LinearLR(LRScheduler):
    """The factor of η₀ goes linearly from ``start_factor`` to ``end_factor`` in ``total_iters``::

        η_e = η₀ · (s + (f − s) · min(e, T) / T)

    computed as PyTorch's chainable form, which multiplies the current lr by
    1 + (f − s) / (T s + (e − 1)(f − s)) at each epoch 1 ≤ e ≤ T.
    """

    def __init__(
        self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1
    ):
        name = "LinearLR"
        if not is_real(start_factor) or not 0 < start_factor <= 1:
            raise ValueError(f"{name}: start_factor must be in (0, 1], got {start_factor!r}")
        if not is_real(end_factor) or not 0 <= end_factor <= 1:
            raise ValueError(f"{name}: end_factor must be in [0, 1], got {end_factor!r}")
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = _positive_int(name, "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        current = _current(self.optimizer)
        s, f, T, e = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if e == 0:
            return [lr * s for lr in current]
        if self._is_initial or e > T:
            return current
        return [lr * (1.0 + (f - s) / (T * s + (e - 1) * (f - s))) for lr in current]

    def _closed_form_lr(self):
        s, f, T = self.start_factor, self.end_factor, self.total_iters
        return [base * (s + (f - s) * min(T, self.last_epoch) / T) for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Polynomial decay to 0 in ``total_iters`` epochs: η_e = η₀ (1 − min(e, T)/T)^power.

    Chainable, as PyTorch's: the current lr times ((1 − e/T) / (1 − (e − 1)/T))^power.
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = _positive_int("PolynomialLR", "total_iters", total_iters)
        self.power = real_in_range("PolynomialLR", "power", power, 0, None)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        e, T = self.last_epoch, self.total_iters
        if self._is_initial or e > T:
            return _current(self.optimizer)
        decay = ((1.0 - e / T) / (1.0 - (e - 1) / T)) ** self.power
        return [lr * decay for lr in _current(self.optimizer)]

    def _closed_form_lr(self):
        T = self.total_iters
        return [base * (1.0 - min(T, self.last_epoch) / T) ** self.power for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from η₀ down to η_min over ``T_max`` epochs, PyTorch's recursive form.

    Alone it follows the closed form (SGDR without restarts)::

        η_e = η_min + (η₀ − η_min) (1 + cos(π e / T_max)) / 2

    reaching η_min at e = T_max and, as PyTorch's, climbing back up after it
    (period 2 T_max).  Each step computes the new lr from the group's
    *current* lr, so it chains with other schedulers and manual changes::

        η_e = η_min + (η_{e-1} − η_min) · (1 + cos(π e / T_max)) / (1 + cos(π (e − 1) / T_max))
        η_e = η_{e-1} + (η₀ − η_min) (1 − cos(π / T_max)) / 2   when (e − 1 − T_max) % (2 T_max) = 0

    (the second line where the ratio would divide by 1 + cos π = 0).
    """

    _negative_hint = (
        ". CosineAnnealingLR's recursive form scales (lr − eta_min) each epoch, so when "
        "another scheduler chained on this optimizer (e.g. StepLR) or a hand-set lr has "
        "brought the lr below eta_min, the cosine overshoots below 0 (PyTorch goes on with "
        "the negative lr, which makes each step climb the loss). Use eta_min=0 (the chained "
        "product then stays >= 0), or one scheduler for the whole schedule, e.g. a LambdaLR "
        "with the product of the closed forms, or SequentialLR to run them one after another"
    )

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = _positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = real_in_range("CosineAnnealingLR", "eta_min", eta_min, 0, None)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        e, T, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _current(self.optimizer)
        if (e - 1 - T) % (2 * T) == 0:
            self._same_groups(len(self.base_lrs), "base_lrs")
            rise = (1 - math.cos(math.pi / T)) / 2
            return [group["lr"] + (base - low) * rise for base, group in zip(self.base_lrs, groups)]
        ratio = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
        return [ratio * (group["lr"] - low) + low for group in groups]

    def _closed_form_lr(self):
        c = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * c for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine annealing restarted every T_i epochs, T_0 first, then T_i ← T_i · T_mult::

        η = η_min + (η₀ − η_min) (1 + cos(π T_cur / T_i)) / 2

    T_cur counts the epochs since the last restart.  Not chainable (computed from η₀).
    ``step(epoch)`` with a fractional epoch (e.g. ``epoch + i / iters``) is supported,
    as in PyTorch, without a warning.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        name = "CosineAnnealingWarmRestarts"
        self.T_0 = _positive_int(name, "T_0", T_0)
        self.T_i = self.T_0
        self.T_mult = _positive_int(name, "T_mult", T_mult)
        self.eta_min = real_in_range(name, "eta_min", eta_min, 0, None)
        self.T_cur = _last_epoch_arg(name, last_epoch)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._same_groups(len(self.base_lrs), "base_lrs")
        c = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * c for base in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or go to ``epoch`` (a number >= 0, fractions allowed)."""
        if epoch is not None and (
            not is_real(epoch) or not math.isfinite(epoch) or epoch < 0 or isinstance(epoch, bool)
        ):
            raise ValueError(
                f"CosineAnnealingWarmRestarts.step: epoch must be a finite number >= 0, "
                f"got {epoch!r}"
            )
        self._advance(epoch)

    def _advance(self, epoch):
        saved = dict(self.__dict__)
        try:
            if epoch is None and self.last_epoch < 0:
                epoch = 0
            if epoch is None:
                epoch = self.last_epoch + 1
                self.T_cur = self.T_cur + 1
                if self.T_cur >= self.T_i:
                    self.T_cur = self.T_cur % self.T_i
                    self.T_i = self.T_i * self.T_mult
            elif epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:  # the restart n with T_0 (T_mult^n − 1)/(T_mult − 1) <= epoch
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
            self.last_epoch = math.floor(epoch)
            lrs = self._checked(self.get_lr())
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise
        self._apply(lrs)

    def _restore_value(self, name, k, v):
        if k == "T_cur":
            if not is_real(v) or not math.isfinite(v) or v < 0:
                raise ValueError(f"{name}: T_cur must be a finite number >= 0, got {v!r}")
            return v
        return super()._restore_value(name, k, v)


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin), stepped once per *batch* for ``total_steps`` steps.

    η rises from η₀ = max_lr / div_factor to max_lr over the first pct_start · total
    steps, then anneals to η_min = η₀ / final_div_factor; with ``three_phase`` it comes
    back down to η₀ (as long as it rose) before annealing to η_min.  Within a phase
    from a to b, with p the fraction of the phase done::

        "cos": b + (a − b)(1 + cos(π p)) / 2        "linear": a + (b − a) p

    With ``cycle_momentum`` the momentum moves the other way, max_momentum → base_momentum
    → max_momentum: SGD's and RMSprop's ``momentum``, Adam's and AdamW's β1.  Phase
    ends at steps pct_start · total − 1 (and 2 pct_start · total − 2), total − 1, as
    PyTorch's; step total_steps is allowed (the loop's last ``step()``), where "linear"
    gives max(extrapolated, 0), not PyTorch's negative lr.  max_lr, η_min and the momenta
    are kept in the scheduler (PyTorch puts them in the param groups), so the optimizer's
    checkpoint keeps its own keys.
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
    ):
        name = "OneCycleLR"
        _check_optimizer(name, optimizer)
        if total_steps is not None:
            total = _positive_int(name, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            total = _positive_int(name, "epochs", epochs) * _positive_int(
                name, "steps_per_epoch", steps_per_epoch
            )
        else:
            raise ValueError(
                f"{name}: give total_steps, or epochs and steps_per_epoch (total_steps = "
                "epochs · steps_per_epoch, the number of optimizer steps in the whole run)"
            )
        if not is_real(pct_start) or isinstance(pct_start, bool) or not 0 <= pct_start <= 1:
            raise ValueError(f"{name}: pct_start must be a number in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"{name}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        div = _positive_real(name, "div_factor", div_factor)
        final_div = _positive_real(name, "final_div_factor", final_div_factor)
        max_lrs = [
            _positive_real(name, "max_lr", m)
            for m in _per_group(name, "max_lr values", max_lr, optimizer)
        ]
        self.cycle_momentum = bool(cycle_momentum)
        self.use_beta1 = "betas" in optimizer.defaults
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and not self.use_beta1:
                raise ValueError(
                    f"{name}: cycle_momentum=True needs an optimizer with momentum (SGD, "
                    f"RMSprop) or betas (Adam, AdamW), got {type(optimizer).__name__}: pass "
                    "cycle_momentum=False"
                )
            highs = _per_group(name, "max_momentum values", max_momentum, optimizer)
            lows = _per_group(name, "base_momentum values", base_momentum, optimizer)
            highs = [real_in_range(name, "max_momentum", m, 0, 1) for m in highs]
            lows = [real_in_range(name, "base_momentum", m, 0, 1) for m in lows]
        else:
            highs = lows = [0.0] * len(max_lrs)
        p, T = float(pct_start), total
        ends = [p * T - 1, 2 * p * T - 2, T - 1] if three_phase else [p * T - 1, T - 1]
        keys = (
            [("initial_lr", "max_lr"), ("max_lr", "initial_lr"), ("initial_lr", "min_lr")]
            if three_phase
            else [("initial_lr", "max_lr"), ("max_lr", "min_lr")]
        )
        moms = (
            [("max_m", "base_m"), ("base_m", "max_m"), ("max_m", "max_m")]
            if three_phase
            else [("max_m", "base_m"), ("base_m", "max_m")]
        )
        self.total_steps = T
        self.anneal_strategy = anneal_strategy
        self.three_phase = bool(three_phase)
        self.phases = [
            {"end_step": float(end), "lr": list(k), "momentum": list(m)}
            for end, k, m in zip(ends, keys, moms)
        ]
        self.cycle = [
            {
                "initial_lr": m / div,
                "max_lr": m,
                "min_lr": m / div / final_div,
                "max_m": hi,
                "base_m": lo,
            }
            for m, hi, lo in zip(max_lrs, highs, lows)
        ]
        if last_epoch == -1:
            for group, c in zip(optimizer.param_groups, self.cycle):
                group["initial_lr"] = c["initial_lr"]
                if self.cycle_momentum:
                    self._set_momentum(group, c["max_m"])
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, m):
        if self.use_beta1:
            group["betas"] = (m, *group["betas"][1:])
        else:
            group["momentum"] = m

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        name = type(self).__name__
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"{name}.step: tried to step {step} times, total_steps is {self.total_steps} "
                "(step() once per batch; total_steps = epochs · steps_per_epoch)"
            )
        self._same_groups(len(self.cycle), "max_lr")
        lrs, momenta = [], []
        for c in self.cycle:
            start = 0.0
            for i, phase in enumerate(self.phases):
                end = phase["end_step"]
                if step <= end or i == len(self.phases) - 1:
                    if end == start:
                        raise ValueError(
                            f"{name}: phase {i} of the cycle has no steps (total_steps="
                            f"{self.total_steps}, pct_start gives it steps {start} to {end}): "
                            "use more total_steps or another pct_start"
                        )
                    pct = (step - start) / (end - start)
                    a, b = phase["lr"]
                    lrs.append(self._anneal(c[a], c[b], pct))
                    a, b = phase["momentum"]
                    momenta.append(self._anneal(c[a], c[b], pct))
                    break
                start = end
        self._momenta = momenta
        if step == self.total_steps:
            # one step past the cycle (the training loop's last scheduler.step()), allowed
            # as in PyTorch: "linear" extrapolates below η_min there, to a negative lr
            # that PyTorch keeps and minidl refuses, so it stops at 0 (never used)
            lrs = [max(lr, 0.0) for lr in lrs]
        return lrs

    def _apply(self, lrs):
        momenta = self.__dict__.pop("_momenta", None)
        super()._apply(lrs)
        if self.cycle_momentum and momenta is not None:
            for group, m in zip(self.optimizer.param_groups, momenta):
                self._set_momentum(group, m)

    _per_group_keys = ("base_lrs", "_last_lr", "cycle")


def _check_schedulers(name, schedulers, optimizer):
    if isinstance(schedulers, LRScheduler) or not isinstance(schedulers, list | tuple):
        raise TypeError(f"{name}: schedulers must be a list of schedulers, got {schedulers!r}")
    if not schedulers:
        raise ValueError(f"{name}: expected at least one scheduler, got none")
    optimizer = schedulers[0].optimizer if optimizer is None else optimizer
    for i, s in enumerate(schedulers):
        if not isinstance(s, LRScheduler):
            raise TypeError(f"{name}: schedulers[{i}] is not a scheduler: {s!r}")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(
                f"{name}: schedulers[{i}] is a ReduceLROnPlateau, whose step needs the "
                "validation loss: step it yourself beside this one"
            )
        if s.optimizer is not optimizer:
            raise ValueError(
                f"{name}: schedulers[{i}] ({type(s).__name__}) belongs to another optimizer; "
                "every scheduler must be built on the same one"
            )
    return list(schedulers), optimizer


class _Container(LRScheduler):
    """State shared by SequentialLR and ChainedScheduler: each scheduler's state_dict."""

    def _advance(self, epoch):
        self._step()

    def step(self, epoch=None):
        if epoch is not None:
            raise TypeError(
                f"{type(self).__name__}.step takes no epoch (as in PyTorch): call step() once "
                "per epoch"
            )
        self._step()

    def state_dict(self):
        state = {
            k: _copy(v) for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")
        }
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned, the inner schedulers' states too."""
        name = type(self).__name__
        mine = self.state_dict()
        if not isinstance(state_dict, dict) or set(state_dict) != set(mine):
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(
                f"{name}.load_state_dict: expected the dict returned by {name}.state_dict(), "
                f"with keys {sorted(mine)}, got {got}"
            )
        inner = state_dict["_schedulers"]
        if len(inner) != len(self._schedulers):
            raise ValueError(
                f"{name}.load_state_dict: {len(inner)} schedulers saved, this one has "
                f"{len(self._schedulers)}"
            )
        for s, saved in zip(self._schedulers, inner):
            s.load_state_dict(saved)
        self.__dict__.update({k: _copy(v) for k, v in state_dict.items() if k != "_schedulers"})


class SequentialLR(_Container):
    """``schedulers[i]`` runs from epoch ``milestones[i - 1]`` to ``milestones[i]``, as PyTorch's.

    Construction resets each lr to η₀ and restarts the first scheduler; at a milestone the
    next scheduler starts at its epoch 0 (its closed form at 0, η₀ for most).
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        name = "SequentialLR"
        _check_optimizer(name, optimizer)
        schedulers, _ = _check_schedulers(name, schedulers, optimizer)
        milestones = list(milestones) if isinstance(milestones, list | tuple) else milestones
        if (
            not isinstance(milestones, list)
            or not all(is_int(m) and m >= 0 for m in milestones)
            or milestones != sorted(milestones)
        ):
            raise ValueError(
                f"{name}: milestones must be a sorted list of epochs (ints >= 0), "
                f"got {milestones!r}"
            )
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{name}: expected {len(schedulers) - 1} milestones (one fewer than the "
                f"{len(schedulers)} schedulers), got {len(milestones)}"
            )
        self._schedulers = schedulers
        self._milestones = [int(m) for m in milestones]
        self.last_epoch = _last_epoch_arg(name, last_epoch) + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for s in schedulers:  # undo their construction's step, as PyTorch does
            _undo(s)
        idx = bisect.bisect_right(self._milestones, 0)
        schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def _step(self):
        self.last_epoch += 1
        idx = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler._advance(None)
        self._last_lr = scheduler.get_last_lr()


def _undo(s):
    if isinstance(s, _Container):
        for inner in s._schedulers:
            _undo(inner)
    else:
        s.last_epoch -= 1


class ChainedScheduler(_Container):
    """Steps every scheduler in ``schedulers`` at each ``step()``, in order, as PyTorch's.

    The chainable schedulers then compound: e.g. ConstantLR warm-up with ExponentialLR decay.
    """

    def __init__(self, schedulers, optimizer=None):
        name = "ChainedScheduler"
        if optimizer is not None:
            _check_optimizer(name, optimizer)
        self._schedulers, self.optimizer = _check_schedulers(name, schedulers, optimizer)
        self._last_lr = _current_floats(self.optimizer)

    def _step(self):
        for s in self._schedulers:
            s.step()
        self._last_lr = _current_floats(self.optimizer)


def _current_floats(optimizer):
    return [float(group["lr"]) for group in optimizer.param_groups]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a metric has stopped improving, as PyTorch's.

    Call ``scheduler.step(val_loss)`` once per epoch with the validation loss
    (``mode="max"``: a metric to maximise, e.g. accuracy).  A value is an
    improvement on the best so far when (``threshold_mode="rel"``)::

        mode="min": value < best · (1 − threshold)      mode="max": value > best · (1 + threshold)

    or (``threshold_mode="abs"``) value < best − threshold, value > best + threshold.
    Every epoch without improvement counts a bad epoch (an improvement resets the
    count to 0); when the count exceeds ``patience``, each group's lr becomes
    max(lr · factor, min_lr) (left alone if that changes it by ``eps`` or less),
    the count restarts at 0, and the next ``cooldown`` epochs count no bad epochs.
    A NaN value is never an improvement (a bad epoch), as in PyTorch.
    """

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0.0,
        eps=1e-8,
    ):
        name = "ReduceLROnPlateau"
        _check_optimizer(name, optimizer)
        min_lrs = _per_group(name, "min_lr values", min_lr, optimizer)
        # one min_lr for all: a group added later gets it too (as in PyTorch)
        default = None if isinstance(min_lr, list | tuple) else min_lrs[0]
        settings = {
            "mode": mode,
            "factor": factor,
            "patience": patience,
            "threshold": threshold,
            "threshold_mode": threshold_mode,
            "cooldown": cooldown,
            "min_lrs": min_lrs,
            "default_min_lr": default,
            "eps": eps,
        }
        self.__dict__.update({k: self._restore_value(name, k, v) for k, v in settings.items()})
        self.optimizer = optimizer
        self.last_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def is_better(self, value, best):
        """Whether ``value`` improves on ``best`` (see the class docstring)."""
        if self.threshold_mode == "rel":
            if self.mode == "min":
                return value < best * (1.0 - self.threshold)
            return value > best * (self.threshold + 1.0)
        if self.mode == "min":
            return value < best - self.threshold
        return value > best + self.threshold

    def step(self, metrics=None, epoch=None):
        """One epoch with validation metric ``metrics`` (a number or a one-element tensor).

        ``epoch`` (deprecated, as in PyTorch, with its warning) sets ``last_epoch``.
        """
        name = type(self).__name__
        if isinstance(metrics, Tensor):
            if metrics.data.size != 1:
                raise ValueError(
                    f"{name}.step: metrics must be one number (the validation loss), "
                    f"got a tensor of shape {metrics.shape}"
                )
            metrics = metrics.item()
        if not is_real(metrics):
            raise TypeError(
                f"{name}.step: metrics must be a number (the validation loss, e.g. "
                f"scheduler.step(val_loss)), got "
                f"{'nothing' if metrics is None else type(metrics).__name__}"
            )
        if epoch is not None:
            epoch = _epoch_arg(name, epoch)
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        groups = self.optimizer.param_groups
        current = float(metrics)
        better = self.is_better(current, self.best)
        bad = 0 if better else self.num_bad_epochs + 1
        cooldown = self.cooldown_counter
        if cooldown > 0:
            cooldown -= 1
            bad = 0  # bad epochs during the cooldown are ignored
        reduce = bad > self.patience
        if reduce and len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise ValueError(
                    f"{name}.step: the optimizer has {len(groups)} parameter groups, the "
                    f"scheduler was built with {len(self.min_lrs)} min_lr values (a group "
                    "added by add_param_group?): set scheduler.min_lrs to one per group, "
                    "as PyTorch asks"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if better:
            self.best = current
        self.num_bad_epochs, self.cooldown_counter = bad, cooldown
        if reduce:
            for group, min_lr in zip(groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [float(group["lr"]) for group in groups]

    def get_lr(self):
        return self.get_last_lr()

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned (the optimizer's lrs are not touched)."""
        name = self._check_saved(state_dict, ("min_lrs", "_last_lr"))
        restored = {k: self._restore_value(name, k, v) for k, v in state_dict.items()}
        self.__dict__.update(restored)  # all checked first: a refused dict changes nothing

    def _restore_value(self, name, k, v):
        if k == "mode":
            if v not in ("min", "max"):
                raise ValueError(f"{name}: mode must be 'min' or 'max', got {v!r}")
            return str(v)
        if k == "threshold_mode":
            if v not in ("rel", "abs"):
                raise ValueError(f"{name}: threshold_mode must be 'rel' or 'abs', got {v!r}")
            return str(v)
        if k == "factor":
            return real_in_range(name, "factor", v, 0, 1)
        if k in ("threshold", "eps"):
            return real_in_range(name, k, v, 0, None)
        if k == "min_lrs":
            return [real_in_range(name, "min_lr", x, 0, None) for x in v]
        if k == "default_min_lr":
            return None if v is None else real_in_range(name, "min_lr", v, 0, None)
        if k in ("patience", "cooldown", "num_bad_epochs", "cooldown_counter", "last_epoch"):
            if not is_int(v) or v < 0:
                raise ValueError(f"{name}: {k} must be an int >= 0, got {v!r}")
            return int(v)
        if k == "best":
            if not is_real(v):
                raise ValueError(f"{name}: best must be a number, got {v!r}")
            return float(v)
        if k == "_last_lr":
            return [real_in_range(name, k, x, 0, None) for x in v]
        return super()._restore_value(name, k, v)
