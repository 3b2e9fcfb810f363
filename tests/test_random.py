"""One seeded generator: manual_seed repeats every draw; fork_rng leaves it untouched."""

import numpy as np

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
