"""Functional forms of the layers and losses, as ``torch.nn.functional`` (``import … as F``)."""

import numpy as np

from minidl import ops
from minidl.nn.activation import dropout, elu, gelu, leaky_relu, mish, silu, softplus
from minidl.nn.activation_piecewise import hardtanh, prelu, relu6
from minidl.nn.activation_smooth import logsigmoid, softsign
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
from minidl.nn.loss_margin import cosine_embedding_loss, margin_ranking_loss
from minidl.nn.loss_probabilistic import gaussian_nll_loss, kl_div, poisson_nll_loss
from minidl.nn.normalization import layer_norm
from minidl.nn.padding import pad
from minidl.ops import sigmoid, tanh
from minidl.ops.elementwise import as_tensor
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
    "relu6",
    "hardtanh",
    "logsigmoid",
    "softsign",
    "prelu",
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
    "kl_div",
    "gaussian_nll_loss",
    "poisson_nll_loss",
    "margin_ranking_loss",
    "cosine_embedding_loss",
    "one_hot",
]


def relu(input, inplace=False):
    """max(x, 0) elementwise.  ``inplace`` is accepted as in ``nn.ReLU``: the output is a
    new tensor either way and ``input`` keeps its values (minidl records no in-place ops)."""
    return ops.relu(input)


def _in_dtype(op, input, dtype):
    """``input`` cast to ``dtype`` first (a recorded cast: the gradient comes back in the
    input's dtype), as PyTorch's ``dtype=``, which exists to compute in more precision."""
    x = as_tensor(op, input)
    if dtype is None:
        return x
    x = x.to(dtype)
    if not x.is_floating_point():
        raise TypeError(f"{op}: dtype must be a float dtype, got {dtype}")
    return x


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / Σ exp(x) along ``dim``, computed in ``dtype`` if given (x cast first)."""
    return ops.softmax(_in_dtype("softmax", input, dtype), dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed in ``dtype`` if given (x cast first)."""
    return ops.log_softmax(_in_dtype("log_softmax", input, dtype), dim)


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
