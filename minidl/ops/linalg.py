"""Matrix products: the matrix product (1-D, 2-D, batched, with broadcast batch dimensions,
as ``np.matmul``) and its strict forms mm, bmm, dot, mv; outer, inner, tensordot,
addmm/baddbmm, cross and kron.  ``einsum``, the general sum of products they are all
special cases of, is in ``einsum.py``.
"""

import warnings

import numpy as np

from minidl._checks import is_int, is_real
from minidl.autograd import Function, op_error
from minidl.convert import as_array
from minidl.ops.elementwise import as_tensor, mul, operand, promote
from minidl.ops.reduce import single_dim
from minidl.ops.shape import _common_dtype, reshape
from minidl.tensor import Tensor

# ----- the matrix product: matmul, and its strict forms mm, bmm, dot ----------------------


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


# ----- more products: outer, inner, tensordot, mv, addmm/baddbmm, cross, kron ----------
# Mixed dtypes promote here too (``_common_dtype``), where PyTorch raises.


def _contiguous(a):
    """``a`` in C order: a broadcast (zero-stride) gradient would make NumPy skip BLAS.
    (``np.ascontiguousarray`` would turn a 0-d gradient into shape (1,).)"""
    return a if a.flags.c_contiguous else a.copy()


class Outer(Function):
    """Z = a bᵀ: Zᵢⱼ = aᵢ bⱼ, (n,) ⊗ (m,) → (n, m);  da = dZ b,  db = dZᵀ a"""

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return np.multiply.outer(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        g = _contiguous(grad)
        return (g @ b if need_a else None), (g.T @ a if need_b else None)


class Tensordot(Function):
    """C[f_a, f_b] = Σ_k A[f_a, k] B[k, f_b]  (f_a, f_b: the free axes of A and B; k: the
    axes ``dims_a`` of A paired with the axes ``dims_b`` of B);
    dA[f_a, k] = Σ_{f_b} dC[f_a, f_b] B[k, f_b],  dB[k, f_b] = Σ_{f_a} A[f_a, k] dC[f_a, f_b]"""

    @staticmethod
    def forward(ctx, a, b, dims_a, dims_b):
        need_a, need_b = ctx.needs_input_grad[:2]
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.dims = dims_a, dims_b
        ctx.free = (
            [i for i in range(a.ndim) if i not in dims_a],
            [i for i in range(b.ndim) if i not in dims_b],
        )
        return np.tensordot(a, b, axes=(dims_a, dims_b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        (dims_a, dims_b), (free_a, free_b) = ctx.dims, ctx.free
        g = _contiguous(grad)
        n = len(free_a)  # dC's axes: A's free axes, then B's
        ga = gb = None
        # np.tensordot leaves the uncontracted axes in their own ascending order: B's paired
        # axes come out sorted, each standing for its partner in A (and the other way round)
        if need_a:
            ga = np.tensordot(g, b, axes=(list(range(n, g.ndim)), free_b))
            order = free_a + [dims_a[dims_b.index(d)] for d in sorted(dims_b)]
            ga = ga.transpose(np.argsort(order))
        if need_b:
            gb = np.tensordot(a, g, axes=(free_a, list(range(n))))
            order = [dims_b[dims_a.index(d)] for d in sorted(dims_a)] + free_b
            gb = gb.transpose(np.argsort(order))
        return ga, gb, None, None


class AddMatMul(Function):
    """out = β·input + α·(A @ B), A @ B of (n, k) @ (k, m) or batched (b, n, k) @ (b, k, m);
    d input = β·dout (summed back to input's shape),  dA = α·dout Bᵀ,  dB = α·Aᵀ dout.
    With β = 0 input is not read, and (for addmm, 2-D) with α = 0 neither is A @ B (a NaN
    or inf there does not spread), as in PyTorch, whose baddbmm reads both."""

    @staticmethod
    def forward(ctx, input, a, b, beta, alpha):
        need_a, need_b = ctx.needs_input_grad[1:3]
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.beta, ctx.alpha = beta, alpha
        skip = alpha == 0 and a.ndim == 2
        if skip:
            out = np.zeros(a.shape[:-1] + b.shape[-1:], np.result_type(a, b))
        else:
            out = a @ b
        if alpha != 1 and not skip:
            out *= alpha
        if beta != 0:
            out += input if beta == 1 else beta * input
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_input, need_a, need_b = ctx.needs_input_grad[:3]
        beta, alpha = ctx.beta, ctx.alpha
        g = _contiguous(grad)
        if alpha != 1:
            g = alpha * g
        gi = beta * grad if need_input else None
        ga = g @ np.swapaxes(b, -1, -2) if need_a else None
        gb = np.swapaxes(a, -1, -2) @ g if need_b else None
        return gi, ga, gb, None, None


class Cross(Function):
    """c = a × b along ``dim`` (3-vectors);  da = b × dc,  db = dc × a
    (from dc · (a × b) = a · (b × dc) = b · (dc × a), the scalar triple product)"""

    @staticmethod
    def forward(ctx, a, b, dim):
        need_a, need_b = ctx.needs_input_grad[:2]
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.dim = dim
        return np.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        d = ctx.dim
        return (
            np.cross(b, grad, axis=d) if need_a else None,
            np.cross(grad, a, axis=d) if need_b else None,
            None,
        )


class Kron(Function):
    """K = A ⊗ B (Kronecker): K[i·p + j] = A[i] B[j] on each axis (p: B's size there);
    viewing dK as axes (i₁, j₁, i₂, j₂, …): dA[i] = Σ_j dK[i, j] B[j],  dB[j] = Σ_i dK[i, j] A[i]
    """

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.shapes = a.shape, b.shape
        return np.kron(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        sa, sb = ctx.shapes  # the same number of dims (kron pads the shorter with 1s)
        n = len(sa)
        g = grad.reshape([s for pair in zip(sa, sb) for s in pair])
        a_axes, b_axes = list(range(0, 2 * n, 2)), list(range(1, 2 * n, 2))
        ga = np.einsum(g, list(range(2 * n)), b, b_axes, a_axes) if need_a else None
        gb = np.einsum(g, list(range(2 * n)), a, a_axes, b_axes) if need_b else None
        return ga, gb


# ----- functional forms of the products ---------------------------------------------------


def _same_dtype(op, *xs):
    """Each operand as a Tensor, all cast (differentiably) to their common dtype."""
    return _common_dtype([as_tensor(op, x) for x in xs])


def _vector(op, name, x):
    if x.ndim != 1:
        raise op_error(ValueError, f"{op}: {name} must be a 1-D vector, got shape {x.shape}")


def outer(input, vec2):
    """Outer product, as ``torch.outer``: (n,) ⊗ (m,) → (n, m), out[i, j] = input[i]·vec2[j]."""
    return _outer("outer", input, vec2)


def ger(input, vec2):
    """PyTorch's older name for :func:`outer`."""
    return _outer("ger", input, vec2)


def _outer(op, input, vec2):
    a, b = _same_dtype(op, input, vec2)
    _vector(op, "input", a)
    _vector(op, "vec2", b)
    return Outer.apply(a, b)


def inner(input, other):
    """Inner product over the last dim, as ``torch.inner``: (…a, k), (…b, k) → (…a, …b),
    out[i, j] = Σₗ input[i, l]·other[j, l]; a 0-d operand multiplies the other instead."""
    a, b = _same_dtype("inner", input, other)
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    if a.shape[-1] != b.shape[-1]:
        raise op_error(
            ValueError,
            f"inner: the last dims must match, got shapes {a.shape} and {b.shape} "
            f"({a.shape[-1]} and {b.shape[-1]})",
        )
    return Tensordot.apply(a, b, (a.ndim - 1,), (b.ndim - 1,))


def _dim_list(d):
    if isinstance(d, Tensor):
        d = d.data.tolist()
    return [d] if is_int(d) else list(d) if isinstance(d, (list, tuple)) else None


def tensordot(a, b, dims=2):
    """Sum of products over paired axes, as ``torch.tensordot``: ``dims=n`` pairs a's last n
    axes with b's first n; ``dims=([1, 2], [0, 1])`` pairs a's axes 1, 2 with b's 0, 1.
    out has a's unpaired axes, then b's.  ``tensordot(a, b, 0)`` is the outer product."""
    a, b = _same_dtype("tensordot", a, b)
    if is_int(dims):
        n = int(dims)
        if not 0 <= n <= min(a.ndim, b.ndim):
            raise op_error(
                ValueError,
                f"tensordot: dims={n} must be between 0 and the smaller number of dims "
                f"({min(a.ndim, b.ndim)}) of shapes {a.shape} and {b.shape}",
            )
        dims_a, dims_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        pair = dims.data.tolist() if isinstance(dims, Tensor) else dims
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise op_error(
                TypeError,
                f"tensordot: dims must be an int or a pair of lists of dims, got {dims!r}",
            )
        dims_a, dims_b = _dim_list(pair[0]), _dim_list(pair[1])
        if dims_a is None or dims_b is None or len(dims_a) != len(dims_b):
            raise op_error(
                ValueError,
                f"tensordot: dims must pair as many dims of a as of b, got {dims!r}",
            )
        # dim by dim: normalize_dims would sort them and so break the pairing
        dims_a = [single_dim("tensordot", d, a.ndim) for d in dims_a]
        dims_b = [single_dim("tensordot", d, b.ndim) for d in dims_b]
        for name, ds, x in (("a", dims_a, a), ("b", dims_b, b)):
            if len(set(ds)) != len(ds):
                raise op_error(
                    ValueError,
                    f"tensordot: dims {ds} of {name} (shape {x.shape}) repeat a dim; each dim "
                    "can be paired once",
                )
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise op_error(
                ValueError,
                f"tensordot: paired dims must have equal sizes, but a {a.shape} has size "
                f"{a.shape[da]} in dim {da} and b {b.shape} has size {b.shape[db]} in dim {db}",
            )
    return Tensordot.apply(a, b, tuple(dims_a), tuple(dims_b))


def mv(input, vec):
    """Matrix times vector, as ``torch.mv``: (n, k) @ (k,) → (n,)."""
    a, v = _same_dtype("mv", input, vec)
    if a.ndim != 2 or v.ndim != 1:
        raise op_error(
            ValueError,
            f"mv: expected a 2-D matrix (n, k) and a 1-D vector (k,), got shapes {a.shape} "
            f"and {v.shape}; use matmul for other shapes",
        )
    if a.shape[1] != v.shape[0]:
        raise op_error(
            ValueError,
            f"mv: {a.shape} @ {v.shape}: inner dimensions {a.shape[1]} and {v.shape[0]} differ",
        )
    return MatMul.apply(a, v)


def _scale(op, name, value, dtype):
    if not is_real(value):
        raise op_error(
            TypeError, f"{op}: {name} must be a number, got {value!r} ({type(value).__name__})"
        )
    if dtype.kind != "f" and not is_int(value):
        raise op_error(
            TypeError,
            f"{op}: {name} must be an int for integer tensors (dtype {dtype}), got {value!r}",
        )
    return value


def _add_mat_mul(op, input, a, b, beta, alpha, batched):
    x, a, b = _same_dtype(op, input, a, b)
    nd, what = (3, "batches of matrices (b, n, k) and (b, k, m)") if batched else (2, "matrices")
    if a.ndim != nd or b.ndim != nd:
        raise op_error(
            ValueError, f"{op}: expected two {nd}-D {what}, got shapes {a.shape} and {b.shape}"
        )
    if batched and a.shape[0] != b.shape[0]:
        raise op_error(
            ValueError,
            f"{op}: {a.shape} @ {b.shape}: batch sizes {a.shape[0]} and {b.shape[0]} differ",
        )
    if a.shape[-1] != b.shape[-2]:
        raise op_error(
            ValueError,
            f"{op}: {a.shape} @ {b.shape}: inner dimensions {a.shape[-1]} and {b.shape[-2]} differ",
        )
    out_shape = a.shape[:-1] + b.shape[-1:]
    if x.ndim > nd or any(s not in (1, o) for s, o in zip(x.shape[::-1], out_shape[::-1])):
        raise op_error(
            ValueError,
            f"{op}: input of shape {x.shape} does not broadcast to the product's shape {out_shape}",
        )
    beta = _scale(op, "beta", beta, a.dtype)
    alpha = _scale(op, "alpha", alpha, a.dtype)
    return AddMatMul.apply(x, a, b, beta, alpha)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """β·input + α·(mat1 @ mat2), as ``torch.addmm``: (n, k) @ (k, m), input broadcast to
    (n, m).  With β = 0 input is ignored (NaN in it does not spread)."""
    return _add_mat_mul("addmm", input, mat1, mat2, beta, alpha, batched=False)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """β·input + α·(batch1 @ batch2) per batch, as ``torch.baddbmm``: (b, n, k) @ (b, k, m),
    input broadcast to (b, n, m).  With β = 0 input is ignored."""
    return _add_mat_mul("baddbmm", input, batch1, batch2, beta, alpha, batched=True)


def cross(input, other, dim=None):
    """Cross product of 3-vectors along ``dim``, as ``torch.cross``: a × b =
    (a₂b₃ − a₃b₂, a₃b₁ − a₁b₃, a₁b₂ − a₂b₁).  The other dims broadcast (both inputs have
    the same number of dims).  ``dim=None`` is the first dim of ``input`` of size 3, as in
    ``torch.cross``, with PyTorch's warning: ``torch.linalg.cross`` uses the last dim, so
    pass ``dim`` explicitly."""
    a, b = _same_dtype("cross", input, other)
    if a.ndim != b.ndim:
        raise op_error(
            ValueError,
            f"cross: inputs must have the same number of dims, got shapes {a.shape} and {b.shape}",
        )
    if dim is None:
        threes = [k for k, n in enumerate(a.shape) if n == 3]
        if not threes:
            raise op_error(
                ValueError, f"cross: no dim of input of shape {a.shape} has size 3 (3-vectors)"
            )
        dim = threes[0]
        if len(threes) > 1 or dim != a.ndim - 1:
            # the same line gives other numbers under torch.linalg.cross (dim=-1)
            warnings.warn(
                f"cross: dim not given, so dim {dim} (input's first of size 3), as torch.cross "
                "does; torch.linalg.cross would use the last dim. Pass dim= to say which",
                UserWarning,
                stacklevel=2,
            )
    d = single_dim("cross", dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise op_error(
            ValueError,
            f"cross: dim {d} must have size 3 in both inputs (3-vectors), got shapes {a.shape} "
            f"and {b.shape}",
        )
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise op_error(
            ValueError, f"cross: shapes {a.shape} and {b.shape} do not broadcast"
        ) from None
    return Cross.apply(a, b, d)


def kron(input, other):
    """Kronecker product, as ``torch.kron``: each entry a[i] times the whole of b, tiled;
    shape (a₁·b₁, a₂·b₂, …), the operand with fewer dims padded with leading 1s."""
    a, b = as_tensor("kron", input), as_tensor("kron", other)
    n = max(a.ndim, b.ndim, 1)
    scalars = a.ndim == b.ndim == 0
    if a.ndim < n:
        a = reshape(a, (1,) * (n - a.ndim) + a.shape)
    if b.ndim < n:
        b = reshape(b, (1,) * (n - b.ndim) + b.shape)
    # dtypes after the padding: a 0-d operand is no weak scalar here (PyTorch's kron)
    out = Kron.apply(*_same_dtype("kron", a, b))
    return reshape(out, ()) if scalars else out
