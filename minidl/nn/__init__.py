"""Layers, losses and the Module system, with PyTorch's names (``import minidl.nn as nn``)."""

from minidl.nn import functional, init, utils
from minidl.nn.activation import (
    GELU,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from minidl.nn.embedding import Embedding
from minidl.nn.linear import Linear
from minidl.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from minidl.nn.module import Module, ModuleList, Parameter, Sequential
from minidl.nn.rnn import LSTM, LSTMCell

__all__ = [
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "Linear",
    "Embedding",
    "LSTMCell",
    "LSTM",
    "ReLU",
    "LeakyReLU",
    "GELU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "LogSoftmax",
    "Dropout",
    "Flatten",
    "Identity",
    "MSELoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "functional",
    "init",
    "utils",
]
