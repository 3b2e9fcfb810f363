"""W3: per-op overhead: a chain of 1,000 elementwise ops (add, mul, tanh in turn)
on 10 float32 elements, forward and backward.  Reported per op as well."""

import numpy as np

from benchmarks.reference.chain import chain_forward_backward

SIZES = {"W3 per-op": {"ops": 1000, "size": 10}}


def make_inputs(size, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(size).astype(np.float32)
    a = rng.standard_normal(size).astype(np.float32)
    b = rng.uniform(0.5, 1.5, size).astype(np.float32)
    return x, a, b


def minidl_chain(x, a, b, ops):
    """Σ y_n of the chain, built from minidl tensors (x requires grad)."""
    y = x
    for k in range(ops):
        op = k % 3
        if op == 0:
            y = y + a
        elif op == 1:
            y = y * b
        else:
            y = y.tanh()
    return y.sum()


def minidl_step(ops, size):
    import minidl

    x, a, b = make_inputs(size)
    x = minidl.tensor(x, requires_grad=True)
    a, b = minidl.tensor(a), minidl.tensor(b)

    def step():
        x.grad = None
        minidl_chain(x, a, b, ops).backward()

    return step


def reference_step(ops, size):
    x, a, b = make_inputs(size)
    return lambda: chain_forward_backward(x, a, b, ops)


def torch_step(ops, size):
    import torch

    x, a, b = (torch.from_numpy(v) for v in make_inputs(size))
    x.requires_grad_(True)

    def step():
        x.grad = None
        minidl_chain(x, a, b, ops).backward()  # the same operators work on torch tensors

    return step
