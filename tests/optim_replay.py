"""Helpers shared by the optimizer and scheduler tests in tests/optim: the gradients that
drive a replay, a run that records the parameter after each step, and small SGD setups."""

import numpy as np
import pytest

import minidl
from minidl.optim import SGD

STEPS = 7


def gradients(shape, dtype=np.float64, steps=STEPS, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for _ in range(steps)]


def run(make, theta0, grads):
    """Parameters after each step, driven by the given gradient arrays (set as p.grad)."""
    p = minidl.tensor(theta0.copy(), requires_grad=True)
    opt = make([p])
    history = []
    for g in grads:
        p.grad = minidl.tensor(g.copy())
        opt.step()
        history.append(p.data.copy())
    return p, opt, history


def leaf(values, dtype=np.float32):
    return minidl.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def sgd(lr=1.0, groups=None):
    """SGD on one parameter, or on one parameter per group with the given lrs."""
    if groups is not None:
        return SGD([{"params": [leaf([1.0])], "lr": g} for g in groups], lr=lr)
    return SGD([leaf([1.0, 2.0])], lr=lr)


def refused_without_change(make, error, words):
    """``make(optimizer)`` raises ``error`` naming every word, and leaves the lrs as they were."""
    opt = sgd(groups=[1.0, 0.5])
    with pytest.raises(error) as info:
        make(opt)
    for word in words:
        assert word in str(info.value)
    assert [g["lr"] for g in opt.param_groups] == [1.0, 0.5]
