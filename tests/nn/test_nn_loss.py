"""Losses against their closed forms; stability at extreme logits; clear errors."""

import numpy as np
import pytest

import minidl
import minidl.nn as nn
import minidl.nn.functional as F


def test_mse_is_the_documents_equation_one():
    pred = minidl.tensor([1.0, 2.0, 4.0, 0.0])
    target = minidl.tensor([0.0, 2.0, 1.0, 2.0])
    # 1/n Σ (y − ŷ)² = (1 + 0 + 9 + 4) / 4
    assert nn.MSELoss()(pred, target).item() == pytest.approx(3.5)
    assert nn.MSELoss(reduction="sum")(pred, target).item() == pytest.approx(14.0)
    np.testing.assert_allclose(F.mse_loss(pred, target, "none").data, [1.0, 0.0, 9.0, 4.0])


def test_mse_mean_over_all_elements_and_gradient():
    pred = minidl.tensor([[1.0, 3.0], [2.0, 2.0], [0.0, 0.0]], requires_grad=True)
    target = minidl.tensor([[0.0, 0.0], [2.0, 4.0], [1.0, 0.0]], requires_grad=True)
    loss = F.mse_loss(pred, target)
    assert loss.item() == pytest.approx((1 + 9 + 0 + 4 + 1 + 0) / 6)
    loss.backward()
    expected = 2 * (pred.data - target.data) / 6
    np.testing.assert_allclose(pred.grad.data, expected, rtol=1e-6)
    np.testing.assert_allclose(target.grad.data, -expected, rtol=1e-6)
    assert loss.dtype == pred.grad.dtype == np.float32


def test_mse_shape_mismatch_is_an_error_not_a_broadcast():
    with pytest.raises(
        ValueError, match=r"mse_loss: input of shape \(4, 1\) and target of shape \(4,\)"
    ):
        F.mse_loss(minidl.zeros(4, 1), minidl.zeros(4))
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")


def _log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def test_cross_entropy_closed_form():
    # two equal logits of three: p = e / (2e + 1) for the target class
    logits = minidl.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    target = minidl.tensor([0, 2])
    expected = (-np.log(np.e / (2 * np.e + 1)) + np.log(3)) / 2
    assert nn.CrossEntropyLoss()(logits, target).item() == pytest.approx(expected, rel=1e-6)
    per_row = F.cross_entropy(logits, target, reduction="none").data
    np.testing.assert_allclose(per_row, [-np.log(np.e / (2 * np.e + 1)), np.log(3)], rtol=1e-6)
    total = F.cross_entropy(logits, target, reduction="sum").item()
    assert total == pytest.approx(2 * expected, rel=1e-6)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    rng = np.random.default_rng(0)
    x = minidl.tensor(rng.standard_normal((4, 3)), dtype=np.float64, requires_grad=True)
    t = np.array([2, 0, 1, 1])
    F.cross_entropy(x, t).backward()
    p = np.exp(_log_softmax(x.data))
    np.testing.assert_allclose(x.grad.data, (p - np.eye(3)[t]) / 4, rtol=1e-12)


def test_cross_entropy_extreme_logits_finite():
    x = minidl.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], requires_grad=True)
    loss = F.cross_entropy(x, minidl.tensor([1, 2]))
    loss.backward()
    # row 0: −log p₁ = 2e4 exactly (others vanish); row 1: −log p₂ = 0
    assert loss.item() == pytest.approx(1e4)
    assert np.isfinite(x.grad.data).all()
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-7)


def test_ignore_index_rows_contribute_nothing_and_mean_counts_the_rest():
    rng = np.random.default_rng(1)
    x_data = rng.standard_normal((5, 4))
    t = np.array([1, -100, 3, -100, 0])
    x = minidl.tensor(x_data, dtype=np.float64, requires_grad=True)
    loss = F.cross_entropy(x, t)
    logp = _log_softmax(x_data)
    keep = [0, 2, 4]
    expected = -np.mean(logp[keep, t[keep]])
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    loss.backward()
    assert not x.grad.data[[1, 3]].any()
    grad = (np.exp(logp) - np.eye(4)[np.maximum(t, 0)]) / 3
    np.testing.assert_allclose(x.grad.data[keep], grad[keep], rtol=1e-12)
    per_row = F.cross_entropy(x, np.array([1, 3, 3, 0, 0]), ignore_index=3, reduction="none")
    np.testing.assert_array_equal(per_row.data[1:3], [0, 0])
    assert per_row.data[0] == pytest.approx(-logp[0, 1], rel=1e-12)


def test_every_target_ignored_is_an_error_for_the_mean():
    with pytest.raises(ValueError, match="every target equals ignore_index=-100"):
        F.cross_entropy(minidl.zeros(2, 3), minidl.tensor([-100, -100]))


def test_label_smoothing_as_pytorch_defines_it():
    rng = np.random.default_rng(2)
    x_data = rng.standard_normal((4, 5))
    t = np.array([0, 4, 2, 2])
    eps = 0.1
    logp = _log_softmax(x_data)
    # q = (1 − ε) onehot + ε / C;  loss = mean over rows of −Σ q log p
    q = (1 - eps) * np.eye(5)[t] + eps / 5
    expected = np.mean(-(q * logp).sum(axis=1))
    x = minidl.tensor(x_data, dtype=np.float64, requires_grad=True)
    loss = nn.CrossEntropyLoss(label_smoothing=eps)(x, t)
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    loss.backward()
    np.testing.assert_allclose(x.grad.data, (np.exp(logp) - q) / 4, rtol=1e-12)


def test_cross_entropy_errors_name_the_problem():
    x = minidl.zeros(3, 4)
    with pytest.raises(IndexError, match=r"target 4 \(at position 1\) out of range for 4 classes"):
        F.cross_entropy(x, minidl.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match="target -1"):
        F.cross_entropy(x, minidl.tensor([0, -1, 1]))
    for dtype in (np.int8, np.int32, np.uint8):  # not only int64: the range check casts
        with pytest.raises(IndexError, match="target 9"):
            F.cross_entropy(x, np.array([0, 9, 1], dtype))
    with pytest.raises(IndexError, match="target -3"):
        F.cross_entropy(x, np.array([0, -3, 1], np.int32))
    assert F.cross_entropy(x, np.array([0, 3, 1], np.uint8)).item() == pytest.approx(np.log(4))
    with pytest.raises(TypeError, match="integer class indices.*float32"):
        F.cross_entropy(x, minidl.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(
        ValueError,
        match=r"input of shape \(3, 4\) has batch size 3 but target of shape \(2,\) has batch",
    ):
        F.cross_entropy(x, minidl.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"unbatched input of shape \(4,\) takes one class"):
        F.cross_entropy(minidl.zeros(4), minidl.tensor([0]))  # (C,) takes a 0-d target
    with pytest.raises(ValueError, match=r"shape \(N, C\)"):
        F.cross_entropy(minidl.tensor(1.0), minidl.tensor(0))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, minidl.tensor([0, 1, 2]), label_smoothing=1.5)


def test_cross_entropy_float32_stays_float32():
    x = minidl.randn(6, 3, requires_grad=True)
    loss = F.cross_entropy(x, minidl.tensor([0, 1, 2, 0, 1, 2]), label_smoothing=0.1)
    loss.backward()
    assert loss.dtype == x.grad.dtype == np.float32


def test_softmax_and_log_softmax_exposed_in_functional():
    x = minidl.tensor([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(F.log_softmax(x, dim=1).data, _log_softmax(x.data), rtol=1e-6)
    np.testing.assert_allclose(F.softmax(x, dim=1).data.sum(), 1.0, rtol=1e-6)


def test_mse_refuses_integer_predictions_and_promotes_integer_targets():
    with pytest.raises(TypeError, match="mse_loss: expected float predictions"):
        F.mse_loss(minidl.tensor([1, 2]), minidl.tensor([2, 2]))
    loss = F.mse_loss(minidl.tensor([1.0, 2.0]), minidl.tensor([2, 2]))
    assert loss.dtype == np.float32  # not float64: PyTorch's promotion
    assert loss.item() == pytest.approx(0.5)  # ((1 − 2)² + 0²) / 2


def test_class_weights_follow_the_weighted_mean():
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((6, 4)), np.array([0, 3, 3, 1, 2, 0])
    w = np.array([0.5, 2.0, 1.0, 3.0])
    nll = -_log_softmax(x)[np.arange(6), t]
    expected = (w[t] * nll).sum() / w[t].sum()  # Σₙ w_tₙ ℓₙ / Σₙ w_tₙ
    logits = minidl.tensor(x, requires_grad=True)
    loss = F.cross_entropy(logits, t, minidl.tensor(w))  # weight: the third argument
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    loss.backward()
    onehot = np.eye(4)[t]
    softmax = np.exp(_log_softmax(x))
    grad = w[t][:, None] * (softmax - onehot) / w[t].sum()
    np.testing.assert_allclose(logits.grad.data, grad, rtol=1e-12, atol=1e-15)
    module = nn.CrossEntropyLoss(w, reduction="none")
    np.testing.assert_allclose(module(minidl.tensor(x), t).data, w[t] * nll, rtol=1e-12)


def test_class_weights_with_smoothing_and_ignore_index():
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((5, 3)), np.array([0, 2, 1, 2, 1])
    w, eps = np.array([1.0, 0.25, 4.0]), 0.3
    logp = _log_softmax(x)
    q = (1 - eps) * np.eye(3)[t] + eps / 3  # the smoothed target distribution
    per_row = -(q * w * logp).sum(axis=1)
    keep = t != 2  # ignore_index=2: rows 1 and 3 are left out
    expected = per_row[keep].sum() / w[t][keep].sum()
    loss = F.cross_entropy(minidl.tensor(x), t, w, ignore_index=2, label_smoothing=eps)
    assert loss.item() == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_argument_errors():
    x, t = minidl.tensor(np.zeros((2, 3))), np.array([0, 1])
    with pytest.raises(TypeError, match="positional"):
        F.cross_entropy(x, t, None, -100)  # the options after weight are keyword-only
    with pytest.raises(TypeError, match="ignore_index must be an int, got Tensor"):
        F.cross_entropy(x, t, ignore_index=minidl.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"one number per class, shape \(3,\)"):
        F.cross_entropy(x, t, np.ones(2))
    with pytest.raises(ValueError, match="finite and >= 0"):
        F.cross_entropy(x, t, np.array([1.0, -1.0, 1.0]))
    with pytest.raises(RuntimeError, match="weights require grad"):
        F.cross_entropy(x, t, minidl.ones(3, requires_grad=True))
    with pytest.raises(ValueError, match="an empty batch"):
        F.cross_entropy(minidl.tensor(np.zeros((0, 3))), np.zeros(0, np.int64))
    with pytest.raises(ValueError, match="class weights of the targets sum to 0"):
        F.cross_entropy(x, t, np.array([0.0, 0.0, 1.0]))


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_an_unbatched_input_with_a_0d_target_is_one_row_as_in_pytorch(loss):
    # (C,) logits and a 0-d class index: ℓ = log Σ_c e^{x_c} − x_t, dℓ/dx = softmax(x) − onehot(t)
    x0 = np.array([1.0, 2.0, 3.0])
    x = minidl.tensor(x0, requires_grad=True)
    inp = x if loss == "cross_entropy" else F.log_softmax(x, dim=0)
    fn = getattr(F, loss)
    softmax = np.exp(x0) / np.exp(x0).sum()
    want = np.log(np.exp(x0).sum()) - x0[1]
    for reduction in ("mean", "sum", "none"):
        out = fn(inp, minidl.tensor(1), reduction=reduction)
        assert out.shape == ()
        np.testing.assert_allclose(out.item(), want, rtol=1e-12)
    fn(inp, minidl.tensor(1)).backward()
    np.testing.assert_allclose(x.grad.data, softmax - [0.0, 1.0, 0.0], rtol=1e-12)
    with pytest.raises(ValueError, match=r"unbatched input of shape \(3,\) takes one class index"):
        fn(inp, minidl.tensor([1]))
