"""nn.utils.rnn (pad / pack) and recurrent layers on a PackedSequence.

Expected values: layouts written out by hand, and the definition of packing —
a layer run on a packed batch gives, for each sequence, exactly what it gives
that sequence run alone for its own length (batch of one, no filler).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minidl
from minidl import nn
from minidl.nn.lstm_fused import LSTMLayer
from minidl.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)


def _seqs(lengths, features=2, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, features)) for n in lengths]


# ----- layouts, by hand ----------------------------------------------------------------


def test_pad_sequence_lays_out_each_sequence_in_a_column_then_the_filler():
    a, b, c = minidl.tensor([1.0, 2, 3]), minidl.tensor([4.0]), minidl.tensor([5.0, 6])
    np.testing.assert_array_equal(
        pad_sequence([a, b, c], padding_value=-1).data, [[1, 4, 5], [2, -1, 6], [3, -1, -1]]
    )
    np.testing.assert_array_equal(
        pad_sequence([a, b, c], batch_first=True, padding_side="left").data,
        [[1, 2, 3], [0, 0, 4], [0, 5, 6]],
    )


def test_pack_padded_sequence_packs_time_step_by_time_step():
    # the module docstring's example: lengths 3, 2, 1 -> a0 b0 c0 a1 b1 a2
    padded = minidl.tensor([[10.0, 20, 30], [11, 21, 0], [12, 0, 0]])  # (T=3, B=3)
    packed = pack_padded_sequence(padded, [3, 2, 1])
    np.testing.assert_array_equal(packed.data.data, [10, 20, 30, 11, 21, 12])
    np.testing.assert_array_equal(packed.batch_sizes.data, [3, 2, 1])
    assert packed.batch_sizes.dtype == np.int64
    assert packed.sorted_indices is None and packed.unsorted_indices is None


def test_unsorted_lengths_are_sorted_longest_first_and_the_order_is_kept():
    padded = minidl.tensor([[10.0, 20, 30], [11, 0, 31], [0, 0, 32]])  # lengths 2, 1, 3
    packed = pack_padded_sequence(padded, [2, 1, 3], enforce_sorted=False)
    np.testing.assert_array_equal(packed.sorted_indices.data, [2, 0, 1])
    np.testing.assert_array_equal(packed.unsorted_indices.data, [1, 2, 0])
    np.testing.assert_array_equal(packed.data.data, [30, 10, 20, 31, 11, 32])
    back, lengths = pad_packed_sequence(packed)
    np.testing.assert_array_equal(back.data, padded.data)
    np.testing.assert_array_equal(lengths.data, [2, 1, 3])


def test_pad_packed_sequence_pads_to_total_length_with_the_padding_value():
    packed = pack_sequence([minidl.tensor([1.0, 2]), minidl.tensor([3.0])])
    out, lengths = pad_packed_sequence(packed, batch_first=True, padding_value=9.0, total_length=4)
    np.testing.assert_array_equal(out.data, [[1, 2, 9, 9], [3, 9, 9, 9]])
    np.testing.assert_array_equal(lengths.data, [2, 1])


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 5), min_size=1, max_size=5),
    batch_first=st.booleans(),
    extra=st.integers(0, 2),
)
def test_pack_then_pad_gives_back_the_batch_with_zeros_past_each_end(lengths, batch_first, extra):
    T, B = max(lengths) + extra, len(lengths)
    rng = np.random.default_rng(len(lengths))
    x = rng.standard_normal((B, T, 3) if batch_first else (T, B, 3))
    packed = pack_padded_sequence(
        minidl.tensor(x), lengths, batch_first=batch_first, enforce_sorted=False
    )
    assert packed.data.shape == (sum(lengths), 3)
    out, got = pad_packed_sequence(packed, batch_first=batch_first, total_length=T)
    valid = np.arange(T)[:, None] < np.array(lengths)[None, :]  # (T, B)
    if batch_first:
        valid = valid.T
    np.testing.assert_array_equal(out.data, np.where(valid[..., None], x, 0.0))
    np.testing.assert_array_equal(got.data, lengths)
    for seq, n, b in zip(unpack_sequence(packed), lengths, range(B)):
        np.testing.assert_array_equal(seq.data, x[b, :n] if batch_first else x[:n, b])


def test_unpad_sequence_cuts_each_column_at_its_length():
    padded = minidl.tensor([[1.0, 4], [2, 5], [3, 0]])
    a, b = unpad_sequence(padded, [3, 2])
    np.testing.assert_array_equal(a.data, [1, 2, 3])
    np.testing.assert_array_equal(b.data, [4, 5])


def test_gradient_through_pack_and_pad_is_one_on_real_steps_and_zero_on_filler():
    x = minidl.tensor(np.ones((3, 2, 1)), requires_grad=True)  # (T, B, 1), lengths 3, 1
    out, _ = pad_packed_sequence(pack_padded_sequence(x, [3, 1]))
    (out * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data[..., 0], [[2, 2], [2, 0], [2, 0]])


# ----- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "lengths, match",
    [
        ([1, 2], "not sorted longest first.*enforce_sorted=False"),
        ([2, 0], r"every length must be in \[1, 3\]"),
        ([4, 1], r"every length must be in \[1, 3\]"),
        ([2], "got 1 lengths for a batch of 2"),
    ],
)
def test_pack_padded_sequence_refuses_lengths_that_do_not_fit(lengths, match):
    with pytest.raises(ValueError, match=match):
        pack_padded_sequence(minidl.zeros(3, 2, 1), lengths)


def test_pack_padded_sequence_refuses_an_empty_batch():
    with pytest.raises(ValueError, match="the batch is empty"):
        pack_padded_sequence(minidl.zeros(3, 0, 1), [])


def test_pack_padded_sequence_refuses_float_lengths():
    with pytest.raises(TypeError, match="lengths must be a 1-D sequence of ints"):
        pack_padded_sequence(minidl.zeros(3, 2, 1), [2.5, 1.0])


def test_pad_sequence_refuses_an_empty_list_and_mismatched_sequences():
    with pytest.raises(ValueError, match="empty list"):
        pad_sequence([])
    with pytest.raises(ValueError, match=r"sequence 1 has shape \(2, 3\)"):
        pad_sequence([minidl.zeros(2, 2), minidl.zeros(2, 3)])
    with pytest.raises(ValueError, match="padding_side must be 'right' or 'left'"):
        pad_sequence([minidl.zeros(2)], padding_side="up")


def test_pad_sequence_of_mixed_dtypes_takes_sequence_0_s_where_promotion_agrees():
    # PyTorch writes every sequence into sequence 0's dtype; minidl follows where nothing is
    # lost (an int64 or bool sequence beside a float32 or int64 sequence 0)
    out = pad_sequence([minidl.tensor([1.5, 2.0]), minidl.tensor([1, 2, 3])])
    assert out.dtype == np.float32 and out.tolist() == [[1.5, 1.0], [2.0, 2.0], [0.0, 3.0]]
    out = pad_sequence([minidl.tensor([1, 2]), minidl.tensor([True])], batch_first=True)
    assert out.dtype == np.int64 and out.tolist() == [[1, 2], [1, 0]]
    a = minidl.tensor([1.0, 2.0], requires_grad=True)
    b = minidl.tensor([3.0], dtype=np.float16, requires_grad=True)
    (pad_sequence([a, b]) * minidl.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert a.grad.tolist() == [1.0, 3.0] and b.grad.tolist() == [2.0]
    assert b.grad.dtype == np.float16


@pytest.mark.parametrize(
    "first, second",
    [(np.int64, np.float32), (np.float32, np.float64), (np.int32, np.int64), (np.bool_, np.int64)],
)
def test_pad_sequence_refuses_mixed_dtypes_that_sequence_0_s_would_lose(first, second):
    # PyTorch's answer here truncates (1.5 -> 1), narrows or wraps, and depends on the order
    seqs = [minidl.tensor([1, 0], dtype=first), minidl.tensor([1, 0, 1], dtype=second)]
    with pytest.raises(TypeError, match=f"sequence 1 has dtype {np.dtype(second)} but sequence 0"):
        pad_sequence(seqs)


def test_pad_packed_sequence_refuses_a_total_length_below_the_longest():
    packed = pack_sequence([minidl.zeros(3), minidl.zeros(1)])
    with pytest.raises(
        ValueError, match="total_length must be an int at least the longest length 3"
    ):
        pad_packed_sequence(packed, total_length=2)


def test_lstm_layer_refuses_batch_sizes_that_are_not_a_packed_batch():
    x, h = minidl.zeros(3, 2, 1), minidl.zeros(2, 1)
    w_ih, w_hh, b = minidl.zeros(4, 1), minidl.zeros(4, 1), minidl.zeros(4)
    for sizes in [(2, 1), (2, 1, 2), (1, 1, 1), (2, 1, 0)]:
        with pytest.raises(ValueError, match="lstm: batch_sizes .* non-increasing"):
            LSTMLayer.apply(x, h, h, w_ih, w_hh, b, b, sizes)


def test_a_layer_refuses_packed_data_of_the_wrong_width():
    packed = pack_sequence([minidl.zeros(2, 3)])
    with pytest.raises(ValueError, match=r"LSTM: a PackedSequence's data must be .* E = 2"):
        nn.LSTM(2, 4)(packed)


# ----- layers on packed batches: each sequence as if alone -----------------------------


def _alone(layer, x_b, state_b):
    """``layer`` on one sequence x_b (L, E) as a batch of one, state (D·layers, H) or pair."""
    if state_b is None:
        out, h = layer(x_b.unsqueeze(1))
    elif isinstance(state_b, tuple):
        out, h = layer(x_b.unsqueeze(1), tuple(s.unsqueeze(1) for s in state_b))
    else:
        out, h = layer(x_b.unsqueeze(1), state_b.unsqueeze(1))
    return out.squeeze(1), h


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_a_packed_batch_gives_each_sequence_what_it_gives_alone(kind, bidirectional, with_state):
    minidl.manual_seed(0)
    layer = getattr(nn, kind)(2, 3, num_layers=2, bidirectional=bidirectional, dtype=np.float64)
    lengths = [2, 5, 1, 4]  # unsorted: the layer sorts, and puts the order back
    seqs = [minidl.tensor(s) for s in _seqs(lengths)]
    D = 2 if bidirectional else 1
    rng = np.random.default_rng(1)
    state = None
    if with_state:
        h0 = minidl.tensor(rng.standard_normal((2 * D, 4, 3)))
        c0 = minidl.tensor(rng.standard_normal((2 * D, 4, 3)))
        state = (h0, c0) if kind == "LSTM" else h0
    out, h = layer(pack_sequence(seqs, enforce_sorted=False), state)
    assert isinstance(out, PackedSequence)
    padded, got_lengths = pad_packed_sequence(out)
    np.testing.assert_array_equal(got_lengths.data, lengths)
    assert padded.shape == (5, 4, D * 3)
    for b, (x_b, n) in enumerate(zip(seqs, lengths)):
        state_b = None
        if with_state:
            state_b = tuple(s[:, b] for s in state) if kind == "LSTM" else state[:, b]
        out_b, h_b = _alone(layer, x_b, state_b)
        np.testing.assert_allclose(padded.data[:n, b], out_b.data, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(padded.data[n:, b], 0.0)  # filler after the end
        for got, alone in zip(h if kind == "LSTM" else (h,), h_b if kind == "LSTM" else (h_b,)):
            np.testing.assert_allclose(got.data[:, b], alone.data[:, 0], rtol=1e-12, atol=1e-12)


def test_packed_lstm_gradients_are_each_sequences_own():
    # d(loss)/dx over a packed batch = the gradient of each sequence run alone, and 0 on filler
    minidl.manual_seed(0)
    lstm = nn.LSTM(2, 3, dtype=np.float64)
    lengths = [3, 1, 2]
    x = minidl.tensor(np.random.default_rng(2).standard_normal((3, 3, 2)), requires_grad=True)
    out, (h, c) = lstm(pack_padded_sequence(x, lengths, enforce_sorted=False))
    (pad_packed_sequence(out)[0].sum() + h.sum() + 2 * c.sum()).backward()
    for b, n in enumerate(lengths):
        x_b = minidl.tensor(x.data[:n, b], requires_grad=True)
        out_b, (h_b, c_b) = lstm(x_b.unsqueeze(1))
        (out_b.sum() + h_b.sum() + 2 * c_b.sum()).backward()
        np.testing.assert_allclose(x.grad.data[:n, b], x_b.grad.data, rtol=1e-12, atol=1e-13)
        np.testing.assert_array_equal(x.grad.data[n:, b], 0.0)


def test_float32_packed_lstm_stays_float32():
    lstm = nn.LSTM(2, 3)
    packed = pack_sequence([minidl.ones(3, 2), minidl.ones(1, 2)])
    out, (h, c) = lstm(packed)
    assert out.data.dtype == h.dtype == c.dtype == np.float32


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_packed_layers_match_pytorch(kind):
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn as R

    rng = np.random.default_rng(3)
    for trial in range(8):
        bidirectional, batch_first = bool(trial % 2), bool(trial // 2 % 2)
        lengths = rng.integers(1, 6, 4)
        T = int(lengths.max()) + 1
        x = rng.standard_normal((4, T, 2) if batch_first else (T, 4, 2))
        kw = dict(num_layers=2, bidirectional=bidirectional, batch_first=batch_first)
        theirs = getattr(torch.nn, kind)(2, 3, dtype=torch.float64, **kw)
        mine = getattr(nn, kind)(2, 3, dtype=np.float64, **kw)
        mine.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
        xt, xm = torch.tensor(x, requires_grad=True), minidl.tensor(x, requires_grad=True)
        ot, st = theirs(
            R.pack_padded_sequence(xt, torch.tensor(lengths), batch_first, enforce_sorted=False)
        )
        om, sm = mine(pack_padded_sequence(xm, lengths, batch_first, enforce_sorted=False))
        ut, um = R.pad_packed_sequence(ot)[0], pad_packed_sequence(om)[0]
        np.testing.assert_allclose(um.data, ut.detach().numpy(), atol=1e-12)
        st, sm = (st, sm) if kind == "LSTM" else ((st,), (sm,))
        for a, b in zip(st, sm):
            np.testing.assert_allclose(b.data, a.detach().numpy(), atol=1e-12)
        (ut.sum() + sum(s.sum() for s in st)).backward()
        (um.sum() + sum(s.sum() for s in sm)).backward()
        np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), atol=1e-10)
        for (name, p), q in zip(theirs.named_parameters(), mine.parameters()):
            np.testing.assert_allclose(q.grad.data, p.grad.numpy(), atol=1e-10, err_msg=name)


@pytest.mark.parametrize(
    "dtype, value, error",
    [
        (np.int64, float("nan"), OverflowError),  # NumPy would store -2**63
        (np.int32, float("inf"), OverflowError),
        (np.int32, 1e10, OverflowError),
        (np.uint8, -1, OverflowError),  # NumPy: 255, or its own OverflowError text
        (np.uint8, 300, OverflowError),
        (np.float16, 1e10, OverflowError),  # NumPy: inf
        (np.float32, None, TypeError),  # NumPy: NaN
        (np.float32, "0", TypeError),
    ],
)
def test_a_padding_value_the_dtype_cannot_hold_is_refused(dtype, value, error):
    seqs = [minidl.tensor(np.array([3, 4], dtype)), minidl.tensor(np.array([3], dtype))]
    with pytest.raises(error, match="pad_sequence: padding_value"):
        pad_sequence(seqs, padding_value=value)
    packed = pack_sequence(seqs)
    with pytest.raises(error, match="pad_packed_sequence: padding_value"):
        pad_packed_sequence(packed, padding_value=value)


def test_a_padding_value_the_dtype_holds_is_stored_exactly():
    ints = [minidl.tensor([3, -4]), minidl.tensor([3])]
    assert pad_sequence(ints, padding_value=10**10).data[1, 1] == 10**10
    assert pad_sequence(ints, padding_value=-(2**63)).data[1, 1] == -(2**63)
    floats = [minidl.tensor([1.0, 2.0]), minidl.tensor([1.0])]
    assert np.isnan(pad_sequence(floats, padding_value=float("nan")).data[1, 1])
    assert pad_sequence(floats, padding_value=-np.inf).data[1, 1] == -np.inf
