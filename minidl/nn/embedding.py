"""Embedding: a lookup table of learnable vectors, indexed by integer ids."""

import numpy as np

from minidl.autograd import Function, no_grad
from minidl.nn import init
from minidl.nn.module import Module, Parameter
from minidl.ops.elementwise import as_tensor
from minidl.tensor import Tensor, as_array, check_device, check_int, get_default_dtype, is_int

__all__ = ["EmbeddingLookup", "embedding", "Embedding"]


class EmbeddingLookup(Function):
    """y[…] = W[idx[…]],  W: (V, D), idx: any shape of ints -> y: idx.shape + (D,)

    dW[v] = Σ over the positions where idx = v of dy   (dW[padding_idx] = 0)

    The sum is one ``np.add.at`` on the flattened table, element (v, j) at
    v·D + j: NumPy's 1-D fast path, several times quicker than adding rows.
    """

    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.save_for_backward(indices)
        ctx.shape, ctx.padding_idx = weight.shape, padding_idx
        return np.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        D = ctx.shape[1]
        dw = np.zeros(ctx.shape, grad.dtype)
        # in the platform's index type: v·D computed in uint8 or int16 ids would wrap around
        rows = indices.astype(np.intp, copy=False).reshape(-1, 1)
        flat = (rows * D + np.arange(D)).reshape(-1)
        np.add.at(dw.reshape(-1), flat, grad.reshape(-1))
        if ctx.padding_idx is not None:
            dw[ctx.padding_idx] = 0
        return dw, None, None


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


def embedding(input, weight, padding_idx=None):
    """Rows of ``weight`` (V, D) picked by the integer ids ``input`` (any shape)."""
    weight = as_tensor("embedding", weight)
    if weight.ndim != 2:
        raise ValueError(
            f"embedding: weight must be 2-D (num_embeddings, embedding_dim), "
            f"got shape {weight.shape}"
        )
    idx = check_indices(input, weight.shape[0], "embedding")
    padding_idx = _check_padding_idx(padding_idx, weight.shape[0], "embedding")
    # the Tensor itself, if given: backward can then tell when its ids were overwritten
    return EmbeddingLookup.apply(weight, input if isinstance(input, Tensor) else idx, padding_idx)


class Embedding(Module):
    """A table ``weight`` of shape (num_embeddings, embedding_dim), initialised N(0, 1).

    ``padding_idx`` names a row that starts at zero and never gets a gradient
    (the id used to pad sequences to a common length).
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, dtype=None, *, device=None):
        super().__init__()
        check_device("Embedding", device)  # PyTorch's device=: "cpu" is minidl's only device
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
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
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
        layer = cls(0, dim, dtype=table.dtype)  # an empty table: no draws from the generator
        layer.num_embeddings = num
        layer.padding_idx = _check_padding_idx(padding_idx, num, "Embedding.from_pretrained")
        layer.weight = Parameter(table.copy(), requires_grad=not freeze)
        return layer

    def forward(self, input):
        # the table's rows, not num_embeddings: a weight assigned later may have another size
        idx = check_indices(input, self.weight.shape[0], "Embedding")
        ids = input if isinstance(input, Tensor) else idx  # see embedding()
        return EmbeddingLookup.apply(self.weight, ids, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s if self.padding_idx is None else s + f", padding_idx={self.padding_idx}"
