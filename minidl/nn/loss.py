"""Losses: mean squared error (§3.3 eq. 1), cross-entropy on logits (§3.1, §4), and the
negative log-likelihood of log-probabilities (cross-entropy split in two, as PyTorch offers)."""

import numpy as np

from minidl.autograd import Function, is_grad_enabled, op_error
from minidl.nn.module import Module
from minidl.ops.elementwise import as_tensor, promote
from minidl.tensor import Tensor, check_fraction, is_int

__all__ = [
    "MSE",
    "CrossEntropy",
    "mse_loss",
    "cross_entropy",
    "nll_loss",
    "MSELoss",
    "CrossEntropyLoss",
    "NLLLoss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


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
    _check_reduction("mse_loss", reduction)
    input, target = as_tensor("mse_loss", input), as_tensor("mse_loss", target)
    if input.shape != target.shape:
        raise ValueError(
            f"mse_loss: input of shape {input.shape} and target of shape {target.shape} differ; "
            "reshape one of them (e.g. pred.squeeze(-1)) so they match"
        )
    if input.data.dtype.kind != "f" and target.data.dtype.kind != "f":
        raise TypeError(
            f"mse_loss: expected float predictions, got dtypes {input.dtype} and {target.dtype} "
            "(the mean of integers would be truncated); use .float()"
        )
    if reduction == "mean" and input.data.size == 0:
        # as for mean(): a NaN loss from an empty batch is worse than an error (ops/reduce.py)
        raise ValueError(
            f"mse_loss: the mean over zero elements is undefined (input of shape "
            f"{input.shape}: an empty batch?)"
        )
    input, target = promote(input, target)  # float32 against int64 targets stays float32
    return MSE.apply(input, target, reduction)


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
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
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
            return np.asarray(losses.sum(), dtype=logits.dtype)
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
        return np.asarray(losses.sum() / denominator, dtype=logits.dtype)

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


def _target_array(target, op="cross_entropy"):
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: target must hold integer class indices (int64), got dtype {t.dtype}; "
            "use target.long() if the values are class numbers"
        )
    return t


def _check_classes(t, c, ignore_index, op="cross_entropy"):
    """Raise on a target outside [0, C) that is not ignore_index; True if a target is ignored."""
    # one reduction checks 0 <= t < C: seen as unsigned, a negative id is huge
    unsigned = (t if t.dtype == np.int64 else t.astype(np.int64)).view(np.uint64)
    if np.maximum.reduce(unsigned, initial=0) < c:
        return 0 <= ignore_index < c and bool((t == ignore_index).any())
    bad = (t != ignore_index) & ((t < 0) | (t >= c))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise IndexError(
            f"{op}: target {int(t[i])} (at position {i}) out of range for {c} classes "
            f"(expected 0 <= target < {c}, or ignore_index={ignore_index})"
        )
    return True


def cross_entropy(
    input, target, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Cross-entropy between logits ``input`` (N, C) and class indices ``target`` (N,).

    ``weight`` (C,), optional: a weight per class (for imbalanced classes); the
    mean is then Σₙ wₜₙ ℓₙ / Σₙ wₜₙ.  PyTorch's argument order: the options after
    it are keyword-only, so ``cross_entropy(x, t, -1)`` cannot be misread.
    """
    check_fraction("cross_entropy", "label_smoothing", label_smoothing)
    input, t, weight = _checked(
        "cross_entropy", "logits", input, target, weight, ignore_index, reduction
    )
    c = input.shape[1]
    masked = _check_classes(t, c, ignore_index)
    ignore = ignore_index if masked else None  # None: no target to leave out
    # the target Tensor itself, if given: backward can then tell when it was overwritten
    target = target if isinstance(target, Tensor) else t
    return CrossEntropy.apply(input, target, weight, ignore, float(label_smoothing), reduction)


def _checked(op, what, input, target, weight, ignore_index, reduction):
    """(input Tensor (N, C), target array (N,), weight array (C,) or None), checked for ``op``."""
    _check_reduction(op, reduction)
    if not is_int(ignore_index):
        raise TypeError(f"{op}: ignore_index must be an int, got {type(ignore_index).__name__}")
    input = as_tensor(op, input)
    t = _target_array(target, op)
    if input.ndim != 2 or input.data.dtype.kind != "f":
        raise ValueError(
            f"{op}: input must be float {what} of shape (N, C), "
            f"got shape {input.shape} dtype {input.dtype}"
        )
    n, c = input.shape
    if c == 0:
        raise ValueError(
            f"{op}: input of shape {input.shape} has no classes; "
            f"expected {what} of shape (N, C) with C >= 1"
        )
    if t.shape != (n,):
        raise ValueError(
            f"{op}: target of shape {t.shape} does not match input of shape "
            f"{input.shape}; expected a target of shape ({n},)"
        )
    if weight is not None:
        weight = _class_weights(weight, c, input.data.dtype, op)
    return input, t, weight


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of class targets, given log-probabilities ``input`` (N, C)::

        ℓₙ = −w_tₙ · input[n, tₙ]   (0 where tₙ = ignore_index)
        L  = Σₙ ℓₙ / Σₙ w_tₙ        (reduction="mean"; w = 1 without class weights)

    ``nll_loss(log_softmax(x, dim=1), t)`` is ``cross_entropy(x, t)``, the pairing of
    PyTorch's tutorials (``nn.LogSoftmax`` + ``nn.NLLLoss``).  Built from recorded ops
    (indexing, product, sum), so its gradient is theirs: −w_tₙ / Σ w at [n, tₙ], 0 elsewhere.
    """
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


def _class_weights(weight, c, dtype, op="cross_entropy"):
    """``weight`` as a (C,) array of ``dtype``, checked; it is a constant, as in PyTorch."""
    if isinstance(weight, Tensor):
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{op}: the class weights require grad, but they are a constant here "
                "(as in PyTorch); pass weight.detach()"
            )
        weight = weight.data
    w = np.asarray(weight)
    if w.shape != (c,) or w.dtype.kind not in "fiu":
        raise ValueError(
            f"{op}: weight must hold one number per class, shape ({c},), "
            f"got shape {w.shape} dtype {w.dtype}"
        )
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"{op}: class weights must be finite and >= 0, got {w}")
    return w.astype(dtype, copy=False)


class MSELoss(Module):
    """``MSELoss()(pred, target)``: 1/n Σ (ŷᵢ − yᵢ)² over all elements (§3.3 eq. 1)."""

    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction("MSELoss", reduction)
        self.reduction = reduction

    def forward(self, input, target):
        return mse_loss(input, target, self.reduction)

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class NLLLoss(Module):
    """``NLLLoss()(log_probs, target)``: log-probabilities (N, C) (from ``nn.LogSoftmax``),
    integer targets (N,)."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__()
        _check_reduction("NLLLoss", reduction)
        self.weight = weight
        self.ignore_index = ignore_index
        self.reduction = reduction

    def forward(self, input, target):
        return nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class CrossEntropyLoss(Module):
    """``CrossEntropyLoss()(logits, target)``: logits (N, C), integer targets (N,)."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__()
        _check_reduction("CrossEntropyLoss", reduction)
        self.weight = weight
        self.ignore_index = ignore_index
        self.reduction = reduction
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

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"
