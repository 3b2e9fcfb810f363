"""One seeded generator: manual_seed repeats every draw; fork_rng leaves it untouched."""

import numpy as np
import pytest

import minidl
from minidl import selfcheck
from minidl.random import fork_rng


def draws():
    return minidl.rand(4).numpy().copy()


def test_manual_seed_repeats_the_draws():
    minidl.manual_seed(11)
    first = draws()
    minidl.manual_seed(11)
    assert np.array_equal(first, draws())


def test_fork_rng_restores_the_outer_generator_even_after_reseeding():
    minidl.manual_seed(5)
    expected = draws()
    minidl.manual_seed(5)
    with fork_rng():
        minidl.manual_seed(123)
        draws()
    assert np.array_equal(draws(), expected)


def test_the_gradient_self_check_does_not_disturb_the_users_generator():
    minidl.manual_seed(2)
    expected = draws()
    minidl.manual_seed(2)
    selfcheck.run([c for c in selfcheck.all_cases() if "dropout" in c.name or "LSTM" in c.name])
    assert np.array_equal(draws(), expected)


def test_rng_state_snapshot_restores_the_draws():
    minidl.manual_seed(3)
    minidl.rand(5)
    state = minidl.get_rng_state()
    assert state.dtype == np.uint64 and state.shape == (6,)
    expected = minidl.randn(4).data.copy(), minidl.randint(0, 100, (3,)).data.copy()
    minidl.manual_seed(99)
    minidl.set_rng_state(state)
    np.testing.assert_array_equal(minidl.randn(4).data, expected[0])
    np.testing.assert_array_equal(minidl.randint(0, 100, (3,)).data, expected[1])


@pytest.mark.parametrize(
    "bad", [np.zeros(3, np.uint64), np.zeros(6), "state", np.array([-1, 0, 0, 1, 0, 0])]
)
def test_set_rng_state_refuses_what_get_rng_state_does_not_return(bad):
    with pytest.raises(
        ValueError, match="set_rng_state: expected the 6 non-negative integer words"
    ):
        minidl.set_rng_state(bad)
