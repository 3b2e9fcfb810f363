"""ReduceLROnPlateau: the lr cut when a validation metric stops improving."""

import math
import warnings

from minidl.optim.lr_scheduler._base import (
    EPOCH_DEPRECATION_WARNING,
    LRScheduler,
    _check_optimizer,
    _epoch_arg,
    _per_group,
)
from minidl.optim.optimizer import real_in_range
from minidl.tensor import Tensor, is_int, is_real


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
