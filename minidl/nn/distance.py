"""``F.normalize`` and ``F.cosine_similarity``, as PyTorch's, from recorded ops."""

import numpy as np

from minidl import ops
from minidl.ops.elementwise import as_tensor
from minidl.tensor import is_real

__all__ = ["normalize", "cosine_similarity"]


def _eps(op, eps):
    if not is_real(eps) or not eps >= 0:
        raise ValueError(f"{op}: eps must be a number >= 0, got {eps!r}")
    return float(eps)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """v / max(‖v‖_p, ε) for every vector v along ``dim`` (unit length, unless ‖v‖ < ε)."""
    x = as_tensor("normalize", input)
    norm = x.norm(p, dim=dim, keepdim=True)
    return x / ops.clamp(norm, min=_eps("normalize", eps))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """x₁·x₂ / (max(‖x₁‖, ε) · max(‖x₂‖, ε)) along ``dim`` (x₁, x₂ broadcast together)."""
    op = "cosine_similarity"
    a, b = as_tensor(op, x1), as_tensor(op, x2)
    eps = _eps(op, eps)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{op}: x1 {a.shape} and x2 {b.shape} do not broadcast to a common shape"
        ) from None
    # each norm over the common shape: a size-1 dim of x2 along dim stands for the
    # broadcast vector, not for a vector of one element (recorded, so gradients sum back)
    a, b = ops.broadcast_to(a, shape), ops.broadcast_to(b, shape)
    na = ops.clamp(a.norm(2, dim=dim), min=eps)
    nb = ops.clamp(b.norm(2, dim=dim), min=eps)
    return (a * b).sum(dim=dim) / (na * nb)
