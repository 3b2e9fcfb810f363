"""Learning-rate schedulers, as PyTorch's ``torch.optim.lr_scheduler``.

A scheduler sets each group's ``"lr"`` once per epoch; call ``scheduler.step()``
once per epoch, after ``optimizer.step()``::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)            # optimizer.step() inside, with the current lr
        scheduler.step()      # epoch ← epoch + 1, and the lr of the new epoch

``StepLR`` and ``ExponentialLR`` multiply the group's *current* lr by γ at the
epochs where their formula changes, as PyTorch's do: alone they follow
η₀ · γ^k, and an lr set by hand or a second scheduler on the same optimizer
compounds with them instead of being overwritten.  ``LambdaLR`` sets η₀ · λ(epoch).
``MultiStepLR`` multiplies by γ at given epochs, ``CosineAnnealingLR`` follows
PyTorch's recursive (chainable) cosine, and ``ReduceLROnPlateau`` divides the lr
when a validation loss stops improving: its ``step(val_loss)`` takes the loss.

Construction stores η₀ in each group as ``"initial_lr"`` (if not already there)
and applies epoch 0, so ``last_epoch`` is 0 afterwards, as in PyTorch.  Each lr
is a Python float (a float32 model keeps training in float32).
"""

import math
import types

from minidl.optim.optimizer import Optimizer, real_in_range
from minidl.tensor import Tensor, is_int, is_real

__all__ = [
    "LRScheduler",
    "StepLR",
    "ExponentialLR",
    "LambdaLR",
    "MultiStepLR",
    "CosineAnnealingLR",
    "ReduceLROnPlateau",
]


class LRScheduler:
    """Base class: a subclass defines ``get_lr()``, the lrs at ``self.last_epoch``."""

    def __init__(self, optimizer):
        _check_optimizer(type(self).__name__, optimizer)
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()  # epoch 0

    def get_lr(self):
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self):
        """Advance one epoch and write its lr into every group."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise ValueError(
                f"{type(self).__name__}.step: the optimizer has {len(groups)} parameter groups, "
                f"the scheduler was built for {len(self.base_lrs)}"
            )
        self.last_epoch += 1
        try:
            lrs = [
                real_in_range(type(self).__name__, "the scheduled lr", lr, 0, None)
                for lr in self.get_lr()
            ]
        except Exception:
            self.last_epoch -= 1  # a refused lr leaves the scheduler as it was
            raise
        for group, lr in zip(groups, lrs):
            group["lr"] = lr
        self._last_lr = lrs

    def get_last_lr(self):
        """The lrs set by the last ``step()`` (or the construction), one per group."""
        return list(self._last_lr)

    def state_dict(self):
        """A plain dict: the epoch, the base lrs, the last lrs and the hyper-parameters."""
        return {
            k: list(v) if isinstance(v, list) else v
            for k, v in self.__dict__.items()
            if k != "optimizer"
        }

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
        name = self._check_saved(state_dict, ("base_lrs", "_last_lr"))
        epoch = state_dict["last_epoch"]
        if not is_int(epoch) or epoch < 0:
            raise ValueError(
                f"{name}.load_state_dict: last_epoch must be an int >= 0, got {epoch!r}"
            )
        restored = {k: self._restore_value(name, k, v) for k, v in state_dict.items()}
        self.__dict__.update(restored)  # all checked first: a refused dict changes nothing

    def _restore_value(self, name, k, v):
        """A saved attribute, checked as the constructor checks it (a subclass adds its own)."""
        if k in ("base_lrs", "_last_lr"):
            return [real_in_range(name, k, x, 0, None) for x in v]
        if k == "last_epoch":
            return int(v)
        if k == "gamma":
            return _positive_real(name, "gamma", v)
        if k == "step_size":
            if not is_int(v) or v <= 0:
                raise ValueError(f"{name}: step_size must be a positive int, got {v!r}")
            return int(v)
        if isinstance(v, list):
            return list(v)
        return v

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.get_last_lr()})"


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


class StepLR(LRScheduler):
    """The lr times γ every ``step_size`` epochs: alone, η = η₀ · γ^⌊epoch / step_size⌋."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        if not is_int(step_size) or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = int(step_size)
        self.gamma = _positive_real("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self):
        current = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return current
        return [lr * self.gamma for lr in current]


class ExponentialLR(LRScheduler):
    """The lr times γ every epoch: alone, η = η₀ · γ^epoch."""

    def __init__(self, optimizer, gamma):
        self.gamma = _positive_real("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self):
        current = [group["lr"] for group in self.optimizer.param_groups]
        return current if self.last_epoch == 0 else [lr * self.gamma for lr in current]


class LambdaLR(LRScheduler):
    """η = η₀ · λ(epoch), λ = ``lr_lambda`` (one function, or a list with one per group).

    ``state_dict()`` does not save the functions (a callable object's ``__dict__``
    is saved, as in PyTorch): rebuild the scheduler with them, then load.
    """

    def __init__(self, optimizer, lr_lambda):
        _check_optimizer("LambdaLR", optimizer)
        fns = _per_group("LambdaLR", "lr_lambda functions", lr_lambda, optimizer)
        for fn in fns:
            if not callable(fn):
                raise TypeError(
                    f"LambdaLR: lr_lambda must be a function of the epoch (or a list of them), "
                    f"got {fn!r}"
                )
        self.lr_lambdas = fns
        super().__init__(optimizer)

    def get_lr(self):
        lrs = []
        for base, fn in zip(self.base_lrs, self.lr_lambdas):
            factor = fn(self.last_epoch)
            if not is_real(factor) or not math.isfinite(factor):
                raise ValueError(
                    f"LambdaLR: lr_lambda({self.last_epoch}) must return a finite number, "
                    f"got {factor!r}"
                )
            lrs.append(base * float(factor))
        return lrs

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
                f"LambdaLR.load_state_dict: {len(saved)} lr_lambdas saved, this scheduler has "
                f"{len(fns)}"
            )
        super().load_state_dict(state_dict)
        self.lr_lambdas = fns  # the functions stay; a callable object gets its saved attributes
        for fn, attrs in zip(fns, saved or ()):
            if attrs is not None:
                fn.__dict__.update(attrs)


class MultiStepLR(LRScheduler):
    """The lr times γ at each epoch in ``milestones``: alone, η = η₀ · γ^#{m <= epoch}.

    As PyTorch's: an epoch listed k times multiplies by γ^k, and a milestone 0
    applies at construction.  Chainable as ``StepLR`` (the current lr is scaled).
    """

    def __init__(self, optimizer, milestones, gamma=0.1):
        self.milestones = _milestones("MultiStepLR", milestones)
        self.gamma = _positive_real("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self):
        current = [group["lr"] for group in self.optimizer.param_groups]
        k = self.milestones.count(self.last_epoch)
        return current if k == 0 else [lr * self.gamma**k for lr in current]

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

    def __init__(self, optimizer, T_max, eta_min=0.0):
        if not is_int(T_max) or T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        self.T_max = int(T_max)
        self.eta_min = real_in_range("CosineAnnealingLR", "eta_min", eta_min, 0, None)
        super().__init__(optimizer)

    def get_lr(self):
        groups = self.optimizer.param_groups
        e, T, low = self.last_epoch, self.T_max, self.eta_min
        if e == 0:
            return [group["lr"] for group in groups]
        if (e - 1 - T) % (2 * T) == 0:
            rise = (1 - math.cos(math.pi / T)) / 2
            return [group["lr"] + (base - low) * rise for base, group in zip(self.base_lrs, groups)]
        ratio = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
        return [ratio * (group["lr"] - low) + low for group in groups]

    def _restore_value(self, name, k, v):
        if k == "T_max":
            if not is_int(v) or v <= 0:
                raise ValueError(f"{name}: T_max must be a positive int, got {v!r}")
            return int(v)
        if k == "eta_min":
            return real_in_range(name, "eta_min", v, 0, None)
        return super()._restore_value(name, k, v)


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
        settings = {
            "mode": mode,
            "factor": factor,
            "patience": patience,
            "threshold": threshold,
            "threshold_mode": threshold_mode,
            "cooldown": cooldown,
            "min_lrs": min_lrs,
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

    def step(self, metrics=None):
        """One epoch with validation metric ``metrics`` (a number or a one-element tensor)."""
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
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            raise ValueError(
                f"{name}.step: the optimizer has {len(groups)} parameter groups, "
                f"the scheduler was built for {len(self.min_lrs)}"
            )
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown are ignored
        if self.num_bad_epochs > self.patience:
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
