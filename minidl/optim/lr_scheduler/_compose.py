"""Schedulers of schedulers: SequentialLR (one after another), ChainedScheduler (all at once)."""

import bisect

from minidl.optim.lr_scheduler._base import (
    LRScheduler,
    _check_keys,
    _check_optimizer,
    _copy,
    _current_floats,
    _last_epoch_arg,
)
from minidl.optim.lr_scheduler._plateau import ReduceLROnPlateau
from minidl.tensor import is_int


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
        _check_keys(name, state_dict, self.state_dict())
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
