"""Shape ops: views and reshapes, joining and splitting, and ``x[...]`` indexing.

- views and reshapes: ``reshape``/``view``, ``flatten``, ``unflatten``, ``permute``,
  ``transpose``, ``movedim``/``moveaxis``, ``swapaxes``/``swapdims``, ``squeeze``/``unsqueeze``,
  ``expand``, ``broadcast_to``, ``narrow``, ``clone``;
- indexing: ``index`` (``x[...]``, in PyTorch's order of result axes: ``torch_order``);
- joining and splitting: ``cat`` (``concat``), ``stack``, ``split``, ``chunk``, ``unbind``;
- ``meshgrid`` (from reshape and expand), and ``numel``.

None of them computes a new value, so each backward only moves the gradient back to where
its values came from.  Copies that rearrange values (flip, roll, repeat, tril, diag, ...)
are in ``arrange.py``; selection by index tensors in ``indexing.py``.
"""

import builtins
import operator
import warnings

import numpy as np

from minidl._checks import check_int, is_int
from minidl.autograd import Function, ScatterGrad, op_error
from minidl.ops.elementwise import as_tensor, cast, result_dtype
from minidl.ops.reduce import normalize_dims, numpy_names, single_dim
from minidl.tensor import Tensor


def _flat_args(args):
    """``f(x, 2, 3)`` and ``f(x, (2, 3))`` both give (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _shape_arg(op, shape):
    """The sizes in ``shape`` as Python ints; a float or bool size is a TypeError
    (``int(2.5)`` would silently truncate it to 2)."""
    shape = _flat_args(shape)
    out = []
    for s in shape:
        try:
            # bool is an int subclass, but True as a size is almost surely a mistake
            if isinstance(s, (bool, np.bool_)):
                raise TypeError
            out.append(operator.index(s))
        except TypeError:
            raise op_error(
                TypeError,
                f"{op}: sizes must be ints, got {s!r} ({type(s).__name__}) in {shape}",
            ) from None
    return tuple(out)


class Reshape(Function):
    """y = x with a new shape (same elements, same order);  dy/dx reshapes back"""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise op_error(
                ValueError,
                f"reshape: cannot view a tensor of shape {x.shape} ({x.size} elements) "
                f"as shape {shape}",
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class Permute(Function):
    """y = x with its axes reordered by ``dims``;  dy/dx applies the inverse order"""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(np.argsort(ctx.dims)), None


class Expand(Function):
    """y = x broadcast to ``shape`` (a view);  dy/dx sums over the repeated axes (engine)"""

    @staticmethod
    def forward(ctx, x, shape):
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise op_error(
                ValueError, f"expand: cannot expand shape {x.shape} to {shape}"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class GetItem(Function):
    """y = x[index];  dx = zeros with dy added at index (repeated indices accumulate)"""

    @staticmethod
    def forward(ctx, x, index):
        try:
            y = x[index]
            if type(y) is not np.ndarray:
                # every dim indexed by an int: NumPy gives a scalar, a copy; with ... it gives
                # the 0-d view PyTorch gives, so that x[i].fill_(v) writes into x (a 0-d index
                # tensor too, as an int: a 0-d array would make NumPy copy)
                y = x[(*(int(i) if isinstance(i, np.ndarray) else i for i in index), ...)]
        except IndexError as e:
            raise op_error(IndexError, f"index: {e} (tensor of shape {x.shape})") from None
        ctx.shape, ctx.dtype, ctx.index = x.shape, x.dtype, index
        # integer arrays may repeat an element; boolean masks and slices never do
        ctx.repeats = any(isinstance(i, np.ndarray) and i.dtype != np.bool_ for i in index)
        # saved, too, so that backward refuses index arrays overwritten in place after use
        ctx.save_for_backward(*(i for i in index if isinstance(i, np.ndarray)))
        return y

    @staticmethod
    def backward(ctx, grad):
        return ScatterGrad(ctx.shape, ctx.dtype, ctx.index, grad, ctx.repeats), None


class Cat(Function):
    """y = [x₁, x₂, …] joined along ``dim``;  dxₖ = the slice of dy where xₖ went"""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        ctx.ends = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.split(grad, ctx.ends, axis=ctx.dim))


class Stack(Function):
    """y = [x₁, x₂, …] stacked along a new axis ``dim``;  dxₖ = dy[..., k, ...]"""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.moveaxis(grad, ctx.dim, 0))


class Split(Function):
    """(y₁, y₂, …) = consecutive pieces of x along ``dim``;  dx = [dy₁, dy₂, …] joined"""

    @staticmethod
    def forward(ctx, x, ends, dim):
        ctx.dim = dim
        return tuple(np.split(x, ends, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return np.concatenate(grads, axis=ctx.dim), None, None


class Clone(Function):
    """y = a copy of x in new memory;  dy/dx = 1"""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


# ----- functional forms -------------------------------------------------------------------


def reshape(x, *shape):
    """x with a new shape; one entry may be -1 (inferred)."""
    x = as_tensor("reshape", x)
    shape = _shape_arg("reshape/view", shape)
    if any(n < -1 for n in shape) or shape.count(-1) > 1:
        raise ValueError(
            f"reshape/view: invalid shape {shape}: sizes must be >= 0, "
            "except one that may be -1 (inferred)"
        )
    return Reshape.apply(x, shape)


view = reshape


def clone(x):
    """A copy of x in its own memory; the gradient flows back to x (as in PyTorch)."""
    return Clone.apply(as_tensor("clone", x))


def flatten(x, start_dim=0, end_dim=-1):
    """Merge axes start_dim..end_dim into one."""
    x = as_tensor("flatten", x)
    n = builtins.max(x.ndim, 1)  # a 0-d tensor takes dim 0 or -1, as in PyTorch
    s, e = single_dim("flatten", start_dim, n), single_dim("flatten", end_dim, n)
    if x.ndim == 0:
        return reshape(x, 1)
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    if s == e:
        return x  # nothing to merge: x itself, as PyTorch's flatten (not a view of it)
    return reshape(x, x.shape[:s] + (-1,) + x.shape[e + 1 :])


def permute(x, *dims):
    """Reorder the axes: ``permute(x, 2, 0, 1)``."""
    x = as_tensor("permute", x)
    dims = _flat_args(dims)
    # range-check each dim first (−ndim ≤ d < ndim), as PyTorch does: taken modulo
    # ndim, permute(0, 3) of a 2-D tensor would silently pass as permute(0, 1)
    axes = tuple(single_dim("permute", d, x.ndim) for d in dims)
    if sorted(axes) != list(range(x.ndim)):
        raise op_error(
            ValueError, f"permute: dims {dims} are not a permutation of the {x.ndim} axes"
        )
    return Permute.apply(x, axes)


def transpose(x, dim0, dim1):
    """Swap two axes."""
    return _swap("transpose", x, dim0, dim1)


def _swap(op, x, dim0, dim1):
    # transpose under each of its names: an error names the one that was called
    x = as_tensor(op, x)
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        # a new view, not x itself, as PyTorch's: so that detach_() on it is refused rather
        # than cutting x from the graph
        return Permute.apply(x, tuple(range(x.ndim)))
    d0 = single_dim(op, dim0, x.ndim)
    d1 = single_dim(op, dim1, x.ndim)
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(x, tuple(dims))


def squeeze(x, dim=None):
    """Remove axes of size 1 (only ``dim``, if given and of size 1)."""
    x = as_tensor("squeeze", x)
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        dims = normalize_dims("squeeze", dim, x.ndim)
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return Reshape.apply(x, shape)


def unsqueeze(x, dim):
    """Insert an axis of size 1 at ``dim`` (−ndim−1 ≤ dim ≤ ndim)."""
    x = as_tensor("unsqueeze", x)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise op_error(TypeError, f"unsqueeze: dim must be one int, got {dim!r}")
    if not -x.ndim - 1 <= dim <= x.ndim:
        raise IndexError(
            f"unsqueeze: dim {dim} out of range for a tensor of {x.ndim} dimension(s) "
            f"(expected {-x.ndim - 1} .. {x.ndim})"
        )
    d = dim % (x.ndim + 1)
    return Reshape.apply(x, x.shape[:d] + (1,) + x.shape[d:])


def expand(x, *shape):
    """Broadcast x to ``shape`` without copying; -1 keeps an axis."""
    x = as_tensor("expand", x)
    shape = _shape_arg("expand", shape)
    lead = len(shape) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: cannot expand shape {x.shape} to fewer dims {shape}")
    shape = tuple(x.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
    return Expand.apply(x, shape)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from k 1-D (or 0-d, taken as 1-D) tensors of sizes n₁, …, n_k, as
    ``torch.meshgrid``: a tuple of k tensors, output i holding ``tensors[i][j_i]`` at
    position (j₁, …, j_k).  ``indexing="ij"`` gives shape (n₁, n₂, …, n_k); ``"xy"``
    (NumPy's default) swaps the first two, (n₂, n₁, …), as for plotting z = f(x, y).
    Without ``indexing`` it is "ij", with PyTorch's warning.  Each output is a reshape and
    an expand of its input, so gradients flow back (summed over the copies).
    ``meshgrid([a, b])`` takes a list too."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "meshgrid: in an upcoming release, it will be required to pass the indexing "
            'argument (PyTorch\'s warning); "ij" is used. Pass indexing="ij" or "xy"',
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f'meshgrid: indexing must be "ij" or "xy", got {indexing!r}')
    if not tensors:
        raise ValueError("meshgrid: expected at least one tensor, got none")
    xs = [as_tensor("meshgrid", t) for t in tensors]
    for i, x in enumerate(xs):
        if x.ndim > 1:
            raise ValueError(
                f"meshgrid: expected 0-d or 1-D tensors, got shape {x.shape} as tensor {i}"
            )
        if x.dtype != xs[0].dtype:
            raise TypeError(
                f"meshgrid: expected tensors of one dtype (as PyTorch), got {xs[0].dtype} "
                f"(tensor 0) and {x.dtype} (tensor {i})"
            )
    sizes = [x.data.size for x in xs]
    axes = list(range(len(xs)))
    if indexing == "xy" and len(xs) > 1:
        axes[0], axes[1] = 1, 0  # input 0 varies along axis 1, input 1 along axis 0
    shape = [0] * len(xs)
    for i, a in enumerate(axes):
        shape[a] = sizes[i]
    out = []
    for i, x in enumerate(xs):
        one = [1] * len(xs)
        one[axes[i]] = sizes[i]
        out.append(Expand.apply(Reshape.apply(x, tuple(one)), tuple(shape)))
    return tuple(out)


def numel(input):
    """The number of elements of ``input`` (a Tensor), as ``torch.numel``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel: expected a Tensor, got {type(input).__name__}")
    return input.data.size


# ----- x[...] indexing --------------------------------------------------------------------


def _index_part(i, op):
    if isinstance(i, Tensor):
        i = i.data
    # a tuple or range inside the index is a sequence of indices, as a list is (NumPy's rule);
    # as an array it takes the backward that adds up repeated indices
    if isinstance(i, (list, tuple, range, np.ndarray)):
        try:
            a = np.asarray(i)
        except (ValueError, TypeError):  # NumPy: "inhomogeneous shape after 1 dimensions"
            raise op_error(
                IndexError,
                f"{op}: the index {i!r:.60} is a ragged list (rows of different lengths, or "
                "not all numbers); expected ints, or a rectangular nested list of ints",
            ) from None
        if not isinstance(i, np.ndarray) and a.size == 0:
            # np.asarray([]) is float64; an empty list selects nothing (PyTorch: shape (0,))
            a = a.astype(np.intp)
        if a.dtype.kind not in "biu":
            raise op_error(IndexError, f"{op}: indices must be integers or booleans, got {a.dtype}")
        if a.dtype == np.uint8 and isinstance(i, np.ndarray):  # a list of them: ints
            raise _uint8_index(op)
        return a
    return i  # a NumPy uint8 scalar is a plain int, in PyTorch too


def _uint8_index(op):
    # PyTorch reads a uint8 index as a (deprecated) boolean mask and NumPy as indices:
    # the same line would select different elements, silently
    return op_error(
        IndexError,
        f"{op}: a uint8 index is ambiguous (PyTorch reads it as a boolean mask, NumPy as "
        "indices); convert it: .bool() for a mask, .long() for indices",
    )


def index(x, index):
    """x[index]: ints, slices, None, Ellipsis, integer arrays and boolean masks (a list,
    tuple or range inside the index is an integer array, as in NumPy), read as PyTorch
    reads it (see :func:`torch_order`)."""
    if not isinstance(index, tuple):
        index = (index,)
    index = tuple(_index_part(i, "index") for i in index)
    for part in torch_order(index, x.ndim):
        x = GetItem.apply(x, part)
    return x


def _is_int_index(i):
    return is_int(i) or (isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype.kind in "iu")


def torch_order(index, ndim):
    """``index`` as one or two NumPy indexings, x[a] or x[a][b], that give PyTorch's x[index].

    NumPy and PyTorch place the axis of index arrays differently in two cases:

    - an int beside an array: PyTorch applies the ints first, removing their dims; NumPy
      counts them as arrays, so for x of shape (2, 3, 4), x[0, :, [1, 3]] is (3, 2) in
      PyTorch and (2, 3) in NumPy (the array axis first).  Here: x[ints][rest];
    - a ``...`` that stands for no dim: PyTorch drops it; NumPy sees the arrays on its two
      sides as apart and moves their axis to the front.  Here: it is left out.
    The first indexing holds only ints and slices, so it is a view: a write goes through.
    """
    if any(i is Ellipsis for i in index):  # not `in`: it compares arrays with ==
        used = sum(
            max(i.ndim, 1) if isinstance(i, np.ndarray) and i.dtype == np.bool_ else 1
            for i in index
            if i is not None and i is not Ellipsis
        )
        if used == ndim:
            index = tuple(i for i in index if i is not Ellipsis)
    if not any(_is_int_index(i) for i in index) or not any(
        isinstance(i, np.ndarray) and i.ndim > 0 for i in index
    ):
        return (index,)
    ints = []
    for i in index:
        if _is_int_index(i):
            ints.append(int(i))  # a 0-d array would be an index array to NumPy: a copy
        elif isinstance(i, np.ndarray) and i.dtype == np.bool_:
            ints.extend([slice(None)] * max(i.ndim, 1))  # a mask covers one dim per axis
        elif i is not None:  # None adds an axis: the rest places it
            ints.append(i if i is Ellipsis else slice(None))
    return tuple(ints), tuple(i for i in index if not _is_int_index(i))


# ----- joining and splitting: cat, stack, split, chunk, unbind ----------------------------


def _check_same_rank(op, xs, dim, new_axis):
    if not xs:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    shapes = [x.shape for x in xs]
    nd = len(shapes[0])
    if any(len(s) != nd for s in shapes):
        raise ValueError(f"{op}: tensors must have the same number of dims, got shapes {shapes}")
    d = single_dim(op, dim, nd + 1 if new_axis else nd)
    for s in shapes:
        if new_axis and s != shapes[0]:
            raise ValueError(f"{op}: tensors must have equal shapes, got {shapes}")
        if not new_axis and s[:d] + s[d + 1 :] != shapes[0][:d] + shapes[0][d + 1 :]:
            raise ValueError(f"{op}: tensors must match except in dim {d}, got shapes {shapes}")
    return d


def _common_dtype(xs):
    """xs cast to PyTorch's result dtype of them all (``result_dtype`` folded over xs):
    int64 with float32 is float32, where NumPy's ``concatenate`` gives float64."""
    acc = xs[0]
    for x in xs[1:]:
        d = result_dtype(acc, x)
        if acc.data.dtype != d:
            # the result may be neither input's dtype (uint8 with int8 → int16): an
            # empty stand-in of that dtype, with x's dims, carries it to the next step
            acc = x if x.data.dtype == d else Tensor._make(np.empty((0,) * x.ndim, d))
    d = acc.data.dtype
    # differentiable casts: each input's gradient comes back in its own dtype
    return [x if x.data.dtype == d else cast(x, d) for x in xs]


def _tensor_sequence(op, tensors):
    # iterating a single Tensor would silently join its rows
    if isinstance(tensors, (Tensor, np.ndarray)) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}"
            + (f" of shape {tensors.shape}" if hasattr(tensors, "shape") else "")
        )
    return [as_tensor(op, t) for t in tensors]


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing axis ``dim`` (or NumPy's name ``axis``); dtype as
    PyTorch's promotion."""
    if axis is not None:
        dim = _join_axis("cat", dim, axis)
    xs = _tensor_sequence("cat", tensors)
    d = _check_same_rank("cat", xs, dim, False)
    return Cat.apply(*_common_dtype(xs), dim=d)


def stack(tensors, dim=0, *, axis=None):
    """Join equal-shaped tensors along a new axis ``dim`` (or ``axis``); dtype as PyTorch's
    promotion."""
    if axis is not None:
        dim = _join_axis("stack", dim, axis)
    xs = _tensor_sequence("stack", tensors)
    d = _check_same_rank("stack", xs, dim, True)
    return Stack.apply(*_common_dtype(xs), dim=d)


def concat(tensors, dim=0, *, axis=None):
    """:func:`cat` under PyTorch's other name (NumPy's ``concatenate`` is a third)."""
    if axis is not None:
        dim = _join_axis("concat", dim, axis)
    return cat(tensors, dim)


def concatenate(tensors, dim=0, *, axis=None):
    """:func:`cat` under NumPy's name, as ``torch.concatenate``."""
    if axis is not None:
        dim = _join_axis("concatenate", dim, axis)
    return cat(tensors, dim)


def _join_axis(op, dim, axis):
    # dim defaults to 0, not None, so dim=0 with axis=... cannot be told from axis alone;
    # a dim other than 0 beside an axis is surely both given
    if dim != 0:
        return numpy_names(op, dim, False, axis, None)[0]
    return axis


def split(x, split_size_or_sections, dim=0):
    """Pieces of x along ``dim``: of size ``split_size`` each (the last may be smaller),
    or of the sizes in a list."""
    x = as_tensor("split", x)
    d = single_dim("split", dim, x.ndim)
    n = x.shape[d]
    if not (is_int(split_size_or_sections) or isinstance(split_size_or_sections, (list, tuple))):
        raise TypeError(
            f"split: split_size_or_sections must be an int or a list of ints, "
            f"got {split_size_or_sections!r}"
        )
    if is_int(split_size_or_sections):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = list(_shape_arg("split", tuple(split_size_or_sections)))  # ints, as for reshape
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {sizes} do not add up to {n}, the length of dim {d}")
    if len(sizes) <= 1:
        return (Split.apply(x, [], d)[0],) if sizes else ()
    return Split.apply(x, list(np.cumsum(sizes)[:-1]), d)


def chunk(x, chunks, dim=0):
    """Split x into ``chunks`` pieces of (nearly) equal size along ``dim``."""
    x = as_tensor("chunk", x)
    if not is_int(chunks):
        raise TypeError(f"chunk: chunks must be an int, got {chunks!r}")
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    d = single_dim("chunk", dim, x.ndim)
    return split(x, max(1, -(-x.shape[d] // chunks)), d)


def unbind(x, dim=0):
    """The slices of x along ``dim``, as a tuple, with that axis removed.

    Built from recorded ops, so no new backward: one ``Split`` into pieces of size 1,
    then a ``Reshape`` of each that drops the axis.  Backward joins the pieces'
    gradients again (zeros for a piece that got none), which is exactly dx.
    """
    x = as_tensor("unbind", x)
    d = single_dim("unbind", dim, x.ndim)
    shape = x.shape[:d] + x.shape[d + 1 :]
    return tuple(Reshape.apply(piece, shape) for piece in split(x, 1, d))


# ----- more views: narrow, movedim, swapaxes, broadcast_to, unflatten ---------------------


def _dims_in_order(op, name, dims, ndim):
    """``dims`` (an int or a sequence of ints) as non-negative axes, in the order given;
    a 0-d tensor takes dim 0 or -1, as in PyTorch."""
    dims = (dims,) if is_int(dims) else dims
    if not isinstance(dims, (tuple, list)) or not all(is_int(d) for d in dims):
        raise op_error(TypeError, f"{op}: {name} must be an int or a tuple of ints, got {dims!r}")
    return tuple(single_dim(op, d, builtins.max(ndim, 1)) for d in dims)


def narrow(input, dim, start, length):
    """x[..., start : start + length, ...] along ``dim``: a view, as slicing.

    ``start`` may be negative (counted from the end) or a 0-d integer tensor, as in PyTorch.
    """
    x = as_tensor("narrow", input)
    if x.ndim == 0:
        raise op_error(ValueError, "narrow: cannot narrow a 0-d tensor, which has no dims")
    d = single_dim("narrow", dim, x.ndim)
    if isinstance(start, Tensor) and start.ndim == 0 and start.data.dtype.kind in "iu":
        start = start.item()
    start = check_int("narrow", "start", start)
    length = check_int("narrow", "length", length)
    n = x.shape[d]
    if not -n <= start <= n:
        raise op_error(
            IndexError,
            f"narrow: start {start} out of range for dim {d} of size {n} (expected {-n} .. {n})",
        )
    if start < 0:
        start += n
    if length < 0 or start + length > n:
        raise op_error(
            ValueError,
            f"narrow: start ({start}) + length ({length}) must lie within dim {d} of size {n} "
            f"(tensor of shape {x.shape}); expected 0 <= length <= {n - start}",
        )
    return GetItem.apply(x, (slice(None),) * d + (slice(start, start + length),))


def movedim(input, source, destination):
    """x with the axes ``source`` moved to the places ``destination`` (ints or equally long
    tuples); the other axes keep their order."""
    return _move("movedim", input, source, destination)


def moveaxis(input, source, destination):
    """:func:`movedim` under NumPy's name."""
    return _move("moveaxis", input, source, destination)


def _move(op, input, source, destination):
    x = as_tensor(op, input)
    src = _dims_in_order(op, "source", source, x.ndim)
    dst = _dims_in_order(op, "destination", destination, x.ndim)
    if len(src) != len(dst):
        raise op_error(
            ValueError,
            f"{op}: source {source} and destination {destination} must name as many dims",
        )
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise op_error(ValueError, f"{op}: {name} {dims} repeats a dim")
    if x.ndim == 0:
        return Permute.apply(x, ())
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):  # filled from the left, each lands at its place
        order.insert(d, s)
    return Permute.apply(x, tuple(order))


def swapaxes(input, axis0, axis1):
    """``transpose(x, axis0, axis1)``, under NumPy's name."""
    return _swap("swapaxes", input, axis0, axis1)


def swapdims(input, dim0, dim1):
    """``transpose(x, dim0, dim1)``, under another name."""
    return _swap("swapdims", input, dim0, dim1)


def broadcast_to(input, size):
    """x broadcast to shape ``size`` without copying (a read-only view), as ``expand``; -1
    keeps an axis.  The gradient sums over the broadcast axes."""
    x = as_tensor("broadcast_to", input)
    shape = _shape_arg("broadcast_to", (size,))
    lead = len(shape) - x.ndim
    target = tuple(x.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
    fits = lead >= 0 and all(
        n >= 0 and x.shape[i - lead] in (1, n) for i, n in enumerate(target) if i >= lead
    )
    if not fits or any(n < 0 for n in target):
        raise op_error(
            ValueError,
            f"broadcast_to: cannot broadcast shape {x.shape} to {shape}; expected each dim of "
            "the input to be 1 or the target's size (the target may add dims in front)",
        )
    return Expand.apply(x, target)


def unflatten(input, dim, sizes):
    """Dim ``dim`` of x split into dims of ``sizes`` (their product must be its size; one
    may be -1, inferred): (2, 12) unflattened at dim 1 into (3, 4) is (2, 3, 4)."""
    x = as_tensor("unflatten", input)
    d = single_dim("unflatten", dim, x.ndim)
    sizes = _shape_arg("unflatten", (sizes,))
    n = x.shape[d]
    if not sizes:
        raise op_error(ValueError, "unflatten: sizes must be non-empty")
    known = int(np.prod([s for s in sizes if s != -1]))
    if any(s < -1 for s in sizes) or sizes.count(-1) > 1:
        raise op_error(
            ValueError,
            f"unflatten: invalid sizes {sizes}: sizes must be >= 0, except one that may be -1",
        )
    if -1 in sizes and known == 0:
        raise op_error(
            ValueError, f"unflatten: the -1 in sizes {sizes} cannot be inferred: the others are 0"
        )
    if (n % known != 0) if -1 in sizes else (n != known):
        raise op_error(
            ValueError,
            f"unflatten: sizes {sizes} do not multiply up to {n}, the size of dim {d} of the "
            f"input of shape {x.shape}",
        )
    sizes = tuple(n // known if s == -1 else s for s in sizes)
    return Reshape.apply(x, x.shape[:d] + sizes + x.shape[d + 1 :])
