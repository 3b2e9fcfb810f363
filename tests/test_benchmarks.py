"""The hand-written NumPy references of benchmarks/ compute what minidl computes.

Each reference's gradients are checked against central differences (float64,
tiny sizes), and against minidl's gradients and updates on the same weights.
Benchmarks themselves are never timed here.
"""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

import minidl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import w1_text_classifier, w2_mlp, w3_overhead  # noqa: E402
from benchmarks.reference.chain import chain_forward_backward  # noqa: E402
from benchmarks.reference.matmul import MatmulSumNumpy  # noqa: E402
from benchmarks.reference.mlp import MLPNumpy  # noqa: E402
from benchmarks.reference.text_classifier import TextClassifierNumpy  # noqa: E402


def central_difference(f, arr, eps=1e-6):
    """∂f/∂arr by (f(arr + ε) − f(arr − ε)) / 2ε, one element at a time (in place, restored)."""
    grad = np.zeros_like(arr)
    flat, gflat = arr.reshape(-1), grad.reshape(-1)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        up = f()
        flat[j] = old - eps
        down = f()
        flat[j] = old
        gflat[j] = (up - down) / (2 * eps)
    return grad


def small_text_params(rng, vocab=7, dim=3, hidden=4, classes=2, dtype=np.float64):
    shapes = {
        "embedding.weight": (vocab, dim),
        "lstm.weight_ih_l0": (4 * hidden, dim),
        "lstm.weight_hh_l0": (4 * hidden, hidden),
        "lstm.bias_ih_l0": (4 * hidden,),
        "lstm.bias_hh_l0": (4 * hidden,),
        "fc.weight": (classes, hidden),
        "fc.bias": (classes,),
    }
    return {k: rng.uniform(-0.8, 0.8, s).astype(dtype) for k, s in shapes.items()}


def small_mlp_params(rng, sizes=(5, 4, 3, 2), dtype=np.float64):
    params = {}
    for j, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        params[f"{2 * j}.weight"] = rng.uniform(-1, 1, (n_out, n_in)).astype(dtype)
        params[f"{2 * j}.bias"] = rng.uniform(-1, 1, n_out).astype(dtype)
    return params


def test_text_classifier_reference_grads_match_central_difference():
    rng = np.random.default_rng(0)
    ref = TextClassifierNumpy(small_text_params(rng))
    # token 2 appears three times: its embedding row sums three gradients
    tokens = np.array([[2, 0, 5], [2, 6, 1], [3, 2, 4], [1, 1, 6]])
    labels = np.array([1, 0, 1])
    ref.forward_backward(tokens, labels)
    for name, p in ref.params.items():
        numeric = central_difference(lambda: ref.forward_backward(tokens, labels), p)
        np.testing.assert_allclose(ref.grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_text_classifier_reference_adam_step_replays_equations():
    rng = np.random.default_rng(1)
    ref = TextClassifierNumpy(small_text_params(rng), lr=0.01)
    tokens = rng.integers(0, 7, (3, 2))
    labels = np.array([0, 1])
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    theta = {k: v.copy() for k, v in ref.params.items()}
    m = {k: np.zeros_like(v) for k, v in theta.items()}
    v = {k: np.zeros_like(x) for k, x in theta.items()}
    for t in (1, 2, 3):
        ref.forward_backward(tokens, labels)
        for k in theta:
            g = ref.grads[k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g**2
            m_hat, v_hat = m[k] / (1 - b1**t), v[k] / (1 - b2**t)
            theta[k] = theta[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
        ref.adam_step()
        for k in theta:
            np.testing.assert_allclose(ref.params[k], theta[k], rtol=1e-12, atol=1e-12, err_msg=k)


def test_mlp_reference_grads_match_central_difference():
    rng = np.random.default_rng(2)
    ref = MLPNumpy(small_mlp_params(rng))
    x = rng.standard_normal((6, 5))
    labels = np.array([0, 1, 1, 0, 1, 0])
    ref.forward_backward(x, labels)
    for name, p in ref.params.items():
        numeric = central_difference(lambda: ref.forward_backward(x, labels), p)
        np.testing.assert_allclose(ref.grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_mlp_reference_sgd_step_is_theta_minus_lr_g():
    rng = np.random.default_rng(3)
    ref = MLPNumpy(small_mlp_params(rng), lr=0.1)
    x, labels = rng.standard_normal((4, 5)), np.array([1, 0, 0, 1])
    before = {k: v.copy() for k, v in ref.params.items()}
    ref.step(x, labels)
    for k in before:
        np.testing.assert_array_equal(ref.params[k], before[k] - 0.1 * ref.grads[k])


def test_chain_reference_grad_matches_central_difference():
    rng = np.random.default_rng(4)
    x, a, b = rng.standard_normal(10), rng.standard_normal(10), rng.uniform(0.5, 1.5, 10)
    _, grad = chain_forward_backward(x, a, b, 30)
    numeric = central_difference(lambda: chain_forward_backward(x, a, b, 30)[0], x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_matmul_reference_grads_are_row_and_column_sums():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    ref = MatmulSumNumpy(a, b)
    loss = ref.step()
    # L = Σᵢⱼₖ Aᵢₖ Bₖⱼ, so dL/dAᵢₖ = Σⱼ Bₖⱼ and dL/dBₖⱼ = Σᵢ Aᵢₖ
    assert loss == pytest.approx((a @ b).sum())
    np.testing.assert_allclose(ref.grad_a, np.tile(b.sum(axis=1), (4, 1)), rtol=1e-12)
    np.testing.assert_allclose(ref.grad_b, np.tile(a.sum(axis=0)[:, None], (1, 5)), rtol=1e-12)


# ----- minidl computes the same as the references --------------------------------------


def minidl_text_step(params, tokens, labels):
    """One minidl step of the §4 model; returns (loss, {name: grad}, {name: param after Adam})."""
    model, optimizer, criterion = w1_text_classifier.minidl_model(params)
    optimizer.zero_grad()
    loss = criterion(model(minidl.tensor(tokens)), minidl.tensor(labels))
    loss.backward()
    grads = {k: p.grad.data.copy() for k, p in model.named_parameters()}
    optimizer.step()
    return loss.item(), grads, {k: p.data for k, p in model.named_parameters()}


@pytest.mark.parametrize("steps, batch", [(1, 3), (5, 4)])
def test_text_classifier_minidl_matches_reference_float64(steps, batch):
    rng = np.random.default_rng(6)
    params = w1_text_classifier.make_params(hidden=5, vocab=11, embed=4, dtype=np.float64)
    tokens = rng.integers(0, 11, (steps, batch))
    tokens[0, 0] = tokens[-1, -1]  # a repeated token
    labels = rng.integers(0, 2, batch)
    ref = TextClassifierNumpy(params)
    ref_loss = ref.forward_backward(tokens, labels)
    loss, grads, updated = minidl_text_step(params, tokens, labels)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for name in params:
        np.testing.assert_allclose(grads[name], ref.grads[name], rtol=1e-10, atol=1e-13)
        assert grads[name].dtype == np.float64
    ref.adam_step()
    for name in params:
        np.testing.assert_allclose(updated[name], ref.params[name], rtol=1e-10, atol=1e-13)


def test_mlp_minidl_matches_reference_float64():
    rng = np.random.default_rng(7)
    params = small_mlp_params(rng, sizes=(6, 5, 4, 3))
    x, labels = rng.standard_normal((8, 6)), rng.integers(0, 3, 8)
    ref = MLPNumpy(params, lr=0.05)
    ref_loss = ref.forward_backward(x, labels)
    model, optimizer, criterion = w2_mlp.minidl_model(params, lr=0.05)
    loss = criterion(model(minidl.tensor(x)), minidl.tensor(labels))
    loss.backward()
    assert loss.item() == pytest.approx(ref_loss, rel=1e-12)
    named = dict(model.named_parameters())
    for name in params:
        np.testing.assert_allclose(named[name].grad.data, ref.grads[name], rtol=1e-10, atol=1e-13)
    optimizer.step()
    ref.sgd_step()
    for name in params:
        np.testing.assert_allclose(named[name].data, ref.params[name], rtol=1e-12, atol=1e-14)


def test_chain_minidl_matches_reference():
    x, a, b = (v.astype(np.float64) for v in w3_overhead.make_inputs(10))
    ref_loss, ref_grad = chain_forward_backward(x, a, b, 60)
    xt = minidl.tensor(x, requires_grad=True)
    loss = w3_overhead.minidl_chain(xt, minidl.tensor(a), minidl.tensor(b), 60)
    loss.backward()
    assert loss.item() == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(xt.grad.data, ref_grad, rtol=1e-12)


def test_matmul_minidl_matches_reference():
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 5))
    ref = MatmulSumNumpy(a, b)
    ref_loss = ref.step()
    at, bt = minidl.tensor(a, requires_grad=True), minidl.tensor(b, requires_grad=True)
    loss = (at @ bt).sum()
    loss.backward()
    assert loss.item() == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(at.grad.data, ref.grad_a, rtol=1e-12)
    np.testing.assert_allclose(bt.grad.data, ref.grad_b, rtol=1e-12)


# ----- float32 stays float32 -------------------------------------------------------------


def test_text_classifier_step_stays_float32():
    params = w1_text_classifier.make_params(hidden=6, vocab=20, embed=5)
    tokens, labels = w1_text_classifier.make_batch(7, 3, vocab=20)
    model, optimizer, criterion = w1_text_classifier.minidl_model(params)
    for _ in range(2):  # the second step runs on Adam state made by the first
        optimizer.zero_grad()
        loss = criterion(model(minidl.tensor(tokens)), minidl.tensor(labels))
        assert loss.dtype == np.float32
        loss.backward()
        optimizer.step()
    for name, p in model.named_parameters():
        assert p.dtype == np.float32, name
        assert p.grad.dtype == np.float32, name
        state = optimizer.state[p]
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, (name, key)


# ----- buffers reused across steps for speed never leak between graphs ------------------


def lstm_grads(lstm, x, scale):
    """d(scale · Σ h_n)/d(weights) of one fresh graph."""
    lstm.zero_grad()
    _, (h_n, _) = lstm(x)
    (h_n.sum() * scale).backward()
    return {k: p.grad.data.copy() for k, p in lstm.named_parameters()}


def test_lstm_graphs_alive_at_once_keep_their_own_buffers():
    minidl.manual_seed(0)
    lstm = minidl.nn.LSTM(3, 4)
    rng = np.random.default_rng(9)
    x1, x2 = (minidl.tensor(rng.standard_normal((5, 2, 3))) for _ in range(2))
    expected1, expected2 = lstm_grads(lstm, x1, 1.0), lstm_grads(lstm, x2, 2.0)
    lstm.zero_grad()
    _, (h1, _) = lstm(x1)
    _, (h2, _) = lstm(x2)  # a second graph while the first is alive
    with minidl.no_grad():
        lstm(x2)  # and an evaluation in between
    (h2.sum() * 2.0).backward()
    grads2 = {k: p.grad.data.copy() for k, p in lstm.named_parameters()}
    lstm.zero_grad()
    h1.sum().backward()
    for k, p in lstm.named_parameters():
        np.testing.assert_allclose(grads2[k], expected2[k], rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(p.grad.data, expected1[k], rtol=1e-6, atol=1e-7)


def test_lstm_backward_twice_with_retain_graph_doubles_the_gradient():
    minidl.manual_seed(1)
    lstm = minidl.nn.LSTM(3, 4)
    x = minidl.tensor(np.random.default_rng(10).standard_normal((6, 2, 3)))
    once = lstm_grads(lstm, x, 1.0)
    lstm.zero_grad()
    _, (h_n, _) = lstm(x)
    loss = h_n.sum()
    loss.backward(retain_graph=True)
    lstm(x)  # a step in between may reuse freed buffers, never retained ones
    loss.backward()
    for k, p in lstm.named_parameters():
        np.testing.assert_allclose(p.grad.data, 2 * once[k], rtol=1e-6, atol=1e-7)


def test_run_prints_the_table_with_ratio_and_spread(capsys):
    # a smoke test of the command, not a timing test: one quick workload, two runs
    from benchmarks import run

    run.main(["--only", "W3", "--repeat", "2", "--warmup", "0", "--no-memory"])
    out = capsys.readouterr().out
    assert "minidl/ref" in out and "per run: median (IQR)" in out
    row = next(line for line in out.splitlines() if line.startswith("W3 per-op"))
    ratio, paired, spread = row.split()[-3:]
    assert ratio.endswith("x") and float(ratio[:-1]) > 0
    low, high = (float(v) for v in spread.strip("()").split("-"))
    assert 0 < low <= float(paired) <= high


def test_ratio_spread_is_the_median_and_middle_half_of_the_paired_ratios():
    from benchmarks import run

    # ratios 1, 2, 3, 4, 5 (run i over run i): quartiles 2 and 4, median 3
    mine, reference = [1.0, 4.0, 9.0, 16.0, 25.0], [1.0, 2.0, 3.0, 4.0, 5.0]
    assert run.ratio_spread(mine, reference) == "3.00 (2.00-4.00)"


def test_run_pools_runs_from_fresh_processes_built_in_rotated_orders(monkeypatch, capsys):
    from benchmarks import run

    firsts = []
    real = run.subprocess.run

    def spy(command, **kwargs):
        if "--times-of" in command:
            firsts.append(command[command.index("--times-of") + 2])
        return real(command, **kwargs)

    monkeypatch.setattr(run.subprocess, "run", spy)
    times = run.measure_in_processes("W3 per-op", ["minidl", "reference"], 2, 0, 3)
    assert firsts == ["0", "1", "0"]  # minidl built first, then the reference, then minidl
    assert {f: len(t) for f, t in times.items()} == {"minidl": 6, "reference": 6}
    assert all(t > 0 for ts in times.values() for t in ts)
    run.main(["--only", "W3", "--repeat", "1", "--warmup", "0", "--no-memory", "--processes", "2"])
    assert "in each of 2 processes" in capsys.readouterr().out


def test_measure_builds_and_runs_from_the_framework_it_is_told_to_start_with(monkeypatch):
    from benchmarks import run

    built, ran = [], []

    def fake_build(module, framework, size):
        built.append(framework)
        return lambda: ran.append(framework)

    monkeypatch.setattr(run, "build", fake_build)
    run.measure("W3 per-op", ["minidl", "reference"], repeat=2, warmup=0, first=1)
    assert built == ["reference", "minidl"]
    assert ran == ["reference", "minidl"] * 2


def test_a_failing_benchmark_process_reports_its_error():
    from benchmarks import run

    with pytest.raises(RuntimeError, match=r"(?s)W9 none: process 0 failed:.*Traceback"):
        run.measure_in_processes("W9 none", ["minidl", "reference"], 1, 0, 1)


def test_instruction_counts_subtract_the_one_step_run_and_divide_by_ops(
    monkeypatch, tmp_path, capsys
):
    # a stand-in valgrind reports 10**6 + k * steps instructions for a child making 1 + steps
    # steps, k = 3000 for minidl and 1000 for the reference: 3000 and 1000 per step
    fake = tmp_path / "valgrind"
    fake.write_text(
        "#!/bin/sh\n"
        "for last; do :; done\n"  # the last argument: steps
        'case "$*" in *" minidl "[0-9]*) k=3000;; *) k=1000;; esac\n'  # framework, steps
        'echo "==1== Collected : $((1000000 + k * last))" >&2\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    from benchmarks import instructions

    assert instructions.main(["--steps", "4"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[2:]}
    assert rows["W2"][2:6] == ["4", "3,000", "1,000", "2,000"] and rows["W2"][6] == "3.00x"
    assert rows["W3"][1:5] == ["4", "3", "1", "2"] and rows["W3"][5] == "3.00x"  # per op


def test_instruction_count_children_run_both_frameworks_steps():
    from benchmarks import instructions

    for label in instructions.WORKLOADS:
        for framework in ("minidl", "reference"):
            assert instructions.main(["--child", label, framework, "1"]) == 0
