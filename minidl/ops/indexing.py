"""Indexing ops: selecting and scattering by index tensors, as PyTorch's ``index_select``,
``masked_select``, ``take``, ``take_along_dim``, ``scatter``, ``scatter_add``, ``index_add``,
``index_fill`` and ``index_copy``.

A selection's backward sends each gradient back to the place its value was read from, and
repeated picks add up (``ScatterGrad``, ``np.add.at`` or ``np.bincount``, never a Python loop).
A write's backward is the mirror: the overwritten places of the input get no gradient, and
the written values get the gradient of the places they went to.

Index tensors are checked before any NumPy indexing runs: the dtypes PyTorch accepts for each
op, the number of dims, and the range (NumPy would wrap a negative index silently where
PyTorch raises; ``take``, ``index_fill`` and ``take_along_dim`` with a ``dim`` wrap an
index in -n .. -1, as PyTorch does).
"""

import builtins

import numpy as np

from minidl.autograd import Function, ScatterGrad, op_error
from minidl.ops.elementwise import as_tensor
from minidl.ops.reduce import single_dim
from minidl.ops.shape import Expand, Gather, Reshape
from minidl.tensor import Tensor, convert, is_real

_LONG = (np.dtype(np.int64),)
_INT = (np.dtype(np.int64), np.dtype(np.int32))


def _along(dim, index):
    """The NumPy index that picks ``index`` along axis ``dim`` and everything else."""
    return (slice(None),) * dim + (index,)


def _scatter_where(index, dim):
    # position (i, j, ...) of index names the place (i, index[i, j], ...) for dim 1
    grid = np.indices(index.shape, sparse=True)
    return tuple(index if a == dim else g for a, g in enumerate(grid))


def _crop(shape):
    """The leading corner of a larger array that has ``shape``."""
    return tuple(slice(0, n) for n in shape)


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


class Scatter(Function):
    """y = x with y[index[i, j], j] = src[i, j] (dim 0; y[i, index[i, j]] = src[i, j] for dim 1);
    dx = dy with 0 at the written places, dsrc[i, j] = dy at the place src[i, j] went
    (a gather; src's corner beyond index's shape is not read and gets 0)"""

    @staticmethod
    def forward(ctx, x, index, src, dim):
        where = _scatter_where(index, dim)
        ctx.where, ctx.index_shape, ctx.src_shape = where, index.shape, src.shape
        ctx.save_for_backward(index)
        y = x.copy()
        y[where] = src[_crop(index.shape)]  # a repeated place: NumPy's last write wins
        return y

    @staticmethod
    def backward(ctx, grad):
        dx = grad.copy()
        dx[ctx.where] = 0
        dsrc = None
        if ctx.needs_input_grad[2]:
            dsrc = np.zeros(ctx.src_shape, grad.dtype)
            dsrc[_crop(ctx.index_shape)] = grad[ctx.where]
        return dx, None, dsrc, None


class ScatterAdd(Function):
    """y = x with src[i, j] added at y[index[i, j], j] (dim 0; a repeated place adds up);
    dx = dy, dsrc[i, j] = dy at the place src[i, j] was added to (a gather)"""

    @staticmethod
    def forward(ctx, x, index, src, dim):
        where = _scatter_where(index, dim)
        ctx.where, ctx.index_shape, ctx.src_shape = where, index.shape, src.shape
        ctx.save_for_backward(index)
        y = x.copy()
        np.add.at(y, where, src[_crop(index.shape)])
        return y

    @staticmethod
    def backward(ctx, grad):
        dsrc = None
        if ctx.needs_input_grad[2]:
            dsrc = np.zeros(ctx.src_shape, grad.dtype)
            dsrc[_crop(ctx.index_shape)] = grad[ctx.where]
        return grad, None, dsrc, None


class IndexAdd(Function):
    """y = x with alpha·source[..., k, ...] added to x[..., index[k], ...] along dim (a repeated
    index adds up);  dx = dy,  dsource = alpha · dy[..., index, ...]"""

    @staticmethod
    def forward(ctx, x, index, source, dim, alpha):
        where = _along(dim, index)
        ctx.where, ctx.alpha = where, alpha
        ctx.save_for_backward(index)
        y = x.copy()
        np.add.at(y, where, source if alpha == 1 else source * alpha)
        return y

    @staticmethod
    def backward(ctx, grad):
        dsource = None
        if ctx.needs_input_grad[2]:
            dsource = grad[ctx.where]
            if ctx.alpha != 1:
                dsource = dsource * ctx.alpha
        return grad, None, dsource, None, None


class IndexFill(Function):
    """y = x with each slice x[..., index[k], ...] along dim set to value (a 0-d array);
    dx = dy with 0 in those slices,  dvalue = Σ dy over them (a repeated slice counts once,
    as it is written once)"""

    @staticmethod
    def forward(ctx, x, index, value, dim):
        ctx.dim = dim
        ctx.save_for_backward(index)
        y = x.copy()
        y[_along(dim, index)] = value
        return y

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        dx = grad.copy()
        dx[_along(ctx.dim, index)] = 0
        dvalue = None
        if ctx.needs_input_grad[2]:
            dvalue = grad[_along(ctx.dim, np.unique(index))].sum()
        return dx, None, dvalue, None


class IndexCopy(Function):
    """y = x with slice x[..., index[k], ...] along dim replaced by source[..., k, ...];
    dx = dy with 0 in the replaced slices,  dsource = dy[..., index, ...]"""

    @staticmethod
    def forward(ctx, x, index, source, dim):
        where = _along(dim, index)
        ctx.where = where
        ctx.save_for_backward(index)
        y = x.copy()
        y[where] = source  # a repeated index: NumPy's last write wins
        return y

    @staticmethod
    def backward(ctx, grad):
        dx = grad.copy()
        dx[ctx.where] = 0
        dsource = grad[ctx.where] if ctx.needs_input_grad[2] else None
        return dx, None, dsource, None


# ----- argument checks ------------------------------------------------------------------


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


def _same_dtype(op, x, other, name):
    if other.data.dtype != x.data.dtype:
        raise op_error(
            TypeError,
            f"{op}: input and {name} must have the same dtype, got {x.data.dtype} and "
            f"{other.data.dtype}; convert one, e.g. {name}.to(input.dtype)",
        )


def _scalar(op, value, dtype, name="value"):
    """A Python or NumPy number as a 0-d array of ``dtype``; into an integer dtype a float is
    truncated toward zero (as PyTorch does), and a value that does not fit is an error."""
    if not (is_real(value) or isinstance(value, (bool, np.bool_))):
        raise op_error(
            TypeError, f"{op}: {name} must be a number or a 0-d tensor, got {type(value).__name__}"
        )
    largest = float(np.finfo(dtype).max) if dtype.kind == "f" else None
    if largest is not None and np.isfinite(value) and builtins.abs(value) > largest:
        # NumPy would store inf (with a warning); PyTorch refuses, and so do we
        raise op_error(
            OverflowError,
            f"{op}: {name} {value!r} does not fit in {dtype} (largest {largest:g})",
        )
    return convert(np.asarray(value), dtype, op)


def _slices_match(op, shape, d, index, source, name):
    """Raise unless ``source`` has the input's ``shape`` with dim d of the index's length."""
    expected = shape[:d] + (index.size,) + shape[d + 1 :]
    if source.shape != expected:
        raise op_error(
            ValueError,
            f"{op}: {name} of shape {source.shape} does not fit an input of shape {shape} "
            f"with {index.size} index(es) along dim {d}; expected {name} of shape {expected}",
        )


# ----- functional forms -----------------------------------------------------------------


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
    mask = as_tensor("masked_select", mask)
    if mask.data.dtype != np.bool_:
        raise op_error(
            TypeError,
            f"masked_select: mask must be a bool tensor, got dtype {mask.data.dtype} (shape "
            f"{mask.shape}); make one with a comparison (x > 0) or mask.bool()",
        )
    try:
        np.broadcast_shapes(x.shape, mask.shape)
    except ValueError:
        raise op_error(
            ValueError,
            f"masked_select: mask of shape {mask.shape} does not broadcast with the input's "
            f"shape {x.shape}",
        ) from None
    return MaskedSelect.apply(x, mask)


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


def _scatter_args(op, input, dim, index, src):
    """input, its dim, and the index checked against input and src (arrays of equal ndim,
    index no larger than src anywhere, nor than input outside dim); 0-d all become 1-D."""
    x = as_tensor(op, input)
    idx = _index_tensor(op, index, _INT)
    d = _dim_of(op, x, dim)
    if idx.ndim != x.ndim:
        raise op_error(
            ValueError,
            f"{op}: index of shape {idx.shape} must have as many dims as the input of shape "
            f"{x.shape} ({x.ndim})",
        )
    if src.ndim != idx.ndim:
        raise op_error(
            ValueError,
            f"{op}: src of shape {src.shape} must have as many dims as the index of shape "
            f"{idx.shape} ({idx.ndim})",
        )
    if idx.size:  # an empty index writes nothing, and PyTorch checks no sizes then
        for a, (ni, nx, ns) in enumerate(zip(idx.shape, x.shape, src.shape)):
            if ni > ns or (a != d and ni > nx):
                raise op_error(
                    ValueError,
                    f"{op}: index of shape {idx.shape} is larger than the src of shape "
                    f"{src.shape} or the input of shape {x.shape} in dim {a}; expected "
                    f"index.size(k) <= src.size(k) for every k, and <= input.size(k) for "
                    f"k != dim ({d})",
                )
    n = x.shape[d] if x.ndim else 1
    idx = _in_range(op, idx, n, f"for dim {d} of size {n} (input of shape {x.shape})")
    return x, d, idx


def _apply(fn, x, idx, other, d, *rest):
    """``fn.apply(x, idx, other, d, *rest)``; a 0-d x runs as a row of one element, and the
    result comes back 0-d."""
    if x.ndim:
        return fn.apply(x, idx, other, d, *rest)
    out = fn.apply(Reshape.apply(x, (1,)), idx, other, 0, *rest)
    return Reshape.apply(out, ())


def _scatter(fn, op, input, dim, index, src):
    x, d, idx = _scatter_args(op, input, dim, index, src)
    if x.ndim == 0:  # then index and src are 0-d too: one place, one value
        idx = idx.reshape(1)
        src = Reshape.apply(src, (1,)) if isinstance(src, Tensor) else src.reshape(1)
    return _apply(fn, x, idx, src, d)


def scatter(input, dim, index, src=None, *, value=None):
    """``input`` with values written at the places ``index`` names along ``dim``, as
    ``torch.scatter``: for dim 1, y[i, index[i, j]] = src[i, j] (or ``value``, a number).

    ``index`` (int64 or int32) has input's number of dims, no larger than ``src`` in any
    dim nor than input outside ``dim``; ``src`` has input's dtype.  Gradients as PyTorch
    defines them: input gets 0 at the written places, src the gradient of the place each
    element went to.  Where ``index`` names one place twice PyTorch's result is undefined;
    minidl's is the last write (NumPy's order), and src's gradient still goes to every
    element written there, as PyTorch's formula does.
    """
    op = "scatter"
    if (src is None) == (value is None):
        raise op_error(TypeError, "scatter: give exactly one of src (a tensor) and value")
    if src is not None and not isinstance(src, Tensor):
        value = src  # scatter(x, dim, index, 2.0), as PyTorch's positional value
    if value is not None:
        x = as_tensor(op, input)
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise op_error(
                    ValueError,
                    f"scatter: value must be a number or a 0-d tensor, got shape {value.shape}",
                )
            value = value.data.item()
        fill = _scalar(op, value, x.data.dtype)
        idx_shape = np.shape(as_tensor(op, index).data)
        return _scatter(Scatter, op, x, dim, index, np.broadcast_to(fill, idx_shape))
    x = as_tensor(op, input)
    _same_dtype(op, x, src, "src")
    return _scatter(Scatter, op, x, dim, index, src)


def scatter_add(input, dim, index, src):
    """``input`` with each src[i, j] added at the place ``index`` names along ``dim``, as
    ``torch.scatter_add``: for dim 1, y[i, index[i, j]] += src[i, j]; places named twice
    get both.  Same shape rules as :func:`scatter`.  dinput = dy; dsrc = dy gathered back."""
    x = as_tensor("scatter_add", input)
    if not isinstance(src, Tensor):
        raise op_error(TypeError, f"scatter_add: src must be a tensor, got {type(src).__name__}")
    _same_dtype("scatter_add", x, src, "src")
    return _scatter(ScatterAdd, "scatter_add", x, dim, index, src)


def _vector_args(op, input, dim, index, dtypes):
    """input, dim, the index as 1-D (dtype and ndim checked) and input's size along dim
    (1 for a 0-d input, one element)."""
    x = as_tensor(op, input)
    idx = _index_tensor(op, index, dtypes, vector=True)
    d = _dim_of(op, x, dim)
    n = x.shape[d] if x.ndim else 1
    return x, d, idx.reshape(-1), n


def _source(op, x, d, idx, source, name, scalar_ok):
    """``source`` checked to fill the indexed slices of x; a 0-d source (for a 0-d input, or
    for a 1-D one if ``scalar_ok``, as PyTorch's index_copy allows) is viewed as 1-D."""
    if not isinstance(source, Tensor):
        raise op_error(TypeError, f"{op}: {name} must be a tensor, got {type(source).__name__}")
    _same_dtype(op, x, source, name)
    if x.ndim == 0 and source.ndim != 0 and not scalar_ok:
        raise op_error(
            ValueError, f"{op}: a 0-d input takes a 0-d {name}, got shape {source.shape}"
        )
    if source.ndim == 0 and (x.ndim == 0 or (scalar_ok and x.ndim == 1)):
        source = Reshape.apply(source, (1,))
    _slices_match(op, x.shape or (1,), d, idx, source, name)
    return source


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with alpha·source[..., k, ...] added to the slice at ``index[k]`` along ``dim``,
    as ``torch.index_add``; a slice named twice gets both.  ``index``: 0-d or 1-D, int64 or
    int32, in 0 .. n-1; ``source``: input's dtype and shape, with ``len(index)`` in ``dim``.
    dinput = dy;  dsource = alpha · dy[..., index, ...]."""
    op = "index_add"
    x, d, idx, n = _vector_args(op, input, dim, index, _INT)
    if isinstance(alpha, (bool, np.bool_)) or not is_real(alpha):
        raise op_error(TypeError, f"index_add: alpha must be a number, got {alpha!r}")
    if x.data.dtype.kind != "f" and not float(alpha).is_integer():
        # PyTorch's add refuses this too; its index_add would truncate alpha · source silently
        raise op_error(
            TypeError,
            f"index_add: alpha={alpha} is not an integer, and the input's dtype is "
            f"{x.data.dtype}; use an integer alpha or a float tensor",
        )
    if x.data.dtype.kind != "f":
        alpha = int(alpha)
    source = _source(op, x, d, idx, source, "source", scalar_ok=False)
    idx = _in_range(op, idx, n, f"for dim {d} of size {n} (input of shape {x.shape})")
    return _apply(IndexAdd, x, idx, source, d, alpha)


def index_fill(input, dim, index, value):
    """``input`` with every slice at ``index`` along ``dim`` set to ``value`` (a number or a 0-d
    tensor, converted to input's dtype), as ``torch.index_fill``; ``index`` is a 0-d or 1-D
    int64 tensor, an index in -n .. -1 counting from the end, as in PyTorch.
    dinput = dy with 0 in the filled slices;  dvalue = the sum of dy over them."""
    op = "index_fill"
    x, d, idx, n = _vector_args(op, input, dim, index, _LONG)
    idx = _in_range(op, idx, n, f"for dim {d} of size {n} (input of shape {x.shape})", wrap=True)
    dtype = x.data.dtype
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise op_error(
                ValueError,
                f"index_fill: value must be a number or a 0-d tensor, got a tensor of shape "
                f"{value.shape}",
            )
        if dtype.kind != "f" or value.data.dtype.kind != "f":
            value = Tensor._make(_scalar(op, value.data.item(), dtype))  # no gradient there
    else:
        value = _scalar(op, value, dtype)
    return _apply(IndexFill, x, idx, value, d)


def index_copy(input, dim, index, source):
    """``input`` with the slice at ``index[k]`` along ``dim`` replaced by source[..., k, ...],
    as ``torch.index_copy``; ``index``: 0-d or 1-D int64 in 0 .. n-1; ``source``: input's dtype
    and shape with ``len(index)`` in ``dim``.  Where an index repeats, PyTorch's result is
    undefined; minidl's is the last write (NumPy's order).
    dinput = dy with 0 in the replaced slices;  dsource = dy[..., index, ...]."""
    op = "index_copy"
    x, d, idx, n = _vector_args(op, input, dim, index, _LONG)
    source = _source(op, x, d, idx, source, "source", scalar_ok=True)
    idx = _in_range(op, idx, n, f"for dim {d} of size {n} (input of shape {x.shape})")
    return _apply(IndexCopy, x, idx, source, d)
