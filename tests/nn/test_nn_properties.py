"""Properties over drawn shapes: nn Functions match central differences for any size."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import gradcheck

import minidl
import minidl.nn.functional as F
from minidl.nn.lstm_fused import LSTMLayer

dims = st.integers(1, 4)
seeds = st.integers(0, 2**16)


def _t(rng, *shape):
    return minidl.tensor(rng.standard_normal(shape), dtype=np.float64, requires_grad=True)


@settings(max_examples=25, deadline=None)
@given(
    lead=st.lists(dims, min_size=0, max_size=2),
    n_in=dims,
    n_out=dims,
    bias=st.booleans(),
    seed=seeds,
)
def test_linear_grad_matches_central_difference(lead, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    inputs = (_t(rng, *lead, n_in), _t(rng, n_out, n_in)) + ((_t(rng, n_out),) if bias else ())
    assert gradcheck(F.linear, inputs)


@settings(max_examples=25, deadline=None)
@given(
    n=dims,
    c=st.integers(2, 5),
    eps=st.sampled_from([0.0, 0.3]),
    seed=seeds,
    reduction=st.sampled_from(["mean", "sum", "none"]),
)
def test_cross_entropy_grad_matches_central_difference(n, c, eps, seed, reduction):
    rng = np.random.default_rng(seed)
    target = rng.integers(0, c, n)
    target[0] = -100 if n > 1 else target[0]  # one ignored row, keeping one counted
    fn = lambda x: F.cross_entropy(x, target, reduction=reduction, label_smoothing=eps)  # noqa: E731
    assert gradcheck(fn, (_t(rng, n, c) * 3,))


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(dims, min_size=0, max_size=3), v=dims, d=dims, seed=seeds)
def test_embedding_grad_matches_central_difference(shape, v, d, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, v, shape)
    assert gradcheck(lambda w: F.embedding(ids, w), (_t(rng, v, d),))


@settings(max_examples=15, deadline=None)
@given(t=dims, b=dims, e=dims, h=dims, seed=seeds)
def test_lstm_layer_grad_matches_central_difference(t, b, e, h, seed):
    rng = np.random.default_rng(seed)
    inputs = (_t(rng, t, b, e), _t(rng, b, h), _t(rng, b, h))
    weights = (_t(rng, 4 * h, e), _t(rng, 4 * h, h), _t(rng, 4 * h), _t(rng, 4 * h))
    assert gradcheck(LSTMLayer.apply, inputs + weights)
