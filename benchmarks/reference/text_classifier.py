"""W1 by hand: Embedding → LSTM → last hidden state → Linear → cross-entropy → Adam.

Shapes: tokens (T, B) int, x = E[tokens] (T, B, D), gates a_t (B, 4H) in the
order i, f, g, o (PyTorch's), h_t and c_t (B, H), logits (B, C).

Forward, for t = 1..T (h_0 = c_0 = 0)::

    a_t = x_t W_ihᵀ + b_ih + b_hh + h_{t-1} W_hhᵀ
    i, f, o = σ(a_i), σ(a_f), σ(a_o);  g = tanh(a_g)
    c_t = f ⊙ c_{t-1} + i ⊙ g;        h_t = o ⊙ tanh(c_t)
    logits = h_T W_fcᵀ + b_fc;        L = mean_b(logsumexp(logits_b) − logits_b[y_b])

Backward through time, from dlogits = (softmax(logits) − onehot(y)) / B::

    dh_T = dlogits W_fc;  dc = 0;  then for t = T..1:
    dc += dh ⊙ o ⊙ (1 − tanh²(c_t))
    da_o = dh ⊙ tanh(c_t) ⊙ o(1 − o);   da_i = dc ⊙ g ⊙ i(1 − i)
    da_f = dc ⊙ c_{t-1} ⊙ f(1 − f);     da_g = dc ⊙ i ⊙ (1 − g²)
    dh = da_t W_hh;                      dc = dc ⊙ f
    dh, dc: entries below tiny/eps (~1e-31 in float32) set to 0   (no subnormals)
    dW_ih = Σ_t da_tᵀ x_t,  dW_hh = Σ_t da_tᵀ h_{t-1},  db = Σ_t Σ_b da_t  (one GEMM each)
    dE[tokens] += da W_ih                (rows of repeated tokens add up)

Adam (PyTorch's, = minidl ``Adam(correct_v=True)``), t counted from 1::

    m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
    θ ← θ − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
"""

import math

import numpy as np

from benchmarks.reference.losses import cross_entropy

PARAM_NAMES = (
    "embedding.weight",
    "lstm.weight_ih_l0",
    "lstm.weight_hh_l0",
    "lstm.bias_ih_l0",
    "lstm.bias_hh_l0",
    "fc.weight",
    "fc.bias",
)


class TextClassifierNumpy:
    """One training step of the document's TextClassifier, forward/backward/Adam by hand.

    ``params`` maps PyTorch's state-dict names to arrays (copied); all math runs
    in their dtype.  ``forward_backward`` fills ``grads``; ``adam_step`` updates.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = {k: np.array(params[k], copy=True, order="C") for k in PARAM_NAMES}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.m = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.scratch = {k: np.empty_like(v) for k, v in self.params.items()}
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.t = 0
        self.dtype = self.params["fc.weight"].dtype
        self.vocab, self.dim = self.params["embedding.weight"].shape
        self.hidden = self.params["lstm.weight_hh_l0"].shape[1]
        h = self.hidden
        # σ(x) = ½ tanh(x/2) + ½: one tanh over the whole gate row, then a per-column
        # affine map (scale ½ and shift ½ on the i, f, o columns; 1 and 0 on g)
        self.pre_scale = np.full(4 * h, 0.5, self.dtype)
        self.pre_scale[2 * h : 3 * h] = 1
        self.post_shift = np.full(4 * h, 0.5, self.dtype)
        self.post_shift[2 * h : 3 * h] = 0
        self.column_offsets = np.arange(self.dim)
        self.shape = None

    def _buffers(self, steps, batch):
        # workspaces for one (T, B): reused by every step of that shape
        if self.shape == (steps, batch):
            return
        self.shape = (steps, batch)
        dt, d, h = self.dtype, self.dim, self.hidden
        self.x = np.empty((steps, batch, d), dt)
        self.gates = np.empty((steps, batch, 4 * h), dt)  # pre-activations, then activations
        self.dgates = np.empty((steps, batch, 4 * h), dt)
        self.h = np.zeros((steps + 1, batch, h), dt)  # h[0] = h_0 = 0
        self.c = np.zeros((steps + 1, batch, h), dt)
        self.tanh_c = np.empty((steps, batch, h), dt)
        self.rec = np.empty((batch, 4 * h), dt)
        self.tmp = np.empty((batch, h), dt)
        self.tmp2 = np.empty((batch, h), dt)
        self.state = np.empty((2, batch, h), dt)  # (dh, dc): flushed together
        self.magnitude = np.empty((2, batch, h), dt)
        self.flush = np.empty((2, batch, h), bool)
        self.dx = np.empty((steps * batch, d), dt)

    def forward_backward(self, tokens, labels):
        """Loss of the batch (a Python float); fills ``self.grads``."""
        p, gr = self.params, self.grads
        steps, batch = tokens.shape
        self._buffers(steps, batch)
        h_, n = self.hidden, steps * batch
        w_ih, w_hh = p["lstm.weight_ih_l0"], p["lstm.weight_hh_l0"]
        x, gates, hs, cs, tanh_c = self.x, self.gates, self.h, self.c, self.tanh_c
        rec, tmp = self.rec, self.tmp

        # ---- forward: one input projection for all T steps, then the recurrence
        np.take(p["embedding.weight"], tokens, axis=0, out=x)
        flat_gates = gates.reshape(n, 4 * h_)
        np.matmul(x.reshape(n, self.dim), w_ih.T, out=flat_gates)
        flat_gates += p["lstm.bias_ih_l0"] + p["lstm.bias_hh_l0"]
        for t in range(steps):
            a = gates[t]
            np.matmul(hs[t], w_hh.T, out=rec)
            a += rec
            a *= self.pre_scale
            np.tanh(a, out=a)
            a *= self.pre_scale
            a += self.post_shift
            i, f, g, o = a[:, :h_], a[:, h_ : 2 * h_], a[:, 2 * h_ : 3 * h_], a[:, 3 * h_ :]
            np.multiply(f, cs[t], out=cs[t + 1])
            np.multiply(i, g, out=tmp)
            cs[t + 1] += tmp
            np.tanh(cs[t + 1], out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=hs[t + 1])

        h_last = hs[steps]
        w_fc = p["fc.weight"]
        logits = h_last @ w_fc.T
        logits += p["fc.bias"]
        loss, probs = cross_entropy(logits, labels)  # probs: now dL/dlogits

        # ---- backward
        np.matmul(probs.T, h_last, out=gr["fc.weight"])
        np.sum(probs, axis=0, out=gr["fc.bias"])
        dh, dc = state = self.state
        tmp2 = self.tmp2
        np.matmul(probs, w_fc, out=dh)
        dc.fill(0)
        # below this, dh and dc are flushed to 0: a product of one of them with a
        # gate factor would be subnormal, and subnormals make NumPy and BLAS ~100x slower
        tiny = np.finfo(self.dtype).tiny / np.finfo(self.dtype).eps
        for t in range(steps - 1, -1, -1):
            a, da = gates[t], self.dgates[t]
            i, f, g, o = a[:, :h_], a[:, h_ : 2 * h_], a[:, 2 * h_ : 3 * h_], a[:, 3 * h_ :]
            da_i, da_f = da[:, :h_], da[:, h_ : 2 * h_]
            da_g, da_o = da[:, 2 * h_ : 3 * h_], da[:, 3 * h_ :]
            tc = tanh_c[t]
            # dc += dh ⊙ o ⊙ (1 − tanh²(c_t))
            np.multiply(tc, tc, out=tmp)
            np.subtract(1, tmp, out=tmp)
            tmp *= o
            tmp *= dh
            dc += tmp
            # da_o = dh ⊙ tanh(c_t) ⊙ o(1 − o)
            np.subtract(1, o, out=tmp)
            tmp *= o
            np.multiply(dh, tc, out=da_o)
            da_o *= tmp
            # da_i = dc ⊙ g ⊙ i(1 − i)
            np.subtract(1, i, out=tmp)
            tmp *= i
            np.multiply(dc, g, out=da_i)
            da_i *= tmp
            # da_f = dc ⊙ c_{t-1} ⊙ f(1 − f)
            np.subtract(1, f, out=tmp)
            tmp *= f
            np.multiply(dc, cs[t], out=da_f)
            da_f *= tmp
            # da_g = dc ⊙ i ⊙ (1 − g²)
            np.multiply(g, g, out=tmp2)
            np.subtract(1, tmp2, out=tmp2)
            np.multiply(dc, i, out=da_g)
            da_g *= tmp2
            dc *= f
            np.matmul(da, w_hh, out=dh)
            np.abs(state, out=self.magnitude)
            np.less(self.magnitude, tiny, out=self.flush)
            np.copyto(state, 0, where=self.flush)

        flat_dgates = self.dgates.reshape(n, 4 * h_)
        np.matmul(flat_dgates.T, x.reshape(n, self.dim), out=gr["lstm.weight_ih_l0"])
        # h_0 = 0 adds nothing to dW_hh: sum over t = 2..T only
        np.matmul(
            flat_dgates[batch:].T, hs[1:steps].reshape(n - batch, h_), out=gr["lstm.weight_hh_l0"]
        )
        np.sum(flat_dgates, axis=0, out=gr["lstm.bias_ih_l0"])
        gr["lstm.bias_hh_l0"][...] = gr["lstm.bias_ih_l0"]
        np.matmul(flat_dgates, w_ih, out=self.dx)
        # scatter-add the rows of dx into dE: np.add.at on a flat index is several
        # times faster than on (row, :) pairs
        de = gr["embedding.weight"]
        de.fill(0)
        flat_index = (tokens.reshape(n, 1) * self.dim + self.column_offsets).reshape(-1)
        np.add.at(de.reshape(-1), flat_index, self.dx.reshape(-1))
        return loss

    def adam_step(self):
        """One Adam update of every parameter from ``self.grads``, in place."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1 - b1**self.t)
        inv_sqrt_bc2 = 1 / math.sqrt(1 - b2**self.t)
        for k, p in self.params.items():
            g, m, v, s = self.grads[k], self.m[k], self.v[k], self.scratch[k]
            m *= b1
            np.multiply(g, 1 - b1, out=s)
            m += s
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)
            s *= inv_sqrt_bc2
            s += self.eps
            np.divide(m, s, out=s)
            s *= -step_size
            p += s

    def step(self, tokens, labels):
        """forward, backward and Adam; returns the loss (before the update)."""
        loss = self.forward_backward(tokens, labels)
        self.adam_step()
        return loss
