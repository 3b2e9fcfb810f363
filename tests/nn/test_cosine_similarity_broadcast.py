"""F.cosine_similarity of inputs that broadcast: each norm is taken over the common shape."""

import numpy as np
import pytest
from strategies import gradcheck

import minidl
import minidl.nn.functional as F


def _cosine(a, b, dim):
    """The formula on NumPy arrays broadcast to their common shape first."""
    a, b = np.broadcast_arrays(a, b)
    return (a * b).sum(dim) / (np.linalg.norm(a, axis=dim) * np.linalg.norm(b, axis=dim))


def test_a_size_one_dim_along_dim_is_the_broadcast_vector():
    a = minidl.tensor([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])  # (1, 3, 2)
    b = minidl.tensor([[[1.0, 0.0]]])  # (1, 1, 2): the row [1, 0] three times along dim 1
    # along dim 1: a's columns (1, 0, 1) and (0, 1, 1), b's columns (1, 1, 1) and (0, 0, 0)
    c = F.cosine_similarity(a, b, dim=1)
    assert c.shape == (1, 2)
    np.testing.assert_allclose(c.data, [[2 / (np.sqrt(2) * np.sqrt(3)), 0.0]], rtol=1e-6)


def test_fewer_dims_broadcast_in_front():
    c = F.cosine_similarity(minidl.ones(2, 3), minidl.ones(3), dim=1)
    assert c.tolist() == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(
    "sa, sb, dim",
    [
        ((1, 3, 2), (1, 1, 2), 1),
        ((4, 1, 5), (1, 3, 5), 2),
        ((4, 1, 5), (1, 3, 5), 0),
        ((4, 1, 5), (3, 1), 1),
        ((2, 3), (3,), 1),
        ((2, 3), (3,), 0),
        ((2, 1), (1, 4), -1),
    ],
)
def test_broadcast_patterns_match_the_formula(sa, sb, dim):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    c = F.cosine_similarity(minidl.tensor(a), minidl.tensor(b), dim=dim)
    np.testing.assert_allclose(c.data, _cosine(a, b, dim), rtol=1e-12)


def test_inputs_that_do_not_broadcast_are_named():
    with pytest.raises(ValueError, match=r"cosine_similarity: x1 \(2, 3\) and x2 \(4,\)"):
        F.cosine_similarity(minidl.ones(2, 3), minidl.ones(4))


def test_broadcast_gradients_sum_back_to_each_input_shape():
    rng = np.random.default_rng(1)
    a = minidl.tensor(rng.standard_normal((4, 1, 5)), requires_grad=True)
    b = minidl.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    assert gradcheck(lambda s, t: F.cosine_similarity(s, t, dim=1), (a, b))
    F.cosine_similarity(a, b, dim=2).sum().backward()
    assert a.grad.shape == (4, 1, 5) and b.grad.shape == (3, 5)


def test_broadcast_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    for sa, sb, dim in [((1, 3, 2), (1, 1, 2), 1), ((4, 1, 5), (3, 1), 1), ((2, 3), (3,), 1)]:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        ta = torch.tensor(a, requires_grad=True)
        tb = torch.tensor(b, requires_grad=True)
        ma = minidl.tensor(a, requires_grad=True)
        mb = minidl.tensor(b, requires_grad=True)
        g = rng.standard_normal(
            np.broadcast_shapes(sa, sb)[:dim] + np.broadcast_shapes(sa, sb)[dim + 1 :]
        )
        theirs = torch.nn.functional.cosine_similarity(ta, tb, dim=dim)
        mine = F.cosine_similarity(ma, mb, dim=dim)
        np.testing.assert_allclose(mine.data, theirs.detach().numpy(), rtol=1e-12)
        (theirs * torch.tensor(g)).sum().backward()
        (mine * minidl.tensor(g)).sum().backward()
        np.testing.assert_allclose(ma.grad.data, ta.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(mb.grad.data, tb.grad.numpy(), rtol=1e-10, atol=1e-12)
