"""Cosine and cyclic schedules: CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR."""

import math

from minidl.optim.lr_scheduler._base import (
    LRScheduler,
    _check_optimizer,
    _current,
    _last_epoch_arg,
    _per_group,
    _positive_int,
    _positive_real,
)
from minidl.optim.optimizer import real_in_range
from minidl.tensor import is_real


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
