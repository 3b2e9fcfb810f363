"""Every registered op is gradchecked: a new Function without a case or a test fails here."""

import pytest

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
    "Softmax",
    "LogSoftmax",
    "LogSumExp",
}


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
