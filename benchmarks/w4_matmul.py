"""W4: (A @ B).sum() forward and backward, A and B 1024×1024 float32."""

import numpy as np

from benchmarks.reference.matmul import MatmulSumNumpy

SIZES = {"W4 matmul": {"n": 1024}}


def make_inputs(n, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))


def minidl_step(n):
    import minidl

    a, b = (minidl.tensor(v, requires_grad=True) for v in make_inputs(n))

    def step():
        a.grad = b.grad = None
        (a @ b).sum().backward()

    return step


def reference_step(n):
    ref = MatmulSumNumpy(*make_inputs(n))
    return ref.step


def torch_step(n):
    import torch

    a, b = (torch.from_numpy(v).requires_grad_(True) for v in make_inputs(n))

    def step():
        a.grad = b.grad = None
        (a @ b).sum().backward()

    return step
