"""Every nn layer and loss: analytic gradients equal float64 central differences."""

import pytest

import minidl.nn  # noqa: F401  (registers the nn Functions)
from minidl.autograd import OPS
from minidl.nn.cases import CASES
from minidl.selfcheck import functions_used, run


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_gradient_matches_central_difference(case):
    (result,) = run([case])
    assert result.ok, result.message


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_runs_the_ops_it_claims(case):
    assert case.ops, f"{case.name} names no op"
    assert set(case.ops) <= functions_used(case)


def test_every_nn_function_has_a_case():
    nn_ops = {name for name, cls in OPS.items() if cls.__module__.startswith("minidl.nn.")}
    covered = set().union(*(functions_used(c) for c in CASES))
    assert nn_ops == {
        "Affine",
        "EmbeddingLookup",
        "DropoutMask",
        "MSE",
        "L1",
        "Huber",
        "CrossEntropy",
        "SoftCrossEntropy",
        "BinaryCrossEntropy",
        "BinaryCrossEntropyWithLogits",
        "LSTMLayer",
        "Gelu",
        "HardtanhClip",
        "HookInput",
        "HookOutput",
    }
    assert nn_ops <= covered
