"""``F.pad``: add values around a tensor's last dims, as PyTorch's ``torch.nn.functional.pad``."""

import numpy as np

from minidl import ops
from minidl.ops.elementwise import as_tensor
from minidl.tensor import Tensor, is_int, is_real

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right)`` for the last dim, then
    ``(left, right)`` for the one before it, and so on (PyTorch's order).  A negative
    amount crops.  Modes, for a dim holding a b c d padded by 2 on each side:

        constant   v v a b c d v v      (v = ``value``, 0 by default)
        reflect    c b a b c d c b      (mirrored without repeating the edge)
        replicate  a a a b c d d d
        circular   c d a b c d a b

    Built from recorded ops (concatenation and indexing), so gradients flow back to
    ``input``: a padded copy of an element passes its gradient to that element.
    """
    op = "pad"
    x = as_tensor(op, input)
    amounts = tuple(pad) if isinstance(pad, (tuple, list)) else None
    if amounts is None or len(amounts) % 2 or not all(is_int(a) for a in amounts):
        raise ValueError(
            f"{op}: pad must be a tuple of ints (left, right, ...) of even length, got {pad!r}"
        )
    if len(amounts) // 2 > x.ndim:
        raise ValueError(
            f"{op}: pad {amounts} names {len(amounts) // 2} dims, the input has {x.ndim}"
        )
    if mode not in _MODES:
        raise ValueError(f"{op}: mode must be one of {', '.join(_MODES)}; got {mode!r}")
    if value is not None and mode != "constant":
        raise ValueError(f"{op}: value is only for mode='constant', got mode={mode!r}")
    if value is not None and not is_real(value):
        raise TypeError(f"{op}: value must be a number, got {value!r}")
    for k in range(len(amounts) // 2):
        dim = x.ndim - 1 - k
        left, right = int(amounts[2 * k]), int(amounts[2 * k + 1])
        x = _pad_dim(op, x, dim, left, right, mode, 0.0 if value is None else value)
    if not any(a > 0 for a in amounts):
        # nothing added, so x is the input or a crop of it (a view): PyTorch's pad returns a
        # new tensor in its own memory whatever the amounts, so a write into the result, or
        # detach_() on it, never reaches the input
        x = ops.clone(x)
    return x


def _pad_dim(op, x, dim, left, right, mode, value):
    n = x.shape[dim]
    if n + min(left, 0) + min(right, 0) < 0:
        # a crop to exactly 0 is allowed, as in torch's constant mode; past it, no shape
        raise ValueError(
            f"{op}: pad ({left}, {right}) crops {-min(left, 0) - min(right, 0)} elements from "
            f"dim {dim} of size {n} (shape {x.shape}); expected a crop of at most {n}"
        )
    if left < 0 or right < 0:  # crop first (a negative amount), then pad what is positive
        x = x[(slice(None),) * dim + (slice(max(-left, 0), n - max(-right, 0)),)]
        n, left, right = x.shape[dim], max(left, 0), max(right, 0)
    if left == 0 and right == 0:
        return x
    if mode == "constant":
        parts = []
        for count in (left, right):
            shape = list(x.shape)
            shape[dim] = count
            parts.append(Tensor._make(np.full(shape, value, dtype=x.dtype)))
        return ops.cat([parts[0], x, parts[1]], dim=dim)
    if (
        n == 0
        or (mode == "reflect" and max(left, right) >= n)
        or (mode == "circular" and max(left, right) > n)
    ):
        limit = "smaller than" if mode == "reflect" else "at most"
        raise ValueError(
            f"{op}: {mode} padding of ({left}, {right}) needs each amount {limit} the dim's "
            f"size {n} (dim {dim} of shape {x.shape})"
        )
    i = np.arange(-left, n + right)
    if mode == "replicate":
        index = np.clip(i, 0, n - 1)
    elif mode == "reflect":
        index = np.abs(i)
        index = np.where(index > n - 1, 2 * (n - 1) - index, index)
    else:  # circular
        index = i % n
    return x[(slice(None),) * dim + (Tensor._make(index),)]
