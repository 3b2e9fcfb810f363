"""Functional forms of the layers and losses, as ``torch.nn.functional`` (``import … as F``)."""

import numpy as np

from minidl import ops
from minidl.nn.activation import dropout, elu, gelu, leaky_relu, mish, silu, softplus
from minidl.nn.distance import cosine_similarity, normalize
from minidl.nn.embedding import embedding
from minidl.nn.linear import linear
from minidl.nn.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from minidl.nn.normalization import layer_norm
from minidl.nn.padding import pad
from minidl.ops import log_softmax, sigmoid, softmax, tanh
from minidl.tensor import Tensor, as_array, check_int

__all__ = [
    "linear",
    "layer_norm",
    "pad",
    "normalize",
    "cosine_similarity",
    "embedding",
    "relu",
    "leaky_relu",
    "gelu",
    "silu",
    "elu",
    "softplus",
    "mish",
    "tanh",
    "sigmoid",
    "dropout",
    "softmax",
    "log_softmax",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "one_hot",
]


def relu(input, inplace=False):
    """max(x, 0) elementwise.  ``inplace`` is accepted as in ``nn.ReLU``: the output is a
    new tensor either way and ``input`` keeps its values (minidl records no in-place ops)."""
    return ops.relu(input)


def one_hot(tensor, num_classes=-1):
    """Class indices (…) -> int64 one-hot rows (…, C): out[..., k] = 1 where tensor == k.

    ``num_classes=-1`` takes C = max + 1, as PyTorch does.  Not differentiable (integers).
    """
    t = as_array(tensor, op="one_hot")
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices (int64), got dtype {t.dtype}")
    c = check_int("one_hot", "num_classes", num_classes, -1)
    if c == -1:
        if t.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass it")
        c = int(t.max()) + 1
    if t.size and (t.min() < 0 or t.max() >= c):
        bad = int(t.min()) if t.min() < 0 else int(t.max())
        raise IndexError(f"one_hot: class {bad} out of range for num_classes={c}")
    return Tensor._make((t[..., None] == np.arange(c)).astype(np.int64))
