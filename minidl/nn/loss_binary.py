"""Binary cross-entropy: on probabilities (``BCELoss``, after a sigmoid) and on logits
(``BCEWithLogitsLoss``, the sigmoid folded in, stable for any logit)."""

import numpy as np

from minidl.autograd import Function, is_grad_enabled
from minidl.nn.loss_base import _check_reduction, _Loss, _reduce_losses, _upstream_scale
from minidl.ops.elementwise import as_tensor, promote
from minidl.tensor import Tensor


class BinaryCrossEntropyWithLogits(Function):
    """Binary cross-entropy on logits x with targets y ∈ [0, 1], both of shape S (any shape):

    ℓ = −w·[p_w·y·log σ(x) + (1−y)·log(1−σ(x))]
      = w·[p_w·y·softplus(−x) + (1−y)·softplus(x)]        (log σ(x) = −softplus(−x))
    softplus(z) = max(z, 0) + log1p(exp(−|z|))             (never overflows)
    L = Σ ℓ / n over all n elements (reduction="mean"), Σ ℓ ("sum"), ℓ itself ("none")

    dℓ/dx = w·[(p_w·y + 1 − y)·σ(x) − p_w·y]               (= w·(σ(x) − y) when p_w = 1)
    dℓ/dy = −w·[p_w·log σ(x) − log(1−σ(x))] = w·[p_w·softplus(−x) − softplus(x)]

    ``weight`` w broadcasts to S, ``pos_weight`` p_w broadcasts to S too (typically (C,),
    one per class along the last axis); either may be None (1).  Both are constants.
    The two softplus share log1p(exp(−|x|)), so softplus(−x) ≈ e^(−x) keeps its precision
    for large x (the loss of a confident right answer), and σ(x) = exp(−softplus(−x)).
    """

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        tail = np.log1p(np.exp(-np.abs(x)))
        sp_pos = np.maximum(x, 0) + tail  # −log(1 − σ(x))
        sp_neg = np.maximum(-x, 0) + tail  # −log σ(x)
        py = y if pos_weight is None else pos_weight * y
        losses = py * sp_neg + (1 - y) * sp_pos
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(sp_pos, sp_neg, y, weight, pos_weight)
        ctx.reduction = reduction
        return _reduce_losses(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        sp_pos, sp_neg, y, weight, pos_weight = ctx.saved_tensors
        scale = _upstream_scale(grad, ctx.reduction, sp_pos.size, sp_pos.dtype)
        if weight is not None:
            scale = scale * weight
        _, need_y, _, _, _ = ctx.needs_input_grad
        sigma = np.exp(-sp_neg)
        if pos_weight is None:
            dx = sigma - y
            dy = (sp_neg - sp_pos) * scale if need_y else None  # = −x
        else:
            py = pos_weight * y
            dx = (py + 1 - y) * sigma - py
            dy = (pos_weight * sp_neg - sp_pos) * scale if need_y else None
        return dx * scale, dy, None, None, None


_BCE_EPS = float(np.float32(1e-12))  # PyTorch's EPSILON in binary_cross_entropy_backward


class BinaryCrossEntropy(Function):
    """Binary cross-entropy on probabilities p ∈ [0, 1] with targets y, both of shape S:

    ℓ = −w·[y·max(log p, −100) + (1−y)·max(log(1−p), −100)]
    L = Σ ℓ / n over all n elements (reduction="mean"), Σ ℓ ("sum"), ℓ itself ("none")

    The clamp at −100 is PyTorch's: p = 0 or 1 gives a finite loss (100 per wrong answer).
    The gradients are PyTorch's too (its ``binary_cross_entropy_backward`` and
    ``binary_cross_entropy_target_backward``):

    dℓ/dp = w·(p − y) / max(p(1−p), 1e-12)    (finite at p = 0 or 1; not the derivative of
                                               the clamped log, which would be 0 there)
    dℓ/dy = −w·logit(p) = w·[log(1−p) − log p] (not clamped: ±inf at p = 0 or 1)

    PyTorch's ε is the float32 constant 1e-12f (9.99999996e-13): so is ours, in any dtype.

    ``weight`` w broadcasts to S and is a constant.  For logits, use
    :class:`BinaryCrossEntropyWithLogits`: σ then log loses precision that it keeps.
    """

    @staticmethod
    def forward(ctx, p, y, weight, reduction):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log1p(-p), -100)
        losses = -(y * log_p + (1 - y) * log_q)
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(p, y, weight)
        ctx.reduction = reduction
        return _reduce_losses(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        p, y, weight = ctx.saved_tensors
        scale = _upstream_scale(grad, ctx.reduction, p.size, p.dtype)
        if weight is not None:
            scale = scale * weight
        _, need_y, _, _ = ctx.needs_input_grad
        dp = (p - y) / np.maximum(p * (1 - p), _BCE_EPS) * scale
        dy = None
        if need_y:
            with np.errstate(divide="ignore"):
                dy = (np.log1p(-p) - np.log(p)) * scale
        return dp, dy, None, None


def _broadcast_weight(op, name, weight, shape, dtype):
    """``weight`` as an array of ``dtype`` that broadcasts to ``shape``; a constant."""
    if weight is None:
        return None
    if isinstance(weight, Tensor):
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{op}: {name} requires grad, but it is a constant here; pass {name}.detach()"
            )
        weight = weight.data
    w = np.asarray(weight)
    if w.dtype.kind not in "fiub":
        raise TypeError(f"{op}: {name} must hold numbers, got dtype {w.dtype}")
    try:
        ok = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        hint = f" (one per class along the last axis: ({shape[-1]},))" if shape else ""
        raise ValueError(
            f"{op}: {name} of shape {w.shape} does not broadcast to the input's shape {shape}{hint}"
        )
    if not np.isfinite(w).all() or (w < 0).any():  # a NaN or negative weight: a NaN or
        raise ValueError(f"{op}: {name} must be finite and >= 0, got {w}")  # negative loss
    return w.astype(dtype, copy=False)


def _bce_checked(op, input, target, reduction):
    _check_reduction(op, reduction)
    input, target = as_tensor(op, input), as_tensor(op, target)
    if input.shape != target.shape:
        raise ValueError(
            f"{op}: input of shape {input.shape} and target of shape {target.shape} differ; "
            "they must have the same shape (as in PyTorch)"
        )
    if input.data.dtype.kind != "f" or target.data.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected float input and target, got dtypes {input.dtype} and "
            f"{target.dtype}; use .float() (targets are probabilities, 0.0 or 1.0 for labels)"
        )
    if reduction == "mean" and input.data.size == 0:
        raise ValueError(
            f"{op}: the mean over zero elements is undefined (input of shape "
            f"{input.shape}: an empty batch?)"
        )
    return promote(input, target)  # float32 with float32 stays float32


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy of logits ``input`` against targets in [0, 1] of the same shape:
    ``binary_cross_entropy(sigmoid(input), target)`` computed stably, as in PyTorch.

    ``weight`` broadcasts to the input's shape (a weight per element, or per class);
    ``pos_weight`` scales the positive term, broadcast along the last axis: (C,) for
    input (N, C), e.g. #negatives / #positives per class for imbalanced labels.
    """
    op = "binary_cross_entropy_with_logits"
    input, target = _bce_checked(op, input, target, reduction)
    shape, dtype = input.shape, input.data.dtype
    weight = _broadcast_weight(op, "weight", weight, shape, dtype)
    pos_weight = _broadcast_weight(op, "pos_weight", pos_weight, shape, dtype)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against ``target`` of the
    same shape; each log is clamped at −100, as in PyTorch.  A value outside [0, 1] (or NaN)
    is an error: logits belong in :func:`binary_cross_entropy_with_logits`."""
    op = "binary_cross_entropy"
    input, target = _bce_checked(op, input, target, reduction)
    p = input.data
    bad = ~((p >= 0) & (p <= 1))
    if bad.any():
        i = np.unravel_index(int(np.flatnonzero(bad)[0]), p.shape)
        raise ValueError(
            f"{op}: input must hold probabilities in [0, 1], got {p[i]} at index "
            f"{tuple(int(k) for k in i)}; apply sigmoid first, or pass logits to "
            "binary_cross_entropy_with_logits"
        )
    y = target.data
    bad = ~((y >= 0) & (y <= 1))  # NaN fails both
    if bad.any():
        i = np.unravel_index(int(np.flatnonzero(bad)[0]), y.shape)
        raise ValueError(
            f"{op}: all elements of target should be between 0 and 1 (as in PyTorch), got "
            f"{y[i]} at index {tuple(int(k) for k in i)}"
        )
    weight = _broadcast_weight(op, "weight", weight, input.shape, p.dtype)
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


class BCELoss(_Loss):
    """``BCELoss()(probs, target)``: probabilities in [0, 1] (after ``nn.Sigmoid``), float
    targets of the same shape."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input, target):
        return binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``BCEWithLogitsLoss()(logits, target)``: sigmoid and binary cross-entropy in one,
    stable for any logit; float targets of the same shape."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )
