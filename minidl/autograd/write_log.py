"""The in-place write log: backward refuses an op whose saved array was overwritten since.

``note_write`` numbers each in-place write from the counter that numbers
recorded ops; backward compares the two (``_check_saved_unchanged``).
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

from minidl.autograd.function import _next_id


class _WriteLog:
    """The in-place writes backward checks (see ``note_write``); one instance, as ``_GradMode``."""

    __slots__ = ("last", "by_owner")

    def __init__(self):
        self.last = 0  # creation number of the most recent in-place write anywhere (see note_write)
        # id(array owning written memory) -> [weak reference to that array, number of its last
        # write]; an entry leaves when its array is freed
        self.by_owner = {}


_Writes = _WriteLog()


def note_write(*tensors):
    """Record that each tensor's memory was just written in place (``t[i] = v``, an optimizer step).

    A write takes a number from the same counter as recorded ops, so "written
    after op N ran" is "its number > N.seq".  Backward then refuses an op that
    saved an array sharing memory with the written array, after it ran: its
    gradient would silently use the new values (PyTorch's "modified by an
    inplace operation" error).  The whole array that owns the memory counts as
    written, as PyTorch counts the whole storage, so writes through views and
    ``detach()`` are seen too.  Writes through ``.data`` or NumPy are not.
    """
    seq = _next_id()  # one number for writes made together (every parameter of a step)
    _Writes.last = seq
    by_owner = _Writes.by_owner
    for t in tensors:
        owner = t.data
        if owner.base is not None:  # a parameter owns its array: skip the walk
            owner = _owner(owner)
        entry = by_owner.get(id(owner))
        if entry is not None and entry[0]() is owner:
            entry[1] = seq  # a parameter is written every step: one entry, updated
        else:
            key = id(owner)
            by_owner[key] = [weakref.ref(owner, functools.partial(_forget_writes, key)), seq]


def _forget_writes(key, ref):
    entry = _Writes.by_owner.get(key)
    if entry is not None and entry[0] is ref:  # not a newer array that reused the id
        del _Writes.by_owner[key]


def _check_saved_unchanged(node):
    """Raise if an array ``node`` saved for backward was written in place after it ran."""
    for array in node.saved_tensors:
        if not isinstance(array, np.ndarray):
            continue
        owner = _owner(array)
        entry = _Writes.by_owner.get(id(owner))
        if entry is not None and entry[1] > node.seq and entry[0]() is owner:
            raise RuntimeError(_overwritten(node, array))


def _overwritten(node, array):
    what = "a value it saved (its output, or an index)"
    for k, inp in enumerate(node.inputs):
        if isinstance(inp, Tensor) and np.shares_memory(inp.data, array):
            what = f"its input {k}"
            break
    return (
        f"backward: {node.name} needs {what} (shape {array.shape}, {array.dtype}) as it was "
        "when the op ran, but that memory was modified in place afterwards (t[...] = v, or "
        "an optimizer step before this backward); call backward first, or write into a copy "
        "made before the op (t.clone())"
    )


def _owner(a):
    """The array that owns ``a``'s memory (``a`` itself unless it is a view)."""
    while True:
        base = a.base
        if isinstance(base, np.ndarray):
            a = base
        elif isinstance(getattr(base, "base", None), np.ndarray):
            a = base.base  # as_strided's views keep the array behind a stand-in object
        else:
            return a


def _import_late():
    """Import ``Tensor``: minidl.tensor imports the ops, which import minidl.autograd, so
    the package calls this once all of minidl.autograd is defined (see its ``__init__``)."""
    global Tensor
    from minidl.tensor import Tensor
