"""Functional forms of the layers and losses, as ``torch.nn.functional`` (``import … as F``)."""

from minidl.nn.activation import dropout
from minidl.nn.embedding import embedding
from minidl.nn.linear import linear
from minidl.nn.loss import cross_entropy, mse_loss, nll_loss
from minidl.ops import log_softmax, relu, sigmoid, softmax, tanh

__all__ = [
    "linear",
    "embedding",
    "relu",
    "tanh",
    "sigmoid",
    "dropout",
    "softmax",
    "log_softmax",
    "mse_loss",
    "cross_entropy",
    "nll_loss",
]
