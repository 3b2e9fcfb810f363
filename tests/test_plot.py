"""Plots rendered with Agg and checked for their content (lines, labels, legends, contours)."""

import re
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

import minidl  # noqa: E402
from minidl import plot  # noqa: E402
from minidl.optim import GD, SGD, Adam  # noqa: E402
from minidl.train import History  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _render(ax):
    ax.figure.canvas.draw()  # a full Agg render: layout errors surface here
    return ax


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _history(losses, batch):
    h = History()
    h.step_loss = list(losses)
    h.step_examples = [batch * (i + 1) for i in range(len(losses))]
    h.step_time = [0.01 * (i + 1) for i in range(len(losses))]
    return h


# ---------------------------------------------------------------- plot_losses


def test_plot_losses_one_line_per_history_with_labels():
    hs = {
        "GD": _history([3.0, 2.0, 1.5, 1.2], batch=100),
        "SGD": _history([3.0, 2.5, 1.0, 1.1, 0.7], batch=1),
        "Adam": _history([3.0, 1.0], batch=10),
    }
    ax = _render(plot.plot_losses(hs))
    assert len(ax.lines) == 3
    assert [ln.get_label() for ln in ax.lines] == ["GD", "SGD", "Adam"]
    assert _legend_texts(ax) == ["GD", "SGD", "Adam"]
    assert ax.get_title() and ax.get_xlabel() == "optimizer step" and ax.get_ylabel()
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [3.0, 2.5, 1.0, 1.1, 0.7])


def test_plot_losses_x_examples_and_time():
    hs = {"GD": _history([3.0, 2.0, 1.0], batch=100)}
    ax = plot.plot_losses(hs, x="examples")
    # step k's loss comes before its update: the model had seen the examples of steps < k
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 100, 200])
    assert "examples" in ax.get_xlabel()
    ax = plot.plot_losses(hs, x="time")
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.0, 0.01, 0.02])
    assert "time" in ax.get_xlabel()


def test_plot_losses_moving_average_with_raw_curve_behind():
    hs = {"a": _history([4.0, 2.0, 0.0, 6.0], batch=1), "b": _history([1.0, 1.0], batch=1)}
    ax = _render(plot.plot_losses(hs, smooth=2))
    # smoothed + faint raw curve per history; only the smoothed ones are in the legend
    assert len(ax.lines) == 4
    assert _legend_texts(ax) == ["a", "b"]
    # window 2, trailing: [4, (4+2)/2, (2+0)/2, (0+6)/2]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [4.0, 3.0, 1.0, 3.0])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [4.0, 2.0, 0.0, 6.0])
    assert ax.lines[1].get_color() == ax.lines[0].get_color()
    ax = plot.plot_losses(hs, smooth=2, show_raw=False)
    assert len(ax.lines) == 2


def test_smooth_curve_ema():
    # β = 0.5: s1 = 4, s2 = 0.5·4 + 0.5·2 = 3, s3 = 0.5·3 + 0 = 1.5, s4 = 0.75 + 3 = 3.75
    np.testing.assert_allclose(plot.smooth_curve([4, 2, 0, 6], 0.5), [4, 3, 1.5, 3.75])
    np.testing.assert_allclose(plot.smooth_curve([4, 2, 0, 6], 1), [4, 2, 0, 6])
    with pytest.raises(ValueError, match="EMA factor"):
        plot.smooth_curve([1, 2], 1.5)


def test_plot_losses_log_y_and_duck_typed_history_and_given_axes():
    fake = SimpleNamespace(step_loss=[1.0, 0.1, 0.01], step_examples=[1, 2, 3], step_time=[1, 2, 3])
    fig, ax = plt.subplots()
    out = plot.plot_losses({"fake": fake}, log_y=True, ax=ax)
    assert out is ax and ax.get_yscale() == "log"
    ax = plot.plot_losses(_history([2.0, 1.0], 4))  # a bare History is labelled "train"
    assert _legend_texts(ax) == ["train"]


def test_plot_losses_errors():
    with pytest.raises(TypeError, match=r"histories\['x'\] is a SimpleNamespace without"):
        plot.plot_losses({"x": SimpleNamespace(step_loss=[1.0])}, x="examples")
    with pytest.raises(ValueError, match="x must be one of"):
        plot.plot_losses({"a": _history([1.0], 1)}, x="epoch")
    with pytest.raises(ValueError, match="no steps recorded"):
        plot.plot_losses({"a": History()})
    bad = SimpleNamespace(step_loss=[1.0, 2.0], step_examples=[1], step_time=[1, 2])
    with pytest.raises(ValueError, match="2 step losses but 1 values"):
        plot.plot_losses({"a": bad}, x="examples")


# ---------------------------------------------------------------- test functions, paths


def test_test_functions_vanish_at_their_minimum_on_tensors_and_grids():
    for fn in (plot.rosenbrock, plot.beale, plot.ill_conditioned_quadratic):
        at_min = fn(minidl.tensor(np.array(fn.minimum)))
        assert at_min.shape == () and at_min.item() == 0.0
        grid = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3)))
        assert fn(grid).shape == (3, 4)
        assert (fn(grid) >= 0).all()


def test_gd_path_on_the_quadratic_follows_the_closed_form():
    # f = (x² + 25y²)/2, ∇f = (x, 25y): GD gives x_k = (1 − α)^k x0, y_k = (1 − 25α)^k y0
    lr, steps, (x0, y0) = 0.05, 20, (2.0, 1.0)
    path = plot.optimizer_paths(
        plot.ill_conditioned_quadratic, {"GD": lambda ps: GD(ps, lr=lr)}, (x0, y0), steps
    )["GD"]
    k = np.arange(steps + 1)
    np.testing.assert_allclose(path[:, 0], (1 - lr) ** k * x0, rtol=1e-12)
    np.testing.assert_allclose(path[:, 1], (1 - 25 * lr) ** k * y0, rtol=1e-12, atol=1e-15)


def test_first_step_uses_the_analytic_gradient_of_rosenbrock():
    x, y, lr = -1.5, 2.0, 1e-3
    # ∂f/∂x = −2(1 − x) − 400 x (y − x²),  ∂f/∂y = 200 (y − x²)
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    path = plot.optimizer_paths(plot.rosenbrock, {"SGD": lambda ps: SGD(ps, lr=lr)}, (x, y), 1)
    np.testing.assert_allclose(path["SGD"][1], np.array([x, y]) - lr * g, rtol=1e-12)


def test_first_step_on_beale_matches_central_differences_of_the_grid_version():
    p0, lr, h = np.array([1.0, 1.5]), 1e-3, 1e-6
    g = np.array([(plot.beale(p0 + h * e) - plot.beale(p0 - h * e)) / (2 * h) for e in np.eye(2)])
    path = plot.optimizer_paths(plot.beale, {"GD": lambda ps: GD(ps, lr=lr)}, p0, 1)["GD"]
    np.testing.assert_allclose(path[1], p0 - lr * g, rtol=1e-7)


def test_diverging_run_stops_at_the_first_non_finite_value():
    paths = plot.optimizer_paths(
        plot.rosenbrock, {"huge": lambda ps: GD(ps, lr=1.0)}, (-1.5, 2.0), 200
    )
    path = paths["huge"]
    assert 1 < len(path) < 201 and np.isfinite(path).all()


def test_plot_optimizer_paths_draws_contours_paths_and_legend():
    opts = {
        "GD": lambda ps: GD(ps, lr=1e-3),
        "Adam": lambda ps: Adam(ps, lr=0.05),
        "GD lr=1": lambda ps: GD(ps, lr=1.0),
    }
    ax = _render(plot.plot_optimizer_paths(plot.rosenbrock, opts, (-1.5, 2.0), 50))
    assert any(isinstance(c, ContourSet) for c in ax.collections)
    labels = [ln.get_label() for ln in ax.lines]
    assert labels == ["GD", "Adam", "GD lr=1 (diverged)", "start", "minimum"]
    assert _legend_texts(ax) == labels
    assert len(ax.lines[0].get_xdata()) == 51 and len(ax.lines[1].get_xdata()) == 51
    assert ax.get_title().startswith("rosenbrock") and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_xlim() == plot.rosenbrock.bounds[0]


def test_plot_optimizer_paths_on_a_user_function_without_bounds():
    def bowl(p):
        return (p[0] - 1) ** 2 + (p[1] + 2) ** 2

    ax = plot.plot_optimizer_paths(bowl, {"GD": lambda ps: GD(ps, lr=0.1)}, (0, 0), 10, levels=5)
    assert [ln.get_label() for ln in ax.lines] == ["GD", "start"]
    assert any(isinstance(c, ContourSet) for c in ax.collections)
    assert ax.get_title().startswith("bowl")


def test_optimizer_paths_errors():
    gd = {"GD": lambda ps: GD(ps, lr=0.1)}
    with pytest.raises(ValueError, match="start must be 2 numbers"):
        plot.optimizer_paths(plot.beale, gd, (1, 2, 3), 5)
    with pytest.raises(ValueError, match="must return a scalar"):
        plot.optimizer_paths(lambda p: p * 2, gd, (1, 2), 5)


# ---------------------------------------------------------------- computation graph


def _expression():
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = minidl.tensor([0.5, 0.5, 0.5], requires_grad=True)
    y = ((x * w).sum() + x.exp().mean()) * 2.0
    # ops: Mul(x, w) -> Sum;  Exp(x) -> Mean;  Add(Sum, Mean);  Mul(Add, 2.0) = output
    return x, w, y


EXPECTED_EDGES = {
    ("x\n(3,)", "MulBackward"),
    ("w\n(3,)", "MulBackward"),
    ("MulBackward", "SumBackward"),
    ("x\n(3,)", "ExpBackward"),
    ("ExpBackward", "MeanBackward"),
    ("SumBackward", "AddBackward"),
    ("MeanBackward", "AddBackward"),
    ("AddBackward", "MulBackward\n()"),
}


def test_draw_graph_names_ops_and_leaves():
    x, w, y = _expression()
    ax = _render(plot.draw_graph(y, params={"x": x, "w": w}))
    texts = [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]
    assert sorted(texts) == sorted(
        ["MulBackward\n()", "AddBackward", "SumBackward", "MeanBackward", "MulBackward",
         "ExpBackward", "x\n(3,)", "w\n(3,)"]
    )  # fmt: skip
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert len(arrows) == len(EXPECTED_EDGES)
    assert "6 ops" in ax.get_title()
    # the output sits on top, the leaves lowest (x is 4 ops away from the output)
    y_of = {t.get_text(): t.get_position()[1] for t in ax.texts if t.get_text()}
    assert y_of["MulBackward\n()"] == max(y_of.values())
    assert y_of["x\n(3,)"] == y_of["w\n(3,)"] == min(y_of.values())


def test_graph_of_edges_follow_the_data():
    x, w, y = _expression()
    nodes, edges = plot.graph_of(y, names={id(x): "x", id(w): "w"})
    assert {(nodes[i]["label"], nodes[j]["label"]) for i, j in edges} == EXPECTED_EDGES
    depth = {n["label"]: n["depth"] for n in nodes}
    assert depth["MulBackward\n()"] == 0 and depth["AddBackward"] == 1
    assert depth["x\n(3,)"] == 4  # longest path x -> Mul -> Sum -> Add -> Mul


def test_to_dot_contains_op_names_and_edges():
    x, w, y = _expression()
    dot = plot.to_dot(y, params={"x": x, "w": w})
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    labels = dict(re.findall(r'^\s*(n\d+) \[label="([^"]*)"', dot, flags=re.M))
    edges = re.findall(r"^\s*(n\d+) -> (n\d+);", dot, flags=re.M)
    found = {(labels[a].replace("\\n", "\n"), labels[b].replace("\\n", "\n")) for a, b in edges}
    assert found == EXPECTED_EDGES
    for op in ("MulBackward", "AddBackward", "SumBackward", "MeanBackward", "ExpBackward"):
        assert op in dot


def test_graph_marks_constants_and_unnamed_leaves():
    x = minidl.tensor([[1.0, 2.0]], requires_grad=True)
    c = minidl.tensor([[3.0, 4.0]])
    nodes, edges = plot.graph_of(x * c)
    assert sorted((n["label"], n["kind"]) for n in nodes) == [
        ("(1, 2)", "leaf"),
        ("MulBackward\n(1, 2)", "output"),
        ("const (1, 2)", "const"),
    ]
    assert "style=dashed" in plot.to_dot(x * c)


def test_graph_of_a_leaf_and_of_a_freed_graph():
    x = minidl.tensor([1.0], requires_grad=True)
    nodes, edges = plot.graph_of(x, params={"x": x})
    assert nodes == [{"label": "x\n(1,)", "kind": "leaf", "depth": 0}] and edges == []
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="draw the graph before calling backward"):
        plot.draw_graph(y)


def test_draw_graph_refuses_huge_graphs():
    x = minidl.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(30):
        y = y * 1.01
    with pytest.raises(ValueError, match="31 nodes .max_nodes=10."):
        plot.draw_graph(y, max_nodes=10)


def test_plot_losses_of_real_fit_histories_gd_versus_sgd():
    from minidl.data import DataLoader, TensorDataset

    minidl.manual_seed(0)
    x = minidl.randn(32, 3)
    y = minidl.tensor(x.data @ np.array([1.0, -2.0, 0.5], np.float32)).reshape(32, 1)
    histories = {}
    for name, batch in (("GD", 32), ("SGD", 1)):
        model = minidl.nn.Linear(3, 1)
        loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
        opt = GD(model.parameters(), lr=0.05) if name == "GD" else SGD(model.parameters(), lr=0.05)
        histories[name] = minidl.fit(
            model, minidl.nn.MSELoss(), opt, loader, epochs=2, progress=False
        )
    ax = _render(plot.plot_losses(histories, x="examples", log_y=True))
    assert _legend_texts(ax) == ["GD", "SGD"]
    # GD: 2 steps of 32 examples; SGD: 64 steps of 1 example; each loss is drawn at the
    # examples seen before its step, so both start with the untrained loss at 0
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 32])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), np.arange(0, 64))
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), histories["SGD"].step_loss)


def test_draw_graph_boxes_do_not_overlap_with_long_labels():
    x = minidl.tensor(np.ones((2, 3)), requires_grad=True)
    w = [minidl.tensor(np.ones((3, 3)), requires_grad=True) for _ in range(4)]
    y = (x @ w[0] + x @ w[1] + x @ w[2] + x @ w[3]).sum()
    names = {id(t): f"a_rather_long_parameter_name_{k}" for k, t in enumerate(w)}
    ax = _render(plot.draw_graph(y, names=names))
    boxes = [
        t.get_bbox_patch().get_window_extent() for t in ax.texts if t.get_bbox_patch() is not None
    ]
    assert len(boxes) == 1 + 3 + 4 + 1 + 4  # Sum (output), 3 Adds, 4 MatMuls, x, 4 weights
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            assert not a.overlaps(b), (a, b)


def test_log_y_warns_about_losses_a_log_axis_cannot_show():
    h = _history([1.0, -0.5, 0.2, 0.0], batch=1)
    with pytest.warns(UserWarning, match=r"histories\['train'\] has 2 loss\(es\) <= 0"):
        _render(plot.plot_losses(h, log_y=True))
