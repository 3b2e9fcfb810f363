"""Layers, losses and the Module system, with PyTorch's names (``import minidl.nn as nn``)."""

from minidl.nn import functional, init, utils
from minidl.nn.activation import (
    ELU,
    GELU,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    LogSoftmax,
    Mish,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from minidl.nn.activation_piecewise import Hardtanh, PReLU, ReLU6
from minidl.nn.activation_smooth import LogSigmoid, Softsign
from minidl.nn.embedding import Embedding
from minidl.nn.linear import Linear
from minidl.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from minidl.nn.loss_margin import CosineEmbeddingLoss, MarginRankingLoss
from minidl.nn.loss_probabilistic import GaussianNLLLoss, KLDivLoss, PoissonNLLLoss
from minidl.nn.module import (
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    ParameterDict,
    ParameterList,
    Sequential,
)
from minidl.nn.normalization import BatchNorm1d, LayerNorm
from minidl.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from minidl.nn.unflatten import Unflatten

__all__ = [
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
    "Linear",
    "Embedding",
    "LSTMCell",
    "LSTM",
    "RNNCell",
    "RNN",
    "GRUCell",
    "GRU",
    "ReLU",
    "LeakyReLU",
    "ReLU6",
    "Hardtanh",
    "PReLU",
    "LogSigmoid",
    "Softsign",
    "GELU",
    "LayerNorm",
    "BatchNorm1d",
    "SiLU",
    "ELU",
    "Softplus",
    "Mish",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "LogSoftmax",
    "Dropout",
    "Flatten",
    "Unflatten",
    "Identity",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "GaussianNLLLoss",
    "PoissonNLLLoss",
    "MarginRankingLoss",
    "CosineEmbeddingLoss",
    "functional",
    "init",
    "utils",
]
