"""Gradient self-check cases for the core ops (``python -m minidl gradcheck``).

One small float64 problem per op (several where an op has distinct forms,
e.g. matmul's 1-D and batched cases).  Values are drawn so that no case sits
on a kink (|x| at 0, clamp bounds, ties of max/min).
"""

import numpy as np

from minidl import ops
from minidl.selfcheck import GradCase
from minidl.tensor import Tensor

__all__ = ["CASES"]


def _t(rng, *shape, low=None, high=None):
    a = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return Tensor._make(a, True)


def _off_zero(rng, *shape):
    # |x| ≥ 0.2: far from the kinks of abs/relu at 0 (gradcheck's ε is 1e-6)
    a = rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return Tensor._make(a, True)


def _distinct(rng, *shape):
    # a shuffled grid with steps of 0.1: no ties, so max/min have one winner
    a = rng.permutation(np.arange(int(np.prod(shape))) * 0.1 - 1.0).reshape(shape)
    return Tensor._make(a, True)


def _binary(op, sa, sb, positive_b=False):
    def make(rng):
        b = _t(rng, *sb, low=0.5, high=2.0) if positive_b else _t(rng, *sb)
        return op, (_t(rng, *sa), b)

    return make


def _unary(op, shape, maker=_t, **kw):
    def make(rng):
        return op, (maker(rng, *shape, **kw),)

    return make


def _ternary(op, sa, sb, sc):
    def make(rng):
        return op, (_t(rng, *sa), _t(rng, *sb), _t(rng, *sc))

    return make


def _einsum(equation, *shapes):
    def make(rng):
        return (lambda *xs: ops.einsum(equation, *xs)), tuple(_t(rng, *s) for s in shapes)

    return make


def _pow_tensor_tensor(rng):
    return ops.pow, (_t(rng, 3, 4, low=0.5, high=2.0), _t(rng, 4))


def _pow_zero_base(rng):
    # bases with exact zeros (a ReLU output, say): d(0^b)/db = 0 for b > 0, not 0·log 0
    base = Tensor._make(np.array([[0.0, 1.5, 0.0, 0.7], [2.0, 0.0, 0.9, 1.1]]))
    return (lambda b: base**b), (_t(rng, 4, low=0.5, high=2.0),)


def _clamp_tensor_bounds(rng):
    # x on odd tenths, the bounds on even ones: 0.1 apart at least, no kink inside gradcheck's ε
    x = rng.permutation(np.arange(-10, 10) * 0.2 + 0.1).reshape(4, 5)
    lo, hi = np.array([-0.8, -0.4, -0.2, -1.0, 0.2]), np.array([[0.6], [1.0], [1.4], [0.4]])
    return ops.clamp, tuple(Tensor._make(a, True) for a in (x, lo, hi))


def _where(rng):
    cond = rng.random((3, 4)) > 0.5
    return (lambda a, b: ops.where(cond, a, b)), (_t(rng, 3, 4), _t(rng, 4))


def _maximum(rng):
    a = _t(rng, 3, 4)
    return ops.maximum, (a, Tensor._make(a.data + rng.choice([-0.5, 0.5], (3, 4)), True))


def _minimum(rng):
    a = _t(rng, 3, 4)
    return ops.minimum, (a, Tensor._make(a.data + rng.choice([-0.5, 0.5], (3, 4)), True))


def _clamp(rng):
    a = rng.uniform(-2, 2, (4, 5))
    a[np.abs(a - 0.5) < 0.1] += 0.3  # keep off the bounds
    a[np.abs(a + 0.5) < 0.1] -= 0.3
    return (lambda x: ops.clamp(x, -0.5, 0.5)), (Tensor._make(a, True),)


def _getitem(index):
    def make(rng):
        return (lambda x: x[index]), (_t(rng, 4, 5, 3),)

    return make


def _cat(rng):
    return (lambda a, b, c: ops.cat([a, b, c], dim=1)), (
        _t(rng, 2, 3),
        _t(rng, 2, 1),
        _t(rng, 2, 4),
    )


def _stack(rng):
    return (lambda a, b: ops.stack([a, b], dim=1)), (_t(rng, 3, 2), _t(rng, 3, 2))


def _meshgrid(rng):
    # every output used, each weighted differently by the engine's random cotangent
    return (lambda a, b, c: ops.meshgrid(a, b, c, indexing="xy")), (
        _t(rng, 3),
        _t(rng, 2),
        _t(rng, 4),
    )


def _split(rng):
    return (lambda x: ops.split(x, [1, 3, 2], dim=1)), (_t(rng, 2, 6),)


def _split_one_used(rng):
    return (lambda x: ops.chunk(x, 3, dim=0)[1]), (_t(rng, 6, 2),)


def _cast(rng):
    # float64 → float64: a float32 round trip would round away the ε = 1e-6 of the check;
    # copy=True, since .to / .double return x itself when its dtype already matches
    return (lambda x: x.to(np.float64, copy=True) * x.double()), (_t(rng, 3, 2),)


def _prod_with_zeros(rng):
    # row 0 one zero, row 1 two zeros, row 2 none: Π is linear in each x, so the central
    # difference is exact even at the zeros, where y / x would be 0/0
    a = rng.uniform(0.5, 2.0, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))
    a[0, 2] = a[1, 0] = a[1, 3] = 0.0
    return (lambda x: ops.prod(x, 1)), (Tensor._make(a, True),)


def _distinct_magnitudes(rng, *shape):
    # |x| on a shuffled grid 0.2, 0.3, ... with random signs: no ties of |x| and no zeros,
    # so the ∞-norm has one winner and the 1-norm no kink
    n = int(np.prod(shape))
    a = rng.permutation(np.arange(n) * 0.1 + 0.2).reshape(shape)
    return Tensor._make(a * rng.choice([-1.0, 1.0], shape), True)


def _remainder_pair(rng, sa, sb):
    # a = b·(n + f) with f in [0.2, 0.8]: a/b is ≥ 0.2 from every integer, where a mod b jumps
    b = rng.uniform(0.5, 2.0, sb) * rng.choice([-1.0, 1.0], sb)
    a = b * (rng.integers(-3, 4, np.broadcast_shapes(sa, sb)) + rng.uniform(0.2, 0.8, sa))
    return Tensor._make(a, True), Tensor._make(b, True)


def _remainder(rng):
    return ops.remainder, _remainder_pair(rng, (3, 4), (4,))


def _remainder_number_divisor(rng):
    a, b = _remainder_pair(rng, (3, 4), ())  # a / b = n + f, so a / b · −1.5 is as far off
    return (lambda x: x % -1.5), (Tensor._make(a.data / b.data * -1.5, True),)


def _remainder_number_dividend(rng):
    # 2.5 % b, with 2.5 / b = n + f, f in [0.2, 0.8] and n + f ≠ 0
    q = rng.integers(-3, 3, (3, 4)) + rng.uniform(0.2, 0.8, (3, 4))
    return (lambda b: 2.5 % b), (Tensor._make(2.5 / q, True),)


def _gather(rng):
    # index (3, 2) into x (3, 4) along dim 1, with a repeated pick in row 1: its gradients add
    index = np.array([[3, 0], [1, 1], [2, 0]])
    return (lambda x: ops.gather(x, 1, index)), (_t(rng, 3, 4),)


def _off_halves(rng, *shape, decimals=0):
    # x·10^d within 0.3 of an integer, so at least 0.2 from every n + ½, where round jumps
    scale = 10.0**decimals
    n = rng.integers(-3, 4, shape) + rng.choice([-0.3, 0.3], shape) * rng.uniform(0.3, 1, shape)
    return Tensor._make(n / scale, True)


def _cumprod_with_zeros(rng):
    # row 0 one zero, row 1 two zeros: yᵢ is linear in each x, so the central difference is
    # exact at the zeros, where a gradient computed as yᵢ / xⱼ would be 0/0
    a = rng.uniform(0.5, 2.0, (3, 5)) * rng.choice([-1.0, 1.0], (3, 5))
    a[0, 2] = a[1, 1] = a[1, 3] = 0.0
    return (lambda x: ops.cumprod(x, 1)), (Tensor._make(a, True),)


def _repeat_interleave(rng):
    # counts with a 0: that row of x gets no gradient
    repeats = Tensor._make(np.array([2, 0, 3]))
    return (lambda x: ops.repeat_interleave(x, repeats, 0)), (_t(rng, 3, 2),)


def _where_method(rng):
    cond = Tensor._make(rng.random((3, 4)) > 0.5)
    return (lambda a, b: a.where(cond, b)), (_t(rng, 3, 4), _t(rng, 4))


def _indexing(op, shapes, *fixed):
    """``op(x, *fixed, y, ...)`` with float64 leaves of ``shapes``; fixed args (dims,
    indices) go between the first leaf and the rest, in the functional form's order."""

    def make(rng):
        leaves = tuple(_t(rng, *s) for s in shapes)
        return (lambda x, *rest: op(x, *fixed, *rest)), leaves

    return make


# inputs for the cases of rounding, lerp, addcmul/addcdiv, index_fill, fmod, clamp_min/clamp_max
# and nan_to_num
def _off_integers(rng, *shape):
    # x at n + f with f in [0.2, 0.8]: ≥ 0.2 from every integer, where floor/ceil/trunc jump
    n = rng.integers(-3, 3, shape) + rng.uniform(0.2, 0.8, shape)
    return Tensor._make(n, True)


def _lerp_tensor_weight(rng):
    return ops.lerp, (_t(rng, 3, 4), _t(rng, 4), _t(rng, 3, 1))


def _addc(op):
    def make(rng):
        return (lambda x, a, b: op(x, a, b, value=-0.7)), (
            _t(rng, 3, 1),
            _t(rng, 4),
            _t(rng, 3, 4, low=0.5, high=2.0),
        )

    return make


def _index_fill_tensor_value(rng):
    index = np.array([2, 0, 2])  # slice 2 named twice, written once: its gradient counts once
    return (lambda x, v: ops.index_fill(x, 1, index, v)), (_t(rng, 3, 4), _t(rng))


def _fmod(rng):
    # a = b·(n + f), f in [0.2, 0.8] with its sign: a/b ≥ 0.2 from the integers where fmod jumps
    b = rng.uniform(0.5, 2.0, (4,)) * rng.choice([-1.0, 1.0], (4,))
    q = rng.integers(-3, 4, (3, 4))
    q = q + np.where(q < 0, -1, 1) * rng.uniform(0.2, 0.8, (3, 4))
    return ops.fmod, (Tensor._make(b * q, True), Tensor._make(b, True))


def _clamp_off(rng, *shape):
    # |x| in [0.6, 2] or [0, 0.4]: ≥ 0.1 from the bounds ±0.5 of clamp_min/clamp_max
    a = rng.choice([rng.uniform(0.0, 0.4), rng.uniform(0.6, 2.0)], shape)
    return Tensor._make(a * rng.choice([-1.0, 1.0], shape), True)


def _nan_to_num(rng):
    x = rng.standard_normal((3, 4))
    x[0, 1], x[1, 2], x[2, 0] = np.nan, np.inf, -np.inf
    return (lambda t: ops.nan_to_num(t, nan=1.5, posinf=9.0, neginf=-9.0)), (Tensor._make(x, True),)


CASES = [
    GradCase("add broadcast", _binary(ops.add, (3, 4), (4,)), "(3, 4) + (4,)", ("Add",)),
    GradCase("sub broadcast", _binary(ops.sub, (3, 1), (1, 4)), "(3, 1) - (1, 4)", ("Sub",)),
    GradCase("mul broadcast", _binary(ops.mul, (2, 3, 4), (3, 1)), "(2, 3, 4) * (3, 1)", ("Mul",)),
    GradCase(
        "div broadcast",
        _binary(ops.div, (3, 4), (4,), positive_b=True),
        "(3, 4) / (4,), divisor in [0.5, 2]",
        ("Div",),
    ),
    GradCase("neg", _unary(ops.neg, (3, 4)), "(3, 4)", ("Neg",)),
    GradCase(
        "pow tensor ** scalar",
        _unary(lambda x: x**3, (3, 4)),
        "(3, 4) ** 3",
        ("Pow",),
    ),
    GradCase(
        "pow scalar ** tensor",
        _unary(lambda x: 2.0**x, (3, 4)),
        "2 ** (3, 4)",
        ("Pow",),
    ),
    GradCase(
        "pow tensor ** tensor", _pow_tensor_tensor, "(3, 4) ** (4,), base in [0.5, 2]", ("Pow",)
    ),
    GradCase("pow zero base", _pow_zero_base, "(2, 4) with zeros ** (4,)", ("Pow",)),
    GradCase("exp", _unary(ops.exp, (3, 4)), "(3, 4)", ("Exp",)),
    GradCase("log", _unary(ops.log, (3, 4), low=0.5, high=3.0), "(3, 4) in [0.5, 3]", ("Log",)),
    GradCase("sqrt", _unary(ops.sqrt, (3, 4), low=0.5, high=3.0), "(3, 4) in [0.5, 3]", ("Sqrt",)),
    GradCase("tanh", _unary(ops.tanh, (3, 4)), "(3, 4)", ("Tanh",)),
    GradCase("sigmoid", _unary(ops.sigmoid, (3, 4)), "(3, 4)", ("Sigmoid",)),
    GradCase("relu", _unary(ops.relu, (3, 4), _off_zero), "(3, 4), |x| ≥ 0.2", ("Relu",)),
    GradCase("abs", _unary(ops.abs, (3, 4), _off_zero), "(3, 4), |x| ≥ 0.2", ("Abs",)),
    GradCase("clamp", _clamp, "(4, 5) to [-0.5, 0.5]", ("Clamp",)),
    GradCase("clamp tensor bounds", _clamp_tensor_bounds, "(4, 5), (5,), (4, 1)", ("Clamp",)),
    GradCase("maximum", _maximum, "(3, 4), (3, 4), no ties", ("Maximum",)),
    GradCase("minimum", _minimum, "(3, 4), (3, 4), no ties", ("Minimum",)),
    GradCase("where", _where, "cond (3, 4), (3, 4), (4,)", ("Where",)),
    GradCase("cast .to / .double", _cast, "(3, 2) float64", ("Cast",)),
    GradCase("matmul 2-D", _binary(ops.matmul, (3, 4), (4, 2)), "(3, 4) @ (4, 2)", ("MatMul",)),
    GradCase("matmul 1-D · 1-D", _binary(ops.matmul, (4,), (4,)), "(4,) @ (4,)", ("MatMul",)),
    GradCase("matmul 1-D · 2-D", _binary(ops.matmul, (4,), (4, 3)), "(4,) @ (4, 3)", ("MatMul",)),
    GradCase("matmul 2-D · 1-D", _binary(ops.matmul, (3, 4), (4,)), "(3, 4) @ (4,)", ("MatMul",)),
    GradCase(
        "matmul broadcast batch",
        _binary(ops.matmul, (2, 1, 3, 4), (5, 4, 2)),
        "(2, 1, 3, 4) @ (5, 4, 2)",
        ("MatMul",),
    ),
    GradCase("sum dim", _unary(lambda x: ops.sum(x, 1), (3, 4, 2)), "(3, 4, 2) dim 1", ("Sum",)),
    GradCase(
        "mean dims keepdim",
        _unary(lambda x: ops.mean(x, (0, 2), keepdim=True), (3, 4, 2)),
        "(3, 4, 2) dim (0, 2) keepdim",
        ("Mean",),
    ),
    GradCase(
        "var dim",
        _unary(lambda x: ops.var(x, 1), (3, 4, 2)),
        "(3, 4, 2) dim 1",
        ("Mean", "Sub", "Mul", "Sum", "Div"),
    ),
    GradCase(
        "var all correction=0",
        _unary(lambda x: ops.var(x, correction=0), (3, 4)),
        "(3, 4) all axes, correction 0",
        ("Mean", "Sub", "Mul", "Sum", "Div"),
    ),
    GradCase(
        "std dims keepdim",
        _unary(lambda x: ops.std(x, (0, 2), keepdim=True), (3, 4, 2)),
        "(3, 4, 2) dim (0, 2) keepdim",
        ("Mean", "Sub", "Mul", "Sum", "Div", "Sqrt"),
    ),
    GradCase(
        "std all",
        _unary(lambda x: ops.std(x), (3, 4)),
        "(3, 4) all axes",
        ("Mean", "Sub", "Mul", "Sum", "Div", "Sqrt"),
    ),
    GradCase(
        "max dim", _unary(lambda x: ops.amax(x, -1), (3, 4), _distinct), "(3, 4) dim -1", ("Max",)
    ),
    GradCase(
        "min all", _unary(lambda x: ops.min(x), (3, 4), _distinct), "(3, 4) all axes", ("Min",)
    ),
    GradCase(
        "reshape",
        _unary(lambda x: x.reshape(4, -1), (2, 3, 2)),
        "(2, 3, 2) → (4, 3)",
        ("Reshape",),
    ),
    GradCase(
        "clone", _unary(lambda x: x.clone() * x, (3, 4)), "(3, 4): clone(x) ⊙ x", ("Clone", "Mul")
    ),
    GradCase(
        "permute",
        _unary(lambda x: x.permute(2, 0, 1), (2, 3, 4)),
        "(2, 3, 4) → (4, 2, 3)",
        ("Permute",),
    ),
    GradCase(
        "expand", _unary(lambda x: x.expand(2, 3, 4), (3, 1)), "(3, 1) → (2, 3, 4)", ("Expand",)
    ),
    GradCase(
        "getitem slices",
        _getitem((slice(1, 3), None, Ellipsis, 0)),
        "(4, 5, 3)[1:3, None, ..., 0]",
        ("GetItem",),
    ),
    GradCase(
        "getitem repeated indices",
        _getitem((np.array([0, 2, 0, 0]), slice(None), np.array([1, 1, 2, 1]))),
        "(4, 5, 3)[[0, 2, 0, 0], :, [1, 1, 2, 1]]",
        ("GetItem",),
    ),
    GradCase(
        "getitem boolean mask",
        _getitem(np.array([True, False, True, True])),
        "(4, 5, 3)[mask of 4]",
        ("GetItem",),
    ),
    GradCase("cat", _cat, "(2, 3), (2, 1), (2, 4) dim 1", ("Cat",)),
    GradCase("stack", _stack, "(3, 2), (3, 2) dim 1", ("Stack",)),
    GradCase("split sizes", _split, "(2, 6) into [1, 3, 2] dim 1", ("Split",)),
    GradCase("chunk, one piece used", _split_one_used, "(6, 2) chunk 3, piece 1", ("Split",)),
    GradCase(
        "softmax", _unary(lambda x: ops.softmax(x, 1), (3, 4, 2)), "(3, 4, 2) dim 1", ("Softmax",)
    ),
    GradCase(
        "log_softmax",
        _unary(lambda x: ops.log_softmax(x, -1), (3, 4)),
        "(3, 4) dim -1",
        ("LogSoftmax",),
    ),
    GradCase(
        "logsumexp",
        _unary(lambda x: ops.logsumexp(x, (0, 2)), (3, 4, 2)),
        "(3, 4, 2) dim (0, 2)",
        ("LogSumExp",),
    ),
    # sin, cos, prod, cumsum, norm
    GradCase("sin", _unary(ops.sin, (3, 4)), "(3, 4)", ("Sin",)),
    GradCase("cos", _unary(ops.cos, (3, 4)), "(3, 4)", ("Cos",)),
    GradCase(
        "prod dim",
        _unary(lambda x: ops.prod(x, -1, True), (3, 4)),
        "(3, 4) dim -1 keepdim",
        ("Prod",),
    ),
    GradCase("prod all", _unary(ops.prod, (2, 3)), "(2, 3) all axes", ("Prod",)),
    GradCase(
        "prod with zeros", _prod_with_zeros, "(3, 4) dim 1, rows with 1, 2, 0 zeros", ("Prod",)
    ),
    GradCase(
        "cumsum", _unary(lambda x: ops.cumsum(x, 1), (2, 4, 3)), "(2, 4, 3) dim 1", ("Cumsum",)
    ),
    GradCase(
        "norm p=2",
        _unary(lambda x: ops.norm(x, 2, (0, 2)), (3, 4, 2)),
        "(3, 4, 2) dim (0, 2)",
        ("Norm",),
    ),
    GradCase("norm p=2 all", _unary(ops.norm, (3, 4)), "(3, 4) all axes", ("Norm",)),
    GradCase(
        "norm p=1",
        _unary(lambda x: ops.norm(x, 1, 1, True), (3, 4), _distinct_magnitudes),
        "(3, 4) dim 1 keepdim, |x| ≥ 0.2",
        ("Norm",),
    ),
    GradCase(
        "norm p=inf",
        _unary(lambda x: ops.norm(x, float("inf"), 0), (3, 4), _distinct_magnitudes),
        "(3, 4) dim 0, no ties of |x|",
        ("Norm",),
    ),
    # masked_fill, repeat, sort, topk
    GradCase(
        "masked_fill broadcast mask",
        _unary(
            lambda x: ops.masked_fill(x, np.array([[[True, False, False, True]]] * 2), 0.5), (3, 4)
        ),
        "(3, 4) with mask (2, 1, 4) → (2, 3, 4)",
        ("Where",),
    ),
    GradCase(
        "masked_fill 0-d tensor value",
        _binary(
            lambda x, v: ops.masked_fill(x, np.array([True, False, True, False]), v), (3, 4), ()
        ),
        "(3, 4), mask (4,), value () requiring grad",
        ("Where",),
    ),
    GradCase(
        "repeat",
        _unary(lambda x: ops.repeat(x, 2, 1, 3), (3, 2)),
        "(3, 2) repeat (2, 1, 3) → (2, 3, 6)",
        ("Repeat",),
    ),
    GradCase(
        "sort descending",
        _unary(lambda x: ops.sort(x, 0, descending=True).values, (4, 3), _distinct),
        "(4, 3) dim 0, no ties",
        ("GetItem",),
    ),
    GradCase(
        "topk",
        _unary(lambda x: ops.topk(x, 2).values, (3, 5), _distinct),
        "(3, 5) k 2 dim -1, no ties",
        ("GetItem",),
    ),
    # gather, flip, tril/triu, unbind, sign, round
    GradCase("gather", _gather, "(3, 4) dim 1, index (3, 2) with a repeat", ("Gather",)),
    GradCase(
        "flip", _unary(lambda x: ops.flip(x, (0, 2)), (2, 3, 4)), "(2, 3, 4) dims (0, 2)", ("Flip",)
    ),
    GradCase(
        "tril", _unary(lambda x: ops.tril(x, -1), (2, 3, 4)), "(2, 3, 4) diagonal -1", ("Tril",)
    ),
    GradCase("triu", _unary(lambda x: ops.triu(x, 1), (4, 3)), "(4, 3) diagonal 1", ("Triu",)),
    GradCase(
        "unbind, two slices used",
        _unary(lambda x: ops.unbind(x, 1)[0] * ops.unbind(x, 1)[2], (2, 3, 2)),
        "(2, 3, 2) dim 1: slice 0 ⊙ slice 2",
        ("Split", "Reshape", "Mul"),
    ),
    GradCase(
        "sign", _unary(ops.sign, (3, 4), _off_zero), "(3, 4), |x| ≥ 0.2: dy/dx = 0", ("Sign",)
    ),
    GradCase(
        "round decimals=1",
        _unary(lambda x: ops.round(x, decimals=1) * x, (3, 4), _off_halves, decimals=1),
        "(3, 4) ⊙ round(x, 1), 10x off n + ½",
        ("Round", "Mul"),
    ),
    # remainder (floor_divide has no derivative: its backward raises, as PyTorch's)
    GradCase("remainder broadcast", _remainder, "(3, 4) % (4,), a/b off integers", ("Remainder",)),
    GradCase(
        "remainder number divisor", _remainder_number_divisor, "(3, 4) % -1.5", ("Remainder",)
    ),
    GradCase(
        "remainder number dividend", _remainder_number_dividend, "2.5 % (3, 4)", ("Remainder",)
    ),
    # narrow, roll, repeat_interleave, tile, movedim, diag, median, …
    GradCase(
        "narrow",
        _unary(lambda x: ops.narrow(x, 1, -3, 2), (2, 4, 3)),
        "(2, 4, 3) dim 1",
        ("GetItem",),
    ),
    GradCase(
        "roll dims",
        _unary(lambda x: ops.roll(x, (1, -2), (0, -1)), (3, 4)),
        "(3, 4) shifts (1, -2) dims (0, -1)",
        ("Roll",),
    ),
    GradCase(
        "roll flattened", _unary(lambda x: ops.roll(x, 5), (2, 3)), "(2, 3) shift 5", ("Roll",)
    ),
    GradCase(
        "repeat_interleave",
        _repeat_interleave,
        "(3, 2) repeats [2, 0, 3] dim 0",
        ("RepeatInterleave",),
    ),
    GradCase(
        "tile",
        _unary(lambda x: ops.tile(x, (2, 1, 3)), (2, 2)),
        "(2, 2) tile (2, 1, 3)",
        ("Repeat",),
    ),
    GradCase(
        "movedim",
        _unary(lambda x: ops.movedim(x, (0, 1), (2, 0)), (2, 3, 4)),
        "(2, 3, 4) source (0, 1) destination (2, 0)",
        ("Permute",),
    ),
    GradCase(
        "swapaxes, mT",
        _unary(lambda x: ops.swapaxes(x, 0, 2) * x.mT.mT.swapdims(0, -1), (2, 3, 4)),
        "(2, 3, 4)",
        ("Permute", "Mul"),
    ),
    GradCase(
        "broadcast_to",
        _unary(lambda x: ops.broadcast_to(x, (2, -1, 4)), (3, 1)),
        "(3, 1) → (2, 3, 4)",
        ("Expand",),
    ),
    GradCase(
        "meshgrid xy",
        _meshgrid,
        "(3,), (2,), (4,) → 3 × (2, 3, 4)",
        ("Reshape", "Expand"),
    ),
    GradCase(
        "unflatten",
        _unary(lambda x: ops.unflatten(x, 1, (3, -1)), (2, 6)),
        "(2, 6) dim 1 → (3, 2)",
        ("Reshape",),
    ),
    GradCase("diag 1-D", _unary(lambda x: ops.diag(x, -1), (3,)), "(3,) → (4, 4)", ("Diag",)),
    GradCase(
        "diag 2-D", _unary(lambda x: ops.diag(x, 1), (3, 4)), "(3, 4) → (3,)", ("DiagOfMatrix",)
    ),
    GradCase(
        "diagonal",
        _unary(lambda x: ops.diagonal(x, -1, 2, 0), (3, 2, 4)),
        "(3, 2, 4) offset -1 dims (2, 0)",
        ("Diagonal",),
    ),
    GradCase("trace", _unary(ops.trace, (3, 4)), "(3, 4)", ("Diagonal", "Sum")),
    GradCase("cumprod", _unary(lambda x: ops.cumprod(x, 0), (4, 3)), "(4, 3) dim 0", ("Cumprod",)),
    GradCase(
        "cumprod with zeros",
        _cumprod_with_zeros,
        "(3, 5) dim 1, rows with 1, 2, 0 zeros",
        ("Cumprod",),
    ),
    GradCase("median all", _unary(ops.median, (3, 4), _distinct), "(3, 4), no ties", ("Median",)),
    GradCase(
        "median dim",
        _unary(lambda x: ops.median(x, 1, True).values, (3, 4), _distinct),
        "(3, 4) dim 1 keepdim, no ties",
        ("Median",),
    ),
    GradCase("Tensor.where", _where_method, "(3, 4) where cond else (4,)", ("Where",)),
    # selection and writes by index: index_select, masked_select, take, take_along_dim, scatter,
    # index_*
    GradCase(
        "index_select repeated",
        _indexing(ops.index_select, [(3, 4)], 1, np.array([2, 0, 2])),
        "(3, 4) dim 1, index [2, 0, 2]",
        ("IndexSelect",),
    ),
    GradCase(
        "masked_select broadcast",
        _indexing(
            ops.masked_select, [(3, 1)], np.array([[True, False], [True, True], [False, True]])
        ),
        "(3, 1) with mask (3, 2): x picked up to twice per row",
        ("MaskedSelect",),
    ),
    GradCase(
        "take repeated and negative",
        _indexing(ops.take, [(3, 4)], np.array([[5, 0], [-7, 11]])),
        "(3, 4), flat index [[5, 0], [-7, 11]] (-7 is 5)",
        ("Take",),
    ),
    GradCase(
        "take_along_dim broadcast",
        _indexing(lambda x, i, d: ops.take_along_dim(x, i, d), [(1, 4)], np.array([[3, 0]] * 3), 1),
        "(1, 4) with indices (3, 2) dim 1",
        ("Expand", "Gather"),
    ),
    GradCase(
        "take_along_dim flattened",
        _indexing(ops.take_along_dim, [(2, 3)], np.array([[5, 1], [1, 0]])),
        "(2, 3), indices (2, 2), dim None",
        ("Take",),
    ),
    GradCase(
        "scatter src",
        _indexing(
            lambda x, i, s: ops.scatter(x, 0, i, s), [(3, 4), (3, 5)], np.array([[2, 0, 1, 1]])
        ),
        "(3, 4) dim 0, index (1, 4) distinct per column, src (3, 5)",
        ("Scatter",),
    ),
    GradCase(
        "scatter value",
        _indexing(
            lambda x, i: ops.scatter(x, 1, i, value=0.5), [(3, 4)], np.array([[1, 3], [0, 2]])
        ),
        "(3, 4) dim 1, index (2, 2), value 0.5",
        ("Scatter",),
    ),
    GradCase(
        "scatter_add repeated",
        _indexing(
            lambda x, i, s: ops.scatter_add(x, 1, i, s), [(2, 4), (2, 3)], np.array([[1, 1, 3]])
        ),
        "(2, 4) dim 1, index [[1, 1, 3]], src (2, 3)",
        ("ScatterAdd",),
    ),
    GradCase(
        "index_add repeated alpha",
        _indexing(
            lambda x, i, s: ops.index_add(x, 0, i, s, alpha=-1.5),
            [(4, 3), (3, 3)],
            np.array([1, 3, 1]),
        ),
        "(4, 3) dim 0, index [1, 3, 1], source (3, 3), alpha -1.5",
        ("IndexAdd",),
    ),
    GradCase(
        "index_fill tensor value",
        _index_fill_tensor_value,
        "(3, 4) dim 1, index [2, 0, 2], value () requiring grad",
        ("IndexFill",),
    ),
    GradCase(
        "index_copy",
        _indexing(ops.index_copy, [(3, 4), (3, 2)], 1, np.array([3, 0])),
        "(3, 4) dim 1, index [3, 0], source (3, 2)",
        ("IndexCopy",),
    ),
    # rounding, elementary functions, lerp, addcmul/addcdiv, fmod, nan_to_num
    GradCase("floor", _unary(ops.floor, (3, 4), _off_integers), "(3, 4) off integers", ("Floor",)),
    GradCase("ceil", _unary(ops.ceil, (3, 4), _off_integers), "(3, 4) off integers", ("Ceil",)),
    GradCase("trunc", _unary(ops.trunc, (3, 4), _off_integers), "(3, 4) off integers", ("Trunc",)),
    GradCase("frac", _unary(ops.frac, (3, 4), _off_integers), "(3, 4) off integers", ("Frac",)),
    GradCase("square", _unary(ops.square, (3, 4)), "(3, 4)", ("Square",)),
    GradCase(
        "reciprocal",
        _unary(ops.reciprocal, (3, 4), _off_zero),
        "(3, 4), |x| ≥ 0.2",
        ("Reciprocal",),
    ),
    GradCase(
        "rsqrt", _unary(ops.rsqrt, (3, 4), low=0.5, high=2.0), "(3, 4) in [0.5, 2]", ("Rsqrt",)
    ),
    GradCase(
        "log1p", _unary(ops.log1p, (3, 4), low=-0.5, high=2.0), "(3, 4) in [-0.5, 2]", ("Log1p",)
    ),
    GradCase("expm1", _unary(ops.expm1, (3, 4)), "(3, 4)", ("Expm1",)),
    GradCase("log2", _unary(ops.log2, (3, 4), low=0.5, high=2.0), "(3, 4) in [0.5, 2]", ("Log2",)),
    GradCase(
        "log10", _unary(ops.log10, (3, 4), low=0.5, high=2.0), "(3, 4) in [0.5, 2]", ("Log10",)
    ),
    GradCase("sinh", _unary(ops.sinh, (3, 4)), "(3, 4)", ("Sinh",)),
    GradCase("cosh", _unary(ops.cosh, (3, 4)), "(3, 4)", ("Cosh",)),
    GradCase(
        "asin", _unary(ops.asin, (3, 4), low=-0.8, high=0.8), "(3, 4) in [-0.8, 0.8]", ("Asin",)
    ),
    GradCase(
        "acos", _unary(ops.acos, (3, 4), low=-0.8, high=0.8), "(3, 4) in [-0.8, 0.8]", ("Acos",)
    ),
    GradCase("atan", _unary(ops.atan, (3, 4)), "(3, 4)", ("Atan",)),
    GradCase("erf", _unary(ops.erf, (3, 4)), "(3, 4)", ("Erf",)),
    GradCase(
        "atan2 broadcast",
        _binary(ops.atan2, (3, 4), (4,), positive_b=True),
        "(3, 4), (4,)",
        ("Atan2",),
    ),
    GradCase(
        "hypot broadcast",
        _binary(ops.hypot, (3, 1), (1, 4), positive_b=True),
        "(3, 1), (1, 4)",
        ("Hypot",),
    ),
    GradCase(
        "lerp number weight",
        _binary(lambda a, e: ops.lerp(a, e, 0.3), (3, 4), (4,)),
        "(3, 4) → (4,), weight 0.3",
        ("Lerp",),
    ),
    GradCase("lerp tensor weight", _lerp_tensor_weight, "(3, 4) → (4,), weight (3, 1)", ("Lerp",)),
    GradCase("addcmul", _addc(ops.addcmul), "(3, 1) + -0.7 · (4,) ⊙ (3, 4)", ("Addcmul",)),
    GradCase(
        "addcdiv",
        _addc(ops.addcdiv),
        "(3, 1) + -0.7 · (4,) / (3, 4), divisor in [0.5, 2]",
        ("Addcdiv",),
    ),
    GradCase("fmod broadcast", _fmod, "(3, 4) fmod (4,), a/b off integers", ("Fmod",)),
    GradCase("nan_to_num", _nan_to_num, "(3, 4) with a NaN, +inf and −inf", ("NanToNum",)),
    GradCase(
        "clamp_min, clamp_max",
        _unary(lambda x: ops.clamp_min(x, -0.5) * ops.clamp_max(x, 0.5), (3, 4), _clamp_off),
        "(3, 4), off ±0.5",
        ("Clamp", "Mul"),
    ),
    # matrix products (outer, inner, tensordot, mv, addmm/baddbmm, cross, kron) and einsum
    GradCase("outer", _binary(ops.outer, (3,), (4,)), "(3,) ⊗ (4,)", ("Outer",)),
    GradCase(
        "inner",
        _binary(ops.inner, (2, 3), (4, 3)),
        "(2, 3) · (4, 3) over the last dim",
        ("Tensordot",),
    ),
    GradCase(
        "tensordot dims lists",
        _binary(lambda a, b: ops.tensordot(a, b, ([2, 0], [1, 0])), (2, 3, 4), (2, 4, 5)),
        "(2, 3, 4) · (2, 4, 5), a's dims 2, 0 with b's 1, 0",
        ("Tensordot",),
    ),
    GradCase("mv", _binary(ops.mv, (3, 4), (4,)), "(3, 4) @ (4,)", ("MatMul",)),
    GradCase(
        "addmm broadcast input",
        _ternary(lambda x, a, b: ops.addmm(x, a, b, beta=0.5, alpha=-2.0), (4,), (3, 2), (2, 4)),
        "0.5·(4,) + −2·(3, 2) @ (2, 4)",
        ("AddMatMul",),
    ),
    GradCase(
        "baddbmm",
        _ternary(
            lambda x, a, b: ops.baddbmm(x, a, b, beta=2.0, alpha=0.5),
            (2, 3, 1),
            (2, 3, 4),
            (2, 4, 5),
        ),
        "2·(2, 3, 1) + 0.5·(2, 3, 4) @ (2, 4, 5)",
        ("AddMatMul",),
    ),
    GradCase(
        "cross broadcast",
        _binary(lambda a, b: ops.cross(a, b, dim=1), (2, 3, 4), (1, 3, 4)),
        "(2, 3, 4) × (1, 3, 4) along dim 1",
        ("Cross",),
    ),
    GradCase(
        "kron", _binary(ops.kron, (2, 3), (3,)), "(2, 3) ⊗ (3,) → (2, 9)", ("Kron", "Reshape")
    ),
    GradCase(
        "einsum bilinear",
        _einsum("bn,anm,bm->ba", (2, 3), (4, 3, 5), (2, 5)),
        "bn,anm,bm->ba: (2, 3), (4, 3, 5), (2, 5)",
        ("Einsum",),
    ),
    GradCase(
        "einsum diagonal and summed-away index",
        _einsum("iij,jkl->ik", (3, 3, 2), (2, 4, 3)),
        "iij,jkl->ik: (3, 3, 2), (2, 4, 3); l summed in one operand only",
        ("Einsum",),
    ),
    GradCase("einsum trace", _einsum("ii", (4, 4)), "ii (implicit output): (4, 4)", ("Einsum",)),
    GradCase(
        "einsum ellipsis broadcast",
        _einsum("...ij,...jk->...ik", (2, 1, 3, 4), (3, 4, 2)),
        "...ij,...jk->...ik: (2, 1, 3, 4), (3, 4, 2)",
        ("Einsum",),
    ),
]
