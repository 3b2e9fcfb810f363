"""nn.LayerNorm / F.layer_norm against the formula written out in NumPy, and against torch."""

import numpy as np
import pytest

import minidl
import minidl.nn.functional as F
from minidl import nn


def _reference(x, k, w=None, b=None, eps=1e-5):
    """(x − mean) / √(var + ε) · w + b over the last k axes, var biased."""
    axes = tuple(range(x.ndim - k, x.ndim))
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


@pytest.mark.parametrize("shape, k", [((5,), 1), ((2, 6), 1), ((2, 3, 4), 2), ((3, 4), 2)])
def test_layer_norm_is_the_formula(shape, k):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 10 + 3
    w, b = rng.standard_normal(shape[-k:]), rng.standard_normal(shape[-k:])
    y = F.layer_norm(minidl.tensor(x), shape[-k:], minidl.tensor(w), minidl.tensor(b))
    np.testing.assert_allclose(y.data, _reference(x, k, w, b), rtol=1e-12, atol=1e-12)


def test_the_module_starts_as_plain_normalisation_and_keeps_float32():
    norm = nn.LayerNorm(4)
    assert norm.weight.tolist() == [1.0] * 4 and norm.bias.tolist() == [0.0] * 4
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    y = norm(minidl.tensor(x))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, _reference(x.astype(np.float64), 1), rtol=1e-5, atol=1e-6)
    # each row normalised: mean 0, biased variance 1 (up to ε)
    np.testing.assert_allclose(y.data.mean(axis=1), 0, atol=1e-6)


def test_options_and_repr_as_pytorch():
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    plain = nn.LayerNorm((2, 3), elementwise_affine=False)
    assert repr(plain) == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=False, bias=False)"
    assert list(plain.parameters()) == []
    assert [k for k, _ in nn.LayerNorm(3, bias=False).named_parameters()] == ["weight"]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"layer_norm: input of shape \(2, 5\) does not end in"):
        F.layer_norm(minidl.zeros(2, 5), (4,))
    with pytest.raises(TypeError, match="layer_norm: expected a float tensor"):
        F.layer_norm(minidl.tensor([[1, 2]]), (2,))
    with pytest.raises(ValueError, match="normalized_shape must be a positive int"):
        nn.LayerNorm(0)
    with pytest.raises(ValueError, match=r"weight of shape \(3,\) does not match"):
        F.layer_norm(minidl.zeros(2, 4), (4,), minidl.ones(3))


def test_layer_norm_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((3, 4, 5)), rng.standard_normal(5), rng.standard_normal(5)
    c = rng.standard_normal((3, 4, 5))
    grads = []
    for lib, fn in ((torch, torch.nn.functional.layer_norm), (minidl, F.layer_norm)):
        xs, ws, bs = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        (fn(xs, (5,), ws, bs, 1e-3) * lib.tensor(c)).sum().backward()
        grads.append([np.asarray(t.grad.tolist()) for t in (xs, ws, bs)])
    for mine, theirs in zip(grads[1], grads[0]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
