"""RMSprop and Adagrad against their docstring equations, replayed by hand in NumPy.

Every expected value comes from the equations written out below in float64 (or
float32 for the dtype test), never from minidl's own output.
"""

import itertools

import numpy as np
import pytest
from optim_replay import STEPS, gradients, run

import minidl
from minidl.optim import SGD, Adagrad, RMSprop


def rmsprop_by_hand(theta, grads, lr, alpha, eps, wd, mu, centered):
    """RMSprop's docstring equations, v_0 = ḡ_0 = b_0 = 0."""
    theta = theta.copy()
    v, gbar, b = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    history = []
    for g in grads:
        g = g + wd * theta
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            d = np.sqrt(v - gbar * gbar) + eps
        else:
            d = np.sqrt(v) + eps
        if mu > 0:
            b = mu * b + g / d
            theta = theta - lr * b
        else:
            theta = theta - lr * g / d
        history.append(theta.copy())
    return history


def adagrad_by_hand(theta, grads, lr, lr_decay, wd, s0, eps):
    """Adagrad's docstring equations, t counted from 1, s_0 = initial_accumulator_value."""
    theta = theta.copy()
    s = np.full_like(theta, s0)
    history = []
    for t, g in enumerate(grads, start=1):
        g = g + wd * theta
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        theta = theta - lr_t * g / (np.sqrt(s) + eps)
        history.append(theta.copy())
    return history


RMS_OPTIONS = list(itertools.product([False, True], [0.0, 0.9], [0.0, 0.1]))


@pytest.mark.parametrize("centered, mu, wd", RMS_OPTIONS)
def test_rmsprop_follows_its_equations_for_every_option(centered, mu, wd):
    theta0 = np.random.default_rng(1).standard_normal((3, 4))
    grads = gradients((3, 4))
    lr, alpha, eps = 0.01, 0.9, 1e-6
    _, opt, got = run(
        lambda ps: RMSprop(
            ps, lr=lr, alpha=alpha, eps=eps, weight_decay=wd, momentum=mu, centered=centered
        ),
        theta0,
        grads,
    )
    expected = rmsprop_by_hand(theta0, grads, lr, alpha, eps, wd, mu, centered)
    for step, (a, b) in enumerate(zip(got, expected), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step}")
    (state,) = opt.state.values()
    keys = {"step", "square_avg"} | ({"momentum_buffer"} if mu else set())
    assert set(state) == keys | ({"grad_avg"} if centered else set())
    assert state["step"] == STEPS and type(state["step"]) is int


def test_rmsprop_defaults_are_pytorchs():
    # lr=0.01, α=0.99, ε=1e-8, no momentum, not centered: the first step is
    # θ − 0.01 g / (√(0.01 g²) + 1e-8) = θ − 0.01 sign(g) / (0.1 + 1e-8/|g|)
    opt = RMSprop([minidl.tensor([0.0], requires_grad=True)])
    group = opt.param_groups[0]
    assert (group["lr"], group["alpha"], group["eps"]) == (0.01, 0.99, 1e-8)
    assert (group["weight_decay"], group["momentum"], group["centered"]) == (0.0, 0.0, False)
    theta0 = np.array([1.0, -2.0, 0.5])
    grads = gradients(3)
    _, _, got = run(lambda ps: RMSprop(ps), theta0, grads)
    expected = rmsprop_by_hand(theta0, grads, 0.01, 0.99, 1e-8, 0.0, 0.0, False)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    g = grads[0]
    np.testing.assert_allclose(got[0], theta0 - 0.01 * g / (np.sqrt(0.01 * g * g) + 1e-8))


def test_rmsprop_eps_is_outside_the_square_root():
    # g = 1e-4 on step 1, α = 0: v = 1e-8, d = √v + ε = 1e-4 + 1e-4 (inside √: 1.4e-4)
    _, _, (got,) = run(
        lambda ps: RMSprop(ps, lr=1.0, alpha=0.0, eps=1e-4), np.array([0.0]), [np.array([1e-4])]
    )
    np.testing.assert_allclose(got, [-0.5], rtol=1e-12)


ADAGRAD_OPTIONS = list(itertools.product([0.0, 0.1], [0.0, 0.2], [0.0, 0.5]))


@pytest.mark.parametrize("lr_decay, wd, s0", ADAGRAD_OPTIONS)
def test_adagrad_follows_its_equations_for_every_option(lr_decay, wd, s0):
    theta0 = np.random.default_rng(2).standard_normal((2, 5))
    grads = gradients((2, 5), seed=3)
    lr, eps = 0.1, 1e-6
    _, opt, got = run(
        lambda ps: Adagrad(
            ps, lr=lr, lr_decay=lr_decay, weight_decay=wd, initial_accumulator_value=s0, eps=eps
        ),
        theta0,
        grads,
    )
    expected = adagrad_by_hand(theta0, grads, lr, lr_decay, wd, s0, eps)
    for step, (a, b) in enumerate(zip(got, expected), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step}")
    (state,) = opt.state.values()
    assert set(state) == {"step", "sum"} and state["step"] == STEPS


def test_adagrad_defaults_are_pytorchs_and_the_first_step_is_lr_times_sign():
    opt = Adagrad([minidl.tensor([0.0], requires_grad=True)])
    group = opt.param_groups[0]
    assert (group["lr"], group["lr_decay"], group["eps"]) == (0.01, 0.0, 1e-10)
    assert (group["weight_decay"], group["initial_accumulator_value"]) == (0.0, 0.0)
    # s_1 = g², so step 1 is θ − 0.01 g / (|g| + 1e-10)
    theta0, grads = np.array([1.0, -2.0, 0.5]), gradients(3, seed=4)
    _, _, got = run(lambda ps: Adagrad(ps), theta0, grads)
    g = grads[0]
    np.testing.assert_allclose(got[0], theta0 - 0.01 * g / (np.abs(g) + 1e-10), rtol=1e-14)
    expected = adagrad_by_hand(theta0, grads, 0.01, 0.0, 0.0, 0.0, 1e-10)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


MAKERS = {
    "rmsprop": lambda ps: RMSprop(ps, lr=0.01),
    "rmsprop-all": lambda ps: RMSprop(
        ps, lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.1
    ),
    "adagrad": lambda ps: Adagrad(ps, lr=0.1),
    "adagrad-all": lambda ps: Adagrad(
        ps, lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1
    ),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_float32_stays_float32_in_place_and_matches_a_float32_replay(name):
    theta0 = np.random.default_rng(5).standard_normal((3, 2)).astype(np.float32)
    grads = gradients((3, 2), dtype=np.float32)
    p = minidl.tensor(theta0.copy(), requires_grad=True)
    data = p.data
    opt = MAKERS[name]([p])
    for g in grads:
        grad = minidl.tensor(g.copy())
        p.grad = grad
        opt.step()
        assert p.grad is grad
        np.testing.assert_array_equal(grad.data, g)  # the gradient is never changed
    assert p.data is data and p.dtype == np.float32 and p.is_leaf
    for value in next(iter(opt.state.values())).values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32
    if name.startswith("rmsprop"):
        g = opt.param_groups[0]
        expected = rmsprop_by_hand(
            theta0,
            grads,
            np.float32(g["lr"]),
            np.float32(g["alpha"]),
            np.float32(g["eps"]),
            np.float32(g["weight_decay"]),
            np.float32(g["momentum"]),
            g["centered"],
        )[-1]
    else:
        g = opt.param_groups[0]
        expected = adagrad_by_hand(
            theta0,
            grads,
            g["lr"],
            g["lr_decay"],
            np.float32(g["weight_decay"]),
            g["initial_accumulator_value"],
            np.float32(g["eps"]),
        )[-1]
    assert expected.dtype == np.float32
    np.testing.assert_allclose(p.data, expected, rtol=1e-5, atol=1e-6)


def test_parameter_groups_use_their_own_hyper_parameters():
    theta_a, theta_b = np.array([1.0, -1.0]), np.array([0.5, 2.0, -3.0])
    ga, gb = gradients(2, seed=6), gradients(3, seed=7)
    a = minidl.tensor(theta_a.copy(), requires_grad=True)
    b = minidl.tensor(theta_b.copy(), requires_grad=True)
    opt = RMSprop([{"params": [a]}, {"params": [b], "momentum": 0.5, "centered": True}], lr=0.02)
    for x, y in zip(ga, gb):
        a.grad, b.grad = minidl.tensor(x), minidl.tensor(y)
        opt.step()
    want_a = rmsprop_by_hand(theta_a, ga, 0.02, 0.99, 1e-8, 0.0, 0.0, False)[-1]
    want_b = rmsprop_by_hand(theta_b, gb, 0.02, 0.99, 1e-8, 0.0, 0.5, True)[-1]
    np.testing.assert_allclose(a.data, want_a, rtol=1e-12)
    np.testing.assert_allclose(b.data, want_b, rtol=1e-12)


@pytest.mark.parametrize("name", list(MAKERS))
def test_state_dict_mid_run_resumes_bit_exact(name):
    theta0 = np.random.default_rng(8).standard_normal((2, 3))
    grads = gradients((2, 3), seed=9, steps=6)
    p, opt, full = run(MAKERS[name], theta0, grads)

    q, opt2, _ = run(MAKERS[name], theta0, grads[:3])
    saved = opt2.state_dict()
    r = minidl.tensor(q.data.copy(), requires_grad=True)
    opt3 = MAKERS[name]([r])
    r.grad = minidl.tensor(np.ones((2, 3)))
    opt3.step()  # perturb: load must overwrite
    r.data[...] = q.data
    opt3.load_state_dict(saved)
    for g in grads[3:]:
        r.grad = minidl.tensor(g.copy())
        opt3.step()
    np.testing.assert_array_equal(r.data, full[-1])


def test_rmsprop_refuses_a_checkpoint_without_the_buffers_its_group_uses():
    p = minidl.tensor([1.0, 2.0], requires_grad=True)
    opt = RMSprop([p], momentum=0.9, centered=True)
    p.grad = minidl.tensor([0.5, -0.5])
    opt.step()
    saved = opt.state_dict()
    del saved["state"][0]["grad_avg"]
    fresh = RMSprop([minidl.tensor([1.0, 2.0], requires_grad=True)], momentum=0.9, centered=True)
    with pytest.raises(ValueError, match=r"RMSprop.load_state_dict.*grad_avg"):
        fresh.load_state_dict(saved)
    assert fresh.state == {}


def test_an_sgd_checkpoint_is_refused():
    p = minidl.tensor([1.0], requires_grad=True)
    saved = SGD([p], lr=0.1, momentum=0.9).state_dict()
    with pytest.raises(ValueError, match="another optimizer"):
        RMSprop([p]).load_state_dict(saved)
    with pytest.raises(ValueError, match="another optimizer"):
        Adagrad([p]).load_state_dict(saved)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda ps: RMSprop(ps, lr=-0.1), ["RMSprop", "lr", "-0.1"]),
        (lambda ps: RMSprop(ps, alpha=1.0), ["RMSprop", "alpha", "1.0"]),
        (lambda ps: RMSprop(ps, alpha=-0.5), ["RMSprop", "alpha", "-0.5"]),
        (lambda ps: RMSprop(ps, eps=float("nan")), ["RMSprop", "eps", "nan"]),
        (lambda ps: RMSprop(ps, momentum=1.0), ["RMSprop", "momentum", "1.0"]),
        (lambda ps: RMSprop(ps, weight_decay=-1), ["RMSprop", "weight_decay", "-1"]),
        (lambda ps: RMSprop(ps, centered="False"), ["RMSprop", "centered", "'False'"]),
        (lambda ps: RMSprop(ps, momentum="0.9"), ["RMSprop", "momentum", "'0.9'"]),
        (lambda ps: Adagrad(ps, lr=float("inf")), ["Adagrad", "lr", "inf"]),
        (lambda ps: Adagrad(ps, lr_decay=-0.1), ["Adagrad", "lr_decay", "-0.1"]),
        (lambda ps: Adagrad(ps, eps=-1e-10), ["Adagrad", "eps", "-1e-10"]),
        (
            lambda ps: Adagrad(ps, initial_accumulator_value=-1.0),
            ["Adagrad", "initial_accumulator_value", "-1.0"],
        ),
        (lambda ps: Adagrad(ps, weight_decay=None), ["Adagrad", "weight_decay", "None"]),
    ],
)
def test_bad_hyper_parameters_are_refused_with_their_name(make, words):
    with pytest.raises(ValueError) as info:
        make([minidl.tensor([1.0], requires_grad=True)])
    for word in words:
        assert word in str(info.value)


def test_hyper_parameters_become_python_floats():
    opt = RMSprop([minidl.tensor([1.0], requires_grad=True)], lr=np.float32(0.1), alpha=1 / 2)
    assert all(type(opt.param_groups[0][k]) is float for k in ("lr", "alpha", "eps", "momentum"))
    opt = Adagrad([minidl.tensor([1.0], requires_grad=True)], lr=np.float64(0.1), lr_decay=0)
    assert all(type(opt.param_groups[0][k]) is float for k in ("lr", "lr_decay", "eps"))


def test_matches_pytorch_when_available():
    # an extra check where torch is installed; the replays above are the proof
    torch = pytest.importorskip("torch")
    theta0 = np.random.default_rng(10).standard_normal((3, 2))
    grads = gradients((3, 2), seed=11, steps=10)
    configs = [(RMSprop, torch.optim.RMSprop, {"lr": 0.01})]
    for centered, mu, wd in RMS_OPTIONS:
        kw = {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "centered": centered, "momentum": mu}
        configs.append((RMSprop, torch.optim.RMSprop, {**kw, "weight_decay": wd}))
    configs.append((Adagrad, torch.optim.Adagrad, {"lr": 0.1}))
    for lr_decay, wd, s0 in ADAGRAD_OPTIONS:
        kw = {"lr": 0.1, "lr_decay": lr_decay, "weight_decay": wd, "eps": 1e-6}
        configs.append((Adagrad, torch.optim.Adagrad, {**kw, "initial_accumulator_value": s0}))
    for mine, theirs, kw in configs:
        _, _, got = run(lambda ps, mine=mine, kw=kw: mine(ps, **kw), theta0, grads)
        tp = torch.nn.Parameter(torch.tensor(theta0.copy(), dtype=torch.float64))
        topt = theirs([tp], **kw)
        for g, ours in zip(grads, got):
            tp.grad = torch.tensor(g.copy(), dtype=torch.float64)
            topt.step()
            np.testing.assert_allclose(
                tp.detach().numpy(), ours, rtol=1e-12, atol=1e-14, err_msg=f"{mine} {kw}"
            )
