"""nn.init.trunc_normal_, orthogonal_ and eye_, checked against closed forms."""

import math

import numpy as np
import pytest

import minidl
from minidl.nn import init


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    minidl.manual_seed(0)
    t = init.trunc_normal_(minidl.zeros(400, 500), mean=0.0, std=1.0, a=-1.0, b=1.0)
    x = t.data.astype(np.float64)
    assert x.min() >= -1.0 and x.max() <= 1.0
    # N(0, 1) truncated to [−1, 1]: variance 1 − 2φ(1) / (2Φ(1) − 1)
    phi = math.exp(-0.5) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    expected_var = 1 - 2 * phi / (2 * big_phi - 1)
    assert abs(x.mean()) < 4 * math.sqrt(expected_var / x.size)
    assert x.var() == pytest.approx(expected_var, rel=0.01)


def test_trunc_normal_refuses_bounds_it_cannot_sample():
    with pytest.raises(ValueError, match="need std > 0 and a < b"):
        init.trunc_normal_(minidl.zeros(3), a=1.0, b=-1.0)
    with pytest.raises(ValueError, match="more than 6 std from the mean"):
        init.trunc_normal_(minidl.zeros(3), a=10.0, b=11.0)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 3, 2)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_the_gain(shape):
    w = init.orthogonal_(minidl.zeros(*shape), gain=2.0).data.reshape(shape[0], -1)
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-5)


def test_eye_and_its_errors():
    assert init.eye_(minidl.zeros(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]
    with pytest.raises(ValueError, match="eye_: only 2-D"):
        init.eye_(minidl.zeros(2, 2, 2))
    with pytest.raises(ValueError, match="orthogonal_: only tensors with 2 or more dims"):
        init.orthogonal_(minidl.zeros(3))
