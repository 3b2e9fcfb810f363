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


class fork_rng:
    """``with fork_rng():`` — seeding and drawing inside leave the outer generator as it was
    (as ``torch.random.fork_rng``); used where a check must reseed without side effects."""

    def __enter__(self):
        self.saved = _state["rng"]
        _state["rng"] = np.random.default_rng(self.saved.bit_generator.state["state"]["state"])
        return _state["rng"]

    def __exit__(self, *exc):
        _state["rng"] = self.saved
        return False
