"""AdamW: Adam (§3.3 eq. 4) with decoupled weight decay (Loshchilov & Hutter), as in PyTorch."""

from minidl.optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay λ (``weight_decay``, default 1e-2), as PyTorch's AdamW.

    Each step first shrinks the parameter, then applies Adam's equations
    (see ``Adam``, unchanged) to the raw gradient g_t, with t counted from 1
    and m_0 = v_0 = 0::

        θ'  = θ_{t-1} (1 − α λ)                 decoupled decay: λθ is NOT added to g
        m_t = β1 m_{t-1} + (1 − β1) g_t
        v_t = β2 v_{t-1} + (1 − β2) g_t²
        m̂  = m_t / (1 − β1^t)
        v̂  = v_t / (1 − β2^t)
        θ_t = θ' − α · m̂ / (√v̂ + ε)            correct_v=True (default, PyTorch)
        θ_t = θ' − α · m̂ / (√v_t + ε)           correct_v=False (the document's last line)

    ``Adam(weight_decay=λ)`` instead adds λθ to g_t (an L2 penalty), which
    then goes through m and v and is divided by √v̂: its pull towards 0 is
    rescaled per coordinate.  Here the pull is exactly α λ θ per step, whatever
    the gradients.  With λ = 0 AdamW is Adam, bit for bit.  ``p.grad`` is never changed.
    """

    # the base class must not add the coupled λθ to g: _update applies λ itself
    _decoupled_weight_decay = True

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        correct_v=True,
        *,
        maximize=False,
    ):
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            correct_v=correct_v,
            weight_decay=weight_decay,
            maximize=maximize,
        )

    def _update(self, p, g, group):
        decay = group["weight_decay"]
        if decay:
            p.data *= 1 - group["lr"] * decay  # in place; a Python float keeps float32 float32
        super()._update(p, g, group)
