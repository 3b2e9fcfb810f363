"""Regression losses between predictions and targets of one shape: mean squared error
(§3.3 eq. 1) and its robust kin, L1 (mean absolute error), smooth L1 and Huber."""

import numpy as np

from minidl.autograd import Function
from minidl.nn.loss_base import _check_reduction, _Loss, _reduce_losses, _upstream_scale
from minidl.ops.elementwise import as_tensor, promote
from minidl.tensor import is_real


class MSE(Function):
    """L = 1/n Σᵢ (ŷᵢ − yᵢ)² over all n elements (reduction="mean");
    dL/dŷ = 2 (ŷ − y) / n,  dL/dy = −dL/dŷ.  "sum" drops the 1/n, "none" the Σ."""

    @staticmethod
    def forward(ctx, pred, target, reduction):
        diff = pred - target
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        sq = diff * diff
        if reduction == "none":
            return sq
        total = sq.sum()
        return np.asarray(total / diff.size if reduction == "mean" else total, dtype=diff.dtype)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        scale = 2 * grad / diff.size if ctx.reduction == "mean" else 2 * grad
        d = diff * scale.astype(diff.dtype, copy=False)
        need_pred, need_target, _ = ctx.needs_input_grad
        return (d if need_pred else None), (-d if need_target else None), None


def mse_loss(input, target, reduction="mean"):
    """Mean squared error between ``input`` (predictions) and ``target`` of the same shape.

    Unlike PyTorch, different shapes are an error rather than a broadcast with a
    warning: (N, 1) against (N,) would silently compare every pair.
    """
    input, target = _regression_checked("mse_loss", input, target, reduction)
    return MSE.apply(input, target, reduction)


def _regression_checked(op, input, target, reduction):
    """``input`` and ``target`` as Tensors of one shape and one float dtype, checked for ``op``."""
    _check_reduction(op, reduction)
    input, target = as_tensor(op, input), as_tensor(op, target)
    if input.shape != target.shape:
        raise ValueError(
            f"{op}: input of shape {input.shape} and target of shape {target.shape} differ; "
            "reshape one of them (e.g. pred.squeeze(-1)) so they match"
        )
    if input.data.dtype.kind != "f" and target.data.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected float predictions, got dtypes {input.dtype} and {target.dtype} "
            "(the mean of integers would be truncated); use .float()"
        )
    if reduction == "mean" and input.data.size == 0:
        # as for mean(): a NaN loss from an empty batch is worse than an error (ops/reduce.py)
        raise ValueError(
            f"{op}: the mean over zero elements is undefined (input of shape "
            f"{input.shape}: an empty batch?)"
        )
    return promote(input, target)  # float32 against int64 targets stays float32


class L1(Function):
    """L = 1/n Σᵢ |ŷᵢ − yᵢ| over all n elements (reduction="mean");
    dL/dŷ = sign(ŷ − y) / n (0 where ŷ = y, as PyTorch),  dL/dy = −dL/dŷ."""

    @staticmethod
    def forward(ctx, pred, target, reduction):
        diff = pred - target
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        return _reduce_losses(np.abs(diff), reduction)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        d = np.sign(diff) * _upstream_scale(grad, ctx.reduction, diff.size, diff.dtype)
        need_pred, need_target, _ = ctx.needs_input_grad
        return (d if need_pred else None), (-d if need_target else None), None


class Huber(Function):
    """Huber loss of d = ŷ − y with threshold δ > 0, elementwise, then reduced as MSE:

    ℓ = ½ d²            if |d| < δ          dℓ/dŷ = d
    ℓ = δ (|d| − ½ δ)   otherwise           dℓ/dŷ = δ sign(d)     (dℓ/dy = −dℓ/dŷ)

    Smooth L1 with β is ℓ / β for δ = β (:func:`smooth_l1_loss` passes ``scale`` = 1/β):
    quadratic near 0, so its gradient shrinks to 0 there instead of jumping as L1's does.
    """

    @staticmethod
    def forward(ctx, pred, target, delta, scale, reduction):
        diff = pred - target
        ctx.save_for_backward(diff)
        ctx.delta, ctx.scale, ctx.reduction = delta, scale, reduction
        a = np.abs(diff)
        losses = np.where(a < delta, 0.5 * diff * diff, delta * (a - 0.5 * delta))
        if scale != 1:
            losses *= scale
        return _reduce_losses(losses.astype(diff.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        d = np.clip(diff, -ctx.delta, ctx.delta)  # d inside (−δ, δ), ±δ outside
        upstream = _upstream_scale(grad, ctx.reduction, diff.size, diff.dtype)
        d *= upstream * diff.dtype.type(ctx.scale)
        need_pred, need_target, _, _, _ = ctx.needs_input_grad
        return (d if need_pred else None), (-d if need_target else None), None, None, None


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error between ``input`` and ``target`` of the same shape:
    1/n Σ |ŷᵢ − yᵢ|.  Different shapes are an error, as for :func:`mse_loss`."""
    input, target = _regression_checked("l1_loss", input, target, reduction)
    return L1.apply(input, target, reduction)


def _check_threshold(op, name, value, positive):
    if not is_real(value):
        raise TypeError(f"{op}: {name} must be a number, got {value!r} ({type(value).__name__})")
    if not (value > 0 if positive else value >= 0):  # NaN fails too
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{op}: {name} must be {bound}, got {name}={value}")
    return float(value)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """Smooth L1 between ``input`` and ``target`` of the same shape, as PyTorch::

        ℓᵢ = ½ dᵢ² / β  if |dᵢ| < β,  else |dᵢ| − ½ β      (dᵢ = ŷᵢ − yᵢ)

    ``beta=0`` is :func:`l1_loss`, as in PyTorch.  Equals ``huber_loss(…, delta=β) / β``.
    """
    op = "smooth_l1_loss"
    beta = _check_threshold(op, "beta", beta, positive=False)
    input, target = _regression_checked(op, input, target, reduction)
    if beta == 0:
        return L1.apply(input, target, reduction)
    return Huber.apply(input, target, beta, 1 / beta, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss between ``input`` and ``target`` of the same shape, as PyTorch::

        ℓᵢ = ½ dᵢ²  if |dᵢ| < δ,  else δ (|dᵢ| − ½ δ)        (dᵢ = ŷᵢ − yᵢ, δ > 0)

    MSE/2 for small errors, δ·L1 for large ones, so outliers pull linearly, not quadratically.
    """
    op = "huber_loss"
    delta = _check_threshold(op, "delta", delta, positive=True)
    input, target = _regression_checked(op, input, target, reduction)
    return Huber.apply(input, target, delta, 1.0, reduction)


class MSELoss(_Loss):
    """``MSELoss()(pred, target)``: 1/n Σ (ŷᵢ − yᵢ)² over all elements (§3.3 eq. 1)."""

    def __init__(self, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """``L1Loss()(pred, target)``: 1/n Σ |ŷᵢ − yᵢ| over all elements."""

    def __init__(self, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return l1_loss(input, target, self.reduction)


class SmoothL1Loss(_Loss):
    """``SmoothL1Loss(beta=1.0)(pred, target)``: ½ d² / β for |d| < β, else |d| − ½ β."""

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = _check_threshold("SmoothL1Loss", "beta", beta, positive=False)

    def forward(self, input, target):
        return smooth_l1_loss(input, target, self.reduction, self.beta)

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.beta == 1 else ", ".join(filter(None, [s, f"beta={self.beta}"]))


class HuberLoss(_Loss):
    """``HuberLoss(delta=1.0)(pred, target)``: ½ d² for |d| < δ, else δ (|d| − ½ δ)."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = _check_threshold("HuberLoss", "delta", delta, positive=True)

    def forward(self, input, target):
        return huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.delta == 1 else ", ".join(filter(None, [s, f"delta={self.delta}"]))
