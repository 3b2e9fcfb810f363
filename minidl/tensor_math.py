"""Tensor's methods that compute values: arithmetic, elementary functions, matrix
products, reductions, comparisons (``t.exp()``, ``t.sum(dim)``, ``t.mm(w)``, ``t.gt(0)``,
...), each ``minidl.<op>(t, ...)``, as the mixin ``TensorMath``, grouped as minidl/ops/ is."""

import numpy as np


class TensorMath:
    """See the module docstring (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()  # Tensor has __slots__: a mixin without them would give tensors a __dict__

    # ----- arithmetic (minidl/ops/elementwise.py): the operators' methods and their kin
    def add(self, other):
        return _ops.add(self, other)

    def sub(self, other):
        return _ops.sub(self, other)

    def mul(self, other):
        return _ops.mul(self, other)

    def div(self, other):
        return _ops.div(self, other)

    def pow(self, exponent):
        return _ops.pow(self, exponent)

    def floor_divide(self, other):
        return _ops.floor_divide(self, other)

    def remainder(self, other):
        return _ops.remainder(self, other)

    def fmod(self, other):
        return _ops.fmod(self, other)

    def neg(self):
        return _ops.neg(self)

    def negative(self):
        return _ops.negative(self)

    def abs(self):
        return _ops.abs(self)

    def maximum(self, other):
        return _ops.maximum(self, other)

    def minimum(self, other):
        return _ops.minimum(self, other)

    def clamp(self, min=None, max=None):
        return _ops.clamp(self, min, max)

    def clip(self, min=None, max=None):
        return _ops.clip(self, min, max)

    def clamp_min(self, min):
        return _ops.clamp_min(self, min)

    def clamp_max(self, max):
        return _ops.clamp_max(self, max)

    def lerp(self, end, weight):
        return _ops.lerp(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1):
        return _ops.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return _ops.addcdiv(self, tensor1, tensor2, value=value)

    def atan2(self, other):
        return _ops.atan2(self, other)

    def hypot(self, other):
        return _ops.hypot(self, other)

    def where(self, condition, other):
        """This tensor where ``condition`` is True, else ``other``: ``minidl.where(condition,
        self, other)``."""
        return _ops.where(condition, self, other)

    def masked_fill(self, mask, value):
        """A copy with ``value`` where the bool ``mask`` is True (the gradient is 0 there)."""
        return _ops.masked_fill(self, mask, value)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.isclose(self, other, rtol, atol, equal_nan)

    # ----- bitwise and logical operators, for bool and integer tensors
    def bitwise_and(self, other):
        return _ops.bitwise_and(self, other)

    def bitwise_or(self, other):
        return _ops.bitwise_or(self, other)

    def bitwise_xor(self, other):
        return _ops.bitwise_xor(self, other)

    def bitwise_not(self):
        return _ops.bitwise_not(self)

    def logical_and(self, other):
        return _ops.logical_and(self, other)

    def logical_or(self, other):
        return _ops.logical_or(self, other)

    def logical_xor(self, other):
        return _ops.logical_xor(self, other)

    def logical_not(self):
        return _ops.logical_not(self)

    # ----- elementary functions (ops/elementary.py) and rounding (ops/rounding.py)
    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def tanh(self):
        if self.data.dtype.kind == "f":
            return _elementary.Tanh.apply(self)  # the hot case, without the wrapper's dtype check
        return _ops.tanh(self)  # integers and bools: the default float, as minidl.tanh

    def sigmoid(self):
        return _ops.sigmoid(self)

    def relu(self):
        return _ops.relu(self)

    def sin(self):
        return _ops.sin(self)

    def cos(self):
        return _ops.cos(self)

    def square(self):
        return _ops.square(self)

    def reciprocal(self):
        return _ops.reciprocal(self)

    def rsqrt(self):
        return _ops.rsqrt(self)

    def log1p(self):
        return _ops.log1p(self)

    def expm1(self):
        return _ops.expm1(self)

    def log2(self):
        return _ops.log2(self)

    def log10(self):
        return _ops.log10(self)

    def sinh(self):
        return _ops.sinh(self)

    def cosh(self):
        return _ops.cosh(self)

    def asin(self):
        return _ops.asin(self)

    def acos(self):
        return _ops.acos(self)

    def atan(self):
        return _ops.atan(self)

    def erf(self):
        return _ops.erf(self)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def softmax(self, dim=None):
        return _ops.softmax(self, dim)

    def log_softmax(self, dim=None):
        return _ops.log_softmax(self, dim)

    def floor(self):
        return _ops.floor(self)

    def ceil(self):
        return _ops.ceil(self)

    def trunc(self):
        return _ops.trunc(self)

    def frac(self):
        return _ops.frac(self)

    def sign(self):
        return _ops.sign(self)

    def round(self, *, decimals=0):
        return _ops.round(self, decimals=decimals)

    # ----- matrix products (ops/linalg.py; PyTorch has no Tensor.tensordot, Tensor.einsum)
    def matmul(self, other):
        return _ops.matmul(self, other)

    def mm(self, other):
        return _ops.mm(self, other)

    def bmm(self, other):
        return _ops.bmm(self, other)

    def dot(self, other):
        return _ops.dot(self, other)

    def outer(self, vec2):
        return _ops.outer(self, vec2)

    def ger(self, vec2):
        return _ops.ger(self, vec2)

    def inner(self, other):
        return _ops.inner(self, other)

    def mv(self, vec):
        return _ops.mv(self, vec)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def cross(self, other, dim=None):
        return _ops.cross(self, other, dim)

    def kron(self, other):
        return _ops.kron(self, other)

    # ----- reductions (minidl/ops/reduce.py)
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.sum(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.mean(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def var(
        self, dim=None, *, correction=1, keepdim=False, unbiased=None, axis=None, keepdims=None
    ):
        return _ops.var(
            self,
            dim,
            correction=correction,
            keepdim=keepdim,
            unbiased=unbiased,
            axis=axis,
            keepdims=keepdims,
        )

    def std(
        self, dim=None, *, correction=1, keepdim=False, unbiased=None, axis=None, keepdims=None
    ):
        return _ops.std(
            self,
            dim,
            correction=correction,
            keepdim=keepdim,
            unbiased=unbiased,
            axis=axis,
            keepdims=keepdims,
        )

    def prod(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.prod(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def cumsum(self, dim=None, *, dtype=None, axis=None):
        return _ops.cumsum(self, dim, dtype=dtype, axis=axis)

    def cumprod(self, dim=None, *, dtype=None, axis=None):
        return _ops.cumprod(self, dim, dtype=dtype, axis=axis)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def median(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.median(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def count_nonzero(self, dim=None, *, axis=None):
        return _ops.count_nonzero(self, dim, axis=axis)

    def norm(self, p=2, dim=None, keepdim=False):
        return _ops.norm(self, p, dim, keepdim)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    # ----- comparisons and tests: bool answers, never part of a graph (ops/logic.py)
    def gt(self, other):
        """``self > other`` elementwise (a bool tensor)."""
        return _ops.compare(np.greater, self, other)

    def lt(self, other):
        """``self < other`` elementwise (a bool tensor)."""
        return _ops.compare(np.less, self, other)

    def ge(self, other):
        """``self >= other`` elementwise (a bool tensor)."""
        return _ops.compare(np.greater_equal, self, other)

    def le(self, other):
        """``self <= other`` elementwise (a bool tensor)."""
        return _ops.compare(np.less_equal, self, other)

    def isnan(self):
        return _ops.isnan(self)

    def isinf(self):
        return _ops.isinf(self)

    def isfinite(self):
        return _ops.isfinite(self)

    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def equal(self, other):
        """True (a Python bool) if ``other`` has this shape and these values."""
        return _ops.equal(self, other)

    # ----- sampling
    def multinomial(self, num_samples, replacement=False):
        from minidl import creation  # creation imports tensor: a top-level import is circular

        return creation.multinomial(self, num_samples, replacement)


def _import_late():
    """Import what the methods call that imports minidl.tensor.  minidl.tensor imports this
    module for Tensor's bases, before Tensor exists, and calls this once it does."""
    global _ops, _elementary
    from minidl import ops as _ops
    from minidl.ops import elementary as _elementary
