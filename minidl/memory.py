"""Reuse freed memory between training steps (Linux/glibc): no page faults on repeated shapes.

A training step allocates the same multi-MB arrays every time (activations,
the gates of an LSTM, gradients).  By default glibc's ``malloc`` serves each
one with fresh pages from the OS and gives them back when the array is freed,
so the next step pays again: the OS zero-fills every new page on first touch
(a "page fault").  In the benchmarks that was 15–25% of a step.

:func:`keep_freed_memory` asks malloc (``mallopt``) to serve arrays up to
32 MB from its own heap and to keep up to 256 MB of freed heap for reuse,
which is what a framework's caching allocator does.  ``import minidl`` calls
it once; set the environment variable ``MINIDL_KEEP_FREED_MEMORY=0`` before
importing to leave malloc alone.  Elsewhere (macOS, Windows, musl) it does
nothing and returns False.
"""

import ctypes
import os

__all__ = ["keep_freed_memory", "is_keeping_freed_memory", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

# mallopt parameter numbers, from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 * 2**20  # blocks below this come from the reusable heap (glibc's maximum)
TRIM_THRESHOLD = 256 * 2**20  # freed heap kept for reuse before any is returned to the OS
_GLIBC_DEFAULT = 128 * 2**10  # both thresholds start here in glibc (then adapt)

_applied = [False]


def _mallopt():
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.36"; absent off glibc
    except (AttributeError, ValueError, OSError):
        return None
    if not libc or not libc.startswith("glibc"):
        return None
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None


def keep_freed_memory(enable=True):
    """Make glibc keep freed arrays for reuse (True), or return to its initial sizes (False).

    Returns True when malloc accepted the setting, False where there is no glibc.
    ``enable=False`` sets both thresholds back to glibc's starting 128 kB.
    """
    mallopt = _mallopt()
    if mallopt is None:
        return False
    mmap, trim = (MMAP_THRESHOLD, TRIM_THRESHOLD) if enable else (_GLIBC_DEFAULT, _GLIBC_DEFAULT)
    ok = bool(mallopt(_M_MMAP_THRESHOLD, mmap)) and bool(mallopt(_M_TRIM_THRESHOLD, trim))
    _applied[0] = ok and enable
    return ok


def is_keeping_freed_memory():
    """True if :func:`keep_freed_memory` is in effect in this process."""
    return _applied[0]


def _apply_default():
    if os.environ.get("MINIDL_KEEP_FREED_MEMORY", "1").strip().lower() not in ("0", "false", "no"):
        keep_freed_memory(True)
