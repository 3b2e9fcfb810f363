"""``LRScheduler``, the base class: epochs, ``last_epoch=``, ``step(epoch)``, the lr checks
and ``state_dict``; and the argument checks the schedulers share."""

import math
import warnings

from minidl.optim.optimizer import Optimizer, real_in_range
from minidl.tensor import is_int, is_real

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
        _check_keys(name, state_dict, self.state_dict())
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


def _current_floats(optimizer):
    return [float(group["lr"]) for group in optimizer.param_groups]


def _check_keys(name, state_dict, mine):
    """Raise unless ``state_dict`` is a dict with the keys of ``mine`` (a scheduler's own
    ``state_dict()``), naming the scheduler ``name``."""
    if not isinstance(state_dict, dict) or set(state_dict) != set(mine):
        got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
        raise ValueError(
            f"{name}.load_state_dict: expected the dict returned by {name}.state_dict(), "
            f"with keys {sorted(mine)}, got {got}"
        )
