"""Tensor.register_hook: the hook sees each tensor's total gradient, before it is used,
and may replace it.  Expected values are the chain rule worked by hand."""

import numpy as np
import pytest

import minidl


def leaf(values):
    return minidl.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_a_leaf_hook_sees_the_gradient_and_may_replace_it():
    x, seen = leaf([1.0, 2.0]), []
    x.register_hook(lambda g: seen.append(g.tolist()))
    x.register_hook(lambda g: g * 10)  # hooks run in order; the last result is kept
    ((x * x).sum()).backward()  # d/dx = 2x
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [20.0, 40.0]


def test_a_hook_on_a_result_changes_what_flows_back():
    x = leaf([1.0, 2.0])
    y = x * 3.0
    y.register_hook(lambda g: g * 2)  # dL/dy = 2y = [6, 12], doubled
    (y * y).sum().backward()
    assert x.grad.tolist() == [36.0, 72.0]  # 3 · [12, 24]


def test_a_tensor_used_twice_calls_its_hook_once_with_the_sum():
    x, calls = leaf([1.0]), []
    y = x * 2.0
    y.register_hook(lambda g: calls.append(g.item()))
    (y + y * 3.0).backward()  # dL/dy = 1 + 3
    assert calls == [4.0]
    assert x.grad.item() == 8.0


def test_retain_grad_keeps_the_gradient_the_hooks_made():
    x = leaf([1.0, 2.0])
    y = x * 3.0
    y.retain_grad()
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    assert y.grad.tolist() == [2.0, 2.0]
    assert x.grad.tolist() == [6.0, 6.0]


def test_a_hook_on_one_output_of_a_multi_output_op():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    a, b = x.split(2)
    b.register_hook(lambda g: g * -1)
    (a.sum() + 2 * b.sum()).backward()
    assert x.grad.tolist() == [1.0, 1.0, -2.0, -2.0]


def test_removed_hooks_stop_and_a_handle_is_a_context_manager():
    x, calls = leaf([1.0]), []
    with x.register_hook(lambda g: calls.append("block")):
        (x * 1.0).backward()
    handle = x.register_hook(lambda g: calls.append("handle"))
    (x * 1.0).backward()
    handle.remove()
    handle.remove()
    (x * 1.0).backward()
    assert calls == ["block", "handle"]


def test_grad_runs_the_hooks_of_its_inputs():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 5)
    (gx,) = minidl.autograd.grad((x * x).sum(), x)
    assert gx.tolist() == [10.0, 20.0]
    assert x.grad is None


def test_a_hook_cannot_write_into_the_gradient_it_is_shown():
    # the array may be another path's gradient too (an Add passes one array to both inputs)
    x = leaf([1.0])
    x.register_hook(lambda g: g.fill_(0.0))
    with pytest.raises((RuntimeError, ValueError), match="read-only|writeable"):
        (x * 2.0).backward()


def test_a_hook_returning_another_shape_is_an_error():
    x = leaf([1.0, 2.0])
    y = x * 1.0
    y.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"hook on an output of MulBackward returned .* \(\)"):
        y.sum().backward()


def test_only_a_tensor_that_requires_grad_takes_a_hook():
    with pytest.raises(RuntimeError, match="does not require grad"):
        minidl.tensor([1.0]).register_hook(print)
    with pytest.raises(TypeError, match="hook must be callable"):
        leaf([1.0]).register_hook("print")


def test_hooks_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    v = rng.standard_normal(3)
    results = []
    for lib in (minidl, torch):
        x = lib.tensor(v, requires_grad=True)
        h = (x * 2.0).tanh()
        h.register_hook(lambda g: g * 3)
        x.register_hook(lambda g: g + 1)
        (h * h).sum().backward()
        results.append(np.asarray(x.grad.tolist()))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_grad_of_a_retained_input_fills_its_grad_too():
    # PyTorch: retain_grad() holds for the tensor whatever backward computes its gradient
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2.0
    y.retain_grad()
    (gy,) = minidl.autograd.grad((y * y).sum(), y)
    assert gy.tolist() == [4.0, 8.0, 12.0] == y.grad.tolist()
    assert x.grad is None


def test_a_hook_may_not_change_the_gradients_dtype():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g.float())
    with pytest.raises(RuntimeError, match="shape or type"):
        (x * 2.0).sum().backward()
