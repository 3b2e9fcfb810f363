"""The checks of class-index targets shared by ``cross_entropy`` and ``nll_loss``: the
target array, its range [0, C) with ``ignore_index``, the (N, C) input against the (N,)
target, PyTorch's (N, C, d₁, …) and unbatched (C,) layouts, and class weights (C,)."""

import numpy as np

from minidl.autograd import is_grad_enabled
from minidl.nn.loss_base import _check_reduction
from minidl.ops.elementwise import as_tensor
from minidl.tensor import Tensor, is_int

_INT64, _UINT64 = np.dtype(np.int64), np.dtype(np.uint64)


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
