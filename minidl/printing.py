"""How tensors print: ``set_printoptions`` (PyTorch's options) and ``format_data``, the
array's text inside ``tensor(...)``."""

import sys

import numpy as np

from minidl._checks import check_bool, check_int

# How tensors print (PyTorch's defaults); set_printoptions changes them
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": sys.maxsize, "edgeitems": 3, "linewidth": 80},
}
_PRINT = {**_PROFILES["default"], "sci_mode": None, "formatter": None}


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """How tensors print, as ``torch.set_printoptions``: digits after the point, the size
    above which a tensor is summarised with "...", the items kept at each edge then, the
    line width; ``profile`` ("default", "short", "full") sets all four first; ``sci_mode``
    True forces scientific notation, False forbids it, None lets NumPy choose."""
    op = "set_printoptions"
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"{op}: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        _PRINT.update(_PROFILES[profile])
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            # threshold may be math.inf (PyTorch's way to print everything)
            if name == "threshold" and value == float("inf"):
                value = sys.maxsize
            _PRINT[name] = check_int(op, name, value, 0)
    if sci_mode is not None:
        sci_mode = check_bool(op, "sci_mode", sci_mode)
    _PRINT["sci_mode"] = sci_mode
    digits = _PRINT["precision"]
    _PRINT["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"} if sci_mode else None


def format_data(data):
    """The text of the array ``data`` inside ``tensor(...)``, under the print options."""
    return np.array2string(
        data,
        separator=", ",
        prefix="tensor(",
        precision=_PRINT["precision"],
        threshold=_PRINT["threshold"],
        edgeitems=_PRINT["edgeitems"],
        max_line_width=_PRINT["linewidth"],
        suppress_small=_PRINT["sci_mode"] is False,
        formatter=_PRINT["formatter"],
    )
