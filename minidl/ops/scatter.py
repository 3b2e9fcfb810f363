"""Writes at the places index tensors or masks name, out of place, as PyTorch's ``scatter``,
``scatter_add``, ``index_add``, ``index_fill``, ``index_copy`` and ``masked_fill``.

A write's backward is the mirror of a selection's: the overwritten places of the input get
no gradient, and the written values get the gradient of the places they went to.  Index
tensors are checked as in ``indexing.py`` (dtype, number of dims, range) before any NumPy
indexing runs.
"""

import builtins

import numpy as np

from minidl._checks import is_real
from minidl.autograd import Function, op_error
from minidl.convert import convert
from minidl.ops.elementwise import as_tensor, cast, where
from minidl.ops.indexing import (
    _INT,
    _LONG,
    _along,
    _checked_mask,
    _dim_of,
    _in_range,
    _index_tensor,
    _places,
)
from minidl.ops.shape import Reshape
from minidl.tensor import Tensor


def _crop(shape):
    """The leading corner of a larger array that has ``shape``."""
    return tuple(slice(0, n) for n in shape)


def _src_grad(ctx, grad):
    """dsrc of scatter and scatter_add: dy at the place each src element went (a gather);
    src's corner beyond index's shape is not read and gets 0."""
    dsrc = np.zeros(ctx.src_shape, grad.dtype)
    if np.prod(ctx.index_shape):  # an empty index read nothing (its shape may not fit src)
        dsrc[_crop(ctx.index_shape)] = grad[ctx.where]
    return dsrc


class Scatter(Function):
    """y = x with y[index[i, j], j] = src[i, j] (dim 0; y[i, index[i, j]] = src[i, j] for dim 1);
    dx = dy with 0 at the written places, dsrc[i, j] = dy at the place src[i, j] went
    (a gather; src's corner beyond index's shape is not read and gets 0)"""

    @staticmethod
    def forward(ctx, x, index, src, dim):
        where = _places(index, dim)
        ctx.where, ctx.index_shape, ctx.src_shape = where, index.shape, src.shape
        ctx.save_for_backward(index)
        y = x.copy()
        if index.size:  # an empty index writes nothing (and its shape need not fit src's)
            y[where] = src[_crop(index.shape)]  # a repeated place: NumPy's last write wins
        return y

    @staticmethod
    def backward(ctx, grad):
        dx = grad.copy()
        dx[ctx.where] = 0
        dsrc = _src_grad(ctx, grad) if ctx.needs_input_grad[2] else None
        return dx, None, dsrc, None


class ScatterAdd(Function):
    """y = x with src[i, j] added at y[index[i, j], j] (dim 0; a repeated place adds up);
    dx = dy, dsrc[i, j] = dy at the place src[i, j] was added to (a gather)"""

    @staticmethod
    def forward(ctx, x, index, src, dim):
        where = _places(index, dim)
        ctx.where, ctx.index_shape, ctx.src_shape = where, index.shape, src.shape
        ctx.save_for_backward(index)
        y = x.copy()
        if index.size:  # an empty index adds nothing (and its shape need not fit src's)
            np.add.at(y, where, src[_crop(index.shape)])
        return y

    @staticmethod
    def backward(ctx, grad):
        dsrc = _src_grad(ctx, grad) if ctx.needs_input_grad[2] else None
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


# ----- argument checks --------------------------------------------------------------------


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


# ----- functional forms -------------------------------------------------------------------


def _scatter_args(op, input, dim, index, src):
    """input, its dim, and the index checked against input and src (arrays of equal ndim,
    index no larger than src anywhere, nor than input outside dim); 0-d all become 1-D."""
    x = as_tensor(op, input)
    idx = _index_tensor(op, index, _INT)
    d = _dim_of(op, x, dim)
    if idx.size == 0:
        # an empty index writes nothing, and PyTorch then checks no dims either: the input
        # comes back unchanged whatever the index's (or src's) number of dims.  An index of
        # input's dims (one for a 0-d input) stands in for it, so the op runs as for any
        # empty index.  The index's dtype is still checked (PyTorch accepts an empty float
        # index here, a quirk of skipping the work: a float index is refused everywhere else)
        return x, d, np.zeros((0,) * builtins.max(x.ndim, 1), idx.dtype)
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
    if x.ndim == 0 and idx.size:  # then index and src are 0-d too: one place, one value
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


def masked_fill(x, mask, value):
    """x with ``value`` wherever ``mask`` is True: ``x[mask] = value`` without writing into x.

    ``mask`` is a bool tensor broadcastable with x (the result has their broadcast
    shape, as in PyTorch); ``value`` a number or a 0-d tensor, converted to x's dtype
    (a float into an int tensor is truncated toward zero, as PyTorch does).  Built on
    ``where(mask, value, x)``, whose backward is exact: dx = dy where mask is False
    and 0 at the filled positions (a 0-d tensor value gets the sum of dy there).
    """
    x = as_tensor("masked_fill", x)
    mask = _checked_mask("masked_fill", x, mask)
    dtype = x.data.dtype
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise op_error(
                ValueError,
                f"masked_fill: value must be a number or a 0-d tensor, got a tensor of shape "
                f"{value.shape}",
            )
        if value.data.dtype != dtype:
            # between floats a differentiable cast; into an int or bool x no gradient exists
            value = (
                cast(value, dtype)
                if dtype.kind == "f"
                else Tensor._make(convert(value.data, dtype, "masked_fill"))
            )
    elif is_real(value) or isinstance(value, (bool, np.bool_)):
        if dtype.kind == "f" and np.isfinite(value) and abs(value) > float(np.finfo(dtype).max):
            # NumPy would store inf (with a warning); PyTorch refuses, and so do we
            raise op_error(
                OverflowError,
                f"masked_fill: value {value!r} does not fit in {dtype} (largest "
                f"{np.finfo(dtype).max:g})",
            )
        value = Tensor._make(convert(np.asarray(value), dtype, "masked_fill"))
    else:
        raise op_error(
            TypeError,
            f"masked_fill: value must be a number or a 0-d tensor, got {type(value).__name__}",
        )
    return where(mask, value, x)
