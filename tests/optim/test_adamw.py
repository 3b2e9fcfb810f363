"""AdamW (decoupled weight decay) against its equations, replayed by hand in NumPy."""

import numpy as np
import pytest
from optim_replay import gradients, run

import minidl
from minidl.optim import Adam, AdamW

LR, BETAS, EPS, WD = 0.05, (0.9, 0.99), 1e-8, 0.3


def adamw_by_hand(theta, grads, lr, betas, eps, wd, correct_v):
    """The docstring's equations, in float64, t counted from 1."""
    beta1, beta2 = betas
    theta = theta.astype(np.float64).copy()
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    history = []
    for t, g in enumerate(grads, start=1):
        theta = theta * (1 - lr * wd)  # decoupled: g is NOT changed
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        denom = np.sqrt(v_hat) if correct_v else np.sqrt(v)
        theta = theta - lr * m_hat / (denom + eps)
        history.append(theta.copy())
    return history


@pytest.mark.parametrize("correct_v", [True, False])
@pytest.mark.parametrize("wd", [WD, 0.0])
def test_adamw_follows_its_equations_for_several_steps(correct_v, wd):
    theta0 = np.random.default_rng(1).standard_normal((3, 4))
    grads = gradients((3, 4))
    _, _, got = run(
        lambda ps: AdamW(ps, lr=LR, betas=BETAS, eps=EPS, weight_decay=wd, correct_v=correct_v),
        theta0,
        grads,
    )
    expected = adamw_by_hand(theta0, grads, LR, BETAS, EPS, wd, correct_v)
    for step, (a, b) in enumerate(zip(got, expected), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f"step {step}")


def test_defaults_are_pytorchs():
    p = minidl.tensor(np.zeros(2), requires_grad=True)
    group = AdamW([p]).param_groups[0]
    assert group["lr"] == 1e-3
    assert group["betas"] == (0.9, 0.999)
    assert group["eps"] == 1e-8
    assert group["weight_decay"] == 1e-2
    assert group["correct_v"] is True


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("correct_v", [True, False])
def test_weight_decay_zero_is_adam_bit_for_bit(dtype, correct_v):
    theta0 = np.random.default_rng(2).standard_normal(5).astype(dtype)
    grads = gradients(5, dtype)
    hyper = dict(lr=LR, betas=BETAS, eps=EPS, correct_v=correct_v)
    _, _, a = run(lambda ps: AdamW(ps, weight_decay=0.0, **hyper), theta0, grads)
    _, _, b = run(lambda ps: Adam(ps, **hyper), theta0, grads)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_decoupled_decay_differs_from_adams_coupled_l2_in_the_expected_way():
    """With a zero gradient, AdamW shrinks θ by exactly (1 − αλ) per step; Adam(weight_decay)
    feeds λθ through m̂/√v̂, so its first step moves every coordinate by ≈ α (sign of θ)."""
    theta0 = np.array([2.0, -0.5, 1e-3])
    grads = [np.zeros(3)] * 3
    _, _, decoupled = run(lambda ps: AdamW(ps, lr=0.1, weight_decay=0.5), theta0, grads)
    _, _, coupled = run(lambda ps: Adam(ps, lr=0.1, weight_decay=0.5), theta0, grads)
    for t, theta in enumerate(decoupled, start=1):
        np.testing.assert_allclose(theta, theta0 * (1 - 0.1 * 0.5) ** t, rtol=1e-14)
    # Adam's coupled step 1: g = λθ, m̂ = g, √v̂ = |g|, so θ moves by α·g/(|g| + ε) ≈ α·sign(θ)
    g = 0.5 * theta0
    np.testing.assert_allclose(coupled[0], theta0 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    assert not np.allclose(decoupled[0], coupled[0])


def test_with_a_gradient_the_decay_is_not_passed_through_m_and_v():
    theta0 = np.array([1.0, -3.0])
    grads = gradients(2, steps=3, seed=5)
    _, opt, _ = run(lambda ps: AdamW(ps, lr=0.1, betas=BETAS, weight_decay=0.5), theta0, grads)
    (state,) = opt.state.values()
    # m, v are those of the raw gradients only
    m = v = np.zeros(2)
    for g in grads:
        m = BETAS[0] * m + (1 - BETAS[0]) * g
        v = BETAS[1] * v + (1 - BETAS[1]) * g * g
    np.testing.assert_allclose(state["m"], m, rtol=1e-13)
    np.testing.assert_allclose(state["v"], v, rtol=1e-13)
    assert state["step"] == 3


def test_step_never_changes_the_gradient_it_reads():
    theta0 = np.random.default_rng(3).standard_normal(4)
    g = np.random.default_rng(4).standard_normal(4)
    p = minidl.tensor(theta0.copy(), requires_grad=True)
    p.grad = minidl.tensor(g.copy())
    grad_before = p.grad
    opt = AdamW([p], lr=0.1, weight_decay=0.5)
    for _ in range(3):
        opt.step()
    assert p.grad is grad_before
    np.testing.assert_array_equal(p.grad.data, g)


@pytest.mark.parametrize("correct_v", [True, False])
def test_float32_stays_float32(correct_v):
    theta0 = np.random.default_rng(6).standard_normal((2, 3)).astype(np.float32)
    grads = gradients((2, 3), np.float32)
    p, opt, history = run(
        lambda ps: AdamW(ps, lr=0.01, weight_decay=0.1, correct_v=correct_v), theta0, grads
    )
    assert p.data.dtype == np.float32
    assert all(h.dtype == np.float32 for h in history)
    assert all(v.dtype == np.float32 for k, v in opt.state[p].items() if k != "step")
    expected = adamw_by_hand(theta0, grads, 0.01, (0.9, 0.999), 1e-8, 0.1, correct_v)
    np.testing.assert_allclose(p.data, expected[-1], rtol=1e-5, atol=1e-6)


def test_state_dict_holds_weight_decay_and_adams_state_keys():
    p = minidl.tensor(np.ones(3), requires_grad=True)
    p.grad = minidl.tensor(np.ones(3))
    opt = AdamW([p], weight_decay=0.25)
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["weight_decay"] == 0.25
    assert set(sd["state"][0]) == {"step", "m", "v"}
    del sd["state"][0]["v"]
    with pytest.raises(ValueError, match="lacks"):
        AdamW([p]).load_state_dict(sd)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", None])
def test_bad_weight_decay_is_refused(bad):
    p = minidl.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="weight_decay"):
        AdamW([p], weight_decay=bad)
    with pytest.raises(ValueError, match="weight_decay"):
        AdamW([{"params": [p], "weight_decay": bad}])


def test_each_group_uses_its_own_weight_decay():
    theta0 = np.array([1.0, 2.0])
    p, q = (minidl.tensor(theta0.copy(), requires_grad=True) for _ in range(2))
    opt = AdamW([{"params": [p]}, {"params": [q], "weight_decay": 0.0}], lr=0.1, weight_decay=0.5)
    for x in (p, q):
        x.grad = minidl.tensor(np.zeros(2))
    opt.step()
    np.testing.assert_allclose(p.data, theta0 * 0.95, rtol=1e-15)
    np.testing.assert_array_equal(q.data, theta0)


@pytest.mark.parametrize("correct_v", [True])
def test_matches_torch_adamw(correct_v):
    torch = pytest.importorskip("torch")
    theta0 = np.random.default_rng(7).standard_normal((3, 2))
    grads = gradients((3, 2))
    _, _, got = run(
        lambda ps: AdamW(ps, lr=LR, betas=BETAS, eps=EPS, weight_decay=WD, correct_v=correct_v),
        theta0,
        grads,
    )
    tp = torch.nn.Parameter(torch.tensor(theta0.copy(), dtype=torch.float64))
    topt = torch.optim.AdamW([tp], lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    for g, mine in zip(grads, got):
        tp.grad = torch.tensor(g.copy(), dtype=torch.float64)
        topt.step()
        np.testing.assert_allclose(tp.detach().numpy(), mine, rtol=1e-12, atol=1e-12)
