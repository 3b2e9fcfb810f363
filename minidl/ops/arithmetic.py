"""Elementwise arithmetic: ``add``, ``sub``, ``mul``, ``div``, ``neg``/``negative``,
``pow``, ``lerp``, ``addcmul``, ``addcdiv`` (the operators ``+ - * / **`` call these
Functions), and ``_operands``, which readies two operands for a binary op.

Binary ops broadcast as NumPy does; each backward returns the gradient in the broadcast
shape and the engine sums it back (``autograd.unbroadcast``).
"""

import numpy as np

from minidl._checks import is_real
from minidl.autograd import Function
from minidl.convert import as_array
from minidl.ops.operands import (
    _not_bool,
    as_tensor,
    cast,
    operand,
    promote,
    result_dtype,
)
from minidl.tensor import Tensor


class Add(Function):
    """z = a + b;  dz/da = 1,  dz/db = 1"""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """z = a − b;  dz/da = 1,  dz/db = −1"""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Function):
    """z = a · b;  dz/da = b,  dz/db = a"""

    @staticmethod
    def forward(ctx, a, b):
        da, db = ctx.needs_input_grad
        # only what backward reads, as PyTorch: an operand whose partner needs no gradient
        # may then be written in place before backward (w * 3, then a step on w)
        ctx.save_for_backward(b if da else None, a if db else None)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        b, a = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return (grad * b if da else None), (grad * a if db else None)


class Div(Function):
    """z = a / b;  dz/da = 1/b,  dz/db = −a/b²"""

    @staticmethod
    def forward(ctx, a, b):
        # the inputs, not z, as PyTorch: the result may then be written in place
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        ga = grad / b
        return (ga if da else None), (-ga * a / b if db else None)


class Neg(Function):
    """z = −a;  dz/da = −1"""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """z = a^b;  dz/da = b·a^(b−1),  dz/db = a^b · ln a  (0 where a = 0 ≤ b, as in PyTorch)"""

    @staticmethod
    def forward(ctx, a, b):
        z = a**b
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        a, b, z = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        ga = gb = None
        if da:
            e = b - 1
            if np.any(b == 0):
                # d(a⁰)/da = 0 everywhere, but b·a^(b−1) is 0 · ∞ = nan at a = 0: use a⁰ there
                e = np.where(b == 0, 0, e) if isinstance(b, np.ndarray) else 0
            ga = grad * b * a**e
        if db:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = grad * z * np.log(a)
            # at a = 0, z = 0^b stays 0 for every b > 0: dz/db = 0, where the formula is 0 · (−∞)
            zero_base = (a == 0) & (b >= 0)
            if np.any(zero_base):
                gb = np.where(zero_base, 0, gb)
        return ga, gb


class Lerp(Function):
    """z = a + w·(e − a), from a (w = 0) to e (w = 1), w a number or a tensor;
    dz/da = 1 − w,  dz/de = w,  dz/dw = e − a"""

    @staticmethod
    def forward(ctx, a, e, w):
        ctx.save_for_backward(a, e, w)
        d = e - a
        # PyTorch's two forms of one line: from e's end for |w| ≥ ½, so w = 1 gives e exactly
        return np.where(np.abs(w) < 0.5, a + w * d, e - d * (1 - w))

    @staticmethod
    def backward(ctx, grad):
        a, e, w = ctx.saved_tensors
        da, de, dw = ctx.needs_input_grad
        return (
            grad * (1 - w) if da else None,
            grad * w if de else None,
            grad * (e - a) if dw else None,
        )


class Addcmul(Function):
    """z = x + v·t₁·t₂ (v a number);  dz/dx = 1,  dz/dt₁ = v·t₂,  dz/dt₂ = v·t₁"""

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return x + value * t1 * t2

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        _, d1, d2, _ = ctx.needs_input_grad
        v = ctx.value
        return grad, (grad * v * t2 if d1 else None), (grad * v * t1 if d2 else None), None


class Addcdiv(Function):
    """z = x + v·t₁/t₂ (v a number);  dz/dx = 1,  dz/dt₁ = v/t₂,  dz/dt₂ = −v·t₁/t₂²"""

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        with np.errstate(divide="ignore", invalid="ignore"):  # ±inf or NaN, as PyTorch
            return x + value * (t1 / t2)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        _, d1, d2, _ = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            g1 = grad * ctx.value / t2
        return grad, (g1 if d1 else None), (-g1 * t1 / t2 if d2 else None), None


# ----- functional forms (minidl.add, minidl.mul, ...) -----------------------------------


def _operands(op, a, b, true_divide=False):
    a, b = operand(op, a), operand(op, b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor._make(as_array(a, op=op))  # two numbers: a tensor, as minidl.tensor makes it
    return promote(a, b, true_divide)


def add(a, b):
    """a + b, broadcasting."""
    return Add.apply(*_operands("add", a, b))


def sub(a, b):
    """a − b, broadcasting."""
    return Sub.apply(*_operands("sub", a, b))


def mul(a, b):
    """a · b elementwise, broadcasting."""
    return Mul.apply(*_operands("mul", a, b))


def div(a, b):
    """a / b elementwise, broadcasting."""
    return Div.apply(*_operands("div", a, b, true_divide=True))


def neg(a):
    """−a."""
    return _neg("neg", a)


def negative(input):
    """−x: another name of :func:`neg`, as in PyTorch."""
    return _neg("negative", input)


def _neg(op, a):
    a = as_tensor(op, a)
    _not_bool(op, a, "to invert a mask use ~ or logical_not()")
    return Neg.apply(a)


def _is_bool(v):
    return v.data.dtype == np.bool_ if isinstance(v, Tensor) else isinstance(v, (bool, np.bool_))


def pow(a, b):
    """a ** b: tensor ** number, number ** tensor or tensor ** tensor."""
    a, b = _operands("pow", a, b)
    if _is_bool(a) and _is_bool(b):
        # NumPy has no bool power and answers in int8; the values are bools (x ** y = x or not y)
        values = [v.data if isinstance(v, Tensor) else v for v in (a, b)]
        return Tensor._make(np.power(*values).astype(np.bool_))
    return Pow.apply(a, b)


def lerp(input, end, weight):
    """input + weight·(end − input): the straight line from input (weight 0) to end (weight 1),
    broadcasting.  input and end are float tensors of one dtype, as in PyTorch; weight is a
    number or a float tensor.  The gradient reaches all three."""
    x, e = as_tensor("lerp", input), as_tensor("lerp", end)
    if x.data.dtype.kind != "f":
        raise TypeError(
            f"lerp: input must be a float tensor, got dtype {x.data.dtype} (as in PyTorch)"
        )
    if e.data.dtype != x.data.dtype:
        raise TypeError(
            f"lerp: end has dtype {e.data.dtype} but input has {x.data.dtype}; expected one "
            "dtype, as PyTorch does (convert end, e.g. end.to(input.dtype))"
        )
    if is_real(weight):
        w = float(weight)  # a NumPy float64 scalar would upcast float32 inputs
    elif isinstance(weight, (bool, np.bool_)):
        raise TypeError(f"lerp: weight must be a number or a float tensor, got {weight!r}")
    else:
        w = as_tensor("lerp", weight)
        if w.data.dtype.kind != "f":
            raise TypeError(
                f"lerp: weight must be a number or a float tensor, got dtype {w.data.dtype}"
            )
        if w.data.dtype != x.data.dtype:  # PyTorch computes in input's dtype
            w = cast(w, x.data.dtype)
    return Lerp.apply(x, e, w)


def _addc(op, input, tensor1, tensor2, value):
    x, t1, t2 = (as_tensor(op, t) for t in (input, tensor1, tensor2))
    t1, t2 = promote(t1, t2)
    d = result_dtype(x, t1 if t1.data.ndim >= t2.data.ndim else t2)
    if d == np.bool_:
        raise TypeError(f"{op}: not defined for bool tensors (PyTorch refuses them too)")
    if not is_real(value):
        raise TypeError(f"{op}: value must be a number, got {value!r}")
    if d.kind != "f" and not float(value).is_integer():
        # PyTorch silently truncates it (value=0.5 becomes 0): a wrong answer, refused here
        raise TypeError(
            f"{op}: value {value!r} is not a whole number, but the result has dtype {d}; "
            "convert the tensors to float first"
        )
    x, t1, t2 = (t if t.data.dtype == d else cast(t, d) for t in (x, t1, t2))
    # a Python number: a NumPy float64 scalar would upcast float32 tensors
    return x, t1, t2, int(value) if d.kind != "f" else float(value)


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value·tensor1·tensor2 elementwise, broadcasting all three (value a number)."""
    return Addcmul.apply(*_addc("addcmul", input, tensor1, tensor2, value))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value·tensor1/tensor2 elementwise, broadcasting all three (value a number).

    tensor1 and tensor2 may not both be integers: PyTorch refuses that integer division too.
    """
    t1, t2 = as_tensor("addcdiv", tensor1), as_tensor("addcdiv", tensor2)
    if t1.data.dtype.kind in "biu" and t2.data.dtype.kind in "biu":
        raise TypeError(
            f"addcdiv: tensor1 ({t1.data.dtype}) and tensor2 ({t2.data.dtype}) are both "
            "integers; integer division is refused, as in PyTorch. Convert one to float first"
        )
    return Addcdiv.apply(*_addc("addcdiv", input, t1, t2, value))
