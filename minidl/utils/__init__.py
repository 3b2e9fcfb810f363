"""``torch.utils``'s place, for PyTorch's import lines: ``minidl.utils.data`` is
:mod:`minidl.data` itself (the same module object), so ``from torch.utils.data import
DataLoader`` becomes ``from minidl.utils.data import DataLoader``."""

import sys

from minidl import data

sys.modules[__name__ + ".data"] = data  # one module under both names, not a copy

__all__ = ["data"]
