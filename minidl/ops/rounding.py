"""Rounding and other step functions: ``round``, ``floor``, ``ceil``, ``trunc``, ``frac``, ``sign``.

Each is flat between its jumps, so its gradient is 0 everywhere, as PyTorch's (``frac``,
x − trunc(x), has gradient 1).  Integer tensors are whole already: ``round``, ``floor``,
``ceil`` and ``trunc`` return them as they are (a copy), as PyTorch does.
"""

import numpy as np

from minidl.autograd import Function
from minidl.ops.elementwise import _not_bool, as_tensor
from minidl.tensor import Tensor


class Round(Function):
    """y = x rounded to ``decimals`` places, halves to the even neighbour (2.5 → 2, 3.5 → 4);
    dy/dx = 0 (a staircase: flat between its jumps, so no gradient passes, as in PyTorch)"""

    @staticmethod
    def forward(ctx, x, decimals):
        return np.round(x, decimals)  # NumPy's rint of x·10^d, then ÷ 10^d: PyTorch's rule

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None


class Floor(Function):
    """y = ⌊x⌋;  dy/dx = 0 (a staircase: flat between its jumps, as PyTorch's gradient)"""

    @staticmethod
    def forward(ctx, x):
        return np.floor(x)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


class Ceil(Function):
    """y = ⌈x⌉;  dy/dx = 0 (a staircase: flat between its jumps, as PyTorch's gradient)"""

    @staticmethod
    def forward(ctx, x):
        return np.ceil(x)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


class Trunc(Function):
    """y = x rounded toward 0 (trunc(−2.5) = −2);  dy/dx = 0 (flat between its jumps)"""

    @staticmethod
    def forward(ctx, x):
        return np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


class Frac(Function):
    """y = x − trunc(x), with the sign of x (frac(−2.5) = −0.5);  dy/dx = 1"""

    @staticmethod
    def forward(ctx, x):
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Sign(Function):
    """y = sign x: −1, 0 or 1 (0 for NaN, as in PyTorch);  dy/dx = 0 (a step function:
    flat on each side of its jump at 0, so no gradient passes, as in PyTorch)"""

    @staticmethod
    def forward(ctx, x):
        y = np.sign(x)
        if x.dtype.kind == "f":  # NumPy's sign of NaN is NaN
            y = np.where(np.isnan(x), np.zeros((), x.dtype), y)
        return y

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


# ----- functional forms (minidl.round, minidl.floor, ...) ---------------------------------


def round(x, *, decimals=0):
    """x rounded to ``decimals`` places (negative: to tens, hundreds, …), halves to even as
    PyTorch (and NumPy) do: round(2.5) = 2, round(3.5) = 4.  Integers come back as they
    are (a copy), as in PyTorch, which refuses ``decimals`` for them; the gradient is 0."""
    x = as_tensor("round", x)
    if isinstance(decimals, (bool, np.bool_)) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    if x.data.dtype.kind != "f":
        if decimals:
            raise TypeError(
                f"round: decimals={decimals} needs a float tensor, got dtype {x.data.dtype} "
                "(as in PyTorch)"
            )
        return Tensor._make(x.data.copy())  # already whole numbers
    return Round.apply(x, int(decimals))


def _rounded(op, fn, x):
    x = as_tensor(op, x)
    _not_bool(op, x, "convert it first, e.g. t.long()")
    if x.data.dtype.kind != "f":
        return Tensor._make(x.data.copy())  # integers are already whole: a copy, as PyTorch
    return fn.apply(x)


def floor(input):
    """⌊x⌋ elementwise (floor(−2.5) = −3).  Integers come back as they are (a copy), as in
    PyTorch; the gradient is 0 everywhere, as PyTorch's."""
    return _rounded("floor", Floor, input)


def ceil(input):
    """⌈x⌉ elementwise (ceil(−2.5) = −2).  Integers come back as they are (a copy), as in
    PyTorch; the gradient is 0 everywhere, as PyTorch's."""
    return _rounded("ceil", Ceil, input)


def trunc(input):
    """x rounded toward 0 elementwise (trunc(−2.5) = −2).  Integers come back as they are
    (a copy), as in PyTorch; the gradient is 0 everywhere, as PyTorch's."""
    return _rounded("trunc", Trunc, input)


def frac(input):
    """x − trunc(x) elementwise, with the sign of x (frac(−2.5) = −0.5); float tensors only,
    as in PyTorch.  dy/dx = 1."""
    x = as_tensor("frac", input)
    if x.data.dtype.kind != "f":
        raise TypeError(
            f"frac: defined for float tensors only, got dtype {x.data.dtype} (PyTorch refuses "
            "integers too: their fractional part is always 0)"
        )
    return Frac.apply(x)


def sign(x):
    """−1, 0 or 1 elementwise, in x's dtype (a bool x is its own sign; NaN gives 0, as in
    PyTorch).  Its gradient is 0 everywhere, as PyTorch's."""
    x = as_tensor("sign", x)
    if x.data.dtype == np.bool_:
        return Tensor._make(x.data.copy())
    return Sign.apply(x)
