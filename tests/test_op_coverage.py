"""Every registered op is gradchecked: a new Function without a case or a test fails here."""

import re
from pathlib import Path

import pytest

import minidl.ops
from minidl import selfcheck
from minidl.autograd import OPS
from minidl.ops.cases import CASES as CORE_CASES

# Core ops that have a hypothesis-driven gradcheck in tests/test_ops_*.py.
# Add the name here only together with that test.
HYPOTHESIS_TESTED = {
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Pow",
    "MatMul",
    "Exp",
    "Log",
    "Sqrt",
    "Tanh",
    "Sigmoid",
    "Relu",
    "Abs",
    "Clamp",
    "Maximum",
    "Minimum",
    "Where",
    "Cast",
    "Sum",
    "Mean",
    "Max",
    "Min",
    "Reshape",
    "Permute",
    "Expand",
    "GetItem",
    "Cat",
    "Stack",
    "Split",
    "Clone",
    "Softmax",
    "LogSoftmax",
    "LogSumExp",
    "Sin",
    "Cos",
    "Prod",
    "Cumsum",
    "Norm",
    "Remainder",
    # tests/test_ops_tutorial_extras.py
    "Gather",
    "Flip",
    "Tril",
    "Triu",
    "Sign",
    "Round",
    # tests/test_ops_shape_more.py
    "Roll",
    "RepeatInterleave",
    "Repeat",  # test_tile_matches_numpy_and_gradcheck
    "Diag",
    "Diagonal",
    "DiagOfMatrix",  # test_diagonal_and_2d_diag_match_numpy_and_gradcheck
    "Cumprod",
    "Median",
    # tests/test_ops_indexing.py
    "IndexSelect",
    "MaskedSelect",
    "Take",
    "Scatter",
    "ScatterAdd",
    "IndexAdd",
    "IndexFill",
    "IndexCopy",
    # tests/test_ops_math_more.py
    "Floor",
    "Ceil",
    "Trunc",
    "Frac",
    "Square",
    "Reciprocal",
    "Rsqrt",
    "Log1p",
    "Expm1",
    "Log2",
    "Log10",
    "Sinh",
    "Cosh",
    "Asin",
    "Acos",
    "Atan",
    "Erf",
    "Atan2",
    "Hypot",
    "Lerp",
    "Addcmul",
    "Addcdiv",
    "Fmod",
    "NanToNum",
    # tests/test_ops_products.py
    "Outer",
    "Tensordot",
    "AddMatMul",
    "Cross",
    "Kron",
    "Einsum",
}


# Every public function of minidl.ops: the differentiable ones are gradchecked over
# hypothesis shapes in tests/test_ops_*.py (the name says where), the rest carry no gradient.
PUBLIC_GRADCHECKED = {
    "test_ops_elementwise": {"add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt"}
    | {"tanh", "sigmoid", "relu", "abs", "clamp", "maximum", "minimum", "where", "cast"},
    "test_ops_reduce": {"sum", "mean", "max", "min", "amax", "amin"},
    "test_ops_linalg": {"matmul"},
    "test_ops_mm": {"mm", "bmm", "dot"},
    "test_ops_shape": {"reshape", "view", "flatten", "permute", "transpose", "squeeze"}
    | {"unsqueeze", "expand", "index", "cat", "stack", "split", "chunk", "clone"},
    "test_ops_nn": {"softmax", "log_softmax", "logsumexp"},
    "test_var_std": {"var", "std"},
    "test_ops_sort_repeat": {"masked_fill", "repeat", "sort", "topk"},
    "test_ops_math": {"sin", "cos", "prod", "cumsum", "norm"},
    "test_ops_int_and_sampling": {"remainder"},
    "test_ops_tutorial_extras": {"gather", "flip", "tril", "triu", "unbind", "sign", "round"},
    "test_ops_shape_more": {"narrow", "roll", "repeat_interleave", "tile", "movedim", "moveaxis"}
    | {"swapaxes", "swapdims", "broadcast_to", "unflatten", "diag", "diagonal", "trace"}
    | {"cumprod", "median"},
    "test_ops_indexing": {"index_select", "masked_select", "take", "take_along_dim", "scatter"}
    | {"scatter_add", "index_add", "index_fill", "index_copy"},
    "test_ops_math_more": {"floor", "ceil", "trunc", "frac", "square", "reciprocal", "rsqrt"}
    | {"log1p", "expm1", "log2", "log10", "sinh", "cosh", "asin", "acos", "atan", "erf"}
    | {"atan2", "hypot", "lerp", "addcmul", "addcdiv", "fmod", "nan_to_num", "clamp_min"}
    | {"clamp_max", "negative"},
    "test_ops_products": {"outer", "ger", "inner", "tensordot", "mv", "addmm", "baddbmm"}
    | {"cross", "kron", "einsum"},
    "test_names": {"clip", "concat", "concatenate", "meshgrid"},
}
NO_GRADIENT = {"compare", "argmax", "argmin", "allclose", "nonzero", "unique"}
# bool/int results, and floor_divide, whose backward raises as PyTorch's does (tested in
# tests/test_ops_int_and_sampling.py; it is kept out of OPS, having no gradient to check)
NO_GRADIENT |= {"bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "floor_divide"}
NO_GRADIENT |= {"logical_and", "logical_or", "logical_xor", "logical_not"}
# indices, and yes/no answers (bool tensors; equal a Python bool)
NO_GRADIENT |= {"argsort", "gt", "lt", "ge", "le", "eq", "ne", "isnan", "isinf", "isfinite"}
NO_GRADIENT |= {"any", "all", "equal"}
NO_GRADIENT |= {"count_nonzero"}  # an int64 count
NO_GRADIENT |= {"isclose", "numel"}  # a bool tensor; an int


def test_every_public_op_function_is_gradchecked_or_has_no_gradient():
    public = {
        name
        for name, obj in vars(minidl.ops).items()
        if callable(obj) and not name.startswith("_") and not isinstance(obj, type)
    }
    listed = set().union(*PUBLIC_GRADCHECKED.values())
    assert public - NO_GRADIENT == listed, (
        f"untested: {sorted(public - NO_GRADIENT - listed)}, gone: {sorted(listed - public)}"
    )


def test_each_listed_public_op_is_called_in_its_test_file():
    here = Path(__file__).parent
    for module, names in PUBLIC_GRADCHECKED.items():
        source = (here / f"{module}.py").read_text()
        for name in names - {"index", "cast"}:  # written x[...] and x.to/.double/.float
            prefixes = {m.group(1) for m in re.finditer(rf"(\w*)\.{name}\b", source)}
            assert prefixes - {"np"}, f"minidl's {name} is not used in {module}"


def _core_ops():
    return {
        name
        for name in selfcheck.registered_ops()
        if OPS[name].__module__.startswith("minidl.ops.")
    }


def test_every_registered_op_has_a_gradcase():
    covered = set().union(*(selfcheck.functions_used(c) for c in selfcheck.all_cases()))
    missing = selfcheck.registered_ops() - covered
    assert not missing, f"registered ops with no GradCase: {sorted(missing)}"


def test_core_cases_cover_every_core_op():
    covered = set().union(*(selfcheck.functions_used(c) for c in CORE_CASES))
    assert _core_ops() <= covered, sorted(_core_ops() - covered)


@pytest.mark.parametrize("case", CORE_CASES, ids=[c.name for c in CORE_CASES])
def test_core_case_runs_the_ops_it_claims(case):
    assert case.ops and set(case.ops) <= selfcheck.functions_used(case)


def test_every_case_passes_gradcheck():
    failed = [r for r in selfcheck.run() if not r.ok]
    assert not failed, "\n".join(f"{r.name} ({r.shapes}): {r.message}" for r in failed)


def test_every_core_op_has_a_hypothesis_gradcheck():
    missing = _core_ops() - HYPOTHESIS_TESTED
    assert not missing, f"core ops without a hypothesis gradcheck test: {sorted(missing)}"
    assert HYPOTHESIS_TESTED <= _core_ops(), sorted(HYPOTHESIS_TESTED - _core_ops())


def test_the_coverage_check_notices_an_uncovered_op():
    # a Function defined "inside minidl" with no case must show up as missing
    from minidl.autograd import Function

    class Uncovered(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    Uncovered.__module__ = "minidl.ops.fake"
    OPS["Uncovered"] = Uncovered
    try:
        covered = set().union(*(selfcheck.functions_used(c) for c in selfcheck.all_cases()))
        assert "Uncovered" in selfcheck.registered_ops() - covered
        assert "Uncovered" in _core_ops() - HYPOTHESIS_TESTED
    finally:
        del OPS["Uncovered"]
