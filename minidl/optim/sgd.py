"""Stochastic gradient descent, §3.3 eq. 3 of the document (plus optional momentum and weight
decay)."""

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
    velocity v (zero before the first step), PyTorch's convention::

        v ← μ v + g
        θ ← θ − α v

    ``weight_decay=λ > 0``, also PyTorch's, adds the gradient of an L2
    penalty (λ/2)‖θ‖² to g before either rule, by the base class (``p.grad``
    itself is left unchanged)::

        g ← g + λ θ
    """

    _state_keys = ("velocity",)  # kept only with momentum > 0

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    def _check_group(self, group):
        super()._check_group(group)
        group["momentum"] = real_in_range("SGD", "momentum", group["momentum"], 0, 1)

    def _update(self, p, g, group):
        (step,) = self._work_arrays(p.data, 1)  # in place: see _work_arrays
        if group["momentum"] == 0:
            np.multiply(g, group["lr"], out=step)
            p.data -= step
            return
        state = self.state.setdefault(p, {})
        if "velocity" not in state:
            state["velocity"] = np.zeros_like(p.data)
        v = state["velocity"]
        v *= group["momentum"]
        v += g
        np.multiply(v, group["lr"], out=step)
        p.data -= step
