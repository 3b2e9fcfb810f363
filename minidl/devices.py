"""``Device`` (``minidl.device``): minidl's one device, the CPU; the checks of PyTorch's
``device=`` and ``to(...)`` arguments; PyTorch's type names ('torch.FloatTensor') for
``Tensor.type``."""

import numpy as np

from minidl._checks import check_dtype, get_default_dtype


class Device:
    """PyTorch's ``torch.device`` (``minidl.device``), for minidl's one device: ``device("cpu")``.

    So that ``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``
    and ``model.to(device)`` run unchanged (``minidl.cuda.is_available()`` is False).
    """

    __slots__ = ("type",)

    def __init__(self, type="cpu", index=None):
        name = type.type if isinstance(type, Device) else type
        if name == "cpu:0" and index is None:  # PyTorch's "type:index" string
            name, index = "cpu", 0
        if name != "cpu" or index not in (None, 0):
            raise ValueError(
                f"device: minidl runs on the CPU only (NumPy arrays); got {name!r}"
                + ("" if index is None else f", index {index!r}")
                + ". Use device('cpu'); minidl.cuda.is_available() is False"
            )
        self.type = "cpu"

    def __str__(self):
        return self.type

    def __repr__(self):
        return f"device(type='{self.type}')"

    def __eq__(self, other):
        return isinstance(other, (Device, str)) and str(other) == self.type

    def __hash__(self):
        return hash(self.type)


device = Device  # PyTorch's lowercase name


def to_arguments(op, args, device=None, dtype=None):
    """The dtype (or None) from PyTorch-style ``to(...)`` arguments: a dtype, a device, or both.

    minidl runs on NumPy, so its only device is "cpu"; any other is an error.
    """
    for a in args:
        if isinstance(a, (str, Device)):
            device = a
        else:
            dtype = a
    check_device(op, device)
    return None if dtype is None else check_dtype(op, dtype)


def check_device(op, device):
    """Raise unless ``device`` is None, "cpu" ("cpu:0") or ``device("cpu")``: minidl runs
    on NumPy."""
    if device is not None and str(device) not in ("cpu", "cpu:0"):
        if str(device) != "cuda" and _names_a_dtype(str(device)):
            raise TypeError(
                f"{op}: {device!r} is the name of a dtype, and a string here means a device; "
                f"pass the dtype itself, e.g. np.{np.dtype(device)}"
            )
        if isinstance(device, str) and device.split(":")[0] not in _DEVICE_TYPES:
            raise ValueError(
                f"{op}: {device!r} is neither a known dtype nor a device; expected a dtype "
                "(minidl.float32, np.float64) or the device 'cpu'"
            )
        raise ValueError(
            f"{op}: minidl runs on the CPU only (NumPy arrays); got device {device!r}. "
            "Use 'cpu', or leave the device out"
        )


# PyTorch's device types: a string naming one of them gets the "CPU only" answer
_DEVICE_TYPES = {"cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "hpu", "ipu", "mtia", "lazy"}

# Tensor.type()'s names, as PyTorch's CPU tensor types
_TYPE_NAMES = {
    np.dtype(t): name
    for t, name in [
        (np.float16, "HalfTensor"),
        (np.float32, "FloatTensor"),
        (np.float64, "DoubleTensor"),
        (np.int8, "CharTensor"),
        (np.int16, "ShortTensor"),
        (np.int32, "IntTensor"),
        (np.int64, "LongTensor"),
        (np.uint8, "ByteTensor"),
        (np.uint16, "UInt16Tensor"),
        (np.uint32, "UInt32Tensor"),
        (np.uint64, "UInt64Tensor"),
        (np.bool_, "BoolTensor"),
    ]
}
_TYPE_DTYPES = {"torch." + name: d for d, name in _TYPE_NAMES.items()}


def _dtype_of_type_name(op, name):
    """The dtype a PyTorch type name such as 'torch.FloatTensor' stands for."""
    if name == "torch.Tensor":
        return get_default_dtype()
    if name in _TYPE_DTYPES:
        return _TYPE_DTYPES[name]
    if name.startswith("torch.cuda."):
        check_device(op, "cuda")
    raise ValueError(
        f"{op}: unknown type name {name!r}; expected a dtype (minidl.float32) or a PyTorch "
        "type name such as 'torch.FloatTensor' or 'torch.LongTensor'"
    )


def _names_a_dtype(name):
    try:
        return np.dtype(name).kind in "biuf"
    except TypeError:
        return False
