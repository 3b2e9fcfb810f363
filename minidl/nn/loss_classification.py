"""Classification losses: softmax cross-entropy on logits (§3.1, §4), with class-index
targets (``CrossEntropy``) or class probabilities (``SoftCrossEntropy``), and the negative
log-likelihood of log-probabilities (cross-entropy split in two, as PyTorch offers)."""

import numpy as np

from minidl.autograd import Function, op_error
from minidl.nn.loss_base import _check_reduction, _Loss
from minidl.nn.loss_class_targets import (
    _check_classes,
    _checked,
    _class_weights,
    _classes_last,
)
from minidl.ops.elementwise import as_tensor, promote
from minidl.tensor import Tensor, check_fraction


class CrossEntropy(Function):
    """Softmax cross-entropy on logits x: (N, C) with class targets t: (N,).

    log pₙ = xₙ − log Σ_c exp(xₙc)                       (log-sum-exp, shifted by the max)
    qₙ     = (1 − ε) onehot(tₙ) + ε / C                  (label smoothing ε)
    ℓₙ     = −Σ_c qₙc w_c log pₙc,   ℓₙ = 0 where tₙ = ignore_index  (None: ignore nothing)
    L      = Σₙ ℓₙ / Σₙ w_tₙ   over the targets not ignored          (reduction="mean")
    dℓₙ/dxₙ = sₙ softmax(xₙ) − qₙ ⊙ w,   sₙ = Σ_c qₙc w_c

    Class weights w (C,) default to 1: then sₙ = 1 and the mean divides by the
    number of targets, as in PyTorch (whose weighted mean is the same formula).
    """

    @staticmethod
    def forward(ctx, logits, target, weight, ignore_index, label_smoothing, reduction):
        n, c = logits.shape
        keep = None if ignore_index is None else target != ignore_index
        if keep is None or keep.all():
            keep, safe = None, target  # the common case: no mask needed
        else:
            safe = np.where(keep, target, 0)
        # ufunc.reduce is x.max / x.sum without their Python wrappers (~1,000 instructions
        # each): the loss runs every training step
        shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
        e = np.exp(shifted)
        total = np.add.reduce(e, axis=1, keepdims=True)
        log_total = np.log(total[:, 0])
        eps = label_smoothing
        rows = np.arange(n)
        # −log pₙ,tₙ = log Σ_c exp − shiftedₙ,tₙ: the (N, C) array of log p is never built
        losses = log_total - shifted[rows, safe]
        if weight is None:
            if eps:  # Σ_c log pₙc = Σ_c shiftedₙc − C log Σ_c exp
                losses = (1 - eps) * losses - (eps / c) * (shifted.sum(axis=1) - c * log_total)
            per_target = None
        else:
            per_target = weight[safe]  # w_tₙ
            losses *= per_target
            if eps:  # Σ_c w_c log pₙc
                logp_w = shifted @ weight - log_total * weight.sum()
                losses = (1 - eps) * losses - (eps / c) * logp_w
        if keep is not None:
            losses[~keep] = 0
        # the mean's denominator: Σₙ w_tₙ (the number of targets without weights)
        if per_target is None:
            denominator = n if keep is None else int(keep.sum())
        else:
            denominator = float((per_target if keep is None else per_target[keep]).sum())
        ctx.save_for_backward(e, total, rows, safe, keep, weight)
        ctx.eps, ctx.reduction, ctx.denominator = eps, reduction, denominator
        if reduction == "none":
            return losses
        if reduction == "sum":
            return np.asarray(np.add.reduce(losses), dtype=logits.dtype)
        if denominator == 0:
            if n == 0:
                why = "an empty batch"
            elif keep is not None and not keep.any():
                why = f"every target equals ignore_index={ignore_index}"
            else:
                why = "the class weights of the targets sum to 0"
            raise op_error(
                ValueError, f"cross_entropy: the mean over zero targets is undefined ({why})"
            )
        return np.asarray(np.add.reduce(losses) / denominator, dtype=logits.dtype)

    @staticmethod
    def backward(ctx, grad):
        e, total, rows, safe, keep, weight = ctx.saved_tensors
        c = e.shape[1]
        eps = ctx.eps
        d = e / total  # softmax
        if weight is None:
            d[rows, safe] -= 1 - eps
            if eps:
                d -= eps / c
        else:
            per_target = weight[safe]
            d *= ((1 - eps) * per_target + (eps / c) * weight.sum())[:, None]  # sₙ
            d[rows, safe] -= (1 - eps) * per_target
            if eps:
                d -= (eps / c) * weight
        if ctx.reduction == "none":
            d *= grad[:, None]
        else:
            d *= grad / ctx.denominator if ctx.reduction == "mean" else grad
        if keep is not None:
            d[~keep] = 0
        return d, None, None, None, None, None


class SoftCrossEntropy(Function):
    """Softmax cross-entropy on logits x: (N, C) with class probabilities t: (N, C).

    log pₙ = xₙ − log Σ_c exp(xₙc)                       (log-sum-exp, shifted by the max)
    qₙ     = (1 − ε) tₙ + ε / C                          (label smoothing ε)
    ℓₙ     = −Σ_c w_c qₙc log pₙc
    L      = Σₙ ℓₙ / N      (reduction="mean": N, not Σ weights, as in PyTorch)
    dℓₙ/dxₙ = sₙ softmax(xₙ) − w ⊙ qₙ,   sₙ = Σ_c w_c qₙc
    dℓₙ/dtₙ = −(1 − ε) w ⊙ log pₙ

    Class weights w (C,) default to 1 and are a constant.  sₙ is computed, not taken
    as 1: a row of t need not sum to 1 (PyTorch does not check, nor do we).
    """

    @staticmethod
    def forward(ctx, logits, target, weight, label_smoothing, reduction):
        n, c = logits.shape
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        eps = label_smoothing
        q = (1 - eps) * target + eps / c if eps else target
        wq = q if weight is None else q * weight
        losses = -(wq * log_p).sum(axis=1)
        ctx.save_for_backward(log_p, wq, weight)
        ctx.eps, ctx.reduction = eps, reduction
        if reduction == "none":
            return losses
        if reduction == "sum":
            return np.asarray(losses.sum(), dtype=logits.dtype)
        if n == 0:
            raise op_error(
                ValueError,
                "cross_entropy: the mean over zero targets is undefined (an empty batch)",
            )
        return np.asarray(losses.sum() / n, dtype=logits.dtype)

    @staticmethod
    def backward(ctx, grad):
        log_p, wq, weight = ctx.saved_tensors
        need_x, need_t, _, _, _ = ctx.needs_input_grad
        if ctx.reduction == "none":
            scale = grad[:, None]
        else:
            scale = grad / log_p.shape[0] if ctx.reduction == "mean" else grad
        dx = dt = None
        if need_x:
            dx = np.exp(log_p)  # softmax
            dx *= wq.sum(axis=1, keepdims=True)  # sₙ
            dx -= wq
            dx *= scale
        if need_t:
            dt = log_p * (-(1 - ctx.eps) * scale)
            if weight is not None:
                dt *= weight
        return dx, dt, None, None, None


def cross_entropy(
    input, target, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Cross-entropy between logits ``input`` (N, C) and class indices ``target`` (N,).

    As in PyTorch, ``input`` may also be (N, C, d₁, …) with ``target`` (N, d₁, …), e.g.
    a tagger's (N, C, T) against (N, T): the loss of every position, the mean over all.
    ``weight`` (C,), optional: a weight per class (for imbalanced classes); the
    mean is then Σₙ wₜₙ ℓₙ / Σₙ wₜₙ.  PyTorch's argument order: the options after
    it are keyword-only, so ``cross_entropy(x, t, -1)`` cannot be misread.

    A float ``target`` of the input's shape holds class probabilities (soft labels,
    PyTorch ≥ 1.10): ℓₙ = −Σ_c w_c qₙc log softmax(xₙ)_c, qₙ = (1 − ε) tₙ + ε / C, and
    the mean is Σₙ ℓₙ / N whatever the weights (:class:`SoftCrossEntropy`).  Its rows
    are not checked to be probabilities (neither are they in PyTorch); ``ignore_index``
    does not apply to them (PyTorch raises if it is set, and so do we).

    With ``reduction="mean"`` and every target ignored (a batch of padding only), the
    mean 0/0 is an error here; PyTorch returns NaN, whose gradient would then turn every
    weight NaN.  Leave such batches out, or use ``reduction="sum"``.
    """
    # one dtype test: the class-index path below stays as it was (a benchmarked hot path)
    if (target.data if isinstance(target, Tensor) else np.asarray(target)).dtype.kind == "f":
        return _soft_cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)
    spatial = _classes_last("cross_entropy", input, target)
    if spatial is not None:
        flat, flat_target, shape = spatial
        out = cross_entropy(
            flat,
            flat_target,
            weight,
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=label_smoothing,
        )
        return out.reshape(shape) if reduction == "none" else out
    check_fraction("cross_entropy", "label_smoothing", label_smoothing)
    input, t, weight = _checked(
        "cross_entropy", "logits", input, target, weight, ignore_index, reduction
    )
    c = input.data.shape[1]
    masked = _check_classes(t, c, ignore_index)
    ignore = ignore_index if masked else None  # None: no target to leave out
    # the target Tensor itself, if given: backward can then tell when it was overwritten
    target = target if isinstance(target, Tensor) else t
    return CrossEntropy.apply(input, target, weight, ignore, float(label_smoothing), reduction)


def _soft_cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing):
    """``cross_entropy`` with class probabilities ``target`` of the input's shape,
    (N, C) or (N, C, d₁, …); the latter as (N·d₁⋯, C) rows, by recorded ops."""
    op = "cross_entropy"
    _check_reduction(op, reduction)
    check_fraction(op, "label_smoothing", label_smoothing)
    if ignore_index != -100:
        raise ValueError(
            f"{op}: ignore_index={ignore_index!r} does not apply to a float target (class "
            "probabilities), only to class indices; leave it at its default -100"
        )
    input, target = as_tensor(op, input), as_tensor(op, target)
    if input.ndim == 1 and target.shape == input.shape:  # unbatched, as PyTorch: one row
        out = _soft_cross_entropy(
            input.reshape(1, -1),
            target.reshape(1, -1),
            weight,
            ignore_index,
            reduction,
            label_smoothing,
        )
        return out.reshape(()) if reduction == "none" else out
    if input.ndim < 2 or input.data.dtype.kind != "f":
        raise ValueError(
            f"{op}: input must be float logits of shape (N, C) or (N, C, d₁, …), "
            f"got shape {input.shape} dtype {input.dtype}"
        )
    n, c, rest = input.shape[0], input.shape[1], input.shape[2:]
    if target.shape != input.shape:
        if target.ndim == input.ndim - 1:  # the shape of class indices, in a float dtype
            raise TypeError(
                f"{op}: target of shape {target.shape} must hold integer class indices "
                f"(int64), got dtype {target.dtype}; use target.long() if the values are "
                f"class numbers (class probabilities would have the input's shape {input.shape})"
            )
        raise ValueError(
            f"{op}: float target of shape {target.shape} does not match input of shape "
            f"{input.shape}; class probabilities must have the input's shape"
        )
    if c == 0:
        raise ValueError(
            f"{op}: input of shape {input.shape} has no classes; "
            "expected logits of shape (N, C) with C >= 1"
        )
    input, target = promote(input, target)  # as PyTorch: float32 with float64 is float64
    if weight is not None:
        weight = _class_weights(weight, c, input.data.dtype, op)
    if rest:
        order = (0, *range(2, input.ndim), 1)
        input = input.permute(*order).reshape(-1, c)
        target = target.permute(*order).reshape(-1, c)
    out = SoftCrossEntropy.apply(input, target, weight, float(label_smoothing), reduction)
    return out.reshape(n, *rest) if rest and reduction == "none" else out


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of class targets, given log-probabilities ``input`` (N, C)::

        ℓₙ = −w_tₙ · input[n, tₙ]   (0 where tₙ = ignore_index)
        L  = Σₙ ℓₙ / Σₙ w_tₙ        (reduction="mean"; w = 1 without class weights)

    ``nll_loss(log_softmax(x, dim=1), t)`` is ``cross_entropy(x, t)``, the pairing of
    PyTorch's tutorials (``nn.LogSoftmax`` + ``nn.NLLLoss``).  Built from recorded ops
    (indexing, product, sum), so its gradient is theirs: −w_tₙ / Σ w at [n, tₙ], 0 elsewhere.
    """
    spatial = _classes_last("nll_loss", input, target)
    if spatial is not None:
        flat, flat_target, shape = spatial
        out = nll_loss(flat, flat_target, weight, ignore_index=ignore_index, reduction=reduction)
        return out.reshape(shape) if reduction == "none" else out
    input, t, weight = _checked(
        "nll_loss", "log-probabilities", input, target, weight, ignore_index, reduction
    )
    n, c = input.shape
    keep = t != ignore_index if _check_classes(t, c, ignore_index, "nll_loss") else None
    safe = t if keep is None else np.where(keep, t, 0)
    dtype = input.data.dtype
    w = np.ones(n, dtype) if weight is None else weight[safe]  # w_tₙ
    if keep is not None:
        w = w * keep
    losses = -(input[np.arange(n), safe] * Tensor._make(w.astype(dtype, copy=False)))
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    denominator = float(w.sum())
    if denominator == 0:
        raise ValueError(
            "nll_loss: the mean over zero targets is undefined (an empty batch, every target "
            "ignored, or class weights of the targets summing to 0)"
        )
    return losses.sum() / denominator


class NLLLoss(_Loss):
    """``NLLLoss()(log_probs, target)``: log-probabilities (N, C) (from ``nn.LogSoftmax``),
    integer targets (N,)."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_Loss):
    """``CrossEntropyLoss()(logits, target)``: logits (N, C), integer targets (N,)
    or float class probabilities (N, C)."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )
