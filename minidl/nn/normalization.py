"""Layer normalisation, as PyTorch's ``nn.LayerNorm`` / ``F.layer_norm``."""

import math

import numpy as np

from minidl.nn.module import Module, Parameter
from minidl.ops.elementwise import as_tensor
from minidl.tensor import check_bool, check_device, get_default_dtype, is_real

__all__ = ["layer_norm", "LayerNorm"]


def _shape(op, normalized_shape):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape or any(not isinstance(n, int) or isinstance(n, bool) or n < 1 for n in shape):
        raise ValueError(
            f"{op}: normalized_shape must be a positive int or a non-empty tuple of them, "
            f"got {normalized_shape!r}"
        )
    return shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last dims, those of ``normalized_shape`` (D of them)::

        μ = mean(x),  σ² = mean((x − μ)²)   (over the last D dims; σ² is the biased variance)
        y = (x − μ) / √(σ² + ε) · weight + bias

    Built from recorded ops (mean, subtraction, multiplication, rsqrt), so the
    gradient is theirs.  ``weight`` and ``bias``, if given, have ``normalized_shape``.
    """
    op = "layer_norm"
    x = as_tensor(op, input)
    shape = _shape(op, normalized_shape)
    if x.data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a float tensor, got dtype {x.dtype}")
    if tuple(x.shape[x.ndim - len(shape) :]) != shape or x.ndim < len(shape):
        raise ValueError(f"{op}: input of shape {x.shape} does not end in normalized_shape {shape}")
    if not is_real(eps) or not (eps >= 0 and math.isfinite(eps)):
        raise ValueError(f"{op}: eps must be a finite number >= 0, got {eps!r}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(as_tensor(op, t).shape) != shape:
            raise ValueError(
                f"{op}: {name} of shape {as_tensor(op, t).shape} does not match "
                f"normalized_shape {shape}"
            )
    dims = tuple(range(x.ndim - len(shape), x.ndim))
    centred = x - x.mean(dim=dims, keepdim=True)
    var = (centred * centred).mean(dim=dims, keepdim=True)
    y = centred * (var + float(eps)) ** -0.5
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


class LayerNorm(Module):
    """``layer_norm`` over the last dims ``normalized_shape``, with a learnt per-element
    ``weight`` (ones at first) and ``bias`` (zeros) when ``elementwise_affine`` (PyTorch's
    defaults, ε = 1e-5)."""

    def __init__(
        self,
        normalized_shape,
        eps=1e-5,
        elementwise_affine=True,
        bias=True,
        dtype=None,
        *,
        device=None,
    ):
        super().__init__()
        check_device("LayerNorm", device)
        self.normalized_shape = _shape("LayerNorm", normalized_shape)
        if not is_real(eps) or not (eps >= 0 and math.isfinite(eps)):
            raise ValueError(f"LayerNorm: eps must be a finite number >= 0, got {eps!r}")
        self.eps = eps
        self.elementwise_affine = check_bool("LayerNorm", "elementwise_affine", elementwise_affine)
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype))
            if check_bool("LayerNorm", "bias", bias):
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x):
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        affine = f"elementwise_affine={self.elementwise_affine}"
        return f"{self.normalized_shape}, eps={self.eps}, {affine}, bias={self.bias is not None}"
