"""Copies that rearrange a tensor's values: ``flip``, ``roll``, ``repeat``,
``repeat_interleave``, ``tile``, ``tril``/``triu``, ``diag``, ``diagonal`` and ``trace``.

None of them computes a new value (tril and triu only write zeros), so each backward
moves the gradient back to where its values came from, adding up where one value was
copied to several places.
"""

import builtins

import numpy as np

from minidl._checks import check_int, is_int
from minidl.autograd import Function, op_error
from minidl.ops import reduce
from minidl.ops.elementwise import as_tensor
from minidl.ops.reduce import normalize_dims, single_dim
from minidl.ops.shape import Reshape, _dims_in_order, _flat_args, _shape_arg, clone
from minidl.tensor import Tensor


class Flip(Function):
    """y = x in reverse order along ``dims``: y[i] = x[n − 1 − i];  dx = dy reversed back"""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()  # a copy, as PyTorch's flip (not a view of x)

    @staticmethod
    def backward(ctx, grad):
        return np.flip(grad, ctx.dims), None


class Roll(Function):
    """y = x shifted cyclically by sₖ along each axis dₖ: y[(i + s) mod n] = x[i]
    (dims None: along the flattened tensor, then the shape back);  dx = dy rolled by −s"""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return np.roll(grad, tuple(-s for s in ctx.shifts), ctx.dims), None, None


class Repeat(Function):
    """y = x tiled rᵢ times along each axis i (x: (s₀, s₁, …) -> y: (r₀·s₀, r₁·s₁, …); a
    longer ``reps`` gives x leading axes of size 1 first);  dx = the sum of dy over the
    tiles: dy viewed as (r₀, s₀, r₁, s₁, …), summed over the r axes"""

    @staticmethod
    def forward(ctx, x, reps):
        ctx.shape, ctx.reps = x.shape, reps
        return np.tile(x, reps)  # always new memory, as PyTorch's repeat (never a view of x)

    @staticmethod
    def backward(ctx, grad):
        shape = (1,) * (len(ctx.reps) - len(ctx.shape)) + ctx.shape
        tiles = grad.reshape(tuple(n for pair in zip(ctx.reps, shape) for n in pair))
        return tiles.sum(axis=tuple(range(0, tiles.ndim, 2))).reshape(ctx.shape), None


class RepeatInterleave(Function):
    """y = [x₀ r₀ times, x₁ r₁ times, …] along ``dim`` (x: (…, n, …) -> y: (…, Σ r, …));
    dxᵢ = the sum of dy over the rᵢ copies of xᵢ (0 where rᵢ = 0)"""

    @staticmethod
    def forward(ctx, x, repeats, dim):
        ctx.n, ctx.repeats, ctx.dim = x.shape[dim], repeats, dim
        return np.repeat(x, repeats, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        g = np.moveaxis(grad, ctx.dim, 0)
        dx = np.zeros((ctx.n,) + g.shape[1:], grad.dtype)
        copied = ctx.repeats > 0
        # reduceat sums each run of copies; a run of length 0 has no start of its own
        if copied.any():
            starts = np.cumsum(ctx.repeats) - ctx.repeats
            dx[copied] = np.add.reduceat(g, starts[copied], axis=0)
        return np.moveaxis(dx, 0, ctx.dim), None, None


class Tril(Function):
    """y[..., i, j] = x[..., i, j] where j − i ≤ k, else 0 (lower triangle, last two axes);
    dy/dx = 1 where kept, 0 where zeroed: dx = tril(dy, k)"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.tril(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.tril(grad, ctx.k), None


class Triu(Function):
    """y[..., i, j] = x[..., i, j] where j − i ≥ k, else 0 (upper triangle, last two axes);
    dy/dx = 1 where kept, 0 where zeroed: dx = triu(dy, k)"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.triu(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.triu(grad, ctx.k), None


class Diag(Function):
    """Y[i, i + k] = xᵢ, zeros elsewhere (x: (n,) -> Y: (n + |k|, n + |k|));
    dx = diagonal k of dY"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.diag(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.diagonal(grad, ctx.k), None


def _on_diagonal(shape, grad, offset, dims):
    """zeros of ``shape`` with ``grad`` written on diagonal ``offset`` of axes ``dims``"""
    dx = np.zeros(shape, grad.dtype)
    # np.diagonal of dx is read-only; the same elements through a view with the two axes
    # last can be written: row i + max(−offset, 0), column i + max(offset, 0)
    planes = np.moveaxis(dx, dims, (-2, -1))
    i = np.arange(grad.shape[-1])
    planes[..., i + builtins.max(-offset, 0), i + builtins.max(offset, 0)] = grad
    return dx


class Diagonal(Function):
    """y[…, i] = x[…, i, i + offset] over axes dim1, dim2, which are removed while the
    diagonal becomes the last axis (a view);  dx = zeros with dy written on that diagonal"""

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.offset, ctx.dims = x.shape, offset, (dim1, dim2)
        return np.diagonal(x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return _on_diagonal(ctx.shape, grad, ctx.offset, ctx.dims), None, None, None


class DiagOfMatrix(Function):
    """y[i] = X[i, i + k], a copy in new memory (``diag`` of a matrix; ``diagonal`` is the
    view);  dX = zeros with dy written on diagonal k"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.shape, ctx.k = x.shape, k
        return np.diagonal(x, k).copy()

    @staticmethod
    def backward(ctx, grad):
        return _on_diagonal(ctx.shape, grad, ctx.k, (0, 1)), None


# ----- functional forms -------------------------------------------------------------------


def flip(x, *args, dims=None):
    """x in reverse order along each axis in ``dims`` (a copy, as in PyTorch):
    ``flip(x, (0, 1))``, ``flip(x, dims=[1])``, ``x.flip(0)``; ``dims=[]`` copies x."""
    x = as_tensor("flip", x)
    if dims is not None and args:
        raise TypeError("flip: dims given twice, as an argument and as dims=")
    if dims is None and not args:
        raise TypeError("flip: missing dims, the axes to reverse, e.g. flip(x, (0,)) or x.flip(0)")
    dims = _flat_args(args if dims is None else (dims,))
    axes = normalize_dims("flip", dims, x.ndim) if dims else ()
    return Flip.apply(x, axes) if axes else clone(x)


def roll(input, shifts, dims=None):
    """x shifted cyclically: the element at i goes to (i + shift) mod n along each of ``dims``
    (shifts and dims ints or equally long tuples); with dims None the tensor is rolled as
    if flattened, then given its shape back.  A new tensor, as PyTorch's roll."""
    x = as_tensor("roll", input)
    if is_int(shifts):
        shifts = (shifts,)
    if not isinstance(shifts, (tuple, list)) or not shifts or not all(is_int(s) for s in shifts):
        raise op_error(
            TypeError, f"roll: shifts must be an int or a non-empty tuple of ints, got {shifts!r}"
        )
    shifts = tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise op_error(
                ValueError,
                f"roll: {len(shifts)} shifts {shifts} given without dims; a tensor rolled as "
                "flattened takes one shift",
            )
        return Roll.apply(x, shifts, None)
    if x.ndim == 0:
        raise op_error(IndexError, f"roll: dims {dims!r} given for a 0-d tensor, which has none")
    dims = _dims_in_order("roll", "dims", dims, x.ndim)
    if len(dims) != len(shifts):
        raise op_error(
            ValueError,
            f"roll: shifts {shifts} and dims {dims} must have the same length",
        )
    return Roll.apply(x, shifts, dims)


def repeat(x, *sizes):
    """x tiled ``sizes[i]`` times along axis i, as PyTorch's ``Tensor.repeat``: a copy in
    new memory, even when every size is 1.

    ``sizes`` may be longer than x's shape (x gets leading axes of size 1 first),
    never shorter.  Tile t, element j lands at position t·sᵢ + j along axis i.
    """
    x = as_tensor("repeat", x)
    if not sizes:
        raise TypeError("repeat: missing the repeat sizes, e.g. x.repeat(2, 3) or x.repeat(())")
    reps = _shape_arg("repeat", sizes)
    if len(reps) < x.ndim:
        raise op_error(
            ValueError,
            f"repeat: got {len(reps)} repeat size(s) {reps} for a tensor of shape {x.shape} "
            f"({x.ndim} dims); give at least one size per dim",
        )
    if any(r < 0 for r in reps):
        raise op_error(ValueError, f"repeat: repeat sizes must be >= 0, got {reps}")
    return Repeat.apply(x, reps)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element of x repeated along ``dim``: [a, b] with repeats 2 gives [a, a, b, b].

    ``repeats`` is an int, or an integer tensor of one count per element along ``dim``
    (0-d or of length 1: one count for all).  With dim None x is flattened first.
    ``output_size``, if given, must equal the result's length along ``dim``.
    ``repeat_interleave(r)`` alone, r a 1-D integer tensor, repeats its indices:
    [2, 0, 1] gives [0, 0, 2], as in PyTorch.
    """
    x = as_tensor("repeat_interleave", input)
    if repeats is None:
        if x.ndim != 1 or x.data.dtype.kind not in "iu":
            raise op_error(
                TypeError,
                f"repeat_interleave: called with one tensor, it takes a 1-D integer tensor of "
                f"repeats, got shape {x.shape} and dtype {x.data.dtype}",
            )
        x, repeats, dim = Tensor._make(np.arange(x.shape[0], dtype=np.int64)), x, 0
    if dim is None:
        x, d = Reshape.apply(x, (-1,)), 0
    else:
        d = single_dim("repeat_interleave", dim, x.ndim)
    n = x.shape[d]
    if isinstance(repeats, Tensor):
        r = repeats.data
        if r.dtype.kind not in "iu":
            raise op_error(
                TypeError,
                f"repeat_interleave: repeats must be an int or an integer tensor, got dtype "
                f"{r.dtype}",
            )
        if r.ndim > 1:
            raise op_error(
                ValueError,
                f"repeat_interleave: repeats must be 0-d or 1-D, got shape {repeats.shape}",
            )
        if r.size != 1 and r.shape != (n,):
            raise op_error(
                ValueError,
                f"repeat_interleave: {r.size} repeats for {n} elements along dim {d} (input "
                f"of shape {x.shape}); expected one per element, or a single count",
            )
    else:
        r = check_int("repeat_interleave", "repeats", repeats)
    # a copy: the counts backward needs must not follow later writes into the repeats tensor
    r = np.broadcast_to(np.asarray(r, np.int64).reshape(-1), (n,)).copy()
    if r.size and r.min() < 0:
        raise op_error(ValueError, f"repeat_interleave: repeats must be >= 0, got {r.min()}")
    if output_size is not None:
        output_size = check_int("repeat_interleave", "output_size", output_size)
        if output_size != r.sum():
            raise op_error(
                ValueError,
                f"repeat_interleave: output_size {output_size} differs from the result's "
                f"length {r.sum()} along dim {d}",
            )
    return RepeatInterleave.apply(x, r, d)


def tile(input, dims):
    """x repeated ``dims[i]`` times along axis i, as ``torch.tile``: unlike ``repeat``,
    fewer sizes than x has dims are allowed (ones are put in front)."""
    x = as_tensor("tile", input)
    reps = _shape_arg("tile", (dims,))
    if any(r < 0 for r in reps):
        raise op_error(ValueError, f"tile: repeat counts must be >= 0, got {reps}")
    return repeat(x, (1,) * (x.ndim - len(reps)) + reps)


def _diagonal(op, x, diagonal):
    if x.ndim < 2:
        raise op_error(
            ValueError,
            f"{op}: input must have at least 2 dims (a matrix, or a batch of them), got "
            f"shape {x.shape}",
        )
    return check_int(op, "diagonal", diagonal)


def tril(x, diagonal=0):
    """The lower triangle of x's last two axes (entries with j − i ≤ diagonal); the rest 0."""
    x = as_tensor("tril", x)
    return Tril.apply(x, _diagonal("tril", x, diagonal))


def triu(x, diagonal=0):
    """The upper triangle of x's last two axes (entries with j − i ≥ diagonal); the rest 0."""
    x = as_tensor("triu", x)
    return Triu.apply(x, _diagonal("triu", x, diagonal))


def diag(input, diagonal=0):
    """For a 1-D x, the square matrix with x on diagonal ``diagonal`` (above the main one when
    > 0, below when < 0), zeros elsewhere; for a 2-D x, that diagonal of x as a 1-D tensor."""
    x = as_tensor("diag", input)
    k = check_int("diag", "diagonal", diagonal)
    if x.ndim == 1:
        return Diag.apply(x, k)
    if x.ndim == 2:
        return DiagOfMatrix.apply(x, k)
    raise op_error(
        ValueError, f"diag: expected a 1-D or 2-D tensor, got shape {x.shape} ({x.ndim}-D)"
    )


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal x[..., i, i + offset] over axes ``dim1`` (i) and ``dim2`` (i + offset),
    as a view; those axes are removed and the diagonal is the last axis."""
    x = as_tensor("diagonal", input)
    offset = check_int("diagonal", "offset", offset)
    if x.ndim < 2:
        raise op_error(
            ValueError, f"diagonal: input must have at least 2 dims, got shape {x.shape}"
        )
    d1, d2 = single_dim("diagonal", dim1, x.ndim), single_dim("diagonal", dim2, x.ndim)
    if d1 == d2:
        raise op_error(ValueError, f"diagonal: dim1 and dim2 are the same dim ({dim1}, {dim2})")
    return Diagonal.apply(x, offset, d1, d2)


def trace(input):
    """Σᵢ x[i, i], the sum of a matrix's main diagonal (x 2-D, not necessarily square);
    integers give int64, as in PyTorch."""
    x = as_tensor("trace", input)
    if x.ndim != 2:
        raise op_error(ValueError, f"trace: expected a matrix (2-D), got shape {x.shape}")
    if x.data.dtype == np.bool_:
        raise op_error(TypeError, "trace: not defined for a bool tensor (as in PyTorch)")
    if x.data.dtype.kind in "iu":
        x = Tensor._make(x.data.astype(np.int64))  # integers carry no gradient
    return reduce.sum(Diagonal.apply(x, 0, 0, 1))
