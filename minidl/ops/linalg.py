"""Matrix product: 1-D, 2-D, batched, with broadcast batch dimensions (as ``np.matmul``)."""

import numpy as np

from minidl.autograd import Function, op_error
from minidl.ops.elementwise import as_tensor, operand, promote
from minidl.tensor import Tensor, as_array


class MatMul(Function):
    """C = A @ B;  dA = dC @ Bᵀ,  dB = Aᵀ @ dC  (Bᵀ, Aᵀ swap the last two axes)

    A 1-D A is a row vector (1, k) and a 1-D B a column vector (k, 1), the
    added axis removed from C; backward puts it back, then removes it again.
    The engine sums the gradient over broadcast batch dimensions.
    """

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise op_error(
                ValueError, f"matmul: {a.shape} @ {b.shape}: both operands need at least 1 dim"
            )
        k_a, k_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
        if k_a != k_b:
            raise op_error(
                ValueError,
                f"matmul: {a.shape} @ {b.shape}: inner dimensions {k_a} and {k_b} differ",
            )
        try:
            c = a @ b
        except ValueError:
            raise op_error(
                ValueError, f"matmul: {a.shape} @ {b.shape}: batch dimensions do not broadcast"
            ) from None
        need_a, need_b = ctx.needs_input_grad
        # only what backward reads (dA reads B, dB reads A), as PyTorch: the other operand
        # may then be written in place before backward
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.ndims = a.ndim, b.ndim
        return c

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        a_ndim, b_ndim = ctx.ndims
        # a broadcast (zero-stride) gradient would make NumPy skip BLAS
        g = np.ascontiguousarray(grad)
        if a_ndim == 1:
            g = np.expand_dims(g, -2)
        if b_ndim == 1:
            g = g[..., None]
        ga = gb = None
        if need_a:
            b2 = b[:, None] if b_ndim == 1 else b
            ga = g @ np.swapaxes(b2, -1, -2)
            if a_ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + (ga.shape[-1],))
        if need_b:
            a2 = a[None, :] if a_ndim == 1 else a
            gb = np.swapaxes(a2, -1, -2) @ g
            if b_ndim == 1:
                gb = gb[..., 0]
        return ga, gb


def matmul(a, b):
    """a @ b (see ``np.matmul`` for the 1-D and batched cases).

    Mixed dtypes promote as PyTorch's elementwise ops do (``promote``):
    int64 @ float32 → float32, where NumPy gives float64 (PyTorch itself raises).
    """
    a, b = operand("matmul", a), operand("matmul", b)
    if not isinstance(a, Tensor):
        a = Tensor._make(as_array(a, op="matmul"))
    if not isinstance(b, Tensor):
        b = Tensor._make(as_array(b, op="matmul"))
    # differentiable casts, so each gradient comes back in its operand's dtype
    a, b = promote(a, b)
    return MatMul.apply(a, b)


# PyTorch's strict forms of matmul: one shape each, no broadcasting, the same MatMul backward;
# mixed dtypes promote as in matmul (PyTorch's mm/bmm/dot raise on them)


def mm(a, b):
    """a @ b for matrices only, as ``torch.mm``: (n, k) @ (k, m) → (n, m)."""
    a, b = as_tensor("mm", a), as_tensor("mm", b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(
            f"mm: expected two 2-D matrices (n, k) and (k, m), got shapes {a.shape} and "
            f"{b.shape}; use matmul for vectors or batches"
        )
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"mm: {a.shape} @ {b.shape}: inner dimensions {a.shape[1]} and {b.shape[0]} "
            "differ; expected (n, k) @ (k, m)"
        )
    return MatMul.apply(*promote(a, b))


def bmm(a, b):
    """Batched matrix product, as ``torch.bmm``: (B, n, k) @ (B, k, m) → (B, n, m),
    the same B on both sides (no broadcasting)."""
    a, b = as_tensor("bmm", a), as_tensor("bmm", b)
    if a.ndim != 3 or b.ndim != 3:
        raise ValueError(
            f"bmm: expected two 3-D batches of matrices (B, n, k) and (B, k, m), got shapes "
            f"{a.shape} and {b.shape}; use matmul for other shapes"
        )
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"bmm: {a.shape} @ {b.shape}: batch sizes {a.shape[0]} and {b.shape[0]} differ; "
            "bmm does not broadcast (matmul does)"
        )
    if a.shape[2] != b.shape[1]:
        raise ValueError(
            f"bmm: {a.shape} @ {b.shape}: inner dimensions {a.shape[2]} and {b.shape[1]} "
            "differ; expected (B, n, k) @ (B, k, m)"
        )
    return MatMul.apply(*promote(a, b))


def dot(a, b):
    """Inner product of two vectors, as ``torch.dot``: (k,) · (k,) → () = Σᵢ aᵢ bᵢ."""
    a, b = as_tensor("dot", a), as_tensor("dot", b)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(
            f"dot: expected two 1-D vectors, got shapes {a.shape} and {b.shape}; "
            "use matmul (or mm) for matrices"
        )
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"dot: vectors of lengths {a.shape[0]} and {b.shape[0]} differ; "
            "expected two vectors of the same length"
        )
    return MatMul.apply(*promote(a, b))
