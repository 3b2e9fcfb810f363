"""minidl.memory: glibc keeps freed arrays for reuse after ``import minidl``.

Checked through glibc's own accounting (``mallinfo2``) in fresh processes, with
and without the ``MINIDL_KEEP_FREED_MEMORY=0`` opt-out.
"""

import ctypes
import os
import platform
import subprocess
import sys

import pytest

import minidl

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
HAS_MALLINFO2 = GLIBC and hasattr(ctypes.CDLL(None), "mallinfo2")

# Allocate and free one 8 MB array after `import minidl`; print how much freed
# memory malloc keeps in its heap (fordblks).
PROBE = """
import ctypes
import numpy as np
import minidl

FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS.split()]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
a = np.ones(2**20)  # 8 MB
a += 1
del a
info = libc.mallinfo2()
print(minidl.memory.is_keeping_freed_memory(), info.fordblks)
"""


def _probe(env_value):
    env = dict(os.environ)
    env.pop("MINIDL_KEEP_FREED_MEMORY", None)
    if env_value is not None:
        env["MINIDL_KEEP_FREED_MEMORY"] = env_value
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    keeping, free_bytes = out.stdout.split()
    return keeping == "True", int(free_bytes)


@pytest.mark.skipif(not HAS_MALLINFO2, reason="needs glibc >= 2.33 (mallinfo2)")
def test_import_makes_malloc_keep_a_freed_8mb_array_for_reuse():
    keeping, free_bytes = _probe(None)
    assert keeping
    assert free_bytes >= 8 * 2**20


@pytest.mark.skipif(not HAS_MALLINFO2, reason="needs glibc >= 2.33 (mallinfo2)")
def test_opt_out_leaves_malloc_returning_the_array_to_the_os():
    keeping, free_bytes = _probe("0")
    assert not keeping
    assert free_bytes < 8 * 2**20  # glibc's default: an 8 MB block is mmapped and unmapped


def test_keep_freed_memory_reports_whether_it_applied_and_can_be_undone():
    assert minidl.memory.keep_freed_memory(True) is GLIBC
    assert minidl.memory.is_keeping_freed_memory() is GLIBC
    assert minidl.memory.keep_freed_memory(False) is GLIBC
    assert minidl.memory.is_keeping_freed_memory() is False
    minidl.memory.keep_freed_memory(True)  # back to what `import minidl` set
