"""cross_entropy with class probabilities (soft targets), against the formula in NumPy:

ℓₙ = −Σ_c w_c qₙc log softmax(xₙ)_c,  qₙ = (1 − ε) tₙ + ε / C,  mean = Σₙ ℓₙ / N.
"""

import numpy as np
import pytest
from strategies import gradcheck

import minidl
import minidl.nn.functional as F
from minidl import nn

W = np.array([0.5, 2.0, 1.0, 3.0])


def _t(a, dtype=np.float64, grad=False):
    return minidl.tensor(np.asarray(a, dtype=dtype), requires_grad=grad)


def _log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def reference(x, t, weight=None, eps=0.0, reduction="mean"):
    """The loss of (N, C) rows, straight from the formula."""
    c = x.shape[1]
    w = np.ones(c) if weight is None else weight
    q = (1 - eps) * t + eps / c
    losses = -(w * q * _log_softmax(x)).sum(axis=1)
    if reduction == "none":
        return losses
    return losses.sum() / (x.shape[0] if reduction == "mean" else 1)


def _data(n=5, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, c)) * 2, rng.dirichlet(np.ones(c), n)


def test_hand_worked_values():
    # equal logits: p = 1/2 for both classes, so ℓ = −(0.3 + 0.7) log ½ = log 2
    loss = F.cross_entropy(_t([[0.0, 0.0]]), _t([[0.3, 0.7]]))
    assert loss.item() == pytest.approx(np.log(2), rel=1e-15)
    # logits log 1, log 3: p = (¼, ¾); t = (½, ½): ℓ = −½ log ¼ − ½ log ¾
    x = _t([[0.0, np.log(3.0)]])
    expected = -(0.5 * np.log(0.25) + 0.5 * np.log(0.75))
    assert F.cross_entropy(x, _t([[0.5, 0.5]])).item() == pytest.approx(expected, rel=1e-14)
    # weights (2, 1): −(2·½ log ¼ + 1·½ log ¾); the mean of one row divides by N = 1, not Σw
    got = F.cross_entropy(x, _t([[0.5, 0.5]]), weight=np.array([2.0, 1.0])).item()
    assert got == pytest.approx(-(np.log(0.25) + 0.5 * np.log(0.75)), rel=1e-14)
    # smoothing ε = 0.5 over C = 2 turns t = (1, 0) into q = (¾, ¼)
    got = F.cross_entropy(x, _t([[1.0, 0.0]]), label_smoothing=0.5).item()
    assert got == pytest.approx(-(0.75 * np.log(0.25) + 0.25 * np.log(0.75)), rel=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [None, W])
@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_matches_the_formula(reduction, weight, eps):
    x, t = _data()
    got = F.cross_entropy(_t(x), _t(t), weight, reduction=reduction, label_smoothing=eps)
    expected = reference(x, t, weight, eps, reduction)
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got.data, expected, rtol=1e-13)


@pytest.mark.parametrize("weight", [None, W])
@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_one_hot_targets_give_the_class_index_loss(weight, eps):
    x, _ = _data(6)
    labels = np.array([0, 3, 2, 1, 3, 0])
    one_hot = np.eye(4)[labels]
    for reduction in ("none", "sum"):
        soft = F.cross_entropy(_t(x), _t(one_hot), weight, reduction=reduction, label_smoothing=eps)
        hard = F.cross_entropy(_t(x), labels, weight, reduction=reduction, label_smoothing=eps)
        np.testing.assert_allclose(soft.data, hard.data, rtol=1e-14, atol=1e-15)
    # the means differ by design (PyTorch's rule): Σₙ ℓₙ / N against Σₙ ℓₙ / Σₙ w_tₙ
    soft = F.cross_entropy(_t(x), _t(one_hot), weight, label_smoothing=eps).item()
    hard = F.cross_entropy(_t(x), labels, weight, label_smoothing=eps).item()
    w_t = np.ones(6) if weight is None else weight[labels]
    assert soft == pytest.approx(hard * w_t.sum() / 6, rel=1e-14)
    # and so do the gradients, by the same factor
    xs, xh = _t(x, grad=True), _t(x, grad=True)
    F.cross_entropy(xs, _t(one_hot), weight, label_smoothing=eps).backward()
    F.cross_entropy(xh, labels, weight, label_smoothing=eps).backward()
    np.testing.assert_allclose(xs.grad.data, xh.grad.data * w_t.sum() / 6, rtol=1e-13, atol=1e-16)


def test_the_gradients_are_the_formulas():
    x, t = _data()
    eps, c, n = 0.2, 4, 5
    tx, tt = _t(x, grad=True), _t(t, grad=True)
    F.cross_entropy(tx, tt, W, label_smoothing=eps).backward()
    q = (1 - eps) * t + eps / c
    wq = W * q
    softmax = np.exp(_log_softmax(x))
    # dℓₙ/dxₙ = (Σ_c w_c qₙc) softmax(xₙ) − w ⊙ qₙ,  dℓₙ/dtₙ = −(1 − ε) w ⊙ log pₙ; mean: / N
    np.testing.assert_allclose(
        tx.grad.data, (wq.sum(axis=1, keepdims=True) * softmax - wq) / n, rtol=1e-13
    )
    np.testing.assert_allclose(tt.grad.data, -(1 - eps) * W * _log_softmax(x) / n, rtol=1e-13)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"weight": W}, {"weight": W, "label_smoothing": 0.3}])
def test_gradcheck_logits_and_target(reduction, kw):
    x, t = _data(seed=1)

    def fn(a, b):
        return F.cross_entropy(a, b, reduction=reduction, **kw)

    assert gradcheck(fn, (_t(x, grad=True), _t(t, grad=True)))


def test_rows_that_are_not_probabilities_are_accepted_with_the_right_gradient():
    # PyTorch does not check the rows: Σ_c tₙc ≠ 1 (and negative entries) still have a loss
    t = np.array([[2.0, -1.0, 0.0, 0.5], [0.0, 0.0, 0.0, 0.0], [0.3, 0.3, 0.3, 0.3]])
    x = np.random.default_rng(2).standard_normal((3, 4))
    got = F.cross_entropy(_t(x), _t(t), W, reduction="none", label_smoothing=0.1)
    np.testing.assert_allclose(got.data, reference(x, t, W, 0.1, "none"), rtol=1e-13)
    assert gradcheck(
        lambda a, b: F.cross_entropy(a, b, W, label_smoothing=0.1),
        (_t(x, grad=True), _t(t, grad=True)),
    )


def test_spatial_input_is_one_row_per_position():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3))  # (N, C, d)
    t = np.moveaxis(rng.dirichlet(np.ones(4), (2, 3)), -1, 1)
    rows_x = np.moveaxis(x, 1, -1).reshape(-1, 4)
    rows_t = np.moveaxis(t, 1, -1).reshape(-1, 4)
    none = F.cross_entropy(_t(x), _t(t), W, reduction="none", label_smoothing=0.1)
    assert none.shape == (2, 3)
    expected = reference(rows_x, rows_t, W, 0.1, "none").reshape(2, 3)
    np.testing.assert_allclose(none.data, expected, rtol=1e-13)
    mean = F.cross_entropy(_t(x), _t(t), W, label_smoothing=0.1)
    assert mean.item() == pytest.approx(expected.sum() / 6, rel=1e-13)  # / (N·d)
    assert gradcheck(
        lambda a, b: F.cross_entropy(a, b, W, label_smoothing=0.1),
        (_t(x, grad=True), _t(t, grad=True)),
    )


def test_a_constant_target_gets_no_gradient():
    x, t = _data()
    tx, tt = _t(x, grad=True), _t(t)
    F.cross_entropy(tx, tt).backward()
    assert tt.grad is None and tx.grad is not None
    # a NumPy array target works the same
    assert F.cross_entropy(_t(x), t).item() == pytest.approx(reference(x, t), rel=1e-13)


def test_float32_stays_float32_and_mixed_dtypes_promote_as_pytorch():
    x, t = _data()
    tx = _t(x, np.float32, grad=True)
    tt = _t(t, np.float32, grad=True)
    loss = F.cross_entropy(tx, tt, W, label_smoothing=0.1)
    assert loss.dtype == np.float32
    loss.backward()
    assert tx.grad.dtype == np.float32 and tt.grad.dtype == np.float32
    assert F.cross_entropy(tx, tt, reduction="none").dtype == np.float32
    # float32 logits against a float64 target: float64, as PyTorch; each grad in its own dtype
    tx.grad = None
    t64 = _t(t, grad=True)
    mixed = F.cross_entropy(tx, t64)
    assert mixed.dtype == np.float64
    mixed.backward()
    assert tx.grad.dtype == np.float32 and t64.grad.dtype == np.float64


def test_the_module_takes_soft_targets():
    x, t = _data()
    loss = nn.CrossEntropyLoss(weight=W, reduction="sum", label_smoothing=0.2)(_t(x), _t(t))
    assert loss.item() == pytest.approx(reference(x, t, W, 0.2, "sum"), rel=1e-13)


def test_class_indices_still_take_the_class_index_path():
    x = _t(np.zeros((2, 3)), grad=True)
    assert F.cross_entropy(x, np.array([0, 2])).grad_fn.name == "CrossEntropyBackward"
    assert F.cross_entropy(x, np.eye(3)[[0, 2]]).grad_fn.name == "SoftCrossEntropyBackward"


def test_errors_name_the_problem():
    x = minidl.zeros(3, 4)
    probs = minidl.full((3, 4), 0.25)
    with pytest.raises(ValueError, match=r"float target of shape \(4, 3\) does not match input"):
        F.cross_entropy(x, minidl.full((4, 3), 0.25))
    with pytest.raises(ValueError, match=r"float target of shape \(3, 4, 1\).*input's shape"):
        F.cross_entropy(x, minidl.full((3, 4, 1), 0.25))
    # a float target of the class-index shape: most likely class numbers as floats
    with pytest.raises(TypeError, match=r"integer class indices.*float32.*\(3, 4\)"):
        F.cross_entropy(x, minidl.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="ignore_index=0 does not apply to a float target"):
        F.cross_entropy(x, probs, ignore_index=0)
    assert F.cross_entropy(x, probs, ignore_index=-100).item() == pytest.approx(np.log(4))
    with pytest.raises(ValueError, match=r"input must be float logits of shape \(N, C\)"):
        F.cross_entropy(minidl.tensor(1.0), minidl.tensor(0.25))  # (C,) is unbatched: fine
    with pytest.raises(ValueError, match=r"has no classes"):
        F.cross_entropy(minidl.zeros(3, 0), minidl.zeros(3, 0))
    with pytest.raises(ValueError, match=r"weight must hold one number per class, shape \(4,\)"):
        F.cross_entropy(x, probs, weight=np.ones(3))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, probs, label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction must be"):
        F.cross_entropy(x, probs, reduction="avg")
    with pytest.raises(ValueError, match="mean over zero targets is undefined.*empty batch"):
        F.cross_entropy(minidl.zeros(0, 4), minidl.zeros(0, 4))
    assert F.cross_entropy(minidl.zeros(0, 4), minidl.zeros(0, 4), reduction="sum").item() == 0


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 4, 3))
    t = rng.uniform(0, 1, (2, 4, 3))  # not normalised: neither library checks
    for kw in ({}, {"label_smoothing": 0.2}):
        tx, tt = _t(x, grad=True), _t(t, grad=True)
        out = F.cross_entropy(tx, tt, W, reduction=reduction, **kw)
        out.sum().backward()
        px = torch.tensor(x, requires_grad=True)
        pt = torch.tensor(t, requires_grad=True)
        ref = torch.nn.functional.cross_entropy(px, pt, torch.tensor(W), reduction=reduction, **kw)
        ref.sum().backward()
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(tx.grad.data, px.grad.numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(tt.grad.data, pt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_an_unbatched_input_with_probabilities_of_its_shape_is_one_row():
    # ℓ = −Σ_c t_c log softmax(x)_c;  dℓ/dx = (Σ_c t_c) softmax(x) − t
    x0, t0 = np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.3, 0.5])
    x = minidl.tensor(x0, requires_grad=True)
    log_p = x0 - np.log(np.exp(x0).sum())
    for reduction in ("mean", "sum", "none"):
        out = F.cross_entropy(x, minidl.tensor(t0), reduction=reduction)
        assert out.shape == ()
        np.testing.assert_allclose(out.item(), -(t0 * log_p).sum(), rtol=1e-12)
    F.cross_entropy(x, minidl.tensor(t0)).backward()
    np.testing.assert_allclose(x.grad.data, np.exp(log_p) - t0, rtol=1e-12)
