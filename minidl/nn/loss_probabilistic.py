"""Losses of predicted distributions, as PyTorch's: KL divergence (KLDivLoss), and the
negative log-likelihoods of a Gaussian (GaussianNLLLoss) and a Poisson (PoissonNLLLoss).

Built from recorded ops, so the gradient is the derivative of the formula.  The arguments
PyTorch keeps for its deprecated ``size_average`` / ``reduce`` are absent: what follows them
is keyword-only, so a positional call written for PyTorch fails instead of being read
differently.  As minidl's ``mse_loss``, input and target must have the same shape.
"""

import math
import warnings

import numpy as np

from minidl import ops
from minidl.nn.loss_base import _check_reduction, _Loss, reduce_loss
from minidl.nn.loss_regression import _regression_checked
from minidl.ops.elementwise import as_tensor
from minidl.tensor import Tensor, check_bool, is_real

__all__ = [
    "kl_div",
    "gaussian_nll_loss",
    "poisson_nll_loss",
    "KLDivLoss",
    "GaussianNLLLoss",
    "PoissonNLLLoss",
]


def _xlogx(t):
    """t log t, and 0 where t = 0 (its limit); log of 1 there, so no −inf enters the graph."""
    zero = t == 0
    return ops.where(zero, 0.0, t * ops.log(ops.where(zero, 1.0, t)))


def _check_kl_reduction(op, reduction):
    if reduction != "batchmean":
        _check_reduction(op, reduction)
    if reduction == "mean":
        warnings.warn(
            f"{op}: reduction='mean' divides the total by the batch size and by the number "
            "of classes; 'batchmean' divides by the batch size only, which is the KL "
            "divergence (PyTorch warns the same)",
            stacklevel=3,
        )


def kl_div(input, target, *, reduction="mean", log_target=False):
    """KL(target ‖ input) with ``input`` log-probabilities log q, elementwise:

        L = p (log p − log q),  p = target  (0 where p = 0);  with ``log_target``,
        target is log p and L = eᵗᵃʳᵍᵉᵗ (target − input).

    reduction "batchmean" = Σ L / N (N = input.shape[0]), the KL divergence per sample;
    "mean" divides by every element instead (PyTorch's default, with its warning)."""
    op = "kl_div"
    _check_kl_reduction(op, reduction)
    log_target = check_bool(op, "log_target", log_target)
    q, p = _regression_checked(op, input, target, "sum" if reduction == "batchmean" else reduction)
    if log_target:
        loss = ops.exp(p) * (p - q)
    else:
        loss = _xlogx(p) - p * q
    if reduction == "batchmean":
        return loss.sum() / q.shape[0] if q.ndim else loss.sum()
    return reduce_loss(op, loss, reduction)


def _gaussian_var(op, var, input):
    """``var`` as a tensor that broadcasts to ``input``, by PyTorch's rules: the input's
    shape (one variance each), that shape without its last dim or with one dim of size 1
    (one variance shared along that dim), or a number."""
    if is_real(var) and not isinstance(var, Tensor):
        if var < 0:
            raise ValueError(f"{op}: var must be >= 0, got {var}")
        return Tensor._make(np.full(input.shape, var, input.data.dtype))
    var = as_tensor(op, var)
    if var.shape != input.shape:
        if var.shape == input.shape[:-1]:
            var = var.unsqueeze(-1)
        elif not (
            var.ndim == input.ndim and sum(v for n, v in zip(input.shape, var.shape) if n != v) == 1
        ):
            raise ValueError(
                f"{op}: var of shape {var.shape} does not fit input of shape {input.shape}; "
                "expected the input's shape, that shape without its last dim, or with one "
                "dim of size 1"
            )
    if (var.data < 0).any():
        raise ValueError(f"{op}: var has negative entries")
    return var


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """The negative log-likelihood of ``target`` under N(input, var), elementwise:

        L = ½ (log max(var, ε) + (input − target)² / max(var, ε))   (+ ½ log 2π if ``full``)

    As PyTorch, var is clamped at ε outside the graph: where var < ε the gradient with
    respect to var is the formula's at ε, not 0."""
    op = "gaussian_nll_loss"
    full = check_bool(op, "full", full)
    if not is_real(eps) or not eps >= 0:
        raise ValueError(f"{op}: eps must be a number >= 0, got {eps!r}")
    mu, y = _regression_checked(op, input, target, reduction)
    var = _gaussian_var(op, var, mu)
    # the clamp as a constant added to var: the values of max(var, ε), var's gradient kept
    var = var + Tensor._make(np.maximum(var.data, eps) - var.data)
    loss = 0.5 * (ops.log(var) + (mu - y) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(op, loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, *, eps=1e-8, reduction="mean"):
    """The negative log-likelihood of counts ``target`` under Poisson(λ), without log y!:

        log_input=True  (input = log λ):  L = eᶦⁿᵖᵘᵗ − y · input
        log_input=False (input = λ):      L = λ − y log(λ + ε)

    ``full`` adds Stirling's log y! ≈ y log y − y + ½ log(2π y) where y > 1 (0 elsewhere)."""
    op = "poisson_nll_loss"
    log_input, full = check_bool(op, "log_input", log_input), check_bool(op, "full", full)
    if not is_real(eps):
        raise TypeError(f"{op}: eps must be a number, got {eps!r}")
    x, y = _regression_checked(op, input, target, reduction)
    if log_input:
        loss = ops.exp(x) - y * x
    else:
        loss = x - y * ops.log(x + float(eps))
    if full:
        big = y > 1
        y_big = ops.where(big, y, 2.0)  # the term is 0 where y ≤ 1: keep log(≤ 0) out
        stirling = y_big * ops.log(y_big) - y_big + 0.5 * ops.log(2 * math.pi * y_big)
        loss = loss + ops.where(big, stirling, 0.0)
    return reduce_loss(op, loss, reduction)


class KLDivLoss(_Loss):
    """``KLDivLoss(reduction="batchmean")(log_q, p)``: KL(p ‖ q) per sample; see
    :func:`kl_div`."""

    def __init__(self, *, reduction="mean", log_target=False):
        super().__init__("mean")
        if reduction != "batchmean":
            _check_reduction("KLDivLoss", reduction)
        self.reduction = reduction
        self.log_target = check_bool("KLDivLoss", "log_target", log_target)

    def forward(self, input, target):
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class GaussianNLLLoss(_Loss):
    """``GaussianNLLLoss()(mean, target, var)``: ½ (log var + (mean − target)² / var)."""

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction)
        self.full = check_bool("GaussianNLLLoss", "full", full)
        self.eps = eps

    def forward(self, input, target, var):
        return gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class PoissonNLLLoss(_Loss):
    """``PoissonNLLLoss()(log_rate, counts)``: e^input − target · input; see
    :func:`poisson_nll_loss`."""

    def __init__(self, log_input=True, full=False, *, eps=1e-8, reduction="mean"):
        super().__init__(reduction)
        self.log_input = check_bool("PoissonNLLLoss", "log_input", log_input)
        self.full = check_bool("PoissonNLLLoss", "full", full)
        self.eps = eps

    def forward(self, input, target):
        return poisson_nll_loss(
            input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction
        )
