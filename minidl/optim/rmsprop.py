"""RMSprop (Hinton's lecture 6e), exactly as PyTorch's ``torch.optim.RMSprop``."""

import numpy as np

from minidl.optim.optimizer import Optimizer, real_in_range

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, PyTorch's update, with v_0 = 0 (and b_0 = 0, ḡ_0 = 0)::

        v_t = α v_{t-1} + (1 − α) g_t²           running mean of g², "square_avg"
        d_t = √v_t + ε                           ε is added OUTSIDE the square root

    ``centered=True`` divides by an estimate of the standard deviation of g
    instead, subtracting the squared running mean ḡ of g::

        ḡ_t = α ḡ_{t-1} + (1 − α) g_t            "grad_avg"
        d_t = √(v_t − ḡ_t²) + ε

    then, with ``momentum=μ = 0`` (default)::

        θ_t = θ_{t-1} − η g_t / d_t

    or with μ > 0 a momentum buffer b, started at 0 (not at the first step's value)::

        b_t = μ b_{t-1} + g_t / d_t              "momentum_buffer"
        θ_t = θ_{t-1} − η b_t

    ``weight_decay=λ > 0`` adds the gradient of an L2 penalty (λ/2)‖θ‖² to g_t
    before all of the above, by the base class (``p.grad`` is left unchanged)::

        g_t ← g_t + λ θ_{t-1}

    The state of a parameter: "step" (t), "square_avg" (v), and only when
    used "momentum_buffer" (b) and "grad_avg" (ḡ), as in PyTorch.  Unlike Adam
    there is no bias correction: v starts at 0, so the first steps are large
    (|Δθ| ≈ η/√(1 − α) = 10 η with α = 0.99).
    """

    _state_keys = ("step", "square_avg")  # plus "momentum_buffer" (μ > 0), "grad_avg" (centered)

    def __init__(
        self,
        params,
        lr=0.01,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=False,
        *,
        maximize=False,
    ):
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        # α = 1 would keep v at 0 forever (every step g/ε); μ >= 1 makes b grow without bound
        group["alpha"] = real_in_range("RMSprop", "alpha α", group["alpha"], 0, 1)
        group["eps"] = real_in_range("RMSprop", "eps", group["eps"], 0, None)
        group["momentum"] = real_in_range("RMSprop", "momentum μ", group["momentum"], 0, 1)
        centered = group["centered"]
        if not isinstance(centered, bool | np.bool_):
            # bool("False") is True: a flag read from a config file would pick the other rule
            raise ValueError(f"RMSprop: centered must be True or False, got {centered!r}")
        group["centered"] = bool(centered)

    def _update(self, p, g, group):
        state = self.state.setdefault(p, {})
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
        alpha, mu = group["alpha"], group["momentum"]
        # a buffer first needed after a change of hyper-parameter starts at 0, as on step 1
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(p.data)
        if mu > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(p.data)
        state["step"] += 1
        v = state["square_avg"]
        # the equations above, operation for operation, in place (see _work_arrays)
        d, s = self._work_arrays(p.data, 2)
        np.multiply(g, g, out=s)  # v = α v + (1 − α) g²
        s *= 1 - alpha  # Python-float factors keep float32 float32
        v *= alpha
        v += s
        if group["centered"]:  # d = √(v − ḡ²) + ε
            gbar = state["grad_avg"]
            np.multiply(g, 1 - alpha, out=s)
            gbar *= alpha
            gbar += s
            np.multiply(gbar, gbar, out=d)
            np.subtract(v, d, out=d)
            np.sqrt(d, out=d)
        else:  # d = √v + ε
            np.sqrt(v, out=d)
        d += group["eps"]
        if mu > 0:  # b = μ b + g / d;  θ = θ − η b
            b = state["momentum_buffer"]
            np.divide(g, d, out=s)
            b *= mu
            b += s
            np.multiply(b, group["lr"], out=s)
        else:  # θ = θ − η g / d
            np.multiply(g, group["lr"], out=s)
            s /= d
        p.data -= s

    def load_state_dict(self, state_dict):
        """As the base class, and a parameter's saved state must have the buffers its group
        uses (checked before anything changes)."""
        if isinstance(state_dict, dict) and {"state", "param_groups"} <= set(state_dict):
            saved = {int(k): v for k, v in state_dict["state"].items()}
            for group in state_dict["param_groups"]:
                needed = []
                if group.get("momentum", 0) > 0:
                    needed.append("momentum_buffer")
                if group.get("centered", False):
                    needed.append("grad_avg")
                for j in group.get("params", ()):
                    state = saved.get(int(j))
                    if isinstance(state, dict) and state:
                        missing = [k for k in needed if k not in state]
                        if missing:
                            raise ValueError(
                                f"RMSprop.load_state_dict: the state of parameter {int(j)} "
                                f"lacks {missing}, which its group (momentum="
                                f"{group.get('momentum')}, centered={group.get('centered')}) "
                                "uses"
                            )
        super().load_state_dict(state_dict)
