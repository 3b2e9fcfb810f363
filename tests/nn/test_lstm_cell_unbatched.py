"""LSTMCell on one unbatched sample: x (E,), h and c (H,), as RNNCell and GRUCell take."""

import numpy as np
import pytest
from strategies import gradcheck

import minidl
from minidl import nn


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _lstm_step_ref(x, h, c, w_ih, w_hh, b_ih, b_hh):
    """The LSTM equations in NumPy for one vector x (E,): gates i, f, g, o."""
    a_i, a_f, a_g, a_o = np.split(w_ih @ x + b_ih + w_hh @ h + b_hh, 4)
    c2 = _sigmoid(a_f) * c + _sigmoid(a_i) * np.tanh(a_g)
    return _sigmoid(a_o) * np.tanh(c2), c2


def _params(cell):
    return [p.data for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]


def test_an_unbatched_step_is_the_equation():
    rng = np.random.default_rng(0)
    minidl.manual_seed(0)
    cell = nn.LSTMCell(3, 2, dtype=np.float64)
    x, h, c = rng.standard_normal(3), rng.standard_normal(2), rng.standard_normal(2)
    h2, c2 = cell(minidl.tensor(x), (minidl.tensor(h), minidl.tensor(c)))
    assert h2.shape == (2,) and c2.shape == (2,)
    ref_h, ref_c = _lstm_step_ref(x, h, c, *_params(cell))
    np.testing.assert_allclose(h2.data, ref_h, rtol=1e-12)
    np.testing.assert_allclose(c2.data, ref_c, rtol=1e-12)
    # no state means zeros, and a batch of one row gives the same numbers
    h0, c0 = cell(minidl.tensor(x))
    ref_h0, ref_c0 = _lstm_step_ref(x, np.zeros(2), np.zeros(2), *_params(cell))
    np.testing.assert_allclose(h0.data, ref_h0, rtol=1e-12)
    np.testing.assert_allclose(c0.data, ref_c0, rtol=1e-12)
    hb, cb = cell(minidl.tensor(x[None]))
    np.testing.assert_allclose(hb.data[0], h0.data, rtol=1e-12)


def test_an_unbatched_step_gradchecks():
    rng = np.random.default_rng(1)
    minidl.manual_seed(0)
    cell = nn.LSTMCell(3, 2, dtype=np.float64)
    args = [minidl.tensor(rng.standard_normal(n), requires_grad=True) for n in (3, 2, 2)]
    assert gradcheck(lambda x, h, c: cell(x, (h, c)), args)


@pytest.mark.parametrize(
    "x_shape, state_shape", [((3,), (1, 2)), ((1, 3), (2,)), ((3,), (3,)), ((2, 2, 3), (2, 2))]
)
def test_state_shapes_that_do_not_match_an_unbatched_input_are_named(x_shape, state_shape):
    cell = nn.LSTMCell(3, 2)
    state = (minidl.zeros(*state_shape), minidl.zeros(*state_shape))
    with pytest.raises(ValueError, match="LSTMCell: "):
        cell(minidl.zeros(*x_shape), state)


def test_an_unbatched_step_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    theirs = torch.nn.LSTMCell(3, 2).double()
    ours = nn.LSTMCell(3, 2, dtype=np.float64)
    ours.load_state_dict(
        {k: minidl.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    )
    x, h, c = rng.standard_normal(3), rng.standard_normal(2), rng.standard_normal(2)
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h, c))
    mx, mh, mc = (minidl.tensor(a, requires_grad=True) for a in (x, h, c))
    th2, tc2 = theirs(tx, (th, tc))
    mh2, mc2 = ours(mx, (mh, mc))
    np.testing.assert_allclose(mh2.data, th2.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(mc2.data, tc2.detach().numpy(), rtol=1e-12)
    (th2.sum() + 2 * tc2.sum()).backward()
    (mh2.sum() + 2 * mc2.sum()).backward()
    for m, t in ((mx, tx), (mh, th), (mc, tc)):
        np.testing.assert_allclose(m.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(
        ours.weight_ih.grad.data, theirs.weight_ih.grad.numpy(), rtol=1e-10, atol=1e-14
    )
