"""Margin losses on pairs, as PyTorch's: MarginRankingLoss (which of two scores should be
higher) and CosineEmbeddingLoss (should two vectors point the same way or not).

Built from recorded ops, so the gradient is the derivative of the formula.  The arguments
PyTorch keeps for its deprecated ``size_average`` / ``reduce`` are absent: what follows them
(``reduction``) is keyword-only, so a positional call written for PyTorch fails instead of
being read differently.
"""

import numpy as np

from minidl import ops
from minidl.nn.loss_base import _check_reduction, _Loss, reduce_loss
from minidl.ops.elementwise import as_tensor, promote
from minidl.tensor import Tensor, is_real

__all__ = [
    "margin_ranking_loss",
    "cosine_embedding_loss",
    "MarginRankingLoss",
    "CosineEmbeddingLoss",
]


def _margin(op, margin):
    if not is_real(margin):
        raise TypeError(f"{op}: margin must be a number, got {margin!r}")
    return float(margin)


def margin_ranking_loss(input1, input2, target, margin=0.0, *, reduction="mean"):
    """L = max(0, −y (x₁ − x₂) + margin), y = 1 where x₁ should rank higher, −1 where x₂
    should.  The three tensors have the same number of dims and broadcast (as PyTorch)."""
    op = "margin_ranking_loss"
    _check_reduction(op, reduction)
    margin = _margin(op, margin)
    x1, x2, y = (as_tensor(op, t) for t in (input1, input2, target))
    if not x1.ndim == x2.ndim == y.ndim:
        raise ValueError(
            f"{op}: input1 {x1.shape}, input2 {x2.shape} and target {y.shape} must have the "
            "same number of dims"
        )
    x1, x2 = promote(x1, x2)
    return reduce_loss(op, ops.clamp(-y * (x1 - x2) + margin, min=0.0), reduction)


# PyTorch's EPSILON (a float32 1e-12): keeps |x|² > 0, so a zero vector gives cos = 0, not 0/0
_EPS = float(np.float32(1e-12))


def cosine_embedding_loss(input1, input2, target, margin=0.0, *, reduction="mean"):
    """L = 1 − cos(x₁, x₂) where y = 1 (should be alike), max(0, cos(x₁, x₂) − margin)
    where y = −1 (should differ);  cos = x₁·x₂ / √((|x₁|² + ε)(|x₂|² + ε)), ε = 1e-12.

    x₁, x₂: (N, D) with y (N,), or (D,) with a 0-d y.  A target other than 1 or −1 is an
    error here (PyTorch gives it a loss of 0, which hides 0/1 labels passed by mistake)."""
    op = "cosine_embedding_loss"
    _check_reduction(op, reduction)
    margin = _margin(op, margin)
    x1, x2, y = (as_tensor(op, t) for t in (input1, input2, target))
    if x1.shape != x2.shape or x1.ndim not in (1, 2) or y.shape != x1.shape[:-1]:
        raise ValueError(
            f"{op}: expected input1 and input2 of one shape (N, D) or (D,), and target (N,) "
            f"or 0-d; got {x1.shape}, {x2.shape} and {y.shape}"
        )
    labels = y.data
    if not ((labels == 1) | (labels == -1)).all():
        raise ValueError(f"{op}: target must hold 1 or -1, got values {sorted(set(labels.flat))}")
    x1, x2 = promote(x1, x2)
    dot = (x1 * x2).sum(dim=-1)
    cos = dot / ((((x1 * x1).sum(dim=-1) + _EPS) * ((x2 * x2).sum(dim=-1) + _EPS)) ** 0.5)
    alike = Tensor._make(labels == 1)
    loss = ops.where(alike, 1.0 - cos, ops.clamp(cos - margin, min=0.0))
    return reduce_loss(op, loss, reduction)


class MarginRankingLoss(_Loss):
    """``MarginRankingLoss(margin=0.0)(x1, x2, y)``: max(0, −y (x₁ − x₂) + margin)."""

    def __init__(self, margin=0.0, *, reduction="mean"):
        super().__init__(reduction)
        self.margin = _margin("MarginRankingLoss", margin)

    def forward(self, input1, input2, target):
        return margin_ranking_loss(input1, input2, target, self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """``CosineEmbeddingLoss(margin=0.0)(x1, x2, y)``: 1 − cos where y = 1, else
    max(0, cos − margin)."""

    def __init__(self, margin=0.0, *, reduction="mean"):
        super().__init__(reduction)
        self.margin = _margin("CosineEmbeddingLoss", margin)

    def forward(self, input1, input2, target):
        return cosine_embedding_loss(input1, input2, target, self.margin, reduction=self.reduction)
