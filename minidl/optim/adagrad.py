"""Adagrad (Duchi, Hazan & Singer), exactly as PyTorch's ``torch.optim.Adagrad``."""

import numpy as np

from minidl.optim.optimizer import Optimizer, real_in_range

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, PyTorch's update, with t counted from 1 and s_0 = ``initial_accumulator_value``::

        η_t = η / (1 + (t − 1) · lr_decay)       lr_decay = 0: η_t = η
        s_t = s_{t-1} + g_t²                     the sum of ALL past g², "sum"
        θ_t = θ_{t-1} − η_t g_t / (√s_t + ε)     ε is added OUTSIDE the square root

    s only grows, so each coordinate's step shrinks like 1/√t: coordinates with
    large past gradients slow down most.

    ``weight_decay=λ > 0`` adds the gradient of an L2 penalty (λ/2)‖θ‖² to g_t
    before the equations, by the base class (``p.grad`` is left unchanged)::

        g_t ← g_t + λ θ_{t-1}

    The state of a parameter: "step" (t) and "sum" (s), made at its first step
    (PyTorch makes them when the optimizer is built; the updates are the same).
    """

    _state_keys = ("step", "sum")

    def __init__(
        self,
        params,
        lr=0.01,
        lr_decay=0.0,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        eps=1e-10,
        *,
        maximize=False,
    ):
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        group["lr_decay"] = real_in_range("Adagrad", "lr_decay", group["lr_decay"], 0, None)
        group["initial_accumulator_value"] = real_in_range(
            "Adagrad", "initial_accumulator_value", group["initial_accumulator_value"], 0, None
        )
        group["eps"] = real_in_range("Adagrad", "eps", group["eps"], 0, None)

    def _update(self, p, g, group):
        state = self.state.setdefault(p, {})
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p.data, group["initial_accumulator_value"])
        state["step"] += 1
        t, s = state["step"], state["sum"]
        lr_t = group["lr"] / (1 + (t - 1) * group["lr_decay"])  # a Python float
        # the equations above, operation for operation, in place (see _work_arrays)
        d, step = self._work_arrays(p.data, 2)
        np.multiply(g, g, out=d)  # s = s + g²
        s += d
        np.sqrt(s, out=d)  # d = √s + ε
        d += group["eps"]
        np.multiply(g, lr_t, out=step)  # θ = θ − η_t g / d
        step /= d
        p.data -= step
