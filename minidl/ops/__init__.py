"""Differentiable ops, one ``Function`` each, grouped by kind, with their functional forms."""

from minidl.ops.elementwise import (
    abs,
    add,
    cast,
    clamp,
    compare,
    div,
    exp,
    log,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sqrt,
    sub,
    tanh,
    where,
)
from minidl.ops.linalg import matmul
from minidl.ops.nnops import log_softmax, logsumexp, softmax
from minidl.ops.reduce import amax, amin, argmax, argmin, max, mean, min, std, sum, var
from minidl.ops.shape import (
    cat,
    chunk,
    clone,
    expand,
    flatten,
    index,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
    unsqueeze,
    view,
)
