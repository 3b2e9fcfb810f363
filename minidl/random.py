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
    """The current ``np.random.Generator`` (replaced by each ``manual_seed`` and
    ``set_rng_state``: ask for it again rather than keep it)."""
    return _state["rng"]


_WORD = 2**64


def get_rng_state():
    """The generator's state as a uint64 array of 6 words, for a checkpoint (as
    ``torch.get_rng_state``): with :func:`set_rng_state`, a resumed run draws the same
    shuffles and dropout masks as one that never stopped.  ``minidl.save`` can store it.
    A ``DataLoader(seed=...)`` shuffles with a generator of its own, not included."""
    st = _state["rng"].bit_generator.state  # PCG64: two 128-bit ints and a buffered draw
    s, inc = st["state"]["state"], st["state"]["inc"]
    words = [s // _WORD, s % _WORD, inc // _WORD, inc % _WORD, st["has_uint32"], st["uinteger"]]
    return np.array(words, dtype=np.uint64)


def set_rng_state(state):
    """Restore a state from :func:`get_rng_state`; the draws continue from that point."""
    words = np.asarray(getattr(state, "data", state))
    if words.shape != (6,) or words.dtype.kind not in "iu" or (words < 0).any():
        raise ValueError(
            f"set_rng_state: expected the 6 non-negative integer words get_rng_state returns, "
            f"got shape {words.shape} dtype {words.dtype}"
        )
    w = [int(v) for v in words]
    rng = np.random.default_rng()
    try:
        rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": w[0] * _WORD + w[1], "inc": w[2] * _WORD + w[3]},
            "has_uint32": w[4],
            "uinteger": w[5],
        }
    except (ValueError, TypeError, OverflowError) as e:
        raise ValueError(f"set_rng_state: not a state from get_rng_state ({e})") from None
    _state["rng"] = rng


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
