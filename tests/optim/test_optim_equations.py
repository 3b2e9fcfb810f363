"""Each optimizer against its equation (§3.3 eqs. 2-4, DESIGN.md) replayed by hand in NumPy.

Three problems: a quadratic (least squares, J(θ) = mean (x·θ − y)²), a small
tanh network from raw tensor ops, and the same kind of network built from
``nn.Linear`` / ``nn.Tanh`` / ``nn.MSELoss`` (so the parameters are ``nn.Parameter``).
The NumPy side computes the gradients by hand (closed form / hand-written
backprop) and applies each update equation as the document writes it, in
float64; minidl's parameters must agree to 1e-12 after every one of several steps.
"""

import numpy as np
import pytest

import minidl
import minidl.nn as nn
from minidl.data import DataLoader, TensorDataset
from minidl.optim import GD, SGD, Adam

STEPS = 6
TOL = dict(rtol=1e-12, atol=1e-12)


class Problem:
    def make_params(self):
        """The trainable tensors, by name, holding ``params0``."""
        return {k: minidl.tensor(v.copy(), requires_grad=True) for k, v in self.params0.items()}


class Quadratic(Problem):
    """J(θ) = 1/n Σ (x_i·θ − y_i)²;  ∇J = 2/n Xᵀ(Xθ − y)."""

    def __init__(self, rng):
        self.X = rng.standard_normal((12, 3))
        self.y = rng.standard_normal(12)
        self.params0 = {"theta": rng.standard_normal(3)}

    def loss(self, p, X, y):
        return ((X @ p["theta"] - y) ** 2).mean()

    def grad(self, p, X, y):
        r = X @ p["theta"] - y
        return {"theta": 2.0 / len(y) * X.T @ r}


class TanhNet(Problem):
    """out = tanh(X W1ᵀ + b1) w2 + b2,  J = 1/n Σ (out_i − y_i)²; gradients by backprop."""

    def __init__(self, rng):
        self.X = rng.standard_normal((10, 3))
        self.y = rng.standard_normal(10)
        self.params0 = {
            "W1": rng.standard_normal((4, 3)) * 0.5,
            "b1": rng.standard_normal(4) * 0.1,
            "w2": rng.standard_normal(4) * 0.5,
            "b2": rng.standard_normal(()) * 0.1,
        }

    def loss(self, p, X, y):
        h = (X @ p["W1"].T + p["b1"]).tanh()
        return ((h @ p["w2"] + p["b2"] - y) ** 2).mean()

    def grad(self, p, X, y):
        h = np.tanh(X @ p["W1"].T + p["b1"])
        d_out = 2.0 * (h @ p["w2"] + p["b2"] - y) / len(y)
        dz = np.outer(d_out, p["w2"]) * (1 - h * h)
        return {"W1": dz.T @ X, "b1": dz.sum(0), "w2": h.T @ d_out, "b2": d_out.sum()}


class NNNet(Problem):
    """nn.Sequential(Linear(3, 5), Tanh(), Linear(5, 2)), nn.MSELoss (mean over n·2 elements).

    Backprop by hand with PyTorch's layout W: (out, in):  out = tanh(X W1ᵀ + b1) W2ᵀ + b2.
    """

    def __init__(self, rng):
        self.X = rng.standard_normal((10, 3))
        self.y = rng.standard_normal((10, 2))
        minidl.manual_seed(int(rng.integers(1000)))
        self.model = nn.Sequential(
            nn.Linear(3, 5, dtype=np.float64), nn.Tanh(), nn.Linear(5, 2, dtype=np.float64)
        )
        self.params0 = {k: p.data.copy() for k, p in self.model.named_parameters()}
        self.mse = nn.MSELoss()

    def make_params(self):
        params = dict(self.model.named_parameters())
        assert all(isinstance(p, nn.Parameter) for p in params.values())
        return params

    def loss(self, p, X, y):
        return self.mse(self.model(X), y)

    def grad(self, p, X, y):
        h = np.tanh(X @ p["0.weight"].T + p["0.bias"])
        d_out = 2.0 * (h @ p["2.weight"].T + p["2.bias"] - y) / y.size
        dz = d_out @ p["2.weight"] * (1 - h * h)
        return {
            "0.weight": dz.T @ X,
            "0.bias": dz.sum(0),
            "2.weight": d_out.T @ h,
            "2.bias": d_out.sum(0),
        }


PROBLEMS = [Quadratic, TanhNet, NNNet]


def run_minidl(problem, make_opt, loader, steps=STEPS):
    """Train with minidl; returns the parameter values after each step and the batches seen."""
    params = problem.make_params()
    opt = make_opt(list(params.values()))
    trajectory, batches = [], []
    while len(batches) < steps:
        for xb, yb in loader:
            opt.zero_grad()
            problem.loss(params, xb, yb).backward()
            opt.step()
            trajectory.append({k: t.data.copy() for k, t in params.items()})
            batches.append((xb.data.copy(), yb.data.copy()))
            if len(batches) == steps:
                break
    return trajectory, batches


def replay(problem, batches, update):
    """Apply ``update(state, name, theta, g, t) -> theta`` by hand on the same batches."""
    theta = {k: v.copy() for k, v in problem.params0.items()}
    state = {k: {} for k in theta}
    trajectory = []
    for t, (xb, yb) in enumerate(batches, start=1):
        g = problem.grad(theta, xb, yb)
        theta = {k: update(state[k], theta[k], g[k], t) for k in theta}
        trajectory.append({k: v.copy() for k, v in theta.items()})
    return trajectory


def assert_same(got, want):
    assert len(got) == len(want) == STEPS
    for step, (a, b) in enumerate(zip(got, want), start=1):
        for k in b:
            np.testing.assert_allclose(a[k], b[k], **TOL, err_msg=f"step {step}, {k}")


def full_batch(problem):
    return DataLoader(TensorDataset(problem.X, problem.y), batch_size=len(problem.y))


def gd_rule(alpha):
    # θ_{t+1} = θ_t − α ∇J(θ_t)
    return lambda s, theta, g, t: theta - alpha * g


def adam_rule(alpha, b1, b2, eps, correct_v):
    def update(s, theta, g, t):
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g**2
        s["m"], s["v"] = m, v
        if correct_v:
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            return theta - alpha * m_hat / (np.sqrt(v_hat) + eps)
        # the document's last line, as printed
        return theta - alpha * m / (1 - b1**t) * 1 / (np.sqrt(v) + eps)

    return update


@pytest.mark.parametrize("Problem", PROBLEMS)
def test_gd_is_eq2_on_the_full_batch_mean_gradient(Problem):
    problem = Problem(np.random.default_rng(0))
    got, batches = run_minidl(problem, lambda ps: GD(ps, lr=0.1), full_batch(problem))
    for xb, yb in batches:  # every step saw the whole training set
        np.testing.assert_array_equal(xb, problem.X)
        np.testing.assert_array_equal(yb, problem.y)
    assert_same(got, replay(problem, batches, gd_rule(0.1)))


@pytest.mark.parametrize("Problem", PROBLEMS)
def test_sgd_is_eq3_on_one_random_sample_per_step(Problem):
    problem = Problem(np.random.default_rng(1))
    n = len(problem.y)
    loader = DataLoader(TensorDataset(problem.X, problem.y), batch_size=1, shuffle=True, seed=3)
    got, batches = run_minidl(problem, lambda ps: SGD(ps, lr=0.05), loader, steps=n + 2)
    rows = []
    for xb, yb in batches:
        assert xb.shape == (1, *problem.X.shape[1:]) and yb.shape == (1, *problem.y.shape[1:])
        (i,) = np.flatnonzero((problem.X == xb[0]).all(axis=1))
        np.testing.assert_array_equal(problem.y[i], yb[0])
        rows.append(int(i))
    # one epoch visits every sample once, in an order that is not the stored one
    assert sorted(rows[:n]) == list(range(n))
    assert rows[:n] != list(range(n))
    want = replay(problem, batches, gd_rule(0.05))
    assert_same(got[:STEPS], want[:STEPS])
    assert_same(got[-STEPS:], want[-STEPS:])


@pytest.mark.parametrize("Problem", PROBLEMS)
def test_sgd_momentum_follows_v_mu_v_plus_g(Problem):
    problem = Problem(np.random.default_rng(2))
    mu, alpha = 0.9, 0.05

    def momentum(s, theta, g, t):
        s["v"] = mu * s.get("v", 0.0) + g  # v ← μv + g, v_0 = 0
        return theta - alpha * s["v"]  # θ ← θ − αv

    opt = lambda ps: SGD(ps, lr=alpha, momentum=mu)  # noqa: E731
    got, batches = run_minidl(problem, opt, full_batch(problem))
    assert_same(got, replay(problem, batches, momentum))


@pytest.mark.parametrize("correct_v", [True, False])
@pytest.mark.parametrize("Problem", PROBLEMS)
def test_adam_replays_design_equations(Problem, correct_v):
    problem = Problem(np.random.default_rng(3))
    hyper = dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, correct_v=correct_v)
    got, batches = run_minidl(problem, lambda ps: Adam(ps, **hyper), full_batch(problem))
    rule = adam_rule(0.01, 0.8, 0.99, 1e-6, correct_v)
    assert_same(got, replay(problem, batches, rule))


def test_adam_update_is_bit_exact_given_the_same_gradients():
    """Fed minidl's own gradients, the m̂/(√v̂ + ε) form replays every bit (float64)."""
    problem = TanhNet(np.random.default_rng(4))
    params = {k: minidl.tensor(v.copy(), requires_grad=True) for k, v in problem.params0.items()}
    opt = Adam(list(params.values()), lr=0.01)
    b1, b2, eps, alpha = 0.9, 0.999, 1e-8, 0.01
    theta = {k: v.copy() for k, v in problem.params0.items()}
    m = {k: np.zeros_like(v) for k, v in theta.items()}
    v = {k: np.zeros_like(x) for k, x in theta.items()}
    X, y = minidl.tensor(problem.X), minidl.tensor(problem.y)
    for t in range(1, STEPS + 1):
        opt.zero_grad()
        problem.loss(params, X, y).backward()
        opt.step()
        for k in theta:
            g = params[k].grad.data
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g**2
            m_hat, v_hat = m[k] / (1 - b1**t), v[k] / (1 - b2**t)
            theta[k] = theta[k] - alpha * m_hat / (np.sqrt(v_hat) + eps)
            np.testing.assert_array_equal(params[k].data, theta[k], err_msg=f"step {t}, {k}")


def test_adam_correct_v_matches_kingma_ba_efficient_form():
    """Kingma & Ba §2: α_t = α √(1−β2^t)/(1−β1^t), θ ← θ − α_t m_t/(√v_t + ε̂),
    with ε̂ = ε √(1−β2^t) — algebraically the default ``correct_v=True`` update."""
    problem = Quadratic(np.random.default_rng(5))
    b1, b2, eps, alpha = 0.9, 0.999, 1e-8, 0.02

    def kingma_ba(s, theta, g, t):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        alpha_t = alpha * np.sqrt(1 - b2**t) / (1 - b1**t)
        eps_hat = eps * np.sqrt(1 - b2**t)
        return theta - alpha_t * s["m"] / (np.sqrt(s["v"]) + eps_hat)

    got, batches = run_minidl(problem, lambda ps: Adam(ps, lr=alpha), full_batch(problem))
    assert_same(got, replay(problem, batches, kingma_ba))


@pytest.mark.parametrize("beta2", [0.999, 0.99])
def test_adam_without_v_correction_takes_a_first_step_1_over_sqrt_1_minus_beta2_larger(beta2):
    # step 1: m̂ = g, v_1 = (1−β2) g², so the steps are α g/(|g|+ε) and α g/(√(1−β2)|g|+ε)
    g = np.array([3.0, -0.5, 2.0])
    steps = {}
    for correct_v in (True, False):
        p = minidl.zeros(3, dtype=np.float64, requires_grad=True)
        p.grad = minidl.tensor(g)
        Adam([p], lr=0.1, betas=(0.9, beta2), correct_v=correct_v).step()
        steps[correct_v] = -p.data
    ratio = steps[False] / steps[True]
    np.testing.assert_allclose(ratio, 1 / np.sqrt(1 - beta2), rtol=1e-6)
    np.testing.assert_allclose(steps[True], 0.1 * np.sign(g), rtol=1e-7)


# ----- per-group hyper-parameters: each group's own values, and lr changed after construction
G1, G2 = np.array([1.0, -2.0]), np.array([3.0, 0.5])


def _leaf64(values):
    return minidl.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def _adam_two_steps(lr, b1, b2, eps):
    """θ after gradients G1 then G2 from θ = 0 (Kingma & Ba), replayed by hand.

    Step 1: m̂ = g1, v̂ = g1²;  step 2: m̂ = (β1 g1 + g2)/(1 + β1), v̂ = (β2 g1² + g2²)/(1 + β2).
    """
    theta = -lr * G1 / (np.abs(G1) + eps)
    m_hat = (b1 * G1 + G2) / (1 + b1)
    v_hat = (b2 * G1**2 + G2**2) / (1 + b2)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def _steps(opt, params, grads):
    for g in grads:
        for p in params:
            p.grad = minidl.tensor(g)
        opt.step()


def test_adam_uses_each_groups_own_betas_eps_and_lr():
    a, b = _leaf64([0.0, 0.0]), _leaf64([0.0, 0.0])
    groups = [{"params": [a]}, {"params": [b], "betas": (0.5, 0.75), "eps": 0.5, "lr": 0.2}]
    _steps(Adam(groups, lr=0.1), [a, b], [G1, G2])
    np.testing.assert_allclose(a.data, _adam_two_steps(0.1, 0.9, 0.999, 1e-8), **TOL)
    np.testing.assert_allclose(b.data, _adam_two_steps(0.2, 0.5, 0.75, 0.5), **TOL)


def test_adam_uses_each_groups_own_correct_v():
    # step 1 with the printed last line: θ = −α g / (√v_1 + ε), √v_1 = √(1 − β2) |g|
    a, b = _leaf64([0.0, 0.0]), _leaf64([0.0, 0.0])
    opt = Adam([{"params": [a]}, {"params": [b], "correct_v": False}], lr=0.1, betas=(0.9, 0.99))
    _steps(opt, [a, b], [G1])
    np.testing.assert_allclose(a.data, -0.1 * G1 / (np.abs(G1) + 1e-8), **TOL)
    np.testing.assert_allclose(b.data, -0.1 * G1 / (np.sqrt(0.01) * np.abs(G1) + 1e-8), **TOL)


def test_sgd_uses_each_groups_own_momentum():
    # constant g: v1 = g, v2 = μ g + g, so θ2 = −α (2 + μ) g
    a, b = _leaf64([0.0, 0.0]), _leaf64([0.0, 0.0])
    opt = SGD([{"params": [a]}, {"params": [b], "momentum": 0.5}], lr=0.1, momentum=0.9)
    _steps(opt, [a, b], [G1, G1])
    np.testing.assert_allclose(a.data, -0.1 * 2.9 * G1, **TOL)
    np.testing.assert_allclose(b.data, -0.1 * 2.5 * G1, **TOL)


def test_an_lr_changed_after_construction_is_used_by_adam_and_sgd_with_momentum():
    # what a learning-rate schedule does; step 1: Adam θ = −α g/(|g| + ε), SGD v = g, θ = −α g
    a, s = _leaf64([0.0, 0.0]), _leaf64([0.0, 0.0])
    adam, sgd = Adam([a], lr=0.1), SGD([s], lr=0.1, momentum=0.9)
    adam.param_groups[0]["lr"] = 0.2
    sgd.param_groups[0]["lr"] = 0.5
    _steps(adam, [a], [G1])
    _steps(sgd, [s], [G1])
    np.testing.assert_allclose(a.data, -0.2 * G1 / (np.abs(G1) + 1e-8), **TOL)
    np.testing.assert_allclose(s.data, -0.5 * G1, **TOL)
