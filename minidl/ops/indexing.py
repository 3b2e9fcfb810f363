"""Selection by index tensors and masks, as PyTorch's ``index_select``, ``masked_select``,
``take``, ``take_along_dim`` and ``gather``.

A selection's backward sends each gradient back to the place its value was read from, and
repeated picks add up (``ScatterGrad``, ``np.add.at`` or ``np.bincount``, never a Python loop).

Index tensors are checked before any NumPy indexing runs: the dtypes PyTorch accepts for each
op, the number of dims, and the range (NumPy would wrap a negative index silently where
PyTorch raises; ``take``, ``index_fill`` and ``take_along_dim`` with a ``dim`` wrap an
index in -n .. -1, as PyTorch does).  Writes at indexed places (scatter, index_add, ...)
are in ``scatter.py``, which shares these checks.
"""

import builtins

import numpy as np

from minidl.autograd import Function, ScatterGrad, op_error
from minidl.ops.elementwise import as_tensor
from minidl.ops.reduce import single_dim
from minidl.ops.shape import Expand, Reshape
from minidl.tensor import Tensor

_LONG = (np.dtype(np.int64),)


_INT = (np.dtype(np.int64), np.dtype(np.int32))


def _along(dim, index):
    """The NumPy index that picks ``index`` along axis ``dim`` and everything else."""
    return (slice(None),) * dim + (index,)


class IndexSelect(Function):
    """y = x[..., index, ...], ``index`` (length k) along axis dim: x (…, n, …) -> y (…, k, …);
    dx = zeros with dy's slices added back where they were read (a repeated index adds up)"""

    @staticmethod
    def forward(ctx, x, index, dim):
        where = _along(dim, index)
        ctx.shape, ctx.dtype, ctx.where = x.shape, x.dtype, where
        ctx.save_for_backward(index)  # backward then refuses an index overwritten in place
        return x[where]

    @staticmethod
    def backward(ctx, grad):
        return ScatterGrad(ctx.shape, ctx.dtype, ctx.where, grad, True), None, None


class MaskedSelect(Function):
    """y = the elements of x where mask is True, x and mask broadcast together, in row-major
    order: a 1-D y;  dx = dy put back at those places, 0 elsewhere (the engine then sums
    over the axes x was broadcast along)"""

    @staticmethod
    def forward(ctx, x, mask):
        shape = np.broadcast_shapes(x.shape, mask.shape)
        mask = np.broadcast_to(mask, shape)
        ctx.dtype = x.dtype
        ctx.save_for_backward(mask)
        return np.broadcast_to(x, shape)[mask]

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        dx = np.zeros(mask.shape, ctx.dtype)
        dx[mask] = grad
        return dx, None


class Take(Function):
    """y = flat(x)[index], x read as one row of x.size elements; y has index's shape;
    dx = zeros with each dy added at its flat position (a repeated index adds up)"""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.dtype = x.shape, x.dtype
        ctx.save_for_backward(index)
        return x.reshape(-1)[index]

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        size = int(np.prod(ctx.shape))
        # bincount sums the weights of equal indices in one pass, in float64
        dx = np.bincount(index.reshape(-1), weights=grad.reshape(-1), minlength=size)
        return dx.astype(ctx.dtype, copy=False).reshape(ctx.shape), None


def _places(index, dim):
    """The places gather reads and scatter writes: position (i, j, ...) of ``index`` names
    (i, index[i, j], ...) for dim 1, its own position along every other axis."""
    grid = np.indices(index.shape, sparse=True)  # aranges, broadcast along the rest
    return tuple(index if a == dim else g for a, g in enumerate(grid))


class Gather(Function):
    """y[i, j] = x[index[i, j], j] (dim 0; y[i, j] = x[i, index[i, j]] for dim 1, and so on);
    dx = zeros with dy[i, j] added at each gathered position (a repeated index adds up)"""

    @staticmethod
    def forward(ctx, x, index, dim):
        where = _places(index, dim)
        ctx.shape, ctx.dtype, ctx.where = x.shape, x.dtype, where
        ctx.save_for_backward(index)  # backward then refuses an index overwritten in place
        return x[where]

    @staticmethod
    def backward(ctx, grad):
        return ScatterGrad(ctx.shape, ctx.dtype, ctx.where, grad, True), None, None


# ----- argument checks --------------------------------------------------------------------


def _index_tensor(op, index, dtypes, name="index", vector=False):
    """The array of an index tensor, checked to have one of ``dtypes`` (and 0 or 1 dims if
    ``vector``)."""
    index = as_tensor(op, index)
    a = index.data
    if a.dtype not in dtypes:
        wanted = " or ".join(str(d) for d in dtypes)
        raise op_error(
            TypeError,
            f"{op}: {name} must be an integer tensor of dtype {wanted}, got dtype {a.dtype} "
            f"(shape {a.shape}); make one with .long()",
        )
    if vector and a.ndim > 1:
        raise op_error(
            IndexError,
            f"{op}: {name} must be a vector of indices (0-d or 1-D), got shape {a.shape}",
        )
    return a


def _in_range(op, index, n, what, wrap=False, name="index"):
    """``index`` as non-negative intp, each checked to lie in 0 .. n-1 (or -n .. n-1 if
    ``wrap``, the negative ones then counted from the end)."""
    if index.size:
        low = -n if wrap else 0
        lo, hi = index.min().item(), index.max().item()
        if lo < low or hi >= n:
            raise op_error(
                IndexError,
                f"{op}: {name} {lo if lo < low else hi} is out of bounds {what}; "
                f"expected {low} <= {name} < {n}",
            )
        if lo < 0:
            index = np.where(index < 0, index + n, index)
    return index.astype(np.intp, copy=False)


def _dim_of(op, x, dim):
    # a 0-d tensor counts as one element along dim 0 (or -1), as in PyTorch
    return single_dim(op, dim, builtins.max(x.ndim, 1))


# ----- functional forms -------------------------------------------------------------------


def index_select(input, dim, index):
    """The slices of ``input`` at positions ``index`` along ``dim``, as ``torch.index_select``:
    ``index`` is a 0-d or 1-D int64 (or int32) tensor of k positions in 0 .. n-1 (negative
    ones are an error, as in PyTorch); the result has size k in ``dim``.  The gradient goes
    back to the slices read, a slice read twice getting both gradients."""
    op = "index_select"
    x = as_tensor(op, input)
    idx = _index_tensor(op, index, _INT, vector=True)
    d = _dim_of(op, x, dim)
    if x.ndim == 0:
        if idx.size != 1:
            raise op_error(IndexError, f"index_select: a 0-d input takes one index, got {idx.size}")
        idx = _in_range(op, idx.reshape(1), 1, "for a 0-d input (one element)")
        return Reshape.apply(IndexSelect.apply(Reshape.apply(x, (1,)), idx, 0), ())
    idx = _in_range(op, idx.reshape(-1), x.shape[d], f"for dim {d} of size {x.shape[d]}")
    return IndexSelect.apply(x, idx, d)


def masked_select(input, mask):
    """The elements of ``input`` where the bool ``mask`` is True, as a 1-D tensor, as
    ``torch.masked_select``: input and mask broadcast together first, so an element is
    picked once per True it meets.  The gradient goes back to the elements picked."""
    x = as_tensor("masked_select", input)
    return MaskedSelect.apply(x, _checked_mask("masked_select", x, mask))


def take(input, index):
    """Elements of ``input`` read as one flat row: ``take(x, i) = x.flatten()[i]``, shaped as
    ``index`` (an int64 tensor), as ``torch.take``.  An index in -n .. -1 counts from the end,
    as in PyTorch; beyond that it is an error."""
    x = as_tensor("take", input)
    idx = _index_tensor("take", index, _LONG)
    n = x.data.size
    if n == 0 and idx.size:
        raise op_error(IndexError, f"take: cannot take from an empty tensor (shape {x.shape})")
    idx = _in_range("take", idx, n, f"for a tensor of {n} elements (shape {x.shape})", wrap=True)
    return Take.apply(x, idx)


def take_along_dim(input, indices, dim=None):
    """Values of ``input`` picked along ``dim`` by ``indices``, as ``torch.take_along_dim``.

    With a ``dim`` it is :func:`gather` after broadcasting: input and indices have the same
    number of dims and broadcast together in every dim but ``dim`` (where input keeps its size,
    indices theirs).  An index in -n .. -1 counts from the end, as PyTorch reads it (PyTorch does
    not check larger ones, and returns other memory; minidl raises).  With ``dim=None`` both are
    flattened first and negative indices are an error, as in PyTorch.
    """
    op = "take_along_dim"
    x = as_tensor(op, input)
    idx = _index_tensor(op, indices, _LONG, name="indices")
    if dim is None:
        n = x.data.size
        what = f"for the flattened input of {n} elements (shape {x.shape})"
        return Take.apply(x, _in_range(op, idx.reshape(-1), n, what, name="indices"))
    d = single_dim(op, dim, x.ndim)
    if idx.ndim != x.ndim:
        raise op_error(
            ValueError,
            f"{op}: indices of shape {idx.shape} must have as many dims as the input of shape "
            f"{x.shape} ({x.ndim})",
        )
    try:
        rest = np.broadcast_shapes(
            x.shape[:d] + (1,) + x.shape[d + 1 :], idx.shape[:d] + (1,) + idx.shape[d + 1 :]
        )
    except ValueError:
        raise op_error(
            ValueError,
            f"{op}: input of shape {x.shape} and indices of shape {idx.shape} do not broadcast "
            f"together outside dim {d}",
        ) from None
    n = x.shape[d]
    idx = _in_range(op, idx, n, f"for dim {d} of size {n}", wrap=True, name="indices")
    x_shape = rest[:d] + (n,) + rest[d + 1 :]
    if x.shape != x_shape:
        x = Expand.apply(x, x_shape)
    return Gather.apply(x, np.broadcast_to(idx, rest[:d] + (idx.shape[d],) + rest[d + 1 :]), d)


def gather(x, dim, index):
    """Values of x picked along ``dim`` by ``index``, as ``torch.gather``: for dim 1,
    y[i, j] = x[i, index[i, j]].  ``index`` is an integer tensor with x's number of dims, no
    larger than x in the other dims; y has index's shape.  Differentiable w.r.t. x: each
    gradient goes back to the position it was picked from, and repeated picks add up."""
    x = as_tensor("gather", x)
    index = as_tensor("gather", index)
    idx = _index_tensor("gather", index, _INT)  # int64 or int32, as torch.gather
    d = single_dim("gather", dim, builtins.max(x.ndim, 1))
    if idx.size == 0:
        # an empty index picks nothing, and PyTorch then checks no dims or sizes: the result
        # is empty, of the index's shape and x's dtype (as scatter's empty index, scatter.py).
        # An empty index of x's dims stands in for it (x 0-d runs as one element)
        row = x if x.ndim else Reshape.apply(x, (1,))
        stand_in = np.zeros((0,) * row.ndim, np.intp)
        return Reshape.apply(Gather.apply(row, stand_in, d), idx.shape)
    if x.ndim <= 1 and idx.ndim <= 1 and (x.ndim == 0 or idx.ndim == 0):
        # PyTorch counts a 0-d tensor as one element of 1-D here: gathered as 1-D, the result
        # takes the index's shape (x[2] of a 0-d index is 0-d)
        row = x if x.ndim else Reshape.apply(x, (1,))
        picked = gather(row, 0, Tensor._make(idx.reshape(-1)))
        return Reshape.apply(picked, idx.shape)
    if idx.ndim != x.ndim:
        raise op_error(
            ValueError,
            f"gather: index of shape {index.shape} must have as many dims as the input of "
            f"shape {x.shape} ({x.ndim})",
        )
    for a, (ni, nx) in enumerate(zip(idx.shape, x.shape)):
        if a != d and ni > nx:
            raise op_error(
                ValueError,
                f"gather: index of shape {index.shape} is larger than the input of shape "
                f"{x.shape} in dim {a}; expected index.size(k) <= input.size(k) for every "
                f"k != dim ({d})",
            )
    if idx.size:
        lo, hi = idx.min().item(), idx.max().item()
        if lo < 0 or hi >= x.shape[d]:
            raise op_error(
                IndexError,
                f"gather: index {lo if lo < 0 else hi} is out of bounds for dim {d} of size "
                f"{x.shape[d]} (input of shape {x.shape}); expected 0 <= index < {x.shape[d]}",
            )
    return Gather.apply(x, idx.astype(np.intp, copy=False), d)


def _checked_mask(op, x, mask):
    """``mask`` as a bool Tensor that broadcasts with x, or an error naming ``op``."""
    mask = as_tensor(op, mask)
    if mask.data.dtype != np.bool_:
        raise op_error(
            TypeError,
            f"{op}: mask must be a bool tensor, got dtype {mask.data.dtype} (shape "
            f"{mask.shape}); make one with a comparison (x > 0) or mask.bool()",
        )
    try:
        np.broadcast_shapes(x.shape, mask.shape)
    except ValueError:
        raise op_error(
            ValueError,
            f"{op}: mask of shape {mask.shape} does not broadcast with the tensor's shape "
            f"{x.shape}",
        ) from None
    return mask
