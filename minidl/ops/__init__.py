"""Differentiable ops, one ``Function`` each, grouped by kind, with their functional forms.

elementwise.py  re-exports the five files below (the elementwise ops and operand helpers)
operands.py     the operand and dtype-promotion helpers, cast
arithmetic.py   add, sub, mul, div, neg, pow, lerp, addcmul, addcdiv
division.py     remainder, floor_divide, fmod
bounds.py       clamp, maximum/minimum, where
boolean.py      bitwise and logical operators, allclose/isclose, compare (no gradient)
elementary.py   exp, log, sqrt, trigonometric and hyperbolic functions, erf, sigmoid,
                relu, abs, nan_to_num
rounding.py     round, floor, ceil, trunc, frac, sign
special.py      erf and erfc on NumPy arrays, vectorised (NumPy has neither)
reduce.py       sum, mean, prod, var/std, max/min, argmax/argmin, norm, median, cumsum
shape.py        views and reshapes, cat/stack/split, ``x[...]`` indexing
arrange.py      flip, roll, repeat, repeat_interleave, tile, tril/triu, diag/diagonal/trace
indexing.py     selection by index tensors and masks: index_select, gather, take, ...
scatter.py      writes by index tensors and masks: scatter, index_add, masked_fill, ...
linalg.py       matrix products: matmul, mm, bmm, dot, mv, outer, tensordot, addmm, ...
einsum.py       einsum
nnops.py        softmax, log_softmax, logsumexp
logic.py        comparisons and other yes/no questions (no gradient)
sort.py         sort, topk, argsort
search.py       nonzero, unique
cases.py        one gradient self-check case per op (``python -m minidl gradcheck``)
"""

from minidl.ops.arrange import (
    diag,
    diagonal,
    flip,
    repeat,
    repeat_interleave,
    roll,
    tile,
    trace,
    tril,
    triu,
)
from minidl.ops.einsum import einsum
from minidl.ops.elementary import (
    abs,
    acos,
    asin,
    atan,
    atan2,
    cos,
    cosh,
    erf,
    exp,
    expm1,
    hypot,
    log,
    log1p,
    log2,
    log10,
    nan_to_num,
    reciprocal,
    relu,
    rsqrt,
    sigmoid,
    sin,
    sinh,
    sqrt,
    square,
    tanh,
)
from minidl.ops.elementwise import (
    add,
    addcdiv,
    addcmul,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    cast,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    compare,
    div,
    floor_divide,
    fmod,
    isclose,
    lerp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    mul,
    neg,
    negative,
    pow,
    remainder,
    sub,
    where,
)
from minidl.ops.indexing import gather, index_select, masked_select, take, take_along_dim
from minidl.ops.linalg import (
    addmm,
    baddbmm,
    bmm,
    cross,
    dot,
    ger,
    inner,
    kron,
    matmul,
    mm,
    mv,
    outer,
    tensordot,
)
from minidl.ops.logic import all, any, eq, equal, ge, gt, isfinite, isinf, isnan, le, lt, ne
from minidl.ops.nnops import log_softmax, logsumexp, softmax
from minidl.ops.reduce import (
    amax,
    amin,
    argmax,
    argmin,
    count_nonzero,
    cumprod,
    cumsum,
    max,
    mean,
    median,
    min,
    norm,
    prod,
    std,
    sum,
    var,
)
from minidl.ops.rounding import ceil, floor, frac, round, sign, trunc
from minidl.ops.scatter import index_add, index_copy, index_fill, masked_fill, scatter, scatter_add
from minidl.ops.search import nonzero, unique
from minidl.ops.shape import (
    broadcast_to,
    cat,
    chunk,
    clone,
    concat,
    concatenate,
    expand,
    flatten,
    index,
    meshgrid,
    moveaxis,
    movedim,
    narrow,
    numel,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    view,
)
from minidl.ops.sort import argsort, sort, topk
