"""The ``reduction=`` of the losses built from recorded ops: "none", "mean" or "sum"."""

__all__ = ["reduce_loss"]


def reduce_loss(op, loss, reduction):
    """The elementwise ``loss`` as it is ("none"), its "mean" or its "sum"."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if loss.numel() == 0:
        # a NaN loss from an empty batch is worse than an error (as mse_loss)
        raise ValueError(f"{op}: the mean over zero elements is undefined (an empty batch?)")
    return loss.mean()
