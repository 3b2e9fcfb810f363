"""Embedding: lookup of any index shape, gradient sums over repeats, padding, errors."""

import numpy as np
import pytest

import minidl
import minidl.nn as nn
import minidl.nn.functional as F


def test_lookup_of_any_index_shape():
    emb = nn.Embedding(10, 3)
    for shape in [(), (4,), (2, 5), (2, 3, 4)]:
        ids = np.random.default_rng(0).integers(0, 10, shape)
        out = emb(minidl.tensor(ids))
        assert out.shape == shape + (3,)
        np.testing.assert_array_equal(out.data, emb.weight.data[ids])


def test_gradient_sums_over_repeated_indices():
    rng = np.random.default_rng(1)
    emb = nn.Embedding(6, 2).double()
    ids = np.array([[0, 3, 3], [5, 3, 0]])
    dy = rng.standard_normal((2, 3, 2))
    emb(ids).backward(minidl.tensor(dy))
    expected = np.zeros((6, 2))
    for idx, g in zip(ids.ravel(), dy.reshape(-1, 2)):
        expected[idx] += g
    np.testing.assert_allclose(emb.weight.grad.data, expected, rtol=1e-12)


def test_padding_row_starts_at_zero_and_gets_no_gradient():
    emb = nn.Embedding(5, 3, padding_idx=0)
    assert not emb.weight.data[0].any() and emb.weight.data[1:].any()
    emb(minidl.tensor([[0, 1, 0], [2, 0, 1]])).sum().backward()
    g = emb.weight.grad.data
    assert not g[0].any()
    np.testing.assert_array_equal(g[1], [2, 2, 2])
    np.testing.assert_array_equal(g[2], [1, 1, 1])
    assert nn.Embedding(5, 3, padding_idx=-1).padding_idx == 4


def test_default_init_is_standard_normal():
    minidl.manual_seed(0)
    w = nn.Embedding(1000, 100).weight.data
    assert w.dtype == np.float32
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01


def test_errors_name_the_index_and_table_size():
    emb = nn.Embedding(10, 3)
    with pytest.raises(IndexError, match=r"Embedding: index 12 out of range for 10 embeddings"):
        emb(minidl.tensor([1, 12, 3]))
    with pytest.raises(IndexError, match="index -1 out of range for 10 embeddings"):
        emb(minidl.tensor([-1]))
    with pytest.raises(TypeError, match="indices must be integers.*float32"):
        emb(minidl.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="padding_idx 10 out of range"):
        nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(IndexError, match="embedding: index 7"):
        F.embedding(np.array([7]), minidl.randn(5, 2))


def test_float32_gradient_and_repr():
    emb = nn.Embedding(4, 2, padding_idx=1)
    emb(minidl.tensor([0, 1])).sum().backward()
    assert emb.weight.grad.dtype == np.float32
    assert repr(emb) == "Embedding(4, 2, padding_idx=1)"


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint64])
def test_every_integer_id_dtype_trains_the_right_rows(dtype):
    # row v of the flattened table starts at v·D: computed in uint8 it would wrap around
    emb = nn.Embedding(120, 300, dtype=np.float64)
    ids = np.array([104, 105, 104], dtype=dtype)
    emb(minidl.tensor(ids)).sum().backward()
    expected = np.zeros((120, 300))
    expected[104], expected[105] = 2.0, 1.0  # dL/dW[v] = number of times v was looked up
    np.testing.assert_array_equal(emb.weight.grad.data, expected)


def test_functional_padding_idx_is_checked_like_the_modules():
    w = minidl.tensor(np.ones((10, 2)), requires_grad=True)
    for bad in (10, -11):
        with pytest.raises(ValueError, match=f"embedding: padding_idx {bad} out of range"):
            F.embedding(minidl.tensor([9, 1]), w, padding_idx=bad)
    F.embedding(minidl.tensor([9, 1, 1]), w, padding_idx=-1).sum().backward()
    expected = np.zeros((10, 2))
    expected[1] = 2.0  # row 9 is the padding row: no gradient
    np.testing.assert_array_equal(w.grad.data, expected)
