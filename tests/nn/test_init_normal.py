"""nn.init.xavier_normal_ and kaiming_normal_: PyTorch's standard deviations, seeding, errors."""

import math
import warnings

import numpy as np
import pytest

import minidl
from minidl.nn import init

SHAPE = (400, 300)  # 120,000 samples: the sample std is within ~0.4% of std (1σ ≈ 0.2%)
FAN_IN, FAN_OUT = 300, 400


def check_normal(w, std):
    x = w.data.astype(np.float64)
    n = x.size
    # sample mean ~ N(0, std²/n), sample std ~ std · (1 ± 1/√(2n)): 6σ bounds
    assert abs(x.mean()) < 6 * std / math.sqrt(n)
    assert abs(x.std() / std - 1) < 6 / math.sqrt(2 * n)
    # normal, not uniform: excess kurtosis ≈ 0 (uniform: −1.2)
    kurt = ((x - x.mean()) ** 4).mean() / x.var() ** 2 - 3
    assert abs(kurt) < 0.1


@pytest.mark.parametrize("gain", [1.0, 5.0 / 3.0, 0.5])
def test_xavier_normal_std(gain):
    minidl.manual_seed(0)
    w = minidl.zeros(*SHAPE)
    assert init.xavier_normal_(w, gain=gain) is w
    check_normal(w, gain * math.sqrt(2.0 / (FAN_IN + FAN_OUT)))


def test_xavier_normal_fans_of_a_conv_shaped_weight():
    minidl.manual_seed(1)
    w = init.xavier_normal_(minidl.zeros(64, 32, 3, 3))
    check_normal(w, math.sqrt(2.0 / (32 * 9 + 64 * 9)))


@pytest.mark.parametrize(
    "kwargs, gain, fan",
    [
        ({}, math.sqrt(2.0), FAN_IN),  # a=0, leaky_relu: √(2 / (1 + 0²))
        ({"a": 0.2}, math.sqrt(2.0 / 1.04), FAN_IN),
        ({"mode": "fan_out"}, math.sqrt(2.0), FAN_OUT),
        ({"nonlinearity": "relu"}, math.sqrt(2.0), FAN_IN),
        ({"nonlinearity": "tanh"}, 5.0 / 3.0, FAN_IN),
        ({"nonlinearity": "linear", "mode": "fan_out"}, 1.0, FAN_OUT),
    ],
)
def test_kaiming_normal_std(kwargs, gain, fan):
    minidl.manual_seed(2)
    w = minidl.zeros(*SHAPE)
    assert init.kaiming_normal_(w, **kwargs) is w
    check_normal(w, gain / math.sqrt(fan))


@pytest.mark.parametrize("fn", [init.xavier_normal_, init.kaiming_normal_])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_seeded_reproducibility_and_dtype_kept(fn, dtype):
    def draw(seed):
        minidl.manual_seed(seed)
        return fn(minidl.tensor(np.zeros((5, 7), dtype))).data.copy()

    a, b, c = draw(3), draw(3), draw(4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.dtype == dtype


@pytest.mark.parametrize("fn", [init.xavier_normal_, init.kaiming_normal_])
def test_errors(fn):
    with pytest.raises(ValueError, match=fn.__name__):
        fn(minidl.zeros(3))  # fans need >= 2 dims
    with pytest.raises(TypeError, match=fn.__name__):
        fn(minidl.tensor(np.zeros((3, 3), np.int64)))


def test_kaiming_normal_bad_mode_and_nonlinearity():
    with pytest.raises(ValueError, match="kaiming_normal_: mode"):
        init.kaiming_normal_(minidl.zeros(3, 3), mode="fan")
    with pytest.raises(ValueError, match="kaiming_normal_: nonlinearity"):
        init.kaiming_normal_(minidl.zeros(3, 3), nonlinearity="gelu")


@pytest.mark.parametrize("fn", [init.xavier_normal_, init.kaiming_normal_])
def test_empty_weight_warns_at_the_caller_and_is_left_as_is(fn):
    empty = minidl.zeros(0, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert fn(empty) is empty
    assert len(caught) == 1 and "no elements" in str(caught[0].message)
    assert caught[0].filename == __file__
