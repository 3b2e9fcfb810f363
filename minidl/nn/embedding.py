"""Embedding: a lookup table of learnable vectors, indexed by integer ids."""

import numpy as np

from minidl.autograd import Function, no_grad, note_write
from minidl.nn import init
from minidl.nn.module import Module, Parameter
from minidl.ops.elementwise import as_tensor
from minidl.tensor import (
    Tensor,
    as_array,
    check_bool,
    check_device,
    check_int,
    get_default_dtype,
    is_int,
    is_real,
)

__all__ = ["EmbeddingLookup", "embedding", "Embedding"]


class EmbeddingLookup(Function):
    """y[…] = W[idx[…]],  W: (V, D), idx: any shape of ints -> y: idx.shape + (D,)

    dW[v] = Σ over the positions where idx = v of dy   (dW[padding_idx] = 0)

    With ``scale_grad_by_freq``, each position's dy is divided by how often its id
    occurs in ``idx`` (PyTorch's option: frequent words get smaller steps; deliberately
    not the derivative, so gradcheck does not apply to it).

    The sum is one ``np.add.at`` on the flattened table, element (v, j) at
    v·D + j: NumPy's 1-D fast path, several times quicker than adding rows.
    """

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq=False):
        ctx.save_for_backward(indices)
        ctx.shape, ctx.padding_idx = weight.shape, padding_idx
        ctx.by_freq = scale_grad_by_freq
        return np.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        D = ctx.shape[1]
        dw = np.zeros(ctx.shape, grad.dtype)
        # in the platform's index type: v·D computed in uint8 or int16 ids would wrap around
        rows = indices.astype(np.intp, copy=False).reshape(-1, 1)
        flat = (rows * D + np.arange(D)).reshape(-1)
        g = grad.reshape(len(rows), D)  # not (-1, D): D = 0 leaves -1 undetermined
        if ctx.by_freq:
            counts = np.bincount(rows.reshape(-1), minlength=ctx.shape[0])
            g = g / counts[rows].astype(grad.dtype)
        np.add.at(dw.reshape(-1), flat, g.reshape(-1))
        if ctx.padding_idx is not None:
            dw[ctx.padding_idx] = 0
        return (dw, None, None, None)[: len(ctx.needs_input_grad)]


def check_indices(indices, num_embeddings, op):
    """The ids as an integer array, each in [0, num_embeddings), or an error naming ``op``.

    Ids given as a NumPy array are copied: backward reads them again, and a caller that
    refills its array before backward would otherwise move the gradient to other rows
    silently (a Tensor's ids are kept, and a write into them is caught by backward)."""
    idx = indices.data if isinstance(indices, Tensor) else np.array(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: indices must be integers (int64), got dtype {idx.dtype}; "
            "use x.long() if they hold token ids"
        )
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        bad = lo if lo < 0 else hi if hi >= num_embeddings else None
        if bad is not None:
            raise IndexError(
                f"{op}: index {bad} out of range for {num_embeddings} embeddings "
                f"(expected 0 <= index < {num_embeddings})"
            )
    return idx


def _check_padding_idx(padding_idx, num_embeddings, op):
    """``padding_idx`` in [0, V) (negative counts from the end), None, or an error."""
    if padding_idx is None:
        return None
    if not is_int(padding_idx):
        raise TypeError(
            f"{op}: padding_idx must be an int (a row of the table) or None, "
            f"got {padding_idx!r} ({type(padding_idx).__name__})"
        )
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(
            f"{op}: padding_idx {padding_idx} out of range for {num_embeddings} embeddings "
            f"(expected {-num_embeddings} <= padding_idx < {num_embeddings})"
        )
    return int(padding_idx) % num_embeddings


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Rows of ``weight`` (V, D) picked by the integer ids ``input`` (any shape).

    ``max_norm``: first, every row looked up whose ``norm_type``-norm exceeds it is
    scaled, in place in ``weight``, to norm ``max_norm`` (PyTorch's renormalisation).
    ``scale_grad_by_freq``: see :class:`EmbeddingLookup`.  ``sparse`` gradients do not
    exist in minidl (``sparse=True`` is an error)."""
    weight = as_tensor("embedding", weight)
    if weight.ndim != 2:
        raise ValueError(
            f"embedding: weight must be 2-D (num_embeddings, embedding_dim), "
            f"got shape {weight.shape}"
        )
    idx = check_indices(input, weight.shape[0], "embedding")
    padding_idx = _check_padding_idx(padding_idx, weight.shape[0], "embedding")
    by_freq = _check_options("embedding", max_norm, norm_type, scale_grad_by_freq, sparse)
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
    # the Tensor itself, if given: backward can then tell when its ids were overwritten
    ids = input if isinstance(input, Tensor) else idx
    return EmbeddingLookup.apply(weight, ids, padding_idx, by_freq)


def _check_options(op, max_norm, norm_type, scale_grad_by_freq, sparse):
    if max_norm is not None and (not is_real(max_norm) or not max_norm > 0):
        raise ValueError(f"{op}: max_norm must be None or a number > 0, got {max_norm!r}")
    if not is_real(norm_type) or not norm_type > 0:
        raise ValueError(f"{op}: norm_type must be a number > 0, got {norm_type!r}")
    if check_bool(op, "sparse", sparse):
        raise ValueError(f"{op}: sparse=True: minidl has no sparse gradients (use sparse=False)")
    return check_bool(op, "scale_grad_by_freq", scale_grad_by_freq)


def _renorm(weight, idx, max_norm, norm_type):
    """Rows of ``weight`` used by ``idx`` with norm > max_norm scaled to max_norm, in place
    (outside the graph, as PyTorch's ``embedding_renorm_``; 1e-7 as PyTorch adds)."""
    rows = np.unique(idx)
    table = weight.data
    norms = np.linalg.norm(table[rows].astype(np.float64), ord=float(norm_type), axis=1)
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(table.dtype)
        table[rows[over]] *= scale[:, None]
        note_write(weight)


class Embedding(Module):
    """A table ``weight`` of shape (num_embeddings, embedding_dim), initialised N(0, 1).

    ``padding_idx`` names a row that starts at zero and never gets a gradient
    (the id used to pad sequences to a common length).
    """

    def __init__(
        self,
        num_embeddings,
        embedding_dim,
        padding_idx=None,
        max_norm=None,
        norm_type=2.0,
        scale_grad_by_freq=False,
        sparse=False,
        *,  # torch's next positionals are its private _weight, _freeze
        device=None,
        dtype=None,
    ):
        super().__init__()
        check_device("Embedding", device)  # PyTorch's device=: "cpu" is minidl's only device
        _check_options("Embedding", max_norm, norm_type, scale_grad_by_freq, sparse)
        self.max_norm, self.norm_type = max_norm, float(norm_type)
        self.scale_grad_by_freq, self.sparse = bool(scale_grad_by_freq), False
        num_embeddings = check_int("Embedding", "num_embeddings", num_embeddings, 0)
        embedding_dim = check_int("Embedding", "embedding_dim", embedding_dim, 0)
        padding_idx = _check_padding_idx(padding_idx, num_embeddings, "Embedding")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.weight = Parameter(
            np.empty(
                (num_embeddings, embedding_dim),
                get_default_dtype() if dtype is None else np.dtype(dtype),
            )
        )
        init.normal_(self.weight)
        if padding_idx is not None:
            with no_grad():
                self.weight[padding_idx] = 0

    @classmethod
    def from_pretrained(
        cls,
        embeddings,
        freeze=True,
        padding_idx=None,
        max_norm=None,
        norm_type=2.0,
        scale_grad_by_freq=False,
        sparse=False,
    ):
        """An Embedding whose table is a copy of ``embeddings`` (V, D), e.g. word vectors.

        ``freeze=True`` (PyTorch's default) keeps the table fixed: ``requires_grad`` is
        False, so optimizers leave it alone.  The padding row is kept as given, as in PyTorch.
        """
        table = as_array(embeddings, op="Embedding.from_pretrained")
        if table.ndim != 2 or table.dtype.kind != "f":
            raise ValueError(
                "Embedding.from_pretrained: embeddings must be a 2-D float table "
                f"(num_embeddings, embedding_dim), got shape {table.shape} dtype {table.dtype}"
            )
        num, dim = table.shape
        # an empty table: no draws from the generator
        layer = cls(
            0,
            dim,
            dtype=table.dtype,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
        )
        layer.num_embeddings = num
        layer.padding_idx = _check_padding_idx(padding_idx, num, "Embedding.from_pretrained")
        layer.weight = Parameter(table.copy(), requires_grad=not freeze)
        return layer

    def forward(self, input):
        # the table's rows, not num_embeddings: a weight assigned later may have another size
        idx = check_indices(input, self.weight.shape[0], "Embedding")
        if self.max_norm is not None:
            _renorm(self.weight, idx, self.max_norm, self.norm_type)
        ids = input if isinstance(input, Tensor) else idx  # see embedding()
        return EmbeddingLookup.apply(self.weight, ids, self.padding_idx, self.scale_grad_by_freq)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s
