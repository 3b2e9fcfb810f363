"""Embedding's max_norm / norm_type / scale_grad_by_freq / sparse, as PyTorch's."""

import numpy as np
import pytest

import minidl
import minidl.nn.functional as F
from minidl import nn


def test_max_norm_rescales_the_rows_looked_up_in_place():
    emb = nn.Embedding(3, 2, max_norm=1.0, dtype=np.float64)
    emb.weight.data[...] = [[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]
    out = emb(minidl.tensor([0, 1]))
    # row 0 had norm 5 > 1: scaled by 1 / (5 + 1e-7) (PyTorch's epsilon); row 1 (0.5) kept;
    # row 2 was not looked up, so it is untouched
    np.testing.assert_allclose(emb.weight.data[0], np.array([3.0, 4.0]) / (5 + 1e-7))
    np.testing.assert_array_equal(emb.weight.data[1:], [[0.3, 0.4], [6.0, 8.0]])
    np.testing.assert_allclose(out.data, emb.weight.data[:2])


def test_max_norm_with_the_1_norm():
    w = minidl.tensor([[1.0, -3.0]])
    F.embedding(minidl.tensor([0]), w, max_norm=2.0, norm_type=1.0)
    np.testing.assert_allclose(w.data, np.array([[1.0, -3.0]]) * 2 / (4 + 1e-7), rtol=1e-6)


def test_scale_grad_by_freq_divides_each_ids_gradient_by_its_count():
    w = minidl.tensor(np.zeros((3, 1)), requires_grad=True)
    F.embedding(minidl.tensor([0, 0, 0, 2]), w, scale_grad_by_freq=True).sum().backward()
    # id 0: 3 × (1/3); id 2: 1.  Not the derivative of the lookup (that is [3, 0, 1]), so
    # no gradcheck: PyTorch's option rescales the step on purpose
    assert w.grad.data[:, 0].tolist() == [1.0, 0.0, 1.0]


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="sparse=True: minidl has no sparse gradients"):
        nn.Embedding(3, 2, sparse=True)
    with pytest.raises(ValueError, match="max_norm must be None or a number > 0"):
        nn.Embedding(3, 2, max_norm=0)
    assert repr(nn.Embedding(5, 2, max_norm=1.0, scale_grad_by_freq=True)) == (
        "Embedding(5, 2, max_norm=1.0, scale_grad_by_freq=True)"
    )


def test_embedding_options_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    table, ids = rng.standard_normal((5, 3)) * 2, rng.integers(0, 5, (2, 4))
    results = []
    for lib in (torch, minidl):
        w = lib.tensor(table.copy(), requires_grad=True)
        y = lib.nn.functional.embedding(lib.tensor(ids), w, max_norm=1.5, scale_grad_by_freq=True)
        (y * 2.0).sum().backward()
        results.append([np.asarray(y.tolist()), np.asarray(w.grad.tolist())])
    for mine, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)
