"""minidl.autograd.grad: gradients returned, not added into ``.grad`` (torch.autograd.grad)."""

import numpy as np
import pytest

import minidl
from minidl.autograd import grad


def _x(values, dtype=np.float64):
    return minidl.tensor(np.array(values, dtype=dtype), requires_grad=True)


def test_gradient_of_a_leaf_and_of_an_intermediate_worked_by_hand():
    # z = Σ 3 y,  y = x²:  dz/dx = 6x,  dz/dy = 3
    x = _x([1.0, -2.0, 0.5])
    y = x * x
    z = (y * 3.0).sum()
    gx, gy = grad(z, [x, y])
    np.testing.assert_array_equal(gx.data, [6.0, -12.0, 3.0])
    np.testing.assert_array_equal(gy.data, [3.0, 3.0, 3.0])
    assert not gx.requires_grad and gx.grad_fn is None


def test_no_grad_is_written_anywhere():
    x, w = _x([1.0, 2.0]), _x([0.5, -1.0])
    x.grad = minidl.tensor([10.0, 20.0], dtype=np.float64)  # an earlier backward's
    (gx,) = grad((x * w).sum(), x)
    np.testing.assert_array_equal(gx.data, [0.5, -1.0])
    np.testing.assert_array_equal(x.grad.data, [10.0, 20.0])  # left as it was
    assert w.grad is None  # a leaf that was not asked for gets nothing either


def test_the_same_as_backward_and_as_central_differences():
    x0 = np.array([[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]])

    def f(x):
        return (x.tanh() * x + x.exp() / 3.0).sum()

    x = _x(x0)
    (g,) = grad(f(x), x)
    f(x).backward()
    np.testing.assert_array_equal(g.data, x.grad.data)
    (numeric,) = minidl.numerical_grad(f, (_x(x0),))
    np.testing.assert_allclose(g.data, numeric, rtol=1e-7, atol=1e-9)


def test_several_outputs_add_up_weighted_by_grad_outputs():
    # outputs y = x² (weighted by v) and s = Σ x:  d/dx = 2x·v + 1
    x = _x([1.0, 2.0, -3.0])
    y = x * x
    s = x.sum()
    v = minidl.tensor([1.0, 0.5, 2.0], dtype=np.float64)
    (gx,) = grad([y, s], [x], grad_outputs=[v, None])
    np.testing.assert_array_equal(gx.data, 2 * np.array([1.0, 2.0, -3.0]) * v.data + 1)
    # one output, its weights as a NumPy array (one grad_output, not three rows of one)
    (gx,) = grad(x * x, x, grad_outputs=np.array([1.0, 0.5, 2.0]))
    np.testing.assert_array_equal(gx.data, [2.0, 2.0, -12.0])


def test_an_output_that_is_the_input_has_gradient_one():
    x = _x([4.0, 5.0])
    y = x * 2.0
    (gy,) = grad(y.sum(), y)
    np.testing.assert_array_equal(gy.data, [1.0, 1.0])
    (gx,) = grad(x, x, grad_outputs=minidl.tensor([3.0, 7.0], dtype=np.float64))
    np.testing.assert_array_equal(gx.data, [3.0, 7.0])


def test_the_graph_is_freed_unless_retain_graph():
    x = _x([1.0, 2.0])
    z = (x * x).sum()
    grad(z, x, retain_graph=True)
    grad(z, x)  # still there for a second call
    with pytest.raises(RuntimeError, match="second time"):
        z.backward()


def test_a_retained_intermediate_keeps_its_retain_grad_after_grad():
    x = _x([1.0, 3.0])
    y = x * x
    y.retain_grad()
    z = (y * 2.0).sum()
    (gy,) = grad(z, y, retain_graph=True)
    np.testing.assert_array_equal(gy.data, [2.0, 2.0])
    # as torch 2.13: retain_grad() holds whichever backward computes y's gradient, grad()
    # included (the test used to pin None here, which PyTorch does not do)
    np.testing.assert_array_equal(y.grad.data, [2.0, 2.0])
    z.backward()
    np.testing.assert_array_equal(y.grad.data, [4.0, 4.0])  # accumulated, like a leaf's
    np.testing.assert_array_equal(x.grad.data, [4.0, 12.0])


def test_float32_in_float32_gradients_out():
    x = _x([1.0, 2.0], dtype=np.float32)
    (gx,) = grad((x * x).sum(), x)
    assert gx.dtype == np.float32
    np.testing.assert_array_equal(gx.data, [2.0, 4.0])


def test_an_unused_input_is_an_error_unless_allow_unused():
    x, unused = _x([1.0]), _x([2.0])
    with pytest.raises(RuntimeError, match="input 1 was not used.*allow_unused=True"):
        grad((x * 3.0).sum(), [x, unused], retain_graph=True)
    gx, gu = grad((x * 3.0).sum(), [x, unused], allow_unused=True)
    np.testing.assert_array_equal(gx.data, [3.0])
    assert gu is None


def test_bad_arguments_are_named():
    x = _x([1.0, 2.0])
    z = (x * x).sum()
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        grad(z, x, create_graph=True)
    with pytest.raises(RuntimeError, match="input 0 does not require grad"):
        grad(z, minidl.tensor([1.0]))
    with pytest.raises(TypeError, match="inputs must be tensors, got list at 0"):
        grad(z, [[1.0]])
    with pytest.raises(ValueError, match="got 2 grad_outputs for 1 outputs"):
        grad(z, x, grad_outputs=[None, None])
    with pytest.raises(ValueError, match="got no inputs"):
        grad(z, [])


def test_an_output_of_a_multi_output_op_that_nothing_used_has_no_gradient():
    # as PyTorch: q (the second half of a chunk) does not reach the loss, so it has no
    # gradient at all (not zeros): grad() calls it unused, and a retained q.grad stays None
    x = _x([1.0, 2.0, 3.0, 4.0])
    p, q = x.chunk(2)
    with pytest.raises(RuntimeError, match="input 0 was not used"):
        grad(p.sum(), [q], retain_graph=True)
    gq, gx = grad(p.sum(), [q, x], allow_unused=True)
    assert gq is None
    np.testing.assert_array_equal(gx.data, [1.0, 1.0, 0.0, 0.0])
    p, q = x.chunk(2)
    q.retain_grad()
    p.retain_grad()
    (p * 2.0).sum().backward()
    assert q.grad is None
    np.testing.assert_array_equal(p.grad.data, [2.0, 2.0])


def _graph_with_hooks(fired):
    """x → a = 2x → y = 3a → z = Σ y²  (dz/dy = 2y = 12x, dz/da = 36x, dz/dx = 72x),
    with w → Σ w² beside it; every hook records its tensor's name in ``fired``."""
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    w = minidl.tensor([0.5, 0.5], requires_grad=True)
    a = x * 2
    a.retain_grad()
    y = a * 3
    z = (y * y).sum() + (w * w).sum()
    for name, t in (("x", x), ("w", w), ("a", a), ("y", y)):
        t.register_hook(lambda g, name=name: fired.append(name))
    return x, w, a, y, z


def test_only_the_part_of_the_graph_between_outputs_and_inputs_runs():
    # as torch.autograd.grad: a hook or retain_grad() behind (or beside) the inputs asked
    # for does not fire; the ones on the way do
    fired = []
    x, w, a, y, z = _graph_with_hooks(fired)
    (gy,) = grad(z, [y], retain_graph=True)
    np.testing.assert_allclose(gy.data, [12.0, 24.0])
    assert fired == ["y"] and a.grad is None and x.grad is None and w.grad is None

    fired.clear()
    (gx,) = grad(z, [x])
    np.testing.assert_allclose(gx.data, [72.0, 144.0])
    # on the way: y, a (and a.retain_grad() gets dz/da); w's branch and w are beside it
    assert sorted(fired) == ["a", "x", "y"]
    np.testing.assert_allclose(a.grad.data, [36.0, 72.0])
    assert w.grad is None


def test_a_leaf_input_and_an_input_behind_it_both_reached():
    fired = []
    x, w, a, y, z = _graph_with_hooks(fired)
    gx, ga, gw = grad(z, [x, a, w])
    np.testing.assert_allclose(gx.data, [72.0, 144.0])
    np.testing.assert_allclose(ga.data, [36.0, 72.0])
    np.testing.assert_allclose(gw.data, [1.0, 1.0])  # d(Σ w²)/dw = 2w
    assert sorted(fired) == ["a", "w", "x", "y"]


def test_the_pruned_graph_matches_torch():
    torch = pytest.importorskip("torch")
    fired = {"minidl": [], "torch": []}
    results = {}
    for lib, mod in (("minidl", minidl), ("torch", torch)):
        x = mod.tensor([1.0, -2.0, 0.5], requires_grad=True)
        u = mod.tensor([0.3, 0.1, -0.7], requires_grad=True)
        h = (x * u).tanh()
        h.retain_grad()
        k = h * u
        out = (k * k).sum() + h.sum()
        for name, t in (("x", x), ("u", u), ("h", h), ("k", k)):
            t.register_hook(lambda g, name=name, lib=lib: fired[lib].append(name))
        got = mod.autograd.grad(out, [k, h], retain_graph=True)
        results[lib] = [np.asarray(g.detach().numpy() if lib == "torch" else g.data) for g in got]
        results[lib].append(
            None
            if h.grad is None
            else np.asarray(h.grad.detach().numpy() if lib == "torch" else h.grad.data)
        )
    assert sorted(fired["minidl"]) == sorted(fired["torch"])
    for m, t in zip(results["minidl"], results["torch"]):
        assert (m is None) == (t is None)
        if m is not None:
            np.testing.assert_allclose(m, t, rtol=1e-6)
