"""Making tensors: from data, filled with constants, ranges, random numbers."""

import math

import numpy as np

from minidl._checks import check_bool, check_dtype, check_int, get_default_dtype, is_int, is_real
from minidl.convert import as_array, convert
from minidl.devices import check_device
from minidl.random import generator
from minidl.tensor import Tensor


def _dtype(dtype, op, kinds="biuf"):
    """The dtype asked for (the default float when None), one of ``kinds``."""
    d = get_default_dtype() if dtype is None else check_dtype(op, dtype)
    if d.kind not in kinds:
        expected = {"f": "a float dtype", "biu": "an integer or bool dtype"}[kinds]
        raise TypeError(f"{op}: expected {expected}, got {d}")
    return d


def _size(shape, op):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    shape = tuple(check_int(op, "each size in the shape", s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"{op}: negative dimension in shape {shape}")
    return shape


def _finite(op, **values):
    """The values as Python numbers (a 0-d Tensor or array gives its element), each checked
    to be a finite real number."""
    out = []
    for name, v in values.items():
        if isinstance(v, (Tensor, np.ndarray)) and v.ndim == 0:
            v = (v.data if isinstance(v, Tensor) else v).item()
        if not is_real(v):
            raise TypeError(f"{op}: {name} must be a number, got {v!r}")
        if not math.isfinite(v):
            raise ValueError(f"{op}: {name} must be finite, got {v}")
        out.append(v)
    return out


def _allocate(op, make, shape, *args):
    """``make(shape, *args)``, a NumPy allocation; a size it cannot allocate is an error
    naming ``op`` and the shape asked for, not NumPy's "array is too big"."""
    try:
        return make(shape, *args)
    except ValueError:  # the byte count overflows: checked only after NumPy failed (cold)
        raise ValueError(
            f"{op}: shape {tuple(shape)} has {math.prod(shape)} elements, too many to allocate"
        ) from None
    except MemoryError:
        raise MemoryError(
            f"{op}: not enough memory for shape {tuple(shape)} ({math.prod(shape)} elements)"
        ) from None


def _new(array, requires_grad, op):
    t = Tensor._make(array)
    if check_bool(op, "requires_grad", requires_grad):  # "no" is not True
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, requires_grad=False, *, device=None):
    """A new tensor holding a copy of ``data`` (Python floats become float32 by default).

    ``device`` here and in the other creation functions is PyTorch's: None, "cpu" or
    ``device("cpu")``, minidl's only device; any other is an error.
    """
    check_device("tensor", device)
    t = Tensor.__new__(Tensor)
    t._init(data, dtype, requires_grad)  # not Tensor(data), which is always float (PyTorch's)
    return t


def _copied(data, dtype, op):
    t = Tensor.__new__(Tensor)
    t._init(data, dtype, False, op)  # errors name op, the function called
    return t


def from_numpy(array):
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got {type(array).__name__}")
    return Tensor._make(as_array(array, op="from_numpy"))


def is_tensor(obj):
    """True if ``obj`` is a minidl Tensor (a NumPy array or a number is not)."""
    return isinstance(obj, Tensor)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, without a copy where possible, as ``torch.as_tensor``.

    A NumPy array of the dtype asked for (or any dtype, when ``dtype`` is None) is shared,
    not copied: writing into either shows in the other.  A tensor comes back itself, or as
    a recorded cast (``to(dtype)``) for another dtype.  Anything else (lists, numbers, an
    array that needs converting) is copied, as ``tensor(data, dtype)``.
    """
    check_device("as_tensor", device)
    if isinstance(data, Tensor):
        if dtype is None or check_dtype("as_tensor", dtype) == data.data.dtype:
            return data
        return data.to(dtype)
    if isinstance(data, np.ndarray):
        return Tensor._make(as_array(data, dtype, op="as_tensor"))  # astype(copy=False)
    return _copied(data, dtype, "as_tensor")


def zeros(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros."""
    check_device("zeros", device)
    return _new(
        _allocate("zeros", np.zeros, _size(shape, "zeros"), _dtype(dtype, "zeros")),
        requires_grad,
        "zeros",
    )


def ones(*shape, dtype=None, device=None, requires_grad=False):
    """A tensor of ones."""
    check_device("ones", device)
    return _new(
        _allocate("ones", np.ones, _size(shape, "ones"), _dtype(dtype, "ones")),
        requires_grad,
        "ones",
    )


def empty(*shape, dtype=None, device=None, requires_grad=False):
    """Zeros: PyTorch's ``empty`` leaves the memory uninitialised (arbitrary values);
    minidl fills it with zeros, so that results are deterministic."""
    check_device("empty", device)
    return _new(
        _allocate("empty", np.zeros, _size(shape, "empty"), _dtype(dtype, "empty")),
        requires_grad,
        "empty",
    )


def full(shape, fill_value, dtype=None, requires_grad=False, *, device=None):
    """A tensor of ``shape`` filled with ``fill_value``."""
    check_device("full", device)
    return filled(shape, fill_value, dtype, requires_grad, "full")


def filled(shape, fill_value, dtype, requires_grad, op):
    """``full`` whose errors name ``op`` (``Tensor.new_full`` and friends use it too)."""
    if dtype is None and isinstance(fill_value, (bool, int, np.bool_, np.integer)):
        dtype = np.bool_ if isinstance(fill_value, (bool, np.bool_)) else np.int64
    dtype = _dtype(dtype, op)
    value = as_array(fill_value, dtype, op=op)  # refuses a str, 300 as uint8, NaN as int64
    if value.ndim:
        raise TypeError(f"{op}: fill_value must be a number, got an array of shape {value.shape}")
    return _new(_allocate(op, np.full, _size((shape,), op), value, dtype), requires_grad, op)


def zeros_like(t, dtype=None, requires_grad=False, *, device=None):
    """Zeros with the shape (and dtype, unless given) of ``t``."""
    check_device("zeros_like", device)
    t = as_array(t, op="zeros_like")
    return _new(
        np.zeros(t.shape, t.dtype if dtype is None else _dtype(dtype, "zeros_like")),
        requires_grad,
        "zeros_like",
    )


def ones_like(t, dtype=None, requires_grad=False, *, device=None):
    """Ones with the shape (and dtype, unless given) of ``t``."""
    check_device("ones_like", device)
    t = as_array(t, op="ones_like")
    return _new(
        np.ones(t.shape, t.dtype if dtype is None else _dtype(dtype, "ones_like")),
        requires_grad,
        "ones_like",
    )


def full_like(t, fill_value, dtype=None, requires_grad=False, *, device=None):
    """``fill_value`` everywhere, with the shape (and dtype, unless given) of ``t``; a float
    into an integer tensor is truncated toward zero, as in PyTorch (2.7 → 2)."""
    check_device("full_like", device)
    t = as_array(t, op="full_like")
    return filled(
        t.shape, fill_value, t.dtype if dtype is None else dtype, requires_grad, "full_like"
    )


def rand_like(t, dtype=None, requires_grad=False, *, device=None):
    """Uniform samples in [0, 1) with the shape (and float dtype, unless given) of ``t``, from
    minidl's seeded generator (``manual_seed`` repeats them)."""
    check_device("rand_like", device)
    t = as_array(t, op="rand_like")
    dtype = _dtype(t.dtype if dtype is None else dtype, "rand_like", "f")
    return _new(generator().random(t.shape).astype(dtype), requires_grad, "rand_like")


def randn_like(t, dtype=None, requires_grad=False, *, device=None):
    """Standard normal samples with the shape (and float dtype, unless given) of ``t``, from
    minidl's seeded generator."""
    check_device("randn_like", device)
    t = as_array(t, op="randn_like")
    dtype = _dtype(t.dtype if dtype is None else dtype, "randn_like", "f")
    return _new(generator().standard_normal(t.shape).astype(dtype), requires_grad, "randn_like")


def empty_like(t, dtype=None, requires_grad=False, *, device=None):
    """Zeros with the shape (and dtype, unless given) of ``t``: as ``empty``, minidl's
    "uninitialised" memory is zeros."""
    check_device("empty_like", device)
    t = as_array(t, op="empty_like")
    return _new(
        np.zeros(t.shape, t.dtype if dtype is None else _dtype(dtype, "empty_like")),
        requires_grad,
        "empty_like",
    )


def arange(start, end=None, step=1, dtype=None, requires_grad=False, *, device=None):
    """Evenly spaced values in [start, end); integers give int64, floats the default float."""
    check_device("arange", device)
    if end is None:
        start, end = 0, start
    start, end, step = _finite("arange", start=start, end=end, step=step)
    if step == 0:
        raise ValueError("arange: step must not be zero")
    if (end - start) * step < 0:  # NumPy gives an empty tensor; PyTorch refuses, as here
        raise ValueError(
            f"arange: upper bound and lower bound inconsistent with step sign: "
            f"start={start}, end={end}, step={step} (expected end >= start for a positive step, "
            "end <= start for a negative one)"
        )
    if (end - start) / step > 2**53:  # NumPy: "Maximum allowed size exceeded"
        raise ValueError(
            f"arange: start={start}, end={end}, step={step} asks for about "
            f"{(end - start) / step:.3g} values, too many to allocate"
        )
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else get_default_dtype()
    dtype = _dtype(dtype, "arange")
    if dtype.kind != "f" and step != int(step):
        # NumPy would count the values with the float step, then step by int(step): 0.5 -> 0
        raise ValueError(f"arange: dtype {dtype} needs a whole-number step, got {step}")
    try:
        values = np.arange(start, end, step, dtype=dtype)
    except (ValueError, MemoryError) as e:
        raise type(e)(
            f"arange: cannot allocate {math.ceil((end - start) / step)} values "
            f"(start={start}, end={end}, step={step})"
        ) from None
    return _new(values, requires_grad, "arange")


def linspace(start, end, steps, dtype=None, requires_grad=False, *, device=None):
    """``steps`` evenly spaced values from start to end inclusive."""
    check_device("linspace", device)
    start, end = _finite("linspace", start=start, end=end)
    steps = check_int("linspace", "steps", steps, minimum=0)
    return _new(
        np.linspace(start, end, steps, dtype=_dtype(dtype, "linspace")), requires_grad, "linspace"
    )


def eye(n, m=None, dtype=None, requires_grad=False, *, device=None):
    """The identity matrix (n × m)."""
    check_device("eye", device)
    n = check_int("eye", "n", n)
    m = n if m is None else check_int("eye", "m", m)
    if n < 0 or m < 0:
        raise ValueError(f"eye: n and m must be >= 0, got n={n}, m={m}")
    return _new(np.eye(n, m, dtype=_dtype(dtype, "eye")), requires_grad, "eye")


def rand(*shape, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1) from minidl's seeded generator."""
    check_device("rand", device)
    dtype = _dtype(dtype, "rand", "f")  # samples in [0, 1) cast to an int would all be 0
    return _new(generator().random(_size(shape, "rand")).astype(dtype), requires_grad, "rand")


def randn(*shape, dtype=None, device=None, requires_grad=False):
    """Standard normal samples from minidl's seeded generator."""
    check_device("randn", device)
    dtype = _dtype(dtype, "randn", "f")
    return _new(
        generator().standard_normal(_size(shape, "randn")).astype(dtype), requires_grad, "randn"
    )


def randint(low, high=None, size=None, dtype=np.int64, *, device=None, requires_grad=False):
    """Integers uniform in [low, high) from minidl's seeded generator.

    ``randint(high, size)`` is ``randint(0, high, size)``, as in PyTorch.  ``dtype`` may be
    bool, an integer or a float dtype (whole numbers as floats, as torch's); only a float
    one can take ``requires_grad=True``.
    """
    check_device("randint", device)
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint: expected randint(low, high, size) or randint(high, size)")
    low, high = check_int("randint", "low", low), check_int("randint", "high", high)
    dtype = np.dtype(np.int64) if dtype is None else check_dtype("randint", dtype)
    requires_grad = check_bool("randint", "requires_grad", requires_grad)
    if requires_grad and dtype.kind != "f":
        # PyTorch: "Only Tensors of floating point and complex dtype can require gradients"
        raise TypeError(
            f"randint: requires_grad=True needs a float dtype (only float tensors can "
            f"require gradients), got dtype {dtype}; pass dtype=minidl.float32"
        )
    if low >= high:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    if dtype.kind == "f":
        # whole numbers a float holds exactly: 2**24 for float32 (beyond, they would round)
        lo, hi = -(2 ** (np.finfo(dtype).nmant + 1)), 2 ** (np.finfo(dtype).nmant + 1)
    else:
        lo, hi = (0, 1) if dtype.kind == "b" else (np.iinfo(dtype).min, np.iinfo(dtype).max)
    if low < lo or high - 1 > hi:
        raise OverflowError(
            f"randint: [{low}, {high}) does not fit in {dtype} (range {lo} .. {hi})"
        )
    values = generator().integers(low, high, _size((size,), "randint")).astype(dtype)
    return _new(values, requires_grad, "randint")


def randperm(n, *, dtype=np.int64, device=None, requires_grad=False):
    """A random permutation of 0 .. n-1 from minidl's seeded generator (``manual_seed``
    repeats it)."""
    check_device("randperm", device)
    n = check_int("randperm", "n", n)
    if n < 0:
        raise ValueError(f"randperm: n must be >= 0, got {n}")
    dtype = check_dtype("randperm", dtype)
    if dtype.kind == "b":
        raise TypeError("randperm: dtype bool cannot hold a permutation; use an int or float dtype")
    # convert refuses n - 1 beyond the dtype (randperm(300, dtype=int8)) instead of wrapping
    perm = convert(generator().permutation(n), dtype, "randperm")
    return _new(perm, requires_grad, "randperm")


def multinomial(probs, num_samples, replacement=False):
    """Category indices drawn from minidl's seeded generator, as ``torch.multinomial``.

    ``probs`` (float, 1-D of k categories or 2-D of n rows) holds weights ≥ 0, not
    necessarily summing to 1: category j is drawn with probability probs[j] / sum(probs).
    The result is int64 of shape (num_samples,) or (n, num_samples); rows are independent.
    Without replacement the samples of a row are distinct, in the order sequential draws
    would give them (each from the categories still left, in proportion to their weights);
    a zero-weight category is never drawn, so num_samples may not exceed the number of
    non-zero weights (PyTorch's documentation asks the same, but its CPU version 2.13 then
    returns a zero-weight category; minidl refuses).
    """
    op = "multinomial"
    if isinstance(probs, Tensor):
        p = probs.data
    else:
        p = as_array(probs, op=op)
    if p.dtype.kind != "f":
        raise TypeError(f"{op}: probs must be a float tensor (weights), got dtype {p.dtype}")
    if p.ndim not in (1, 2):
        raise ValueError(
            f"{op}: probs must be 1-D (k categories) or 2-D (rows of k), got shape {p.shape}"
        )
    num_samples = check_int(op, "num_samples", num_samples)
    if num_samples <= 0:
        raise ValueError(f"{op}: num_samples must be > 0, got {num_samples}")
    if p.shape[-1] == 0:
        raise ValueError(f"{op}: probs of shape {p.shape} has no categories to draw from")
    rows = p.reshape(-1, p.shape[-1]).astype(np.float64)
    k = rows.shape[1]
    if not replacement and num_samples > k:
        raise ValueError(
            f"{op}: cannot draw {num_samples} samples without replacement from {k} categories"
        )
    bad = ~np.isfinite(p) | (p < 0)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{op}: probs must be finite and ≥ 0 (weights), got {float(p[where]):g} at "
            f"index {where} of shape {p.shape}"
        )
    empty = rows.max(axis=1, initial=0) <= 0  # every weight is ≥ 0 by now
    if empty.any():
        row = "probs" if p.ndim == 1 else f"row {int(np.argmax(empty))} of probs"
        raise ValueError(
            f"{op}: {row} (shape {p.shape}) has no positive weight (it sums to 0); each "
            "distribution needs at least one"
        )
    nonzero = (rows > 0).sum(axis=1)
    if not replacement and rows.shape[0] and nonzero.min() < num_samples:
        row = "probs" if p.ndim == 1 else f"row {int(np.argmin(nonzero))} of probs"
        raise ValueError(
            f"{op}: cannot draw {num_samples} distinct samples without replacement: {row} "
            f"has only {nonzero.min()} non-zero weights (a zero weight is never drawn)"
        )
    rng = generator()
    if rows.shape[0] == 0:
        idx = np.zeros((0, num_samples), np.int64)  # an empty batch: nothing to draw
    elif replacement:
        # inverse CDF: the first category whose running total exceeds u·total (weights
        # scaled by the row's largest, so that the total cannot overflow to inf)
        cdf = np.cumsum(rows / rows.max(axis=1, keepdims=True), axis=1)
        u = rng.random((rows.shape[0], num_samples)) * cdf[:, -1:]
        idx = np.stack([np.searchsorted(c, ui, side="right") for c, ui in zip(cdf, u)])
        # u·total can round up to total: the top of [0, total) is the last non-zero category
        last = k - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)
        idx = np.minimum(idx, last[:, None])
    else:
        # exponential race: category j "arrives" at E_j / p_j with E_j ~ Exp(1); the first
        # arrival is j with probability p_j / Σp, and by memorylessness each next arrival is
        # a draw from those left, so the arrival order is sequential sampling without
        # replacement.  Compared as logs, a tiny p_j cannot overflow the time to inf; a
        # zero weight arrives at +inf, never among the first num_samples
        with np.errstate(divide="ignore"):
            log_times = np.log(rng.standard_exponential(rows.shape)) - np.log(rows)
        idx = np.argsort(log_times, axis=1, kind="stable")[:, :num_samples]
    return _new(idx.astype(np.int64).reshape(p.shape[:-1] + (num_samples,)), False, "multinomial")


def normal(mean, std=1.0, size=None, *, dtype=None, requires_grad=False, device=None):
    """Samples of N(mean, std²) from minidl's seeded generator, in ``torch.normal``'s forms:

    - ``normal(mean, std, size)``: numbers mean and std, a new tensor of ``size`` (of
      ``dtype``, the default float when None; ``requires_grad`` as for ``randn``);
    - ``normal(mean, std)`` with a tensor mean and/or std: one sample per element of their
      broadcast shape, of the dtype of mean (or of std, when mean is a number).

    Each sample is mean + std·z, z ~ N(0, 1).  std must be ≥ 0 (not NaN), as PyTorch asks.
    No gradient: PyTorch's is zero for mean and std too."""
    op = "normal"
    check_device(op, device)
    tensors = isinstance(mean, Tensor) or isinstance(std, Tensor)
    if tensors:
        if size is not None:
            raise TypeError(
                f"normal: size={size!r} is only for a number mean and std; with a tensor mean "
                "or std the result has their (broadcast) shape"
            )
        if dtype is not None or requires_grad is not False:
            raise TypeError(
                "normal: dtype= and requires_grad= are only for the form normal(mean, std, "
                "size) of numbers (the tensor form takes its dtype from mean or std)"
            )
        parts = {}
        for name, v in (("mean", mean), ("std", std)):
            if isinstance(v, Tensor):
                if v.data.dtype.kind != "f":
                    raise TypeError(f"normal: {name} must be a float tensor, got dtype {v.dtype}")
                parts[name] = v.data
            else:
                parts[name] = _finite_or_nan(op, name, v)
        d = (mean if isinstance(mean, Tensor) else std).data.dtype
        m, s = parts["mean"], parts["std"]
        try:
            shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        except ValueError:
            raise ValueError(
                f"normal: mean of shape {tuple(np.shape(m))} and std of shape "
                f"{tuple(np.shape(s))} do not broadcast together"
            ) from None
        bad = ~(np.asarray(s) >= 0)  # NaN fails it too
        if bad.any():
            raise ValueError(
                f"normal: std must be ≥ 0 everywhere (not NaN); found {np.asarray(s)[bad].flat[0]}"
            )
        z = generator().standard_normal(shape)
        return Tensor._make(np.asarray(m + s * z).astype(d, copy=False))
    if size is None:
        raise TypeError(
            "normal: with numbers mean and std, give the size: normal(mean, std, size), e.g. "
            "normal(0.0, 1.0, size=(2, 3))"
        )
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"normal: size must be a tuple or list of ints, got {size!r}")
    m, s = _finite_or_nan(op, "mean", mean), _finite_or_nan(op, "std", std)
    if not s >= 0:
        raise ValueError(f"normal: std must be ≥ 0, got {std!r}")
    d = _dtype(dtype, op, "f")
    z = generator().standard_normal(_size((tuple(size),), op))
    return _new((m + s * z).astype(d), requires_grad, op)


def _finite_or_nan(op, name, v):
    # a number (bool counts, as in PyTorch); NaN and inf pass here, std's sign is checked later
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v.item()
    if not is_real(v):
        raise TypeError(f"{op}: {name} must be a number or a float tensor, got {v!r}")
    return float(v)


def bernoulli(input, p=None):
    """0 or 1 in each element, 1 with probability ``input[i]`` (or with ``p``, a number in
    [0, 1], for every element: input then gives only the shape and dtype), from minidl's
    seeded generator, as ``torch.bernoulli``.  The values have input's float dtype.
    Probabilities outside [0, 1] or NaN are an error.  No gradient."""
    op = "bernoulli"
    if not isinstance(input, Tensor):
        raise TypeError(
            f"bernoulli: expected a float tensor of probabilities, got {type(input).__name__}"
        )
    if input.data.dtype.kind != "f":
        raise TypeError(
            f"bernoulli: expected a float tensor of probabilities, got dtype {input.dtype} "
            "(PyTorch refuses it too); convert it first, e.g. p.float()"
        )
    if p is None:
        probs = input.data
        where = "input"
    else:
        probs = _finite_or_nan(op, "p", p)
        where = "p"
    probs = np.asarray(probs)
    bad = ~((probs >= 0) & (probs <= 1))  # NaN fails both
    if bad.any():
        first = probs[bad].flat[0]
        raise ValueError(
            f"bernoulli: probabilities must lie in [0, 1] (not NaN); {where} holds {first}"
        )
    u = generator().random(input.data.shape)
    return Tensor._make(np.asarray(u < probs).astype(input.data.dtype))


def _legacy_constructor(name, dtype):
    dtype = np.dtype(dtype)

    def make(*args):
        if not args:
            return Tensor._make(np.zeros(0, dtype))
        if all(is_int(a) for a in args):
            sizes = ", ".join(str(a) for a in args)
            raise TypeError(
                f"{name}({sizes}): in PyTorch, ints here are a size; write "
                f"minidl.zeros({sizes}, dtype=minidl.{dtype}) for a tensor of that shape"
                + (f", or {name}([{sizes}]) for the number" if len(args) == 1 else "")
            )
        if len(args) > 1:
            raise TypeError(f"{name}: expected one sequence of values, got {len(args)} arguments")
        (data,) = args
        if isinstance(data, Tensor):
            if data.data.dtype != dtype:
                raise TypeError(
                    f"{name}(t) with a {data.dtype} tensor t: PyTorch refuses a tensor of "
                    f"another dtype; write t.to(minidl.{dtype})"
                )
            return data  # PyTorch's answer: t itself, sharing memory
        if np.ndim(data) == 0:
            raise TypeError(
                f"{name}: data must be a sequence (got {type(data).__name__}), as in PyTorch; "
                f"write minidl.tensor({data!r}, dtype=minidl.{dtype}) for a 0-d tensor"
            )
        return _copied(data, dtype, name)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = (
        f"PyTorch's legacy constructor: a {dtype} copy of ``data`` (``{name}()`` is empty). "
        f"Ints alone are a size in PyTorch; minidl refuses them with a hint, as ``Tensor``."
    )
    return make


FloatTensor = _legacy_constructor("FloatTensor", np.float32)
DoubleTensor = _legacy_constructor("DoubleTensor", np.float64)
LongTensor = _legacy_constructor("LongTensor", np.int64)
IntTensor = _legacy_constructor("IntTensor", np.int32)
BoolTensor = _legacy_constructor("BoolTensor", np.bool_)
