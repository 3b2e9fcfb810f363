"""Reductions: sum, mean, prod, var/std, max/min (and amax/amin), argmax/argmin, norm,
median, count_nonzero; and cumsum/cumprod, a running sum/product along one axis.

``dim`` is an int, a tuple of ints or None (all axes); ``keepdim`` keeps the
reduced axes with size 1, as in PyTorch.  As in PyTorch, ``dim=()`` reduces every
axis too, and a 0-size axis that is not reduced gives an empty result.  Reducing
over a 0-length axis is an error for the max/min family (an empty slice has no
maximum) and for ``mean``, where PyTorch returns NaN: a silent NaN loss from an
empty batch is worse than an error naming the shapes.  ``sum`` over it is 0.
"""

import builtins
from collections import namedtuple

import numpy as np

from minidl.autograd import Function, op_error
from minidl.ops.elementary import sqrt
from minidl.ops.elementwise import as_tensor, cast, maximum, minimum
from minidl.tensor import MaxResult, Tensor, check_bool, is_int, is_real


def normalize_dims(op, dim, ndim):
    """``dim`` as a sorted tuple of non-negative axes (None: every axis), checked."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dims = (dim,)
    elif isinstance(dim, (tuple, list)):
        dims = tuple(dim)
    else:
        raise op_error(TypeError, f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
    out = []
    n = builtins.max(ndim, 1)
    for d in dims:
        if not is_int(d):
            raise op_error(TypeError, f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -n <= d < n:
            raise op_error(
                IndexError,
                f"{op}: dim {d} out of range for a tensor of {ndim} dimension(s) "
                f"(expected {-n} .. {n - 1})",
            )
        if ndim:
            out.append(int(d) % ndim)
    if len(set(out)) != len(out):
        raise op_error(ValueError, f"{op}: dim {dim} repeats an axis")
    return tuple(sorted(out))


def reduce_dims(op, dim, ndim):
    """:func:`normalize_dims` for a reduction, where ``dim=()`` means every axis as in
    PyTorch (``x.sum(())`` is the total); ``squeeze`` keeps () as "no axis"."""
    return normalize_dims(op, None if is_empty_dims(dim) else dim, ndim)


def is_empty_dims(dim):
    """True for ``dim=()`` or ``[]`` (not for None, which also means every axis)."""
    return isinstance(dim, (tuple, list)) and len(dim) == 0


def _check_nonempty(op, shape, dims):
    """Max/min of an empty slice has no value: reject a reduced axis of length 0
    (a 0-size axis that is kept is fine: the result is empty too)."""
    empty = [d for d in dims if shape[d] == 0]
    if empty:
        raise op_error(
            ValueError,
            f"{op}: cannot reduce dim {empty[0]} of length 0 (tensor of shape {tuple(shape)}); "
            "expected every reduced dim to have non-zero length",
        )


def single_dim(op, dim, ndim):
    """``dim`` as one non-negative axis, for ops that work along exactly one axis."""
    if not is_int(dim):
        raise op_error(TypeError, f"{op}: dim must be one int, got {dim!r}")
    if ndim == 0:
        raise op_error(IndexError, f"{op}: dim {dim} given for a 0-d tensor, which has no axes")
    return normalize_dims(op, dim, ndim)[0]


def numpy_names(op, dim, keepdim, axis, keepdims):
    """``dim`` and ``keepdim`` from NumPy's ``axis`` and ``keepdims``, which PyTorch accepts
    as other names for them; giving both names of one argument is an error, as in PyTorch.
    Called only when an alias was given, so the usual call pays one ``is None`` test."""
    if axis is not None:
        if dim is not None:
            raise op_error(
                TypeError,
                f"{op}: got both dim={dim!r} and axis={axis!r}; axis is NumPy's name for dim, "
                "give only one",
            )
        dim = axis
    if keepdims is not None:
        if keepdim is not False:
            raise op_error(
                TypeError,
                f"{op}: got both keepdim={keepdim!r} and keepdims={keepdims!r}; keepdims is "
                "NumPy's name for keepdim, give only one",
            )
        keepdim = keepdims
    return dim, keepdim


def _expand_back(grad, shape, dims, keepdim):
    """Give a reduced gradient its reduced axes back (size 1) so it broadcasts to ``shape``."""
    if not keepdim and len(shape):
        grad = grad.reshape([1 if i in dims else n for i, n in enumerate(shape)])
    return grad


class Sum(Function):
    """y = Σ x over dims;  dy/dx = 1 (the gradient is repeated along the summed axes)"""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return x.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return np.broadcast_to(g, ctx.shape), None, None


class Mean(Function):
    """y = (1/n) Σ x over dims;  dy/dx = 1/n"""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.n = int(np.prod([x.shape[d] for d in dims]))
        if ctx.n == 0:
            raise op_error(ValueError, f"mean: reducing {x.shape} over dims {dims} has no elements")
        return x.mean(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim) / ctx.n
        return np.broadcast_to(g, ctx.shape), None, None


class Max(Function):
    """y = max x over dims;  dy/dx = 1 at the maximum

    Ties share the gradient equally (``amax``, ``max(x)``), or, with
    ``to_index=True`` (``max(x, dim)``, which also returns the index), all of it
    goes to the first maximum, the element the index names: PyTorch's rules.
    A NaN is the maximum (y = NaN), so NaNs count as the tied maxima: the gradient
    goes to them (x = [1, nan, 2] → dx = [0, 1, 0], as torch's ``max(x)``; torch's
    ``amax`` gives NaN everywhere in that slice, which minidl does not copy).
    """

    @staticmethod
    def forward(ctx, x, dims, keepdim, to_index):
        return _extreme_forward(ctx, x, dims, keepdim, np.max, np.argmax if to_index else None)

    @staticmethod
    def backward(ctx, grad):
        return _extreme_backward(ctx, grad)


class Min(Function):
    """y = min x over dims;  dy/dx = 1 at the minimum (ties as in :class:`Max`)"""

    @staticmethod
    def forward(ctx, x, dims, keepdim, to_index):
        return _extreme_forward(ctx, x, dims, keepdim, np.min, np.argmin if to_index else None)

    @staticmethod
    def backward(ctx, grad):
        return _extreme_backward(ctx, grad)


class Prod(Function):
    """y = Π x over dims (one axis, or every axis);  dy/dxᵢ = Π_{j≠i} xⱼ

    The product of the others comes from running products from the left and from
    the right, never from y / xᵢ, which is 0/0 at a zero: with one zero in a slice
    the zero's gradient is the product of the rest and every other one is 0; with
    two or more zeros the whole slice's gradient is 0.  Integers and bools multiply
    in int64, as in PyTorch (they never carry a gradient).
    """

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.save_for_backward(x)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        # NumPy would keep uint8 as uint64 and bool as int64; PyTorch gives int64 for all
        dtype = np.int64 if x.dtype.kind in "biu" else None
        return x.prod(axis=dims, dtype=dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        if len(ctx.dims) == 1:
            others = _prod_of_others(x, ctx.dims[0])
        else:  # every axis (prod takes one dim or None): the flattened tensor is one slice
            others = _prod_of_others(x.reshape(-1), 0).reshape(x.shape)
        return g * others, None, None


def _prod_of_others(x, axis):
    """Π_{j≠i} xⱼ along ``axis`` for every i, by multiplication only (exact at zeros)."""
    xm = np.moveaxis(x, axis, -1)
    out = np.ones_like(xm)
    out[..., 1:] = np.cumprod(xm[..., :-1], axis=-1)  # x₀ ⋯ xᵢ₋₁
    out[..., :-1] *= np.cumprod(xm[..., :0:-1], axis=-1)[..., ::-1]  # xᵢ₊₁ ⋯ xₙ₋₁
    return np.moveaxis(out, -1, axis)


class Cumsum(Function):
    """yᵢ = Σ_{j≤i} xⱼ along dim;  dL/dxⱼ = Σ_{i≥j} dL/dyᵢ, the upstream gradient summed
    from the end backwards (x, y and both gradients of one shape)

    ``dim`` is None for a 0-d tensor, which PyTorch allows (dim 0 or -1): y = x.
    Integers and bools are summed in int64, as in PyTorch; float32 is summed in
    float64 and rounded once, as PyTorch does (a running float32 sum of 100,000
    values of 0.1 ends at 9998.6, not 10000).
    """

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        dtype = np.int64 if x.dtype.kind in "biu" else x.dtype
        if dim is None:
            return x.astype(dtype)  # a copy: the output never shares the input's memory
        return _running_sum(x, dim, dtype)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.dim
        if d is None:
            return grad, None
        return np.flip(_running_sum(np.flip(grad, d), d, grad.dtype), d), None


def _running_sum(x, axis, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f" and dtype.itemsize < 8:
        return np.cumsum(x, axis=axis, dtype=np.float64).astype(dtype)
    return np.cumsum(x, axis=axis, dtype=dtype)


class Cumprod(Function):
    """yᵢ = Π_{j≤i} xⱼ along dim;  dL/dxⱼ = Σ_{i≥j} gᵢ · Π_{k≤i, k≠j} xₖ  (g = dL/dy)

    Never divided by xⱼ (0/0 at a zero): the product splits as (Π_{k<j} xₖ)(Π_{j<k≤i} xₖ),
    so dL/dxⱼ = (Π_{k<j} xₖ) · Sⱼ with Sⱼ = gⱼ + xⱼ₊₁ Sⱼ₊₁ (Horner's rule, run from the
    end), exact with any number of zeros.  That loop is one NumPy step per position along
    dim.  Integers and bools multiply in int64, float32 in float64 rounded once, as in
    PyTorch; ``dim`` is None for a 0-d tensor (y = x).
    """

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.save_for_backward(x)
        dtype = np.dtype(np.int64) if x.dtype.kind in "biu" else x.dtype
        if dim is None:
            return x.astype(dtype)  # a copy: the output never shares the input's memory
        wide = np.float64 if dtype.kind == "f" and dtype.itemsize < 8 else dtype
        return np.cumprod(x, axis=dim, dtype=wide).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        if ctx.dim is None:
            return grad, None
        (x,) = ctx.saved_tensors
        xm, g = np.moveaxis(x, ctx.dim, -1), np.moveaxis(grad, ctx.dim, -1)
        s = g.copy()
        for j in range(g.shape[-1] - 2, -1, -1):
            s[..., j] += xm[..., j + 1] * s[..., j + 1]
        before = np.ones_like(s)
        before[..., 1:] = np.cumprod(xm[..., :-1], axis=-1)  # x₀ ⋯ xⱼ₋₁
        return np.moveaxis(before * s, -1, ctx.dim), None


class Median(Function):
    """y = the lower median: element (n − 1) // 2 of the n values sorted (along ``dim``, or
    of all of x when dim is None); a slice holding a NaN has median NaN.

    dy/dx = 1 at the median element.  With dim, all of it goes to the element ``index``
    names; without, it is shared equally by the elements equal to y (the NaNs for a NaN):
    PyTorch's rules, as for max.
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim, index):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        dtype = x.dtype if x.dtype.kind == "f" else np.float64  # float32 stays float32
        if dim is None:
            flat = x.reshape(-1)
            y = np.asarray(flat[_median_index(flat, 0)[0]])
            hit = (x == y) | (np.isnan(x) & np.isnan(y)) if x.dtype.kind == "f" else x == y
            ctx.save_for_backward(hit / hit.sum().astype(dtype))
            return y
        share = np.zeros(x.shape, dtype)
        np.put_along_axis(share, index, 1, axis=dim)
        ctx.save_for_backward(share)
        y = np.take_along_axis(x, index, axis=dim)
        return y if keepdim else y.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        (share,) = ctx.saved_tensors
        dims = tuple(range(len(ctx.shape))) if ctx.dim is None else (ctx.dim,)
        return _expand_back(grad, ctx.shape, dims, ctx.keepdim) * share, None, None, None


def _median_index(a, axis):
    """Where the lower median of each slice along ``axis`` sits (the axis kept, size 1):
    position (n − 1) // 2 of a stable sort, or the first NaN of a slice holding one."""
    k = (a.shape[axis] - 1) // 2
    index = np.take(np.argsort(a, axis=axis, kind="stable"), [k], axis=axis)
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        first_nan = np.argmax(nan, axis=axis, keepdims=True)
        index = np.where(nan.any(axis=axis, keepdims=True), first_nan, index)
    return index.astype(np.int64)


class Norm(Function):
    """Vector p-norm over dims, y of the reduced shape:

    p = 2:  y = √(Σ x²),  dy/dx = x / y  (0 where y = 0, as in PyTorch, not 0/0)
    p = 1:  y = Σ |x|,    dy/dx = sign(x)  (0 at x = 0, and at a NaN as in PyTorch)
    p = ∞:  y = max |x|,  dy/dx = sign(x) at the maxima of |x|, shared equally by ties
    """

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim, ctx.p = x.shape, dims, keepdim, p
        if p == 2:
            y = np.sqrt(np.sum(x * x, axis=dims, keepdims=True))
            ctx.save_for_backward(x, y)
        elif p == 1:
            y = np.abs(x).sum(axis=dims, keepdims=True)
            ctx.save_for_backward(x)
        else:
            a = np.abs(x)
            y = a.max(axis=dims, keepdims=True)
            hit = a == y
            # a slice holding a NaN has no hit (NaN ≠ NaN): a count of 1 gives it gradient 0,
            # PyTorch's answer there, instead of 0/0
            count = np.maximum(hit.sum(axis=dims, keepdims=True), 1).astype(x.dtype)
            ctx.save_for_backward(np.where(hit, np.sign(x), 0) / count)  # NaN: not a hit, 0
        return y if keepdim else y.reshape([n for i, n in enumerate(x.shape) if i not in dims])

    @staticmethod
    def backward(ctx, grad):
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        if ctx.p == 2:
            x, y = ctx.saved_tensors
            # y = 0 only where the whole slice is 0, and there PyTorch's gradient is 0
            slope = np.divide(x, y, out=np.zeros_like(x), where=y != 0)
        elif ctx.p == 1:
            (x,) = ctx.saved_tensors
            # 0 at a NaN entry, PyTorch's gradient there (the norm is NaN anyway)
            slope = np.where(np.isnan(x), 0, np.sign(x))
        else:
            (slope,) = ctx.saved_tensors
        return g * slope, None, None, None


def _extreme_forward(ctx, x, dims, keepdim, reduce, arg):
    y = reduce(x, axis=dims, keepdims=True)
    if arg is None:
        hit = x == y
        if x.dtype.kind == "f":
            # a NaN wins the reduction, yet NaN == NaN is false: without this no element
            # would hit and the share would be 0/0 = NaN for the whole slice
            hit |= np.isnan(x) & np.isnan(y)
        share = hit / hit.sum(axis=dims, keepdims=True).astype(x.dtype)
    else:  # one axis: a one-hot at the index arg returns
        (axis,) = dims
        share = np.zeros_like(x)
        np.put_along_axis(share, arg(x, axis=axis, keepdims=True), 1, axis=axis)
    ctx.save_for_backward(share)
    ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
    return y if keepdim else y.reshape([n for i, n in enumerate(x.shape) if i not in dims])


def _extreme_backward(ctx, grad):
    (share,) = ctx.saved_tensors
    return _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim) * share, None, None, None


def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Σ over ``dim`` (all axes when None)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("sum", dim, keepdim, axis, keepdims)
    x = as_tensor("sum", x)
    if type(keepdim) is not bool:  # the fast check first: sum runs in every loss
        keepdim = check_bool("sum", "keepdim", keepdim)
    return Sum.apply(x, reduce_dims("sum", dim, x.ndim), keepdim)


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Mean over ``dim`` (all axes when None)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("mean", dim, keepdim, axis, keepdims)
    x = as_tensor("mean", x)
    if type(keepdim) is not bool:
        keepdim = check_bool("mean", "keepdim", keepdim)
    if x.dtype.kind != "f":
        raise TypeError(f"mean: expected a float tensor, got dtype {x.dtype}")
    return Mean.apply(x, reduce_dims("mean", dim, x.ndim), keepdim)


def prod(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Π over ``dim``: one int, or None for every axis (PyTorch's prod takes no tuple).

    Integers and bools give int64, as in PyTorch.  ``keepdim=True`` without a dim
    keeps every axis with size 1, as ``amax`` does (PyTorch refuses it).  The
    gradient is right with zeros in a slice (see :class:`Prod`).
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("prod", dim, keepdim, axis, keepdims)
    x = as_tensor("prod", x)
    if type(keepdim) is not bool:
        keepdim = check_bool("prod", "keepdim", keepdim)
    if dim is None:
        dims = tuple(range(x.ndim))
    else:
        if not is_int(dim):
            raise op_error(
                TypeError, f"prod: dim must be one int or None (as in PyTorch), got {dim!r}"
            )
        dims = normalize_dims("prod", dim, x.ndim)  # () for a 0-d tensor: y = x
    return Prod.apply(x, dims, keepdim)


def cumsum(input, dim=None, *, dtype=None, axis=None):
    """Running sum along ``dim`` (required, one int, as in PyTorch); same shape as x.

    Integers and bools give int64, as in PyTorch; ``dtype`` casts the input first.
    """
    if axis is not None:
        dim, _ = numpy_names("cumsum", dim, False, axis, None)
    x = _cast_first(as_tensor("cumsum", input), dtype)
    if dtype is not None:  # an int dtype narrower than the int64 the sum would give
        return cast(cumsum(x, dim), dtype)
    if not is_int(dim):
        raise op_error(TypeError, f"cumsum: dim must be one int, got {dim!r}")
    dims = normalize_dims("cumsum", dim, x.ndim)  # a 0-d tensor takes dim 0 or -1
    return Cumsum.apply(x, dims[0] if dims else None)


def cumprod(input, dim=None, *, dtype=None, axis=None):
    """Running product along ``dim`` (required, one int, as in PyTorch); same shape as x.

    Integers and bools give int64, as in PyTorch; ``dtype`` casts the input first.  The
    gradient is exact where x has zeros (see :class:`Cumprod`).
    """
    if axis is not None:
        dim, _ = numpy_names("cumprod", dim, False, axis, None)
    x = _cast_first(as_tensor("cumprod", input), dtype)
    if dtype is not None:
        return cast(cumprod(x, dim), dtype)
    if not is_int(dim):
        raise op_error(TypeError, f"cumprod: dim must be one int, got {dim!r}")
    dims = normalize_dims("cumprod", dim, x.ndim)  # a 0-d tensor takes dim 0 or -1
    return Cumprod.apply(x, dims[0] if dims else None)


def _cast_first(x, dtype):
    # PyTorch's dtype= of the running ops: the input is cast before the sum or product
    return x if dtype is None else cast(x, dtype)


MedianResult = namedtuple("MedianResult", ["values", "indices"])


def median(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The lower median, as in PyTorch: of n values sorted, the one at (n − 1) // 2 (for
    [1, 2, 3, 4] that is 2, not 2.5).  A slice holding a NaN has median NaN.

    ``median(x)`` is a 0-d tensor.  ``median(x, dim)`` is ``(values, indices)`` with the
    index of each median along ``dim``: where the median value occurs more than once,
    the index is that of the element at (n − 1) // 2 of a stable sort (PyTorch only
    promises *an* index of the median value), and the first NaN in a slice with NaNs.
    The gradient goes to the indexed element (with dim) or is shared by the elements
    equal to the median (without).  The median of no values is an error here; PyTorch
    gives NaN.
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("median", dim, keepdim, axis, keepdims)
    x = as_tensor("median", input)
    keepdim = check_bool("median", "keepdim", keepdim)
    if x.data.dtype == np.bool_:
        raise op_error(TypeError, "median: not defined for a bool tensor (as in PyTorch)")
    if dim is None:
        if keepdim:
            raise op_error(TypeError, "median: keepdim=True needs a dim, as in PyTorch")
        if x.data.size == 0:
            raise op_error(
                ValueError,
                f"median: the tensor of shape {x.shape} has no elements, so no median (PyTorch "
                "returns NaN)",
            )
        return Median.apply(x, None, False, None)
    if not is_int(dim):
        raise op_error(TypeError, f"median: dim must be one int or None, got {dim!r}")
    if x.ndim == 0:  # dim 0 or -1, as in PyTorch: the one element is its own median
        normalize_dims("median", dim, 0)
        values, indices = median(x.reshape(1), 0, True)
        return MedianResult(values.reshape(()), indices.reshape(()))
    d = single_dim("median", dim, x.ndim)
    _check_nonempty("median", x.shape, (d,))
    index = _median_index(x.data, d)
    values = Median.apply(x, d, keepdim, index)
    return MedianResult(values, Tensor._make(index if keepdim else index.squeeze(d)))


def count_nonzero(input, dim=None, *, axis=None):
    """How many elements are not zero, over ``dim`` (an int, a tuple, or None for every
    axis) as int64; NaN counts as non-zero.  No gradient."""
    if axis is not None:
        dim, _ = numpy_names("count_nonzero", dim, False, axis, None)
    x = as_tensor("count_nonzero", input)
    dims = reduce_dims("count_nonzero", dim, x.ndim)
    return Tensor._make(np.asarray(np.count_nonzero(x.data, axis=dims), np.int64))


_NORM_ORDERS = {1.0: 1.0, 2.0: 2.0, float("inf"): float("inf")}


def norm(x, p=2, dim=None, keepdim=False):
    """Vector p-norm over ``dim`` (int, tuple or None for every axis) for p = 2, 1 or
    ``float('inf')``; ``'fro'`` is p = 2, as for PyTorch's vector norms.  Float tensors
    only, as in PyTorch.  The gradient at a zero slice is 0 (PyTorch's), not NaN."""
    x = as_tensor("norm", x)
    if type(keepdim) is not bool:
        keepdim = check_bool("norm", "keepdim", keepdim)
    if x.dtype.kind != "f":
        raise op_error(TypeError, f"norm: expected a float tensor, got dtype {x.dtype}")
    order = 2.0 if isinstance(p, str) and p == "fro" else None
    if order is None and is_real(p) and not isinstance(p, str):
        order = _NORM_ORDERS.get(float(p))
    if order is None:
        raise op_error(
            ValueError,
            f"norm: p={p!r} is not supported; expected 2 (or 'fro'), 1 or float('inf')",
        )
    dims = reduce_dims("norm", dim, x.ndim)
    if order == float("inf"):
        _check_nonempty("norm", x.shape, dims)  # an empty slice has no largest |x|
    return Norm.apply(x, order, dims, keepdim)


def var(x, dim=None, *, correction=1, keepdim=False, unbiased=None, axis=None, keepdims=None):
    """Variance over ``dim`` (all axes when None): Σ (x − mean)² / (N − correction),
    N the number of reduced elements; ``correction=1`` is Bessel's unbiased estimate
    (PyTorch 2.x).  ``unbiased=True/False`` is PyTorch's older spelling of
    ``correction=1/0``.  Built from mean, sub, mul, sum and div, so autograd gives the
    gradient.  Where N − correction ≤ 0 PyTorch returns nan/inf with a warning; minidl
    raises a ValueError instead."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("var", dim, keepdim, axis, keepdims)
    return _var("var", x, dim, correction, keepdim, unbiased)


def std(x, dim=None, *, correction=1, keepdim=False, unbiased=None, axis=None, keepdims=None):
    """Standard deviation over ``dim``: √var, with :func:`var`'s arguments and checks."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("std", dim, keepdim, axis, keepdims)
    return sqrt(_var("std", x, dim, correction, keepdim, unbiased))


def _var(op, x, dim, correction, keepdim, unbiased):
    x = as_tensor(op, x)
    if type(keepdim) is not bool:
        keepdim = check_bool(op, "keepdim", keepdim)
    if x.dtype.kind != "f":
        raise op_error(TypeError, f"{op}: expected a float tensor, got dtype {x.dtype}")
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise op_error(TypeError, f"{op}: unbiased must be True or False, got {unbiased!r}")
        if correction != 1:
            raise op_error(TypeError, f"{op}: give either correction or unbiased, not both")
        correction = int(unbiased)
    if not is_real(correction):
        raise op_error(TypeError, f"{op}: correction must be a real number, got {correction!r}")
    dims = reduce_dims(op, dim, x.ndim)
    n = int(np.prod([x.shape[d] for d in dims]))
    if not n - correction > 0:
        raise op_error(
            ValueError,
            f"{op}: reducing a tensor of shape {tuple(x.shape)} over dim {dim!r} has "
            f"N = {n} element(s), and correction={correction} leaves N − correction = "
            f"{n - correction} ≤ 0 (PyTorch would return nan or inf); reduce over more "
            "elements or lower the correction",
        )
    d = x - mean(x, dims, keepdim=True)
    return sum(d * d, dims, keepdim) / (n - correction)


def amax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Maximum over ``dim`` (int, tuple or None) as a tensor."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("amax", dim, keepdim, axis, keepdims)
    x = as_tensor("amax", x)
    if type(keepdim) is not bool:
        keepdim = check_bool("amax", "keepdim", keepdim)
    dims = reduce_dims("amax", dim, x.ndim)
    _check_nonempty("amax", x.shape, dims)
    return Max.apply(x, dims, keepdim, False)


def amin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Minimum over ``dim`` (int, tuple or None) as a tensor."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("amin", dim, keepdim, axis, keepdims)
    x = as_tensor("amin", x)
    if type(keepdim) is not bool:
        keepdim = check_bool("amin", "keepdim", keepdim)
    dims = reduce_dims("amin", dim, x.ndim)
    _check_nonempty("amin", x.shape, dims)
    return Min.apply(x, dims, keepdim, False)


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """As in PyTorch: ``max(x)`` is a tensor; ``max(x, dim)`` is ``(values, indices)``,
    and the gradient of those values goes to the indexed elements only.  ``max(x,
    keepdim=True)`` keeps every axis with size 1, as ``amax`` does (PyTorch refuses it).
    ``max(a, b)`` of two tensors is ``maximum(a, b)``, elementwise, as in PyTorch."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("max", dim, keepdim, axis, keepdims)
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    x = as_tensor("max", x)
    if type(keepdim) is not bool:
        keepdim = check_bool("max", "keepdim", keepdim)
    if dim is None:  # keepdim: every axis kept with size 1, as amax and argmax do
        _check_nonempty("max", x.shape, tuple(range(x.ndim)))
        return Max.apply(x, tuple(range(x.ndim)), keepdim, False)
    d = (single_dim("max", dim, x.ndim),)
    _check_nonempty("max", x.shape, d)
    return MaxResult(Max.apply(x, d, keepdim, True), argmax(x, dim, keepdim))


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """As in PyTorch: ``min(x)`` is a tensor; ``min(x, dim)`` is ``(values, indices)``,
    and the gradient of those values goes to the indexed elements only.  ``min(x,
    keepdim=True)`` keeps every axis with size 1, as ``amin`` does (PyTorch refuses it).
    ``min(a, b)`` of two tensors is ``minimum(a, b)``, elementwise, as in PyTorch."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("min", dim, keepdim, axis, keepdims)
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    x = as_tensor("min", x)
    if type(keepdim) is not bool:
        keepdim = check_bool("min", "keepdim", keepdim)
    if dim is None:  # keepdim: every axis kept with size 1, as amin and argmin do
        _check_nonempty("min", x.shape, tuple(range(x.ndim)))
        return Min.apply(x, tuple(range(x.ndim)), keepdim, False)
    d = (single_dim("min", dim, x.ndim),)
    _check_nonempty("min", x.shape, d)
    return MaxResult(Min.apply(x, d, keepdim, True), argmin(x, dim, keepdim))


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the maximum (over the flattened tensor when ``dim`` is None); no gradient.
    The first NaN, if any, counts as the maximum (NumPy's and PyTorch's rule)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("argmax", dim, keepdim, axis, keepdims)
    return _arg(np.argmax, "argmax", x, dim, keepdim)


def argmin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the minimum (over the flattened tensor when ``dim`` is None); no gradient.
    The first NaN, if any, counts as the minimum (NumPy's and PyTorch's rule)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names("argmin", dim, keepdim, axis, keepdims)
    return _arg(np.argmin, "argmin", x, dim, keepdim)


def _arg(fn, op, x, dim, keepdim):
    x = as_tensor(op, x)
    if type(keepdim) is not bool:
        keepdim = check_bool(op, "keepdim", keepdim)
    if dim is None:
        _check_nonempty(op, x.shape, tuple(range(x.ndim)))
        # keepdim: every axis kept with size 1, shape (1,) * ndim, as in PyTorch
        return Tensor._make(np.asarray(fn(x.data, keepdims=keepdim), np.int64))
    d = single_dim(op, dim, x.ndim)
    _check_nonempty(op, x.shape, (d,))
    return Tensor._make(fn(x.data, axis=d, keepdims=keepdim).astype(np.int64))
