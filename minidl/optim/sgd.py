"""Stochastic gradient descent, §3.3 eq. 3 of the document (plus optional momentum, Nesterov
momentum and weight decay)."""

import numpy as np

from minidl.optim.optimizer import Optimizer, real_in_range

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (§3.3 eq. 3)::

        θ_{t+1} = θ_t − α ∇J(θ_t)

    the same rule as :class:`GD`, but ∇J is the gradient on ONE randomly
    chosen sample per iteration: use ``DataLoader(ds, batch_size=1,
    shuffle=True)``.  GD and SGD differ only in the data each step sees.
    (Mini-batches, ``batch_size=k``, sit between the two.)

    ``momentum=μ > 0`` is an extension the document does not print; it keeps a
    velocity v, PyTorch's convention, with dampening τ (default 0)::

        v ← g                       on the first step (not dampened)
        v ← μ v + (1 − τ) g         on later steps
        θ ← θ − α v

    With τ = 0 this is v ← μ v + g from v = 0.  ``nesterov=True`` (needs μ > 0
    and τ = 0, as in PyTorch) steps along the gradient plus the updated velocity::

        g ← g + μ v
        θ ← θ − α g

    ``weight_decay=λ > 0``, also PyTorch's, adds the gradient of an L2
    penalty (λ/2)‖θ‖² to g before either rule, by the base class (``p.grad``
    itself is left unchanged)::

        g ← g + λ θ
    """

    _state_keys = ("velocity",)  # kept only with momentum > 0
    # a checkpoint saved before these existed was made with the plain momentum rule
    _added_later = {**Optimizer._added_later, "dampening": 0.0, "nesterov": False}

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0.0,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        *,
        maximize=False,
    ):
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "maximize": maximize,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        group["momentum"] = real_in_range("SGD", "momentum", group["momentum"], 0, 1)
        dampening = real_in_range("SGD", "dampening τ", group["dampening"], 0, None)
        if dampening > 1:  # 1 − τ < 0 would push v against the gradient
            raise ValueError(f"SGD: dampening τ must be a finite number in [0, 1], got {dampening}")
        group["dampening"] = dampening
        nesterov = group["nesterov"]
        if not isinstance(nesterov, bool | np.bool_):
            # bool("False") is True: a flag read from a config file would pick the other rule
            raise ValueError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        group["nesterov"] = bool(nesterov)
        if group["nesterov"] and (group["momentum"] == 0 or dampening != 0):
            raise ValueError(
                "SGD: nesterov=True requires momentum > 0 and dampening = 0 (as in PyTorch), "
                f"got momentum={group['momentum']}, dampening={dampening}"
            )

    def _update(self, p, g, group):
        (step,) = self._work_arrays(p.data, 1)  # in place: see _work_arrays
        mu, lr = group["momentum"], group["lr"]
        if mu == 0:
            np.multiply(g, lr, out=step)
            p.data -= step
            return
        state = self.state.setdefault(p, {})
        if "velocity" not in state:  # first step: v = g, not dampened
            v = state["velocity"] = np.zeros_like(p.data)
            v += g  # 0 + g, not a copy of g: a −0.0 in g gives +0.0, as before τ existed
        else:  # v = μ v + (1 − τ) g
            v = state["velocity"]
            v *= mu
            np.multiply(g, 1 - group["dampening"], out=step)  # τ = 0: × 1.0, exact
            v += step
        if group["nesterov"]:  # step = α (g + μ v)
            np.multiply(v, mu, out=step)
            step += g
            step *= lr
        else:  # step = α v
            np.multiply(v, lr, out=step)
        p.data -= step
