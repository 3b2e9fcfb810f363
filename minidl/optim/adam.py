"""Adam, §3.3 eq. 4 of the document, in both readings of its last line (see ``Adam``), plus
optional weight decay."""

import numpy as np

from minidl.optim.optimizer import Optimizer, real_in_range

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (§3.3 eq. 4), with t counted from 1 and m_0 = v_0 = 0::

        m_t = β1 m_{t-1} + (1 − β1) g_t
        v_t = β2 v_{t-1} + (1 − β2) g_t²
        m̂  = m_t / (1 − β1^t)
        v̂  = v_t / (1 − β2^t)

    ``correct_v=True`` (default; Kingma & Ba, identical to PyTorch's Adam)::

        θ_t = θ_{t-1} − α · m̂ / (√v̂ + ε)

    ``correct_v=False``: the document's last line exactly as printed, which
    divides by √v_t instead of the √v̂ its own fourth line defines::

        θ_t = θ_{t-1} − α · m̂ / (√v_t + ε)

    Its early steps are up to 1/√(1 − β2) ≈ 31.6× larger.  The document
    writes m̂, v̂ as "m_{t+1}", "v_{t+1}"; they are temporaries here, never
    written back into the state (only m_t, v_t and t are kept).

    ``weight_decay=λ > 0`` is an extension the document does not print: the
    gradient of an L2 penalty (λ/2)‖θ‖² is added to g_t before the equations
    above, by the base class (PyTorch's Adam, not the decoupled AdamW;
    ``p.grad`` itself is left unchanged)::

        g_t ← g_t + λ θ_{t-1}
    """

    _state_keys = ("step", "m", "v")

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        correct_v=True,
        weight_decay=0.0,
        *,
        maximize=False,
    ):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "correct_v": correct_v,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (β1, β2), got betas={betas!r}")
        group["betas"] = tuple(real_in_range("Adam", "each of betas", b, 0, 1) for b in betas)
        group["eps"] = real_in_range("Adam", "eps", group["eps"], 0, None)
        correct_v = group["correct_v"]
        if not isinstance(correct_v, bool | np.bool_):
            # bool("False") is True: a flag read from a config file would pick the other rule
            raise ValueError(f"Adam: correct_v must be True or False, got {correct_v!r}")
        group["correct_v"] = bool(correct_v)

    def _update(self, p, g, group):
        state = self.state.setdefault(p, {})
        if not state:
            state["step"] = 0
            state["m"] = np.zeros_like(p.data)
            state["v"] = np.zeros_like(p.data)
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        m, v = state["m"], state["v"]
        # the equations above, operation for operation, in place (see _work_arrays)
        s1, s2 = self._work_arrays(p.data, 2)
        np.multiply(g, 1 - beta1, out=s1)
        m *= beta1
        m += s1
        np.multiply(g, g, out=s1)
        s1 *= 1 - beta2
        v *= beta2
        v += s1
        if group["correct_v"]:
            np.divide(v, 1 - beta2**t, out=s1)  # Python-float divisors keep float32 float32
            np.sqrt(s1, out=s1)
        else:
            np.sqrt(v, out=s1)
        s1 += group["eps"]  # s1 = denominator
        np.divide(m, 1 - beta1**t, out=s2)  # s2 = m̂
        s2 *= group["lr"]
        s2 /= s1
        p.data -= s2
