"""The gradient self-check behind ``python -m minidl gradcheck``.

Each :class:`GradCase` builds one small float64 problem for one op, layer
or loss; :func:`run` gradchecks them all.  Cases live beside what they
check: ``minidl/ops/cases.py`` for the core ops, ``minidl/nn/cases.py`` for
layers and losses.  :func:`functions_used` tells which ``Function`` classes a
case actually runs, so a test can prove every registered op is covered.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from minidl.autograd import OPS, Function
from minidl.gradcheck import check_gradients
from minidl.random import fork_rng


@dataclass
class GradCase:
    """``make(rng)`` returns ``(fn, inputs)`` for ``gradcheck``; ``ops`` names what it covers."""

    name: str
    make: Callable
    shapes: str = ""
    ops: tuple = field(default_factory=tuple)


@dataclass
class CaseResult:
    name: str
    shapes: str
    max_abs_error: float
    max_rel_error: float
    ok: bool
    message: str = ""


_CASE_MODULES = ("minidl.ops.cases", "minidl.nn.cases")

# Stricter than gradcheck's PyTorch-style defaults (1e-5, 1e-3): in these float64 cases the
# central differences agree with a right backward to ~2e-9, so 1e-3 would let a backward that is
# off by 0.01 %, or computed in float32, pass.
ATOL, RTOL = 1e-8, 1e-6


def all_cases():
    """Every registered case, core ops first."""
    cases = []
    for mod in _CASE_MODULES:
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name != mod:
                raise
            continue
        cases.extend(module.CASES)
    return cases


def run(cases=None, seed=0, atol=ATOL, rtol=RTOL):
    """Gradcheck every case (an element passes if |analytic − numeric| ≤ atol + rtol·|numeric|)."""
    results = []
    for case in cases if cases is not None else all_cases():
        rng = np.random.default_rng(seed)
        try:
            with fork_rng():  # cases may reseed (dropout masks); the user's generator is kept
                fn, inputs = case.make(rng)
                reports = check_gradients(fn, inputs, atol=atol, rtol=rtol)
        except Exception as e:  # a crash is a failed check, reported like one
            results.append(CaseResult(case.name, case.shapes, np.nan, np.nan, False, repr(e)))
            continue
        results.append(
            CaseResult(
                case.name,
                case.shapes,
                max(r.max_abs_error for r in reports),
                max(r.max_rel_error for r in reports),
                all(r.ok for r in reports),
                "; ".join(str(r) for r in reports if not r.ok),
            )
        )
    return results


def functions_used(case, seed=0):
    """Names of the Function classes whose ``apply`` runs when ``case`` is checked."""
    used = set()
    original = Function.apply.__func__

    def spy(cls, *args, **kwargs):
        used.add(cls.__name__)
        return original(cls, *args, **kwargs)

    Function.apply = classmethod(spy)
    try:
        with fork_rng():
            fn, inputs = case.make(np.random.default_rng(seed))
            fn(*inputs)
    finally:
        Function.apply = classmethod(original)
    return used


def registered_ops():
    """Names of every built-in differentiable op (Function subclasses defined in minidl)."""
    for mod in ("minidl.nn",):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError:
            pass
    return set(OPS)
