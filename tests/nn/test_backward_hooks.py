"""Module backward hooks (register_full_backward_hook / register_full_backward_pre_hook).

Expected gradients are worked from the layer's equations (y = x Wᵀ, L = Σ y²: dL/dy = 2y,
dL/dx = 2y W); replacements are checked by linearity of the chain rule (a grad_output
doubled doubles every gradient behind it); the layout of grad_input / grad_output is
PyTorch's, compared with torch 2.13 in the last test (skipped without torch).
"""

import numpy as np
import pytest
from strategies import raises

import minidl
from minidl import nn


def _linear(w):
    lin = nn.Linear(w.shape[1], w.shape[0], bias=False, dtype=np.float64)
    lin.weight.data = np.array(w, dtype=np.float64)
    return lin


W = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
X = np.array([[0.5, 1.0, -1.5], [2.0, -0.5, 0.25]])


def test_the_hook_sees_the_gradients_of_the_module_inputs_and_outputs():
    lin, seen = _linear(W), []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((m, gi, go)))
    x = minidl.tensor(X, requires_grad=True)
    y = lin(x)
    assert not seen  # backward has not run
    (y * y).sum().backward()
    ((m, gi, go),) = seen
    assert m is lin and len(gi) == 1 and len(go) == 1
    dy = 2 * X @ W.T  # dL/dy = 2y
    np.testing.assert_allclose(go[0].data, dy, rtol=1e-12)
    np.testing.assert_allclose(gi[0].data, dy @ W, rtol=1e-12)  # dL/dx = dL/dy W
    np.testing.assert_allclose(x.grad.data, dy @ W, rtol=1e-12)  # None returned: unchanged
    np.testing.assert_allclose(lin.weight.grad.data, dy.T @ X, rtol=1e-12)


def test_a_pre_hook_replacing_grad_output_changes_every_gradient_behind_it():
    def run(scale):
        minidl.manual_seed(0)
        net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
        if scale is not None:
            net[2].register_full_backward_pre_hook(lambda m, go: (go[0] * scale,))
        x = minidl.tensor(X.astype(np.float32), requires_grad=True)
        (net(x) ** 2).sum().backward()
        return x.grad.data, [p.grad.data for p in net.parameters()]

    x0, p0 = run(None)
    x2, p2 = run(2.0)
    np.testing.assert_allclose(x2, 2 * x0, rtol=1e-6)  # the chain rule is linear in dL/dy
    for a, b in zip(p2, p0):
        np.testing.assert_allclose(a, 2 * b, rtol=1e-6)


def test_a_hook_replacing_grad_input_changes_only_what_lies_before_the_module():
    def run(replace):
        lin = _linear(W)
        if replace:
            lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
        x = minidl.tensor(X, requires_grad=True)
        (lin(x * 2.0) ** 2).sum().backward()
        return x.grad.data, lin.weight.grad.data

    (x0, w0), (x3, w3) = run(False), run(True)
    np.testing.assert_allclose(x3, 3 * x0, rtol=1e-12)
    np.testing.assert_array_equal(w3, w0)  # the module's own weights: from grad_output


def test_hooks_fire_from_the_output_end_in_order_of_registration():
    minidl.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    order = []
    for name, m in [("net", net), ("0", net[0]), ("1", net[1]), ("2", net[2])]:
        m.register_full_backward_hook(lambda m, gi, go, name=name: order.append(name))
    net[2].register_full_backward_pre_hook(lambda m, go: order.append("pre 2"))
    net[2].register_full_backward_hook(lambda m, gi, go: order.append("2 again"))
    net(minidl.ones(2, 3, requires_grad=True)).sum().backward()
    assert order == ["pre 2", "2", "2 again", "1", "0", "net"]


def test_grad_input_has_a_tensor_for_each_positional_tensor_and_none_for_the_rest():
    class TwoInputs(nn.Module):
        def forward(self, a, b, scale, c=None):
            return a * 2.0 * scale + b, a.sum()

    seen = []
    m = TwoInputs()
    m.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    a = minidl.tensor([1.0, 2.0], requires_grad=True)
    b = minidl.tensor([5.0, 6.0])  # does not require grad: zeros there, as PyTorch
    y, s = m(a, b, 3.0, c=a)  # keyword arguments are not part of grad_input
    y.sum().backward()
    ((gi, go),) = seen
    assert len(gi) == 3 and gi[2] is None
    np.testing.assert_array_equal(gi[0].data, [6.0, 6.0])
    np.testing.assert_array_equal(gi[1].data, [0.0, 0.0])
    assert go[1] is None  # the loss does not depend on the second output
    np.testing.assert_array_equal(go[0].data, [1.0, 1.0])


def test_an_output_the_loss_does_not_reach_passes_zeros_on_as_in_pytorch():
    class TwoOutputs(nn.Module):
        def forward(self, a, b, k=None):
            return a * b * 2.0, a.sum() + k.sum()

    m, seen = TwoOutputs(), []
    m.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    a = minidl.tensor([1.0, 2.0])
    b = minidl.tensor([3.0, 4.0], requires_grad=True)
    k = minidl.tensor([5.0, 6.0], requires_grad=True)
    _, o2 = m(a, b, k=k)
    (o2 * 3.0).backward()  # reaches the second output only
    ((gi, go),) = seen  # the hook still runs, once: b's path carries zeros
    assert go[0] is None and go[1].item() == 3.0
    np.testing.assert_array_equal(gi[1].data, [0.0, 0.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.0])  # zeros, not None (PyTorch too)
    np.testing.assert_array_equal(k.grad.data, [3.0, 3.0])


def test_with_no_input_that_requires_grad_the_hook_fires_at_the_outputs():
    emb, seen = nn.Embedding(4, 2), []
    emb.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    (emb(minidl.tensor([1, 3, 1])) * 2.0).sum().backward()
    ((gi, go),) = seen
    assert gi == (None,)
    np.testing.assert_array_equal(go[0].data, np.full((3, 2), 2.0))
    np.testing.assert_array_equal(emb.weight.grad.data[[1, 3]], [[4.0, 4.0], [2.0, 2.0]])


def test_a_nested_tuple_output_has_none_in_grad_output():
    minidl.manual_seed(0)
    lstm, seen = nn.LSTM(3, 2), []
    lstm.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    x = minidl.randn(4, 1, 3, requires_grad=True)
    out, (h, c) = lstm(x)
    (out.sum() + h.sum()).backward()
    ((gi, go),) = seen
    assert len(go) == 2 and go[1] is None  # (h_n, c_n) is not a tensor: PyTorch's layout
    np.testing.assert_array_equal(go[0].data, np.ones((4, 1, 2)))  # d(out.sum())/d(out)
    np.testing.assert_array_equal(gi[0].data, x.grad.data)


def test_a_call_keeps_the_hooks_it_was_made_with():
    lin, seen = _linear(W), []
    handle = lin.register_full_backward_hook(lambda m, gi, go: seen.append(1))
    x = minidl.tensor(X, requires_grad=True)
    y = lin(x)
    handle.remove()  # after the forward: this call's backward still runs it (PyTorch too)
    y.sum().backward()
    assert seen == [1]
    lin(x).sum().backward()  # a call made after the removal has no hook
    assert seen == [1]


def test_no_hook_runs_for_a_call_made_without_grad():
    lin, seen = _linear(W), []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(1))
    x = minidl.tensor(X, requires_grad=True)
    with minidl.no_grad():
        y = lin(x)
    assert not y.requires_grad and not seen


def test_the_gradients_a_hook_sees_are_read_only():
    lin = _linear(W)

    def hook(m, gi, go):
        gi[0].data[...] = 0.0

    lin.register_full_backward_hook(hook)
    with pytest.raises(ValueError, match="read-only"):
        lin(minidl.tensor(X, requires_grad=True)).sum().backward()


@pytest.mark.parametrize(
    "register, result, fragments",
    [
        ("hook", (None, None), ("Linear full backward hook", "returned 2", "tuple of 1")),
        ("hook", 3.0, ("grad_input", "float")),
        ("hook", (np.zeros((2, 2)),), ("grad_input[0]", "(2, 2)", "expected (2, 3) float64")),
        ("pre", (np.zeros((2, 2), np.float32),), ("pre-hook", "grad_output[0]", "float32")),
    ],
)
def test_a_wrong_replacement_is_refused(register, result, fragments):
    lin = _linear(W)
    if register == "hook":
        lin.register_full_backward_hook(lambda m, gi, go: result)
    else:
        lin.register_full_backward_pre_hook(lambda m, go: result)
    with raises(RuntimeError, *fragments):
        lin(minidl.tensor(X, requires_grad=True)).sum().backward()


def test_a_replacement_for_an_entry_without_gradient_is_refused():
    class Scaled(nn.Module):
        def forward(self, x, factor):
            return x * factor

    m = Scaled()
    m.register_full_backward_hook(lambda m, gi, go: (gi[0], minidl.tensor(1.0)))
    with raises(RuntimeError, "grad_input[1]", "has none", "return None"):
        m(minidl.tensor([1.0, 2.0], requires_grad=True), 3.0).sum().backward()


def test_registering_needs_a_callable():
    with raises(TypeError, "register_full_backward_hook", "callable", "int"):
        nn.Linear(2, 2).register_full_backward_hook(3)
    with raises(TypeError, "register_full_backward_pre_hook", "callable"):
        nn.Linear(2, 2).register_full_backward_pre_hook("f")


def test_the_hooks_agree_with_pytorch():
    torch = pytest.importorskip("torch")

    class TwoInputs:
        def __init__(self, lib):
            class M(lib.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = lib.nn.Linear(3, 3)

                def forward(self, a, b, scale=1.0):
                    return self.lin(a) * b * scale, a.sum()

            self.m = M()

    def run(lib, case):
        ns = torch if lib is torch else minidl
        rng = np.random.default_rng(1)
        log = []

        def arrays(gs):
            return [None if g is None else g.detach().numpy().astype(np.float64) for g in gs]

        def hook(m, gi, go):
            log.append(("hook", type(m).__name__, arrays(gi), arrays(go)))
            if case == "replace":
                return tuple(None if g is None else g * 3 for g in gi)

        def pre(m, go):
            log.append(("pre", type(m).__name__, arrays(go)))
            if case == "replace":
                return tuple(None if g is None else g * -0.5 for g in go)

        def f32(*shape):
            return ns.tensor(rng.standard_normal(shape).astype(np.float32))

        if case == "lstm":
            m = lib.nn.LSTM(3, 2)
            m.load_state_dict({k: f32(*v.shape) for k, v in m.state_dict().items()})
            inputs = (f32(4, 2, 3).requires_grad_(),)
        else:
            m = TwoInputs(lib).m
            m.load_state_dict({"lin.weight": f32(3, 3), "lin.bias": f32(3)})
            inputs = (f32(2, 3).requires_grad_(), f32(2, 3).requires_grad_(case == "replace"))
        m.register_full_backward_hook(hook)
        m.register_full_backward_pre_hook(pre)
        if case == "lstm":
            out, (h, c) = m(*inputs)
            ((out**2).sum() + h.sum()).backward()
        else:
            y, s = m(*inputs, scale=2.0)
            ((y**2).sum() + s * 3).backward()
        grads = [t.grad.numpy() for t in inputs if t.requires_grad]
        return log, grads + [p.grad.numpy() for p in m.parameters()]

    for case in ("two", "replace", "lstm"):
        (log_a, grads_a), (log_b, grads_b) = run(minidl, case), run(torch, case)
        assert [e[:2] for e in log_a] == [e[:2] for e in log_b]
        for ea, eb in zip(log_a, log_b):
            for la, lb in zip(ea[2:], eb[2:]):
                assert len(la) == len(lb)
                for u, v in zip(la, lb):
                    assert (u is None) == (v is None), (case, ea[:2])
                    if u is not None:
                        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-5)
        for u, v in zip(grads_a, grads_b, strict=True):
            np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-5)


def test_a_module_with_a_list_output_runs_no_backward_hook_as_in_pytorch():
    class ListOut(nn.Module):
        def forward(self, x):
            return [x * 2.0, x * 3.0]

    m, seen = ListOut(), []
    m.register_full_backward_hook(lambda m, gi, go: seen.append(1))
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    a, b = m(x)
    (a + b).sum().backward()
    assert not seen
    np.testing.assert_array_equal(x.grad.data, [5.0, 5.0])
