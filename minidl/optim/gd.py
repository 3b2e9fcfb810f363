"""Gradient descent, §3.3 eq. 2 of the document."""

from minidl.optim.optimizer import Optimizer

__all__ = ["GD"]


class GD(Optimizer):
    """Gradient descent (§3.3 eq. 2)::

        θ_{t+1} = θ_t − α ∇J(θ_t)

    where J is the loss over the WHOLE training set, so each step should see
    the full batch: ``DataLoader(ds, batch_size=len(ds))``.  The update rule
    is the same as :class:`SGD`'s; the two differ only in the data each step
    sees (all samples here, one random sample there).
    """

    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    def _update(self, p, g, group):
        p.data -= group["lr"] * g
