"""matmul: 1-D·1-D, 1-D·2-D, 2-D·1-D, 2-D, batched and broadcast batch dims (as np.matmul)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, gradcheck, leaf

import minidl

side = st.integers(1, 4)


@st.composite
def matmul_shapes(draw):
    """A pair of shapes np.matmul accepts, covering every 1-D/2-D/batched combination."""
    m, k, n = draw(side), draw(side), draw(side)
    kind_a = draw(st.sampled_from(["1d", "2d", "batched"]))
    kind_b = draw(st.sampled_from(["1d", "2d", "batched"]))
    batch = draw(st.lists(side, min_size=1, max_size=2))

    # broadcast batch dims: each operand may drop leading axes or have size 1 there
    def batch_of():
        lead = batch[draw(st.integers(0, len(batch) - 1)) :]
        return tuple(b if draw(st.booleans()) else 1 for b in lead)

    sa = {"1d": (k,), "2d": (m, k), "batched": batch_of() + (m, k)}[kind_a]
    sb = {"1d": (k,), "2d": (k, n), "batched": batch_of() + (k, n)}[kind_b]
    return sa, sb


@given(shapes=matmul_shapes(), data=st.data())
def test_matmul_grad_matches_central_difference(shapes, data):
    sa, sb = shapes
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    out = minidl.matmul(leaf(a), leaf(b))
    expected = np.matmul(a, b)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(minidl.matmul, (leaf(a), leaf(b)))


def test_matmul_gradients_are_the_textbook_formulas():
    rng = np.random.default_rng(0)
    a, b, g = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    ta, tb = leaf(a), leaf(b)
    (ta @ tb).backward(g)
    # float64 to rounding: a backward computed in float32 would be off by ~1e-8
    np.testing.assert_allclose(ta.grad.data, g @ b.T, rtol=1e-13)
    np.testing.assert_allclose(tb.grad.data, a.T @ g, rtol=1e-13)


def test_matmul_broadcast_batch_gradient_sums_over_the_batch():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((5, 3, 4)), rng.standard_normal((4, 2))
    ta, tb = leaf(a), leaf(b)
    (ta @ tb).sum().backward()
    np.testing.assert_allclose(tb.grad.data, np.einsum("bik,ij->kj", a, np.ones((3, 2))))
    assert tb.grad.shape == (4, 2)


def test_matmul_operator_accepts_arrays_on_either_side():
    a = np.array([[1.0, 2.0]], np.float32)
    x = minidl.tensor([[3.0], [4.0]])
    np.testing.assert_array_equal((a @ x).data, [[11.0]])
    np.testing.assert_array_equal((x.T @ a.T).data, [[11.0]])


def test_matmul_float32_stays_float32():
    x = minidl.randn(3, 4, requires_grad=True)
    w = minidl.randn(4, 2, requires_grad=True)
    (x @ w).sum().backward()
    assert (x @ w).dtype == np.float32
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_matmul_promotes_mixed_dtypes_as_pytorch_and_grads_keep_each_dtype():
    # PyTorch's promotion (as for a ⊙ b): a float tensor beats an integer one, so
    # int64 @ float32 is float32 (NumPy gives float64); float32 @ float64 is float64
    a = minidl.tensor(np.array([[1, 2], [3, 4]], np.int64))
    w = minidl.tensor(np.array([0.5, 0.25], np.float32), requires_grad=True)
    # [1·0.5 + 2·0.25, 3·0.5 + 4·0.25] = [1, 2.5]
    for out in (minidl.matmul(a, w), a @ w):
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.data, [1.0, 2.5])
    # d Σ(a @ w)/dw = the column sums of a: [1 + 3, 2 + 4], in w's own float32
    (a @ w).sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.data, [4.0, 6.0])
    d = minidl.tensor(np.array([[2.0], [-1.0]], np.float64), requires_grad=True)
    w.grad = None
    out = w @ d  # 0.5·2 − 0.25·1 = 0.75
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.data, [0.75])
    out.sum().backward()
    # d(w·d)/dw = d (as a row), d(w·d)/dd = w (as a column)
    assert w.grad.dtype == np.float32 and d.grad.dtype == np.float64
    np.testing.assert_array_equal(w.grad.data, [2.0, -1.0])
    np.testing.assert_array_equal(d.grad.data, [[0.5], [0.25]])
