"""Losses: mean squared error (§3.3 eq. 1) and its robust kin (L1, smooth L1, Huber),
cross-entropy on logits (§3.1, §4), and the negative log-likelihood of log-probabilities
(cross-entropy split in two, as PyTorch offers)."""

import numpy as np

from minidl.autograd import Function, is_grad_enabled, op_error
from minidl.nn.module import Module
from minidl.ops.elementwise import as_tensor, promote
from minidl.tensor import Tensor, check_fraction, is_int, is_real

__all__ = [
    "MSE",
    "L1",
    "Huber",
    "CrossEntropy",
    "SoftCrossEntropy",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "BCELoss",
    "BCEWithLogitsLoss",
]

_REDUCTIONS = ("mean", "sum", "none")
_INT64, _UINT64 = np.dtype(np.int64), np.dtype(np.uint64)


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


def _target_array(target, op="cross_entropy"):
    # a NumPy target is copied: backward reads it, and a batch array refilled before
    # backward would silently change the gradient (a Tensor's writes are caught instead)
    t = target.data if isinstance(target, Tensor) else np.array(target)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: target must hold integer class indices (int64), got dtype {t.dtype}; "
            "use target.long() if the values are class numbers"
        )
    return t


def _check_classes(t, c, ignore_index, op="cross_entropy"):
    """Raise on a target outside [0, C) that is not ignore_index; True if a target is ignored."""
    # one reduction checks 0 <= t < C: seen as unsigned, a negative id is huge
    # (dtype objects made once: converting np.int64 on every call costs ~1,000 instructions)
    unsigned = (t if t.dtype is _INT64 else t.astype(_INT64)).view(_UINT64)
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


def _classes_last(op, input, target):
    """PyTorch's (N, C, d₁, …) input with (N, d₁, …) targets as (N·d₁⋯, C) and (N·d₁⋯,),
    and its unbatched (C,) input with a 0-d target as (1, C) and (1,), by recorded ops
    (the gradient flows back); None for an input of 2 dims (or 0: an error later)."""
    input = as_tensor(op, input)
    nd = input.data.ndim  # the array's, not the Tensor property: this runs every step
    if nd == 2 or nd == 0:
        return None
    if nd == 1:
        t = _target_array(target, op)
        if t.shape != ():
            raise ValueError(
                f"{op}: an unbatched input of shape {input.shape} takes one class index "
                f"(a 0-d target), got a target of shape {t.shape}"
            )
        one = target.reshape(1) if isinstance(target, Tensor) else t.reshape(1)
        return input.reshape(1, -1), one, ()
    t = _target_array(target, op)
    n, c, rest = input.shape[0], input.shape[1], input.shape[2:]
    if t.shape != (n, *rest):
        raise ValueError(
            f"{op}: target of shape {t.shape} does not match input of shape {input.shape}; "
            f"expected {(n, *rest)}, the input's shape without its class dim 1"
        )
    flat = input.permute(0, *range(2, input.ndim), 1).reshape(-1, c)
    flat_target = target.reshape(-1) if isinstance(target, Tensor) else t.reshape(-1)
    return flat, flat_target, (n, *rest)


def _checked(op, what, input, target, weight, ignore_index, reduction):
    """(input Tensor (N, C), target array (N,), weight array (C,) or None), checked for ``op``."""
    _check_reduction(op, reduction)
    if not is_int(ignore_index):
        raise TypeError(f"{op}: ignore_index must be an int, got {type(ignore_index).__name__}")
    input = as_tensor(op, input)
    t = _target_array(target, op)
    x = input.data  # the array's shape, not the Tensor property: this runs every step
    if x.ndim != 2 or x.dtype.kind != "f":
        raise ValueError(
            f"{op}: input must be float {what} of shape (N, C), "
            f"got shape {input.shape} dtype {input.dtype}"
        )
    n, c = x.shape
    if c == 0:
        raise ValueError(
            f"{op}: input of shape {input.shape} has no classes; "
            f"expected {what} of shape (N, C) with C >= 1"
        )
    if t.shape != (n,):
        # neutral about which is wrong: often the input is (an LSTM's output read with time
        # and batch swapped), not the labels
        has = f"batch size {t.shape[0]}" if t.ndim == 1 else f"{t.ndim} dims"
        raise ValueError(
            f"{op}: input of shape {input.shape} has batch size {n} but target of shape "
            f"{t.shape} has {has}; expected input (N, C) and target (N,) with the same N"
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


class _Loss(Module):
    """A loss module: checks and keeps ``reduction`` ("mean", "sum" or "none")."""

    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


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


# ---------------------------------------------------------------------------------------
# Binary cross-entropy: on probabilities (BCELoss) and on logits (BCEWithLogitsLoss)


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
