"""The one random generator behind init, shuffling and dropout."""

import numpy as np

_state = {"rng": np.random.default_rng(0)}


def manual_seed(seed):
    """Reseed minidl's generator: init, ``rand``, shuffling and dropout repeat exactly."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: expected a non-negative integer, got {seed!r}")
    _state["rng"] = np.random.default_rng(int(seed))
    return _state["rng"]


def generator():
    """The current ``np.random.Generator`` (replaced by each ``manual_seed``)."""
    return _state["rng"]
