"""l1_loss / smooth_l1_loss / huber_loss and their modules, against hand-worked values."""

import numpy as np
import pytest

import minidl
import minidl.nn.functional as F
from minidl import nn


def _t(a, dtype=np.float64, grad=False):
    return minidl.tensor(np.asarray(a, dtype=dtype), requires_grad=grad)


# d = ŷ − y = [0, 0.25, −1, 3]
PRED = [1.0, 0.25, -1.0, 5.0]
TARGET = [1.0, 0.0, 0.0, 2.0]


def test_l1_by_hand():
    # |d| = [0, 0.25, 1, 3]
    np.testing.assert_allclose(F.l1_loss(_t(PRED), _t(TARGET), "none").data, [0.0, 0.25, 1.0, 3.0])
    assert F.l1_loss(_t(PRED), _t(TARGET), "sum").item() == pytest.approx(4.25)
    assert nn.L1Loss()(_t(PRED), _t(TARGET)).item() == pytest.approx(4.25 / 4)


def test_l1_gradient_is_sign_over_n_and_zero_at_zero():
    pred, target = _t(PRED, grad=True), _t(TARGET, grad=True)
    F.l1_loss(pred, target).backward()
    # sign(d) / 4, and 0 where ŷ = y (PyTorch's choice at the kink)
    np.testing.assert_array_equal(pred.grad.data, [0.0, 0.25, -0.25, 0.25])
    np.testing.assert_array_equal(target.grad.data, [0.0, -0.25, 0.25, -0.25])


def test_huber_by_hand():
    # δ = 1: ½ d² inside, |d| − ½ outside: [0, 1/32, 1/2, 5/2]
    np.testing.assert_allclose(
        F.huber_loss(_t(PRED), _t(TARGET), "none").data, [0.0, 1 / 32, 0.5, 2.5]
    )
    # δ = 2: ½ d² for |d| < 2, 2(|d| − 1) beyond: [0, 1/32, 1/2, 4]
    loss = nn.HuberLoss(reduction="sum", delta=2.0)(_t(PRED), _t(TARGET))
    assert loss.item() == pytest.approx(1 / 32 + 0.5 + 4.0)
    assert F.huber_loss(_t(PRED), _t(TARGET)).item() == pytest.approx(3.03125 / 4)


def test_smooth_l1_by_hand_and_as_huber_over_beta():
    # β = 0.5: ½ d²/β for |d| < β, |d| − β/2 beyond: [0, 1/16, 3/4, 11/4]
    got = F.smooth_l1_loss(_t(PRED), _t(TARGET), "none", beta=0.5).data
    np.testing.assert_allclose(got, [0.0, 1 / 16, 0.75, 2.75])
    huber = F.huber_loss(_t(PRED), _t(TARGET), "none", delta=0.5).data
    np.testing.assert_allclose(got, huber / 0.5)
    # β = 1 (the default) is Huber with δ = 1
    np.testing.assert_allclose(
        nn.SmoothL1Loss(reduction="none")(_t(PRED), _t(TARGET)).data,
        F.huber_loss(_t(PRED), _t(TARGET), "none").data,
    )
    # β = 0 is L1, as in PyTorch (not a division by zero)
    assert F.smooth_l1_loss(_t(PRED), _t(TARGET), beta=0.0).item() == pytest.approx(4.25 / 4)


def test_huber_and_smooth_l1_gradients_by_hand():
    # d = [0, 0.25, −1, 3, 0.5]: the last one exactly at the threshold 0.5
    pred, target = _t([*PRED, 0.5], grad=True), _t([*TARGET, 0.0])
    F.huber_loss(pred, target, "sum", delta=0.5).backward()
    # d inside (−δ, δ), ±δ outside; at |d| = δ both formulas give δ
    np.testing.assert_allclose(pred.grad.data, [0.0, 0.25, -0.5, 0.5, 0.5])
    pred.grad = None
    F.smooth_l1_loss(pred, target, "mean", beta=0.5).backward()
    # d/β inside, ±1 outside, over n = 5
    np.testing.assert_allclose(pred.grad.data, np.array([0.0, 0.5, -1.0, 1.0, 1.0]) / 5)


def test_reduction_none_passes_the_upstream_gradient_per_element():
    pred = _t(PRED, grad=True)
    (F.l1_loss(pred, _t(TARGET), "none") * _t([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_allclose(pred.grad.data, [0.0, 2.0, -3.0, 4.0])


@pytest.mark.parametrize(
    "loss", [F.l1_loss, F.smooth_l1_loss, F.huber_loss], ids=["l1", "smooth_l1", "huber"]
)
def test_float32_stays_float32(loss):
    pred = _t(PRED, np.float32, grad=True)
    out = loss(pred, _t(TARGET, np.float32))
    out.backward()
    assert out.dtype == pred.grad.dtype == np.float32
    # float32 predictions against int64 targets stay float32, as for mse_loss
    assert loss(pred, minidl.tensor([1, 0, 0, 2])).dtype == np.float32


def test_module_reprs_and_settings():
    assert repr(nn.L1Loss()) == "L1Loss()"
    assert repr(nn.SmoothL1Loss(beta=0.5)) == "SmoothL1Loss(beta=0.5)"
    assert repr(nn.HuberLoss("sum", delta=2)) == "HuberLoss(reduction='sum', delta=2.0)"
    assert nn.HuberLoss().delta == 1.0 and nn.SmoothL1Loss().beta == 1.0


def test_clear_errors():
    with pytest.raises(ValueError, match=r"l1_loss: input of shape \(4, 1\) and target of shape"):
        F.l1_loss(minidl.zeros(4, 1), minidl.zeros(4))
    with pytest.raises(ValueError, match="HuberLoss: reduction must be"):
        nn.HuberLoss(reduction="avg")
    with pytest.raises(ValueError, match="huber_loss: delta must be > 0, got delta=0"):
        F.huber_loss(minidl.zeros(2), minidl.zeros(2), delta=0)
    with pytest.raises(ValueError, match="SmoothL1Loss: beta must be >= 0, got beta=-1"):
        nn.SmoothL1Loss(beta=-1)
    with pytest.raises(TypeError, match="smooth_l1_loss: beta must be a number"):
        F.smooth_l1_loss(minidl.zeros(2), minidl.zeros(2), beta="1")
    with pytest.raises(TypeError, match="l1_loss: expected float predictions"):
        F.l1_loss(minidl.tensor([1, 2]), minidl.tensor([1, 3]))
    with pytest.raises(ValueError, match="smooth_l1_loss: the mean over zero elements"):
        F.smooth_l1_loss(minidl.zeros(0), minidl.zeros(0))


def test_same_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(4, 3)) * 2, rng.normal(size=(4, 3))
    x[0, 0] = y[0, 0]  # the kink of |d|
    x[1, 1] = y[1, 1] + 0.5  # the joint of Huber's two pieces
    cases = [
        ("l1_loss", {}, "mean"),
        ("l1_loss", {}, "none"),
        ("smooth_l1_loss", {"beta": 0.5}, "sum"),
        ("smooth_l1_loss", {"beta": 0.0}, "mean"),
        ("huber_loss", {"delta": 0.5}, "mean"),
        ("huber_loss", {}, "none"),
    ]
    w = rng.normal(size=(4, 3))
    for name, kw, reduction in cases:
        xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
        tl = getattr(torch.nn.functional, name)(xt, yt, reduction=reduction, **kw)
        (tl * torch.tensor(w)).sum().backward()
        xm, ym = _t(x, grad=True), _t(y, grad=True)
        ml = getattr(F, name)(xm, ym, reduction=reduction, **kw)
        (ml * _t(w)).sum().backward()
        np.testing.assert_allclose(ml.data, tl.detach().numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(ym.grad.data, yt.grad.numpy(), rtol=1e-12, err_msg=name)
