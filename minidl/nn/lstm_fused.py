"""One LSTM layer over a whole sequence as one Function, with hand-written BPTT.

``LSTMCell`` (rnn.py) builds the same step from primitive ops and is the
readable reference; this Function computes exactly that, but records one
graph node per layer instead of ~20 per time step, and does the work in
large matrix products and preallocated buffers.
"""

import numpy as np

from minidl.autograd import Function, op_error

__all__ = ["LSTMLayer"]


def _sigmoid_(a):
    # σ(a) = (1 + tanh(a/2)) / 2: never overflows, unlike 1 / (1 + e^(−a)) for a << 0
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


class LSTMLayer(Function):
    """One LSTM layer: x (T, B, E), h₀ (B, H), c₀ (B, H) -> output (T, B, H), h_T, c_T (B, H).

    Weights W_ih (4H, E), W_hh (4H, H), b_ih, b_hh (4H,), gates in the order i, f, g, o.

    Forward, for t = 1 … T:

        a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh        = (a_i, a_f, a_g, a_o)
        i = σ(a_i),  f = σ(a_f),  g = tanh(a_g),  o = σ(a_o)
        c_t = f ⊙ c_{t−1} + i ⊙ g
        h_t = o ⊙ tanh(c_t)                                  (output_t = h_t)

    The input part W_ih x_t + b is one (T·B, E) @ (E, 4H) product for all steps.

    Backward through time, t = T … 1, with δh, δc the gradients reaching h_t, c_t
    (starting from the gradients of h_T and c_T):

        δh   += δoutput_t
        δc   += δh ⊙ o ⊙ (1 − tanh² c_t)
        δa_i  = δc ⊙ g ⊙ i (1 − i)          δa_f = δc ⊙ c_{t−1} ⊙ f (1 − f)
        δa_g  = δc ⊙ i ⊙ (1 − g²)            δa_o = δh ⊙ tanh(c_t) ⊙ o (1 − o)
        δh    = δa_t W_hh,   δc = δc ⊙ f     (now the gradients reaching h_{t−1}, c_{t−1})

    and, with the δa_t of all steps stacked into (T·B, 4H):

        dx_t = δa_t W_ih,   dW_ih = Σ_t δa_tᵀ x_t,   dW_hh = Σ_t δa_tᵀ h_{t−1},
        db_ih = db_hh = Σ_t δa_t,   dh₀ = δh,  dc₀ = δc  (after step 1).

    The factors that do not depend on δ (g ⊙ i(1 − i), …) are computed for all
    steps at once before the loop, leaving seven NumPy calls per step.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        T, B, E = x.shape
        H = w_hh.shape[1]
        if w_ih.shape != (4 * H, E) or w_hh.shape != (4 * H, H) or h0.shape != (B, H):
            raise op_error(
                ValueError,
                f"lstm: x {x.shape}, h0 {h0.shape}, weight_ih {w_ih.shape}, weight_hh "
                f"{w_hh.shape}: expected weight_ih (4H, E), weight_hh (4H, H), h0 (B, H)",
            )
        gates = (x.reshape(T * B, E) @ w_ih.T).reshape(T, B, 4 * H)
        if b_ih is not None:
            gates += b_ih + b_hh
        dtype = gates.dtype
        h = np.empty((T, B, H), dtype)
        c = np.empty((T, B, H), dtype)
        tanh_c = np.empty((T, B, H), dtype)
        rec = np.empty((B, 4 * H), dtype)
        ig = np.empty((B, H), dtype)
        w_hh_t = w_hh.T
        h_prev, c_prev = h0, c0
        for t in range(T):
            a = gates[t]
            np.matmul(h_prev, w_hh_t, out=rec)
            a += rec
            _sigmoid_(a[:, : 2 * H])
            np.tanh(a[:, 2 * H : 3 * H], out=a[:, 2 * H : 3 * H])
            _sigmoid_(a[:, 3 * H :])
            np.multiply(a[:, H : 2 * H], c_prev, out=c[t])
            np.multiply(a[:, :H], a[:, 2 * H : 3 * H], out=ig)
            c[t] += ig
            np.tanh(c[t], out=tanh_c[t])
            np.multiply(a[:, 3 * H :], tanh_c[t], out=h[t])
            h_prev, c_prev = h[t], c[t]
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, gates, c, tanh_c, h)
        return h, h[-1].copy(), c[-1].copy()

    @staticmethod
    def backward(ctx, d_out, d_hn, d_cn):
        x, h0, c0, w_ih, w_hh, gates, c, tanh_c, h = ctx.saved_tensors
        T, B, E = x.shape
        H = w_hh.shape[1]
        i, f, g, o = (gates[..., k * H : (k + 1) * H] for k in range(4))
        c_prev = np.concatenate((c0[None], c[:-1]))
        # the δ-free factors of δa_i, δa_f, δa_g (as one (T, B, 3, H) block), δa_o and δc
        dc_factors = np.stack((g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g)), axis=2)
        do_factor = tanh_c * o * (1 - o)
        dc_from_dh = o * (1 - tanh_c * tanh_c)

        d_gates = np.empty_like(gates)
        dh = np.array(d_hn, dtype=gates.dtype)
        dc = np.array(d_cn, dtype=gates.dtype)
        tmp = np.empty_like(dh)
        for t in range(T - 1, -1, -1):
            da = d_gates[t]
            dh += d_out[t]
            np.multiply(dh, dc_from_dh[t], out=tmp)
            dc += tmp
            np.multiply(dc[:, None, :], dc_factors[t], out=da.reshape(B, 4, H)[:, :3])
            np.multiply(dh, do_factor[t], out=da[:, 3 * H :])
            dc *= f[t]
            np.matmul(da, w_hh, out=dh)

        need = ctx.needs_input_grad
        da2 = d_gates.reshape(T * B, 4 * H)
        dx = (da2 @ w_ih).reshape(T, B, E) if need[0] else None
        dw_ih = da2.T @ x.reshape(T * B, E) if need[3] else None
        dw_hh = None
        if need[4]:
            dw_hh = d_gates[0].T @ h0
            if T > 1:
                dw_hh += da2[B:].T @ h[:-1].reshape((T - 1) * B, H)
        db = da2.sum(axis=0) if need[5] or need[6] else None
        # two arrays: a leaf's .grad must not share memory with another's
        return dx, dh, dc, dw_ih, dw_hh, db, (db.copy() if db is not None else None)
