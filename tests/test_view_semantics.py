"""Views, copies and the input itself, as PyTorch returns them, and gather with an empty index.

``detach_()`` refuses a view of a tensor in the graph (it shares that tensor's memory), so an op
must give the same kind of result as PyTorch's: a no-op transpose is a new view, never the
input itself; ``pad`` with nothing to add, ``repeat``, ``tile`` and ``diag`` of a matrix are
copies in their own memory; ``flatten`` with nothing to merge, ``contiguous`` and a cast to the
same dtype are the input itself.
"""

import numpy as np
import pytest
from strategies import gradcheck, leaf, raises

import minidl
from minidl.nn import functional as F


def _graph():
    """a leaf a = [1, 2] and h = 2a, a tensor in the graph."""
    a = minidl.tensor([1.0, 2.0], requires_grad=True)
    return a, a * 2


def _kind(x, y):
    if y is x:
        return "self"
    return "view" if np.shares_memory(x.data, y.data) else "copy"


# ----- no-op transposes: a new view, as PyTorch's ----------------------------------------

NO_OP_TRANSPOSES = {
    "transpose(0, 0)": lambda h: h.transpose(0, 0),
    "transpose(0, -1)": lambda h: h.transpose(0, -1),
    "t()": lambda h: h.t(),
    "swapaxes(0, 0)": lambda h: h.swapaxes(0, 0),
    "swapdims(-1, 0)": lambda h: minidl.swapdims(h, -1, 0),
    "0-d transpose(0, -1)": lambda h: h.sum().transpose(0, -1),
}


@pytest.mark.parametrize("op", NO_OP_TRANSPOSES.values(), ids=NO_OP_TRANSPOSES.keys())
def test_a_no_op_transpose_is_a_view_that_detach_in_place_refuses(op):
    a, h = _graph()
    y = op(h)
    base = h if y.ndim else y.grad_fn.inputs[0]  # the 0-d case transposes h.sum()
    assert y is not base and _kind(base, y) == "view"
    with raises(RuntimeError, "detach_: this tensor is a view of another"):
        y.detach_()
    # h is still in the graph: d/da (3h + a) = 3·2 + 1
    (h * 3 + a).sum().backward()
    assert a.grad.tolist() == [7.0, 7.0]


def test_the_gradient_passes_a_no_op_transpose_unchanged():
    a, h = _graph()
    (h.transpose(0, 0) * minidl.tensor([5.0, 7.0])).sum().backward()
    assert a.grad.tolist() == [10.0, 14.0]  # d/da (5·2a₀ + 7·2a₁)


# ----- pad that adds nothing: a copy, as PyTorch's ----------------------------------------

PADS = {
    "(0, 0)": lambda h: F.pad(h, (0, 0)),
    "()": lambda h: F.pad(h, ()),
    "(0, 0, 0, 0) 2-D": lambda h: F.pad(h.reshape(1, 2), (0, 0, 0, 0)),
    "reflect (0, 0)": lambda h: F.pad(h.reshape(1, 2), (0, 0), mode="reflect"),
    "replicate (0, 0)": lambda h: F.pad(h.reshape(1, 2), (0, 0), mode="replicate"),
    "circular (0, 0)": lambda h: F.pad(h.reshape(1, 2), (0, 0), mode="circular"),
    "crop (-1, 0)": lambda h: F.pad(h, (-1, 0)),
}


@pytest.mark.parametrize("op", PADS.values(), ids=PADS.keys())
def test_pad_that_adds_nothing_is_a_copy_that_detach_in_place_cuts(op):
    a, h = _graph()
    y = op(h)
    assert y is not h and _kind(h, y) == "copy"
    assert not y.detach_().requires_grad
    # h stays in the graph: d/da (3h + a) = 7, where detaching h itself would give 1
    (h * 3 + a).sum().backward()
    assert a.grad.tolist() == [7.0, 7.0]


def test_a_write_into_a_padded_copy_leaves_the_input_alone():
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])
    for y in (F.pad(x, (0, 0)), F.pad(x, (-1, 0))):
        y[0, 0] = 9.0
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_the_gradient_of_a_crop_only_pad_reaches_the_kept_elements():
    x = minidl.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = F.pad(x, (-1, 0))
    assert y.tolist() == [[2.0, 3.0]]
    (y * minidl.tensor([[5.0, 7.0]])).sum().backward()
    assert x.grad.tolist() == [[0.0, 5.0, 7.0]]


# ----- flatten with nothing to merge: the input itself, as PyTorch's ----------------------


def test_flatten_with_nothing_to_merge_is_the_input_itself():
    x = minidl.ones(2, 3)
    one_d = minidl.ones(3)
    assert one_d.flatten() is one_d
    assert x.flatten(1) is x and x.flatten(0, 0) is x and x.flatten(-1, 1) is x
    assert _kind(x, x.flatten()) == "view" and x.flatten().shape == (6,)
    zero_d = minidl.tensor(5.0)
    assert zero_d.flatten() is not zero_d and zero_d.flatten().shape == (1,)


# ----- repeat, tile, diag of a matrix: copies, with one node each --------------------------

COPIES = {
    "repeat(1)": (lambda h: h.repeat(1), "RepeatBackward"),
    "repeat(1, 1)": (lambda h: h.repeat(1, 1), "RepeatBackward"),
    "repeat(1, 1, 1)": (lambda h: h.repeat(1, 1, 1), "RepeatBackward"),
    "repeat(2)": (lambda h: h.repeat(2), "RepeatBackward"),
    "tile((1,))": (lambda h: h.tile((1,)), "RepeatBackward"),
    "tile((1, 1))": (lambda h: minidl.tile(h, (1, 1)), "RepeatBackward"),
    "diag of (1, 2)": (lambda h: h.reshape(1, 2).diag(), "DiagOfMatrixBackward"),
    "diag(1) of (2, 2)": (lambda h: minidl.stack([h, h]).diag(1), "DiagOfMatrixBackward"),
    "minidl.diag of (2, 2)": (lambda h: minidl.diag(minidl.stack([h, h])), "DiagOfMatrixBackward"),
}


@pytest.mark.parametrize("op, node", COPIES.values(), ids=COPIES.keys())
def test_repeat_tile_and_diag_are_copies_made_by_one_node(op, node):
    a, h = _graph()
    y = op(h)
    assert _kind(h, y) == "copy" and y.data.flags.writeable
    assert y.grad_fn.name == node
    assert not y.detach_().requires_grad  # refused before: "ReshapeBackward made it from ..."
    (h * 3 + a).sum().backward()
    assert a.grad.tolist() == [7.0, 7.0]


def test_repeat_tile_and_diag_values_are_numpys():
    x = np.arange(6.0).reshape(2, 3)
    t = minidl.tensor(x)
    assert np.array_equal(t.repeat(1, 1).numpy(), np.tile(x, (1, 1)))
    assert np.array_equal(t.repeat(2, 1, 3).numpy(), np.tile(x, (2, 1, 3)))
    assert np.array_equal(t.repeat(0, 2).numpy(), np.tile(x, (0, 2)))
    assert np.array_equal(minidl.tile(t, (2,)).numpy(), np.tile(x, (1, 2)))
    assert np.array_equal(t.diag(1).numpy(), np.diagonal(x, 1))
    assert np.array_equal(t.diag(-1).numpy(), np.diagonal(x, -1))
    assert minidl.tensor(3.0).repeat(()).shape == ()


def test_a_write_into_repeat_tile_or_diag_leaves_the_input_alone():
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = (x * 1).detach()
    for y in (h.repeat(1, 1), h.tile((1,)), h.diag(), minidl.tensor([[5.0, 6.0]]).repeat(1, 3)):
        y[0] = 9.0
    assert h.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_the_gradient_of_repeat_sums_over_the_tiles():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    y = x.repeat(3)  # [x₀, x₁, x₀, x₁, x₀, x₁]
    (y * minidl.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).sum().backward()
    assert x.grad.tolist() == [1.0 + 3.0 + 5.0, 2.0 + 4.0 + 6.0]
    x = minidl.tensor([[1.0], [2.0]], requires_grad=True)
    x.repeat(2, 1, 3).sum().backward()  # each element copied 2·3 times
    assert x.grad.tolist() == [[6.0], [6.0]]
    x.grad = None
    x.repeat(0, 1).sum().backward()  # no copies: no gradient
    assert x.grad.tolist() == [[0.0], [0.0]]


def test_the_gradient_of_diag_of_a_matrix_lands_on_that_diagonal():
    x = minidl.zeros(2, 3, requires_grad=True)
    (x.diag(1) * minidl.tensor([5.0, 7.0])).sum().backward()
    assert x.grad.tolist() == [[0.0, 5.0, 0.0], [0.0, 0.0, 7.0]]


def test_diagonal_stays_a_view():
    x = minidl.ones(2, 3, requires_grad=True) * 2
    assert _kind(x, x.diagonal()) == "view"
    with raises(RuntimeError, "detach_: this tensor is a view of another"):
        x.diagonal().detach_()


# ----- gather with an empty index ----------------------------------------------------------


@pytest.mark.parametrize("index_shape", [(0,), (0, 3), (2, 0), (0, 0, 0), (5, 0)])
@pytest.mark.parametrize("shape", [(2, 3), (3,), (), (0, 3)])
@pytest.mark.parametrize("dim", [0, -1])
def test_gather_with_an_empty_index_is_empty_of_its_shape(shape, index_shape, dim):
    # PyTorch checks neither the index's dims nor its sizes when it picks nothing
    x = minidl.zeros(*shape, dtype=minidl.float64, requires_grad=True)
    y = minidl.gather(x, dim, minidl.zeros(*index_shape, dtype=minidl.int64))
    assert y.shape == index_shape and y.dtype == np.float64
    y.sum().backward()
    assert x.grad.shape == shape and not x.grad.numpy().any()


def test_gather_with_an_empty_index_keeps_the_inputs_dtype_and_checks_the_rest():
    x = minidl.zeros(2, 3, dtype=minidl.int64)
    assert minidl.gather(x, 1, minidl.zeros(0, dtype=minidl.int32)).dtype == np.int64
    with raises(IndexError, "gather: dim 2 out of range"):
        minidl.gather(x, 2, minidl.zeros(0, dtype=minidl.int64))
    with raises(TypeError, "gather: index must be an integer tensor"):
        minidl.gather(x, 0, minidl.zeros(0, 3))
    with raises(ValueError, "must have as many dims"):  # not empty: checked as before
        minidl.gather(x, 0, minidl.zeros(1, dtype=minidl.int64))


# ----- the gradients of the changed paths, by central differences --------------------------

GRADCHECKED = {
    "transpose(0, -1) 1-D": (lambda x: x.transpose(0, -1) * x, (3,)),
    "swapaxes(0, 0) 0-d": (lambda x: minidl.swapaxes(x, 0, 0) * x, ()),
    "pad (0, 0, 0, 0)": (lambda x: F.pad(x, (0, 0, 0, 0)) * x, (2, 3)),
    "pad crop (-1, 0, 0, -1)": (lambda x: F.pad(x, (-1, 0, 0, -1)) ** 2, (3, 4)),
    "pad reflect (0, 0)": (lambda x: F.pad(x, (0, 0), mode="reflect") * x, (2, 3)),
    "repeat (1, 1, 1)": (lambda x: x.repeat(1, 1, 1) ** 2, (2, 3)),
    "repeat (2, 1, 3)": (lambda x: x.repeat(2, 1, 3) ** 2, (3, 2)),
    "tile (2,) of 2-D": (lambda x: minidl.tile(x, (2,)) ** 2, (2, 3)),
    "diag(-1) of (4, 3)": (lambda x: x.diag(-1) ** 2, (4, 3)),
    "diag(2) of (2, 4)": (lambda x: minidl.diag(x, 2) ** 2, (2, 4)),
    "gather empty index": (
        lambda x: minidl.gather(x, 1, minidl.zeros(2, 0, dtype=minidl.int64)),
        (2, 3),
    ),
}


@pytest.mark.parametrize("fn, shape", GRADCHECKED.values(), ids=GRADCHECKED.keys())
def test_the_changed_paths_pass_gradcheck(fn, shape):
    rng = np.random.default_rng(7)
    assert gradcheck(fn, (leaf(rng.standard_normal(shape)),))


# ----- against PyTorch ---------------------------------------------------------------------

# (name, the call, written once for both libraries: m is minidl or torch, F its functional)
AGAINST_TORCH = [
    ("t 2-D", lambda m, F, h: h.reshape(2, 1).t()),
    ("T 2-D", lambda m, F, h: h.reshape(2, 1).T),
    ("transpose(0, 0)", lambda m, F, h: h.transpose(0, 0)),
    ("transpose(0, -1)", lambda m, F, h: h.transpose(0, -1)),
    ("t()", lambda m, F, h: h.t()),
    ("swapaxes(0, 0)", lambda m, F, h: h.swapaxes(0, 0)),
    ("swapdims(0, 0)", lambda m, F, h: m.swapdims(h, 0, 0)),
    ("permute(0)", lambda m, F, h: h.permute(0)),
    ("movedim(0, 0)", lambda m, F, h: m.movedim(h, 0, 0)),
    ("squeeze(0)", lambda m, F, h: h.squeeze(0)),
    ("reshape(2)", lambda m, F, h: h.reshape(2)),
    ("view(2)", lambda m, F, h: h.view(2)),
    ("expand(2)", lambda m, F, h: h.expand(2)),
    ("narrow(0, 0, 2)", lambda m, F, h: h.narrow(0, 0, 2)),
    ("h[...]", lambda m, F, h: h[...]),
    ("flatten 1-D", lambda m, F, h: h.flatten()),
    ("flatten(1) 2-D", lambda m, F, h: h.reshape(1, 2).flatten(1)),
    ("contiguous", lambda m, F, h: h.contiguous()),
    ("float", lambda m, F, h: h.float()),
    ("pad (0, 0)", lambda m, F, h: F.pad(h, (0, 0))),
    ("pad crop", lambda m, F, h: F.pad(h, (-1, 0))),
    ("repeat(1, 1)", lambda m, F, h: h.repeat(1, 1)),
    ("repeat(1, 1, 1)", lambda m, F, h: h.repeat(1, 1, 1)),
    ("tile((1,))", lambda m, F, h: h.tile((1,))),
    ("tile((1, 1))", lambda m, F, h: h.tile((1, 1))),
    ("diag 2-D", lambda m, F, h: h.reshape(1, 2).diag()),
    ("diag(1) 2-D", lambda m, F, h: m.diag(m.stack([h, h]), 1)),
    ("diagonal", lambda m, F, h: h.reshape(1, 2).diagonal()),
    ("flip([])", lambda m, F, h: h.flip([])),
    ("roll(0, 0)", lambda m, F, h: h.roll(0, 0)),
]
# Not compared: repeat_interleave.  PyTorch's is new memory too, but returned as a view of a
# tensor made inside the op, so PyTorch refuses its detach_(); minidl's is the op's own copy.


def _torch_kind(h, y):
    if y is h:
        return "self"
    return "copy" if y.untyped_storage().data_ptr() != h.untyped_storage().data_ptr() else "view"


@pytest.mark.parametrize("name, op", AGAINST_TORCH, ids=[n for n, _ in AGAINST_TORCH])
def test_views_copies_and_the_input_itself_as_in_pytorch(name, op):
    torch = pytest.importorskip("torch")
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    y = op(torch, torch.nn.functional, h)
    ma, mh = _graph()
    my = op(minidl, F, mh)
    assert _kind(mh, my) == _torch_kind(h, y)
    assert my.tolist() == y.tolist()
    # detach_ refuses a view in the graph, and cuts a copy, in both
    if _kind(mh, my) == "view":
        with pytest.raises(RuntimeError):
            y.detach_()
        with raises(RuntimeError, "a view cannot be detached in place"):
            my.detach_()
    else:
        y.detach_()
        my.detach_()
        (h * 3 + a).sum().backward()
        (mh * 3 + ma).sum().backward()
        assert ma.grad.tolist() == a.grad.tolist()


@pytest.mark.parametrize("index_shape", [(0,), (0, 3), (2, 0), (0, 0, 0)])
@pytest.mark.parametrize("shape, dim", [((2, 3), 0), ((2, 3), 1), ((3,), -1), ((), 0)])
def test_gather_with_an_empty_index_as_in_pytorch(shape, dim, index_shape):
    torch = pytest.importorskip("torch")
    x = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    y = torch.gather(x, dim, torch.zeros(index_shape, dtype=torch.int64))
    y.sum().backward()
    mx = minidl.zeros(*shape, dtype=minidl.float64, requires_grad=True)
    my = minidl.gather(mx, dim, minidl.zeros(*index_shape, dtype=minidl.int64))
    my.sum().backward()
    assert my.shape == tuple(y.shape) and str(my.dtype) == "float64"
    assert mx.grad.tolist() == x.grad.tolist()


# ----- view needs no copy ------------------------------------------------------------------


def test_view_of_a_transposed_tensor_is_refused_as_pytorch_reshape_copies():
    # a view shares memory; where that would need a copy, PyTorch raises and minidl too (it
    # used to copy silently, so writes through the "view" no longer reached the tensor)
    a = minidl.arange(6.0).reshape(2, 3)
    with raises(RuntimeError, "view: a tensor of shape (3, 2)", "use .reshape(...)"):
        a.t().view(-1)
    with raises(RuntimeError, "view_as: a tensor of shape (3, 2)"):
        a.t().view_as(minidl.zeros(6))
    assert a.t().reshape(-1).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    assert a.t().contiguous().view(-1).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    shared = a.view(3, 2)
    shared[0, 0] = 100.0
    assert a[0, 0].item() == 100.0  # a view writes through
    assert a.is_contiguous() and not a.t().is_contiguous()
    assert a[:, :1].view(2).tolist() == [100.0, 3.0]  # a size-1 dim needs no copy


def test_view_and_is_contiguous_against_pytorch():
    torch = pytest.importorskip("torch")
    for make in (
        lambda m: m.arange(6.0).reshape(2, 3).t(),
        lambda m: m.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1),
        lambda m: m.arange(6.0).reshape(2, 3)[:, ::2],
        lambda m: m.arange(6.0).reshape(2, 3)[:, :1],
        lambda m: m.arange(6.0).reshape(2, 3),
    ):
        mine, theirs = make(minidl), make(torch)
        assert mine.is_contiguous() == theirs.is_contiguous()
        try:
            theirs.view(-1)
            refused = False
        except RuntimeError:
            refused = True
        if refused:
            with pytest.raises(RuntimeError):
                mine.view(-1)
        else:
            assert mine.view(-1).tolist() == theirs.view(-1).tolist()
