"""W2 by hand: MLP 784-256-256-10 with ReLU, cross-entropy, one SGD step.

Forward (x: (N, 784), weights (out, in) as in PyTorch)::

    z1 = x W1ᵀ + b1,  h1 = relu(z1);  z2 = h1 W2ᵀ + b2,  h2 = relu(z2)
    logits = h2 W3ᵀ + b3;  L = mean_n(logsumexp(logits_n) − logits_n[y_n])

Backward::

    dlogits = (softmax(logits) − onehot(y)) / N
    dW3 = dlogitsᵀ h2,  db3 = Σ_n dlogits,  dh2 = dlogits W3,  dz2 = dh2 ⊙ [z2 > 0]
    dW2 = dz2ᵀ h1, ...,  dz1 = (dz2 W2) ⊙ [z1 > 0],  dW1 = dz1ᵀ x,  db1 = Σ_n dz1

SGD: θ ← θ − lr · g.
"""

import numpy as np

from benchmarks.reference.losses import cross_entropy

PARAM_NAMES = ("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias")


class MLPNumpy:
    """Linear-ReLU-Linear-ReLU-Linear with keys as ``nn.Sequential`` names them."""

    def __init__(self, params, lr=0.01):
        self.params = {k: np.array(params[k], copy=True, order="C") for k in PARAM_NAMES}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.scratch = {k: np.empty_like(v) for k, v in self.params.items()}
        self.lr = lr
        self.batch = None

    def _buffers(self, batch):
        # activations for one batch size, reused by every step of that size
        if self.batch == batch:
            return
        self.batch = batch
        dt = self.params["0.weight"].dtype
        w1, w2 = self.params["0.weight"], self.params["2.weight"]
        self.h1 = np.empty((batch, w1.shape[0]), dt)
        self.h2 = np.empty((batch, w2.shape[0]), dt)
        self.d1 = np.empty_like(self.h1)
        self.d2 = np.empty_like(self.h2)

    def forward_backward(self, x, labels):
        """Loss of the batch (a Python float); fills ``self.grads``."""
        p, gr = self.params, self.grads
        batch = x.shape[0]
        self._buffers(batch)
        h1, h2, d1, d2 = self.h1, self.h2, self.d1, self.d2
        np.matmul(x, p["0.weight"].T, out=h1)
        h1 += p["0.bias"]
        np.maximum(h1, 0, out=h1)
        np.matmul(h1, p["2.weight"].T, out=h2)
        h2 += p["2.bias"]
        np.maximum(h2, 0, out=h2)
        logits = h2 @ p["4.weight"].T
        logits += p["4.bias"]
        loss, probs = cross_entropy(logits, labels)  # probs: now dL/dlogits

        np.matmul(probs.T, h2, out=gr["4.weight"])
        np.sum(probs, axis=0, out=gr["4.bias"])
        np.matmul(probs, p["4.weight"], out=d2)
        d2 *= h2 > 0  # relu'(z) = [z > 0], and h > 0 exactly where z > 0
        np.matmul(d2.T, h1, out=gr["2.weight"])
        np.sum(d2, axis=0, out=gr["2.bias"])
        np.matmul(d2, p["2.weight"], out=d1)
        d1 *= h1 > 0
        np.matmul(d1.T, x, out=gr["0.weight"])
        np.sum(d1, axis=0, out=gr["0.bias"])
        return loss

    def sgd_step(self):
        """θ ← θ − lr · g for every parameter, in place."""
        for k, p in self.params.items():
            s = self.scratch[k]
            np.multiply(self.grads[k], self.lr, out=s)
            p -= s

    def step(self, x, labels):
        loss = self.forward_backward(x, labels)
        self.sgd_step()
        return loss
