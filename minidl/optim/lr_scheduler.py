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

Construction stores η₀ in each group as ``"initial_lr"`` (if not already there)
and applies epoch 0, so ``last_epoch`` is 0 afterwards, as in PyTorch.  Each lr
is a Python float (a float32 model keeps training in float32).
"""

import math
import types

from minidl.optim.optimizer import Optimizer, real_in_range
from minidl.tensor import is_int, is_real

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "LambdaLR"]


class LRScheduler:
    """Base class: a subclass defines ``get_lr()``, the lrs at ``self.last_epoch``."""

    def __init__(self, optimizer):
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{name}: optimizer must be a minidl.optim Optimizer, "
                f"got {type(optimizer).__name__}"
            )
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

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned; the next ``step()`` continues the sequence.

        As in PyTorch the optimizer's lrs are not touched: load its own state_dict too.
        """
        name = type(self).__name__
        mine = self.state_dict()
        if not isinstance(state_dict, dict) or set(state_dict) != set(mine):
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(
                f"{name}.load_state_dict: expected the dict returned by {name}.state_dict(), "
                f"with keys {sorted(mine)}, got {got}"
            )
        n = len(self.base_lrs)
        for key in ("base_lrs", "_last_lr"):
            if len(state_dict[key]) != n:
                raise ValueError(
                    f"{name}.load_state_dict: {len(state_dict[key])} {key} saved, "
                    f"this optimizer has {n} parameter groups"
                )
        epoch = state_dict["last_epoch"]
        if not is_int(epoch) or epoch < 0:
            raise ValueError(
                f"{name}.load_state_dict: last_epoch must be an int >= 0, got {epoch!r}"
            )
        restored = {}
        for k, v in state_dict.items():
            if k in ("base_lrs", "_last_lr"):
                v = [real_in_range(name, k, x, 0, None) for x in v]
            elif k == "last_epoch":
                v = int(v)
            elif k == "gamma":
                v = _positive_real(name, "gamma", v)
            elif k == "step_size":
                if not is_int(v) or v <= 0:
                    raise ValueError(f"{name}: step_size must be a positive int, got {v!r}")
                v = int(v)
            elif isinstance(v, list):
                v = list(v)
            restored[k] = v
        self.__dict__.update(restored)  # all checked first: a refused dict changes nothing

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.get_last_lr()})"


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
        if not isinstance(optimizer, Optimizer):
            super().__init__(optimizer)  # raises the TypeError
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, list | tuple):
            if len(lr_lambda) != n:
                raise ValueError(
                    f"LambdaLR: expected {n} lr_lambda functions (one per parameter group), "
                    f"got {len(lr_lambda)}"
                )
            fns = list(lr_lambda)
        else:
            fns = [lr_lambda] * n
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
