"""Long short-term memory: ``LSTMCell`` (one step, primitive ops) and ``LSTM`` (fused layers).

Both follow PyTorch's layout: gates stacked in the order i, f, g, o in
``weight_ih`` (4H, E), ``weight_hh`` (4H, H) and the two biases (4H,), all
initialised U(−1/√H, 1/√H).  ``RNNCell`` / ``RNN`` (one block, tanh or relu) and
``GRUCell`` / ``GRU`` (gates r, z, n) share that layout and LSTM's options, each step
built from recorded ops.  The layers also take a ``PackedSequence`` (``nn.utils.rnn``).
"""

import math
import warnings

import numpy as np

from minidl import ops
from minidl.nn import init
from minidl.nn.activation import dropout
from minidl.nn.linear import linear
from minidl.nn.lstm_fused import LSTMLayer
from minidl.nn.module import Module, Parameter
from minidl.nn.utils.rnn import PackedSequence, _packed_rows, _padded_sorted
from minidl.ops.elementwise import as_tensor
from minidl.tensor import Tensor, check_bool, check_device, check_int, get_default_dtype, is_real

__all__ = ["LSTMCell", "LSTM", "RNNCell", "RNN", "GRUCell", "GRU"]


def _uniform_parameter(shape, bound, dtype):
    return init.uniform_(Parameter(np.empty(shape, dtype)), -bound, bound)


def _state_pair(layer, hx, names):
    """``hx`` unpacked into its two state tensors, or a TypeError saying what was passed.

    A single tensor would otherwise be unpacked row by row.
    """
    if not isinstance(hx, (tuple, list)) or len(hx) != 2:
        if isinstance(hx, Tensor):
            got = f"a Tensor of shape {hx.shape}"
        elif isinstance(hx, (tuple, list)):
            got = f"a {type(hx).__name__} of {len(hx)} items"
        else:
            got = type(hx).__name__
        raise TypeError(f"{layer}: the state must be a pair {names}, got {got}")
    return tuple(as_tensor(layer, s) for s in hx)


def _check_state_dtype(layer, name, s, x):
    """A float initial state of another dtype than the input is refused, as in PyTorch:
    otherwise an LSTM would compute in the input's dtype and an RNN in the wider one."""
    if s.dtype != x.dtype:
        raise TypeError(
            f"{layer}: {name} has dtype {s.dtype} but the input is {x.dtype}; "
            f"the input and the state must have the same dtype (e.g. {name}.to({x.dtype}))"
        )


def _as_float(x, weight):
    """``x`` itself if it is float, else its values in ``weight``'s float dtype.

    The dtype ``matmul`` gives (int64 @ float32 → float32), so ``LSTM`` agrees
    with ``LSTMCell``; NumPy's rule would switch the whole layer to float64.
    """
    if x.dtype.kind == "f":
        return x
    return Tensor._make(x.data.astype(weight.dtype))


class LSTMCell(Module):
    """One LSTM step from primitive ops — the readable reference for ``LSTM``.

        (a_i, a_f, a_g, a_o) = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
        i, f, o = σ(a_i), σ(a_f), σ(a_o);   g = tanh(a_g)
        c' = f ⊙ c + i ⊙ g;   h' = o ⊙ tanh(c')

    ``cell(x, (h, c))`` with x (B, E), h and c (B, H) — or x (E,), h and c (H,)
    (unbatched) — returns ``(h', c')``; a missing ``(h, c)`` means zeros.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        check_device("LSTMCell", device)
        self.input_size = check_int("LSTMCell", "input_size", input_size, 0)
        self.hidden_size = hidden_size = check_int("LSTMCell", "hidden_size", hidden_size, 1)
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        bound = 1.0 / math.sqrt(hidden_size)
        self.weight_ih = _uniform_parameter((4 * hidden_size, input_size), bound, dtype)
        self.weight_hh = _uniform_parameter((4 * hidden_size, hidden_size), bound, dtype)
        if bias:
            self.bias_ih = _uniform_parameter((4 * hidden_size,), bound, dtype)
            self.bias_hh = _uniform_parameter((4 * hidden_size,), bound, dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    def forward(self, x, hx=None):
        x = as_tensor("LSTMCell", x)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"LSTMCell: expected input of shape (B, {self.input_size}) or "
                f"({self.input_size},) (unbatched), got {x.shape}"
            )
        h, c = self._state(x, hx)
        a = x @ self.weight_ih.T + h @ self.weight_hh.T
        if self.bias_ih is not None:
            a = a + self.bias_ih + self.bias_hh
        a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)
        i, f, g, o = ops.sigmoid(a_i), ops.sigmoid(a_f), ops.tanh(a_g), ops.sigmoid(a_o)
        c_next = f * c + i * g
        h_next = o * ops.tanh(c_next)
        return h_next, c_next

    def _state(self, x, hx):
        """(h, c): zeros when ``hx`` is None, else ``hx`` checked to be (B, hidden_size),
        or (hidden_size,) for an unbatched x."""
        expected = (*x.shape[:-1], self.hidden_size)
        if hx is None:
            zeros = Tensor._make(np.zeros(expected, x.dtype))
            return zeros, zeros
        h, c = _state_pair("LSTMCell", hx, "(h, c)")
        if h.shape != expected or c.shape != expected:
            # (1, H) states would otherwise broadcast over the batch without a word
            raise ValueError(
                f"LSTMCell: (h, c) must both have shape {expected} for an "
                f"input of shape {x.shape}; got h {h.shape} and c {c.shape}"
            )
        return h, c

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        return s if self.bias_ih is not None else s + ", bias=False"


class _Stacked(Module):
    """What LSTM, RNN and GRU share: the options, their checks, and the parameters
    ``weight_ih_l{k}[_reverse]`` … of ``gates`` blocks of H rows each, in PyTorch's order."""

    gates = 4

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        *,  # torch's next positional is proj_size, which minidl lacks: say so, don't misread
        device=None,
        dtype=None,
    ):
        super().__init__()
        name = type(self).__name__
        check_device(name, device)  # PyTorch's device=: "cpu" is minidl's only device
        # as in PyTorch, whose LSTM (unlike its LSTMCell) refuses input_size=0
        input_size = check_int(name, "input_size", input_size, 1)
        hidden_size = check_int(name, "hidden_size", hidden_size, 1)
        num_layers = check_int(name, "num_layers", num_layers, 1)
        if not is_real(dropout) or not 0.0 <= dropout <= 1.0:
            raise ValueError(
                f"{name}: dropout must be a number in [0, 1] (the probability of zeroing an "
                f"element), got dropout={dropout!r}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                # the user's line: one frame more through RNN's or GRU's own __init__
                stacklevel=2 if type(self).__init__ is _Stacked.__init__ else 3,
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        # checked: 'no' would be truthy, and PyTorch refuses a non-bool batch_first
        self.batch_first = check_bool(name, "batch_first", batch_first)
        self.dropout = float(dropout)
        self.bidirectional = check_bool(name, "bidirectional", bidirectional)
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        bound = 1.0 / math.sqrt(hidden_size)
        H, G = hidden_size, self.gates * hidden_size
        for k in range(num_layers):
            fan_in = input_size if k == 0 else H * len(self._suffixes)
            # PyTorch's registration order: layer by layer, forward before reverse
            for sfx in self._suffixes:
                w_ih, w_hh = f"weight_ih_l{k}{sfx}", f"weight_hh_l{k}{sfx}"
                setattr(self, w_ih, _uniform_parameter((G, fan_in), bound, dtype))
                setattr(self, w_hh, _uniform_parameter((G, H), bound, dtype))
                if bias:
                    setattr(self, f"bias_ih_l{k}{sfx}", _uniform_parameter((G,), bound, dtype))
                    setattr(self, f"bias_hh_l{k}{sfx}", _uniform_parameter((G,), bound, dtype))

    @property
    def _suffixes(self):
        """The parameter-name suffix of each direction, forward first."""
        return ("", "_reverse") if self.bidirectional else ("",)

    def _layer_weights(self, k, sfx=""):
        w = (getattr(self, f"weight_ih_l{k}{sfx}"), getattr(self, f"weight_hh_l{k}{sfx}"))
        if self.bias:
            return w + (getattr(self, f"bias_ih_l{k}{sfx}"), getattr(self, f"bias_hh_l{k}{sfx}"))
        return w + (None, None)

    def forward(self, x, hx=None):
        if isinstance(x, PackedSequence):
            return self._forward_packed(x, hx)
        x, batched, in_shape = self._time_major(x)
        state = self._initial_state(hx, batched, in_shape, x)
        out, state = self._layers(x, state, None)
        if not batched:
            return out.squeeze(1), self._state_result([s.squeeze(1) for s in state])
        return self._batch_layout(out), self._state_result(state)

    def _forward_packed(self, packed, hx):
        """A PackedSequence in, one out (the same batch_sizes and order); each sequence
        runs for its own length, and h_n holds its state after its last real step."""
        name = type(self).__name__
        x, lengths, sizes = _padded_sorted(packed, name)
        if x.ndim != 3 or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{name}: a PackedSequence's data must be (Σ lengths, E) with "
                f"E = {self.input_size}, got shape {packed.data.shape}"
            )
        x = _as_float(x, self.weight_ih_l0)
        state = self._initial_state(hx, True, f"{tuple(x.shape)} (padded from packed)", x)
        if packed.sorted_indices is not None:  # the states, in the packed (longest first) order
            state = [s[:, packed.sorted_indices] for s in state]
        out, state = self._layers(x, state, (tuple(sizes.tolist()), lengths))
        steps, rows = _packed_rows(sizes)
        data = out[Tensor._make(steps), Tensor._make(rows)]
        if packed.unsorted_indices is not None:
            state = [s[:, packed.unsorted_indices] for s in state]
        result = PackedSequence(
            data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices
        )
        return result, self._state_result(state)

    def _time_major(self, x):
        """``(x, batched, shape)``: x checked and as a time-major float (T, B, E) sequence
        (B = 1 for an unbatched (T, E) input), whether it was batched, its shape as given."""
        name = type(self).__name__
        x = as_tensor(name, x)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{name}: expected a 2-D (T, E) or 3-D {self._layout()} input with "
                f"E = {self.input_size}, got shape {x.shape}"
            )
        batched, in_shape = x.ndim == 3, x.shape
        if not batched:
            x = x.unsqueeze(1)  # (T, 1, E): time-major whatever batch_first says
        elif self.batch_first:
            x = x.transpose(0, 1)
        if x.shape[0] == 0:
            raise ValueError(f"{name}: the input sequence is empty (length 0)")
        return _as_float(x, self.weight_ih_l0), batched, in_shape

    def _layout(self):
        return "(B, T, E)" if self.batch_first else "(T, B, E)"

    def _kind(self, batched):
        return f"3-D {self._layout()}" if batched else "2-D (T, E) (unbatched)"

    def _state_shape(self, batched, B):
        """The shape an initial state must have, and its name for messages."""
        layers = "2 * num_layers" if self.bidirectional else "num_layers"
        n = len(self._suffixes) * self.num_layers
        if batched:
            return (n, B, self.hidden_size), f"({layers}, B, H)"
        return (n, self.hidden_size), f"({layers}, H)"

    def _batch_layout(self, out):
        """The (T, B, ·) output sequence in the input's layout (batch first if asked)."""
        return out.transpose(0, 1) if self.batch_first else out

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class LSTM(_Stacked):
    """A stack of ``num_layers`` LSTM layers; layer k's output is layer k+1's input.

    ``lstm(x, (h0, c0))``: x (T, B, E) — or (B, T, E) with ``batch_first=True`` —
    returns ``output, (h_n, c_n)``: output (T, B, H) (the last layer's h_t for
    every t; (B, T, H) with ``batch_first``), h_n and c_n (num_layers, B, H)
    (every layer's last state).  A missing ``(h0, c0)`` means zeros.
    An unbatched x (T, E) — with either ``batch_first`` — takes h0, c0 of shape
    (num_layers, H) and returns output (T, H) and h_n, c_n (num_layers, H).
    An integer x (or h0, c0) is computed in the weights' float dtype, the dtype
    ``LSTMCell`` gets from ``matmul``'s promotion.
    Parameters ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` as in PyTorch.  Each layer runs as one fused
    :class:`LSTMLayer` (hand-written backpropagation through time).

    ``dropout=p``: while ``training``, the output sequence of every layer but the
    last, i.e. the (T, B, H) input of layers 1 … num_layers − 1, goes through
    dropout (each element zeroed with probability p, the rest scaled by
    1/(1 − p)), drawn from minidl's generator.  The returned output and h_n, c_n
    are never dropped; after ``eval()`` nothing is.  With ``num_layers=1`` it has
    no effect (a warning says so), as in PyTorch.

    ``bidirectional=True``: every layer k also runs a reverse direction, with its
    own ``weight_ih_l{k}_reverse`` … , over the time-reversed sequence:

        →h_t = LSTM(x_t, →h_{t−1}),   ←h_t = LSTM_reverse(x_t, ←h_{t+1}),   t = 1 … T
        output_t = [→h_t, ←h_t]                                         (2H,)

    so the output is (T, B, 2H) (layers k > 0 take 2H inputs), and h0, c0, h_n,
    c_n are (2·num_layers, B, H), ordered layer 0 forward, layer 0 reverse,
    layer 1 forward, …; ←h_n is ←h_1, the reverse direction's last step.  The
    reverse direction is the same :class:`LSTMLayer` on ``x[::-1]``, its output
    flipped back.

    A :class:`~minidl.nn.utils.rnn.PackedSequence` x (sentences of different
    lengths, from ``nn.utils.rnn.pack_padded_sequence``) gives a PackedSequence
    output, as in PyTorch: each sequence runs for its own length L_b, so h_n, c_n
    hold its state after step L_b (not after the filler), and the reverse
    direction starts at its step L_b.  h0, c0 and h_n, c_n are in the batch's
    original order.
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        *,
        device=None,
        dtype=None,
    ):
        # its own signature, so that an error about the arguments names LSTM, not _Stacked
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )

    def _initial_state(self, hx, batched, in_shape, x):
        """[h0, c0], each (D·num_layers, B, H): zeros, or ``hx`` checked."""
        expected, names = self._state_shape(batched, x.shape[1])
        if hx is None:
            zeros = np.zeros((expected[0], x.shape[1], self.hidden_size), x.dtype)
            return [zeros, zeros]
        h0, c0 = _state_pair("LSTM", hx, "(h0, c0)")
        h0, c0 = _as_float(h0, self.weight_ih_l0), _as_float(c0, self.weight_ih_l0)
        if h0.ndim != len(expected) or c0.ndim != len(expected):
            raise ValueError(
                f"LSTM: for a {self._kind(batched)} input of shape {in_shape}, "
                f"h0 and c0 must be {len(expected)}-D {names} = {expected}; "
                f"got h0 {h0.shape}, c0 {c0.shape}"
            )
        for name, s in (("h0", h0), ("c0", c0)):
            if tuple(s.shape) != expected:
                raise ValueError(
                    f"LSTM: {name} has shape {tuple(s.shape)}, expected {names} = {expected}"
                )
            _check_state_dtype("LSTM", name, s, x)
        return [h0, c0] if batched else [h0.unsqueeze(1), c0.unsqueeze(1)]

    def _layers(self, x, state, packing):
        """Every layer over x (T, B, E): (output (T, B, D·H), [h_n, c_n]).  ``packing``:
        None, or (batch_sizes, lengths) of a packed batch (see ``LSTMLayer``)."""
        h0, c0 = state
        D = len(self._suffixes)
        sizes, lengths = packing or (None, None)
        hs, cs = [], []
        for k in range(self.num_layers):
            if k > 0:  # the identity unless training with dropout > 0
                x = dropout(x, self.dropout, self.training)
            outs = []
            for d, sfx in enumerate(self._suffixes):
                j = D * k + d
                # the reverse direction: the same layer on the sequence reversed in time
                seq = x if d == 0 else _reverse_time(x, lengths)
                out, h_j, c_j = LSTMLayer.apply(
                    seq, h0[j], c0[j], *self._layer_weights(k, sfx), sizes
                )
                outs.append(out if d == 0 else _reverse_time(out, lengths))  # step t at t
                hs.append(h_j)
                cs.append(c_j)
            x = outs[0] if D == 1 else ops.cat(outs, dim=2)
        return x, [ops.stack(hs), ops.stack(cs)]

    def _state_result(self, state):
        return tuple(state)  # (h_n, c_n)


def _reverse_time(x, lengths):
    """x (T, B, ·) with each sequence reversed in time: x[::-1], or with ``lengths``
    sequence b's steps 0 … L_b − 1 reversed and the filler after them left in place."""
    if lengths is None:
        return x[::-1]
    T, B = x.shape[0], x.shape[1]
    t = np.arange(T)[:, None]
    steps = np.where(t < lengths, lengths - 1 - t, t)
    return x[Tensor._make(steps), Tensor._make(np.arange(B))]


# ---------------------------------------------------------------------------------------
# Elman RNN and GRU: one step from recorded ops (linear, tanh, sigmoid, …), so their
# gradients are those of already-gradchecked ops; the layers loop the same step over time.


def _rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity):
    """h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh),  act = tanh or relu."""
    a = linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)
    return ops.tanh(a) if nonlinearity == "tanh" else ops.relu(a)


def _gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """PyTorch's GRU step, gates stacked r, z, n:

    r = σ(W_ir x + b_ir + W_hr h + b_hr),   z = σ(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    h' = (1 − z) ⊙ n + z ⊙ h
    """
    x_r, x_z, x_n = linear(x, w_ih, b_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = ops.sigmoid(x_r + h_r)
    z = ops.sigmoid(x_z + h_z)
    n = ops.tanh(x_n + r * h_n)  # r gates W_hn h + b_hn, bias included (PyTorch, not the paper)
    return (1 - z) * n + z * h


def _check_nonlinearity(layer, nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(
            f"{layer}: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'"
        )
    return nonlinearity


def _single_state(layer, hx, name):
    """``hx`` as one Tensor; a pair (an LSTM's (h, c)) is a TypeError saying so."""
    if isinstance(hx, (tuple, list)):
        raise TypeError(
            f"{layer}: the state is one tensor {name}, not a {type(hx).__name__} of "
            f"{len(hx)} items (only an LSTM takes a pair (h, c))"
        )
    return as_tensor(layer, hx)


class _Cell(Module):
    """A one-step layer with ``gates`` blocks of H rows in ``weight_ih`` (gates·H, E),
    ``weight_hh`` (gates·H, H) and the biases (gates·H,), all U(−1/√H, 1/√H)."""

    gates = 1

    def __init__(self, input_size, hidden_size, bias, device, dtype):
        super().__init__()
        name = type(self).__name__
        check_device(name, device)
        self.input_size = check_int(name, "input_size", input_size, 0)
        self.hidden_size = hidden_size = check_int(name, "hidden_size", hidden_size, 1)
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        bound = 1.0 / math.sqrt(hidden_size)
        G = self.gates * hidden_size
        self.weight_ih = _uniform_parameter((G, input_size), bound, dtype)
        self.weight_hh = _uniform_parameter((G, hidden_size), bound, dtype)
        if bias:
            self.bias_ih = _uniform_parameter((G,), bound, dtype)
            self.bias_hh = _uniform_parameter((G,), bound, dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    def forward(self, x, hx=None):
        name = type(self).__name__
        x = as_tensor(name, x)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{name}: expected input of shape (B, {self.input_size}) or "
                f"({self.input_size},) (unbatched), got {x.shape}"
            )
        expected = (*x.shape[:-1], self.hidden_size)
        if hx is None:
            h = Tensor._make(np.zeros(expected, x.dtype))
        else:
            h = _single_state(name, hx, "h")
            if h.shape != expected:
                # a (1, H) state would otherwise broadcast over the batch without a word
                raise ValueError(
                    f"{name}: h must have shape {expected} for an input of shape {x.shape}, "
                    f"got {h.shape}"
                )
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return self._step(x, h, *weights)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        return s if self.bias_ih is not None else s + ", bias=False"


class _Elman:
    """The Elman step of :class:`RNNCell` and :class:`RNN`, and its ``nonlinearity`` in the repr."""

    def _step(self, x, h, *weights):
        return _rnn_step(x, h, *weights, self.nonlinearity)

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity!r}"


class RNNCell(_Elman, _Cell):
    """One Elman RNN step: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu).

    ``cell(x, h)`` with x (B, E) and h (B, H) — or x (E,) and h (H,) — returns h';
    a missing h means zeros.  Parameters as PyTorch's: ``weight_ih`` (H, E),
    ``weight_hh`` (H, H), ``bias_ih`` and ``bias_hh`` (H,).
    """

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = _check_nonlinearity("RNNCell", nonlinearity)


class GRUCell(_Cell):
    """One GRU step (gates r, z, n stacked in that order, as PyTorch)::

        r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr),   z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
        n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn));   h' = (1 − z) ⊙ n + z ⊙ h

    ``cell(x, h)`` with x (B, E) and h (B, H) — or x (E,) and h (H,) — returns h';
    a missing h means zeros.  ``weight_ih`` (3H, E), ``weight_hh`` (3H, H), biases (3H,).
    """

    gates = 3

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def _step(self, x, h, *weights):
        return _gru_step(x, h, *weights)


class _Recurrent(_Stacked):
    """The layers of :class:`RNN` and :class:`GRU`: LSTM's options, names and checks,
    with one state tensor h and a step from recorded ops in place of LSTM's fused layer."""

    gates = 1

    def _initial_state(self, hx, batched, in_shape, x):
        """[h0], (D·num_layers, B, H): zeros, or ``hx`` checked."""
        name = type(self).__name__
        expected, names = self._state_shape(batched, x.shape[1])
        if hx is None:
            return [Tensor._make(np.zeros((expected[0], x.shape[1], self.hidden_size), x.dtype))]
        h0 = _as_float(_single_state(name, hx, "h0"), self.weight_ih_l0)
        if tuple(h0.shape) != expected:
            raise ValueError(
                f"{name}: for a {self._kind(batched)} input of shape {in_shape}, h0 must be "
                f"{len(expected)}-D {names} = {expected}; got {tuple(h0.shape)}"
            )
        _check_state_dtype(name, "h0", h0, x)
        return [h0 if batched else h0.unsqueeze(1)]

    def _layers(self, x, state, packing):
        """Every layer over x (T, B, E): (output (T, B, D·H), [h_n]).  With ``packing``
        (batch_sizes, lengths), step t runs on the n_t sequences still going."""
        (h0,) = state
        T, B, _ = x.shape
        D = len(self._suffixes)
        sizes, lengths = packing or ((B,) * T, None)
        hs = []
        for k in range(self.num_layers):
            if k > 0:  # the identity unless training with dropout > 0
                x = dropout(x, self.dropout, self.training)
            outs = []
            for d, sfx in enumerate(self._suffixes):
                weights = self._layer_weights(k, sfx)
                h = h0[D * k + d]
                seq = [None] * T
                if lengths is None:
                    # the reverse direction runs from t = T back to 1; its h_t stays at t
                    xs = x
                    order = range(T) if d == 0 else reversed(range(T))
                else:  # packed: the reverse direction runs on each sequence reversed
                    xs = x if d == 0 else _reverse_time(x, lengths)
                    order = range(T)
                xs = [x_t.squeeze(0) for x_t in xs.split(1, dim=0)]
                for t in order:
                    n = sizes[t]
                    if n == B:
                        h = seq[t] = self._step(xs[t], h, *weights)
                        continue
                    # sequences n … B−1 have ended: their h stays, their output is 0
                    h_new = self._step(xs[t][:n], h[:n], *weights)
                    filler = Tensor._make(np.zeros((B - n, self.hidden_size), h_new.dtype))
                    seq[t] = ops.cat([h_new, filler])
                    h = ops.cat([h_new, h[n:]])
                out = ops.stack(seq)
                outs.append(out if lengths is None or d == 0 else _reverse_time(out, lengths))
                hs.append(h)
            x = outs[0] if D == 1 else ops.cat(outs, dim=2)
        return x, [ops.stack(hs)]

    def _state_result(self, state):
        return state[0]  # h_n


class RNN(_Elman, _Recurrent):
    """A stack of ``num_layers`` Elman RNN layers; layer k's h_t is layer k+1's x_t::

        h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)      (relu if nonlinearity="relu")

    ``rnn(x, h0)``: x (T, B, E) — or (B, T, E) with ``batch_first=True``, or (T, E)
    unbatched — returns ``output, h_n``: output (T, B, D·H) (the last layer's h_t for
    every t), h_n (D·num_layers, B, H) (every layer's last state); D = 2 if
    ``bidirectional`` else 1, the reverse direction running from t = T down to 1 as
    LSTM's does.  A missing h0 means zeros.  ``dropout``, ``bias`` and the parameter
    names ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``
    (``…_reverse``) are as in :class:`LSTM` and PyTorch; the weights are (H, E) and (H, H).
    Each step is :class:`RNNCell`'s, from recorded ops (no fused layer).  A
    PackedSequence input runs each sequence for its own length, as :class:`LSTM`.
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        *,
        device=None,
        dtype=None,
    ):
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = _check_nonlinearity("RNN", nonlinearity)


class GRU(_Recurrent):
    """A stack of ``num_layers`` GRU layers, each step :class:`GRUCell`'s (gates r, z, n).

    Inputs, outputs, options and parameter names as :class:`RNN`'s (``gru(x, h0)``
    returns ``output, h_n``), with ``weight_ih_l{k}`` (3H, E), ``weight_hh_l{k}``
    (3H, H) and biases (3H,), as in PyTorch.
    """

    gates = 3

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        *,
        device=None,
        dtype=None,
    ):
        # its own signature, so that an error about the arguments names GRU, not _Stacked
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )

    def _step(self, x, h, *weights):
        return _gru_step(x, h, *weights)
