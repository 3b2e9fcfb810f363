"""Optimizer mechanics: groups, zero_grad, skipping, dtypes, no mutation of grads, errors."""

import numpy as np
import pytest

import minidl
from minidl.optim import GD, SGD, Adam, Optimizer

ALL = [
    lambda ps: GD(ps, lr=0.1),
    lambda ps: SGD(ps, lr=0.1),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: Adam(ps, lr=0.1),
    lambda ps: Adam(ps, lr=0.1, correct_v=False),
    lambda ps: GD(ps, lr=0.1, weight_decay=0.1),
    lambda ps: SGD(ps, lr=0.1, weight_decay=0.1),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda ps: Adam(ps, lr=0.1, weight_decay=0.1),
]
NAMES = ["gd", "sgd", "sgd-momentum", "adam", "adam-printed"]
NAMES += ["gd-wd", "sgd-wd", "sgd-momentum-wd", "adam-wd"]


def leaf(values, dtype=np.float32):
    return minidl.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_step_never_changes_the_gradients_it_reads(make):
    p = leaf([1.0, -2.0, 3.0])
    (p * p).sum().backward()
    grad_obj, grad_before = p.grad, p.grad.data.copy()
    opt = make([p])
    opt.step()
    opt.step()
    assert p.grad is grad_obj
    np.testing.assert_array_equal(p.grad.data, grad_before)


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_step_updates_in_place_records_no_graph_and_keeps_float32(make):
    p = leaf([1.0, -2.0, 3.0])
    data = p.data
    (p * p).sum().backward()
    opt = make([p])
    opt.step()
    assert p.data is data  # in place: views and references of the user stay valid
    assert p.is_leaf and p.grad_fn is None and p.requires_grad
    assert p.dtype == np.float32
    assert not np.array_equal(p.data, [1.0, -2.0, 3.0])
    for state in opt.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_parameters_without_grad_are_skipped(make):
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a * a).sum().backward()
    opt = make([a, b])
    opt.step()
    np.testing.assert_array_equal(b.data, [3.0, 4.0])
    assert b not in opt.state
    assert not np.array_equal(a.data, [1.0, 2.0])


def test_zero_grad_sets_none_or_fresh_zeros():
    p = leaf([1.0, 2.0])
    (p * p).sum().backward()
    old = p.grad
    opt = GD([p], lr=0.1)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.data, [0.0, 0.0])
    assert p.grad.dtype == np.float32
    np.testing.assert_array_equal(old.data, [2.0, 4.0])  # the old grad is not overwritten
    opt.zero_grad()
    assert p.grad is None


def test_zero_grad_with_zeros_leaves_a_parameter_without_gradient_without_one():
    # as PyTorch: else step() would update it (weight decay shrank a frozen embedding, and
    # Adam counted steps it never got a gradient for)
    frozen = minidl.nn.Parameter(np.ones(2, np.float64))
    opt = SGD([frozen], lr=0.1, weight_decay=0.1)
    for _ in range(10):
        opt.zero_grad(set_to_none=False)
        opt.step()
    assert frozen.grad is None and frozen.data.tolist() == [1.0, 1.0]

    p = minidl.nn.Parameter(np.ones(1, np.float64))
    adam = Adam([p], lr=0.1)
    for step in range(5):
        adam.zero_grad(set_to_none=False)
        if step == 4:
            p.grad = minidl.tensor([1.0], dtype=np.float64)
        adam.step()
    # Adam's first step: m̂ = g, v̂ = g², θ = 1 − 0.1 · 1 / (1 + 1e-8)
    assert adam.state[p]["step"] == 1
    np.testing.assert_allclose(p.data, [1 - 0.1 / (1 + 1e-8)], rtol=1e-15)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: Adam(ps),
        lambda ps: minidl.optim.AdamW(ps),
        lambda ps: SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: minidl.optim.RMSprop(ps),
        lambda ps: minidl.optim.Adagrad(ps),
    ],
)
def test_a_model_converted_after_a_step_is_refused_not_stepped_with_old_state(make):
    # in-place NumPy would keep float32 moments for the float64 parameters (PyTorch refuses)
    model = minidl.nn.Linear(2, 1)
    opt = make(model.parameters())
    model(minidl.randn(3, 2)).sum().backward()
    opt.step()
    model.double()
    opt.zero_grad()
    model(minidl.randn(3, 2, dtype=np.float64)).sum().backward()
    with pytest.raises(RuntimeError, match="is float32 .* but the parameter is now float64"):
        opt.step()


def test_param_groups_use_their_own_lr_and_the_defaults():
    a, b = leaf([1.0], np.float64), leaf([1.0], np.float64)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.0
    a.grad = minidl.tensor(np.array([2.0]))
    b.grad = minidl.tensor(np.array([2.0]))
    opt.step()
    np.testing.assert_array_equal(a.data, [1.0 - 0.1 * 2.0])
    np.testing.assert_array_equal(b.data, [1.0 - 0.5 * 2.0])


def test_changing_lr_in_param_groups_takes_effect():
    p = leaf([1.0], np.float64)
    opt = GD([p], lr=0.1)
    opt.param_groups[0]["lr"] = 0.25
    p.grad = minidl.tensor(np.array([1.0]))
    opt.step()
    np.testing.assert_array_equal(p.data, [0.75])


def test_step_closure_is_evaluated_and_returned():
    p = leaf([2.0], np.float64)
    opt = GD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 4.0
    np.testing.assert_array_equal(p.data, [2.0 - 0.25 * 4.0])


def test_float64_parameters_stay_float64():
    p = leaf([1.0, 2.0], np.float64)
    (p * p).sum().backward()
    opt = Adam([p])
    opt.step()
    assert p.dtype == np.float64 and opt.state[p]["m"].dtype == np.float64


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=1 / 3), lambda ps: Adam(ps, lr=1 / 3)])
def test_a_float64_parameter_beside_a_float32_one_of_its_shape_is_updated_in_float64(make):
    # same shape, so they could share scratch arrays; a float32 one would round the step to ~1e-8
    p32, p64 = leaf([1.0, 2.0]), leaf([1.0, 2.0], np.float64)
    g = np.array([0.1, 0.3])
    p32.grad, p64.grad = minidl.tensor(g, dtype=np.float32), minidl.tensor(g)
    opt = make([p32, p64])
    opt.step()
    # SGD: θ − α g;  Adam's first step: θ − α g / (|g| + ε)
    step = g / 3 if isinstance(opt, SGD) else g / (np.abs(g) + 1e-8) / 3
    np.testing.assert_allclose(p64.data, np.array([1.0, 2.0]) - step, rtol=1e-14)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda ps: GD(ps, lr=-0.1), "learning rate"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), "momentum"),
        (lambda ps: SGD(ps, lr=0.1, momentum=1.0), "momentum"),
        (lambda ps: Adam(ps, lr=-1e-3), "learning rate"),
        (lambda ps: Adam(ps, betas=(1.0, 0.999)), "betas"),
        (lambda ps: Adam(ps, betas=(0.9, -0.1)), "betas"),
        (lambda ps: Adam(ps, betas=(0.9,)), "betas"),
        (lambda ps: Adam(ps, betas=0.9), "betas must be a pair"),
        (lambda ps: Adam(ps, correct_v="False"), "correct_v must be True or False"),
        (lambda ps: Adam(ps, correct_v=None), "correct_v must be True or False"),
        (lambda ps: Adam(ps, eps=-1e-8), "eps"),
        (lambda ps: Adam([{"params": ps, "lr": -2.0}]), "learning rate"),
        (lambda ps: GD(ps, lr=float("nan")), "learning rate"),
    ],
)
def test_bad_hyper_parameters_are_refused_with_a_clear_error(make, message):
    with pytest.raises(ValueError, match=message):
        make([leaf([1.0])])


def test_bad_parameter_lists_are_refused():
    p = leaf([1.0])
    with pytest.raises(ValueError, match="empty"):
        GD([], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        GD(p, lr=0.1)
    with pytest.raises(TypeError, match="expected Tensors"):
        GD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="more than one group"):
        GD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        GD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="float leaf"):
        GD([minidl.tensor([1, 2])], lr=0.1)
    with pytest.raises(ValueError, match="unknown hyper-parameter"):
        GD([{"params": [p], "momentum": 0.9}], lr=0.1)


def test_wrongly_shaped_gradient_is_reported():
    p = leaf([1.0, 2.0])
    p.grad = minidl.tensor(np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"gradient of shape \(3,\).*shape \(2,\)"):
        GD([p], lr=0.1).step()


def test_gd_and_sgd_are_distinct_classes_sharing_the_base():
    assert issubclass(GD, Optimizer) and issubclass(SGD, Optimizer)
    assert GD is not SGD and not issubclass(GD, SGD) and not issubclass(SGD, GD)
    assert "whole training set" in GD.__doc__.replace("\n", " ").lower()
    assert "one randomly" in SGD.__doc__.replace("\n", " ").lower()


def test_numpy_scalar_hyper_parameters_become_python_floats():
    # an np.float64 lr would otherwise compute float32 updates in float64
    p = leaf([1.0, -2.0])
    opt = Adam([p], lr=np.float64(0.1), betas=(np.float32(0.9), 0.99), eps=np.float64(1e-8))
    group = opt.param_groups[0]
    assert all(type(v) is float for v in (group["lr"], group["eps"], *group["betas"]))
    (p * p).sum().backward()
    opt.step()
    assert p.dtype == opt.state[p]["m"].dtype == opt.state[p]["v"].dtype == np.float32


def test_updates_run_with_recording_off_and_recording_comes_back_after_an_error():
    class Probe(Optimizer):
        seen = []

        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

        def _update(self, p, g, group):
            Probe.seen.append(minidl.is_grad_enabled())
            if len(Probe.seen) == 2:
                raise FloatingPointError("second parameter")

    a, b = leaf([1.0]), leaf([2.0])
    (a * b).sum().backward()
    with pytest.raises(FloatingPointError):
        Probe([a, b]).step()
    assert Probe.seen == [False, False]
    assert minidl.is_grad_enabled()
    with minidl.no_grad():  # a step inside no_grad leaves it off
        Probe.seen.clear()
        Probe([a]).step()
        assert not minidl.is_grad_enabled()


def test_sgd_default_learning_rate_is_pytorchs():
    # torch.optim.SGD(params) has lr=1e-3 since PyTorch 2.0
    assert SGD([leaf([1.0])]).param_groups[0]["lr"] == 1e-3


MAXIMIZERS = {
    "GD": lambda ps, **k: GD(ps, lr=0.1, weight_decay=0.01, **k),
    "SGD": lambda ps, **k: SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, **k),
    "Adam": lambda ps, **k: Adam(ps, lr=0.1, weight_decay=0.01, **k),
    "AdamW": lambda ps, **k: minidl.optim.AdamW(ps, lr=0.1, **k),
    "RMSprop": lambda ps, **k: minidl.optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, **k),
    "Adagrad": lambda ps, **k: minidl.optim.Adagrad(ps, lr=0.1, weight_decay=0.01, **k),
}


@pytest.mark.parametrize("name", MAXIMIZERS)
def test_maximize_is_minimizing_the_negated_objective(name):
    # maximize=True ascends f: every update is that of −g (PyTorch negates g before any
    # weight decay), so it retraces minimizing −f bit for bit
    rng = np.random.default_rng(0)
    up = minidl.nn.Parameter(np.array([0.5, -1.0, 2.0]))
    down = minidl.nn.Parameter(np.array([0.5, -1.0, 2.0]))
    ascend = MAXIMIZERS[name]([up], maximize=True)
    descend = MAXIMIZERS[name]([down])
    for _ in range(20):
        g = rng.standard_normal(3)
        up.grad, down.grad = minidl.tensor(g), minidl.tensor(-g)
        ascend.step()
        descend.step()
    np.testing.assert_array_equal(up.data, down.data)
    assert up.grad.tolist() == (-down.grad).tolist()  # p.grad itself is left as it was
    with pytest.raises(TypeError, match="maximize must be True or False"):
        MAXIMIZERS[name]([up], maximize="yes")


@pytest.mark.parametrize("name", [n for n in MAXIMIZERS if n != "GD"])  # GD: no torch twin
def test_maximize_as_pytorch(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    grads = rng.standard_normal((15, 4))
    start = rng.standard_normal(4)
    mine = minidl.nn.Parameter(start.copy())
    theirs = torch.tensor(start.copy(), requires_grad=True)
    opt = MAXIMIZERS[name]([mine], maximize=True)
    reference = {
        "SGD": lambda: torch.optim.SGD(
            [theirs], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True
        ),
        "Adam": lambda: torch.optim.Adam([theirs], lr=0.1, weight_decay=0.01, maximize=True),
        "AdamW": lambda: torch.optim.AdamW([theirs], lr=0.1, maximize=True),
        "RMSprop": lambda: torch.optim.RMSprop(
            [theirs], lr=0.01, momentum=0.5, centered=True, maximize=True
        ),
        "Adagrad": lambda: torch.optim.Adagrad([theirs], lr=0.1, weight_decay=0.01, maximize=True),
    }[name]()
    for g in grads:
        mine.grad = minidl.tensor(g)
        theirs.grad = torch.tensor(g)
        opt.step()
        reference.step()
    np.testing.assert_allclose(mine.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_a_tensor_put_into_data_is_named_at_the_step_and_in_repr():
    # PyTorch's `p.data = torch.randn(...) * 0.01` stores a Tensor where minidl keeps the
    # array; it used to fail later in the engine ("'Tensor' object has no attribute 'base'")
    layer = minidl.nn.Linear(3, 2)
    layer.weight.data = minidl.randn(2, 3) * 0.01
    opt = Adam(layer.parameters())
    layer(minidl.randn(4, 3)).sum().backward()
    with pytest.raises(TypeError, match=r"Adam.step: .*\.data is a Tensor, not a NumPy array"):
        opt.step()
    with pytest.raises(TypeError, match=r"p.data -= lr \* p.grad.data"):
        repr(layer.weight)
