"""binary_cross_entropy(_with_logits) / BCELoss / BCEWithLogitsLoss, against hand-worked values."""

import numpy as np
import pytest
from strategies import gradcheck

import minidl
import minidl.nn.functional as F
from minidl import nn

LOG2 = np.log(2)


def _t(a, dtype=np.float64, grad=False):
    return minidl.tensor(np.asarray(a, dtype=dtype), requires_grad=grad)


def test_logit_zero_costs_log_2_whatever_the_target():
    x = _t([0.0, 0.0, 0.0])
    y = _t([0.0, 1.0, 0.3])
    assert F.binary_cross_entropy_with_logits(x, y).item() == pytest.approx(LOG2)
    assert F.binary_cross_entropy_with_logits(x, y, reduction="sum").item() == pytest.approx(
        3 * LOG2
    )
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(x, y, reduction="none").data, [LOG2] * 3
    )
    # and p = 1/2 for BCE on probabilities
    assert F.binary_cross_entropy(_t([0.5, 0.5]), _t([1.0, 0.0])).item() == pytest.approx(LOG2)


def test_hand_values_on_probabilities():
    p, y = _t([0.8, 0.25]), _t([1.0, 0.0])
    # −log 0.8 and −log 0.75
    np.testing.assert_allclose(
        F.binary_cross_entropy(p, y, reduction="none").data, [-np.log(0.8), -np.log(0.75)]
    )
    # soft target 0.3 at p = 0.6: −(0.3 log 0.6 + 0.7 log 0.4)
    got = F.binary_cross_entropy(_t([0.6]), _t([0.3]), reduction="sum").item()
    assert got == pytest.approx(-(0.3 * np.log(0.6) + 0.7 * np.log(0.4)))


@pytest.mark.parametrize("x", [20.0, 40.0, 80.0])
def test_a_confident_right_answer_costs_about_exp_minus_x(x):
    # y = 1: ℓ = softplus(−x) = log(1 + e^−x) ≈ e^−x, kept to full relative precision
    loss = F.binary_cross_entropy_with_logits(_t([x]), _t([1.0])).item()
    assert loss == pytest.approx(np.exp(-x), rel=1e-12)
    # y = 0 and −x: the same by symmetry; the wrong answer costs ≈ x
    assert F.binary_cross_entropy_with_logits(_t([-x]), _t([0.0])).item() == pytest.approx(
        np.exp(-x), rel=1e-12
    )
    assert F.binary_cross_entropy_with_logits(_t([x]), _t([0.0])).item() == pytest.approx(x)


def test_with_logits_equals_bce_of_sigmoid_away_from_the_clamp():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3)) * 3
    y = rng.uniform(size=(5, 3))
    w = rng.uniform(0.5, 2, size=(3,))
    for reduction in ("mean", "sum", "none"):
        a = F.binary_cross_entropy_with_logits(_t(x), _t(y), w, reduction)
        b = F.binary_cross_entropy(F.sigmoid(_t(x)), _t(y), w, reduction)
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
    # gradients too, through the chain rule of sigmoid
    x1, x2 = _t(x, grad=True), _t(x, grad=True)
    F.binary_cross_entropy_with_logits(x1, _t(y)).backward()
    F.binary_cross_entropy(F.sigmoid(x2), _t(y)).backward()
    np.testing.assert_allclose(x1.grad.data, x2.grad.data, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("label", [0, 1])
def test_equals_cross_entropy_on_two_logits(label):
    # σ(x) = softmax([0, x])[1]: binary CE on x is two-class CE on [0, x]
    xs = np.array([-3.0, -0.5, 0.0, 1.2, 7.0])
    x1 = _t(xs, grad=True)
    a = F.binary_cross_entropy_with_logits(x1, _t(np.full(5, float(label))), reduction="none")
    two = _t(np.stack([np.zeros(5), xs], axis=1), grad=True)
    b = F.cross_entropy(two, np.full(5, label), reduction="none")
    np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(x1.grad.data, two.grad.data[:, 1], rtol=1e-12, atol=1e-15)


def test_stable_for_logits_of_100_in_float32():
    x = _t([100.0, -100.0, 100.0, -100.0], np.float32, grad=True)
    y = _t([1.0, 0.0, 0.0, 1.0], np.float32)
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert loss.dtype == minidl.float32 and np.isfinite(loss.data).all()
    np.testing.assert_allclose(loss.data, [0, 0, 100, 100], atol=1e-6)
    loss.sum().backward()
    assert x.grad.dtype == minidl.float32
    np.testing.assert_allclose(x.grad.data, [0, 0, 1, -1], atol=1e-6)  # σ(x) − y


def test_bce_clamps_each_log_at_minus_100():
    p = _t([0.0, 1.0, 0.0, 1.0], grad=True)
    y = _t([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(loss.data, [100, 100, 0, 0])
    loss.sum().backward()
    # PyTorch's backward: (p − y) / max(p(1 − p), 1e-12), finite at the ends
    np.testing.assert_allclose(p.grad.data, [-1e12, 1e12, 0, 0])


def test_pos_weight_and_weight_by_hand():
    x = _t([[0.0, 0.0], [0.0, 0.0]])
    y = _t([[1.0, 1.0], [0.0, 1.0]])
    # at x = 0 each term is log 2: a positive costs p_w log 2, a negative log 2
    pw = np.array([3.0, 0.5])
    got = F.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=pw)
    np.testing.assert_allclose(got.data, [[3 * LOG2, 0.5 * LOG2], [LOG2, 0.5 * LOG2]])
    w = np.array([[2.0], [10.0]])  # per row, broadcast over the classes
    got = F.binary_cross_entropy_with_logits(x, y, w, "sum", pw)
    assert got.item() == pytest.approx(2 * 3.5 * LOG2 + 10 * 1.5 * LOG2)
    # the gradient: w·[(p_w y + 1 − y) σ − p_w y] with σ(0) = 1/2
    xg = _t(x.data, grad=True)
    F.binary_cross_entropy_with_logits(xg, y, w, "sum", pw).backward()
    expected = w * ((pw * y.data + 1 - y.data) * 0.5 - pw * y.data)
    np.testing.assert_allclose(xg.grad.data, expected)
    # weighted BCE: the mean is Σ wℓ / n, not / Σ w (PyTorch)
    p, t = _t([0.5, 0.8]), _t([1.0, 1.0])
    got = F.binary_cross_entropy(p, t, np.array([2.0, 4.0])).item()
    assert got == pytest.approx((2 * LOG2 - 4 * np.log(0.8)) / 2)


def test_target_gradient_by_hand():
    x, y = _t([0.0, 2.0], grad=True), _t([0.5, 0.25], grad=True)
    F.binary_cross_entropy_with_logits(x, y, reduction="sum").backward()
    np.testing.assert_allclose(y.grad.data, -x.data)  # p_w = 1: dℓ/dy = −x
    p, t = _t([0.2, 0.5], grad=True), _t([0.0, 1.0], grad=True)
    F.binary_cross_entropy(p, t, reduction="sum").backward()
    np.testing.assert_allclose(t.grad.data, [np.log(4), 0.0], atol=1e-15)  # −logit(p)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck(reduction):
    rng = np.random.default_rng(1)
    x, y = _t(rng.normal(size=(3, 4)), grad=True), _t(rng.uniform(size=(3, 4)), grad=True)
    pw, w = rng.uniform(0.5, 3, size=4), rng.uniform(0.5, 2, size=(3, 1))

    def logits(a, b):
        return F.binary_cross_entropy_with_logits(a, b, w, reduction, pw)

    assert gradcheck(logits, (x, y))
    p = _t(rng.uniform(0.1, 0.9, size=(3, 4)), grad=True)

    def probs(a, b):
        return F.binary_cross_entropy(a, b, w, reduction)

    assert gradcheck(probs, (p, y))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = _t([[0.3, -1.0]], dtype, grad=True)
    y = _t([[1.0, 0.0]], dtype)
    for fn in (
        lambda: F.binary_cross_entropy_with_logits(x, y, [1.0, 2.0], pos_weight=[2.0, 1.0]),
        lambda: F.binary_cross_entropy(F.sigmoid(x), y, [1.0, 2.0], "sum"),
    ):
        x.grad = None
        loss = fn()
        assert loss.dtype == dtype
        loss.backward()
        assert x.grad.dtype == dtype


def test_modules():
    x, y = _t([[0.0, 3.0]]), _t([[1.0, 0.0]])
    m = nn.BCEWithLogitsLoss(pos_weight=np.array([2.0, 1.0]), reduction="sum")
    assert m(x, y).item() == pytest.approx(2 * LOG2 + np.log1p(np.exp(3.0)))
    assert "sum" in repr(m)
    assert nn.BCELoss()(_t([[0.5, 0.5]]), y).item() == pytest.approx(LOG2)
    assert nn.BCELoss(np.array([1.0, 3.0]), "none")(_t([[0.5, 0.5]]), y).data.tolist() == [
        [pytest.approx(LOG2), pytest.approx(3 * LOG2)]
    ]


@pytest.mark.parametrize("fn", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits])
def test_errors(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=f"{name}: input of shape .* differ"):
        fn(_t([[0.5], [0.5]]), _t([1.0, 0.0]))
    with pytest.raises(ValueError, match=f"{name}: reduction must be"):
        fn(_t([0.5]), _t([1.0]), reduction="avg")
    with pytest.raises(ValueError, match=f"{name}: the mean over zero elements"):
        fn(_t(np.zeros(0)), _t(np.zeros(0)))
    assert fn(_t(np.zeros(0)), _t(np.zeros(0)), reduction="sum").item() == 0
    with pytest.raises(TypeError, match=f"{name}: expected float"):
        fn(_t([0.5, 0.5]), minidl.tensor(np.array([1, 0])))
    with pytest.raises(ValueError, match=f"{name}: weight of shape \\(3,\\) does not broadcast"):
        fn(_t([[0.5, 0.5]]), _t([[1.0, 0.0]]), np.ones(3))
    with pytest.raises(RuntimeError, match="weight requires grad"):
        fn(_t([0.5]), _t([1.0]), _t([1.0], grad=True))
    with pytest.raises(ValueError, match="reduction must be"):
        (nn.BCELoss if fn is F.binary_cross_entropy else nn.BCEWithLogitsLoss)(reduction="x")


@pytest.mark.parametrize("bad", [1.5, -0.1, np.nan])
def test_probabilities_outside_0_1_are_an_error(bad):
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input must hold probabilities"):
        F.binary_cross_entropy(_t([0.5, bad]), _t([1.0, 0.0]))
    with pytest.raises(ValueError, match=rf"got {bad} at index \(1,\)"):
        F.binary_cross_entropy(_t([0.5, bad]), _t([1.0, 0.0]))


def test_pos_weight_shape_error():
    with pytest.raises(ValueError, match=r"pos_weight of shape \(3,\) .* \(2,\)"):
        F.binary_cross_entropy_with_logits(_t([[0.0, 1.0]]), _t([[1.0, 0.0]]), pos_weight=[1, 2, 3])


def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(4, 3)) * 4, rng.uniform(size=(4, 3))
    w, pw = rng.uniform(0.5, 2, size=(4, 1)), rng.uniform(0.5, 3, size=3)
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    tl = torch.nn.functional.binary_cross_entropy_with_logits(
        xt, yt, torch.tensor(w), pos_weight=torch.tensor(pw)
    )
    tl.backward()
    xm, ym = _t(x, grad=True), _t(y, grad=True)
    ml = F.binary_cross_entropy_with_logits(xm, ym, w, pos_weight=pw)
    ml.backward()
    assert ml.item() == pytest.approx(tl.item(), rel=1e-12)
    np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ym.grad.data, yt.grad.numpy(), rtol=1e-10, atol=1e-15)
    p = np.array([0.0, 1.0, 0.3, 0.9])
    t = np.array([1.0, 0.0, 0.2, 1.0])
    pt = torch.tensor(p, requires_grad=True)
    tl = torch.nn.functional.binary_cross_entropy(pt, torch.tensor(t), reduction="sum")
    tl.backward()
    pm = _t(p, grad=True)
    ml = F.binary_cross_entropy(pm, _t(t), reduction="sum")
    ml.backward()
    assert ml.item() == pytest.approx(tl.item(), rel=1e-12)
    np.testing.assert_allclose(pm.grad.data, pt.grad.numpy(), rtol=1e-10)
