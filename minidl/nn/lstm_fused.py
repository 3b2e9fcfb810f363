"""One LSTM layer over a whole sequence as one Function, with hand-written BPTT.

``LSTMCell`` (rnn.py) builds the same step from primitive ops and is the
readable reference; this Function computes exactly that, but records one
graph node per layer instead of ~20 per time step, and does the work in
large matrix products and in-place NumPy calls on buffers allocated once per
sequence.  (Reusing those buffers from one training step to the next is left
to malloc: see ``minidl/memory.py``.)
"""

import numpy as np

from minidl.autograd import Function, op_error
from minidl.nn.utils.rnn import _sorted_lengths

__all__ = ["LSTMLayer"]


def _gate_scales(H, dtype):
    """(s, k) with σ(a) = s·tanh(s·a) + k for the i, f, o gates and tanh(a) = 1·tanh(1·a) + 0 for g.

    σ(a) = ½ + ½ tanh(a/2) (which never overflows, unlike 1/(1 + e^(−a))), so
    one tanh over the whole row of four gates activates all of them.  Its error
    is absolute (~1 ulp of 1): a gate far in the left tail reads 0 rather than,
    say, 2e−9 in float32, which changes nothing downstream of a gate.
    """
    s = np.full(4 * H, 0.5, dtype)
    s[2 * H : 3 * H] = 1
    k = np.full(4 * H, 0.5, dtype)
    k[2 * H : 3 * H] = 0
    return s, k


def _check_batch_sizes(batch_sizes, T, B):
    """``batch_sizes`` as a tuple of T ints (all B when None), checked to be a packed batch's."""
    if batch_sizes is None:
        return (B,) * T
    sizes = tuple(int(n) for n in np.asarray(batch_sizes).reshape(-1))
    ok = (
        len(sizes) == T
        and (T == 0 or sizes[0] == B)
        and all(a >= b for a, b in zip(sizes, sizes[1:]))
        and (T == 0 or sizes[-1] >= 1)
    )
    if not ok:
        raise op_error(
            ValueError,
            f"lstm: batch_sizes {list(sizes)} for x of T={T} steps and B={B} sequences: "
            f"expected {T} non-increasing counts from {B} down to at least 1 (a "
            "PackedSequence's batch_sizes, sequences sorted longest first)",
        )
    return sizes


class LSTMLayer(Function):
    """One LSTM layer: x (T, B, E), h₀ (B, H), c₀ (B, H) -> output (T, B, H), h_T, c_T (B, H).

    Weights W_ih (4H, E), W_hh (4H, H), b_ih, b_hh (4H,), gates in the order i, f, g, o.

    Forward, for t = 1 … T:

        a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh        = (a_i, a_f, a_g, a_o)
        i = σ(a_i),  f = σ(a_f),  g = tanh(a_g),  o = σ(a_o)
        c_t = f ⊙ c_{t−1} + i ⊙ g
        h_t = o ⊙ tanh(c_t)                                  (output_t = h_t)

    The input part W_ih x_t + b is one (T·B, E) @ (E, 4H) product for all steps,
    and the inner scale s of the activations (see ``_gate_scales``) is folded
    into the weights, so each step is one product and nine elementwise calls.

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
    steps at once before the loop.

    δh and δc shrink as they travel back in time; after ~100 steps they would
    reach the subnormal range (below ~1e−38 in float32), where every NumPy and
    BLAS operation touching them runs ~100× slower (a T = 200 step took 2 s
    instead of 0.15 s).  So after each step their entries below tiny/eps
    (~1e−31 in float32, ~1e−292 in float64) are set to 0, as GPUs flush
    subnormals to zero: the threshold keeps their products with the gate
    factors normal too.  Anything dropped is below 1e−31: added to a gradient
    entry larger than ~2e−24 it would vanish in float32 rounding anyway.

    ``batch_sizes`` (sequences of different lengths, as a ``PackedSequence``
    holds them): a non-increasing tuple (n_1, …, n_T), n_1 = B; sequence b is
    in the batch at step t when b < n_t, so the batch is sorted longest first
    and sequence b has length L_b = #{t : n_t > b}.  Each step then runs on the
    first n_t rows only; the output is 0 past a sequence's end, and h_T, c_T of
    row b are its state after its own last step, h_{L_b}, c_{L_b}.  Backward
    runs on the same rows, and the gradient of row b's h_T, c_T enters at
    step L_b.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes=None):
        T, B, E = x.shape
        H = w_hh.shape[1]
        biases = () if b_ih is None else (b_ih.shape, b_hh.shape)
        if (
            w_ih.shape != (4 * H, E)
            or w_hh.shape != (4 * H, H)
            or h0.shape != (B, H)
            or c0.shape != (B, H)
            or any(b != (4 * H,) for b in biases)
        ):
            raise op_error(
                ValueError,
                f"lstm: x {x.shape}, h0 {h0.shape}, c0 {c0.shape}, weight_ih {w_ih.shape}, "
                f"weight_hh {w_hh.shape}, biases {biases}: expected x (T, B, E), weight_ih "
                "(4H, E), weight_hh (4H, H), h0 and c0 (B, H), biases (4H,)",
            )
        sizes = _check_batch_sizes(batch_sizes, T, B)
        dtype = np.result_type(x, w_ih, w_hh)
        s, k = _gate_scales(H, dtype)
        # gates holds s ⊙ a_t, then (in place) the activations i, f, g, o
        gates = np.empty((T, B, 4 * H), dtype)
        np.matmul(x.reshape(T * B, E), (w_ih * s[:, None]).T, out=gates.reshape(T * B, 4 * H))
        if b_ih is not None:
            gates += (b_ih + b_hh) * s
        w_hh_t = (w_hh * s[:, None]).T
        h = np.empty((T, B, H), dtype)
        c = np.empty((T, B, H), dtype)
        tanh_c = np.empty((T, B, H), dtype)
        rec = np.empty((B, 4 * H), dtype)
        ig = np.empty((B, H), dtype)
        h_prev, c_prev = h0, c0
        for t in range(T):
            n = sizes[t]  # the rows still in the batch (all B without batch_sizes)
            if n == B:
                a, hp, cp, r, ig_t = gates[t], h_prev, c_prev, rec, ig
                c_t, tc_t, h_t = c[t], tanh_c[t], h[t]
            else:
                # past their ends: output 0; and gates 0 make backward's δ-free factors 0
                # there, so those rows add nothing to dx, dW or db
                for buf in (gates, h, c, tanh_c):
                    buf[t, n:] = 0
                a, hp, cp, r, ig_t = gates[t, :n], h_prev[:n], c_prev[:n], rec[:n], ig[:n]
                c_t, tc_t, h_t = c[t, :n], tanh_c[t, :n], h[t, :n]
            np.matmul(hp, w_hh_t, out=r)
            a += r
            np.tanh(a, out=a)
            a *= s
            a += k
            np.multiply(a[:, H : 2 * H], cp, out=c_t)
            np.multiply(a[:, :H], a[:, 2 * H : 3 * H], out=ig_t)
            c_t += ig_t
            np.tanh(c_t, out=tc_t)
            np.multiply(a[:, 3 * H :], tc_t, out=h_t)
            h_prev, c_prev = h[t], c[t]
        if batch_sizes is None:
            h_n, c_n = h[-1].copy(), c[-1].copy()
        else:  # row b's last step is L_b − 1
            last, rows = _sorted_lengths(sizes) - 1, np.arange(B)  # row b's last step
            h_n, c_n = h[last, rows], c[last, rows]
        ctx.set_materialize_grads(False)
        ctx.sizes = sizes
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, gates, c, tanh_c, h)
        return h, h_n, c_n

    @staticmethod
    def backward(ctx, d_out, d_hn, d_cn):
        x, h0, c0, w_ih, w_hh, gates, c, tanh_c, h = ctx.saved_tensors
        T, B, E = x.shape
        H = w_hh.shape[1]
        i, f, g, o = (gates[..., k * H : (k + 1) * H] for k in range(4))
        # the δ-free factors, for all steps at once (written in place: no temporaries)
        # d = (g ⊙ i(1 − i), c_{t−1} ⊙ f(1 − f), i ⊙ (1 − g²), tanh(c_t) ⊙ o(1 − o))
        d = np.subtract(1, gates)
        d *= gates
        d_i, d_f, d_g, d_o = (d[..., k * H : (k + 1) * H] for k in range(4))
        np.multiply(g, g, out=d_g)
        np.subtract(1, d_g, out=d_g)
        d_i *= g
        d_f[0] *= c0
        d_f[1:] *= c[:-1]
        d_g *= i
        d_o *= tanh_c
        # δc gets δh ⊙ o ⊙ (1 − tanh² c_t)
        dc_dh = np.multiply(tanh_c, tanh_c)
        np.subtract(1, dc_dh, out=dc_dh)
        dc_dh *= o

        # d becomes δa in place, step by step; an output that got no gradient arrives
        # as None (set_materialize_grads(False)): a classifier uses only h_T
        state = np.zeros((2, B, H), gates.dtype)  # (δh, δc), one array: flushed in one go
        dh, dc = state
        tmp = np.empty_like(dh)
        tiny = np.finfo(gates.dtype).tiny / np.finfo(gates.dtype).eps
        magnitude = np.empty_like(state)
        flush = np.empty(state.shape, bool)
        sizes = ctx.sizes
        for t in range(T - 1, -1, -1):
            n = sizes[t]
            ending = sizes[t + 1] if t + 1 < T else 0
            if ending < n:  # rows whose last step is t: their h_T, c_T gradients enter here
                if d_hn is not None:
                    dh[ending:n] += d_hn[ending:n]
                if d_cn is not None:
                    dc[ending:n] += d_cn[ending:n]
            if n == B:
                st, dh_t, dc_t, tmp_t, mag_t, flush_t = state, dh, dc, tmp, magnitude, flush
                d_t, dc_dh_t, f_t = d[t], dc_dh[t], f[t]
            else:  # the rows still in the batch at step t
                st, dh_t, dc_t, tmp_t = state[:, :n], dh[:n], dc[:n], tmp[:n]
                mag_t, flush_t = magnitude[:, :n], flush[:, :n]
                d_t, dc_dh_t, f_t = d[t, :n], dc_dh[t, :n], f[t, :n]
            if d_out is not None:
                dh_t += d_out[t, :n]
            np.multiply(dh_t, dc_dh_t, out=tmp_t)
            dc_t += tmp_t
            d_t[:, :H] *= dc_t  # δa_i
            d_t[:, H : 2 * H] *= dc_t  # δa_f
            d_t[:, 2 * H : 3 * H] *= dc_t  # δa_g
            d_t[:, 3 * H :] *= dh_t  # δa_o
            dc_t *= f_t
            np.matmul(d_t, w_hh, out=dh_t)
            # flush what would become subnormal to zero (see the docstring)
            np.abs(st, out=mag_t)
            np.less(mag_t, tiny, out=flush_t)
            np.copyto(st, 0, where=flush_t)

        need = ctx.needs_input_grad
        da2 = d.reshape(T * B, 4 * H)
        dx = (da2 @ w_ih).reshape(T, B, E) if need[0] else None
        dw_ih = da2.T @ x.reshape(T * B, E) if need[3] else None
        dw_hh = None
        if need[4]:
            dw_hh = d[0].T @ h0
            if T > 1:
                dw_hh += da2[B:].T @ h[:-1].reshape((T - 1) * B, H)
        db = da2.sum(axis=0) if need[5] or need[6] else None
        # two arrays: a leaf's .grad must not share memory with another's
        grads = dx, dh, dc, dw_ih, dw_hh, db, (db.copy() if db is not None else None), None
        return grads[: len(need)]  # one per input given (batch_sizes may be left out)
