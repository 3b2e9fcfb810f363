"""RNNCell / RNN and GRUCell / GRU against NumPy loops of their equations."""

import numpy as np
import pytest

import minidl
from minidl import nn


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _rnn_ref(x, h, w_ih, w_hh, b_ih, b_hh, act="tanh"):
    """h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) over x (T, B, E); returns (T, B, H)."""
    out = []
    for x_t in x:
        a = x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh
        h = np.tanh(a) if act == "tanh" else np.maximum(a, 0)
        out.append(h)
    return np.stack(out)


def _gru_step_ref(x, h, w_ih, w_hh, b_ih, b_hh):
    H = h.shape[-1]
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    r = _sigmoid(gi[..., :H] + gh[..., :H])
    z = _sigmoid(gi[..., H : 2 * H] + gh[..., H : 2 * H])
    n = np.tanh(gi[..., 2 * H :] + r * gh[..., 2 * H :])
    return (1 - z) * n + z * h


def _gru_ref(x, h, *weights):
    out = []
    for x_t in x:
        h = _gru_step_ref(x_t, h, *weights)
        out.append(h)
    return np.stack(out)


def _weights(m, k, sfx=""):
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    return [getattr(m, f"{n}_l{k}{sfx}").data for n in names]


def _stack_ref(m, ref, x, h0, **kw):
    """The layer stack by hand: every layer, both directions, from the per-layer reference."""
    D = 2 if m.bidirectional else 1
    h_n = []
    for k in range(m.num_layers):
        outs = []
        for d, sfx in enumerate(["", "_reverse"][:D]):
            seq = x if d == 0 else x[::-1]
            out = ref(seq, h0[D * k + d], *_weights(m, k, sfx), **kw)
            outs.append(out if d == 0 else out[::-1])
            h_n.append(out[-1])
        x = np.concatenate(outs, axis=-1)
    return x, np.stack(h_n)


def _rand(rng, *shape):
    return rng.standard_normal(shape)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_rnn_cell_is_the_equation(act):
    rng = np.random.default_rng(0)
    cell = nn.RNNCell(3, 4, nonlinearity=act, dtype=np.float64)
    x, h = _rand(rng, 5, 3), _rand(rng, 5, 4)
    w = [cell.weight_ih.data, cell.weight_hh.data, cell.bias_ih.data, cell.bias_hh.data]
    want = _rnn_ref(x[None], h, *w, act=act)[0]
    np.testing.assert_allclose(cell(minidl.tensor(x), minidl.tensor(h)).data, want, rtol=1e-12)
    # unbatched: x (E,), h (H,) -> (H,); no h means zeros
    np.testing.assert_allclose(
        cell(minidl.tensor(x[0])).data, _rnn_ref(x[:1], np.zeros((1, 4)), *w, act=act)[0, 0]
    )


def test_gru_cell_is_the_equation():
    rng = np.random.default_rng(1)
    cell = nn.GRUCell(3, 4, dtype=np.float64)
    x, h = _rand(rng, 5, 3), _rand(rng, 5, 4)
    w = [cell.weight_ih.data, cell.weight_hh.data, cell.bias_ih.data, cell.bias_hh.data]
    got = cell(minidl.tensor(x), minidl.tensor(h)).data
    np.testing.assert_allclose(got, _gru_step_ref(x, h, *w), rtol=1e-12)
    np.testing.assert_allclose(cell(minidl.tensor(x[1]), minidl.tensor(h[1])).data, got[1])


def test_gru_cell_without_bias():
    cell = nn.GRUCell(3, 2, bias=False, dtype=np.float64)
    assert [k for k, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]
    x, h = np.ones((1, 3)), np.full((1, 2), 0.5)
    w = [cell.weight_ih.data, cell.weight_hh.data, 0.0, 0.0]
    np.testing.assert_allclose(
        cell(minidl.tensor(x), minidl.tensor(h)).data, _gru_step_ref(x, h, *w), rtol=1e-12
    )
    assert repr(cell) == "GRUCell(3, 2, bias=False)"


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_rnn_layers_are_the_loop(act, bidirectional):
    rng = np.random.default_rng(2)
    rnn = nn.RNN(3, 4, 2, nonlinearity=act, bidirectional=bidirectional, dtype=np.float64)
    D = 2 if bidirectional else 1
    x, h0 = _rand(rng, 6, 2, 3), _rand(rng, 2 * D, 2, 4)
    out, h_n = rnn(minidl.tensor(x), minidl.tensor(h0))
    want_out, want_h = _stack_ref(rnn, _rnn_ref, x, h0, act=act)
    assert out.shape == (6, 2, D * 4) and h_n.shape == (2 * D, 2, 4)
    np.testing.assert_allclose(out.data, want_out, rtol=1e-12)
    np.testing.assert_allclose(h_n.data, want_h, rtol=1e-12)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_gru_layers_are_the_loop(bidirectional):
    rng = np.random.default_rng(3)
    gru = nn.GRU(3, 4, 3, bidirectional=bidirectional, dtype=np.float64)
    D = 2 if bidirectional else 1
    x, h0 = _rand(rng, 5, 2, 3), _rand(rng, 3 * D, 2, 4)
    out, h_n = gru(minidl.tensor(x), minidl.tensor(h0))
    want_out, want_h = _stack_ref(gru, _gru_ref, x, h0)
    np.testing.assert_allclose(out.data, want_out, rtol=1e-12)
    np.testing.assert_allclose(h_n.data, want_h, rtol=1e-12)


def test_gru_is_gru_cell_stepped_over_time():
    rng = np.random.default_rng(4)
    gru, cell = nn.GRU(3, 4, dtype=np.float64), nn.GRUCell(3, 4, dtype=np.float64)
    cell.load_state_dict({k[:-3]: v for k, v in gru.state_dict().items()})  # drop "_l0"
    x = minidl.tensor(_rand(rng, 5, 2, 3))
    out, h_n = gru(x)
    h = None
    for t in range(5):
        h = cell(x[t], h)
        np.testing.assert_allclose(out.data[t], h.data, rtol=1e-12)
    np.testing.assert_allclose(h_n.data[0], h.data, rtol=1e-12)


def test_batch_first_and_unbatched_are_the_same_numbers():
    rng = np.random.default_rng(5)
    for cls in (nn.RNN, nn.GRU):
        m = cls(3, 4, num_layers=2, dtype=np.float64)
        mb = cls(3, 4, num_layers=2, batch_first=True, dtype=np.float64)
        mb.load_state_dict(m.state_dict())
        x, h0 = _rand(rng, 5, 2, 3), _rand(rng, 2, 2, 4)
        out, h_n = m(minidl.tensor(x), minidl.tensor(h0))
        out_b, h_b = mb(minidl.tensor(x.transpose(1, 0, 2)), minidl.tensor(h0))
        np.testing.assert_allclose(out_b.data, out.data.transpose(1, 0, 2))
        np.testing.assert_array_equal(h_b.data, h_n.data)  # h_n stays (layers, B, H)
        # unbatched (T, E) with h0 (layers, H): batch element 1 on its own
        out_u, h_u = mb(minidl.tensor(x[:, 1]), minidl.tensor(h0[:, 1]))
        assert out_u.shape == (5, 4) and h_u.shape == (2, 4)
        np.testing.assert_allclose(out_u.data, out.data[:, 1], rtol=1e-12)
        np.testing.assert_allclose(h_u.data, h_n.data[:, 1], rtol=1e-12)


def test_parameter_names_shapes_and_init_as_pytorch():
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    shapes = {k: v.shape for k, v in gru.state_dict().items()}
    assert list(shapes)[:5] == [
        "weight_ih_l0",
        "weight_hh_l0",
        "bias_ih_l0",
        "bias_hh_l0",
        "weight_ih_l0_reverse",
    ]
    assert shapes["weight_ih_l0"] == (12, 3) and shapes["weight_hh_l0"] == (12, 4)
    assert shapes["weight_ih_l1_reverse"] == (12, 8) and shapes["bias_hh_l1"] == (12,)
    assert len(shapes) == 16
    rnn = nn.RNN(3, 4, bias=False)
    assert [k for k, _ in rnn.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert rnn.weight_ih_l0.shape == (4, 3)
    # U(−1/√H, 1/√H), float32 by default
    big = nn.RNN(50, 100)
    for p in big.parameters():
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= 0.1 and np.abs(p.data).max() > 0.09


def test_float32_stays_float32_and_gradients_flow():
    gru = nn.GRU(3, 4, batch_first=True)
    x = minidl.randn(2, 5, 3, requires_grad=True)
    out, h_n = gru(x)
    assert out.dtype == h_n.dtype == np.float32
    (out.sum() + h_n.sum()).backward()
    assert x.grad.dtype == np.float32
    assert all(p.grad is not None and p.grad.dtype == np.float32 for p in gru.parameters())
    assert nn.RNNCell(3, 4)(minidl.randn(2, 3)).dtype == np.float32


def test_dropout_between_layers_only_while_training():
    minidl.manual_seed(0)
    rnn = nn.RNN(3, 4, num_layers=2, dropout=0.5)
    x = minidl.randn(5, 2, 3)
    rnn.eval()
    a, _ = rnn(x)
    b, _ = rnn(x)
    np.testing.assert_array_equal(a.data, b.data)
    rnn.train()
    c, _ = rnn(x)
    assert not np.allclose(a.data, c.data)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)


def test_reprs():
    assert repr(nn.RNN(3, 4)) == "RNN(3, 4)"
    assert repr(nn.RNN(3, 4, 2, "relu")) == "RNN(3, 4, num_layers=2, nonlinearity='relu')"
    assert repr(nn.GRU(3, 4, batch_first=True, bidirectional=True)) == (
        "GRU(3, 4, batch_first=True, bidirectional=True)"
    )
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity='relu')"


def test_clear_errors():
    rnn, cell = nn.RNN(3, 4, num_layers=2), nn.GRUCell(3, 4)
    with pytest.raises(ValueError, match=r"RNN: expected a 2-D \(T, E\) or 3-D \(T, B, E\) input"):
        rnn(minidl.zeros(5, 2, 4))
    with pytest.raises(ValueError, match=r"h0 must be 3-D \(num_layers, B, H\) = \(2, 2, 4\)"):
        rnn(minidl.zeros(5, 2, 3), minidl.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"GRU: for a 2-D \(T, E\) \(unbatched\) input"):
        nn.GRU(3, 4)(minidl.zeros(5, 3), minidl.zeros(1, 2, 4))
    with pytest.raises(TypeError, match=r"RNN: the state is one tensor h0, not a tuple of 2"):
        rnn(minidl.zeros(5, 2, 3), (minidl.zeros(2, 2, 4), minidl.zeros(2, 2, 4)))
    with pytest.raises(ValueError, match="GRU: the input sequence is empty"):
        nn.GRU(3, 4)(minidl.zeros(0, 2, 3))
    with pytest.raises(ValueError, match=r"RNN: unknown nonlinearity 'sigmoid'; expected 'tanh'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"RNNCell: unknown nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match=r"GRUCell: expected input of shape \(B, 3\) or \(3,\)"):
        cell(minidl.zeros(2, 5))
    with pytest.raises(ValueError, match=r"GRUCell: h must have shape \(2, 4\) .* got \(1, 4\)"):
        cell(minidl.zeros(2, 3), minidl.zeros(1, 4))
    with pytest.raises(ValueError, match="GRU: dropout must be a number in"):
        nn.GRU(3, 4, 2, dropout=1.5)
    with pytest.raises(TypeError, match="RNNCell: hidden_size must be an int"):
        nn.RNNCell(3, 4.0)


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_same_as_torch(kind):
    torch = pytest.importorskip("torch")
    kw = {"num_layers": 2, "batch_first": True, "bidirectional": True}
    if kind == "RNN":
        kw["nonlinearity"] = "relu"
    tm = getattr(torch.nn, kind)(3, 4, **kw).double()
    mm = getattr(nn, kind)(3, 4, dtype=np.float64, **kw)
    assert list(mm.state_dict()) == list(tm.state_dict())
    mm.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(6)
    x, h0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(4, 2, 4))
    xt, ht = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    ot, hnt = tm(xt, ht)
    (ot.sum() + (hnt**2).sum()).backward()
    xm, hm = minidl.tensor(x, requires_grad=True), minidl.tensor(h0, requires_grad=True)
    om, hnm = mm(xm, hm)
    (om.sum() + (hnm**2).sum()).backward()
    np.testing.assert_allclose(om.data, ot.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hnm.data, hnt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hm.grad.data, ht.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, p), q in zip(mm.named_parameters(), tm.parameters()):
        np.testing.assert_allclose(
            p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )
    # the cells too, on float32 weights copied from torch's
    tc = getattr(torch.nn, f"{kind}Cell")(3, 4)
    mc = getattr(nn, f"{kind}Cell")(3, 4)
    mc.load_state_dict({k: v.numpy() for k, v in tc.state_dict().items()})
    xc = rng.normal(size=(2, 3)).astype(np.float32)
    np.testing.assert_allclose(
        mc(minidl.tensor(xc)).data, tc(torch.tensor(xc)).detach().numpy(), rtol=1e-5, atol=1e-6
    )
