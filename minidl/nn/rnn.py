"""Long short-term memory: ``LSTMCell`` (one step, primitive ops) and ``LSTM`` (fused layers).

Both follow PyTorch's layout: gates stacked in the order i, f, g, o in
``weight_ih`` (4H, E), ``weight_hh`` (4H, H) and the two biases (4H,), all
initialised U(−1/√H, 1/√H).
"""

import math

import numpy as np

from minidl import ops
from minidl.nn import init
from minidl.nn.lstm_fused import LSTMLayer
from minidl.nn.module import Module, Parameter
from minidl.ops.elementwise import as_tensor
from minidl.tensor import Tensor, get_default_dtype

__all__ = ["LSTMCell", "LSTM"]


def _uniform_parameter(shape, bound, dtype):
    return init.uniform_(Parameter(np.empty(shape, dtype)), -bound, bound)


class LSTMCell(Module):
    """One LSTM step from primitive ops — the readable reference for ``LSTM``.

        (a_i, a_f, a_g, a_o) = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
        i, f, o = σ(a_i), σ(a_f), σ(a_o);   g = tanh(a_g)
        c' = f ⊙ c + i ⊙ g;   h' = o ⊙ tanh(c')

    ``cell(x, (h, c))`` with x (B, E), h and c (B, H) returns ``(h', c')``;
    a missing ``(h, c)`` means zeros.
    """

    def __init__(self, input_size, hidden_size, bias=True, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
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
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(
                f"LSTMCell: expected input of shape (B, {self.input_size}), got {x.shape}"
            )
        if hx is None:
            zeros = Tensor._make(np.zeros((x.shape[0], self.hidden_size), x.dtype))
            hx = (zeros, zeros)
        h, c = hx
        a = x @ self.weight_ih.T + h @ self.weight_hh.T
        if self.bias_ih is not None:
            a = a + self.bias_ih + self.bias_hh
        a_i, a_f, a_g, a_o = a.chunk(4, dim=1)
        i, f, g, o = ops.sigmoid(a_i), ops.sigmoid(a_f), ops.tanh(a_g), ops.sigmoid(a_o)
        c_next = f * c + i * g
        h_next = o * ops.tanh(c_next)
        return h_next, c_next

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        return s if self.bias_ih is not None else s + ", bias=False"


class LSTM(Module):
    """A stack of ``num_layers`` LSTM layers; layer k's output is layer k+1's input.

    ``lstm(x, (h0, c0))``: x (T, B, E) — or (B, T, E) with ``batch_first=True`` —
    returns ``output, (h_n, c_n)``: output (T, B, H) (the last layer's h_t for
    every t; (B, T, H) with ``batch_first``), h_n and c_n (num_layers, B, H)
    (every layer's last state).  A missing ``(h0, c0)`` means zeros.
    Parameters ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` as in PyTorch.  Each layer runs as one fused
    :class:`LSTMLayer` (hand-written backpropagation through time).
    Dropout between layers is not implemented: ``dropout`` must be 0.
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        dtype=None,
    ):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"LSTM: num_layers must be >= 1, got {num_layers}")
        if dropout != 0.0:
            raise ValueError(
                f"LSTM: dropout between layers is not implemented (got dropout={dropout}); "
                "apply nn.Dropout to the output instead"
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        bound = 1.0 / math.sqrt(hidden_size)
        H = hidden_size
        for k in range(num_layers):
            fan_in = input_size if k == 0 else H
            setattr(self, f"weight_ih_l{k}", _uniform_parameter((4 * H, fan_in), bound, dtype))
            setattr(self, f"weight_hh_l{k}", _uniform_parameter((4 * H, H), bound, dtype))
            if bias:
                setattr(self, f"bias_ih_l{k}", _uniform_parameter((4 * H,), bound, dtype))
                setattr(self, f"bias_hh_l{k}", _uniform_parameter((4 * H,), bound, dtype))

    def _layer_weights(self, k):
        w = (getattr(self, f"weight_ih_l{k}"), getattr(self, f"weight_hh_l{k}"))
        if self.bias:
            return w + (getattr(self, f"bias_ih_l{k}"), getattr(self, f"bias_hh_l{k}"))
        return w + (None, None)

    def forward(self, x, hx=None):
        x = as_tensor("LSTM", x)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            layout = "(B, T, E)" if self.batch_first else "(T, B, E)"
            raise ValueError(
                f"LSTM: expected input of shape {layout} with E = {self.input_size}, got {x.shape}"
            )
        if self.batch_first:
            x = x.transpose(0, 1)
        T, B, _ = x.shape
        if T == 0:
            raise ValueError("LSTM: the input sequence is empty (length 0)")
        state_shape = (self.num_layers, B, self.hidden_size)
        if hx is None:
            zeros = np.zeros(state_shape, x.dtype)
            h0, c0 = zeros, zeros
        else:
            h0, c0 = hx
            for name, s in (("h0", h0), ("c0", c0)):
                if tuple(s.shape) != state_shape:
                    raise ValueError(
                        f"LSTM: {name} has shape {tuple(s.shape)}, expected "
                        f"(num_layers, B, H) = {state_shape}"
                    )
        hs, cs = [], []
        for k in range(self.num_layers):
            x, h_k, c_k = LSTMLayer.apply(x, h0[k], c0[k], *self._layer_weights(k))
            hs.append(h_k)
            cs.append(c_k)
        if self.batch_first:
            x = x.transpose(0, 1)
        return x, (ops.stack(hs), ops.stack(cs))

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        return s
