"""LSTM: the fused layer equals LSTMCell unrolled; PyTorch layout; dropout between layers;
unbatched input; the document's §4 model."""

import re
import warnings

import numpy as np
import pytest
from strategies import gradcheck

import minidl
import minidl as torch
import minidl.nn as nn
from minidl.nn.cases import module_fn


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def test_lstm_cell_follows_the_gate_equations():
    rng = np.random.default_rng(0)
    cell = nn.LSTMCell(3, 2).double()
    x, h, c = rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    a = x @ cell.weight_ih.data.T + cell.bias_ih.data + h @ cell.weight_hh.data.T
    a = a + cell.bias_hh.data
    i, f, g, o = _sigmoid(a[:, :2]), _sigmoid(a[:, 2:4]), np.tanh(a[:, 4:6]), _sigmoid(a[:, 6:])
    c_next = f * c + i * g
    h_next, c_out = cell(minidl.tensor(x), (minidl.tensor(h), minidl.tensor(c)))
    np.testing.assert_allclose(c_out.data, c_next, rtol=1e-12)
    np.testing.assert_allclose(h_next.data, o * np.tanh(c_next), rtol=1e-12)


def test_parameter_names_shapes_and_init_bounds():
    minidl.manual_seed(0)
    lstm = nn.LSTM(5, 16, num_layers=2)
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    assert shapes == {
        "weight_ih_l0": (64, 5),
        "weight_hh_l0": (64, 16),
        "bias_ih_l0": (64,),
        "bias_hh_l0": (64,),
        "weight_ih_l1": (64, 16),
        "weight_hh_l1": (64, 16),
        "bias_ih_l1": (64,),
        "bias_hh_l1": (64,),
    }
    assert all(np.abs(p.data).max() <= 1 / 4 for p in lstm.parameters())  # 1/sqrt(H)
    assert list(nn.LSTM(5, 16, bias=False).state_dict()) == ["weight_ih_l0", "weight_hh_l0"]
    assert repr(nn.LSTM(5, 16, num_layers=2, batch_first=True)) == (
        "LSTM(5, 16, num_layers=2, batch_first=True)"
    )
    assert repr(nn.LSTM(5, 16, num_layers=2, dropout=0.25)) == (
        "LSTM(5, 16, num_layers=2, dropout=0.25)"
    )


def _copy_into_cells(lstm):
    cells = []
    for k in range(lstm.num_layers):
        size = lstm.input_size if k == 0 else lstm.hidden_size
        cell = nn.LSTMCell(size, lstm.hidden_size, bias=lstm.bias).double()
        for name, _ in cell.named_parameters():
            getattr(cell, name).data[...] = getattr(lstm, f"{name}_l{k}").data
        cells.append(cell)
    return cells


def _unrolled(cells, x, hx, batch_first):
    seq = x.transpose(0, 1) if batch_first else x
    hs, cs = [], []
    for k, cell in enumerate(cells):
        state = None if hx is None else (hx[0][k], hx[1][k])
        outs = []
        for t in range(seq.shape[0]):
            state = cell(seq[t], state)
            outs.append(state[0])
        seq = minidl.stack(outs)
        hs.append(state[0])
        cs.append(state[1])
    out = seq.transpose(0, 1) if batch_first else seq
    return out, (minidl.stack(hs), minidl.stack(cs))


def _assert_same_run(lstm, cells, got, ref):
    """Outputs, states, input gradients and every layer's weight gradients agree to 1e-10."""
    (out, h_n, c_n, grads), (ref_out, ref_h, ref_c, ref_grads) = got, ref
    for a, b in [(out, ref_out), (h_n, ref_h), (c_n, ref_c)] + list(zip(grads, ref_grads)):
        assert a.shape == b.shape
        np.testing.assert_allclose(a.data, b.data, rtol=0, atol=1e-10)
    for k, cell in enumerate(cells):
        for name, _ in cell.named_parameters():
            fused = getattr(lstm, f"{name}_l{k}").grad.data
            np.testing.assert_allclose(fused, getattr(cell, name).grad.data, rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    "num_layers, batch_first, with_state, bias",
    [(n, bf, s, True) for n in (1, 2) for bf in (False, True) for s in (False, True)]
    + [(2, False, True, False)],
)
def test_fused_lstm_equals_lstm_cell_unrolled(num_layers, batch_first, with_state, bias):
    rng = np.random.default_rng(num_layers * 4 + batch_first * 2 + with_state)
    T, B, E, H = 6, 3, 4, 5
    lstm = nn.LSTM(E, H, num_layers=num_layers, bias=bias, batch_first=batch_first).double()
    cells = _copy_into_cells(lstm)
    shape = (B, T, E) if batch_first else (T, B, E)
    x_data = rng.standard_normal(shape)
    state_data = rng.standard_normal((2, num_layers, B, H))
    out_w = rng.standard_normal((B, T, H) if batch_first else (T, B, H))
    h_w, c_w = rng.standard_normal((2, num_layers, B, H))

    results = []
    for model in (lstm, cells):
        x = minidl.tensor(x_data, requires_grad=True)
        hx = tuple(minidl.tensor(s, requires_grad=True) for s in state_data)
        if model is lstm:
            out, (h_n, c_n) = lstm(x, hx if with_state else None)
        else:
            out, (h_n, c_n) = _unrolled(cells, x, hx if with_state else None, batch_first)
        ((out * out_w).sum() + (h_n * h_w).sum() + (c_n * c_w).sum()).backward()
        grads = [x.grad] + ([hx[0].grad, hx[1].grad] if with_state else [])
        results.append((out, h_n, c_n, grads))

    _assert_same_run(lstm, cells, *results)


@pytest.mark.parametrize("used", [("out",), ("h_n",), ("c_n",), ("h_n", "c_n"), ("out", "c_n")])
def test_fused_lstm_gradient_when_only_some_outputs_are_used(used):
    # an unused output reaches the fused backward as None (set_materialize_grads(False))
    rng = np.random.default_rng(len(used))
    T, B, E, H = 5, 2, 3, 4
    lstm = nn.LSTM(E, H, num_layers=2).double()
    cells = _copy_into_cells(lstm)
    x_data = rng.standard_normal((T, B, E))
    grads = []
    for model in (lstm, cells):
        x = minidl.tensor(x_data, requires_grad=True)
        if model is lstm:
            out, (h_n, c_n) = lstm(x)
        else:
            out, (h_n, c_n) = _unrolled(cells, x, None, False)
        outputs = {"out": out, "h_n": h_n, "c_n": c_n}
        sum((outputs[k] * outputs[k]).sum() for k in used).backward()
        grads.append(x.grad.data)
    assert np.abs(grads[0]).sum() > 0
    np.testing.assert_allclose(grads[0], grads[1], rtol=0, atol=1e-10)
    ref = {f"{n}_l{k}": p.grad.data for k, c in enumerate(cells) for n, p in c.named_parameters()}
    for name, p in lstm.named_parameters():
        np.testing.assert_allclose(p.grad.data, ref[name], rtol=0, atol=1e-10)


def test_long_float32_sequence_backward_leaves_no_subnormal_gradients():
    # δh, δc decay through time into the subnormal range (~100x slower arithmetic);
    # the fused backward flushes them, and the gradients still match float64
    rng = np.random.default_rng(7)
    T, B, E, H = 400, 4, 3, 16
    lstm = nn.LSTM(E, H)
    x_data = rng.standard_normal((T, B, E))
    grads = {}
    for dtype in (np.float32, np.float64):
        model = lstm if dtype == np.float32 else lstm.double()
        x = minidl.tensor(x_data.astype(dtype), requires_grad=True)
        _, (h_n, _) = model(x)
        h_n.sum().backward()
        grads[dtype] = [x.grad.data] + [p.grad.data for p in model.parameters()]
        for p in model.parameters():
            p.grad = None
    tiny = np.finfo(np.float32).tiny
    exact_dx = np.abs(grads[np.float64][0])
    assert (exact_dx[0] < tiny).any() and (exact_dx[0] > 0).all()  # float64 reaches that range
    for g32, g64 in zip(grads[np.float32], grads[np.float64]):
        assert g32.dtype == np.float32
        magnitude = np.abs(g32)
        assert not ((magnitude > 0) & (magnitude < tiny)).any()
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-6)


def test_float32_stays_float32():
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = minidl.randn(5, 2, 3, requires_grad=True)
    out, (h, c) = lstm(x)
    (out.sum() + h.sum()).backward()
    assert out.dtype == h.dtype == c.dtype == x.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in lstm.parameters())


def test_saturated_gates_stay_finite_without_warnings():
    lstm = nn.LSTM(2, 3)
    with np.errstate(all="raise"):
        out, (h, c) = lstm(minidl.tensor([[[1e4, -1e4]], [[-1e4, 1e4]]]))
        h.sum().backward()
    assert np.isfinite(out.data).all() and np.abs(out.data).max() <= 1
    assert all(np.isfinite(p.grad.data).all() for p in lstm.parameters())


def test_thousand_step_sequence_runs():
    minidl.manual_seed(0)
    lstm = nn.LSTM(8, 16)
    x = minidl.randn(1000, 4, 8, requires_grad=True)
    out, (h, c) = lstm(x)
    h.sum().backward()
    assert out.shape == (1000, 4, 16) and x.grad.shape == x.shape
    assert np.isfinite(x.grad.data).all()
    # gradients reach the first step (through 999 recurrent steps), however small
    assert np.abs(lstm.weight_ih_l0.grad.data).max() > 0


def test_bad_inputs_are_clear_errors():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(
        ValueError, match=r"LSTM: expected a 2-D \(T, E\) or 3-D \(T, B, E\) input with E = 3"
    ):
        lstm(minidl.randn(5, 2, 7))
    with pytest.raises(ValueError, match=r"h0 has shape \(1, 2, 4\), expected .* \(2, 2, 4\)"):
        lstm(minidl.randn(5, 2, 3), (minidl.zeros(1, 2, 4), minidl.zeros(1, 2, 4)))


# ----- dropout between layers ------------------------------------------------------


def _unrolled_with_dropout(cells, x, hx, batch_first, p, seed):
    """What LSTM(dropout=p) computes in training mode, rebuilt independently.

    Each layer is ``_unrolled`` LSTMCell steps (primitive ops, no LSTM.forward, no
    LSTMLayer); between layers the output is multiplied by keep / (1 − p), with
    ``keep`` drawn here straight from the freshly seeded generator as DropoutMask's
    documented rule says (uᵢ ~ U[0, 1) in float32, kept when uᵢ ≥ p, one draw of the
    time-major (T, B, H) shape per layer boundary, in layer order).  Neither
    ``dropout`` nor ``DropoutMask`` runs, so a wrong mask, a missing 1/(1 − p), a
    mask on the wrong layer or on h_n, c_n would all show.  Returns the masks too.
    """
    minidl.manual_seed(seed)
    seq = x.transpose(0, 1) if batch_first else x
    hs, cs, masks = [], [], []
    for k, cell in enumerate(cells):
        if k > 0:
            keep = minidl.random.generator().random(seq.shape, dtype=np.float32) >= p
            masks.append(keep)
            seq = seq * (keep / (1 - p))
        state = None if hx is None else (hx[0][k : k + 1], hx[1][k : k + 1])
        seq, (h, c) = _unrolled([cell], seq, state, False)
        hs.append(h[0])
        cs.append(c[0])
    out = seq.transpose(0, 1) if batch_first else seq
    return out, (minidl.stack(hs), minidl.stack(cs)), masks


def _run_and_backward(model, x_data, state_data, weights):
    """Forward ``model(x, hx)`` (a callable), backward a weighted sum of all outputs;
    returns (out, h_n, c_n, [grads of x, h0, c0])."""
    x = minidl.tensor(x_data, requires_grad=True)
    hx = None
    if state_data is not None:
        hx = tuple(minidl.tensor(s, requires_grad=True) for s in state_data)
    out, (h_n, c_n) = model(x, hx)
    out_w, h_w, c_w = weights
    ((out * out_w).sum() + (h_n * h_w).sum() + (c_n * c_w).sum()).backward()
    grads = [x.grad] + ([] if hx is None else [hx[0].grad, hx[1].grad])
    return out, h_n, c_n, grads


@pytest.mark.parametrize(
    "num_layers, batch_first, with_state", [(2, False, False), (2, True, True), (3, False, True)]
)
def test_training_dropout_equals_cells_with_an_independently_drawn_mask(
    num_layers, batch_first, with_state
):
    rng = np.random.default_rng(10 + num_layers * 4 + batch_first * 2 + with_state)
    T, B, E, H, p, seed = 6, 3, 4, 5, 0.4, 123
    lstm = nn.LSTM(E, H, num_layers=num_layers, batch_first=batch_first, dropout=p).double()
    assert lstm.training
    cells = _copy_into_cells(lstm)
    x_data = rng.standard_normal((B, T, E) if batch_first else (T, B, E))
    state_data = rng.standard_normal((2, num_layers, B, H)) if with_state else None
    weights = (
        rng.standard_normal((B, T, H) if batch_first else (T, B, H)),
        *rng.standard_normal((2, num_layers, B, H)),
    )

    def fused(x, hx):
        minidl.manual_seed(seed)
        return lstm(x, hx)

    masks = []

    def reference(x, hx):
        out, states, drawn = _unrolled_with_dropout(cells, x, hx, batch_first, p, seed)
        masks.extend(drawn)
        return out, states

    got = _run_and_backward(fused, x_data, state_data, weights)
    ref = _run_and_backward(reference, x_data, state_data, weights)
    assert len(masks) == num_layers - 1
    for keep in masks:  # the masks really drop some units and keep others
        assert 0.2 < 1 - keep.mean() < 0.6
    _assert_same_run(lstm, cells, got, ref)


def test_dropout_one_feeds_zeros_to_the_next_layer():
    rng = np.random.default_rng(3)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=1).double()
    assert lstm.dropout == 1.0 and isinstance(lstm.dropout, float)
    cells = _copy_into_cells(lstm)
    x = minidl.tensor(rng.standard_normal((5, 2, 3)))
    out, (h_n, c_n) = lstm(x)
    zeros_out, (h1, c1) = _unrolled(
        [cells[1]], minidl.zeros(5, 2, 4, dtype=np.float64), None, False
    )
    _, (h0, c0) = _unrolled([cells[0]], x, None, False)
    np.testing.assert_allclose(out.data, zeros_out.data, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.data, np.concatenate([h0.data, h1.data]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(c_n.data, np.concatenate([c0.data, c1.data]), rtol=0, atol=1e-12)


def test_dropout_is_off_in_eval_mode():
    rng = np.random.default_rng(4)
    T, B, E, H = 5, 2, 3, 4
    with_dropout = nn.LSTM(E, H, num_layers=3, dropout=0.5).double()
    without = nn.LSTM(E, H, num_layers=3).double()
    without.load_state_dict(with_dropout.state_dict())
    x_data = rng.standard_normal((T, B, E))
    state_data = rng.standard_normal((2, 3, B, H))
    weights = (rng.standard_normal((T, B, H)), *rng.standard_normal((2, 3, B, H)))

    with_dropout.eval()
    rng_state = minidl.random.generator().bit_generator.state
    got = _run_and_backward(with_dropout, x_data, state_data, weights)
    assert minidl.random.generator().bit_generator.state == rng_state  # nothing drawn
    ref = _run_and_backward(without, x_data, state_data, weights)
    for a, b in zip(got[:3] + tuple(got[3]), ref[:3] + tuple(ref[3])):
        np.testing.assert_array_equal(a.data, b.data)
    for (name, p), q in zip(with_dropout.named_parameters(), without.parameters()):
        np.testing.assert_array_equal(p.grad.data, q.grad.data, err_msg=name)

    # and back in training mode the same call differs (the dropout is real)
    with_dropout.train()
    out, _ = with_dropout(minidl.tensor(x_data))
    assert not np.allclose(out.data, ref[0].data)


def test_dropout_gradients_pass_gradcheck():
    minidl.manual_seed(0)
    lstm = nn.LSTM(2, 3, num_layers=3, batch_first=True, dropout=0.5)

    def call(m, x, h0, c0):
        minidl.manual_seed(11)  # the same masks at every finite-difference evaluation
        out, (h, c) = m(x, (h0, c0))
        return out, h, c

    fn, params = module_fn(lstm, call)
    rng = np.random.default_rng(5)
    x, h0, c0 = (
        minidl.tensor(rng.standard_normal(shape), requires_grad=True)
        for shape in [(2, 3, 2), (3, 2, 3), (3, 2, 3)]
    )
    inputs = (x, h0, c0, *params)
    dropped = fn(*inputs)[0].data
    lstm.eval()
    assert not np.allclose(dropped, fn(*inputs)[0].data)  # the masks change the output
    lstm.train()
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), float("inf"), True, "0.5", None])
def test_dropout_outside_zero_one_is_an_error(p):
    with pytest.raises(
        ValueError,
        match=r"LSTM: dropout must be a number in \[0, 1\].*got dropout=" + re.escape(repr(p)),
    ):
        nn.LSTM(3, 4, num_layers=2, dropout=p)


def test_single_layer_dropout_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="adds dropout after all but last recurrent layer"):
        lstm = nn.LSTM(3, 4, dropout=0.5).double()
    plain = nn.LSTM(3, 4).double()
    plain.load_state_dict(lstm.state_dict())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning for dropout=0 or for 2 layers
        nn.LSTM(3, 4, num_layers=2, dropout=0.5)
        nn.LSTM(3, 4, dropout=0)
    assert lstm.training
    x = minidl.tensor(np.random.default_rng(6).standard_normal((5, 2, 3)))
    rng_state = minidl.random.generator().bit_generator.state
    out, (h, c) = lstm(x)
    assert minidl.random.generator().bit_generator.state == rng_state
    ref_out, (ref_h, ref_c) = plain(x)
    for a, b in [(out, ref_out), (h, ref_h), (c, ref_c)]:
        np.testing.assert_array_equal(a.data, b.data)


# ----- unbatched input (T, E) --------------------------------------------------------


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_unbatched_input_equals_a_batch_of_one(batch_first, with_state):
    # reference: the same weights as LSTMCell steps on the batch of one x[:, None, :]
    # (time-major: with no batch dim the layout is (T, E) whatever batch_first says)
    rng = np.random.default_rng(20 + 2 * batch_first + with_state)
    T, E, H, L = 6, 4, 5, 2
    lstm = nn.LSTM(E, H, num_layers=L, batch_first=batch_first).double()
    cells = _copy_into_cells(lstm)
    x_data = rng.standard_normal((T, E))
    state_data = rng.standard_normal((2, L, H)) if with_state else None
    weights = (rng.standard_normal((T, H)), *rng.standard_normal((2, L, H)))

    def batch_of_one(x, hx):
        hx = None if hx is None else (hx[0][:, None, :], hx[1][:, None, :])
        out, (h_n, c_n) = _unrolled(cells, x[:, None, :], hx, False)
        return out[:, 0, :], (h_n[:, 0, :], c_n[:, 0, :])

    got = _run_and_backward(lstm, x_data, state_data, weights)
    ref = _run_and_backward(batch_of_one, x_data, state_data, weights)
    out, (h_n, c_n) = got[0], got[1:3]
    assert out.shape == (T, H) and h_n.shape == c_n.shape == (L, H)
    _assert_same_run(lstm, cells, got, ref)


def test_unbatched_gradients_pass_gradcheck():
    minidl.manual_seed(0)
    lstm = nn.LSTM(2, 3, num_layers=2, batch_first=True)
    fn, params = module_fn(lstm, lambda m, x, h0, c0: (lambda o, s: (o, *s))(*m(x, (h0, c0))))
    rng = np.random.default_rng(7)
    x, h0, c0 = (
        minidl.tensor(rng.standard_normal(shape), requires_grad=True)
        for shape in [(4, 2), (2, 3), (2, 3)]
    )
    assert [o.shape for o in fn(x, h0, c0, *params)] == [(4, 3), (2, 3), (2, 3)]
    assert gradcheck(fn, (x, h0, c0, *params))


def test_bad_input_and_state_ranks_are_clear_errors():
    lstm = nn.LSTM(3, 4, num_layers=2)
    z2, z3 = minidl.zeros(2, 4), minidl.zeros(2, 1, 4)
    with pytest.raises(
        ValueError,
        match=r"LSTM: for a 3-D \(T, B, E\) input of shape \(5, 1, 3\), h0 and c0 must be 3-D "
        r"\(num_layers, B, H\) = \(2, 1, 4\); got h0 \(2, 4\), c0 \(2, 4\)",
    ):
        lstm(minidl.randn(5, 1, 3), (z2, z2))
    with pytest.raises(
        ValueError,
        match=r"LSTM: for a 2-D \(T, E\) \(unbatched\) input of shape \(5, 3\), h0 and c0 "
        r"must be 2-D \(num_layers, H\) = \(2, 4\); got h0 \(2, 1, 4\), c0 \(2, 1, 4\)",
    ):
        lstm(minidl.randn(5, 3), (z3, z3))
    with pytest.raises(ValueError, match=r"must be 2-D .* got h0 \(2, 4\), c0 \(2, 1, 4\)"):
        lstm(minidl.randn(5, 3), (z2, z3))
    with pytest.raises(ValueError, match=r"h0 has shape \(1, 4\), expected \(num_layers, H\)"):
        lstm(minidl.randn(5, 3), (minidl.zeros(1, 4), minidl.zeros(1, 4)))
    layout = re.escape("2-D (T, E) or 3-D (B, T, E) input with E = 3")
    for shape in [(3,), (2, 5, 2, 3), (5, 7)]:
        with pytest.raises(ValueError, match=layout + re.escape(f", got shape {shape}")):
            nn.LSTM(3, 4, batch_first=True)(minidl.randn(*shape))
    with pytest.raises(ValueError, match="empty"):
        lstm(minidl.zeros(0, 3))


# ----- the document's §4 model, verbatim except the import line ------------------


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim):
        super(TextClassifier, self).__init__()  # noqa: UP008  (verbatim)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        embedded = self.embedding(x)
        output, (hidden, cell) = self.lstm(embedded)
        hidden = hidden.squeeze(0)
        out = self.fc(hidden)
        return out


def test_document_text_classifier_runs_forward_and_backward():
    torch.manual_seed(0)
    model = TextClassifier(vocab_size=500, embedding_dim=100, hidden_dim=64, output_dim=2)
    x = torch.randint(0, 500, (50, 64))
    assert x.dtype == np.int64
    labels = torch.randint(0, 2, (64,))
    criterion = nn.CrossEntropyLoss()
    out = model(x)
    assert out.shape == (64, 2)
    loss = criterion(out, labels)
    assert np.isfinite(loss.item())
    loss.backward()
    params = dict(model.named_parameters())
    assert list(params) == [
        "embedding.weight",
        "lstm.weight_ih_l0",
        "lstm.weight_hh_l0",
        "lstm.bias_ih_l0",
        "lstm.bias_hh_l0",
        "fc.weight",
        "fc.bias",
    ]
    for name, p in params.items():
        assert p.grad is not None, name
        assert p.grad.shape == p.shape and p.grad.dtype == p.dtype, name
        assert np.abs(p.grad.data).max() > 0, name


def test_lstm_cell_checks_the_state_shapes():
    cell = nn.LSTMCell(3, 4)
    x = minidl.zeros(2, 3)
    for h_shape, c_shape in [((1, 4), (1, 4)), ((4,), (4,)), ((2, 4), (1, 4))]:
        # each of these would broadcast over the batch of 2 without a word
        with pytest.raises(ValueError, match=r"LSTMCell: \(h, c\) must both have shape"):
            cell(x, (minidl.zeros(*h_shape), minidl.zeros(*c_shape)))


@pytest.mark.parametrize("wrong", ["weight_ih", "weight_hh", "h0", "c0", "bias"])
def test_the_fused_layer_refuses_inconsistent_shapes_naming_them(wrong):
    from minidl.nn.lstm_fused import LSTMLayer

    T, B, E, H = 2, 3, 4, 5
    shapes = {"x": (T, B, E), "h0": (B, H), "c0": (B, H)}
    shapes.update(weight_ih=(4 * H, E), weight_hh=(4 * H, H), bias=(4 * H,))
    first, *rest = shapes[wrong]
    # a state with one row (it would broadcast over the batch), or one gate row too many
    shapes[wrong] = (1, *rest) if wrong in ("h0", "c0") else (first + 1, *rest)
    t = {k: minidl.zeros(*v) for k, v in shapes.items()}
    with pytest.raises(ValueError, match=r"lstm: x \(2, 3, 4\).*expected x \(T, B, E\)"):
        LSTMLayer.apply(
            t["x"], t["h0"], t["c0"], t["weight_ih"], t["weight_hh"], t["bias"], t["bias"]
        )
