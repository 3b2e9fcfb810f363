"""Elementwise arithmetic, and the helpers every op uses to take its operands.

- operands: ``operand``, ``as_tensor``, ``as_float_tensor``, and PyTorch's dtype
  promotion (``result_dtype``, ``promote``);
- arithmetic: ``add``, ``sub``, ``mul``, ``div``, ``neg``/``negative``, ``pow``,
  ``remainder`` (``%``), ``floor_divide`` (``//``, no derivative), ``fmod``, ``lerp``,
  ``addcmul``, ``addcdiv``;
- bounds and choices: ``clamp`` (``clamp_min``/``clamp_max``), ``maximum``, ``minimum``,
  ``where``, ``cast``;
- with no gradient: ``compare`` (behind ``logic.py``'s comparisons), the bitwise
  ``&`` ``|`` ``^`` ``~`` and ``logical_*`` operators, ``allclose``.

Binary ops broadcast as NumPy does; each backward returns the gradient in
the broadcast shape and the engine sums it back (``autograd.unbroadcast``).
Elementary functions (exp, log, sin, ...) are in ``elementary.py``, rounding in
``rounding.py``.
"""

import numpy as np

from minidl._checks import check_dtype, get_default_dtype, is_real
from minidl.autograd import Function, op_error
from minidl.convert import as_array
from minidl.tensor import Tensor


def operand(op, x):
    """Accept a Tensor, a Python/NumPy number or an array as an op's input.

    Python numbers stay Python numbers, so ``float32_tensor * 2.0`` stays float32.
    """
    if isinstance(x, Tensor) or type(x) in (int, float, bool):
        return x
    if isinstance(x, np.generic):
        return as_array(x, op=op).item()
    if isinstance(x, (np.ndarray, list, tuple)):
        return Tensor._make(as_array(x, op=op))
    raise TypeError(
        f"{op}: unsupported operand of type {type(x).__name__}; "
        "expected a Tensor, a number or an array"
    )


def as_tensor(op, x):
    """Like :func:`operand`, but always a Tensor (for ops whose first input is a tensor)."""
    if isinstance(x, Tensor):
        return x
    x = operand(op, x)
    return x if isinstance(x, Tensor) else Tensor._make(as_array(x, op=op))


# category of a dtype kind or a Python number type: bool < integer < float
CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, bool: 0, int: 1, float: 2}


def result_dtype(a, b, true_divide=False):
    """PyTorch's dtype for a ⊙ b, where each is a Tensor or a Python number.

    Of bool < integer < float, the higher category's dtype wins: int64 ⊙ float32
    is float32 (NumPy says float64) and an integer tensor ⊙ a Python float is the
    default float dtype.  Within one category NumPy's rule stands (float32 ⊙
    float64 → float64), except that a 0-d tensor yields to one with dimensions
    (float32 ⊙ 0-d float64 → float32).  ``true_divide``: integers give the
    default float dtype (7 / 2 = 3.5).
    """
    if not isinstance(a, Tensor):
        a, b = b, a  # a is a tensor: an op always has one
    da = a.data.dtype
    if isinstance(b, Tensor):
        db = b.data.dtype
        ca, cb = CATEGORY[da.kind], CATEGORY[db.kind]
        if ca != cb:
            d = da if ca > cb else db
        elif da == db or b.data.ndim == 0 < a.data.ndim:
            d = da
        elif a.data.ndim == 0 < b.data.ndim:
            d = db
        else:
            d = np.result_type(da, db)
    else:
        cb = CATEGORY[type(b)]
        if cb <= CATEGORY[da.kind]:
            d = da
        else:
            d = get_default_dtype() if cb == 2 else np.dtype(np.int64)
    if true_divide and d.kind != "f":
        d = get_default_dtype()
    return d


def promote(a, b, true_divide=False):
    """(a, b) with every tensor cast to :func:`result_dtype` (a differentiable cast)."""
    d = result_dtype(a, b, true_divide)
    if isinstance(a, Tensor) and a.data.dtype != d:
        a = cast(a, d)
    if isinstance(b, Tensor) and b.data.dtype != d:
        b = cast(b, d)
    return a, b


def as_float_tensor(op, x):
    """``as_tensor``, with integers and bools turned into the default float (exp, log, …)."""
    x = as_tensor(op, x)
    return x if x.data.dtype.kind == "f" else Tensor._make(x.data.astype(get_default_dtype()))


def _not_bool(op, x, hint):
    if x.data.dtype == np.bool_:
        raise TypeError(f"{op}: not defined for a bool tensor (PyTorch refuses it too); {hint}")


# ----- arithmetic -------------------------------------------------------------------------


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


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """Integer division by zero: Python's ZeroDivisionError, and the RuntimeError PyTorch raises."""


def _refuse_zero_divisor(op, a, b):
    # NumPy warns and answers 0 for an integer x // 0 or x % 0, a silently wrong number
    if np.result_type(a, b).kind in "biu" and np.any(np.asarray(b) == 0):
        raise op_error(
            IntegerDivisionByZero,
            f"{op}: integer division by zero (a divisor of shape {np.shape(b)} holds a 0); "
            "PyTorch raises here too. Convert to float first for inf/nan instead",
        )


class Remainder(Function):
    """z = a mod b = a − b·⌊a/b⌋, with the sign of b (Python's %);
    dz/da = 1,  dz/db = −⌊a/b⌋  (⌊a/b⌋ is a step: constant between its jumps)"""

    @staticmethod
    def forward(ctx, a, b):
        _refuse_zero_divisor("remainder", a, b)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)  # dz/da = 1 needs neither
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.fmod(a, b)  # C's remainder: the sign of a
            # PyTorch's rule (np.remainder differs on the sign of a zero result: 0 % −3)
            wrong_sign = (z != 0) & ((z < 0) != (np.asarray(b) < 0))
            return np.where(wrong_sign, z + b, z)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad, -grad * np.floor_divide(a, b)


class FloorDivide(Function):
    """z = ⌊a/b⌋;  no derivative: backward raises, as PyTorch's does (it is 0 between the
    jumps and undefined at them, so a gradient through it is almost surely a mistake)"""

    differentiable = False  # not in OPS: `python -m minidl gradcheck` has nothing to check

    @staticmethod
    def forward(ctx, a, b):
        _refuse_zero_divisor("floor_divide", a, b)
        # float x // 0 is ±inf or nan (IEEE); the integer minimum // −1 wraps, as in PyTorch
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.floor_divide(a, b)  # the rounding of PyTorch's div(rounding_mode="floor")

    @staticmethod
    def backward(ctx, grad):
        raise op_error(
            RuntimeError,
            "floor_divide: the derivative of a // b is not implemented (PyTorch raises here "
            "too: it is 0 between the jumps of the floor and undefined at them). To use the "
            "quotient as a constant, call .detach() on it; for a gradient, use a / b",
        )


class Fmod(Function):
    """z = a − b·trunc(a/b), with the sign of a (C's fmod; −7 fmod 3 = −1, where −7 % 3 = 2);
    dz/da = 1,  dz/db = −trunc(a/b)  (trunc(a/b) is a step: constant between its jumps)"""

    @staticmethod
    def forward(ctx, a, b):
        _refuse_zero_divisor("fmod", a, b)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)  # dz/da = 1 needs neither
        with np.errstate(divide="ignore", invalid="ignore"):  # float x fmod 0 is NaN (IEEE)
            return np.fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad, -grad * np.trunc(a / b)


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


# ----- bounds and choices: clamp, maximum, minimum, where; cast ---------------------------


class Clamp(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo ≤ x ≤ hi, else 0;
    dy/dlo = 1 where x < lo,  dy/dhi = 1 where x > hi  (bounds: numbers or tensors)"""

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        if lo is None and hi is None:
            raise op_error(TypeError, "clamp: at least one of min and max must be given")
        if lo is not None and hi is not None and np.any(lo > hi):
            if np.ndim(lo) == np.ndim(hi) == 0:
                raise op_error(ValueError, f"clamp: min {lo} is greater than max {hi}")
            raise op_error(ValueError, "clamp: min is greater than max at some position")
        y = np.clip(x, lo, hi)
        inside = np.ones(y.shape, bool)  # the broadcast shape, when a bound is a tensor
        below = above = None
        if lo is not None:
            inside &= x >= lo
            below = x < lo
        if hi is not None:
            inside &= x <= hi
            above = x > hi
        ctx.save_for_backward(inside, below, above)
        return y

    @staticmethod
    def backward(ctx, grad):
        inside, below, above = ctx.saved_tensors
        _, need_lo, need_hi = ctx.needs_input_grad
        return (
            grad * inside,
            grad * below if need_lo else None,
            grad * above if need_hi else None,
        )


class Maximum(Function):
    """z = max(a, b) elementwise;  the gradient goes to the larger input (halved at ties)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a > b) + 0.5 * (a == b)
        return grad * share, grad * (1 - share)


class Minimum(Function):
    """z = min(a, b) elementwise;  the gradient goes to the smaller input (halved at ties)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a < b) + 0.5 * (a == b)
        return grad * share, grad * (1 - share)


class Where(Function):
    """z = a where cond else b;  dz/da = cond,  dz/db = not cond"""

    @staticmethod
    def forward(ctx, cond, a, b):
        cond = np.asarray(cond, bool)
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        zero = np.zeros((), grad.dtype)
        return None, np.where(cond, grad, zero), np.where(cond, zero, grad)


class Cast(Function):
    """y = x as another dtype;  dy/dx = 1 (the gradient is cast back)"""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


# ----- functional forms (minidl.add, minidl.clamp, ...) -----------------------------------


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


def _no_bool_division(op, a, b):
    if result_dtype(a, b) == np.bool_:
        raise TypeError(
            f"{op}: not defined for two bool operands (PyTorch refuses them too); "
            "convert one to an integer first, e.g. t.long()"
        )


def floor_divide(a, b):
    """⌊a / b⌋ elementwise, broadcasting (Python's //: rounds toward −∞, 7 // −2 = −4).

    Integers stay integers (int64 // int64 is int64), and an integer division by zero
    raises, as in PyTorch.  The result has no derivative: backward through it raises,
    as PyTorch's does; ``.detach()`` it to use it as a constant.
    """
    a, b = _operands("floor_divide", a, b)
    _no_bool_division("floor_divide", a, b)
    return FloorDivide.apply(a, b)


def remainder(a, b):
    """a mod b elementwise, broadcasting, with the sign of b as Python's % (−7 % 3 = 2).

    Integer division by zero raises, as in PyTorch.  dz/da = 1, dz/db = −⌊a/b⌋.
    """
    a, b = _operands("remainder", a, b)
    _no_bool_division("remainder", a, b)
    return Remainder.apply(a, b)


def fmod(input, other):
    """C's remainder a − b·trunc(a/b), with the sign of the dividend (fmod(−7, 3) = −1, where
    −7 % 3 = 2), broadcasting.  Integers stay integers and an integer division by zero
    raises, as in PyTorch; a float one gives NaN.  dz/da = 1, dz/db = −trunc(a/b)."""
    a, b = _operands("fmod", input, other)
    _no_bool_division("fmod", a, b)
    return Fmod.apply(a, b)


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


def clamp(x, min=None, max=None):
    """Limit x to [min, max]; either bound may be None, a number or a tensor (broadcast)."""
    return _clamp("clamp", x, min, max)


def clip(input, min=None, max=None):
    """:func:`clamp` under NumPy's name, as ``torch.clip``."""
    return _clamp("clip", input, min, max)


def _clamp(op, x, min, max):
    x = as_tensor(op, x)
    # numbers stay Python numbers (they never upcast a float32 x); arrays become tensors
    lo, hi = (None if b is None else operand(op, b) for b in (min, max))
    for bound in (lo, hi):  # PyTorch's result dtype: an integer x clamped to 0.5 is a float
        if bound is not None and result_dtype(x, bound) != x.data.dtype:
            x = cast(x, result_dtype(x, bound))
    lo, hi = (
        cast(b, x.dtype) if isinstance(b, Tensor) and b.dtype != x.dtype else b for b in (lo, hi)
    )
    try:
        return Clamp.apply(x, lo, hi)
    except ValueError as e:  # checked only after NumPy failed: the normal path pays nothing
        _clamp_broadcast(op, x, lo, hi)
        raise _renamed(e, op) from None
    except TypeError as e:
        raise _renamed(e, op) from None


def _renamed(e, op):
    # Clamp's own checks say "clamp:"; clip and clamp_min must name themselves
    msg = str(e)
    if op == "clamp" or not msg.startswith("clamp:"):
        return e
    plain = next(k for k in type(e).__mro__ if k.__module__ == "builtins")
    return op_error(plain, op + msg[5:])


def _clamp_broadcast(op, x, lo, hi):
    """Raise an error naming ``op`` and the shapes if x and the tensor bounds do not
    broadcast together (NumPy's own text names neither the op nor which bound)."""
    shapes = [("input", x.shape)] + [
        (name, b.shape) for name, b in (("min", lo), ("max", hi)) if isinstance(b, Tensor)
    ]
    for k in range(1, len(shapes)):
        try:
            np.broadcast_shapes(*(shape for _, shape in shapes[: k + 1]))
        except ValueError:
            named = [f"{name} of shape {shape}" for name, shape in shapes[: k + 1]]
            named = ", ".join(named[:-1]) + " and " + named[-1]
            raise op_error(
                ValueError,
                f"{op}: {named} do not broadcast together (each size must match or be 1, "
                "counting from the last dim)",
            ) from None


def _bound(op, name, value):
    # clamp_min(x, None) is a slip (PyTorch refuses it too): clamp's "at least one of min
    # and max" would not say which function or argument
    if value is None:
        raise TypeError(f"{op}: {name} must be a number or a tensor, got None")
    return value


def clamp_min(input, min):
    """max(x, min) elementwise: ``clamp(input, min=min)``."""
    return _clamp("clamp_min", input, _bound("clamp_min", "min", min), None)


def clamp_max(input, max):
    """min(x, max) elementwise: ``clamp(input, max=max)``."""
    return _clamp("clamp_max", input, None, _bound("clamp_max", "max", max))


def maximum(a, b):
    """Elementwise maximum of two tensors."""
    return Maximum.apply(*_operands("maximum", a, b))


def minimum(a, b):
    """Elementwise minimum of two tensors."""
    return Minimum.apply(*_operands("minimum", a, b))


_ONE_ARGUMENT = object()  # where(cond) alone: nothing given for a and b


def where(condition, input=_ONE_ARGUMENT, other=_ONE_ARGUMENT):
    """Pick from input where condition is true, else from other (condition carries no
    gradient).

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as in PyTorch: one
    int64 tensor of indices per dim (condition may then be of any dtype; non-zero counts).
    """
    cond, a, b = condition, input, other
    if a is _ONE_ARGUMENT and b is _ONE_ARGUMENT:
        from minidl.ops.search import nonzero  # search imports this module

        return nonzero(cond, as_tuple=True)
    if a is _ONE_ARGUMENT or b is _ONE_ARGUMENT:
        raise TypeError(
            "where: expected where(condition, input, other), or where(condition) alone; "
            "got input or other without the other one"
        )
    if not isinstance(cond, Tensor):
        cond = Tensor._make(np.asarray(cond))
    if cond.data.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {cond.data.dtype}")
    a, b = operand("where", a), operand("where", b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor("where", a)  # two Python numbers: the default float dtype, as in tensor()
    # cond as a Tensor: backward can then tell when it was overwritten
    return Where.apply(cond, *promote(a, b))


def cast(x, dtype):
    """x converted to ``dtype``; the gradient flows back between float dtypes."""
    dtype = check_dtype("cast", dtype)
    if x.requires_grad and dtype.kind != "f":
        return Tensor._make(x.data.astype(dtype))
    return Cast.apply(x, dtype)


# ----- comparisons, bitwise and logical operators, allclose: no gradient ------------------


def compare(ufunc, a, b):
    """A boolean tensor from a comparison ufunc; never part of a graph."""
    if b is None:  # t == None is False (and t != None True), as for any object in Python
        return ufunc is np.not_equal
    b = b.data if isinstance(b, Tensor) else operand(ufunc.__name__, b)
    if isinstance(b, Tensor):
        b = b.data
    try:
        return Tensor._make(np.asarray(ufunc(a.data, b)))
    except ValueError:
        raise op_error(
            ValueError,
            f"{ufunc.__name__}: shapes {a.shape} and {np.shape(b)} do not broadcast together",
        ) from None


def _integer_operands(op, a, b):
    """The arrays of a and b in their PyTorch result dtype, both bool or integer."""
    a, b = operand(op, a), operand(op, b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor._make(as_array(a, op=op))
    for v in (a, b):
        kind = v.data.dtype.kind if isinstance(v, Tensor) else type(v).__name__
        if kind not in ("b", "i", "u", "bool", "int"):
            what = f"a tensor of dtype {v.data.dtype}" if isinstance(v, Tensor) else repr(v)
            raise TypeError(
                f"{op}: defined for bool and integer operands only, got {what} (PyTorch "
                "refuses floats too); for a mask of floats compare first, e.g. (x > 0)"
            )
    d = result_dtype(a, b)
    # as_array refuses a Python int that the dtype cannot hold (int8 tensor & 300)
    return [
        v.data.astype(d, copy=False) if isinstance(v, Tensor) else as_array(v, d, op=op)
        for v in (a, b)
    ]


def _bitwise(op, ufunc, a, b):
    a, b = _integer_operands(op, a, b)
    try:
        return Tensor._make(np.asarray(ufunc(a, b)))
    except ValueError:
        raise op_error(
            ValueError, f"{op}: shapes {a.shape} and {b.shape} do not broadcast together"
        ) from None


def bitwise_and(a, b):
    """a & b elementwise for bool or integer tensors (no gradient)."""
    return _bitwise("bitwise_and", np.bitwise_and, a, b)


def bitwise_or(a, b):
    """a | b elementwise for bool or integer tensors (no gradient)."""
    return _bitwise("bitwise_or", np.bitwise_or, a, b)


def bitwise_xor(a, b):
    """a ^ b elementwise for bool or integer tensors (no gradient)."""
    return _bitwise("bitwise_xor", np.bitwise_xor, a, b)


def bitwise_not(a):
    """~a elementwise: logical not for bool, −a − 1 for integers (no gradient)."""
    a = as_tensor("bitwise_not", a)
    if a.data.dtype.kind not in "biu":
        raise TypeError(
            f"bitwise_not (~): defined for bool and integer tensors only, got dtype "
            f"{a.data.dtype} (PyTorch refuses floats too); for a float mask use (x == 0)"
        )
    return Tensor._make(np.invert(a.data))


def _logical(op, ufunc, a, b):
    a, b = as_tensor(op, a), operand(op, b)
    b = b.data if isinstance(b, Tensor) else b
    try:
        return Tensor._make(np.asarray(ufunc(a.data, b)))
    except ValueError:
        raise op_error(
            ValueError, f"{op}: shapes {a.shape} and {np.shape(b)} do not broadcast together"
        ) from None


def logical_and(a, b):
    """Elementwise "both non-zero", a bool tensor, for any dtypes (no gradient)."""
    return _logical("logical_and", np.logical_and, a, b)


def logical_or(a, b):
    """Elementwise "either non-zero", a bool tensor, for any dtypes (no gradient)."""
    return _logical("logical_or", np.logical_or, a, b)


def logical_xor(a, b):
    """Elementwise "exactly one non-zero", a bool tensor, for any dtypes (no gradient)."""
    return _logical("logical_xor", np.logical_xor, a, b)


def logical_not(a):
    """Elementwise "is zero", a bool tensor, for any dtype (no gradient)."""
    return Tensor._make(np.logical_not(as_tensor("logical_not", a).data))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if |a − b| ≤ atol + rtol·|b| everywhere (broadcasting), as ``torch.allclose``.

    A Python bool, never part of a graph.  NaNs are unequal unless ``equal_nan``;
    infinities of one sign are equal.  Two tensors must share a dtype (PyTorch
    refuses float32 against float64 too); a number, list or array ``b`` is
    compared by value, whatever its dtype.
    """
    bv = _close_operands("allclose", a, b, rtol, atol)
    return bool(np.allclose(a.data, bv, rtol=float(rtol), atol=float(atol), equal_nan=equal_nan))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a − b| ≤ atol + rtol·|b| elementwise (broadcasting), a bool tensor, as
    ``torch.isclose``: :func:`allclose` before its "everywhere".  No gradient.  NaNs are
    unequal unless ``equal_nan``; infinities of one sign are equal."""
    bv = _close_operands("isclose", a, b, rtol, atol)
    rtol, atol = float(rtol), float(atol)
    return Tensor._make(
        np.asarray(np.isclose(a.data, bv, rtol=rtol, atol=atol, equal_nan=equal_nan))
    )


def _close_operands(op, a, b, rtol, atol):
    """b's values for ``allclose``/``isclose`` after their checks."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor as the first argument, got {type(a).__name__}")
    if isinstance(b, Tensor):
        if a.data.dtype != b.data.dtype:
            raise TypeError(
                f"{op}: dtypes {a.data.dtype} and {b.data.dtype} differ (PyTorch "
                "refuses this too); convert one first, e.g. b.to(a.dtype)"
            )
        bv = b.data
    else:
        bv = operand(op, b)
        bv = bv.data if isinstance(bv, Tensor) else bv
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if not is_real(tol) or not tol >= 0:
            raise ValueError(f"{op}: {name} must be a number ≥ 0, got {tol!r}")
    try:
        np.broadcast_shapes(a.data.shape, np.shape(bv))
    except ValueError:
        raise ValueError(
            f"{op}: shapes {tuple(a.data.shape)} and {tuple(np.shape(bv))} do not "
            "broadcast together"
        ) from None
    return bv
