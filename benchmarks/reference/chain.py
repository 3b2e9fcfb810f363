"""W3 by hand: a chain of n elementwise ops (add, mul, tanh in turn), forward and backward.

    y_0 = x;  y_{k+1} = y_k + a  |  y_k ⊙ b  |  tanh(y_k)   (k mod 3 = 0, 1, 2);  L = Σ y_n
    dL/dy_n = 1;  dy_{k+1}/dy_k = 1  |  b  |  1 − y_{k+1}²

The raw NumPy loop: what per-op framework overhead is measured against.
"""

import numpy as np


def chain_forward_backward(x, a, b, n):
    """(L, dL/dx) for the chain of ``n`` ops on the arrays ``x``, ``a``, ``b``."""
    outputs = []
    y = x
    for k in range(n):
        op = k % 3
        if op == 0:
            y = y + a
        elif op == 1:
            y = y * b
        else:
            y = np.tanh(y)
        outputs.append(y)
    loss = y.sum()
    g = np.ones_like(y)
    for k in range(n - 1, -1, -1):
        op = k % 3
        if op == 1:
            g = g * b
        elif op == 2:
            y = outputs[k]
            g = g * (1 - y * y)
    return loss, g
