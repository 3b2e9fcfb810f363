"""What every loss shares: the ``reduction=`` argument ("mean", "sum" or "none") checked,
the elementwise losses of a Function (or of recorded ops) reduced and its upstream gradient
scaled to match, and ``_Loss``, the base of the loss modules."""

import numpy as np

from minidl.nn.module import Module

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _upstream_scale(grad, reduction, n, dtype):
    """The upstream gradient as a factor on the elementwise derivative: grad/n, grad, or grad."""
    scale = grad / n if reduction == "mean" else grad
    return scale.astype(dtype, copy=False)


def _reduce_losses(losses, reduction):
    """The elementwise losses reduced as asked: as they are, their mean, or their sum."""
    if reduction == "none":
        return losses
    total = losses.sum()
    return np.asarray(total / losses.size if reduction == "mean" else total, dtype=losses.dtype)


def reduce_loss(op, loss, reduction):
    """The same for a loss built from recorded ops: the Tensor ``loss`` as it is ("none"),
    its "mean" or its "sum" (the gradient flows through ``mean``/``sum``)."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if loss.numel() == 0:
        # a NaN loss from an empty batch is worse than an error (as mse_loss)
        raise ValueError(f"{op}: the mean over zero elements is undefined (an empty batch?)")
    return loss.mean()


class _Loss(Module):
    """A loss module: checks and keeps ``reduction`` ("mean", "sum" or "none")."""

    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"
