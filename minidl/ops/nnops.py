"""Ops that neural networks are built from: softmax, log-softmax, log-sum-exp."""

import builtins

import numpy as np

from minidl._checks import check_bool
from minidl.autograd import Function, op_error
from minidl.ops.elementwise import as_float_tensor
from minidl.ops.reduce import is_empty_dims, numpy_names, reduce_dims, single_dim
from minidl.ops.shape import Reshape


def _stable_max(x, axis, keep_inf=False):
    # subtracting the max keeps exp() from overflowing (above ~88 in float32);
    # a row that is all -inf would give inf - inf = nan, so use 0 there instead;
    # initial=-inf gives an empty slice (a 0-length dim) a max too, which then becomes 0.
    # keep_inf (softmax, log_softmax): a +inf max stays, so x − inf makes the whole row NaN,
    # as PyTorch's (with 0 the row came out [nan, 0, 0], which looks half valid); logsumexp
    # replaces it by 0 and gets log Σ exp = inf, its right answer
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    usable = m != -np.inf if keep_inf else np.isfinite(m)
    return np.where(usable, m, 0).astype(x.dtype, copy=False)


def _log_sum(e, axis):
    # an empty slice sums to 0 and log 0 = -inf is its right answer (log Σ over nothing)
    with np.errstate(divide="ignore"):
        return np.log(e.sum(axis=axis, keepdims=True))


class Softmax(Function):
    """yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along dim;  dx = y ⊙ (dy − Σ dy ⊙ y)"""

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(x - _stable_max(x, dim, keep_inf=True))
        y = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(axis=ctx.dim, keepdims=True)), None


class LogSoftmax(Function):
    """yᵢ = xᵢ − log Σⱼ exp(xⱼ) along dim;  dx = dy − softmax(x) · Σ dy"""

    @staticmethod
    def forward(ctx, x, dim):
        shifted = x - _stable_max(x, dim, keep_inf=True)
        y = shifted - _log_sum(np.exp(shifted), dim)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - np.exp(y) * grad.sum(axis=ctx.dim, keepdims=True), None


class LogSumExp(Function):
    """y = log Σ exp(x) over dims;  dx = exp(x − y) = softmax(x)"""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        m = _stable_max(x, dims)
        y = m + _log_sum(np.exp(x - m), dims)
        ctx.save_for_backward(x, y)
        ctx.keepdim = keepdim
        ctx.dims = dims
        return y if keepdim else y.reshape([n for i, n in enumerate(x.shape) if i not in dims])

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        if not ctx.keepdim:
            grad = grad.reshape(y.shape)
        return grad * np.exp(x - y), None, None


def _softmax_dim(op, x, dim):
    """``dim``, or without one the last dim for a 1-d or 2-d tensor, where it is what
    PyTorch's ``F.softmax(x)`` picks.  For 3 dims and more PyTorch's (deprecated) choice
    is not the last dim (dim 0 for 3-d), so minidl asks rather than differ silently."""
    if dim is None:
        if x.ndim >= 3:
            raise ValueError(
                f"{op}: pass dim for a tensor of {x.ndim} dims (shape {x.shape}), e.g. "
                f"dim=-1 for the last one; PyTorch's deprecated choice without dim is dim "
                f"{0 if x.ndim == 3 else 1} there, not the last"
            )
        dim = -1
    # a 0-d tensor is one element along dim 0 (or -1), as PyTorch reads it
    return single_dim(op, dim, builtins.max(x.ndim, 1))


def _along(fn, x, dim):
    """``fn.apply(x, dim)``; a 0-d x runs as a row of one element and comes back 0-d."""
    if x.ndim:
        return fn.apply(x, dim)
    return Reshape.apply(fn.apply(Reshape.apply(x, (1,)), 0), ())


def softmax(x, dim=None):
    """exp(x) / Σ exp(x) along ``dim`` (integers give the default float dtype)."""
    x = as_float_tensor("softmax", x)
    return _along(Softmax, x, _softmax_dim("softmax", x, dim))


def log_softmax(x, dim=None):
    """log(softmax(x)) along ``dim``, computed without overflow."""
    x = as_float_tensor("log_softmax", x)
    return _along(LogSoftmax, x, _softmax_dim("log_softmax", x, dim))


def logsumexp(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """log Σ exp(x) over ``dim`` (all axes when None), computed without overflow;
    over a 0-length dim it is log 0 = −inf."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("logsumexp", dim, keepdim, axis, keepdims)
    x = as_float_tensor("logsumexp", x)
    keepdim = check_bool("logsumexp", "keepdim", keepdim)
    if is_empty_dims(dim):
        # sum(x, ()) reduces every axis, but PyTorch rejects logsumexp(x, ()): don't guess
        raise op_error(
            ValueError,
            f"logsumexp: dim=() given for a tensor of shape {x.shape}; "
            "expected an int or a non-empty tuple of dims, or None for all of them",
        )
    return LogSumExp.apply(x, reduce_dims("logsumexp", dim, x.ndim), keepdim)
