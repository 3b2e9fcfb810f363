"""Gradient clipping, as ``torch.nn.utils``: call it between ``loss.backward()`` and ``opt.step()``.

    clip_grad_norm_(params, max_norm, p)   ‖g‖_p = (Σ_i |g_i|^p)^(1/p) over every gradient as one
                                           vector (p = inf: ‖g‖_∞ = max_i |g_i|);
                                           c = max_norm / (‖g‖_p + 1e-6);  g ← c·g when c < 1
    clip_grad_value_(params, v)            g ← min(max(g, −v), v), elementwise

Both change each ``p.grad`` in place, in its own array (a gradient keeps its
dtype), and skip parameters whose ``.grad`` is None.  An LSTM's gradients can
explode through time; clipping the norm keeps the direction of the step and
bounds its length.
"""

import math
import types
import warnings
from collections.abc import Iterable

import numpy as np

from minidl.autograd import _owner, note_write
from minidl.tensor import Tensor, get_default_dtype, is_real

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all gradients together so that their total ``norm_type``-norm is at most ``max_norm``.

        total = ‖(g_1, …, g_k)‖_p = (Σ_k Σ_i |g_k,i|^p)^(1/p)     (p = inf: max_k,i |g_k,i|)
        c = max_norm / (total + 1e-6);   every g_k ← c · g_k  if c < 1

    ``parameters``: a Tensor or an iterable of tensors (``model.parameters()``).
    Returns ``total`` as a 0-d tensor (in the gradients' dtype; 0 when no
    parameter has a gradient).  The sums run in float64, so float32 gradients
    whose squares overflow float32 still get their true norm.

    A NaN or inf total is an error with ``error_if_nonfinite=True`` (nothing is
    changed).  Otherwise, as in PyTorch, the gradients are scaled anyway: a NaN
    total makes c NaN and every gradient NaN; an inf total makes c = 0, so
    finite entries become 0 and the inf ones NaN (inf · 0).
    """
    op = "clip_grad_norm_"
    max_norm = _limit(op, "max_norm", max_norm)
    p = _norm_type(op, norm_type)
    grads = _grads(op, parameters)
    if not grads:
        return Tensor._make(np.asarray(0.0, get_default_dtype()))
    arrays = [g.data for g in grads]
    dtype = np.result_type(*arrays)
    with np.errstate(over="ignore", invalid="ignore"):
        # reported in the gradients' dtype, and that rounded value is the one used below
        total = np.asarray(_total_norm(arrays, p), dtype)
    norm = float(total)
    if error_if_nonfinite and not math.isfinite(norm):
        raise RuntimeError(
            f"{op}: the total norm of order {p} of the gradients is {norm}, which is "
            "non-finite, so they cannot be clipped (nothing was changed). Pass "
            "error_if_nonfinite=False to scale them by it anyway (a NaN norm makes every "
            "gradient NaN, an inf norm makes the finite entries 0)"
        )
    coef = max_norm / (norm + 1e-6)
    if not coef >= 1.0:  # c < 1, or NaN (a NaN norm, or inf / inf), which PyTorch applies too
        written = _distinct(op, grads)
        with np.errstate(invalid="ignore"):  # inf · 0 = NaN: the documented outcome
            for g in written:
                np.multiply(g.data, coef, out=g.data)
        note_write(*written)  # a graph that saved one of these arrays can no longer backward
    return Tensor._make(total)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element into [−clip_value, clip_value], in place; returns None.

    g_i ← min(max(g_i, −clip_value), clip_value)     (NaN stays NaN)
    """
    op = "clip_grad_value_"
    clip_value = _limit(op, "clip_value", clip_value)
    grads = _grads(op, parameters)
    for g in grads:
        np.clip(g.data, -clip_value, clip_value, out=g.data)
    if grads:
        note_write(*grads)


def _limit(op, name, value):
    """``value`` as a float: a real number >= 0 (inf allowed), else an error naming it."""
    if not is_real(value):
        raise TypeError(
            f"{op}: {name} must be a real number >= 0, got {value!r} ({type(value).__name__})"
        )
    value = float(value)
    # PyTorch takes a negative limit silently: max_norm < 0 flips every gradient's sign, and
    # clip_value < 0 sets every element to clip_value
    if not value >= 0:  # NaN fails too
        raise ValueError(f"{op}: {name} must be a real number >= 0 (inf allowed), got {value}")
    return value


def _norm_type(op, value):
    """``norm_type`` as a float: a positive real number or inf (also the string 'inf', as in
    PyTorch's documentation)."""
    if isinstance(value, str) and value.strip().lower() in ("inf", "infinity"):
        return math.inf
    if not is_real(value):
        raise TypeError(
            f"{op}: norm_type must be a positive real number or inf, got {value!r} "
            f"({type(value).__name__})"
        )
    value = float(value)
    if not value > 0:  # 0, negatives, -inf and NaN: not a norm
        raise ValueError(f"{op}: norm_type must be a positive real number or inf, got {value}")
    return value


def _grads(op, parameters):
    """The ``.grad`` tensors of ``parameters`` (a Tensor or an iterable, consumed once), in order,
    None skipped; each checked to be a writable float Tensor before anything is changed."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    elif not isinstance(parameters, Iterable):
        raise TypeError(
            f"{op}: parameters must be a Tensor or an iterable of tensors "
            f"(e.g. model.parameters()), got {type(parameters).__name__}"
        )
    generator = isinstance(parameters, types.GeneratorType)
    parameters = list(parameters)
    if generator and not parameters:
        # the usual cause: a model.parameters() generator already used up (by an optimizer)
        warnings.warn(
            f"{op}: `parameters` is an empty generator, no gradient clipping will occur",
            stacklevel=3,
        )
    grads = []
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(
                f"{op}: parameters must be tensors, got {type(p).__name__} at position {i}"
            )
        g = p.grad
        if g is None:
            continue
        if not isinstance(g, Tensor):
            raise TypeError(
                f"{op}: the .grad of parameter {i} is a {type(g).__name__}, not a Tensor"
            )
        a = g.data
        if a.dtype.kind != "f":
            raise TypeError(
                f"{op}: the .grad of parameter {i} has dtype {a.dtype}; gradients are floats"
            )
        if not a.flags.writeable:
            raise RuntimeError(
                f"{op}: the .grad of parameter {i} (shape {a.shape}) is a read-only view (an "
                "expand() result repeats one element in memory), so it cannot be changed in "
                "place; give it its own memory first: p.grad = p.grad.clone()"
            )
        grads.append(g)
    return grads


def _distinct(op, grads):
    """The gradients to scale, each array once.

    A Tensor assigned as the ``.grad`` of two parameters counts twice in the norm
    (it is each one's gradient) but is scaled once (PyTorch scales it twice: c²·g).
    Two different arrays that overlap in memory are refused: their shared elements
    would be scaled twice.
    """
    out, seen, owners = [], set(), {}
    for g in grads:
        a = g.data
        if id(a) in seen:
            continue
        seen.add(id(a))
        out.append(g)
        owners.setdefault(id(_owner(a)), []).append(a)
    for arrays in owners.values():
        for i in range(1, len(arrays)):  # views of one array: rare, so the pairwise test is cheap
            for j in range(i):
                if np.shares_memory(arrays[i], arrays[j]):
                    raise RuntimeError(
                        f"{op}: two gradients are different views that overlap in memory "
                        f"(shapes {arrays[j].shape} and {arrays[i].shape}); scaling each in "
                        "place would scale the shared elements twice. Give each .grad its own "
                        "memory (p.grad = p.grad.clone())"
                    )
    return out


def _total_norm(arrays, p):
    """‖all arrays as one vector‖_p, summed in float64 (a Python float; NaN and inf propagate)."""
    if p == math.inf:
        # np.max, not Python's max: max(1.0, nan) is 1.0, and a NaN gradient must give a NaN norm
        return float(np.max([np.max(np.abs(a), initial=0.0) for a in arrays]))
    flat = [a.astype(np.float64, copy=False).ravel() for a in arrays]
    if p == 2.0:
        return math.sqrt(sum(float(np.dot(x, x)) for x in flat))
    # NumPy floats, not Python's: 1e300 ** 2 is inf for them, an OverflowError for Python
    return float(np.float64(sum(np.sum(np.abs(x) ** p) for x in flat)) ** (1.0 / p))
