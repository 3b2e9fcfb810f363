"""Finding values: ``nonzero`` (where the non-zero elements are) and ``unique`` (which values
occur, how often, and where).

Both answer with positions or counts, int64 tensors that carry no gradient; ``unique``'s
values are copies of x's, outside any graph (PyTorch marks them as requiring grad, but its
backward then raises: here ``requires_grad`` is False from the start).
"""

import numpy as np

from minidl._checks import check_bool
from minidl.ops.elementwise import as_tensor
from minidl.tensor import Tensor


def nonzero(x, *, as_tuple=False):
    """The indices of x's non-zero elements (NaN counts as non-zero), in row-major order.

    ``as_tuple=False``: an int64 tensor of shape (n, x.ndim), one row per element.
    ``as_tuple=True``: x.ndim int64 tensors of shape (n,), one per dimension, so that
    ``x[x.nonzero(as_tuple=True)]`` picks the elements; a 0-d x counts as 1-d, as in PyTorch.
    """
    x = as_tensor("nonzero", x)
    a = x.data
    if check_bool("nonzero", "as_tuple", as_tuple):
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
    return Tensor._make(np.argwhere(a).astype(np.int64))  # a 0-d x gives shape (n, 0)


def unique(x, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values of x, flattened, in ascending order.

    ``return_inverse``: also an int64 tensor of x's shape, the position of each element
    of x in the values (``values[inverse]`` rebuilds x).  ``return_counts``: also how often
    each value occurs.  Each NaN is a value of its own, as in PyTorch.  ``sorted=False``
    returns them sorted all the same, as PyTorch does on the CPU.  ``dim`` (unique rows or
    slices) is not implemented.
    """
    x = as_tensor("unique", x)
    check_bool("unique", "sorted", sorted)
    return_inverse = check_bool("unique", "return_inverse", return_inverse)
    return_counts = check_bool("unique", "return_counts", return_counts)
    if dim is not None:
        raise NotImplementedError(
            f"unique: dim={dim!r} (unique slices along a dimension) is not implemented in "
            "minidl; use dim=None for the unique values of the flattened tensor"
        )
    values, inverse, counts = np.unique(
        x.data.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False
    )
    out = [Tensor._make(values)]
    if return_inverse:
        out.append(Tensor._make(inverse.reshape(x.data.shape).astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
