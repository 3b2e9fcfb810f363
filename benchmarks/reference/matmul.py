"""W4 by hand: L = Σ (A @ B), forward and backward.

C = A B,  L = Σᵢⱼ Cᵢⱼ;  dC = 1 (all ones),  dA = dC Bᵀ,  dB = Aᵀ dC
"""

import numpy as np


class MatmulSumNumpy:
    """Forward and backward of Σ(A @ B) into preallocated C, dA, dB."""

    def __init__(self, a, b):
        self.a, self.b = a, b
        self.c = np.empty((a.shape[0], b.shape[1]), a.dtype)
        self.ones = np.ones_like(self.c)  # dL/dC never changes
        self.grad_a = np.empty_like(a)
        self.grad_b = np.empty_like(b)

    def step(self):
        """Returns L; leaves dL/dA in ``grad_a`` and dL/dB in ``grad_b``."""
        np.matmul(self.a, self.b, out=self.c)
        loss = self.c.sum()
        np.matmul(self.ones, self.b.T, out=self.grad_a)
        np.matmul(self.a.T, self.ones, out=self.grad_b)
        return loss
