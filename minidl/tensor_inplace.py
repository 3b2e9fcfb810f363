"""Writes into a tensor's own array: ``t += x`` (``__iadd__``, ...) and PyTorch's in-place
methods (``add_``, ``fill_``, ``zero_``, ``clamp_``, ``masked_fill_``, ``scatter_``, ...),
as the mixin ``TensorInPlace`` of ``Tensor``, with the checks that keep such writes
honest: none where a graph would not see it, none that changes t's shape or dtype."""

import numpy as np


class TensorInPlace:
    """Tensor's in-place operators and methods (a mixin: ``Tensor`` is the only user)."""

    __slots__ = ()  # Tensor has __slots__: a mixin without them would give tensors a __dict__

    # ----- in-place arithmetic: t += x writes into t's array, like torch's add_ ----------
    # Without these, Python would run t = t + x: in `for p in params: p -= lr * p.grad`
    # only the loop variable would change, and the model would silently never train.
    def __iadd__(self, other):
        return _in_place(self, "+=", np.add, Tensor.__add__, other)

    def __isub__(self, other):
        return _in_place(self, "-=", np.subtract, Tensor.__sub__, other)

    def __imul__(self, other):
        return _in_place(self, "*=", np.multiply, Tensor.__mul__, other)

    def __itruediv__(self, other):
        return _in_place(self, "/=", np.true_divide, Tensor.__truediv__, other)

    def __ipow__(self, other):
        return _in_place(self, "**=", np.power, Tensor.__pow__, other)

    # PyTorch's in-place methods (w.grad.zero_()).  A method cannot rebind the caller's
    # name as ``t += x`` does, so inside a graph they are refused (see _check_write).
    def add_(self, other, *, alpha=1):
        """t ← t + alpha·other, in place; returns t."""
        _check_write(self, other, "add_")
        return _in_place(self, "add_", np.add, None, other if alpha == 1 else other * alpha)

    def sub_(self, other, *, alpha=1):
        """t ← t − alpha·other, in place; returns t."""
        _check_write(self, other, "sub_")
        return _in_place(self, "sub_", np.subtract, None, other if alpha == 1 else other * alpha)

    def mul_(self, other):
        """t ← t · other, in place; returns t."""
        _check_write(self, other, "mul_")
        return _in_place(self, "mul_", np.multiply, None, other)

    def div_(self, other):
        """t ← t / other, in place (float tensors); returns t."""
        _check_write(self, other, "div_")
        return _in_place(self, "div_", np.true_divide, None, other)

    def fill_(self, value):
        """Every element ← value, in place; returns t."""
        self._write(..., value, "fill_")
        return self

    def zero_(self):
        """Every element ← 0, in place; returns t."""
        return self.fill_(0)

    def copy_(self, src):
        """t ← src (broadcast to t's shape, converted to t's dtype), in place; returns t."""
        self._write(..., src, "copy_")
        return self

    def clamp_(self, min=None, max=None):
        """t ← clamp(t, min, max), in place (bounds: numbers or tensors broadcast to t);
        returns t."""
        return self._clamp_in_place("clamp_", _ops.clamp, min, max)

    def clip_(self, min=None, max=None):
        """t ← clip(t, min, max), in place: :meth:`clamp_` under NumPy's name; returns t."""
        return self._clamp_in_place("clip_", _ops.clip, min, max)

    def _clamp_in_place(self, op, clamp, min, max):
        for bound in (min, max):
            _check_write(self, bound, op)
        _write_result(self, clamp(self.detach(), _detached(min), _detached(max)), op)
        return self

    def masked_fill_(self, mask, value):
        """t ← value where the bool ``mask`` (broadcast to t) is True, in place; returns t."""
        _check_write(self, value, "masked_fill_")
        result = _ops.masked_fill(self.detach(), mask, _detached(value))
        _write_result(self, result, "masked_fill_")
        return self

    def detach_(self):
        """Cut this tensor from the graph in place: a leaf that does not require grad; returns t.

        Unlike PyTorch, an op that used t *before* ``detach_`` then no longer passes its
        gradient back through t either (minidl's graph reads t's ``grad_fn`` at backward
        time); call ``detach_`` before using t, or use ``u = t.detach()``.

        A view made in the graph (``(x * 2)[1:]``, ``.view``, ``.T``) is refused, as in
        PyTorch ("Can't detach views in-place"): it shares memory with the tensor it was
        taken from, which stays in the graph.  PyTorch refuses a view made outside a graph
        too; minidl does not record those (to it they are plain leaves), and cutting them
        is the no-op it would be for any leaf.
        """
        node = self.grad_fn
        if node is not None and self.data.base is not None and node.inputs is not None:
            owner = _autograd._owner(self.data)
            for inp in node.inputs:
                if isinstance(inp, Tensor) and _autograd._owner(inp.data) is owner:
                    raise RuntimeError(
                        f"detach_: this tensor is a view of another ({node.name} made it from "
                        f"a tensor of shape {inp.shape}), and a view cannot be detached in "
                        "place, as in PyTorch; use v = t.detach() instead"
                    )
        self.grad_fn = None
        self._requires_grad = False
        self._out_index = 0
        return self

    def uniform_(self, a=0.0, b=1.0):
        """Fill with samples of U(a, b) from minidl's generator, in place; returns t."""
        _check_write(self, None, "uniform_")
        from minidl.nn import init  # nn imports tensor: a top-level import would be circular

        return init.uniform_(self, a, b)

    def normal_(self, mean=0.0, std=1.0):
        """Fill with samples of N(mean, std²) from minidl's generator, in place; returns t."""
        _check_write(self, None, "normal_")
        from minidl.nn import init

        return init.normal_(self, mean, std)

    # PyTorch's in-place forms of the index writes (minidl/ops/scatter.py), outside a graph
    def scatter_(self, dim, index, src=None, *, value=None):
        """``scatter``, written into this tensor (outside a graph, as ``masked_fill_``);
        returns t."""
        _check_write(self, src, "scatter_")
        _check_write(self, value, "scatter_")
        result = _ops.scatter(self.detach(), dim, index, _detached(src), value=_detached(value))
        _write_result(self, result, "scatter_")
        return self

    def scatter_add_(self, dim, index, src):
        """``scatter_add``, written into this tensor (outside a graph); returns t."""
        _check_write(self, src, "scatter_add_")
        _write_result(
            self, _ops.scatter_add(self.detach(), dim, index, _detached(src)), "scatter_add_"
        )
        return self

    def index_add_(self, dim, index, source, *, alpha=1):
        """``index_add``, written into this tensor (outside a graph); returns t."""
        _check_write(self, source, "index_add_")
        result = _ops.index_add(self.detach(), dim, index, _detached(source), alpha=alpha)
        _write_result(self, result, "index_add_")
        return self

    def index_fill_(self, dim, index, value):
        """``index_fill``, written into this tensor (outside a graph); returns t."""
        _check_write(self, value, "index_fill_")
        _write_result(
            self, _ops.index_fill(self.detach(), dim, index, _detached(value)), "index_fill_"
        )
        return self

    def index_copy_(self, dim, index, source):
        """``index_copy``, written into this tensor (outside a graph); returns t."""
        _check_write(self, source, "index_copy_")
        _write_result(
            self, _ops.index_copy(self.detach(), dim, index, _detached(source)), "index_copy_"
        )
        return self


_SYMBOLS = {"add_": "+", "sub_": "-", "mul_": "*", "div_": "/"}


def _in_place(t, op, ufunc, out_of_place, other):
    """``t op= other``: the result keeps t's shape and dtype.

    Outside a graph (a weight update under ``no_grad``, plain data) it is written into t's
    array.  Inside one (t or other requires grad while recording), minidl records no in-place
    op: the result is ``t op other``, a new recorded tensor that Python binds to the name, so
    ``out += residual`` in a forward pass gives the right gradients (other references to the
    old t keep its old values).  A leaf that requires grad is refused, as in PyTorch.
    """
    in_graph = _autograd.is_grad_enabled() and (
        t.requires_grad or (isinstance(other, Tensor) and other.requires_grad)
    )
    if not in_graph or (t.requires_grad and t.grad_fn is None):
        _check_write(t, other, op)  # refuses a leaf that requires grad, or read-only memory
    other = _ew.operand(op, other)
    dtype = _ew.result_dtype(t, other, true_divide=ufunc is np.true_divide)
    if _ew.CATEGORY[dtype.kind] > _ew.CATEGORY[t.data.dtype.kind]:
        raise TypeError(
            f"{op}: the result has dtype {dtype}, which cannot be stored in place in a "
            f"tensor of dtype {t.dtype}; write t = t {_SYMBOLS.get(op, op[:-1])} x "
            "(a new tensor) instead"
        )
    value = other.data if isinstance(other, Tensor) else other
    try:
        shape = np.broadcast_shapes(t.data.shape, np.shape(value))
    except ValueError:
        shape = None
    if shape != t.data.shape:
        raise RuntimeError(
            f"{op}: a tensor of shape {t.shape} cannot hold the result with an operand of shape "
            f"{np.shape(value)}" + ("" if shape is None else f" (broadcast shape {shape})")
        )
    if in_graph:
        return out_of_place(t, other)
    try:
        ufunc(t.data, value, out=t.data, casting="unsafe")
    except OverflowError as e:
        raise OverflowError(f"{op}: {e} (the tensor's dtype is {t.dtype})") from None
    except TypeError as e:  # NumPy's own refusal (bool - bool): say which op it was
        raise TypeError(f"{op}: {e} (the tensor's dtype is {t.dtype})") from None
    _autograd.note_write(t)
    return t


def _check_write(t, value, op):
    """Refuse a write into t that a graph would not see, or into read-only memory."""
    if _autograd.is_grad_enabled():
        if t.requires_grad:
            what = "a leaf that requires grad" if t.grad_fn is None else "a tensor in a graph"
            raise RuntimeError(
                f"{op}: in-place write into {what}, shape {t.shape}; minidl records no "
                "in-place ops. For a weight update do it under `with minidl.no_grad():`; "
                "otherwise build a new tensor (t = t - x, minidl.where, minidl.cat)"
            )
        if isinstance(value, Tensor) and value.requires_grad:
            raise RuntimeError(
                f"{op}: the value written (the right-hand side) requires grad, and minidl "
                "records no in-place op, so its gradient would be lost; build a new tensor "
                "(t = t - x, minidl.where, minidl.cat) or write value.detach()"
            )
    if not t.data.flags.writeable:
        raise RuntimeError(
            f"{op}: this tensor of shape {t.shape} is a read-only view (an expand() result "
            "repeats one element in memory); write into t.clone() instead"
        )


def _detached(value):
    """A tensor operand cut from any graph (an in-place method has checked it needs none)."""
    return value.detach() if isinstance(value, Tensor) else value


def _write_result(t, result, op):
    """Write ``result`` (an out-of-place op's answer) into t's array, which keeps its shape
    and dtype: the in-place methods built on an out-of-place op (``clamp_``, ``masked_fill_``)."""
    if result.shape != t.data.shape:
        raise RuntimeError(
            f"{op}: a tensor of shape {t.shape} cannot hold the result of shape {result.shape} "
            "(an operand broadcasts to a larger shape)"
        )
    if _ew.CATEGORY[result.data.dtype.kind] > _ew.CATEGORY[t.data.dtype.kind]:
        raise TypeError(
            f"{op}: the result has dtype {result.dtype}, which cannot be stored in place in a "
            f"tensor of dtype {t.dtype}; use the out-of-place {op[:-1]} (a new tensor) instead"
        )
    np.copyto(t.data, result.data, casting="unsafe")
    _autograd.note_write(t)


def _import_late():
    """Import what the methods above call that imports minidl.tensor (Tensor, the engine, the
    ops).  minidl.tensor imports this module for Tensor's bases, before Tensor exists, and
    calls this once it does."""
    global Tensor, _autograd, _ops, _ew
    from minidl import autograd as _autograd
    from minidl import ops as _ops
    from minidl.ops import elementwise as _ew
    from minidl.tensor import Tensor
