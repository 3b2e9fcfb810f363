"""Tensor's methods that move values: shapes and views, rearranging copies, sorting,
selection by index (``t.view(2, 3)``, ``t.flip(0)``, ``t.sort()``, ``t.gather(1, i)``, ...),
each ``minidl.<op>(t, ...)``, as the mixin ``TensorShape``."""

import numpy as np

from minidl._checks import is_int


class TensorShape:
    """See the module docstring (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()  # Tensor has __slots__: a mixin without them would give tensors a __dict__

    # ----- shapes and views (minidl/ops/shape.py)
    def reshape(self, *shape):
        return _ops.reshape(self, *shape)

    def reshape_as(self, other):
        """This tensor reshaped to ``other``'s shape."""
        return _ops.reshape(self, *other.shape)

    def view(self, *shape):
        """The same memory seen with another shape; like PyTorch, an error where that needs a
        copy (a transposed or permuted tensor): ``reshape`` copies then."""
        return _checked_view("view", self, _ops.reshape(self, *shape))

    def view_as(self, other):
        """This tensor viewed with ``other``'s shape (``view``)."""
        return _checked_view("view_as", self, _ops.reshape(self, *other.shape))

    def is_contiguous(self):
        """True if the elements lie in memory in row-major order (C order), as ``view`` needs."""
        return bool(self.data.flags.c_contiguous)

    def contiguous(self):
        """This tensor if its array is C-contiguous, else a recorded copy (``clone``)."""
        return self if self.data.flags.c_contiguous else self.clone()

    def expand(self, *shape):
        return _ops.expand(self, *shape)

    def expand_as(self, other):
        """This tensor broadcast to ``other``'s shape (``expand``)."""
        return _ops.expand(self, *other.shape)

    def broadcast_to(self, *shape):
        """``x.broadcast_to(2, 3)`` or ``x.broadcast_to((2, 3))``, as ``minidl.broadcast_to``."""
        return _ops.broadcast_to(self, shape[0] if len(shape) == 1 else shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return _ops.unflatten(self, dim, sizes)

    def transpose(self, dim0, dim1):
        return _ops.transpose(self, dim0, dim1)

    def t(self):
        """The transpose of a matrix (a tensor of ≤ 2 dims; 0-d and 1-d come back as a view of
        the same values, as in PyTorch)."""
        if self.data.ndim > 2:
            raise ValueError(
                f"t: expects a tensor of at most 2 dims, got shape {self.shape}; "
                "use transpose(dim0, dim1) or permute"
            )
        return _ops.transpose(self, 0, -1)  # ≤ 1 dim: a recorded view, as PyTorch's

    @property
    def mT(self):
        """The last two dims swapped (a batch of matrices transposed); a 0-d tensor as it is."""
        if self.data.ndim == 1:
            raise ValueError(
                f"mT: expects a matrix or a batch of matrices (at least 2 dims), got shape "
                f"{self.shape}"
            )
        return _ops.transpose(self, -2, -1) if self.data.ndim else self

    def permute(self, *dims):
        return _ops.permute(self, *dims)

    def squeeze(self, dim=None):
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _ops.unsqueeze(self, dim)

    def movedim(self, source, destination):
        return _ops.movedim(self, source, destination)

    def moveaxis(self, source, destination):
        return _ops.moveaxis(self, source, destination)

    def swapaxes(self, axis0, axis1):
        return _ops.swapaxes(self, axis0, axis1)

    def swapdims(self, dim0, dim1):
        return _ops.swapdims(self, dim0, dim1)

    def split(self, split_size_or_sections, dim=0):
        return _ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _ops.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _ops.unbind(self, dim)

    def narrow(self, dim, start, length):
        return _ops.narrow(self, dim, start, length)

    # ----- copies that rearrange values (minidl/ops/arrange.py)
    def flip(self, *dims, **kwargs):
        return _ops.flip(self, *dims, **kwargs)  # dims=[...] as a keyword too

    def roll(self, shifts, dims=None):
        return _ops.roll(self, shifts, dims)

    def repeat(self, *sizes):
        """Tiled ``sizes[i]`` times along axis i; extra leading sizes add axes."""
        return _ops.repeat(self, *sizes)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return _ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, *dims):
        """``x.tile(2, 3)`` or ``x.tile((2, 3))``, as ``minidl.tile``."""
        return _ops.tile(self, dims[0] if len(dims) == 1 and not is_int(dims[0]) else dims)

    def tril(self, diagonal=0):
        return _ops.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _ops.triu(self, diagonal)

    def diag(self, diagonal=0):
        return _ops.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _ops.diagonal(self, offset, dim1, dim2)

    def trace(self):
        return _ops.trace(self)

    # ----- sorting and search (minidl/ops/sort.py, minidl/ops/search.py)
    def sort(self, dim=-1, descending=False, *, stable=False):
        return _ops.sort(self, dim, descending, stable=stable)

    def argsort(self, dim=-1, descending=False, *, stable=False):
        return _ops.argsort(self, dim, descending, stable=stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _ops.topk(self, k, dim, largest, sorted)

    def nonzero(self, *, as_tuple=False):
        return _ops.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    # ----- selection and writes by index tensors (ops/indexing.py, ops/scatter.py)
    def gather(self, dim, index):
        return _ops.gather(self, dim, index)

    def index_select(self, dim, index):
        return _ops.index_select(self, dim, index)

    def masked_select(self, mask):
        return _ops.masked_select(self, mask)

    def take(self, index):
        return _ops.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _ops.take_along_dim(self, indices, dim)

    def scatter(self, dim, index, src=None, *, value=None):
        return _ops.scatter(self, dim, index, src, value=value)

    def scatter_add(self, dim, index, src):
        return _ops.scatter_add(self, dim, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        return _ops.index_add(self, dim, index, source, alpha=alpha)

    def index_fill(self, dim, index, value):
        return _ops.index_fill(self, dim, index, value)

    def index_copy(self, dim, index, source):
        return _ops.index_copy(self, dim, index, source)


def _checked_view(op, t, out):
    """``out`` (t reshaped) if it shares t's memory; else the error PyTorch gives, as the
    copy reshape made would silently stop sharing memory with t."""
    if out.data.size and not np.may_share_memory(out.data, t.data):
        raise RuntimeError(
            f"{op}: a tensor of shape {t.shape} whose elements are not in row-major order in "
            f"memory (after .t(), .permute(), a strided slice, ...) cannot be seen as shape "
            f"{out.shape} without a copy; use .reshape(...) (it copies when it must) or "
            ".contiguous().view(...), as in PyTorch"
        )
    return out


def _import_late():
    """Import what the methods call that imports minidl.tensor.  minidl.tensor imports this
    module for Tensor's bases, before Tensor exists, and calls this once it does."""
    global _ops
    from minidl import ops as _ops
