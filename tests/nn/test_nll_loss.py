"""nll_loss / NLLLoss and the Softmax / LogSoftmax modules (PyTorch's LSTM-tagger pairing)."""

import numpy as np
import pytest
from strategies import gradcheck

import minidl
import minidl.nn.functional as F
from minidl import nn

TARGET = np.array([0, 3, 2, 1, 3])
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])


def _logits(seed=0):
    return minidl.tensor(np.random.default_rng(seed).normal(size=(5, 4)), requires_grad=True)


def test_a_hand_computed_loss():
    logp = minidl.tensor(np.log([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]))
    t = np.array([0, 1])
    # ℓ = (−log 0.5, −log 0.8); mean = (log 2 + log 1.25) / 2 = log(2.5) / 2
    assert F.nll_loss(logp, t).item() == pytest.approx(np.log(2.5) / 2)
    assert F.nll_loss(logp, t, reduction="sum").item() == pytest.approx(np.log(2.5))
    np.testing.assert_allclose(
        F.nll_loss(logp, t, reduction="none").data, [np.log(2), np.log(1.25)]
    )
    # class weights w = (3, 1, 1): (3 log 2 + 1 log 1.25) / (3 + 1)
    w = np.array([3.0, 1.0, 1.0])
    expected = (3 * np.log(2) + np.log(1.25)) / 4
    assert F.nll_loss(logp, t, w).item() == pytest.approx(expected)
    # the ignored target counts neither in the sum nor in the count
    assert F.nll_loss(logp, t, ignore_index=0).item() == pytest.approx(np.log(1.25))
    assert F.nll_loss(logp, t, ignore_index=0, reduction="none").data[0] == 0


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "options", [{}, {"weight": WEIGHT}, {"ignore_index": 3}, {"weight": WEIGHT, "ignore_index": 2}]
)
def test_nll_of_log_softmax_is_cross_entropy_value_and_gradient(reduction, options):
    # cross-entropy is defined as −log softmax(x)[t]: the two routes must agree
    x1, x2 = _logits(), _logits()
    a = F.nll_loss(F.log_softmax(x1, dim=1), TARGET, reduction=reduction, **options)
    b = F.cross_entropy(x2, TARGET, reduction=reduction, **options)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-14)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(x1.grad.data, x2.grad.data, rtol=1e-10, atol=1e-14)


def test_gradient_matches_finite_differences():
    x = _logits(1)
    assert gradcheck(lambda x: F.nll_loss(x, TARGET, WEIGHT, ignore_index=2), (x,))


def test_float32_stays_float32():
    x = minidl.tensor(np.zeros((3, 2), np.float32), requires_grad=True)
    loss = F.nll_loss(F.log_softmax(x, dim=1), np.array([0, 1, 1]), np.array([1.0, 2.0]))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32
    assert loss.item() == pytest.approx(np.log(2), rel=1e-6)  # uniform over 2 classes


@pytest.mark.parametrize(
    "call, error, fragments",
    [
        (lambda x: F.nll_loss(x, np.array([0.0, 1.0])), TypeError, ("nll_loss", "integer")),
        (lambda x: F.nll_loss(x, np.array([0, 3])), IndexError, ("nll_loss", "target 3")),
        (lambda x: F.nll_loss(x, np.array([0])), ValueError, ("nll_loss", "shape (1,)")),
        (lambda x: F.nll_loss(x[0], np.array([0])), ValueError, ("unbatched", "0-d target")),
        (lambda x: F.nll_loss(x[0, 0], np.array(0)), ValueError, ("log-probabilities", "(N, C)")),
        (lambda x: F.nll_loss(x, np.array([1, 1]), ignore_index=1), ValueError, ("zero targets",)),
        (lambda x: F.nll_loss(x, np.array([0, 1]), reduction="avg"), ValueError, ("reduction",)),
        (
            lambda x: F.nll_loss(x, np.array([0, 1]), np.array([1.0])),
            ValueError,
            ("nll_loss", "one number per class"),
        ),
    ],
)
def test_bad_input_is_refused_naming_nll_loss(call, error, fragments):
    x = minidl.tensor(np.log(np.full((2, 3), 1 / 3)))
    with pytest.raises(error) as e:
        call(x)
    assert all(f in str(e.value) for f in fragments), str(e.value)


def test_log_softmax_and_nll_loss_modules_train_as_cross_entropy_does():
    # the same MLP trained one SGD step both ways ends at the same weights
    def model():
        minidl.manual_seed(0)
        return nn.Linear(4, 3)

    x = minidl.tensor(np.random.default_rng(2).normal(size=(6, 4)).astype(np.float32))
    t = minidl.tensor([0, 1, 2, 2, 1, 0])
    a, b = nn.Sequential(model(), nn.LogSoftmax(dim=1)), model()
    for net, loss_fn in ((a, nn.NLLLoss()), (b, nn.CrossEntropyLoss())):
        opt = minidl.optim.SGD(net.parameters(), lr=0.5)
        loss_fn(net(x), t).backward()
        opt.step()
    np.testing.assert_allclose(a[0].weight.data, b.weight.data, rtol=1e-6, atol=1e-7)
    assert repr(a[1]) == "LogSoftmax(dim=1)" and repr(nn.NLLLoss(reduction="sum")).startswith(
        "NLLLoss(reduction='sum')"
    )


def test_softmax_module_normalises_along_its_dim():
    x = minidl.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = nn.Softmax(dim=1)(x)
    np.testing.assert_allclose(p.data.sum(axis=1), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(p.data[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(nn.Softmax(dim=0)(x).data.sum(axis=0), [1.0] * 3, rtol=1e-6)
