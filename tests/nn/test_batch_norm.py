"""nn.BatchNorm1d: the formula in NumPy, the running estimates replayed by hand, and torch."""

import numpy as np
import pytest

import minidl
from minidl import nn


def _normalised(x, axes, eps=1e-5):
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)  # biased, as PyTorch normalises
    return (x - mu) / np.sqrt(var + eps)


@pytest.mark.parametrize("shape, axes", [((5, 3), (0,)), ((4, 3, 2), (0, 2))])
def test_training_normalises_each_channel_with_the_batch(shape, axes):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 4 + 2
    norm = nn.BatchNorm1d(3, dtype=np.float64)
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    norm.weight.data[...] = w
    norm.bias.data[...] = b
    view = (1, 3) if len(shape) == 2 else (1, 3, 1)
    expected = _normalised(x, axes) * w.reshape(view) + b.reshape(view)
    np.testing.assert_allclose(norm(minidl.tensor(x)).data, expected, rtol=1e-12, atol=1e-12)


def test_running_estimates_move_by_momentum_and_eval_uses_them():
    rng = np.random.default_rng(1)
    norm = nn.BatchNorm1d(2, momentum=0.25, dtype=np.float64)
    mean, var = np.zeros(2), np.ones(2)
    for _ in range(3):
        x = rng.standard_normal((6, 2)) * 2 + 5
        norm(minidl.tensor(x))
        mean = 0.75 * mean + 0.25 * x.mean(axis=0)
        var = 0.75 * var + 0.25 * x.var(axis=0, ddof=1)  # the unbiased variance is tracked
    np.testing.assert_allclose(norm.running_mean.data, mean)
    np.testing.assert_allclose(norm.running_var.data, var)
    assert int(norm.num_batches_tracked.data) == 3
    norm.eval()
    x = rng.standard_normal((2, 2))
    np.testing.assert_allclose(norm(minidl.tensor(x)).data, (x - mean) / np.sqrt(var + 1e-5))


def test_momentum_none_is_the_cumulative_average():
    norm = nn.BatchNorm1d(1, momentum=None, dtype=np.float64)
    batches = [np.array([[1.0], [3.0]]), np.array([[5.0], [9.0]])]
    for x in batches:
        norm(minidl.tensor(x))
    assert norm.running_mean.data.tolist() == [(2.0 + 7.0) / 2]


def test_state_dict_options_and_errors_as_pytorch():
    norm = nn.BatchNorm1d(3)
    assert list(norm.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked",
    ]  # fmt: skip
    assert repr(norm) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )
    plain = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(plain.parameters()) == [] and list(plain.state_dict()) == []
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected input \(N, 3\)"):
        norm(minidl.zeros(4, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        norm(minidl.zeros(1, 3))


def test_batch_norm_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    theirs = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    mine = nn.BatchNorm1d(3, dtype=np.float64)
    for _ in range(2):
        x, c = rng.standard_normal((5, 3, 2)), rng.standard_normal((5, 3, 2))
        xt, xm = torch.tensor(x, requires_grad=True), minidl.tensor(x, requires_grad=True)
        (theirs(xt) * torch.tensor(c)).sum().backward()
        (mine(xm) * minidl.tensor(c)).sum().backward()
        np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(mine.running_var.data, theirs.running_var.numpy())
    np.testing.assert_allclose(mine.weight.grad.data, theirs.weight.grad.numpy())
