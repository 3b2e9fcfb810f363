"""Elementwise ops, and the helpers every op uses to take its operands, importable from here
(as ``minidl.ops.elementwise``) from the files that hold them:

- ``operands.py``: ``operand``, ``as_tensor``, ``as_float_tensor``, and PyTorch's dtype
  promotion (``result_dtype``, ``promote``) with ``cast``;
- ``arithmetic.py``: ``add``, ``sub``, ``mul``, ``div``, ``neg``/``negative``, ``pow``, ``lerp``,
  ``addcmul``, ``addcdiv``;
- ``division.py``: ``remainder`` (``%``), ``floor_divide`` (``//``, no derivative), ``fmod``;
- ``bounds.py``: ``clamp`` (``clip``, ``clamp_min``/``clamp_max``), ``maximum``, ``minimum``,
  ``where``;
- ``boolean.py``, with no gradient: ``compare`` (behind ``logic.py``'s comparisons), the
  bitwise ``&`` ``|`` ``^`` ``~`` and ``logical_*`` operators, ``allclose``, ``isclose``.

Binary ops broadcast as NumPy does; each backward returns the gradient in
the broadcast shape and the engine sums it back (``autograd.unbroadcast``).
Elementary functions (exp, log, sin, ...) are in ``elementary.py``, rounding in
``rounding.py``.
"""

from minidl.ops.arithmetic import (
    Add,
    Addcdiv,
    Addcmul,
    Div,
    Lerp,
    Mul,
    Neg,
    Pow,
    Sub,
    _neg,  # noqa: F401
    _operands,  # noqa: F401
    add,
    addcdiv,
    addcmul,
    div,
    lerp,
    mul,
    neg,
    negative,
    pow,
    sub,
)
from minidl.ops.boolean import (
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    compare,
    isclose,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
)
from minidl.ops.bounds import (
    Clamp,
    Maximum,
    Minimum,
    Where,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    maximum,
    minimum,
    where,
)
from minidl.ops.division import (
    FloorDivide,
    Fmod,
    IntegerDivisionByZero,
    Remainder,
    floor_divide,
    fmod,
    remainder,
)
from minidl.ops.operands import (
    CATEGORY,
    Cast,
    _not_bool,  # noqa: F401
    as_float_tensor,
    as_tensor,
    cast,
    operand,
    promote,
    result_dtype,
)

__all__ = [
    "operand",
    "as_tensor",
    "CATEGORY",
    "result_dtype",
    "promote",
    "as_float_tensor",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Pow",
    "IntegerDivisionByZero",
    "Remainder",
    "FloorDivide",
    "Fmod",
    "Lerp",
    "Addcmul",
    "Addcdiv",
    "Clamp",
    "Maximum",
    "Minimum",
    "Where",
    "Cast",
    "add",
    "sub",
    "mul",
    "div",
    "floor_divide",
    "remainder",
    "fmod",
    "neg",
    "negative",
    "pow",
    "lerp",
    "addcmul",
    "addcdiv",
    "clamp",
    "clip",
    "clamp_min",
    "clamp_max",
    "maximum",
    "minimum",
    "where",
    "cast",
    "compare",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "allclose",
    "isclose",
]
