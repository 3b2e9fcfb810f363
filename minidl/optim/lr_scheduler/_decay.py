"""Schedulers that scale η₀ by a factor: StepLR, ExponentialLR, LambdaLR, MultiplicativeLR,
MultiStepLR, ConstantLR, LinearLR, PolynomialLR."""

import bisect
import math
import types

from minidl.optim.lr_scheduler._base import (
    LRScheduler,
    _check_optimizer,
    _current,
    _per_group,
    _positive_int,
    _positive_real,
)
from minidl.optim.optimizer import real_in_range
from minidl.tensor import is_int, is_real


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
