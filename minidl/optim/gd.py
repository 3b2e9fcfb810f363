"""Gradient descent, §3.3 eq. 2 of the document (plus optional weight decay)."""

from minidl.optim.optimizer import Optimizer

__all__ = ["GD"]


class GD(Optimizer):
    """Gradient descent (§3.3 eq. 2)::

        θ_{t+1} = θ_t − α ∇J(θ_t)

    where J is the loss over the WHOLE training set, so each step should see
    the full batch: ``DataLoader(ds, batch_size=len(ds))``.  The update rule
    is the same as :class:`SGD`'s; the two differ only in the data each step
    sees (all samples here, one random sample there).

    ``weight_decay=λ > 0`` is an extension the document does not print
    (PyTorch's): the gradient of an L2 penalty (λ/2)‖θ‖² is added to
    g = ∇J(θ_t) before the update, by the base class (``p.grad`` itself is
    left unchanged)::

        g ← g + λ θ_t

    ``maximize=True`` ascends J instead (g ← −g first), as every optimizer here.
    """

    def __init__(self, params, lr, weight_decay=0.0, *, maximize=False):
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay, "maximize": maximize})

    def _update(self, p, g, group):
        p.data -= group["lr"] * g
