"""Checking analytic gradients against central differences.

    ∂f/∂xᵢ ≈ (f(x + ε eᵢ) − f(x − ε eᵢ)) / 2ε        error O(ε²) + rounding O(δ/ε)

Both are computed in float64 on copies of the inputs.  A vector-valued ``fn``
is reduced to the scalar ⟨w, fn(x)⟩ with a fixed random ``w``, so one
backward pass checks the whole vector-Jacobian product.
"""

import math
from dataclasses import dataclass

import numpy as np

from minidl._checks import is_real
from minidl.autograd import no_grad, run_backward
from minidl.tensor import Tensor

__all__ = ["gradcheck", "numerical_grad", "check_gradients", "GradcheckError", "InputReport"]


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree (the message says where)."""


@dataclass
class InputReport:
    """How the analytic gradient of one input compares with central differences."""

    position: int
    shape: tuple
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    ok: bool

    def __str__(self):
        return (
            f"input {self.position} (shape {self.shape}): max abs error {self.max_abs_error:.3g}, "
            f"max rel error {self.max_rel_error:.3g}; worst at index {self.worst_index}: "
            f"analytic {self.analytic:.10g}, numeric {self.numeric:.10g}"
        )


def _prepare(inputs):
    """float64 copies of the inputs; which positions get checked."""
    if isinstance(inputs, Tensor) or not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    tensors = [x for x in inputs if isinstance(x, Tensor) and x.dtype.kind == "f"]
    flagged = any(x.requires_grad for x in tensors)
    copies, checked = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, (tuple, list)) and any(isinstance(v, Tensor) for v in x):
            # tensors inside would be neither copied to float64 nor checked
            raise TypeError(
                f"gradcheck: input {i} is a {type(x).__name__} holding tensors; pass each "
                "tensor as an input of its own, e.g. gradcheck(lambda a, b: cat([a, b]), (a, b))"
            )
        if isinstance(x, Tensor):
            if x.dtype.kind == "f" and (x.requires_grad or not flagged):
                copies.append(Tensor._make(x.data.astype(np.float64), True))
                checked.append(i)
                continue
            # unchecked floats in float64 too: beside float32 data a 0-d float64 input
            # would take float32 (PyTorch's promotion), too coarse for the differences
            data = x.data.astype(np.float64) if x.dtype.kind == "f" else x.data.copy()
            copies.append(Tensor._make(data))
        else:
            copies.append(x)
    if not checked:
        raise ValueError("gradcheck: no float tensor among the inputs to check")
    return copies, checked


def _outputs(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return Tensors, got {type(o).__name__}")
        if o.dtype.kind == "f" and o.dtype != np.float64:
            # central differences with eps = 1e-6 mean nothing in float32
            raise TypeError(
                f"gradcheck: output {k} of fn is {o.dtype}, but the check needs float64 "
                "throughout; is a float32 tensor made or captured inside fn? make it float64"
            )
    return outs


def _check_eps(op, eps):
    """Raise unless the finite-difference step ``eps`` is a finite number > 0 (it divides)."""
    ok = is_real(eps)
    if not (ok and math.isfinite(eps) and eps > 0):
        raise ValueError(
            f"{op}: eps (the finite-difference step) must be a finite number > 0, got {eps!r}"
        )


def _grad_outputs(fn, copies, grad_outputs):
    """``grad_outputs`` as float64 arrays, one per output of fn and of its shape, or an error."""
    with no_grad():
        outs = _outputs(fn(*copies))
    if not isinstance(grad_outputs, (list, tuple)) or len(grad_outputs) != len(outs):
        is_list = isinstance(grad_outputs, (list, tuple))
        got = f"{len(grad_outputs)} arrays" if is_list else type(grad_outputs).__name__
        raise ValueError(
            f"numerical_grad: grad_outputs must be a list of one array per output of fn "
            f"({len(outs)} output(s)), got {got}"
        )
    weights = []
    for k, (w, o) in enumerate(zip(grad_outputs, outs)):
        w = np.asarray(w.data if isinstance(w, Tensor) else w, dtype=np.float64)
        if w.shape != o.shape:
            raise ValueError(
                f"numerical_grad: grad_outputs[{k}] has shape {w.shape}, "
                f"but output {k} of fn has shape {o.shape}"
            )
        weights.append(w)
    return weights


def numerical_grad(fn, inputs, eps=1e-6, grad_outputs=None):
    """Central-difference gradients of ⟨grad_outputs, fn(*inputs)⟩ for every float input.

    ``grad_outputs`` (one array per output of fn) defaults to ones, i.e. the
    gradient of the sum of the outputs.  Returns a list of float64 arrays,
    one per checked input (in order; see :func:`gradcheck`).  Inputs are perturbed on
    float64 copies.
    """
    _check_eps("numerical_grad", eps)
    copies, checked = _prepare(inputs)
    if grad_outputs is not None:
        grad_outputs = _grad_outputs(fn, copies, grad_outputs)
    return _numerical(fn, copies, checked, eps, grad_outputs)


def _numerical(fn, copies, checked, eps, weights):
    def f():
        outs = _outputs(fn(*copies))
        ws = weights if weights is not None else [np.ones(o.shape) for o in outs]
        return sum(float(np.sum(w * o.data.astype(np.float64))) for w, o in zip(ws, outs))

    grads = []
    with no_grad():
        for i in checked:
            x = copies[i].data
            g = np.zeros(x.shape)
            for idx in np.ndindex(x.shape):
                orig = x[idx]
                x[idx] = orig + eps
                up = f()
                x[idx] = orig - eps
                down = f()
                x[idx] = orig
                g[idx] = (up - down) / (2 * eps)
            grads.append(g)
    return grads


def check_gradients(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Compare analytic and numerical gradients; one :class:`InputReport` per checked input.

    An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
    Raises :class:`GradcheckError` if ``fn`` changed one of its inputs.
    """
    _check_eps("gradcheck", eps)
    copies, checked = _prepare(inputs)
    before = [copies[i].data.copy() for i in checked]
    outs = _outputs(fn(*copies))
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-1.0, 1.0, o.shape) for o in outs]
    live = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
    for k, (o, w) in enumerate(live):
        run_backward(o, w.astype(o.dtype), retain_graph=k < len(live) - 1)
    for i, b in zip(checked, before):
        if not np.array_equal(copies[i].data, b, equal_nan=True):
            raise GradcheckError(f"gradcheck: fn modified its input {i} in place")
    numeric = _numerical(fn, copies, checked, eps, weights)

    reports = []
    for i, num in zip(checked, numeric):
        g = copies[i].grad
        ana = np.zeros_like(num) if g is None else g.data.astype(np.float64)
        if ana.shape != num.shape:
            raise GradcheckError(
                f"gradcheck: input {i} has shape {num.shape} but its gradient has shape {ana.shape}"
            )
        err = np.abs(ana - num)
        rel = err / np.maximum(np.abs(num), 1e-12)
        bad = err - (atol + rtol * np.abs(num))
        bad = np.where(np.isnan(bad), np.inf, bad)
        if num.size:
            worst = np.unravel_index(int(np.argmax(bad)), num.shape)
            report = InputReport(
                i,
                num.shape,
                float(np.nanmax(err)),
                float(np.nanmax(rel)),
                tuple(int(w) for w in worst),
                float(ana[worst]),
                float(num[worst]),
                bool(np.all(bad <= 0)),
            )
        else:
            report = InputReport(i, num.shape, 0.0, 0.0, (), 0.0, 0.0, True)
        reports.append(report)
    return reports


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if fn's analytic gradients match central differences (float64) for every input.

    ``inputs`` is a Tensor or a tuple of arguments for ``fn``; float tensors
    with ``requires_grad=True`` are checked (all float tensors if none is
    marked).  On a mismatch raises :class:`GradcheckError` naming the input,
    the worst index and both values, or returns False if
    ``raise_exception=False``.  A list of tensors as one input is refused (pass
    them one by one), and so is a float output that is not float64 (a float32
    tensor made inside ``fn`` can pull it down, and the differences mean nothing there).
    """
    reports = check_gradients(fn, inputs, eps, atol, rtol)
    failed = [r for r in reports if not r.ok]
    if failed and raise_exception:
        lines = "\n  ".join(str(r) for r in failed)
        raise GradcheckError(
            f"gradcheck failed (|analytic - numeric| > {atol} + {rtol}·|numeric|):\n  {lines}\n"
            "(both values are derivatives of <w, fn(x)>, w a fixed random array of fn's "
            "output shape in [-1, 1], not of fn itself; minidl.numerical_grad(fn, inputs) "
            "gives the central differences with w = 1, to compare with your own derivation)"
        )
    return not failed
