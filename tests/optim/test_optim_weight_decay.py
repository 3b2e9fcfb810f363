"""``weight_decay`` against its equation, replayed by hand in NumPy.

PyTorch's semantics, not AdamW's: before the update, g ← g + λθ with θ the parameter's current
value, then each optimizer's own equations on that g (GD/SGD: θ ← θ − α g; momentum:
v ← μv + g, θ ← θ − α v; Adam: the DESIGN.md equations, both readings of the last line).
"""

import re

import numpy as np
import pytest

import minidl
from minidl.optim import GD, SGD, Adam, Optimizer

STEPS = 6
WD = 0.3
TOL = dict(rtol=1e-12, atol=1e-12)


# ----- the problem: out = tanh(X Wᵀ + b) · s, J = mean (out − y)², gradients by hand backprop
def problem(seed=0):
    rng = np.random.default_rng(seed)
    theta0 = {
        "W": rng.standard_normal((4, 3)) * 0.5,
        "b": rng.standard_normal(4) * 0.1,
        "s": np.array(1.5),  # a 0-d parameter: its m, v, velocity are 0-d too
    }
    data = [(rng.standard_normal((5, 3)), rng.standard_normal((5, 4))) for _ in range(STEPS)]
    return theta0, data


def minidl_loss(p, X, y):
    out = (minidl.tensor(X) @ p["W"].T + p["b"]).tanh() * p["s"]
    return ((out - minidl.tensor(y)) ** 2).mean()


def hand_grad(p, X, y):
    h = np.tanh(X @ p["W"].T + p["b"])
    d_out = 2.0 * (h * p["s"] - y) / y.size
    dz = d_out * p["s"] * (1 - h * h)
    return {"W": dz.T @ X, "b": dz.sum(0), "s": (d_out * h).sum()}


# ----- the update equations as the docstrings print them; s is one parameter's state
def sgd_rule(alpha, mu=0.0):
    def rule(wd):
        def update(s, theta, g, t):
            if wd:  # λ = 0: the equations without the term, as before weight_decay existed
                g = g + wd * theta  # g ← g + λθ
            if mu == 0:
                return theta - alpha * g  # θ ← θ − α g
            s["v"] = mu * s.get("v", 0.0) + g  # v ← μv + g, v_0 = 0
            return theta - alpha * s["v"]  # θ ← θ − α v

        return update

    return rule


def adam_rule(alpha, b1, b2, eps, correct_v):
    def rule(wd):
        def update(s, theta, g, t):
            if wd:
                g = g + wd * theta  # g_t ← g_t + λθ_{t-1}
            s["m"] = m = b1 * s.get("m", 0.0) + (1 - b1) * g
            s["v"] = v = b2 * s.get("v", 0.0) + (1 - b2) * g**2
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t) if correct_v else v  # correct_v=False: √v_t, as printed
            return theta - alpha * m_hat / (np.sqrt(v_hat) + eps)

        return update

    return rule


ADAM = dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)
# name: (class, hyper-parameters other than weight_decay, rule(λ))
CASES = {
    "gd": (GD, dict(lr=0.1), sgd_rule(0.1)),
    "sgd": (SGD, dict(lr=0.1), sgd_rule(0.1)),
    "sgd-momentum": (SGD, dict(lr=0.05, momentum=0.9), sgd_rule(0.05, 0.9)),
    "adam": (Adam, ADAM, adam_rule(0.01, 0.8, 0.99, 1e-6, correct_v=True)),
    "adam-printed": (
        Adam,
        {**ADAM, "correct_v": False},
        adam_rule(0.01, 0.8, 0.99, 1e-6, correct_v=False),
    ),
}


def leaves(theta, dtype=np.float64):
    return {k: minidl.tensor(v.astype(dtype), requires_grad=True) for k, v in theta.items()}


def train(make_opt, dtype=np.float64):
    """minidl's parameters after each step, and the gradient each step read."""
    theta0, data = problem()
    params = leaves(theta0, dtype)
    opt = make_opt(list(params.values()))
    trajectory, grads = [], []
    for X, y in data:
        opt.zero_grad()
        minidl_loss(params, X.astype(dtype), y.astype(dtype)).backward()
        grads.append({k: p.grad.data.copy() for k, p in params.items()})
        opt.step()
        trajectory.append({k: p.data.copy() for k, p in params.items()})
    return trajectory, grads


def replay(update, theta, grad_at):
    """Apply ``update`` by hand from ``theta``; ``grad_at(t, θ)`` is step t's gradient at θ."""
    theta = dict(theta)
    state = {k: {} for k in theta}
    trajectory = []
    for t in range(1, STEPS + 1):
        g = grad_at(t, theta)
        theta = {k: update(state[k], theta[k], g[k], t) for k in theta}
        trajectory.append(theta)
    return trajectory


def assert_trajectories(got, want, exact):
    assert len(got) == len(want) == STEPS
    for step, (a, b) in enumerate(zip(got, want), start=1):
        for k in b:
            msg = f"step {step}, {k}"
            assert a[k].dtype == b[k].dtype, msg
            if exact:
                np.testing.assert_array_equal(a[k], b[k], err_msg=msg)
            else:
                np.testing.assert_allclose(a[k], b[k], **TOL, err_msg=msg)


@pytest.mark.parametrize("name", list(CASES))
def test_weight_decay_follows_g_plus_lambda_theta_with_hand_gradients(name):
    cls, hyper, rule = CASES[name]
    theta0, data = problem()
    got, _ = train(lambda ps: cls(ps, **hyper, weight_decay=WD))
    want = replay(rule(WD), theta0, lambda t, theta: hand_grad(theta, *data[t - 1]))
    assert_trajectories(got, want, exact=False)
    # not vacuous: the decay moved the parameters far beyond the tolerance
    without = replay(rule(0.0), theta0, lambda t, theta: hand_grad(theta, *data[t - 1]))
    assert max(np.abs(want[-1][k] - without[-1][k]).max() for k in theta0) > 1e-3


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(CASES))
def test_weight_decay_is_bit_exact_given_the_same_gradients_and_keeps_the_dtype(name, dtype):
    # the replay runs in the parameters' dtype with Python-float λ, α, μ, β: a float64 detour
    # in the update of a float32 parameter would change its last bits (and its dtype)
    cls, hyper, rule = CASES[name]
    theta0, _ = problem()
    got, grads = train(lambda ps: cls(ps, **hyper, weight_decay=WD), dtype)
    theta = {k: v.astype(dtype) for k, v in theta0.items()}
    assert_trajectories(got, replay(rule(WD), theta, lambda t, _: grads[t - 1]), exact=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(CASES))
def test_weight_decay_zero_leaves_the_update_bit_for_bit_unchanged(name, dtype):
    cls, hyper, rule = CASES[name]
    theta0, _ = problem()
    default, grads = train(lambda ps: cls(ps, **hyper), dtype)
    explicit, _ = train(lambda ps: cls(ps, **hyper, weight_decay=0.0), dtype)
    theta = {k: v.astype(dtype) for k, v in theta0.items()}
    want = replay(rule(0.0), theta, lambda t, _: grads[t - 1])
    assert_trajectories(default, want, exact=True)
    assert_trajectories(explicit, default, exact=True)


@pytest.mark.parametrize("name", list(CASES))
def test_step_with_weight_decay_never_changes_the_gradients_it_reads(name):
    cls, hyper, _ = CASES[name]
    params = leaves(problem()[0], np.float32)
    minidl_loss(params, *problem()[1][0]).backward()
    grads = {k: (p.grad, p.grad.data.copy()) for k, p in params.items()}
    opt = cls(list(params.values()), **hyper, weight_decay=WD)
    for _ in range(3):
        opt.step()
    for k, p in params.items():
        grad_obj, before = grads[k]
        assert p.grad is grad_obj and p.dtype == p.grad.dtype == np.float32
        np.testing.assert_array_equal(p.grad.data, before, err_msg=k)
        for value in opt.state.get(p, {}).values():  # no state array is the gradient's
            assert not (isinstance(value, np.ndarray) and np.shares_memory(value, p.grad.data))


@pytest.mark.parametrize(
    "make",
    [
        lambda ps, wd: SGD(ps, lr=0.05, momentum=0.9, weight_decay=wd),
        lambda ps, wd: Adam(ps, lr=0.01, weight_decay=wd),
        lambda ps, wd: Adam(ps, lr=0.01, weight_decay=wd, correct_v=False),
    ],
    ids=["sgd-momentum", "adam", "adam-printed"],
)
def test_weight_decay_is_the_l2_penalty_lambda_over_2_theta_squared_added_to_the_loss(make):
    # PyTorch's (coupled) weight decay, so also Adam's m and v see λθ; AdamW would not match
    theta0, data = problem()
    runs = []
    for wd, penalty in [(WD, 0.0), (0.0, WD)]:
        params = leaves(theta0)
        opt = make(list(params.values()), wd)
        for X, y in data:
            opt.zero_grad()
            loss = minidl_loss(params, X, y)
            loss = loss + sum((p * p).sum() for p in params.values()) * (penalty / 2)
            loss.backward()
            opt.step()
        runs.append({k: p.data for k, p in params.items()})
    for k in theta0:
        np.testing.assert_allclose(runs[0][k], runs[1][k], **TOL, err_msg=k)


@pytest.mark.parametrize("cls", [GD, SGD])
def test_with_a_zero_gradient_weight_decay_shrinks_theta_by_1_minus_alpha_lambda_per_step(cls):
    p = minidl.tensor(np.array([2.0, -1.0, 0.5]), requires_grad=True)
    opt = cls([p], lr=0.1, weight_decay=0.5)
    for _ in range(5):
        p.grad = minidl.zeros(3, dtype=np.float64)
        opt.step()
    np.testing.assert_allclose(p.data, (1 - 0.1 * 0.5) ** 5 * np.array([2.0, -1.0, 0.5]), **TOL)


# ----- per-group values, hyper-parameter types, errors
THETA0, G = np.array([1.0, -2.0]), np.array([0.5, 3.0])


def _leaf64():
    return minidl.tensor(THETA0.copy(), requires_grad=True)


def _step(opt, params, g=G):
    for p in params:
        p.grad = minidl.tensor(g)
    opt.step()


def test_each_group_uses_its_own_weight_decay():
    # one step from θ0 with gradient G, g' = G + λθ0:
    # GD/SGD θ0 − α g';  Adam θ0 − α g'/(|g'| + ε)
    for cls in (GD, SGD):
        a, b = _leaf64(), _leaf64()
        opt = cls([{"params": [a]}, {"params": [b], "weight_decay": 0.5}], lr=0.1)
        assert [group["weight_decay"] for group in opt.param_groups] == [0.0, 0.5]
        _step(opt, [a, b])
        np.testing.assert_allclose(a.data, THETA0 - 0.1 * G, **TOL)
        np.testing.assert_allclose(b.data, THETA0 - 0.1 * (G + 0.5 * THETA0), **TOL)
    a, b = _leaf64(), _leaf64()
    opt = Adam([{"params": [a], "weight_decay": 0.0}, {"params": [b]}], lr=0.1, weight_decay=4.0)
    _step(opt, [a, b])
    np.testing.assert_allclose(a.data, THETA0 - 0.1 * G / (np.abs(G) + 1e-8), **TOL)
    g = G + 4.0 * THETA0  # [4.5, −5]: the decay flips the sign of the second component
    np.testing.assert_allclose(b.data, THETA0 - 0.1 * g / (np.abs(g) + 1e-8), **TOL)


def test_a_weight_decay_changed_in_param_groups_takes_effect():
    p = _leaf64()
    opt = SGD([p], lr=0.1)
    opt.param_groups[0]["weight_decay"] = 0.5
    _step(opt, [p])
    np.testing.assert_allclose(p.data, THETA0 - 0.1 * (G + 0.5 * THETA0), **TOL)


def test_numpy_scalar_weight_decay_becomes_a_python_float_and_float32_stays_float32():
    p = minidl.tensor(THETA0.astype(np.float32), requires_grad=True)
    for opt in (
        GD([p], lr=0.1, weight_decay=np.float64(0.1)),
        SGD([p], lr=0.1, momentum=0.9, weight_decay=np.float64(0.1)),
        Adam([p], weight_decay=np.float64(0.1)),
    ):
        assert type(opt.param_groups[0]["weight_decay"]) is float
        _step(opt, [p], G.astype(np.float32))
        assert p.dtype == np.float32
        assert all(
            v.dtype == np.float32 for v in opt.state.get(p, {}).values() if hasattr(v, "dtype")
        )


@pytest.mark.parametrize("cls", [GD, SGD, Adam])
@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", None])
def test_bad_weight_decay_is_refused_naming_the_optimizer_and_the_value(cls, bad):
    expected = f"{cls.__name__}: weight_decay λ must be a finite number >= 0, got {bad!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        cls([_leaf64()], lr=0.1, weight_decay=bad)
    with pytest.raises(ValueError, match=f"{cls.__name__}: weight_decay"):  # in a group
        cls([{"params": [_leaf64()], "weight_decay": bad}], lr=0.1)


def test_the_base_class_adds_the_decay_for_any_optimizer_with_a_weight_decay_hyper_parameter():
    class Recorder(Optimizer):
        def __init__(self, params, weight_decay):
            super().__init__(params, {"lr": 0.1, "weight_decay": weight_decay})
            self.seen = []

        def _update(self, p, g, group):
            self.seen.append(g.copy())

    opt = Recorder([_leaf64()], weight_decay=0.5)
    _step(opt, opt.param_groups[0]["params"])
    np.testing.assert_array_equal(opt.seen[0], G + 0.5 * THETA0)
    with pytest.raises(ValueError, match="Recorder: weight_decay λ must be a finite number"):
        Recorder([_leaf64()], weight_decay=-1)


# ----- checkpoints
def test_weight_decay_survives_state_dict_and_load_state_dict_per_group(tmp_path):
    a, b = _leaf64(), _leaf64()
    groups = [{"params": [a]}, {"params": [b], "weight_decay": 0.25}]
    source = SGD(groups, lr=0.1, momentum=0.9, weight_decay=0.5)
    _step(source, [a, b])
    sd = source.state_dict()
    assert [g["weight_decay"] for g in sd["param_groups"]] == [0.5, 0.25]
    minidl.save(sd, tmp_path / "sgd.npz")  # through the .npz file format as well
    for saved in (sd, minidl.load(tmp_path / "sgd.npz")):
        c, d = _leaf64(), _leaf64()
        target = SGD([{"params": [c]}, {"params": [d]}], lr=0.1, momentum=0.5)
        target.load_state_dict(saved)
        assert [g["weight_decay"] for g in target.param_groups] == [0.5, 0.25]
        assert [type(g["weight_decay"]) for g in target.param_groups] == [float, float]
    a2, b2 = _leaf64(), _leaf64()
    adam = Adam([{"params": [a2]}, {"params": [b2], "weight_decay": 0.0}], weight_decay=0.01)
    restored = Adam([{"params": [_leaf64()]}, {"params": [_leaf64()]}])
    restored.load_state_dict(adam.state_dict())
    assert [g["weight_decay"] for g in restored.param_groups] == [0.01, 0.0]


@pytest.mark.parametrize("name", list(CASES))
def test_training_resumed_from_a_checkpoint_with_weight_decay_continues_bit_exactly(name):
    cls, hyper, _ = CASES[name]
    theta0, data = problem()
    make = lambda ps: cls(ps, **hyper, weight_decay=WD)  # noqa: E731

    def run(params, opt, batches):
        for X, y in batches:
            opt.zero_grad()
            minidl_loss(params, X, y).backward()
            opt.step()

    params = leaves(theta0, np.float32)
    opt = make(list(params.values()))
    run(params, opt, data[:3])
    values, sd = {k: p.data.copy() for k, p in params.items()}, opt.state_dict()
    run(params, opt, data[3:])
    resumed = leaves(values, np.float32)
    resumed_opt = cls(list(resumed.values()), **hyper)  # weight_decay comes from the checkpoint
    resumed_opt.load_state_dict(sd)
    run(resumed, resumed_opt, data[3:])
    for k in params:
        np.testing.assert_array_equal(resumed[k].data, params[k].data, err_msg=k)


def test_a_checkpoint_saved_before_weight_decay_existed_loads_with_it_off():
    p = _leaf64()
    for opt in (
        GD([p], lr=0.1),
        SGD([p], lr=0.1, momentum=0.9),
        Adam([p], correct_v=False),
    ):
        _step(opt, [p])
        old = opt.state_dict()
        for group in old["param_groups"]:
            del group["weight_decay"]
        target = type(opt)([_leaf64()], lr=0.1, weight_decay=0.5)
        target.load_state_dict(old)
        assert target.param_groups[0]["weight_decay"] == 0.0
    # other missing hyper-parameters are still refused
    with pytest.raises(ValueError, match=r"this optimizer's \['momentum'\] are missing"):
        SGD([p], lr=0.1).load_state_dict(GD([p], lr=0.1).state_dict())
    bad = SGD([p], lr=0.1).state_dict()
    bad["param_groups"][0]["weight_decay"] = -1.0
    with pytest.raises(ValueError, match="SGD: weight_decay λ must be a finite number >= 0"):
        SGD([p], lr=0.1).load_state_dict(bad)


# ----- against PyTorch itself, when it is installed (the hand replays above are the check)
def test_matches_torch_sgd_and_adam_with_weight_decay():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    A = rng.standard_normal((3, 3))
    target = rng.standard_normal(3)
    cases = [
        (dict(lr=0.05, momentum=0.9, weight_decay=0.3), SGD, torch.optim.SGD),
        (dict(lr=0.05, weight_decay=0.3), SGD, torch.optim.SGD),
        (dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.3), Adam, torch.optim.Adam),
    ]
    for hyper, ours, theirs in cases:
        p = minidl.tensor(rng.standard_normal(3), requires_grad=True)
        q = torch.tensor(p.data.copy(), requires_grad=True)
        opt, topt = ours([p], **hyper), theirs([q], **hyper)
        for _ in range(STEPS):
            # the gradient depends on θ, so both trajectories feed back the same way
            p.grad = minidl.tensor(A @ (p.data - target))
            q.grad = torch.tensor(A @ (q.detach().numpy() - target))
            opt.step()
            topt.step()
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-12)
