"""The backward engine: accumulation over paths, long chains, freeing the graph, no_grad, dtypes."""

import gc
import itertools
import warnings
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcastable_pair, gradcheck, leaf

import minidl
from minidl.autograd import Function, unbroadcast


def test_a_tensor_used_twice_accumulates():
    a = leaf([1.5, -2.0])
    b = a + a
    c = b + b
    c.sum().backward()
    np.testing.assert_array_equal(a.grad.data, [4.0, 4.0])


def test_diamond_graph_adds_both_paths():
    # d = (x·2)·(x+1): dd/dx = 2(x+1) + 2x = 4x + 2
    x = leaf([0.5, 3.0])
    left, right = x * 2.0, x + 1.0
    (left * right).sum().backward()
    np.testing.assert_allclose(x.grad.data, 4 * np.array([0.5, 3.0]) + 2)


def test_the_same_tensor_as_both_inputs_of_one_op():
    x = leaf([3.0])
    (x * x).backward()
    np.testing.assert_array_equal(x.grad.data, [6.0])


def test_chain_of_100000_ops_backpropagates_without_recursion_error():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_intermediate_is_freed_after_backward():
    x = leaf(np.ones(3))
    h = x * 2.0
    ref = weakref.ref(h)
    loss = h.sum()
    del h
    gc.collect()
    assert ref() is not None  # the graph still holds it
    loss.backward()
    gc.collect()
    assert ref() is None


def test_second_backward_through_a_freed_graph_is_a_clear_error():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_which_accumulates():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])


def test_no_grad_records_nothing():
    x = leaf([1.0, 2.0])
    with minidl.no_grad():
        y = (x * 2.0).exp().sum()
    assert y.grad_fn is None and not y.requires_grad
    assert minidl.is_grad_enabled()


def test_no_grad_works_as_a_decorator_and_restores_the_mode():
    @minidl.no_grad()
    def step(t):
        return t * 3.0

    x = leaf([1.0])
    y = step(x)
    assert y.grad_fn is None and not y.requires_grad
    assert (x * 3.0).requires_grad


def test_no_grad_as_a_bare_decorator():
    @minidl.no_grad
    def step(t):
        return t * 3.0

    assert not step(leaf([1.0])).requires_grad
    assert minidl.is_grad_enabled()
    with pytest.raises(TypeError, match="no_grad: takes no argument"):
        minidl.no_grad(5)


def test_set_grad_enabled_as_a_call_a_block_and_a_decorator():
    x = leaf([1.0])
    try:
        minidl.set_grad_enabled(False)  # a plain call switches recording off, as in PyTorch
        assert not minidl.is_grad_enabled() and not (x * 2.0).requires_grad
    finally:
        minidl.set_grad_enabled(True)
    with minidl.set_grad_enabled(False):
        assert not (x * 2.0).requires_grad
    assert minidl.is_grad_enabled()

    @minidl.set_grad_enabled(False)
    def evaluate(t):
        return t * 2.0

    assert minidl.is_grad_enabled()  # decorating changes nothing until the call
    assert not evaluate(x).requires_grad
    assert minidl.is_grad_enabled()


def test_enable_grad_inside_no_grad_records_again():
    x = leaf([1.0])
    with minidl.no_grad(), minidl.enable_grad():
        y = x * 2.0
    assert y.requires_grad and y.grad_fn is not None


@pytest.mark.parametrize("scalar", [2, 2.5, np.float64(2.5)])
def test_float32_stays_float32_with_python_and_numpy_scalars(scalar):
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    ys = [x * scalar, scalar * x, x + scalar, x - scalar, scalar - x, x / scalar, x**scalar]
    ys += [scalar / x, minidl.maximum(x, scalar), x.clamp(0.0, scalar)]
    for y in ys:
        assert y.dtype == np.float32, y
    sum(y.sum() for y in ys).backward()
    assert x.grad.dtype == np.float32


def test_float32_gradients_stay_float32_through_a_network():
    x = minidl.randn(4, 3)
    w = minidl.randn(3, 2, requires_grad=True)
    b = minidl.zeros(2, requires_grad=True)
    loss = (minidl.tanh(x @ w + b).sigmoid() ** 2).mean() * 0.5
    assert loss.dtype == np.float32
    loss.backward()
    assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32


def test_broadcast_size_one_input_gets_a_gradient_of_its_own_shape():
    a = leaf([2.0])
    b = leaf(np.arange(3.0).reshape(3, 1))
    (a * b).sum().backward()
    assert a.grad.shape == (1,)
    np.testing.assert_array_equal(a.grad.data, [3.0])  # 0 + 1 + 2
    assert b.grad.shape == (3, 1)
    np.testing.assert_array_equal(b.grad.data, [[2.0], [2.0], [2.0]])


@pytest.mark.parametrize("read_only", [False, True])
def test_no_op_mutates_its_inputs(read_only):
    rng = np.random.default_rng(0)
    a0, b0 = rng.uniform(0.5, 2, (3, 4)), rng.uniform(0.5, 2, (4,))
    a, b = leaf(a0), leaf(b0)
    if read_only:  # any in-place write into an input, forward or backward, now raises
        a.data.flags.writeable = b.data.flags.writeable = False
    outs = [
        a + b, a - b, a * b, a / b, -a, a**2, a**b, a.exp(), a.log(), a.sqrt(), a.tanh(),
        a.sigmoid(), a.relu(), a.abs(), a.clamp(0.7, 1.5), minidl.maximum(a, b),
        minidl.minimum(a, b), minidl.where(a > 1.0, a, b), a.double(), a @ b, a.sum(0),
        a.mean(), a.amax(1), a.amin(), a.reshape(12), a.T, a.unsqueeze(0).squeeze(0),
        b.expand(3, 4), a[[0, 0, 2]], a[a > 1.0], a[1:, ::2], minidl.cat([a, a]),
        minidl.stack([a, a]), *a.split(2, 1), a.softmax(1), a.log_softmax(0), a.logsumexp(1),
    ]  # fmt: skip
    total = sum(o.sum() for o in outs)
    total.backward()
    np.testing.assert_array_equal(a.data, a0)
    np.testing.assert_array_equal(b.data, b0)


def test_leaf_gets_grad_and_non_leaf_does_not_unless_retained():
    x = leaf([1.0, 2.0])
    h = x * 3.0
    r = x * 4.0
    r.retain_grad()
    (h.sum() + (r * r).sum()).backward()
    assert x.is_leaf and not h.is_leaf
    with pytest.warns(UserWarning, match="not a leaf"):
        assert h.grad is None
    np.testing.assert_array_equal(r.grad.data, [8.0, 16.0])  # d(r²)/dr = 2r
    np.testing.assert_array_equal(x.grad.data, [3.0 + 32.0, 3.0 + 64.0])


def test_detach_cuts_the_graph_and_shares_data():
    x = leaf([1.0, 2.0])
    d = (x * 2.0).detach()
    assert d.grad_fn is None and not d.requires_grad and d.is_leaf
    y = (x * d).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])  # d is a constant


def test_backward_with_explicit_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    y.backward(gradient=minidl.tensor([1.0, 0.1, 0.0], dtype=np.float64))
    np.testing.assert_allclose(x.grad.data, [2.0, 0.4, 0.0])


def test_backward_on_a_leaf_sets_its_grad():
    x = leaf([1.0, 2.0])
    x.backward(gradient=np.array([3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])


def test_grads_of_two_leaves_are_independent_arrays():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    g = np.array([1.0, 1.0])
    (a + b).backward(g)
    a.grad.data *= 10.0  # e.g. in-place gradient clipping of one parameter
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])
    np.testing.assert_array_equal(g, [1.0, 1.0])


class Softplus(Function):
    """y = log(1 + eˣ);  dy/dx = σ(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + np.exp(-x))


def test_user_defined_function_works_and_is_gradchecked():
    x = leaf([-2.0, 0.0, 3.0])
    y = Softplus.apply(x)
    np.testing.assert_allclose(y.data, np.log1p(np.exp([-2.0, 0.0, 3.0])))
    assert y.grad_fn is not None and "Softplus" in repr(y.grad_fn)
    assert gradcheck(Softplus.apply, (leaf([-2.0, 0.0, 3.0]),))


def test_user_function_is_not_registered_as_a_builtin_op():
    assert "Softplus" not in minidl.autograd.OPS


class SinCos(Function):
    """(s, c) = (sin x, cos x);  dx = ds·cos x − dc·sin x"""

    @staticmethod
    def forward(ctx, x):
        s, c = np.sin(x), np.cos(x)
        ctx.save_for_backward(s, c)
        return s, c

    @staticmethod
    def backward(ctx, ds, dc):
        s, c = ctx.saved_tensors
        return ds * c - dc * s


def test_multi_output_user_function():
    x0 = np.array([0.3, 1.2, -0.7])
    assert gradcheck(SinCos.apply, (leaf(x0),))
    x = leaf(x0)
    s, c = SinCos.apply(x)
    (s * 2.0 + c * c).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.cos(x0) - 2 * np.cos(x0) * np.sin(x0))


def test_multi_output_function_with_one_output_unused_gets_zeros_for_it():
    x0 = np.array([0.3, 1.2])
    x = leaf(x0)
    _, c = SinCos.apply(x)
    c.sum().backward()
    np.testing.assert_allclose(x.grad.data, -np.sin(x0))


def test_set_materialize_grads_false_passes_none_for_an_unused_output():
    seen = []

    class SinCosLazy(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            s, c = np.sin(x), np.cos(x)
            ctx.save_for_backward(s, c)
            return s, c

        @staticmethod
        def backward(ctx, ds, dc):
            seen.append((ds is None, dc is None))
            s, c = ctx.saved_tensors
            return (0 if ds is None else ds * c) - (0 if dc is None else dc * s)

    x0 = np.array([0.3, 1.2])
    x = leaf(x0)
    _, c = SinCosLazy.apply(x)
    c.sum().backward()
    assert seen == [(True, False)]
    np.testing.assert_allclose(x.grad.data, -np.sin(x0))
    x = leaf(x0)
    s, c = SinCosLazy.apply(x)
    (s + c).sum().backward()
    assert seen[-1] == (False, False)
    np.testing.assert_allclose(x.grad.data, np.cos(x0) - np.sin(x0))


def test_backward_returning_the_wrong_number_of_gradients_is_named():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match="BadBackward.*1 gradients for 2 inputs"):
        Bad.apply(leaf([1.0]), leaf([2.0])).sum().backward()


def test_needs_input_grad_tells_which_inputs_need_a_gradient():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["needs"] = list(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    Probe.apply(leaf([1.0]), minidl.tensor([2.0], dtype=np.float64))
    assert seen["needs"] == [True, False]


@pytest.mark.parametrize("arity", [1, 2, 3])
def test_needs_input_grad_is_a_tuple_right_for_every_mix_of_inputs(arity):
    # apply writes out one and two inputs apart from the general loop: every path, every mix
    # of a leaf, a constant tensor and a plain number, with recording on and off
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, *arrays):
            seen.append(ctx.needs_input_grad)
            return np.asarray(sum(np.asarray(a, np.float64) for a in arrays))

        @staticmethod
        def backward(ctx, grad):
            return (grad,) * arity

    kinds = {"leaf": True, "constant": False, "number": False}
    for mix in itertools.product(kinds, repeat=arity):
        args = [
            leaf([1.0]) if k == "leaf" else minidl.tensor([2.0]) if k == "constant" else 3.0
            for k in mix
        ]
        for recording in (True, False):
            seen.clear()
            with minidl.set_grad_enabled(recording):
                out = Probe.apply(*args)
            want = tuple(recording and kinds[k] for k in mix)
            assert seen == [want] and type(seen[0]) is tuple, (mix, recording)
            assert out.requires_grad is any(want), (mix, recording)
            assert (out.grad_fn is not None) is any(want), (mix, recording)


def test_gradient_only_reaches_leaves_that_require_it():
    x = leaf([1.0])
    c = minidl.tensor([5.0], dtype=np.float64)
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad.data, [5.0])


def test_grads_reached_through_views_do_not_share_memory():
    a, b = leaf([[1.0, 2.0]]), leaf([3.0, 4.0])
    ((a.reshape(2) + b) * 2.0).sum().backward()  # Add hands one array to a (as a view) and b
    assert not np.shares_memory(a.grad.data, b.grad.data)
    np.testing.assert_array_equal(a.grad.data, [[2.0, 2.0]])
    np.testing.assert_array_equal(b.grad.data, [2.0, 2.0])


def test_retained_grad_accumulates_over_two_backwards_like_a_leaf():
    x = leaf([1.0, 2.0])
    r = x * 3.0
    r.retain_grad()
    y = (r * r).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(r.grad.data, 2 * (2 * np.array([3.0, 6.0])))
    np.testing.assert_array_equal(x.grad.data, 2 * (2 * 9 * np.array([1.0, 2.0])))


F32_EXPRESSIONS = {
    "add": lambda a, b: a + b,
    "pow tensor": lambda a, b: a**b,
    "pow scalar": lambda a, b: a**2.5,
    "rpow": lambda a, b: 2.5**a,
    "pow zero": lambda a, b: a**0,
    "div": lambda a, b: a / b,
    "rdiv": lambda a, b: 1 / a,
    "matmul": lambda a, b: a @ b,
    "exp log sqrt tanh": lambda a, b: a.exp().log().sqrt().tanh(),
    "sigmoid relu abs": lambda a, b: a.sigmoid().relu().abs(),
    "clamp numpy bound": lambda a, b: minidl.clamp(a, np.float64(0.7)),
    "maximum numpy scalar": lambda a, b: minidl.maximum(a, np.float64(1.0)),
    "minimum": lambda a, b: minidl.minimum(a, b),
    "where numpy scalar": lambda a, b: minidl.where(a > 1.0, a, np.float64(0.0)),
    "reductions": lambda a, b: a.sum(0) + a.mean() + a.amax(0) + a.amin(0),
    "softmax family": lambda a, b: a.softmax(1) + a.log_softmax(0) + a.logsumexp(),
    "indexing": lambda a, b: a[[0, 0, 1]].sum() + a[a > 1.0].sum() + a[1:, None].sum(),
    "cat stack split": lambda a, b: (
        minidl.cat([a, a]).sum() + minidl.stack([a, a]).sum() + a.split(2, 1)[1].sum()
    ),
    "expand": lambda a, b: b.expand(2, 3, 4),
    "numpy scalar operators": lambda a, b: a * np.float64(2.0) - np.float64(1.0) / b,
}


@pytest.mark.parametrize("name", sorted(F32_EXPRESSIONS))
def test_float32_forward_and_gradients_stay_float32_through_every_op(name):
    rng = np.random.default_rng(0)
    a = minidl.tensor(rng.uniform(0.5, 1.5, (3, 4)), dtype=np.float32, requires_grad=True)
    b = minidl.tensor(rng.uniform(0.5, 1.5, (4,)), dtype=np.float32, requires_grad=True)
    y = F32_EXPRESSIONS[name](a, b)
    assert y.dtype == np.float32
    y.sum().backward()
    for t in (a, b):
        assert t.grad is None or t.grad.dtype == np.float32


@given(pair=broadcastable_pair(), data=st.data())
def test_unbroadcast_sums_the_gradient_back_to_the_input_shape(pair, data):
    shape, other = pair
    out = np.broadcast_shapes(shape, other)
    g = data.draw(arrays(out))
    got = unbroadcast(g, shape)
    assert got.shape == shape
    # each input element receives the sum of the gradient over the places it was copied to
    ones = unbroadcast(np.ones(out), shape)
    np.testing.assert_allclose(ones, np.prod(out, dtype=float) / max(np.prod(shape), 1))
    np.testing.assert_allclose(got.sum(), g.sum(), atol=1e-9)


@given(pair=broadcastable_pair(), data=st.data())
def test_float32_gradients_agree_with_float64_to_float32_precision(pair, data):
    a = data.draw(arrays(pair[0], 0.5, 2.0))
    b = data.draw(arrays(pair[1], 0.5, 2.0))

    def f(x, y):
        return ((x * y).tanh() + x / y - (x**2).sqrt() * y.exp()).sum()

    grads = {}
    for dtype in (np.float32, np.float64):
        x = minidl.tensor(a, dtype=dtype, requires_grad=True)
        y = minidl.tensor(b, dtype=dtype, requires_grad=True)
        f(x, y).backward()
        assert x.grad.dtype == dtype and y.grad.dtype == dtype
        grads[dtype] = (x.grad.data, y.grad.data)
    for g32, g64 in zip(grads[np.float32], grads[np.float64]):
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-4)


def test_a_second_backward_does_not_write_into_a_grad_the_user_holds():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()  # d/dx Σ x² = 2x = [2, 4]
    held = x.grad
    (x * x).sum().backward()  # accumulates: 4x, in a new array
    np.testing.assert_array_equal(held.data, [2.0, 4.0])
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])


def _doubling_whose_backward_returns(make_grad):
    """y = 2x, with a backward that returns ``make_grad(upstream)``."""

    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return make_grad(grad)

    return Double


@pytest.mark.parametrize("wrong", [(7,), (3, 3), (2, 3, 3)])
def test_a_backward_returning_a_gradient_of_the_wrong_shape_is_named(wrong):
    # the input is (3, 2): a gradient must have that shape, or broadcast to it
    op = _doubling_whose_backward_returns(lambda grad: np.ones(wrong))
    with pytest.raises(
        RuntimeError,
        match=rf"DoubleBackward: gradient of shape \({wrong[0]},.*cannot be summed back to the "
        r"input's shape \(3, 2\)",
    ):
        op.apply(leaf(np.ones((3, 2)))).sum().backward()


def test_a_backward_gradient_with_extra_leading_axes_is_summed_back():
    # (2, 3) = the broadcast form of 2·grad: the engine sums it back to (3,)
    op = _doubling_whose_backward_returns(lambda grad: np.stack([grad, grad]))
    x = leaf([1.0, 2.0, 3.0])
    op.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])


class _Scale(Function):
    """y = x ⊙ w;  dy/dx = w, dy/dw = x"""

    @staticmethod
    def forward(ctx, x, w):
        assert isinstance(x, np.ndarray) and isinstance(w, np.ndarray)  # never a Tensor
        ctx.save_for_backward(x, w)
        return x * w

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return grad * w, grad * x


@pytest.mark.parametrize(
    "call", [lambda x, w: _Scale.apply(x, w=w), lambda x, w: _Scale.apply(w=w, x=x)]
)
def test_a_tensor_passed_to_apply_by_keyword_is_tracked(call):
    x = minidl.tensor([1.0, 2.0])
    w = leaf([3.0, 4.0])
    (call(x, w) + w).sum().backward()
    # d/dw Σ(x ⊙ w + w) = x + 1
    np.testing.assert_array_equal(w.grad.data, [2.0, 3.0])


def test_a_keyword_apply_does_not_fit_forward():
    with pytest.raises(TypeError, match="_Scale.apply: .*'z'"):
        _Scale.apply(minidl.tensor([1.0]), w=minidl.tensor([2.0]), z=3)


def test_a_parameter_frozen_after_the_forward_gets_no_gradient():
    # as PyTorch: requires_grad is read when the gradient arrives, so the optimizer skips it
    lin = minidl.nn.Linear(2, 1)
    loss = lin(minidl.tensor([[1.0, 2.0]])).sum()
    lin.weight.requires_grad_(False)
    before = lin.weight.data.copy()
    loss.backward()
    assert lin.weight.grad is None
    np.testing.assert_array_equal(lin.bias.grad.data, [1.0])
    minidl.optim.SGD(lin.parameters(), lr=0.1).step()
    np.testing.assert_array_equal(lin.weight.data, before)


def test_a_tensor_keyword_after_a_skipped_default_is_bound_to_its_place():
    # Clamp.forward(ctx, x, lo=None, hi=None): apply(x, hi=t) binds t third, lo as None
    from minidl.ops.elementwise import Clamp

    x, hi = leaf([1.0, 5.0]), leaf(3.0)
    y = Clamp.apply(x, hi=hi)
    np.testing.assert_array_equal(y.data, [1.0, 3.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0])  # dy/dx = [x < hi]
    assert hi.grad.item() == 1.0  # dy/dhi = [x > hi], summed


def test_tensors_built_inline_on_the_hot_path_set_every_slot_as_make_does():
    # apply and the leaf gradients build tensors without calling Tensor._make: a slot added
    # to Tensor must be set there too, or reading it raises AttributeError
    from minidl.tensor import Tensor

    x = minidl.tensor([1.0, -2.0], requires_grad=True)
    tracked, untracked = x * 2.0, x.detach() * 2.0
    scalar = (x * x).sum()  # forward returns a NumPy scalar: wrapped as a 0-d array
    scalar.backward()
    reference = Tensor._make(np.zeros(2))
    for t in (tracked, untracked, scalar, x.grad):
        for slot in Tensor.__slots__:
            if slot != "__weakref__":
                getattr(t, slot)
        assert type(t) is Tensor and type(t.data) is np.ndarray and t._grad is None
        assert t._out_index == reference._out_index
    assert tracked.requires_grad and tracked.grad_fn is not None
    assert not untracked.requires_grad and untracked.grad_fn is None
    assert scalar.data.shape == () and scalar.requires_grad
    assert not x.grad.requires_grad and x.grad.grad_fn is None


def test_nodes_built_by_apply_set_every_slot():
    # apply fills a Node's slots one by one (no __init__): a slot added to Node must be set
    # there too, or backward's read of it raises AttributeError
    from minidl.autograd import Node

    x = leaf([0.3, 1.2])
    single = (x * 2.0).grad_fn
    multi = SinCos.apply(x)[0].grad_fn
    for node in (single, multi):
        for slot in Node.__slots__:
            if slot not in ("__dict__", "__weakref__"):
                getattr(node, slot)
    assert single.out_meta is None and single.retained is None
    assert multi.out_meta == [((2,), np.float64), ((2,), np.float64)]
    assert len(multi.saved_tensors) == 2


class SumOfSquares(Function):
    """L = Σ h²;  dL/dh = 2h"""

    @staticmethod
    def forward(ctx, h):
        ctx.save_for_backward(h)
        return (h * h).sum()

    @staticmethod
    def backward(ctx, grad):
        (h,) = ctx.saved_tensors
        return 2 * h * grad


def test_saved_arrays_are_freed_by_backward_while_the_graph_lives():
    # backward drops what each node saved as soon as the node has run: the loss (and its
    # node) may live on, a long graph's activations do not
    x = leaf(np.linspace(-1.0, 1.0, 5))
    h = x * 2.0
    loss = SumOfSquares.apply(h)
    saved = weakref.ref(h.data)  # the node saved h's array, and holds it
    del h
    gc.collect()
    assert saved() is not None
    loss.backward()
    gc.collect()
    assert saved() is None and loss.grad_fn is not None
    np.testing.assert_allclose(x.grad.data, 8 * np.linspace(-1.0, 1.0, 5))


def test_a_node_reached_twice_runs_after_both_paths_when_the_second_path_is_a_chain():
    # L = Σ tanh(y) + 3y, y = 2x.  Backward runs the add, then 3y's node (the newest),
    # which finds y's node while tanh's still waits: y's node must wait for it too rather
    # than run next as a chain, or y's gradient misses the tanh path.
    # dL/dx = 2 (1 − tanh²(2x) + 3)
    x0 = np.array([-0.4, 0.1, 0.9])
    x = leaf(x0)
    y = x * 2.0
    (y.tanh() + y * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * (4 - np.tanh(2 * x0) ** 2), rtol=1e-12)


def test_inference_mode_is_no_grad_as_a_block_and_a_decorator():
    x = leaf([1.0])
    with minidl.inference_mode():
        assert not (x * 2.0).requires_grad and not minidl.is_grad_enabled()
    with minidl.no_grad(), minidl.inference_mode(False):
        assert (x * 2.0).requires_grad  # inference_mode(False) records, as enable_grad

    @minidl.inference_mode()
    def evaluate():
        return (x * 2.0).requires_grad

    @minidl.inference_mode
    def bare():
        return (x * 2.0).requires_grad

    @minidl.inference_mode(False)
    def recording():
        return (x * 2.0).requires_grad

    assert not evaluate() and not bare()
    with minidl.no_grad():
        assert recording()
    assert minidl.is_grad_enabled()


def test_reading_grad_of_a_result_that_backward_does_not_fill_warns_as_pytorch():
    # a student's `y = w * x; loss.backward(); y.grad` is None: PyTorch warns, and so do we
    x = leaf([1.0, 2.0])
    y = x * 3.0
    (y * y).sum().backward()
    with pytest.warns(UserWarning, match=r"result of MulBackward.*retain_grad\(\)"):
        assert y.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these warns
        assert x.grad is not None  # a leaf
        assert minidl.tensor([1.0]).grad is None  # a leaf that requires no grad
        assert (x.detach() * 2).grad is None  # computed without the graph: a leaf
        r = x * 4.0
        r.retain_grad()
        assert r.grad is None  # asked to keep its gradient, before backward: None, silently
        r.sum().backward()
        np.testing.assert_array_equal(r.grad.data, [1.0, 1.0])
        y.grad = minidl.ones(2)  # set by hand: read back as it is
        np.testing.assert_array_equal(y.grad.data, [1.0, 1.0])


def test_retains_grad_is_true_only_for_results_that_called_retain_grad():
    x = leaf([1.0, 2.0])
    y, z = x * 2.0, x * 3.0
    z.retain_grad()
    assert (x.retains_grad, y.retains_grad, z.retains_grad) == (False, False, True)
    a, b = minidl.split(x * 1.0, 1)  # one node, two outputs: only b retains
    b.retain_grad()
    assert (a.retains_grad, b.retains_grad) == (False, True)
