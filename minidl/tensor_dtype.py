"""Tensor's dtype and device methods (``to``, ``type``, ``float()``, ``cpu()``, ...) and
new tensors of its dtype (``new_zeros``, ...), as the mixin ``TensorDtype``."""

import numpy as np

from minidl._checks import check_dtype
from minidl.devices import _TYPE_NAMES, _dtype_of_type_name, check_device, to_arguments

_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)
_INT64, _INT32, _BOOL = np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.bool_)


class TensorDtype:
    """See the module docstring (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()  # Tensor has __slots__: a mixin without them would give tensors a __dict__

    # ----- dtype and device: ``to``, ``type``, ``float()``, ``cpu()``, ...
    def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False):
        """This tensor with another dtype: a recorded cast (differentiable between floats),
        or ``self`` when the dtype already matches, as in PyTorch (``copy=True`` copies).

        PyTorch's device arguments are accepted for the one device minidl has:
        ``t.to("cpu")`` is ``t`` itself, ``t.to("cpu", np.float64)`` a cast.
        """
        dtype = to_arguments("Tensor.to", args, device, dtype)
        if copy:
            return _ops.cast(self, self.data.dtype if dtype is None else dtype)
        return self if dtype is None else self._cast(dtype)

    def _cast(self, dtype):
        # no copy when nothing changes, as PyTorch: a write through either name shows in both
        return self if self.data.dtype == dtype else _ops.cast(self, dtype)

    def type(self, dtype=None, non_blocking=False):
        """Without ``dtype``, PyTorch's type name ('torch.FloatTensor' for float32).  With one
        (a dtype, or a name such as 'torch.LongTensor'), this tensor cast to it: itself when
        the dtype already matches, else a recorded cast, as ``to``."""
        if dtype is None:
            return "torch." + _TYPE_NAMES[self.data.dtype.newbyteorder("=")]  # '>f4' too
        if isinstance(dtype, str):
            dtype = _dtype_of_type_name("Tensor.type", dtype)
        return self._cast(check_dtype("Tensor.type", dtype))

    def type_as(self, other):
        """This tensor cast to ``other``'s dtype (itself when the dtype already matches)."""
        if not isinstance(other, Tensor):
            raise TypeError(f"type_as: other must be a Tensor, got {type(other).__name__}")
        return self if other.dtype == self.data.dtype else _ops.cast(self, other.dtype)

    def is_floating_point(self):
        """True for a float dtype, as PyTorch's."""
        return self.data.dtype.kind == "f"

    def cpu(self):
        """``self``: minidl's arrays always live in the CPU's memory (PyTorch compatibility)."""
        return self

    def cuda(self, device=None, non_blocking=False):
        """Always an error: minidl has no GPU (``minidl.cuda.is_available()`` is False)."""
        check_device("Tensor.cuda", "cuda")

    def float(self):
        return self._cast(_FLOAT32)

    def double(self):
        return self._cast(_FLOAT64)

    def long(self):
        return self._cast(_INT64)

    def int(self):
        return self._cast(_INT32)

    def bool(self):
        return self._cast(_BOOL)

    def half(self):
        return self._cast(np.dtype(np.float16))

    def short(self):
        return self._cast(np.dtype(np.int16))

    def char(self):
        return self._cast(np.dtype(np.int8))

    def byte(self):
        return self._cast(np.dtype(np.uint8))

    # ----- new_*: new leaves with this tensor's dtype (unless ``dtype`` is given), no graph
    def new_full(self, size, fill_value, *, dtype=None, requires_grad=False):
        from minidl import creation  # creation imports tensor: a top-level import is circular

        dtype = self.data.dtype if dtype is None else dtype
        return creation.filled(size, fill_value, dtype, requires_grad, "new_full")

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        from minidl import creation

        dtype = self.data.dtype if dtype is None else dtype
        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return creation.filled(size, 0, dtype, requires_grad, "new_zeros")

    def new_ones(self, *size, dtype=None, requires_grad=False):
        from minidl import creation

        dtype = self.data.dtype if dtype is None else dtype
        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return creation.filled(size, 1, dtype, requires_grad, "new_ones")

    def new_tensor(self, data, *, dtype=None, requires_grad=False):
        """A copy of ``data`` as a new leaf of this tensor's dtype (a float into ints truncates)."""
        t = Tensor.__new__(Tensor)
        t._init(data, self.data.dtype if dtype is None else dtype, requires_grad)
        return t


def _import_late():
    """Import what the methods call that imports minidl.tensor.  minidl.tensor imports this
    module for Tensor's bases, before Tensor exists, and calls this once it does."""
    global Tensor, _ops
    from minidl import ops as _ops
    from minidl.tensor import Tensor
