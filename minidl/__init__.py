"""minidl: a deep learning framework built from scratch on NumPy, for learning.

import minidl
x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
(x * x).sum().backward()
x.grad            # tensor([2., 4., 6.])
"""

import numpy as np

from minidl import autograd, memory
from minidl._checks import get_default_dtype, set_default_dtype
from minidl.autograd import (
    Function,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minidl.creation import (
    BoolTensor,
    DoubleTensor,
    FloatTensor,
    IntTensor,
    LongTensor,
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    is_tensor,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from minidl.devices import device
from minidl.gradcheck import GradcheckError, gradcheck, numerical_grad
from minidl.ops import (
    abs,
    acos,
    add,
    addcdiv,
    addcmul,
    addmm,
    all,
    allclose,
    amax,
    amin,
    any,
    argmax,
    argmin,
    argsort,
    asin,
    atan,
    atan2,
    baddbmm,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    bmm,
    broadcast_to,
    cat,
    ceil,
    chunk,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    clone,
    concat,
    concatenate,
    cos,
    cosh,
    count_nonzero,
    cross,
    cumprod,
    cumsum,
    diag,
    diagonal,
    div,
    dot,
    einsum,
    eq,
    equal,
    erf,
    exp,
    expand,
    expm1,
    flatten,
    flip,
    floor,
    floor_divide,
    fmod,
    frac,
    gather,
    ge,
    ger,
    gt,
    hypot,
    index_add,
    index_copy,
    index_fill,
    index_select,
    inner,
    isclose,
    isfinite,
    isinf,
    isnan,
    kron,
    le,
    lerp,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logsumexp,
    lt,
    masked_fill,
    masked_select,
    matmul,
    max,
    maximum,
    mean,
    median,
    meshgrid,
    min,
    minimum,
    mm,
    moveaxis,
    movedim,
    mul,
    mv,
    nan_to_num,
    narrow,
    ne,
    neg,
    negative,
    nonzero,
    norm,
    numel,
    outer,
    permute,
    pow,
    prod,
    reciprocal,
    relu,
    remainder,
    repeat,
    repeat_interleave,
    reshape,
    roll,
    round,
    rsqrt,
    scatter,
    scatter_add,
    sigmoid,
    sign,
    sin,
    sinh,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    swapaxes,
    swapdims,
    take,
    take_along_dim,
    tanh,
    tensordot,
    tile,
    topk,
    trace,
    transpose,
    tril,
    triu,
    trunc,
    unbind,
    unflatten,
    unique,
    unsqueeze,
    var,
    where,
)
from minidl.printing import set_printoptions
from minidl.random import get_rng_state, manual_seed, set_rng_state
from minidl.tensor import Tensor

# dtype instances, not NumPy's scalar types: builtin dtypes are singletons, so `x.dtype is
# minidl.float32` holds and `{minidl.float32: ...}[x.dtype]` finds its key, as in PyTorch
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
long = np.dtype(np.int64)
int32 = np.dtype(np.int32)
bool_ = np.dtype(np.bool_)
# a dtype's limits, as torch.finfo(x.dtype).eps and torch.iinfo(torch.int64).max: NumPy's own
finfo, iinfo = np.finfo, np.iinfo

__version__ = "0.1.0"

memory._apply_default()  # reuse freed arrays between steps (glibc only; see minidl/memory.py)

# Submodules and the names they provide are imported on first use, so that
# `import minidl` stays fast (matplotlib is loaded only by minidl.plot).
_LAZY_MODULES = {
    "cuda",
    "nn",
    "optim",
    "data",
    "metrics",
    "text",
    "datasets",
    "plot",
    "train",
    "serialize",
    "selfcheck",
    "models",
    "utils",
}
_LAZY_NAMES = {
    "save": "serialize",
    "load": "serialize",
    "fit": "train",
    "History": "train",
}


# PyTorch's short dtype names.  Served here, not as globals, so that `from minidl import *`
# cannot replace Python's float, int and bool.
_DTYPE_ALIASES = {
    name: np.dtype(t)
    for name, t in {
        "float": np.float32,
        "double": np.float64,
        "half": np.float16,
        "float16": np.float16,
        "int": np.int32,
        "short": np.int16,
        "bool": np.bool_,
        "uint8": np.uint8,
        "int8": np.int8,
        "int16": np.int16,
    }.items()
}


def __getattr__(name):
    import importlib

    if name in _DTYPE_ALIASES:
        return _DTYPE_ALIASES[name]
    if name in _LAZY_MODULES:
        return importlib.import_module(f"minidl.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f"minidl.{_LAZY_NAMES[name]}"), name)
    raise AttributeError(f"module 'minidl' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY_MODULES | set(_LAZY_NAMES) | set(_DTYPE_ALIASES))
