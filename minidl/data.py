"""Datasets and the ``DataLoader`` that cuts them into (shuffled) batches.

The loader decides which data each optimizer step sees, which is all that
separates the document's gradient descent from SGD (§3.3 eqs. 2, 3)::

    DataLoader(ds, batch_size=len(ds))             # GD: the full batch each step
    DataLoader(ds, batch_size=1, shuffle=True)     # SGD: one random sample each step
"""

import numpy as np

from minidl._checks import check_int
from minidl.convert import as_array
from minidl.ops.shape import stack
from minidl.random import generator
from minidl.tensor import Tensor

_shared_generator = generator  # random_split's `generator` argument (PyTorch's name) hides it

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "default_collate"]


class Dataset:
    """A map-style dataset: ``len(ds)`` samples, ``ds[i]`` the i-th (e.g. an (x, y) pair).

    Subclass it and define ``__len__`` and ``__getitem__``.
    """

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")


class TensorDataset(Dataset):
    """Samples are rows: ``ds[i] = (t[i] for t in tensors)``; all tensors share dim 0.

    ``TensorDataset(X, y)`` with X: (N, ...), y: (N, ...) -> ``ds[i] = (X[i], y[i])``.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        arrays = [as_array(t, op="TensorDataset") for t in tensors]
        for a in arrays:
            if a.ndim == 0:
                raise ValueError("TensorDataset: a 0-d tensor has no samples along dim 0")
        lengths = [a.shape[0] for a in arrays]
        if len(set(lengths)) != 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(
                f"TensorDataset: all tensors need the same length along dim 0, got shapes {shapes}"
            )
        self.tensors = tuple(Tensor._make(a) for a in arrays)

    def __len__(self):
        return self.tensors[0].data.shape[0]

    def __getitem__(self, index):
        try:
            # with ...: a row of a 1-D tensor is a 0-d view, as PyTorch's, not a copy
            where = (*index, ...) if isinstance(index, tuple) else (index, ...)
            return tuple(Tensor._make(t.data[where]) for t in self.tensors)
        except IndexError as e:
            raise IndexError(
                f"TensorDataset: index {index!r} is invalid for a dataset of {len(self)} "
                f"samples: {e}"
            ) from None


def default_collate(samples):
    """Stack a list of samples into a batch, field by field.

    Tensors, arrays and numbers are stacked along a new dim 0 into one Tensor;
    tuples/lists are collated per position (a tuple back), dicts per key, and
    strings (or bytes) are kept as a list, as in PyTorch.  Python floats become
    minidl's default float dtype (float32), and ints mixed with floats promote to
    it too; PyTorch differs here: it gives float64 when the first sample is a
    Python float.  NumPy arrays and scalars keep their dtype.
    """
    if len(samples) == 0:
        raise ValueError("default_collate: got no samples; a batch needs at least one")
    first = samples[0]
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise ValueError("DataLoader: samples have different numbers of fields")
        return tuple(default_collate(list(field)) for field in zip(*samples))
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if isinstance(first, (str, bytes)):
        if not all(isinstance(s, type(first)) for s in samples):
            kinds = sorted({type(s).__name__ for s in samples})
            raise TypeError(
                f"DataLoader: a field holds {type(first).__name__} in some samples but "
                f"{', '.join(kinds)} across the batch; expected the same kind in every sample"
            )
        return list(samples)
    arrays = [as_array(s, op="DataLoader") for s in samples]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(
            f"DataLoader: cannot stack samples of different shapes {sorted(shapes)}; "
            "pad them first or pass a collate_fn"
        )
    if len({a.dtype for a in arrays}) == 1:
        return Tensor._make(np.stack(arrays))
    # mixed dtypes, e.g. the int 3 beside the float 2.5: minidl's promotion (float32 for
    # Python numbers), where np.stack would give float64
    return stack([Tensor._make(a) for a in arrays])


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in order: ``sub[i] = dataset[indices[i]]``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = [check_int("Subset", "an index", i) for i in indices]

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, i):
        return self.dataset[self.indices[i]]


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping :class:`Subset` s of the given lengths, at random.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1
    (PyTorch's rule: each gets ⌊f·N⌋, and the remainder goes one each to the first
    subsets).  The permutation comes from minidl's generator (``manual_seed`` fixes
    it), or from ``generator``: a NumPy ``Generator`` or an int seed.
    """
    n = len(dataset)
    lengths = list(lengths)
    # NumPy floats (np.float32(0.5)) are fractions too, as in PyTorch
    if lengths and all(isinstance(v, (float, np.floating)) for v in lengths):
        lengths = [float(v) for v in lengths]
        if any(not 0 <= v <= 1 for v in lengths) or abs(sum(lengths) - 1) > 1e-6:
            raise ValueError(
                f"random_split: fractions must lie in [0, 1] and sum to 1, got {lengths}"
            )
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    lengths = [check_int("random_split", "a length", v, 0) for v in lengths]
    if sum(lengths) != n:
        raise ValueError(
            f"random_split: lengths {lengths} sum to {sum(lengths)}, but the dataset has {n} "
            "samples (give counts summing to it, or fractions summing to 1)"
        )
    if generator is None:
        rng = _shared_generator()
    elif isinstance(generator, np.random.Generator):
        rng = generator
    else:
        rng = np.random.default_rng(check_int("random_split", "generator seed", generator, 0))
    order = rng.permutation(n).tolist()
    ends = np.cumsum(lengths).tolist()
    return [Subset(dataset, order[end - k : end]) for k, end in zip(lengths, ends)]


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    Each epoch (each ``iter(loader)``) visits every sample exactly once, in
    order, or in a fresh random permutation when ``shuffle=True``.  The
    permutation comes from ``minidl.random.generator()`` (so ``manual_seed``
    fixes it) or, with ``seed=int``, from the loader's own generator: the same
    sequence of epoch orders every time a loader is built with that seed.
    The last short batch is kept unless ``drop_last=True``.  ``collate_fn``
    turns a list of samples into a batch (default: :func:`default_collate`).
    ``num_workers`` and ``pin_memory`` are accepted so that PyTorch code runs
    unchanged: minidl always loads in the main process, on the CPU, and the
    batches are the same.
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=False,
        drop_last=False,
        seed=None,
        collate_fn=None,
        num_workers=0,
        pin_memory=False,
    ):
        check_int("DataLoader", "num_workers", num_workers, 0)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        if seed is not None and (
            not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0
        ):  # True is an int to Python: seed=True would silently be seed 1
            raise ValueError(f"DataLoader: seed must be None or an int >= 0, got {seed!r}")
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                "DataLoader: dataset must support len(dataset) and dataset[i] (a Dataset, "
                f"a TensorDataset or a list), got {type(dataset).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = collate_fn
        self._rng = None if seed is None else np.random.default_rng(int(seed))

    def __len__(self):
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            rng = self._rng if self._rng is not None else generator()
            order = rng.permutation(n)
        else:
            order = np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        # a TensorDataset is sliced with the whole index array at once, not sample by sample;
        # not a subclass with its own __getitem__ (augmentation), which must be called
        fast = (
            isinstance(self.dataset, TensorDataset)
            and type(self.dataset).__getitem__ is TensorDataset.__getitem__
            and self.collate_fn is None
        )
        collate = self.collate_fn or default_collate
        for start in range(0, stop, self.batch_size):
            idx = order[start : start + self.batch_size]
            if fast:
                yield tuple(Tensor._make(t.data[idx]) for t in self.dataset.tensors)
            else:
                yield collate([self.dataset[int(i)] for i in idx])

    def __repr__(self):
        return (
            f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches)"
        )
