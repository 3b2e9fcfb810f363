"""Activation layers (ReLU, GELU, SiLU, ELU, Softplus, Mish, Tanh, Sigmoid) and Dropout."""

import math

import numpy as np

from minidl import ops
from minidl.autograd import Function
from minidl.nn.loss import binary_cross_entropy_with_logits
from minidl.nn.module import Module
from minidl.ops.elementwise import as_tensor
from minidl.ops.special import erfc
from minidl.random import generator
from minidl.tensor import Tensor, check_bool, check_fraction, is_real

__all__ = [
    "DropoutMask",
    "dropout",
    "Gelu",
    "gelu",
    "silu",
    "elu",
    "softplus",
    "mish",
    "ReLU",
    "GELU",
    "SiLU",
    "ELU",
    "Softplus",
    "Mish",
    "Tanh",
    "Sigmoid",
    "Dropout",
]


class DropoutMask(Function):
    """y = x ⊙ m / (1 − p),  mᵢ ~ Bernoulli(1 − p);  dx = dy ⊙ m / (1 − p)

    Dividing by 1 − p keeps E[y] = x, so nothing changes at evaluation time.
    """

    @staticmethod
    def forward(ctx, x, p):
        keep = generator().random(x.shape, dtype=np.float32) >= p
        scale = np.asarray(1.0 / (1.0 - p) if p < 1 else 0.0, dtype=x.dtype)
        mask = keep * scale
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None


def dropout(x, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1 − p) (identity if not
    training or p = 0).  ``inplace`` as PyTorch's argument: the result is a new tensor."""
    check_bool("dropout", "inplace", inplace)
    check_fraction("dropout", "probability p", p)
    x = as_tensor("dropout", x)
    if not check_bool("dropout", "training", training) or p == 0.0:
        return x  # as PyTorch: the identity, for an integer tensor too
    if x.data.dtype.kind != "f":
        # the mask's 1/(1 − p) would be truncated (10 / 0.7 stored as 14); PyTorch refuses too
        raise TypeError(
            f"dropout: expected a float tensor, got dtype {x.dtype} (shape {x.shape}); "
            "use x.float()"
        )
    return DropoutMask.apply(x, float(p))


_GELU_FORMS = ("none", "tanh")
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_KAPPA = 0.044715
# erfc, not 1 + erf: Φ(−10) ≈ 7.6e-24 would cancel to 0 in 1 + erf.  NumPy has no erfc:
# minidl.ops.special's is vectorised.


class Gelu(Function):
    """approximate="none":  y = x Φ(x),  Φ(x) = ½(1 + erf(x/√2)) = ½ erfc(−x/√2)
                           dy/dx = Φ(x) + x φ(x),  φ(x) = e^(−x²/2) / √(2π)
    approximate="tanh":  y = ½ x (1 + t),  t = tanh(u),  u = √(2/π) (x + κ x³),  κ = 0.044715
                           dy/dx = ½ (1 + t) + ½ x (1 − t²) √(2/π) (1 + 3κ x²)

    Φ is ``minidl.ops.special.erfc``, computed in float64 from x (x/√2 rounded in
    float32 would be off by up to 2⁻²⁴ relatively, which Φ's steep tail turns into
    ~x² times that) and y rounded once to x's dtype.  float16 is computed in float32,
    as PyTorch does: near x = −0.75, Φ + x φ cancels to 3 % of either term.
    """

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        w = x.astype(np.float32) if x.dtype == np.float16 else x  # the working precision
        if approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (w + _KAPPA * w**3))
            ctx.save_for_backward(x, t)
            return (0.5 * w * (1 + t)).astype(x.dtype, copy=False)
        wide = x.astype(np.float64, copy=False)
        cdf = 0.5 * erfc(wide * -_SQRT_HALF)
        ctx.save_for_backward(x, cdf.astype(w.dtype, copy=False))
        return (wide * cdf).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors  # s = t for "tanh", Φ(x) for "none", in the working precision
        w = x.astype(s.dtype, copy=False)
        if ctx.approximate == "tanh":
            du = _SQRT_2_OVER_PI * (1 + 3 * _KAPPA * w * w)
            slope = 0.5 * (1 + s) + 0.5 * w * (1 - s * s) * du
        else:
            slope = s + w * (_INV_SQRT_2PI * np.exp(-0.5 * w * w))
        return (grad * slope).astype(x.dtype, copy=False), None


def gelu(x, *, approximate="none"):
    """x Φ(x), Φ the standard normal CDF; ``approximate="tanh"`` is PyTorch's tanh form."""
    x = as_tensor("gelu", x)
    if approximate not in _GELU_FORMS:
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    if x.dtype.kind != "f":
        raise TypeError(f"gelu: expected a float tensor, got dtype {x.dtype} (as PyTorch)")
    return Gelu.apply(x, approximate)


class ReLU(Module):
    """y = max(x, 0).  ``inplace`` is PyTorch's memory saving: accepted, and the output
    is a new tensor either way (same values; minidl records no in-place ops)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = bool(inplace)

    def forward(self, x):
        return ops.relu(x)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class GELU(Module):
    """y = x Φ(x), Φ the standard normal CDF; ``approximate="tanh"``:
    y = ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))).  See :class:`Gelu`."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in _GELU_FORMS:
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Tanh(Module):
    """y = tanh(x)"""

    def forward(self, x):
        return ops.tanh(x)


class Sigmoid(Module):
    """y = 1 / (1 + e^(−x))"""

    def forward(self, x):
        return ops.sigmoid(x)


def leaky_relu(x, negative_slope=0.01):
    """y = x where x > 0, else negative_slope · x;  dy/dx = 1 there, negative_slope elsewhere
    (at x = 0 too, as in PyTorch).  Built from recorded ops: ``where`` and a product."""
    x = as_tensor("leaky_relu", x)
    _check_slope("leaky_relu", negative_slope)
    return ops.where(x > 0, x, x * float(negative_slope))


def _check_slope(op, negative_slope):
    if not is_real(negative_slope):
        raise TypeError(f"{op}: negative_slope must be a real number, got {negative_slope!r}")
    # PyTorch accepts NaN and ±inf, and then gives NaN outputs (inf · 0, NaN · x)
    if not math.isfinite(negative_slope):
        raise ValueError(f"{op}: negative_slope must be finite, got {negative_slope}")


class LeakyReLU(Module):
    """y = x where x > 0, else negative_slope · x (PyTorch's default slope 0.01)."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        _check_slope("LeakyReLU", negative_slope)
        self.negative_slope = negative_slope
        self.inplace = bool(inplace)

    def forward(self, x):
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


def _float_input(op, x):
    x = as_tensor(op, x)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a float tensor, got dtype {x.dtype} (as PyTorch)")
    return x


def _finite_real(op, name, value):
    if not is_real(value):
        raise TypeError(f"{op}: {name} must be a finite real number, got {value!r}")
    if not math.isfinite(value):  # PyTorch accepts NaN and ±inf, and gives NaN or inf outputs
        raise ValueError(f"{op}: {name} must be a finite real number, got {value}")
    return value


def _softplus_parameters(op, beta, threshold):
    if _finite_real(op, "beta", beta) == 0:
        raise ValueError(f"{op}: beta must be non-zero (1/beta scales the output), got {beta}")
    if not is_real(threshold):
        raise TypeError(f"{op}: threshold must be a real number, got {threshold!r}")
    if math.isnan(threshold):  # inf is fine: never revert to x
        raise ValueError(f"{op}: threshold must not be NaN, got {threshold}")


def _log1p_exp(z):
    """log(1 + eᶻ), stable for every z: the elementwise binary cross-entropy of logit z
    against target 0, −log(1 − σ(z)) = max(z, 0) + log1p(e^(−|z|));  d/dz = σ(z)."""
    zeros = Tensor._make(np.zeros(z.shape, z.dtype))
    return binary_cross_entropy_with_logits(z, zeros, reduction="none")


def silu(input, inplace=False):
    """y = x σ(x) = x / (1 + e⁻ˣ) (the swish);  dy/dx = σ(x) (1 + x (1 − σ(x))).
    ``inplace`` is accepted as in ``nn.ReLU``: the output is a new tensor either way."""
    x = _float_input("silu", input)
    return x * ops.sigmoid(x)


def elu(input, alpha=1.0, inplace=False):
    """y = x where x > 0, else α (eˣ − 1);  dy/dx = 1 there, α eˣ elsewhere (at 0 too, as
    PyTorch).  x is clamped to ≤ 0 first, so eˣ never overflows; on (−1, 0] eˣ − 1 is
    tanh(x/2) (eˣ + 1), which does not cancel near 0 (as PyTorch's expm1).  ``inplace``:
    as in ``nn.ReLU``."""
    x = _float_input("elu", input)
    alpha = float(_finite_real("elu", "alpha", alpha))
    neg = ops.clamp(x, max=0.0)
    e = ops.exp(neg)
    expm1 = ops.where(neg > -1, ops.tanh(neg * 0.5) * (e + 1.0), e - 1.0)
    return ops.where(x > 0, x, expm1 * alpha)


def softplus(input, beta=1.0, threshold=20.0):
    """y = (1/β) log(1 + e^(βx)), reverting to y = x where βx > threshold (as PyTorch);
    dy/dx = σ(βx), and 1 where βx > threshold."""
    x = _float_input("softplus", input)
    _softplus_parameters("softplus", beta, threshold)
    # |βx| ≤ max/2: βx never overflows, and x = −∞ gives 0, not 0 · ∞ = NaN; beyond the
    # clamp y = x (βx > threshold) or 0 (e^(βx) underflows) anyway, so nothing changes
    lim = float(np.finfo(x.dtype).max) / max(abs(beta), 1) / 2
    z = ops.clamp(x, -lim, lim)
    if beta == 1:
        y = _log1p_exp(z)
    else:
        z = z * float(beta)
        y = _log1p_exp(z) * (1.0 / beta)
    return ops.where(z > threshold, x, y)


def mish(input, inplace=False):
    """y = x tanh(softplus(x)), softplus(x) = log(1 + eˣ) (no threshold, as PyTorch's mish);
    dy/dx = tanh(s) + x σ(x) (1 − tanh²(s)).  ``inplace``: as in ``nn.ReLU``."""
    x = _float_input("mish", input)
    return x * ops.tanh(_log1p_exp(x))


class _InplaceFlag(Module):
    """An activation with PyTorch's ``inplace`` flag, kept for the repr: as ``nn.ReLU``'s,
    the output is a new tensor either way."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = bool(inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class SiLU(_InplaceFlag):
    """y = x σ(x) (the swish)."""

    def forward(self, x):
        return silu(x)


class Mish(_InplaceFlag):
    """y = x tanh(log(1 + eˣ))."""

    def forward(self, x):
        return mish(x)


class ELU(Module):
    """y = x where x > 0, else α (eˣ − 1) (PyTorch's default α = 1.0)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = _finite_real("ELU", "alpha", alpha)
        self.inplace = bool(inplace)

    def forward(self, x):
        return elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """y = (1/β) log(1 + e^(βx)), and y = x where βx > threshold (β = 1, threshold = 20)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        _softplus_parameters("Softplus", beta, threshold)
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Flatten(Module):
    """Flattens dims ``start_dim``..``end_dim`` into one: (N, 1, 28, 28) -> (N, 784) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return ops.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Identity(Module):
    """y = x (a placeholder layer; its arguments are ignored, as in PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class _AlongDim(Module):
    """A module that normalises along one ``dim`` (PyTorch's modules take it explicitly)."""

    def __init__(self, dim=None):  # None: as minidl.softmax (the last dim of 1-d and 2-d input)
        super().__init__()
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim``: ``Softmax(dim=1)``."""

    def forward(self, x):
        return ops.softmax(x, self.dim)


class LogSoftmax(_AlongDim):
    """yᵢ = xᵢ − log Σⱼ exp(xⱼ) along ``dim``: log-probabilities, the input of ``NLLLoss``."""

    def forward(self, x):
        return ops.log_softmax(x, self.dim)


class Dropout(Module):
    """Dropout with probability ``p`` while ``training``; the identity after ``eval()``."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        check_fraction("Dropout", "probability p", p)
        self.p = p
        self.inplace = check_bool("Dropout", "inplace", inplace)  # kept for the repr: as
        # nn.ReLU's, the output is a new tensor either way

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"  # PyTorch's, inplace=False shown too
