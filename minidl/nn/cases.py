"""Gradient self-check cases for the layers and losses (``python -m minidl gradcheck``).

Each case checks an op with respect to its inputs and every parameter, in
float64.  A layer's parameters are checked by swapping them, for the call,
for the tensors gradcheck perturbs (:func:`module_fn`).
"""

import numpy as np

from minidl.nn import functional as F
from minidl.nn.activation_piecewise import PReLU
from minidl.nn.lstm_fused import LSTMLayer
from minidl.nn.normalization import BatchNorm1d, LayerNorm
from minidl.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from minidl.nn.unflatten import Unflatten
from minidl.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from minidl.random import manual_seed
from minidl.selfcheck import GradCase
from minidl.tensor import Tensor

__all__ = ["CASES", "module_fn"]


def _t(rng, *shape):
    return Tensor._make(rng.standard_normal(shape), True)


def module_fn(module, call):
    """``(fn, params)``: fn(*inputs, *params) runs ``call(module, *inputs)`` with the module's
    parameters replaced by the given tensors; ``params`` are float64 copies of them."""
    slots = []
    for name, _ in module.named_parameters():
        *path, attr = name.split(".")
        owner = module
        for part in path:
            owner = getattr(owner, part)
        slots.append((owner, attr))
    params = [Tensor._make(p.data.astype(np.float64), True) for p in module.parameters()]

    def fn(*args):
        n = len(args) - len(slots)
        for (owner, attr), value in zip(slots, args[n:]):
            object.__setattr__(owner, attr, value)  # bypass registration: a temporary swap
        return call(module, *args[:n])

    return fn, params


def _linear(rng):
    return F.linear, (_t(rng, 2, 3, 4), _t(rng, 5, 4), _t(rng, 5))


def _linear_no_bias(rng):
    return F.linear, (_t(rng, 3, 4), _t(rng, 2, 4))


def _embedding(rng):
    ids = np.array([[0, 2, 2, 5], [1, 2, 0, 1]])
    # no padding_idx: its row's gradient is zeroed on purpose, unlike the finite difference
    return (lambda w: F.embedding(ids, w)), (_t(rng, 6, 3),)


def _dropout(rng):
    def fn(x):
        manual_seed(7)  # the same mask on every evaluation
        return F.dropout(x, 0.4, training=True)

    return fn, (_t(rng, 4, 5),)


def _mse(reduction):
    def make(rng):
        return (lambda a, b: F.mse_loss(a, b, reduction)), (_t(rng, 3, 4), _t(rng, 3, 4))

    return make


def _regression(loss, reduction, **kw):
    def make(rng):
        # |ŷ − y| of a few tenths to a few units: both sides of β = δ = 0.5, none at a kink
        return (lambda a, b: loss(a, b, reduction, **kw)), (_t(rng, 3, 4), _t(rng, 3, 4))

    return make


def _cross_entropy(reduction, **kw):
    def make(rng):
        target = np.array([0, 3, 2, 1, 3])
        return (lambda x: F.cross_entropy(x, target, reduction=reduction, **kw)), (_t(rng, 5, 4),)

    return make


def _soft_cross_entropy(reduction, shape=(5, 4), **kw):
    def make(rng):
        x = _t(rng, *shape)
        # rows of class probabilities along dim 1; dℓ/dt is checked too
        p = rng.dirichlet(np.ones(shape[1]), (shape[0], *shape[2:]))
        t = Tensor._make(np.moveaxis(p, -1, 1).copy(), True)
        return (lambda a, b: F.cross_entropy(a, b, reduction=reduction, **kw)), (x, t)

    return make


def _nll_loss(reduction, **kw):
    def make(rng):
        target = np.array([0, 3, 2, 1, 3])
        return (lambda x: F.nll_loss(x, target, reduction=reduction, **kw)), (_t(rng, 5, 4),)

    return make


def _bce_with_logits(reduction, **kw):
    def make(rng):
        x = _t(rng, 4, 3)
        y = Tensor._make(rng.uniform(0.1, 0.9, (4, 3)), True)  # soft targets: dℓ/dy is checked

        def fn(a, b):
            return F.binary_cross_entropy_with_logits(a, b, reduction=reduction, **kw)

        return fn, (x, y)

    return make


def _bce(reduction, **kw):
    def make(rng):
        p = Tensor._make(rng.uniform(0.1, 0.9, (4, 3)), True)  # away from the clamp at 0 and 1
        y = Tensor._make(rng.uniform(0.0, 1.0, (4, 3)), True)
        return (lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction, **kw)), (p, y)

    return make


_BCE_WEIGHT = np.array([[0.5], [2.0], [1.0], [3.0]])  # (4, 1): one per row, broadcast
_POS_WEIGHT = np.array([0.5, 2.0, 3.0])  # (3,): one per class, along the last axis


def _leaky_relu(rng):
    # away from the kink at 0, where central differences average the two slopes
    return (lambda x: F.leaky_relu(x, 0.2)), (_t(rng, 3, 4),)


def _gelu(approximate):
    def make(rng):
        x = Tensor._make(rng.uniform(-4.0, 4.0, (3, 4)), True)  # both tails and the bend
        return (lambda a: F.gelu(a, approximate=approximate)), (x,)

    return make


def _activation(fn, lo, hi):
    def make(rng):
        return fn, (Tensor._make(rng.uniform(lo, hi, (3, 4)), True),)

    return make


def _prelu(rng):
    manual_seed(0)
    layer = PReLU(3, init=0.3)
    with_slopes = Tensor._make(np.array([0.3, -0.2, 1.5]))  # distinct slopes, one negative
    layer.weight.data[...] = with_slopes.data
    fn, params = module_fn(layer, lambda m, x: m(x))
    return fn, (_t(rng, 2, 3, 4), *params)


def _unflatten(rng):
    return (lambda x: Unflatten(1, (2, -1))(x)), (_t(rng, 3, 6),)


def _uniform(rng, lo, hi, *shape):
    return Tensor._make(rng.uniform(lo, hi, shape), True)


def _kl_div(log_target, reduction):
    def make(rng):
        log_q = _t(rng, 3, 4)
        p = _uniform(rng, 0.05, 1.0, 3, 4)  # > 0: p log p has no derivative at 0
        if log_target:
            p = _t(rng, 3, 4)
        fn = lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target)  # noqa: E731
        return fn, (log_q, p)

    return make


def _pair_loss(loss, target, **kw):
    def make(rng):
        y = np.array(target, dtype=float)
        shape = (len(target), 3) if loss is F.cosine_embedding_loss else (len(target),)
        return (lambda a, b: loss(a, b, y, **kw)), (_t(rng, *shape), _t(rng, *shape))

    return make


def _gaussian_nll(var_shape, **kw):
    def make(rng):
        # var above eps: below it the clamp makes var's finite difference 0
        var = _uniform(rng, 0.2, 2.0, *var_shape)
        return (lambda a, b, v: F.gaussian_nll_loss(a, b, v, **kw)), (
            _t(rng, 4, 3),
            _t(rng, 4, 3),
            var,
        )

    return make


def _poisson_nll(log_input, full):
    def make(rng):
        x = _t(rng, 4, 3) if log_input else _uniform(rng, 0.2, 5.0, 4, 3)
        y = _uniform(rng, 1.2, 6.0, 4, 3)  # > 1: where Stirling's term is on, away from 1
        fn = lambda a, b: F.poisson_nll_loss(a, b, log_input, full)  # noqa: E731
        return fn, (x, y)

    return make


def _lstm_layer(rng):
    T, B, E, H = 4, 3, 2, 3
    inputs = (_t(rng, T, B, E), _t(rng, B, H), _t(rng, B, H))
    weights = (_t(rng, 4 * H, E), _t(rng, 4 * H, H), _t(rng, 4 * H), _t(rng, 4 * H))
    return LSTMLayer.apply, inputs + weights


def _lstm_module(rng):
    manual_seed(0)
    lstm = LSTM(2, 3, num_layers=2, batch_first=True)

    def call(m, x, h0, c0):
        out, (h, c) = m(x, (h0, c0))
        return out, h, c

    fn, params = module_fn(lstm, call)
    return fn, (_t(rng, 2, 3, 2), _t(rng, 2, 2, 3), _t(rng, 2, 2, 3), *params)


def _lstm_bidirectional(rng):
    manual_seed(0)
    lstm = LSTM(2, 3, num_layers=2, batch_first=True, bidirectional=True)

    def call(m, x, h0, c0):
        out, (h, c) = m(x, (h0, c0))
        return out, h, c

    fn, params = module_fn(lstm, call)
    # h0, c0 (2·num_layers, B, H): layer 0 forward, layer 0 reverse, layer 1 …
    return fn, (_t(rng, 2, 3, 2), _t(rng, 4, 2, 3), _t(rng, 4, 2, 3), *params)


def _pad(mode):
    def make(rng):
        return (lambda x: F.pad(x, (2, 1, 1, 2), mode=mode)), (_t(rng, 2, 3, 4),)

    return make


def _distances(rng):
    def fn(a, b):
        return F.normalize(a, dim=1), F.cosine_similarity(a, b, dim=1)

    return fn, (_t(rng, 3, 4), _t(rng, 3, 4))


def _cosine_broadcast(rng):
    return (lambda a, b: F.cosine_similarity(a, b, dim=1)), (_t(rng, 4, 1, 5), _t(rng, 3, 5))


def _batch_norm(rng):
    manual_seed(0)
    norm = BatchNorm1d(3)  # training: the batch's own statistics
    norm.weight.data[...] = rng.standard_normal(3)
    norm.bias.data[...] = rng.standard_normal(3)
    fn, params = module_fn(norm, lambda m, x: m(x))
    return fn, (_t(rng, 4, 3, 2), *params)


def _layer_norm(rng):
    manual_seed(0)
    norm = LayerNorm((3, 4))
    norm.weight.data[...] = rng.standard_normal((3, 4))  # not the ones / zeros they start at
    norm.bias.data[...] = rng.standard_normal((3, 4))
    fn, params = module_fn(norm, lambda m, x: m(x))
    return fn, (_t(rng, 2, 3, 4), *params)


def _lstm_layer_packed(rng):
    T, B, E, H = 4, 3, 2, 3
    inputs = (_t(rng, T, B, E), _t(rng, B, H), _t(rng, B, H))
    weights = (_t(rng, 4 * H, E), _t(rng, 4 * H, H), _t(rng, 4 * H), _t(rng, 4 * H))
    # lengths 4, 3, 1: three sequences at steps 0, two at step 1 and 2, one at step 3
    return (lambda *args: LSTMLayer.apply(*args, (3, 2, 2, 1))), inputs + weights


def _packed(cls, state_shapes, **kw):
    """A layer run on a PackedSequence of lengths 2, 4, 1 (unsorted), padded back."""

    def make(rng):
        manual_seed(0)

        def call(m, x, *state):
            packed = pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
            out, h = m(packed, tuple(state) if len(state) == 2 else state[0])
            return (pad_packed_sequence(out)[0], *(h if isinstance(h, tuple) else (h,)))

        fn, params = module_fn(cls(2, 3, **kw), call)
        return fn, (_t(rng, 4, 3, 2), *(_t(rng, *s) for s in state_shapes), *params)

    return make


def _recurrent(cls, h0_shape, **kw):
    def make(rng):
        manual_seed(0)
        fn, params = module_fn(cls(2, 3, **kw), lambda m, x, h0: m(x, h0))
        return fn, (_t(rng, 2, 3, 2), _t(rng, *h0_shape), *params)

    return make


def _cell(cls, **kw):
    def make(rng):
        manual_seed(0)
        fn, params = module_fn(cls(3, 2, **kw), lambda m, x, h: m(x, h))
        return fn, (_t(rng, 4, 3), _t(rng, 4, 2), *params)

    return make


def _lstm_cell(rng):
    manual_seed(0)
    fn, params = module_fn(LSTMCell(3, 2), lambda m, x, h, c: m(x, (h, c)))
    return fn, (_t(rng, 4, 3), _t(rng, 4, 2), _t(rng, 4, 2), *params)


def _lstm_cell_unbatched(rng):
    manual_seed(0)
    fn, params = module_fn(LSTMCell(3, 2), lambda m, x, h, c: m(x, (h, c)))
    return fn, (_t(rng, 3), _t(rng, 2), _t(rng, 2), *params)


def _hooks_return_none(*args):
    return None


def _backward_hooked(rng):
    # hooks that return None leave every gradient as it was: the identity ops are the identity
    manual_seed(0)
    hook = _hooks_return_none

    def call(m, x, h):
        # removed as soon as forward is done: a call keeps the hooks it was made with
        with m.register_full_backward_hook(hook), m.register_full_backward_pre_hook(hook):
            return m(x, h)

    fn, params = module_fn(RNNCell(3, 2), call)
    return fn, (_t(rng, 4, 3), _t(rng, 4, 2), *params)


def _backward_hooked_tuple(rng):
    manual_seed(0)
    hook = _hooks_return_none

    def call(m, x, h0):
        with m.register_full_backward_hook(hook):
            return m(x, h0)  # (output, h_n): both outputs go through HookOutput

    fn, params = module_fn(GRU(2, 3), call)
    return fn, (_t(rng, 2, 3, 2), _t(rng, 1, 3, 3), *params)


CASES = [
    GradCase("nn.linear", _linear, "x (2,3,4) W (5,4) b (5,)", ("Affine",)),
    GradCase("nn.linear no bias", _linear_no_bias, "x (3,4) W (2,4)", ("Affine",)),
    GradCase("nn.embedding", _embedding, "W (6,3) ids (2,4), repeated", ("EmbeddingLookup",)),
    GradCase("nn.dropout", _dropout, "x (4,5) p=0.4", ("DropoutMask",)),
    GradCase("nn.mse_loss mean", _mse("mean"), "(3,4), (3,4)", ("MSE",)),
    GradCase("nn.mse_loss sum", _mse("sum"), "(3,4), (3,4)", ("MSE",)),
    GradCase("nn.mse_loss none", _mse("none"), "(3,4), (3,4)", ("MSE",)),
    GradCase("nn.l1_loss mean", _regression(F.l1_loss, "mean"), "(3,4), (3,4)", ("L1",)),
    GradCase("nn.l1_loss none", _regression(F.l1_loss, "none"), "(3,4), (3,4)", ("L1",)),
    GradCase(
        "nn.smooth_l1_loss beta=0.5 mean",
        _regression(F.smooth_l1_loss, "mean", beta=0.5),
        "(3,4), (3,4)",
        ("Huber",),
    ),
    GradCase(
        "nn.huber_loss delta=0.5 sum",
        _regression(F.huber_loss, "sum", delta=0.5),
        "(3,4), (3,4)",
        ("Huber",),
    ),
    GradCase("nn.huber_loss none", _regression(F.huber_loss, "none"), "(3,4), (3,4)", ("Huber",)),
    GradCase("nn.cross_entropy mean", _cross_entropy("mean"), "(5,4)", ("CrossEntropy",)),
    GradCase("nn.cross_entropy sum", _cross_entropy("sum"), "(5,4)", ("CrossEntropy",)),
    GradCase("nn.cross_entropy none", _cross_entropy("none"), "(5,4)", ("CrossEntropy",)),
    GradCase(
        "nn.cross_entropy ignore+smoothing",
        _cross_entropy("mean", ignore_index=3, label_smoothing=0.2),
        "(5,4) ignore 3, eps 0.2",
        ("CrossEntropy",),
    ),
    GradCase(
        "nn.cross_entropy weight",
        _cross_entropy("mean", weight=np.array([0.5, 2.0, 1.0, 3.0])),
        "(5,4) class weights",
        ("CrossEntropy",),
    ),
    GradCase(
        "nn.cross_entropy weight+ignore+smoothing none",
        _cross_entropy(
            "none", weight=np.array([0.5, 2.0, 1.0, 3.0]), ignore_index=2, label_smoothing=0.3
        ),
        "(5,4) weights, ignore 2, eps 0.3",
        ("CrossEntropy",),
    ),
    GradCase(
        "nn.cross_entropy soft mean",
        _soft_cross_entropy("mean"),
        "x (5,4), t (5,4)",
        ("SoftCrossEntropy",),
    ),
    GradCase(
        "nn.cross_entropy soft weight+smoothing sum",
        _soft_cross_entropy("sum", weight=np.array([0.5, 2.0, 1.0, 3.0]), label_smoothing=0.2),
        "x (5,4), t (5,4), weights, eps 0.2",
        ("SoftCrossEntropy",),
    ),
    GradCase(
        "nn.cross_entropy soft (N,C,d) weight+smoothing none",
        _soft_cross_entropy(
            "none", (2, 4, 3), weight=np.array([0.5, 2.0, 1.0, 3.0]), label_smoothing=0.3
        ),
        "x (2,4,3), t (2,4,3), weights, eps 0.3",
        ("SoftCrossEntropy", "Permute", "Reshape"),
    ),
    GradCase(
        "nn.nll_loss mean", _nll_loss("mean"), "(5,4)", ("GetItem", "Mul", "Neg", "Sum", "Div")
    ),
    GradCase("nn.nll_loss none", _nll_loss("none"), "(5,4)", ("GetItem", "Mul", "Neg")),
    GradCase(
        "nn.nll_loss weight+ignore sum",
        _nll_loss("sum", weight=np.array([0.5, 2.0, 1.0, 3.0]), ignore_index=2),
        "(5,4) class weights, ignore 2",
        ("GetItem", "Mul", "Neg", "Sum"),
    ),
    GradCase(
        "nn.bce_with_logits mean",
        _bce_with_logits("mean"),
        "x (4,3), y (4,3)",
        ("BinaryCrossEntropyWithLogits",),
    ),
    GradCase(
        "nn.bce_with_logits pos_weight sum",
        _bce_with_logits("sum", pos_weight=_POS_WEIGHT),
        "x (4,3), y (4,3), pos_weight (3,)",
        ("BinaryCrossEntropyWithLogits",),
    ),
    GradCase(
        "nn.bce_with_logits weight+pos_weight none",
        _bce_with_logits("none", weight=_BCE_WEIGHT, pos_weight=_POS_WEIGHT),
        "x (4,3), y (4,3), weight (4,1), pos_weight (3,)",
        ("BinaryCrossEntropyWithLogits",),
    ),
    GradCase(
        "nn.bce_with_logits weight mean",
        _bce_with_logits("mean", weight=_BCE_WEIGHT),
        "x (4,3), y (4,3), weight (4,1)",
        ("BinaryCrossEntropyWithLogits",),
    ),
    GradCase(
        "nn.binary_cross_entropy mean", _bce("mean"), "p (4,3), y (4,3)", ("BinaryCrossEntropy",)
    ),
    GradCase(
        "nn.binary_cross_entropy sum", _bce("sum"), "p (4,3), y (4,3)", ("BinaryCrossEntropy",)
    ),
    GradCase(
        "nn.binary_cross_entropy weight none",
        _bce("none", weight=_BCE_WEIGHT),
        "p (4,3), y (4,3), weight (4,1)",
        ("BinaryCrossEntropy",),
    ),
    GradCase("nn.leaky_relu", _leaky_relu, "(3,4) slope 0.2", ("Where", "Mul")),
    GradCase("nn.gelu", _gelu("none"), "(3,4) in [-4, 4]", ("Gelu",)),
    GradCase("nn.gelu tanh", _gelu("tanh"), "(3,4) in [-4, 4]", ("Gelu",)),
    GradCase("nn.silu", _activation(F.silu, -8, 8), "(3,4) in [-8, 8]", ("Mul", "Sigmoid")),
    GradCase(
        "nn.elu alpha 0.7",
        # both sides of 0 (a kink for α ≠ 1) and of −1, where eˣ − 1 changes form
        _activation(lambda x: F.elu(x, alpha=0.7), -4, 4),
        "(3,4) in [-4, 4]",
        ("Where", "Clamp", "Exp", "Tanh", "Mul"),
    ),
    GradCase(
        "nn.softplus",
        _activation(F.softplus, -30, 30),  # past threshold 20: y = x
        "(3,4) in [-30, 30]",
        ("Where", "Clamp", "BinaryCrossEntropyWithLogits"),
    ),
    GradCase(
        "nn.softplus beta 2 threshold 3",
        _activation(lambda x: F.softplus(x, beta=2.0, threshold=3.0), -4, 4),
        "(3,4) in [-4, 4]",
        ("Where", "Clamp", "Mul", "BinaryCrossEntropyWithLogits"),
    ),
    GradCase(
        "nn.mish",
        _activation(F.mish, -8, 8),
        "(3,4) in [-8, 8]",
        ("Mul", "Tanh", "BinaryCrossEntropyWithLogits"),
    ),
    GradCase(
        "nn.hardtanh [-0.5, 1.5]",
        # both bounds and the slope between; a draw within 1e-6 of a kink is improbable
        _activation(lambda x: F.hardtanh(x, -0.5, 1.5), -3, 3),
        "(3,4) in [-3, 3]",
        ("HardtanhClip",),
    ),
    GradCase("nn.relu6", _activation(F.relu6, -3, 9), "(3,4) in [-3, 9]", ("HardtanhClip",)),
    GradCase(
        "nn.logsigmoid",
        _activation(F.logsigmoid, -30, 30),
        "(3,4) in [-30, 30]",
        ("Neg", "BinaryCrossEntropyWithLogits"),
    ),
    GradCase("nn.softsign", _activation(F.softsign, -4, 4), "(3,4) in [-4, 4]", ("Abs", "Div")),
    GradCase("nn.PReLU", _prelu, "x (2,3,4), 3 slopes along dim 1", ("Where", "Mul", "Reshape")),
    GradCase("nn.Unflatten", _unflatten, "(3,6) -> (3,2,3)", ("Reshape",)),
    GradCase(
        "nn.kl_div batchmean",
        _kl_div(False, "batchmean"),
        "log q (3,4), p (3,4) > 0",
        ("Where", "Log", "Mul", "Sub", "Sum", "Div"),
    ),
    GradCase(
        "nn.kl_div log_target none",
        _kl_div(True, "none"),
        "log q (3,4), log p (3,4)",
        ("Exp", "Sub", "Mul"),
    ),
    GradCase(
        "nn.margin_ranking_loss none",
        _pair_loss(F.margin_ranking_loss, [1, -1, -1, 1, 1], margin=0.3, reduction="none"),
        "x1 (5,), x2 (5,), y ±1, margin 0.3",
        ("Neg", "Mul", "Sub", "Add", "Clamp"),
    ),
    GradCase(
        "nn.cosine_embedding_loss",
        _pair_loss(F.cosine_embedding_loss, [1, -1, -1, 1, -1], margin=-0.2),
        "x1 (5,3), x2 (5,3), y ±1, margin -0.2",
        ("Mul", "Sum", "Add", "Pow", "Div", "Where", "Clamp", "Mean"),
    ),
    GradCase(
        "nn.gaussian_nll_loss full",
        _gaussian_nll((4, 3), full=True),
        "mean (4,3), target (4,3), var (4,3)",
        ("Log", "Sub", "Pow", "Div", "Mul", "Add", "Mean"),
    ),
    GradCase(
        "nn.gaussian_nll_loss shared var sum",
        _gaussian_nll((4,), reduction="sum"),
        "mean (4,3), target (4,3), var (4,) one per row",
        ("Reshape", "Log", "Div", "Sum"),
    ),
    GradCase(
        "nn.poisson_nll_loss",
        _poisson_nll(True, False),
        "log rate (4,3), counts (4,3)",
        ("Exp", "Mul", "Sub", "Mean"),
    ),
    GradCase(
        "nn.poisson_nll_loss rate full",
        _poisson_nll(False, True),
        "rate (4,3), counts (4,3) > 1, Stirling term",
        ("Log", "Add", "Mul", "Sub", "Where", "Mean"),
    ),
    GradCase("nn.LSTMLayer", _lstm_layer, "x (4,3,2) H 3", ("LSTMLayer",)),
    GradCase("nn.pad constant", _pad("constant"), "(2,3,4) pad (2,1,1,2)", ("Cat",)),
    GradCase("nn.pad reflect", _pad("reflect"), "(2,3,4) pad (2,1,1,2)", ("GetItem",)),
    GradCase(
        "nn.normalize, cosine_similarity",
        _distances,
        "(3,4) along dim 1",
        ("Norm", "Clamp", "Div", "Mul", "Sum"),
    ),
    GradCase(
        "nn.cosine_similarity broadcast",
        _cosine_broadcast,
        "(4,1,5), (3,5) along dim 1 of the common (4,3,5)",
        ("Expand", "Norm", "Clamp", "Div", "Mul", "Sum"),
    ),
    GradCase(
        "nn.BatchNorm1d training",
        _batch_norm,
        "x (4,3,2), batch statistics, weight and bias",
        ("Mean", "Sub", "Mul", "Pow", "Add"),
    ),
    GradCase(
        "nn.LayerNorm",
        _layer_norm,
        "x (2,3,4) over (3,4), weight and bias",
        ("Mean", "Sub", "Mul", "Pow", "Add"),
    ),
    GradCase(
        "nn.LSTMLayer packed", _lstm_layer_packed, "x (4,3,2) H 3, lengths 4, 3, 1", ("LSTMLayer",)
    ),
    GradCase("nn.LSTM 2 layers", _lstm_module, "x (2,3,2) batch_first H 3", ("LSTMLayer",)),
    GradCase(
        "nn.LSTM packed bidirectional",
        _packed(LSTM, [(2, 3, 3), (2, 3, 3)], bidirectional=True),
        "x (4,3,2) lengths 2, 4, 1 H 3, both directions",
        ("LSTMLayer", "GetItem", "Cat", "Stack"),
    ),
    GradCase(
        "nn.GRU packed 2 layers",
        _packed(GRU, [(2, 3, 3)], num_layers=2),
        "x (4,3,2) lengths 2, 4, 1 H 3",
        ("Affine", "Sigmoid", "Tanh", "GetItem", "Cat", "Stack"),
    ),
    GradCase(
        "nn.LSTM bidirectional 2 layers",
        _lstm_bidirectional,
        "x (2,3,2) batch_first H 3, both directions",
        ("LSTMLayer", "GetItem", "Cat", "Stack"),
    ),
    GradCase(
        "nn.RNN tanh 2 layers",
        _recurrent(RNN, (2, 2, 3), num_layers=2, batch_first=True),
        "x (2,3,2) batch_first H 3",
        ("Affine", "Tanh", "Add", "Split", "Stack"),
    ),
    GradCase(
        "nn.RNN relu bidirectional",
        _recurrent(RNN, (2, 3, 3), nonlinearity="relu", bidirectional=True),
        "x (2,3,2) H 3, both directions",
        ("Affine", "Relu", "Add", "Cat", "Stack"),
    ),
    GradCase(
        "nn.GRU 2 layers bidirectional",
        _recurrent(GRU, (4, 2, 3), num_layers=2, batch_first=True, bidirectional=True),
        "x (2,3,2) batch_first H 3, both directions",
        ("Affine", "Sigmoid", "Tanh", "Mul", "Sub", "Split", "Cat", "Stack"),
    ),
    GradCase(
        "nn.GRU no bias",
        _recurrent(GRU, (1, 3, 3), bias=False),
        "x (2,3,2) H 3 bias=False",
        ("Affine", "Sigmoid", "Tanh", "Mul"),
    ),
    GradCase("nn.RNNCell", _cell(RNNCell), "x (4,3) H 2", ("Affine", "Add", "Tanh")),
    GradCase(
        "nn.RNNCell relu", _cell(RNNCell, nonlinearity="relu"), "x (4,3) H 2", ("Affine", "Relu")
    ),
    GradCase(
        "nn.GRUCell",
        _cell(GRUCell),
        "x (4,3) H 2",
        ("Affine", "Split", "Sigmoid", "Tanh", "Mul", "Add", "Sub"),
    ),
    GradCase(
        "nn.LSTMCell",
        _lstm_cell,
        "x (4,3) H 2",
        ("MatMul", "Add", "Split", "Sigmoid", "Tanh", "Mul", "Permute"),
    ),
    GradCase(
        "nn.LSTMCell unbatched",
        _lstm_cell_unbatched,
        "x (3,) h (2,) c (2,)",
        ("MatMul", "Add", "Split", "Sigmoid", "Tanh", "Mul", "Permute"),
    ),
    GradCase(
        "nn.full backward hooks",
        _backward_hooked,
        "RNNCell x (4,3) h (4,2), hooks returning None",
        ("HookInput", "HookOutput", "Affine", "Tanh"),
    ),
    GradCase(
        "nn.full backward hook, tuple output",
        _backward_hooked_tuple,
        "GRU x (2,3,2) h0 (1,3,3), hook returning None",
        ("HookInput", "HookOutput"),
    ),
]
