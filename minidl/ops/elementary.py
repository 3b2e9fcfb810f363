"""Elementary functions, one ``Function`` each with its derivative, and their functional forms.

- exponentials and logarithms: ``exp``, ``log``, ``log1p``, ``expm1``, ``log2``, ``log10``;
- powers and roots: ``sqrt``, ``rsqrt``, ``square``, ``reciprocal``;
- trigonometric: ``sin``, ``cos``, ``asin``, ``acos``, ``atan``, ``atan2``, and ``hypot``;
- hyperbolic: ``sinh``, ``cosh``, ``tanh``;
- ``erf``, ``sigmoid``, ``relu``, ``abs``, ``nan_to_num``.

Integer and bool inputs give the default float where PyTorch's do (``as_float_tensor``).
"""

import math

import numpy as np

from minidl.autograd import Function
from minidl.ops import special
from minidl.ops.elementwise import _operands, as_float_tensor, as_tensor, result_dtype
from minidl.tensor import Tensor, is_real

# ----- exponentials and logarithms --------------------------------------------------------


class Exp(Function):
    """y = eˣ;  dy/dx = y"""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class Log(Function):
    """y = ln x;  dy/dx = 1/x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Log1p(Function):
    """y = ln(1 + x), exact for tiny x where 1 + x would round to 1;  dy/dx = 1/(1 + x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # −inf at −1, NaN below
            return np.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return grad / (1 + x)


class Expm1(Function):
    """y = eˣ − 1, exact for tiny x where eˣ rounds to 1;  dy/dx = eˣ = y + 1"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y + 1)


class Log2(Function):
    """y = log₂ x;  dy/dx = 1/(x ln 2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # −inf at 0, NaN below
            return np.log2(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return grad / (x * np.log(2.0))


class Log10(Function):
    """y = log₁₀ x;  dy/dx = 1/(x ln 10)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # −inf at 0, NaN below
            return np.log10(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return grad / (x * np.log(10.0))


# ----- powers and roots -------------------------------------------------------------------


class Sqrt(Function):
    """y = √x;  dy/dx = 1 / (2y)"""

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (2 * y)


class Rsqrt(Function):
    """y = 1/√x;  dy/dx = −½ x^(−3/2) = −½ y³"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):  # inf at 0, NaN below
            y = 1 / np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -0.5 * grad * y * y * y


class Square(Function):
    """y = x²;  dy/dx = 2x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.square(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x


class Reciprocal(Function):
    """y = 1/x;  dy/dx = −1/x² = −y²"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):  # 1/0 = inf, as PyTorch, without a warning
            y = np.reciprocal(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -grad * y * y


# ----- trigonometric functions ------------------------------------------------------------


class Sin(Function):
    """y = sin x;  dy/dx = cos x  (x and y of one shape)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cos(x)


class Cos(Function):
    """y = cos x;  dy/dx = −sin x  (x and y of one shape)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * np.sin(x)


class Asin(Function):
    """y = arcsin x, x in [−1, 1] (NaN outside, as PyTorch);  dy/dx = 1/√(1 − x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / np.sqrt(1 - x * x)


class Acos(Function):
    """y = arccos x, x in [−1, 1] (NaN outside, as PyTorch);  dy/dx = −1/√(1 − x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return -grad / np.sqrt(1 - x * x)


class Atan(Function):
    """y = arctan x;  dy/dx = 1/(1 + x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x * x)


class Atan2(Function):
    """z = atan2(a, b), the angle of the point (b, a) in (−π, π];
    dz/da = b/(a² + b²),  dz/db = −a/(a² + b²)  (0 where a² + b² is 0, as PyTorch)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        r2 = a * a + b * b
        with np.errstate(divide="ignore", invalid="ignore"):
            # the origin has no direction: PyTorch gives 0 there, not the NaN of 0/0
            g = np.where(r2 == 0, 0.0, grad / r2)
        return g * b, -g * a


class Hypot(Function):
    """z = √(a² + b²), without overflow for large a, b;  dz/da = a/z,  dz/db = b/z"""

    @staticmethod
    def forward(ctx, a, b):
        z = np.hypot(a, b)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        a, b, z = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):  # NaN at the origin, as PyTorch
            g = grad / z
            return g * a, g * b


# ----- hyperbolic functions ---------------------------------------------------------------


class Sinh(Function):
    """y = sinh x = (eˣ − e⁻ˣ)/2;  dy/dx = cosh x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):  # ±inf beyond |x| ≈ 89 in float32, as PyTorch
            return np.sinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return grad * np.cosh(x)


class Cosh(Function):
    """y = cosh x = (eˣ + e⁻ˣ)/2;  dy/dx = sinh x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.cosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return grad * np.sinh(x)


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 − y²"""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)


# ----- erf, sigmoid, relu, abs, nan_to_num ------------------------------------------------


# NumPy has no erf: special.erf is fdlibm's method vectorised, within an ulp or so of
# CPython's math.erf in float64, and a float32 x is computed in float64 and rounded once.


class Erf(Function):
    """y = erf x = (2/√π) ∫₀ˣ e^(−t²) dt;  dy/dx = (2/√π) e^(−x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special.erf(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * np.exp(-x * x)


class Sigmoid(Function):
    """y = σ(x) = 1 / (1 + e⁻ˣ);  dy/dx = y(1 − y)"""

    @staticmethod
    def forward(ctx, x):
        # with e = exp(−|x|) ≤ 1 (never overflows): σ(x) = 1/(1+e) for x ≥ 0, e/(1+e) below;
        # ½(1 + tanh(x/2)) cancels to 0 in the left tail (σ(−20) = 0 in float32, log σ = −inf)
        e = np.exp(-np.abs(x))
        y = np.maximum(e, x >= 0)  # the numerator: 1 where x ≥ 0, else e (np.where is slower)
        e += 1
        y /= e
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where x > 0, else 0"""

    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        # y ≥ 0, so y != 0 is y > 0, except at a NaN input: there the gradient passes
        # through, as in PyTorch (it is undefined either way)
        return grad * (y != 0)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0, as in PyTorch)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.sign(x)


class NanToNum(Function):
    """y = x, with NaN, +inf and −inf replaced by the numbers given;
    dy/dx = 1 where x is finite, 0 where it was replaced"""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        finite = np.isfinite(x)
        ctx.save_for_backward(finite)
        # a replacement beyond the dtype's range becomes ±inf, as in PyTorch (1e300 in float32)
        with np.errstate(over="ignore"):
            nan, posinf, neginf = (np.array(v, dtype=x.dtype) for v in (nan, posinf, neginf))
        y = np.where(np.isnan(x), nan, x)
        y = np.where(x == np.inf, posinf, y)
        return np.where(x == -np.inf, neginf, y)

    @staticmethod
    def backward(ctx, grad):
        (finite,) = ctx.saved_tensors
        return grad * finite, None, None, None


# ----- functional forms (minidl.exp, minidl.sin, ...) -------------------------------------


def exp(x):
    """eˣ elementwise."""
    return Exp.apply(as_float_tensor("exp", x))


def log(x):
    """Natural logarithm elementwise."""
    return Log.apply(as_float_tensor("log", x))


def log1p(input):
    """ln(1 + x) elementwise, accurate for tiny x (−inf at −1, NaN below, as in PyTorch)."""
    return Log1p.apply(as_float_tensor("log1p", input))


def expm1(input):
    """eˣ − 1 elementwise, accurate for tiny x."""
    return Expm1.apply(as_float_tensor("expm1", input))


def log2(input):
    """Base-2 logarithm elementwise (−inf at 0, NaN below 0, as in PyTorch)."""
    return Log2.apply(as_float_tensor("log2", input))


def log10(input):
    """Base-10 logarithm elementwise (−inf at 0, NaN below 0, as in PyTorch)."""
    return Log10.apply(as_float_tensor("log10", input))


def sqrt(x):
    """√x elementwise."""
    return Sqrt.apply(as_float_tensor("sqrt", x))


def rsqrt(input):
    """1/√x elementwise (inf at 0, NaN below 0, as in PyTorch)."""
    return Rsqrt.apply(as_float_tensor("rsqrt", input))


def square(input):
    """x² elementwise.  Integers stay integers (and bools become int64), as in PyTorch."""
    x = as_tensor("square", input)
    if x.data.dtype == np.bool_:
        x = Tensor._make(x.data.astype(np.int64))
    return Square.apply(x)


def reciprocal(input):
    """1/x elementwise (±inf at ±0); integers and bools give the default float, as in PyTorch."""
    return Reciprocal.apply(as_float_tensor("reciprocal", input))


def sin(x):
    """sin elementwise (radians); integers and bools give the default float, as in PyTorch."""
    return Sin.apply(as_float_tensor("sin", x))


def cos(x):
    """cos elementwise (radians); integers and bools give the default float, as in PyTorch."""
    return Cos.apply(as_float_tensor("cos", x))


def asin(input):
    """arcsin elementwise, in [−π/2, π/2]; NaN outside [−1, 1], as in PyTorch."""
    return Asin.apply(as_float_tensor("asin", input))


def acos(input):
    """arccos elementwise, in [0, π]; NaN outside [−1, 1], as in PyTorch."""
    return Acos.apply(as_float_tensor("acos", input))


def atan(input):
    """arctan elementwise, in (−π/2, π/2)."""
    return Atan.apply(as_float_tensor("atan", input))


def atan2(input, other):
    """The angle of the point (other, input), atan(input/other) in the right quadrant,
    in (−π, π], broadcasting; integers give the default float, as in PyTorch."""
    return Atan2.apply(*_operands("atan2", input, other, true_divide=True))


def hypot(input, other):
    """√(input² + other²) elementwise, broadcasting, without overflow; float tensors only,
    as in PyTorch."""
    a, b = _operands("hypot", input, other)
    d = result_dtype(a, b)
    if d.kind != "f":
        raise TypeError(
            f"hypot: defined for float tensors only, got result dtype {d} (PyTorch refuses "
            "integers too); convert first, e.g. t.float()"
        )
    return Hypot.apply(a, b)


def sinh(input):
    """Hyperbolic sine elementwise."""
    return Sinh.apply(as_float_tensor("sinh", input))


def cosh(input):
    """Hyperbolic cosine elementwise."""
    return Cosh.apply(as_float_tensor("cosh", input))


def tanh(x):
    """tanh elementwise."""
    return Tanh.apply(as_float_tensor("tanh", x))


def erf(input):
    """The error function (2/√π) ∫₀ˣ e^(−t²) dt elementwise.

    Vectorised (``minidl.ops.special.erf``, fdlibm's rational approximations): within about
    an ulp of CPython's ``math.erf`` in float64; float32 is computed in float64.
    """
    return Erf.apply(as_float_tensor("erf", input))


def sigmoid(x):
    """1 / (1 + e⁻ˣ) elementwise."""
    return Sigmoid.apply(as_float_tensor("sigmoid", x))


def relu(x):
    """max(x, 0) elementwise."""
    return Relu.apply(as_tensor("relu", x))


def abs(x):
    """|x| elementwise."""
    return Abs.apply(as_tensor("abs", x))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """x with NaN → ``nan``, +inf → ``posinf``, −inf → ``neginf`` (None: the largest / lowest
    finite value of x's dtype), as in PyTorch.  Integer and bool tensors come back as they
    are (a copy).  The gradient is 1 where x is finite and 0 where a value was replaced."""
    x = as_tensor("nan_to_num", input)
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None and not is_real(v):
            raise TypeError(f"nan_to_num: {name} must be a number or None, got {v!r}")
    if x.data.dtype.kind != "f":
        return Tensor._make(x.data.copy())  # nothing to replace
    info = np.finfo(x.data.dtype)
    nan = 0.0 if nan is None else nan
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    return NanToNum.apply(x, nan, posinf, neginf)
