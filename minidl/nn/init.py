"""Weight initialisation, in place, drawing from minidl's one generator (``manual_seed``).

    uniform_(w, a, b)          w ~ U(a, b)
    normal_(w, mean, std)      w ~ N(mean, std²)
    xavier_uniform_(w, gain)   w ~ U(−r, r),  r = gain · √(6 / (fan_in + fan_out))
    kaiming_uniform_(w, a)     w ~ U(−r, r),  r = gain · √(3 / fan_in),  gain = √(2 / (1 + a²))
                               (leaky ReLU; other gains: calculate_gain(nonlinearity))
    xavier_normal_(w, gain)    w ~ N(0, std²), std = gain · √(2 / (fan_in + fan_out))
    kaiming_normal_(w, a)      w ~ N(0, std²), std = gain / √fan_in   (mode="fan_out": fan_out)

For a weight of shape (out, in, …), fan_in = in · ∏… and fan_out = out · ∏….
Each returns its tensor, whose dtype is kept; the random ones need a float
tensor, and xavier/kaiming leave a weight with no elements as it is (as
PyTorch, with a warning).
"""

import math
import warnings

import numpy as np

from minidl.autograd import no_grad, note_write
from minidl.random import generator
from minidl.tensor import is_real

__all__ = [
    "uniform_",
    "normal_",
    "zeros_",
    "ones_",
    "constant_",
    "trunc_normal_",
    "orthogonal_",
    "eye_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "calculate_fans",
    "calculate_gain",
]


def _fill(tensor, values):
    with no_grad():
        tensor.data[...] = values
    note_write(tensor)
    return tensor


def calculate_fans(tensor, op="init"):
    """(fan_in, fan_out) of a weight of shape (out, in, …)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"{op}: fan in and fan out need a tensor with >= 2 dims, got {tensor.shape}"
        )
    receptive = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _check_float(tensor, op):
    # random samples written into an integer tensor would be truncated: U(−0.1, 0.1) is all 0
    if tensor.data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a float tensor, got dtype {tensor.data.dtype}")


def _has_elements(tensor, op, stacklevel=3):
    """False, with PyTorch's warning, for a weight with no elements (its fans may be 0)."""
    if tensor.data.size == 0:
        warnings.warn(
            f"{op}: initializing a tensor with no elements is a no-op", stacklevel=stacklevel
        )
        return False
    return True


_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
_NONLINEARITIES = (*_LINEAR_FNS, "sigmoid", "tanh", "relu", "leaky_relu", "selu")


def _unknown_nonlinearity(op, nonlinearity):
    names = ", ".join(repr(n) for n in _NONLINEARITIES)
    return ValueError(f"{op}: nonlinearity must be one of {names}; got {nonlinearity!r}")


def calculate_gain(nonlinearity, param=None):
    """PyTorch's recommended gain for a layer followed by ``nonlinearity``:
    linear, conv*d, conv_transpose*d and sigmoid 1, tanh 5/3, relu √2,
    leaky_relu √(2 / (1 + slope²)) (slope 0.01), selu 3/4 (PyTorch's empirical value)."""
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope * slope))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise _unknown_nonlinearity("calculate_gain", nonlinearity)


def _finite(op, name, value):
    """``value`` as a float, checked finite: a NaN or inf bound fills the tensor with NaN or inf."""
    if not is_real(value):
        raise TypeError(f"{op}: {name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{op}: {name} must be finite, got {value}")
    return float(value)


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with U(a, b)."""
    _check_float(tensor, "uniform_")
    a, b = _finite("uniform_", "the lower bound a", a), _finite("uniform_", "the upper bound b", b)
    if a > b:
        raise ValueError(f"uniform_: expected a <= b, got a={a} > b={b}")
    return _fill(tensor, generator().uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with N(mean, std²)."""
    _check_float(tensor, "normal_")
    mean, std = _finite("normal_", "mean", mean), _finite("normal_", "std", std)
    if std < 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(tensor, generator().normal(mean, std, tensor.shape))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):
    """Fill with N(mean, std²) conditioned on [a, b] (draws outside are redrawn), as PyTorch."""
    op = "trunc_normal_"
    _check_float(tensor, op)
    mean, std = _finite(op, "mean", mean), _finite(op, "std", std)
    a, b = _finite(op, "a", a), _finite(op, "b", b)
    if std <= 0 or not a < b:
        raise ValueError(f"{op}: need std > 0 and a < b, got std={std}, a={a}, b={b}")
    if (b - mean) / std < -6 or (a - mean) / std > 6:
        # [a, b] is so far in a tail that redrawing would take forever; PyTorch warns
        raise ValueError(f"{op}: [a, b] = [{a}, {b}] is more than 6 std from the mean {mean}")
    rng, n = generator(), int(np.prod(tensor.shape))
    out = np.empty(n)
    filled = 0
    while filled < n:  # redraw what falls outside: exact, and quick unless [a, b] is tiny
        draw = rng.normal(mean, std, n - filled)
        draw = draw[(draw >= a) & (draw <= b)]
        out[filled : filled + draw.size] = draw
        filled += draw.size
    return _fill(tensor, out.reshape(tensor.shape))


def orthogonal_(tensor, gain=1.0):
    """Fill a (rows, cols, …) tensor, seen as rows × (cols·…), with a (semi-)orthogonal
    matrix times ``gain`` (Saxe et al. 2013): Q of the QR decomposition of a normal draw,
    signs fixed so that it is uniformly distributed, as PyTorch."""
    op = "orthogonal_"
    _check_float(tensor, op)
    if tensor.ndim < 2:
        raise ValueError(
            f"{op}: only tensors with 2 or more dims are supported, got {tensor.shape}"
        )
    gain = _finite(op, "gain", gain)
    rows = tensor.shape[0]
    cols = int(np.prod(tensor.shape[1:]))
    flat = generator().normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))  # makes Q uniform over the orthogonal matrices
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def eye_(tensor):
    """Fill a 2-D tensor with the identity (ones on the diagonal), as PyTorch."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def zeros_(tensor):
    return _fill(tensor, 0)


def ones_(tensor):
    return _fill(tensor, 1)


def constant_(tensor, value):
    return _fill(tensor, value)


def xavier_uniform_(tensor, gain=1.0):
    """Glorot & Bengio (2010): keeps activation variance equal forwards and backwards."""
    fan_in, fan_out = calculate_fans(tensor, "xavier_uniform_")
    _check_float(tensor, "xavier_uniform_")
    if not _has_elements(tensor, "xavier_uniform_"):
        return tensor
    r = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -r, r)


def xavier_normal_(tensor, gain=1.0):
    """Glorot & Bengio (2010), normal form: N(0, std²), std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fans(tensor, "xavier_normal_")
    _check_float(tensor, "xavier_normal_")
    if not _has_elements(tensor, "xavier_normal_"):
        return tensor
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. (2015) for (leaky) ReLU layers; ``a`` is the negative slope."""
    gain, fan = _kaiming_gain_and_fan(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    if fan is None:
        return tensor
    r = gain * math.sqrt(3.0 / fan)
    return uniform_(tensor, -r, r)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. (2015), normal form: N(0, std²), std = gain / √fan; ``a`` is the negative slope."""
    gain, fan = _kaiming_gain_and_fan(tensor, a, mode, nonlinearity, "kaiming_normal_")
    if fan is None:
        return tensor
    return normal_(tensor, 0.0, gain / math.sqrt(fan))


def _kaiming_gain_and_fan(tensor, a, mode, nonlinearity, op):
    """The checks shared by the kaiming initialisers; (gain, None) for a weight with no elements."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{op}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    if nonlinearity not in _NONLINEARITIES:
        raise _unknown_nonlinearity(op, nonlinearity)
    gain = calculate_gain(nonlinearity, a)  # a: the leaky ReLU's negative slope
    fan_in, fan_out = calculate_fans(tensor, op)
    _check_float(tensor, op)
    if not _has_elements(tensor, op, stacklevel=4):  # warn at the caller of kaiming_*_
        return gain, None
    return gain, fan_in if mode == "fan_in" else fan_out
