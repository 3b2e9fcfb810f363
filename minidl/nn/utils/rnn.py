"""Sequences of different lengths in one batch, as ``torch.nn.utils.rnn``.

A batch of B sentences of lengths L_1 … L_B is stored either *padded*, one
(T, B, *) tensor with T = max L_b and filler after each sentence's end, or
*packed*: the steps of all sentences, time step by time step, with no filler::

    lengths 3, 2, 1  (sorted longest first)
    padded  t=0: a0 b0 c0     packed data:  a0 b0 c0 a1 b1 a2
            t=1: a1 b1 -      batch_sizes:  3, 2, 1   (sentences still running at t)
            t=2: a2 -  -

An ``LSTM`` / ``GRU`` / ``RNN`` given a :class:`PackedSequence` runs each
sentence for its own length only: its ``h_n`` is the state after the
sentence's last real token, not after the filler (which a classifier reading
``h_n`` would otherwise see).  Every function here is built from recorded
indexing and concatenation, so gradients flow through it back to the padded
tensor (and from there to an ``Embedding``).
"""

from typing import NamedTuple

import numpy as np

from minidl import ops
from minidl.ops.elementwise import as_tensor, cast, result_dtype
from minidl.tensor import Tensor, check_bool, is_int, is_real

__all__ = [
    "PackedSequence",
    "pad_sequence",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pack_sequence",
    "unpad_sequence",
    "unpack_sequence",
]


class PackedSequence(NamedTuple):
    """A packed batch, as PyTorch's: ``data`` (Σ L_b, *) holds the sentences' steps
    time-major; ``batch_sizes`` (T,) int64 counts the sentences still running at
    each step; ``sorted_indices`` orders the batch longest first (None when it was
    given sorted) and ``unsorted_indices`` undoes that order."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _int_tensor(values):
    return Tensor._make(np.asarray(values, dtype=np.int64))


def _lengths(op, lengths):
    """``lengths`` (a list, array or tensor of ints) as an int64 array (B,)."""
    if isinstance(lengths, Tensor):
        lengths = lengths.data
    arr = np.asarray(lengths)
    if arr.ndim == 1 and arr.size == 0:  # np.asarray([]) is float64: no length is no float
        return arr.astype(np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        if arr.ndim == 1 and arr.size and all(is_int(v) for v in arr.tolist()):
            arr = arr.astype(np.int64)  # a list of Python ints and NumPy ints
        else:
            raise TypeError(
                f"{op}: lengths must be a 1-D sequence of ints (one per sequence), "
                f"got {arr.dtype} of shape {arr.shape}"
            )
    return arr.astype(np.int64, copy=False)


def _grid_gather(sequences, index):
    """``cat(sequences + [filler row])[index]``: one recorded gather; ``index`` (T, B) holds
    a row of the concatenation, or its length (the filler row) where there is none."""
    return ops.cat(sequences, dim=0)[_int_tensor(index)]


def _filler(op, like, value):
    """One row of ``value``, shaped as a step of ``like`` (1, *) and of its dtype.

    A value the dtype cannot hold is refused, as in PyTorch: NumPy would store NaN as
    −2⁶³ in an int64 tensor, −1 as 255 in a uint8 one and 1e10 as inf in float16.
    """
    if not (is_real(value) or isinstance(value, (bool, np.bool_))):
        raise TypeError(f"{op}: padding_value must be a number, got {type(value).__name__}")
    dtype = like.dtype
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not (np.isfinite(value) and info.min <= value <= info.max):
            raise OverflowError(
                f"{op}: padding_value {value!r} cannot be stored in the sequences' dtype "
                f"{dtype} (range {info.min} .. {info.max})"
            )
    elif dtype.kind == "f" and np.isfinite(value) and abs(value) > float(np.finfo(dtype).max):
        raise OverflowError(
            f"{op}: padding_value {value!r} does not fit in the sequences' dtype {dtype} "
            f"(largest {np.finfo(dtype).max:g}): it would become inf"
        )
    return Tensor._make(np.full((1, *like.shape[1:]), value, dtype=dtype))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes (L_b, *) into one (T, B, *) tensor, T = max L_b
    ((B, T, *) with ``batch_first``), ``padding_value`` after each sequence's end
    (before its start with ``padding_side="left"``)."""
    op = "pad_sequence"
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = [as_tensor(op, s) for s in sequences]
    if not sequences:
        raise ValueError(f"{op}: received an empty list of sequences")
    batch_first = check_bool(op, "batch_first", batch_first)
    if padding_side not in ("right", "left"):
        raise ValueError(f"{op}: padding_side must be 'right' or 'left', got {padding_side!r}")
    tail, dtype = sequences[0].shape[1:], sequences[0].dtype
    for b, s in enumerate(sequences):
        if s.ndim == 0 or s.shape[1:] != tail:
            raise ValueError(
                f"{op}: sequence {b} has shape {s.shape}; every sequence must be "
                f"(L, *{tail}), as sequence 0"
            )
        if s.dtype != dtype:
            # PyTorch writes every sequence into a tensor of sequence 0's dtype.  Followed
            # where that is also what promotion gives (an int64 or float16 sequence beside a
            # float32 sequence 0); refused where it would silently truncate or narrow
            # (floats into an int64 sequence 0: 1.5 -> 1, float64 into float32, int64 into
            # int32), as the answer would then depend on which sequence comes first
            if result_dtype(sequences[0], s) != dtype:
                raise TypeError(
                    f"{op}: sequence {b} has dtype {s.dtype} but sequence 0 has {dtype}; "
                    f"PyTorch would convert it to {dtype} (sequence 0's dtype), which "
                    f"can lose values or precision; convert the sequences to one dtype first "
                    f"(e.g. s.to(minidl.{result_dtype(sequences[0], s)}))"
                )
            sequences[b] = cast(s, dtype)
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    T = int(lengths.max())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    t = np.arange(T)[:, None]
    offset = t if padding_side == "right" else t - (T - lengths)[None, :]
    index = np.where((offset >= 0) & (offset < lengths), starts + offset, lengths.sum())
    filler = _filler(op, sequences[0], padding_value)
    out = _grid_gather(sequences + [filler], index)
    return out.transpose(0, 1) if batch_first else out


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch ((B, T, *) with ``batch_first``) whose sequence b
    has ``lengths[b]`` real steps.  With ``enforce_sorted`` the lengths must be
    non-increasing; otherwise the batch is sorted longest first, and the order is
    kept in ``sorted_indices`` / ``unsorted_indices``."""
    op = "pack_padded_sequence"
    x = as_tensor(op, input)
    batch_first = check_bool(op, "batch_first", batch_first)
    enforce_sorted = check_bool(op, "enforce_sorted", enforce_sorted)
    lengths = _lengths(op, lengths)
    if x.ndim < 2:
        raise ValueError(
            f"{op}: input must be at least 2-D, {'(B, T, *)' if batch_first else '(T, B, *)'}; "
            f"got shape {x.shape}"
        )
    T, B = (x.shape[1], x.shape[0]) if batch_first else (x.shape[0], x.shape[1])
    if len(lengths) != B:
        raise ValueError(
            f"{op}: got {len(lengths)} lengths for a batch of {B} sequences "
            f"(input of shape {x.shape}, batch_first={batch_first})"
        )
    if B == 0:
        raise ValueError(f"{op}: the batch is empty (input of shape {x.shape}); nothing to pack")
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(
            f"{op}: every length must be in [1, {T}] (the input's {T} steps), "
            f"got lengths {lengths.tolist()}"
        )
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise ValueError(
                f"{op}: lengths {lengths.tolist()} are not sorted longest first; sort the batch, "
                "or pass enforce_sorted=False to have it sorted (and the order kept)"
            )
        order, sorted_indices, unsorted_indices = np.arange(B), None, None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = _int_tensor(order)
        unsorted_indices = _int_tensor(np.argsort(order))
    sizes = _batch_sizes(lengths[order])
    steps, rows = _packed_rows(sizes)
    rows = order[rows]  # the batch's own order
    index = (rows, steps) if batch_first else (steps, rows)
    data = x[tuple(_int_tensor(i) for i in index)]
    return PackedSequence(data, _int_tensor(sizes), sorted_indices, unsorted_indices)


def _batch_sizes(sorted_lengths):
    """n_t = #{b : L_b > t} for t < max L, from lengths sorted longest first."""
    return (sorted_lengths[None, :] > np.arange(sorted_lengths[0])[:, None]).sum(axis=1)


def _check_packed(op, sequence):
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{op}: expected a PackedSequence, got {type(sequence).__name__}")
    sizes = np.asarray(sequence.batch_sizes.data, dtype=np.int64)
    data = as_tensor(op, sequence.data)
    if (
        sizes.ndim != 1
        or sizes.size == 0
        or sizes[-1] < 1
        or np.any(np.diff(sizes) > 0)
        or data.ndim < 1
        or data.shape[0] != sizes.sum()
    ):
        raise ValueError(
            f"{op}: batch_sizes {sizes.tolist()} and data of shape {data.shape} do not form a "
            "PackedSequence (non-increasing counts >= 1 that sum to data's length)"
        )
    return data, sizes


def _packed_rows(sizes):
    """(t, j) of each row of a packed ``data``: its step, and its place in the sorted batch."""
    steps = np.repeat(np.arange(len(sizes)), sizes)
    return steps, np.concatenate([np.arange(n) for n in sizes])


def _sorted_lengths(sizes):
    """L_j = #{t : n_t > j} of the sorted batch j = 0 … B−1, from ``batch_sizes``."""
    sizes = np.asarray(sizes)
    return (sizes[None, :] > np.arange(sizes[0])[:, None]).sum(axis=1)


def _padded_sorted(sequence, op, padding_value=0.0):
    """(x (T, B, *) with ``padding_value`` past each end, lengths (B,)), the batch
    in the packed (longest first) order; what the recurrent layers run on."""
    data, sizes = _check_packed(op, sequence)
    lengths = _sorted_lengths(sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    j = np.arange(sizes[0])[None, :]
    index = np.where(j < sizes[:, None], offsets[:, None] + j, data.shape[0])
    out = _grid_gather([data, _filler(op, data, padding_value)], index)
    return out, lengths, sizes


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: ``(padded, lengths)``, padded (T, B, *)
    ((B, T, *) with ``batch_first``) in the batch's original order, T = the longest
    length or ``total_length``; lengths an int64 tensor (B,)."""
    op = "pad_packed_sequence"
    batch_first = check_bool(op, "batch_first", batch_first)
    out, lengths, sizes = _padded_sorted(sequence, op, padding_value)
    T = len(sizes)
    if total_length is not None:
        if not is_int(total_length) or total_length < T:
            raise ValueError(
                f"{op}: total_length must be an int at least the longest length {T}, "
                f"got {total_length!r}"
            )
        if total_length > T:
            more = Tensor._make(
                np.full((total_length - T, *out.shape[1:]), padding_value, out.dtype)
            )
            out = ops.cat([out, more], dim=0)
    if sequence.unsorted_indices is not None:
        unsorted = as_tensor(op, sequence.unsorted_indices)
        out = out[:, unsorted]
        lengths = lengths[unsorted.data]
    return (out.transpose(0, 1) if batch_first else out), _int_tensor(lengths)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_b, *): ``pack_padded_sequence`` of their ``pad_sequence``."""
    sequences = [as_tensor("pack_sequence", s) for s in sequences]
    lengths = [s.shape[0] if s.ndim else 0 for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of B tensors (L_b, *) of a padded (T, B, *) batch ((B, T, *) with
    ``batch_first``): sequence b's first ``lengths[b]`` steps."""
    op = "unpad_sequence"
    x = as_tensor(op, padded_sequences)
    batch_first = check_bool(op, "batch_first", batch_first)
    lengths = _lengths(op, lengths)
    if x.ndim < 2:
        raise ValueError(f"{op}: padded_sequences must be at least 2-D, got shape {x.shape}")
    if not batch_first:
        x = x.transpose(0, 1)
    if (
        len(lengths) != x.shape[0]
        or lengths.min(initial=0) < 0
        or lengths.max(initial=0) > x.shape[1]
    ):
        raise ValueError(
            f"{op}: lengths {lengths.tolist()} for {x.shape[0]} sequences of at most "
            f"{x.shape[1]} steps: expected one length in [0, {x.shape[1]}] per sequence"
        )
    return [x[b, : int(n)] for b, n in enumerate(lengths)]


def unpack_sequence(packed_sequences):
    """The list of tensors (L_b, *) a PackedSequence holds, in the batch's original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
