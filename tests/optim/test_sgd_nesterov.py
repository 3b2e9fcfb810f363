"""SGD's momentum with dampening and Nesterov: PyTorch's equations, replayed by hand.

With g_t the gradient (plus λθ when weight_decay = λ > 0)::

    v_1 = g_1                          (not dampened)
    v_t = μ v_{t-1} + (1 − τ) g_t      (t > 1)
    d_t = g_t + μ v_t  if nesterov  else  v_t
    θ_t = θ_{t-1} − α d_t
"""

import numpy as np
import pytest

import minidl
from minidl.optim import GD, SGD

STEPS = 6
RNG = np.random.default_rng(11)
A = RNG.standard_normal((4, 4))
A = A @ A.T / 4 + np.eye(4)  # a positive definite quadratic: gradients depend on θ
B = RNG.standard_normal(4)
THETA0 = RNG.standard_normal(4)


def grad_at(theta):
    return A @ theta - B  # ∇ of ½θᵀAθ − bᵀθ


def replay(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, steps=STEPS):
    theta, v, out = THETA0.copy(), None, []
    for _ in range(steps):
        g = grad_at(theta) + weight_decay * theta
        if momentum:
            v = g if v is None else momentum * v + (1 - dampening) * g
            d = g + momentum * v if nesterov else v
        else:
            d = g
        theta = theta - lr * d
        out.append(theta)
    return out


def run(opt_factory, steps=STEPS, dtype=np.float64, theta0=THETA0):
    p = minidl.tensor(theta0.astype(dtype), requires_grad=True)
    opt = opt_factory([p])
    out = []
    for _ in range(steps):
        p.grad = minidl.tensor(grad_at(p.data.astype(np.float64)).astype(dtype))
        opt.step()
        out.append(p.data.copy())
    return out, opt, p


COMBOS = [
    dict(momentum=0.9),
    dict(momentum=0.9, dampening=0.1),
    dict(momentum=0.5, dampening=0.5),
    dict(momentum=0.9, dampening=1.0),
    dict(momentum=0.9, nesterov=True),
    dict(momentum=0.3, nesterov=True),
    dict(momentum=0.9, nesterov=True, weight_decay=0.1),
    dict(momentum=0.9, dampening=0.2, weight_decay=0.05),
    dict(dampening=0.5),  # dampening without momentum does nothing, as in PyTorch
]


@pytest.mark.parametrize("hyper", COMBOS, ids=[str(c) for c in COMBOS])
def test_trajectory_replays_pytorchs_equations(hyper):
    got, _, _ = run(lambda ps: SGD(ps, lr=0.05, **hyper))
    want = replay(0.05, **hyper)
    for t, (a, b) in enumerate(zip(got, want), 1):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15, err_msg=f"step {t}")


def test_first_step_is_not_dampened_and_later_ones_are():
    g1 = grad_at(THETA0)
    got, opt, p = run(lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.5), steps=1)
    np.testing.assert_array_equal(opt.state[p]["velocity"], g1)  # v_1 = g_1, not ½ g_1
    np.testing.assert_allclose(got[0], THETA0 - 0.1 * g1, rtol=1e-15)
    p.grad = minidl.tensor(grad_at(p.data))
    g2 = p.grad.data.copy()
    opt.step()
    np.testing.assert_allclose(opt.state[p]["velocity"], 0.9 * g1 + 0.5 * g2, rtol=1e-15)


def test_nesterov_first_step_is_one_plus_mu_times_g():
    # v_1 = g_1, so d_1 = g_1 + μ g_1
    g1 = grad_at(THETA0)
    got, _, _ = run(lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True), steps=1)
    np.testing.assert_allclose(got[0], THETA0 - 0.1 * 1.9 * g1, rtol=1e-15)


def test_defaults_are_bit_for_bit_the_old_rule():
    # the rule before dampening and Nesterov existed, operation for operation, in float32:
    # v ← μ v + g from v = 0, θ ← θ − α v
    lr, mu = np.float32(0.05), np.float32(0.9)
    for momentum in (0.0, 0.9):
        got, _, _ = run(lambda ps, m=momentum: SGD(ps, lr=0.05, momentum=m), dtype=np.float32)
        theta = THETA0.astype(np.float32)
        v = np.zeros_like(theta)
        for t in range(STEPS):
            g = grad_at(theta.astype(np.float64)).astype(np.float32)
            if momentum:
                v = v * mu + g
                theta = theta - v * lr
            else:
                theta = theta - g * lr
            np.testing.assert_array_equal(got[t], theta, err_msg=f"momentum {momentum} step {t}")


@pytest.mark.parametrize("hyper", COMBOS[:7], ids=[str(c) for c in COMBOS[:7]])
def test_float32_stays_float32(hyper):
    got, opt, p = run(lambda ps: SGD(ps, lr=0.05, **hyper), dtype=np.float32)
    assert p.dtype == np.float32 and opt.state[p]["velocity"].dtype == np.float32
    np.testing.assert_allclose(got[-1], replay(0.05, **hyper)[-1], rtol=1e-4, atol=1e-5)


def test_nesterov_needs_momentum_and_no_dampening():
    p = minidl.tensor([1.0], requires_grad=True)
    msg = r"SGD: nesterov=True requires momentum > 0 and dampening = 0 .*got momentum=0.0"
    with pytest.raises(ValueError, match=msg):
        SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"requires momentum > 0 .*dampening=0.1"):
        SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"requires momentum > 0"):
        SGD([{"params": [p], "momentum": 0.0}], lr=0.1, momentum=0.9, nesterov=True)
    with pytest.raises(ValueError, match=r"SGD: nesterov must be True or False, got 'False'"):
        SGD([p], lr=0.1, momentum=0.9, nesterov="False")
    for bad in (-0.1, 1.5, float("nan"), "0.1"):
        with pytest.raises(ValueError, match=r"SGD: dampening τ must be a finite number"):
            SGD([p], lr=0.1, momentum=0.9, dampening=bad)


def test_each_group_uses_its_own_dampening_and_nesterov():
    a = minidl.tensor(THETA0.copy(), requires_grad=True)
    b = minidl.tensor(THETA0.copy(), requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "dampening": 0.3, "nesterov": False}]
    opt = SGD(groups, lr=0.05, momentum=0.9, nesterov=True)
    for _ in range(STEPS):
        a.grad = minidl.tensor(grad_at(a.data))
        b.grad = minidl.tensor(grad_at(b.data))
        opt.step()
    np.testing.assert_allclose(a.data, replay(0.05, 0.9, nesterov=True)[-1], rtol=1e-13)
    np.testing.assert_allclose(b.data, replay(0.05, 0.9, dampening=0.3)[-1], rtol=1e-13)


def test_state_dict_holds_the_new_hyper_parameters_and_resumes_bit_exactly(tmp_path):
    hyper = dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)
    full, _, _ = run(lambda ps: SGD(ps, **hyper), steps=STEPS)
    half, opt, p = run(lambda ps: SGD(ps, **hyper), steps=3)
    sd = opt.state_dict()
    group = sd["param_groups"][0]
    assert group["dampening"] == 0.0 and group["nesterov"] is True
    minidl.save(sd, tmp_path / "sgd.npz")
    for saved in (sd, minidl.load(tmp_path / "sgd.npz")):
        resumed, _, _ = run(
            lambda ps, sd=saved: _loaded(SGD(ps, lr=0.05, momentum=0.9), sd),
            STEPS - 3,
            theta0=half[-1],
        )
        np.testing.assert_array_equal(resumed[-1], full[-1])


def _loaded(opt, sd):
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["nesterov"] is True  # taken from the checkpoint
    return opt


def test_a_checkpoint_saved_before_dampening_and_nesterov_existed_loads():
    _, opt, p = run(lambda ps: SGD(ps, lr=0.05, momentum=0.9), steps=2)
    old = opt.state_dict()
    for group in old["param_groups"]:
        del group["dampening"], group["nesterov"]
    target = SGD([minidl.tensor(THETA0.copy(), requires_grad=True)], lr=0.1, dampening=0.5)
    target.load_state_dict(old)
    assert target.param_groups[0]["dampening"] == 0.0
    assert target.param_groups[0]["nesterov"] is False
    # a GD checkpoint still lacks momentum
    with pytest.raises(ValueError, match=r"this optimizer's \['momentum'\] are missing"):
        SGD([p], lr=0.1).load_state_dict(GD([p], lr=0.1).state_dict())


def test_matches_torch_when_installed():
    torch = pytest.importorskip("torch")
    for hyper in COMBOS:
        p = minidl.tensor(THETA0.copy(), requires_grad=True)
        q = torch.tensor(THETA0.copy(), requires_grad=True)
        opt, topt = SGD([p], lr=0.05, **hyper), torch.optim.SGD([q], lr=0.05, **hyper)
        for _ in range(STEPS):
            p.grad = minidl.tensor(grad_at(p.data))
            q.grad = torch.tensor(grad_at(q.detach().numpy()))
            opt.step()
            topt.step()
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)
