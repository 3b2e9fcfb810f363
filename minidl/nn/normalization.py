"""Layer and batch normalisation, as PyTorch's ``nn.LayerNorm`` / ``F.layer_norm`` and
``nn.BatchNorm1d``."""

import math

import numpy as np

from minidl.nn.module import Module, Parameter
from minidl.ops.elementwise import as_tensor
from minidl.tensor import Tensor, check_bool, check_device, check_int, get_default_dtype, is_real

__all__ = ["layer_norm", "LayerNorm", "BatchNorm1d"]


def _shape(op, normalized_shape):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape or any(not isinstance(n, int) or isinstance(n, bool) or n < 1 for n in shape):
        raise ValueError(
            f"{op}: normalized_shape must be a positive int or a non-empty tuple of them, "
            f"got {normalized_shape!r}"
        )
    return shape


def _check_eps(op, eps):
    if not is_real(eps) or not (eps >= 0 and math.isfinite(eps)):
        raise ValueError(f"{op}: eps must be a finite number >= 0, got {eps!r}")
    return eps


def _standardise(x, dims, eps):
    """((x − μ) / √(σ² + ε), μ, σ²) over ``dims``, σ² the biased variance (kept dims)."""
    mean = x.mean(dim=dims, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(dim=dims, keepdim=True)
    return centred * (var + float(eps)) ** -0.5, mean, var


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
    _check_eps(op, eps)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(as_tensor(op, t).shape) != shape:
            raise ValueError(
                f"{op}: {name} of shape {as_tensor(op, t).shape} does not match "
                f"normalized_shape {shape}"
            )
    y, _, _ = _standardise(x, tuple(range(x.ndim - len(shape), x.ndim)), eps)
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
        device=None,
        dtype=None,
    ):
        super().__init__()
        check_device("LayerNorm", device)
        self.normalized_shape = _shape("LayerNorm", normalized_shape)
        self.eps = _check_eps("LayerNorm", eps)
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


class BatchNorm1d(Module):
    """Batch normalisation over the batch (and length) of (N, C) or (N, C, L) inputs, as
    PyTorch's: in training, each channel c is normalised with the batch's statistics,

        y = (x − μ_B) / √(σ²_B + ε) · weight + bias      (σ²_B the biased batch variance)

    and the running estimates move towards them, ``running ← (1 − m)·running + m·batch``
    (the unbiased variance, m = ``momentum``; ``momentum=None``: the cumulative average);
    after ``eval()`` the running estimates normalise instead.  ``weight`` starts at ones,
    ``bias`` at zeros; the running mean and variance are buffers (in ``state_dict``).
    """

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        name = "BatchNorm1d"
        check_device(name, device)
        self.num_features = check_int(name, "num_features", num_features, 1)
        _check_eps(name, eps)
        if momentum is not None and (not is_real(momentum) or not 0 <= momentum <= 1):
            raise ValueError(
                f"{name}: momentum must be None or a number in [0, 1], got {momentum!r}"
            )
        self.eps, self.momentum = eps, momentum
        self.affine = check_bool(name, "affine", affine)
        self.track_running_stats = check_bool(name, "track_running_stats", track_running_stats)
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        C = self.num_features
        if self.affine:
            self.weight = Parameter(np.ones(C, dtype))
            self.bias = Parameter(np.zeros(C, dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor._make(np.zeros(C, dtype)))
            self.register_buffer("running_var", Tensor._make(np.ones(C, dtype)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, x):
        name = "BatchNorm1d"
        x = as_tensor(name, x)
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(
                f"{name}: expected input (N, {self.num_features}) or (N, {self.num_features}, L), "
                f"got shape {x.shape}"
            )
        dims = (0,) if x.ndim == 2 else (0, 2)
        view = (1, -1) if x.ndim == 2 else (1, -1, 1)  # a channel's values along dim 1
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            count = x.data.size // self.num_features
            if self.training and count < 2:
                raise ValueError(
                    f"{name}: expected more than 1 value per channel when training, got input "
                    f"of shape {x.shape}"
                )
            y, mean, var = _standardise(x, dims, self.eps)
            if self.training and self.track_running_stats:
                self._update_running(mean.data.reshape(-1), var.data.reshape(-1), count)
        else:
            mean = self.running_mean.reshape(*view)
            y = (x - mean) * (self.running_var.reshape(*view) + float(self.eps)) ** -0.5
        if self.affine:
            y = y * self.weight.reshape(*view) + self.bias.reshape(*view)
        return y

    def _update_running(self, mean, var, count):
        """In place, outside the graph: the running estimates are not trained."""
        self.num_batches_tracked.data[...] += 1
        m = self.momentum
        if m is None:  # the cumulative average over the batches seen
            m = 1.0 / float(self.num_batches_tracked.data)
        unbiased = var * (count / (count - 1))
        rm, rv = self.running_mean.data, self.running_var.data
        rm *= 1 - m
        rm += m * mean.astype(rm.dtype)
        rv *= 1 - m
        rv += m * unbiased.astype(rv.dtype)

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )
