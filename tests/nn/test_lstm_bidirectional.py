"""LSTM(bidirectional=True): PyTorch's parameters, layout and h_n order; equal to a NumPy
loop and to LSTMCells run forward and backward in time; gradients pass gradcheck."""

import re

import numpy as np
import pytest
from strategies import gradcheck

import minidl
import minidl.nn as nn
from minidl.nn.cases import module_fn

SUFFIXES = ("", "_reverse")


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _numpy_direction(x, h, c, w_ih, w_hh, b, reverse):
    """One direction of one layer from the gate equations: x (T, B, E) -> (T, B, H), h_n, c_n.

    The reverse direction visits t = T … 1 and writes h_t at position t (no flip needed)."""
    H = w_hh.shape[1]
    out = np.empty((x.shape[0], x.shape[1], H))
    for t in reversed(range(x.shape[0])) if reverse else range(x.shape[0]):
        a = x[t] @ w_ih.T + h @ w_hh.T + b
        i, f = _sigmoid(a[:, :H]), _sigmoid(a[:, H : 2 * H])
        g, o = np.tanh(a[:, 2 * H : 3 * H]), _sigmoid(a[:, 3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        out[t] = h
    return out, h, c


def _numpy_bidirectional(lstm, x, h0, c0):
    """Time-major x (T, B, E), h0, c0 (2L, B, H) -> output (T, B, 2H), h_n, c_n (2L, B, H)."""
    params = {k: v.data for k, v in lstm.state_dict().items()}
    hs, cs = [], []
    for k in range(lstm.num_layers):
        outs = []
        for d, sfx in enumerate(SUFFIXES):
            w_ih, w_hh = params[f"weight_ih_l{k}{sfx}"], params[f"weight_hh_l{k}{sfx}"]
            b = 0
            if lstm.bias:
                b = params[f"bias_ih_l{k}{sfx}"] + params[f"bias_hh_l{k}{sfx}"]
            j = 2 * k + d
            out, h, c = _numpy_direction(x, h0[j], c0[j], w_ih, w_hh, b, reverse=d == 1)
            outs.append(out)
            hs.append(h)
            cs.append(c)
        x = np.concatenate(outs, axis=2)
    return x, np.stack(hs), np.stack(cs)


def _copy_into_cells(lstm):
    """[[forward cell, reverse cell] for each layer], float64, holding the LSTM's weights."""
    layers = []
    for k in range(lstm.num_layers):
        size = lstm.input_size if k == 0 else 2 * lstm.hidden_size
        pair = []
        for sfx in SUFFIXES:
            cell = nn.LSTMCell(size, lstm.hidden_size, bias=lstm.bias).double()
            for name, _ in cell.named_parameters():
                getattr(cell, name).data[...] = getattr(lstm, f"{name}_l{k}{sfx}").data
            pair.append(cell)
        layers.append(pair)
    return layers


def _cells_bidirectional(layers, x, hx):
    """What the bidirectional LSTM computes, from LSTMCell steps (primitive ops only:
    no LSTMLayer, no flip).  x (T, B, E) time-major; hx None or (h0, c0) (2L, B, H)."""
    T = x.shape[0]
    steps = [x[t] for t in range(T)]
    hs, cs = [], []
    for k, pair in enumerate(layers):
        per_direction = []
        for d, cell in enumerate(pair):
            j = 2 * k + d
            state = None if hx is None else (hx[0][j], hx[1][j])
            outs = [None] * T
            for t in reversed(range(T)) if d == 1 else range(T):
                state = cell(steps[t], state)
                outs[t] = state[0]
            per_direction.append(outs)
            hs.append(state[0])
            cs.append(state[1])
        steps = [minidl.cat([f, r], dim=1) for f, r in zip(*per_direction)]
    return minidl.stack(steps), (minidl.stack(hs), minidl.stack(cs))


def _weighted_backward(out, h_n, c_n, rng):
    weights = [rng.standard_normal(t.shape) for t in (out, h_n, c_n)]
    loss = sum((t * w).sum() for t, w in zip((out, h_n, c_n), weights))
    loss.backward()


# ----- parameters ------------------------------------------------------------------


def test_parameters_follow_pytorch_names_order_shapes_and_init():
    minidl.manual_seed(0)
    lstm = nn.LSTM(5, 16, num_layers=2, bidirectional=True)
    shapes = [(k, tuple(v.shape)) for k, v in lstm.state_dict().items()]
    expected = []
    for k, fan_in in [(0, 5), (1, 32)]:  # layer 1 reads both directions of layer 0
        for sfx in SUFFIXES:
            expected += [
                (f"weight_ih_l{k}{sfx}", (64, fan_in)),
                (f"weight_hh_l{k}{sfx}", (64, 16)),
                (f"bias_ih_l{k}{sfx}", (64,)),
                (f"bias_hh_l{k}{sfx}", (64,)),
            ]
    assert shapes == expected
    assert [n for n, _ in lstm.named_parameters()] == [n for n, _ in expected]
    for p in lstm.parameters():  # U(−1/√H, 1/√H), as the forward layers
        assert np.abs(p.data).max() <= 1 / 4 and np.abs(p.data).max() > 0.2
    no_bias = nn.LSTM(5, 16, bias=False, bidirectional=True)
    assert list(no_bias.state_dict()) == [
        "weight_ih_l0",
        "weight_hh_l0",
        "weight_ih_l0_reverse",
        "weight_hh_l0_reverse",
    ]


def test_repr_shows_bidirectional_like_pytorch():
    assert repr(nn.LSTM(3, 4, bidirectional=True)) == "LSTM(3, 4, bidirectional=True)"
    full = nn.LSTM(3, 4, 2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)
    assert repr(full) == (
        "LSTM(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)"
    )
    assert repr(nn.LSTM(3, 4, bidirectional=False)) == "LSTM(3, 4)"


def test_bidirectional_false_registers_no_reverse_parameters():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=False)
    assert not any("reverse" in k for k in lstm.state_dict())
    assert lstm.weight_ih_l1.shape == (16, 4)


# ----- values against independent references -----------------------------------------


@pytest.mark.parametrize(
    "num_layers, batch_first, with_state, bias",
    [(1, False, False, True), (2, False, True, True), (2, True, True, True)]
    + [(3, True, False, True), (2, False, True, False)],
)
def test_forward_equals_a_numpy_loop_over_both_directions(
    num_layers, batch_first, with_state, bias
):
    rng = np.random.default_rng(num_layers * 4 + batch_first * 2 + with_state)
    T, B, E, H = 6, 3, 4, 5
    lstm = nn.LSTM(E, H, num_layers, bias=bias, batch_first=batch_first, bidirectional=True)
    lstm = lstm.double()
    x = rng.standard_normal((T, B, E))
    h0, c0 = rng.standard_normal((2, 2 * num_layers, B, H))
    ref_out, ref_h, ref_c = _numpy_bidirectional(
        lstm, x, h0 if with_state else 0 * h0, c0 if with_state else 0 * c0
    )
    x_in = x.transpose(1, 0, 2) if batch_first else x
    hx = (minidl.tensor(h0), minidl.tensor(c0)) if with_state else None
    out, (h_n, c_n) = lstm(minidl.tensor(x_in), hx)
    assert out.shape == ((B, T, 2 * H) if batch_first else (T, B, 2 * H))
    assert h_n.shape == c_n.shape == (2 * num_layers, B, H)
    got_out = out.data.transpose(1, 0, 2) if batch_first else out.data
    np.testing.assert_allclose(got_out, ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data, ref_h, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_n.data, ref_c, rtol=0, atol=1e-12)


@pytest.mark.parametrize("num_layers, with_state", [(1, True), (2, False), (2, True)])
def test_values_and_gradients_equal_lstm_cells_run_both_ways(num_layers, with_state):
    rng = np.random.default_rng(30 + 2 * num_layers + with_state)
    T, B, E, H = 5, 2, 3, 4
    lstm = nn.LSTM(E, H, num_layers, bidirectional=True).double()
    layers = _copy_into_cells(lstm)
    x_data = rng.standard_normal((T, B, E))
    state_data = rng.standard_normal((2, 2 * num_layers, B, H))
    seed = int(rng.integers(1 << 30))

    results = []
    for run in ("lstm", "cells"):
        x = minidl.tensor(x_data, requires_grad=True)
        hx = tuple(minidl.tensor(s, requires_grad=True) for s in state_data)
        hx_in = hx if with_state else None
        if run == "lstm":
            out, (h_n, c_n) = lstm(x, hx_in)
        else:
            out, (h_n, c_n) = _cells_bidirectional(layers, x, hx_in)
        _weighted_backward(out, h_n, c_n, np.random.default_rng(seed))
        grads = [x.grad] + ([hx[0].grad, hx[1].grad] if with_state else [])
        results.append([out, h_n, c_n] + grads)
    for a, b in zip(*results):
        assert a.shape == b.shape
        np.testing.assert_allclose(a.data, b.data, rtol=0, atol=1e-10)
    for k, pair in enumerate(layers):
        for sfx, cell in zip(SUFFIXES, pair):
            for name, p in cell.named_parameters():
                fused = getattr(lstm, f"{name}_l{k}{sfx}").grad.data
                np.testing.assert_allclose(fused, p.grad.data, rtol=0, atol=1e-10)


def test_h_n_is_layer_by_layer_forward_then_reverse():
    # forward's last state is its output at t = T; reverse's is its output at t = 1
    rng = np.random.default_rng(40)
    H = 4
    lstm = nn.LSTM(3, H, num_layers=2, bidirectional=True).double()
    layer0 = nn.LSTM(3, H, bidirectional=True).double()
    layer0.load_state_dict({k: v for k, v in lstm.state_dict().items() if "_l0" in k})
    x = minidl.tensor(rng.standard_normal((6, 2, 3)))
    out, (h_n, c_n) = lstm(x)
    out0, (h0_n, c0_n) = layer0(x)
    np.testing.assert_array_equal(h_n.data[:2], h0_n.data)
    np.testing.assert_array_equal(c_n.data[:2], c0_n.data)
    for o, h in [(out, h_n[2:]), (out0, h0_n)]:
        np.testing.assert_array_equal(h.data[0], o.data[-1, :, :H])  # layer k forward
        np.testing.assert_array_equal(h.data[1], o.data[0, :, H:])  # layer k reverse


@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input_equals_a_batch_of_one(batch_first):
    rng = np.random.default_rng(50 + batch_first)
    T, E, H, L = 5, 3, 4, 2
    lstm = nn.LSTM(E, H, L, batch_first=batch_first, bidirectional=True).double()
    x = rng.standard_normal((T, E))
    h0, c0 = rng.standard_normal((2, 2 * L, H))
    out, (h_n, c_n) = lstm(minidl.tensor(x), (minidl.tensor(h0), minidl.tensor(c0)))
    assert out.shape == (T, 2 * H) and h_n.shape == c_n.shape == (2 * L, H)
    ref_out, ref_h, ref_c = _numpy_bidirectional(lstm, x[:, None], h0[:, None], c0[:, None])
    np.testing.assert_allclose(out.data, ref_out[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data, ref_h[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_n.data, ref_c[:, 0], rtol=0, atol=1e-12)


# ----- gradcheck, dtypes, dropout, errors ---------------------------------------------


def _call(m, x, h0, c0):
    out, (h, c) = m(x, (h0, c0))
    return out, h, c


@pytest.mark.parametrize(
    "batch_first, shapes",
    [
        (False, [(4, 2, 2), (4, 2, 3), (4, 2, 3)]),
        (True, [(2, 4, 2), (4, 2, 3), (4, 2, 3)]),
        (True, [(4, 2), (4, 3), (4, 3)]),  # unbatched
    ],
)
def test_gradients_pass_gradcheck_with_parameters(batch_first, shapes):
    minidl.manual_seed(0)
    lstm = nn.LSTM(2, 3, num_layers=2, batch_first=batch_first, bidirectional=True)
    fn, params = module_fn(lstm, _call)
    assert len(params) == 16
    rng = np.random.default_rng(60)
    inputs = [minidl.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert gradcheck(fn, (*inputs, *params))


def test_dropout_gradients_pass_gradcheck():
    minidl.manual_seed(0)
    lstm = nn.LSTM(2, 3, num_layers=3, dropout=0.5, bidirectional=True)

    def call(m, x, h0, c0):
        minidl.manual_seed(11)  # the same masks at every finite-difference evaluation
        return _call(m, x, h0, c0)

    fn, params = module_fn(lstm, call)
    rng = np.random.default_rng(61)
    x, h0, c0 = (
        minidl.tensor(rng.standard_normal(s), requires_grad=True)
        for s in [(3, 2, 2), (6, 2, 3), (6, 2, 3)]
    )
    dropped = fn(x, h0, c0, *params)[0].data
    lstm.eval()
    assert not np.allclose(dropped, fn(x, h0, c0, *params)[0].data)
    lstm.train()
    assert gradcheck(fn, (x, h0, c0, *params))


def test_dropout_one_feeds_zeros_of_width_2h_to_the_next_layer():
    rng = np.random.default_rng(62)
    T, B, H = 5, 2, 4
    lstm = nn.LSTM(3, H, num_layers=2, dropout=1, bidirectional=True).double()
    x = rng.standard_normal((T, B, 3))
    out, (h_n, c_n) = lstm(minidl.tensor(x))
    zeros = np.zeros((4, B, H))
    _, ref_h0, ref_c0 = _numpy_bidirectional(lstm, x, zeros, zeros)  # layer 0's part is right
    layer1 = nn.LSTM(2 * H, H, bidirectional=True).double()
    layer1.load_state_dict(
        {k.replace("_l1", "_l0"): v for k, v in lstm.state_dict().items() if "_l1" in k}
    )
    ref_out, ref_h1, ref_c1 = _numpy_bidirectional(
        layer1, np.zeros((T, B, 2 * H)), zeros[:2], zeros[:2]
    )
    np.testing.assert_allclose(out.data, ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data[:2], ref_h0[:2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_n.data[:2], ref_c0[:2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data[2:], ref_h1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_n.data[2:], ref_c1, rtol=0, atol=1e-12)


def test_float32_stays_float32():
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)
    x = minidl.randn(2, 5, 3, requires_grad=True)
    h0 = minidl.zeros(4, 2, 4, requires_grad=True)
    out, (h, c) = lstm(x, (h0, minidl.zeros(4, 2, 4)))
    (out.sum() + h.sum() + c.sum()).backward()
    assert out.shape == (2, 5, 8)
    assert out.dtype == h.dtype == c.dtype == x.grad.dtype == h0.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in lstm.parameters())


def test_bad_states_name_the_bidirectional_shape():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    x = minidl.randn(5, 2, 3)
    # a (num_layers, B, H) state, right for bidirectional=False, is refused
    with pytest.raises(
        ValueError,
        match=re.escape("h0 has shape (2, 2, 4), expected (2 * num_layers, B, H) = (4, 2, 4)"),
    ):
        lstm(x, (minidl.zeros(2, 2, 4), minidl.zeros(2, 2, 4)))
    with pytest.raises(ValueError, match=re.escape("c0 has shape (4, 1, 4), expected")):
        lstm(x, (minidl.zeros(4, 2, 4), minidl.zeros(4, 1, 4)))
    with pytest.raises(
        ValueError,
        match=re.escape("must be 2-D (2 * num_layers, H) = (4, 4); got h0 (4, 1, 4)"),
    ):
        lstm(minidl.randn(5, 3), (minidl.zeros(4, 1, 4), minidl.zeros(4, 1, 4)))
    with pytest.raises(ValueError, match=r"with E = 3, got shape \(5, 2, 8\)"):
        lstm(minidl.randn(5, 2, 8))  # the 2H width is for layers k > 0 only


# ----- an extra: PyTorch itself, when installed (CI has no torch) ----------------------


def test_matches_pytorch_when_installed():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(70)
    T, B, E, H, L = 5, 3, 4, 6, 2
    ours = nn.LSTM(E, H, L, batch_first=True, bidirectional=True).double()
    theirs = torch.nn.LSTM(E, H, L, batch_first=True, bidirectional=True).double()
    assert list(theirs.state_dict()) == list(ours.state_dict())
    assert repr(theirs) == repr(ours)
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    data = [rng.standard_normal(s) for s in [(B, T, E), (2 * L, B, H), (2 * L, B, H)]]
    weights = [rng.standard_normal(s) for s in [(B, T, 2 * H), (2 * L, B, H), (2 * L, B, H)]]
    results = []
    for lib, model in [(minidl, ours), (torch, theirs)]:
        x, h0, c0 = (lib.tensor(d, requires_grad=True) for d in data)
        out, (h_n, c_n) = model(x, (h0, c0))
        sum((t * lib.tensor(w)).sum() for t, w in zip((out, h_n, c_n), weights)).backward()
        arrays = [out, h_n, c_n, x.grad, h0.grad, c0.grad] + [p.grad for p in model.parameters()]
        results.append([np.asarray(a.detach().numpy() if lib is torch else a.data) for a in arrays])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
