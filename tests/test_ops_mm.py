"""mm, bmm, dot: PyTorch's strict forms of matmul, one shape each, no broadcasting."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, gradcheck, leaf

import minidl

side = st.integers(1, 4)


@given(m=side, k=side, n=side, data=st.data())
def test_mm_value_and_grad(m, k, n, data):
    a, b = data.draw(arrays((m, k))), data.draw(arrays((k, n)))
    out = minidl.mm(leaf(a), leaf(b))
    assert out.shape == (m, n)
    # Cᵢⱼ = Σₗ Aᵢₗ Bₗⱼ, written out rather than taken from np.matmul
    expected = (a[:, :, None] * b[None, :, :]).sum(axis=1)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(minidl.mm, (leaf(a), leaf(b)))


@given(batch=side, m=side, k=side, n=side, data=st.data())
def test_bmm_value_and_grad(batch, m, k, n, data):
    a, b = data.draw(arrays((batch, m, k))), data.draw(arrays((batch, k, n)))
    out = minidl.bmm(leaf(a), leaf(b))
    assert out.shape == (batch, m, n)
    expected = (a[:, :, :, None] * b[:, None, :, :]).sum(axis=2)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(minidl.bmm, (leaf(a), leaf(b)))


@given(k=side, data=st.data())
def test_dot_value_and_grad(k, data):
    a, b = data.draw(arrays((k,))), data.draw(arrays((k,)))
    out = minidl.dot(leaf(a), leaf(b))
    assert out.shape == ()
    assert out.item() == pytest.approx(sum(x * y for x, y in zip(a, b)), rel=1e-12, abs=1e-12)
    assert gradcheck(minidl.dot, (leaf(a), leaf(b)))


def test_hand_worked_values_and_textbook_gradients():
    # [[1, 2], [3, 4]] @ [[5], [6]] = [[1·5 + 2·6], [3·5 + 4·6]] = [[17], [39]]
    a = leaf([[1.0, 2.0], [3.0, 4.0]])
    b = leaf([[5.0], [6.0]])
    out = a.mm(b)
    np.testing.assert_array_equal(out.data, [[17.0], [39.0]])
    out.backward(np.array([[1.0], [-2.0]]))
    # dA = G Bᵀ = [[1], [−2]] [[5, 6]],  dB = Aᵀ G = [[1 − 6], [2 − 8]]
    np.testing.assert_array_equal(a.grad.data, [[5.0, 6.0], [-10.0, -12.0]])
    np.testing.assert_array_equal(b.grad.data, [[-5.0], [-6.0]])
    # 1·4 + 2·(−5) + 3·6 = 12;  d/du = v, d/dv = u
    u, v = leaf([1.0, 2.0, 3.0]), leaf([4.0, -5.0, 6.0])
    d = u.dot(v)
    assert d.item() == 12.0
    d.backward()
    np.testing.assert_array_equal(u.grad.data, [4.0, -5.0, 6.0])
    np.testing.assert_array_equal(v.grad.data, [1.0, 2.0, 3.0])
    # each batch entry is its own product: I·B₀ and 2I·B₁
    eye = np.stack([np.eye(2), 2 * np.eye(2)])
    bs = np.arange(8.0).reshape(2, 2, 2)
    np.testing.assert_array_equal(leaf(eye).bmm(leaf(bs)).data, [bs[0], 2 * bs[1]])


def test_float32_stays_float32():
    a = minidl.randn(3, 4, requires_grad=True)
    b = minidl.randn(4, 2, requires_grad=True)
    x = minidl.randn(2, 3, 4, requires_grad=True)
    y = minidl.randn(2, 4, 5, requires_grad=True)
    u = minidl.randn(4, requires_grad=True)
    v = minidl.randn(4, requires_grad=True)
    outs = (minidl.mm(a, b), minidl.bmm(x, y), minidl.dot(u, v))
    for out in outs:
        assert out.dtype == np.float32
        out.sum().backward()
    for t in (a, b, x, y, u, v):
        assert t.grad.dtype == np.float32


def test_operands_may_be_arrays_or_lists():
    np.testing.assert_array_equal(minidl.mm([[1.0, 2.0]], np.array([[3.0], [4.0]])).data, [[11.0]])
    assert minidl.dot(np.array([1.0, 2.0]), [3.0, 4.0]).item() == 11.0


def test_mm_refuses_anything_but_two_matrices():
    m = minidl.zeros(2, 3)
    with pytest.raises(ValueError, match=r"mm: expected two 2-D matrices.*\(3,\).*use matmul"):
        minidl.mm(m, minidl.zeros(3))
    with pytest.raises(ValueError, match=r"mm: expected two 2-D.*\(4, 2, 3\) and \(3, 2\)"):
        minidl.mm(minidl.zeros(4, 2, 3), minidl.zeros(3, 2))
    with pytest.raises(ValueError, match=r"mm: expected two 2-D.*\(\)"):
        minidl.mm(m, 2.0)
    with pytest.raises(ValueError, match=r"mm: \(2, 3\) @ \(4, 5\): inner dimensions 3 and 4"):
        m.mm(minidl.zeros(4, 5))


def test_bmm_refuses_other_shapes_and_broadcasting():
    x = minidl.zeros(2, 3, 4)
    with pytest.raises(ValueError, match=r"bmm: expected two 3-D.*\(4, 5\).*use matmul"):
        minidl.bmm(x, minidl.zeros(4, 5))  # matmul would broadcast this one
    with pytest.raises(ValueError, match=r"bmm: .*batch sizes 2 and 1 differ.*does not broadcast"):
        minidl.bmm(x, minidl.zeros(1, 4, 5))
    with pytest.raises(ValueError, match=r"bmm: .*inner dimensions 4 and 3"):
        x.bmm(minidl.zeros(2, 3, 5))


def test_dot_refuses_other_shapes():
    u = minidl.zeros(3)
    with pytest.raises(ValueError, match=r"dot: expected two 1-D vectors.*\(3, 1\).*matmul"):
        minidl.dot(u, minidl.zeros(3, 1))
    with pytest.raises(ValueError, match=r"dot: vectors of lengths 3 and 4 differ"):
        u.dot(minidl.zeros(4))


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for name, sa, sb in [
        ("mm", (3, 4), (4, 2)),
        ("bmm", (2, 3, 4), (2, 4, 5)),
        ("dot", (4,), (4,)),
    ]:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        ta, tb = leaf(a), leaf(b)
        out = getattr(minidl, name)(ta, tb)
        out.sum().backward()
        pa = torch.tensor(a, requires_grad=True)
        pb = torch.tensor(b, requires_grad=True)
        ref = getattr(torch, name)(pa, pb)
        ref.sum().backward()
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(ta.grad.data, pa.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(tb.grad.data, pb.grad.numpy(), rtol=1e-12)
