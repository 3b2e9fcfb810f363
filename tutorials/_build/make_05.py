"""Build tutorials/05_optimizers.ipynb."""

from nb import build, code, md

cells = [
    md(r"""
    # 05 — Optimizers: gradient descent, SGD and Adam (§3.3 eqs. 2–4)

    A loss (notebook 03) and its gradient (notebooks 01–02) tell us which way is downhill. An
    **optimizer** decides how far to step, and on which data. The document (§3.3) prints three:
    gradient descent, stochastic gradient descent and Adam. This notebook

    1. puts each equation next to minidl's code for it;
    2. trains the same small network from the same initial weights with all three, and plots the
       loss per step, per training example seen and per second — three x-axes, three verdicts;
    3. sweeps the learning rate;
    4. watches the optimizers walk two classic 2-D landscapes, Rosenbrock's valley and an
       ill-conditioned bowl;
    5. compares Adam **as the document prints it** with Adam as Kingma & Ba define it, and measures
       what the missing bias correction does to the first steps.
    """),
    code("""
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads cost more than they save
    %matplotlib inline
    import inspect

    import matplotlib.pyplot as plt
    import numpy as np

    import minidl
    from minidl import nn, optim
    from minidl.data import DataLoader, TensorDataset
    from minidl.plot import ill_conditioned_quadratic, plot_losses, plot_optimizer_paths, rosenbrock

    minidl.manual_seed(0)
    plt.rcParams.update({"figure.figsize": (6, 3.5), "figure.dpi": 80})
    """),
    md(r"""
    ## 1. The equations and the code

    **Gradient descent (§3.3 eq. 2).** With parameters $\theta$, learning rate $\alpha$ and the loss
    $J$ over the *whole* training set:

    $$\theta_{t+1} = \theta_t - \alpha \nabla J(\theta_t)$$

    minidl's `GD` updates each parameter array `p.data` in place from its gradient array `g`:
    """),
    code("""
    print(inspect.getsource(optim.GD._update))
    """),
    md(r"""
    **Stochastic gradient descent (§3.3 eq. 3).** The document prints *the same formula*, and adds
    the difference in words: "each iteration computes the gradient on only **one randomly chosen
    sample**". So the code computes the same update, $\theta \leftarrow \theta - \alpha g$; what
    changes is the data each step sees, which is the `DataLoader`'s job:

        DataLoader(dataset, batch_size=len(dataset))          # GD:  the whole training set per step
        DataLoader(dataset, batch_size=1, shuffle=True)       # SGD: one random sample per step

    (`SGD` also has an optional `momentum`, which the document does not print; with the default
    `momentum=0` it is exactly eq. 3. It writes $\alpha g$ into a reusable work array and subtracts
    it, instead of allocating a fresh array for $\alpha g$ at every step: the same numbers, less
    memory traffic.)
    """),
    code("""
    print(inspect.getsource(optim.SGD._update))
    """),
    md(r"""
    **Adam (§3.3 eq. 4)**, as printed, with $g_t$ the gradient at step $t = 1, 2, \dots$ and
    $m_0 = v_0 = 0$:

    $$
    \begin{gathered}
    m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t \qquad
    v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
    m_{t+1} = \frac{m_t}{1 - \beta_1^t} \qquad
    v_{t+1} = \frac{v_t}{1 - \beta_2^t} \\
    \theta_{t+1} = \theta_t - \alpha \cdot \frac{m_t}{1 - \beta_1^t} \cdot \frac{1}{\sqrt{v_t} + \epsilon}
    \end{gathered}
    $$

    $m$ is a running average of the gradient (its direction), $v$ of its square (its scale); dividing
    one by the square root of the other gives every parameter a step of about $\alpha$, whatever the
    size of its gradient. Lines 3–4 **bias-correct** the averages: starting from 0, $m_t$ and $v_t$
    are too small in the first steps, by the factors $1 - \beta_1^t$ and $1 - \beta_2^t$. (The
    document names the corrected values "$m_{t+1}$, $v_{t+1}$"; they are not the next state, just
    temporaries — we write $\hat m_t$, $\hat v_t$.)

    But look at the last line: it divides by $\sqrt{v_t}$, **not** by the $\sqrt{\hat v_t}$ that line 4
    just defined. Kingma & Ba's Adam (and PyTorch's) use $\hat m_t / (\sqrt{\hat v_t} + \epsilon)$.
    minidl implements both: `Adam(..., correct_v=True)` (the default, Kingma & Ba) and
    `correct_v=False` (the last line exactly as printed). Section 5 measures the difference.
    """),
    code("""
    print(inspect.getsource(optim.Adam._update))
    """),
    md(r"""
    The code computes in place, in two reusable work arrays (a large parameter such as an
    embedding table would otherwise allocate several fresh arrays per step), so each equation is
    split over a few lines; the state kept between steps is only $m_t$, $v_t$ and $t$. To be sure it is eq. 4, replay the
    equations by hand in NumPy for a few steps and compare, for both readings of the last line:
    """),
    code("""
    def adam_by_hand(theta, grads, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, correct_v=True):
        m = v = np.zeros_like(theta)
        for t, g in enumerate(grads, start=1):
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
            theta = theta - lr * m_hat / ((np.sqrt(v_hat) if correct_v else np.sqrt(v)) + eps)
        return theta


    grads = [np.random.default_rng(t).standard_normal(3) for t in range(5)]
    for correct_v in (True, False):
        p = minidl.tensor(np.ones(3), dtype=minidl.float64, requires_grad=True)
        adam = optim.Adam([p], lr=0.1, correct_v=correct_v)
        for g in grads:
            p.grad = minidl.tensor(g)
            adam.step()
        expected = adam_by_hand(np.ones(3), grads, correct_v=correct_v)
        print(f"correct_v={correct_v!s:5}  minidl {p.data}   by hand {expected}   "
              f"max difference {np.abs(p.data - expected).max():.1e}")
    """),
    md(r"""
    ## 2. Three optimizers, one problem, one starting point

    The problem: 256 points $x \in \mathbb{R}^8$ and a smooth nonlinear target, learned by a small
    network (Linear 8→32, tanh, Linear 32→1) with the MSE loss of §3.3 eq. 1. To be fair, every
    optimizer starts from **the same initial weights** — we build the network once, keep its
    `state_dict()`, and load it into each copy.

    Each optimizer gets the same budget: 20 **epochs** (passes over the data).

    * `GD` sees all 256 samples per step: 20 steps (learning rate 0.3).
    * `SGD` sees one random sample per step: 5120 steps (learning rate 0.01).
    * `Adam` is usually run on **mini-batches** — here 32 samples per step: 160 steps
      (learning rate 0.01).

    `minidl.fit` runs the loop `zero_grad → loss → backward → step` and returns a `History`: the
    loss of every step (on that step's batch, before its update), the number of examples seen so
    far, and the seconds spent.
    """),
    code("""
    rng = minidl.random.generator()
    N, D = 256, 8
    X = rng.standard_normal((N, D)).astype(np.float32)
    w_true = rng.standard_normal(D).astype(np.float32)
    noise = 0.1 * rng.standard_normal(N)
    y = (np.tanh(X @ w_true / 2) + 0.5 * np.sin(2 * X[:, 0]) + noise).astype(np.float32)[:, None]
    dataset = TensorDataset(X, y)


    def make_model():
        return nn.Sequential(nn.Linear(D, 32), nn.Tanh(), nn.Linear(32, 1))


    initial_weights = make_model().state_dict()


    def full_loss(model):
        with minidl.no_grad():
            return nn.MSELoss()(model(minidl.tensor(X)), minidl.tensor(y)).item()


    def train(make_optimizer, batch_size, epochs=20, seed=1):
        \"\"\"Train a fresh copy of the network from the shared initial weights.\"\"\"
        minidl.manual_seed(seed)  # the same shuffling for every run
        model = make_model()
        model.load_state_dict(initial_weights)
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
        history = minidl.fit(model, nn.MSELoss(), make_optimizer(model.parameters()), loader,
                             epochs=epochs, progress=False)
        return history, full_loss(model)


    runs = {
        "GD (full batch, lr 0.3)": train(lambda p: optim.GD(p, lr=0.3), batch_size=N),
        "SGD (1 sample, lr 0.01)": train(lambda p: optim.SGD(p, lr=0.01), batch_size=1),
        "Adam (batches of 32, lr 0.01)": train(lambda p: optim.Adam(p, lr=0.01), batch_size=32),
    }
    histories = {name: h for name, (h, _) in runs.items()}
    start_model = make_model()
    start_model.load_state_dict(initial_weights)
    print(f"{'initial weights':30}               loss on all data       {full_loss(start_model):.4f}")
    for name, (h, final) in runs.items():
        print(f"{name:30} {len(h.step_loss):5} steps   final loss on all data {final:.4f}")
    """),
    md(r"""
    Same data, same start, same number of passes — very different results. Now the curves. SGD's
    loss is measured on one sample per step, so it jumps by orders of magnitude from step to step;
    we draw its moving average over 64 steps instead.
    """),
    code("""
    def compare(x, ax):
        plot_losses({k: v for k, v in histories.items() if not k.startswith("SGD")}, x=x, ax=ax)
        sgd = {k: v for k, v in histories.items() if k.startswith("SGD")}
        sgd = {f"{k}, mean of 64 steps": v for k, v in sgd.items()}
        plot_losses(sgd, x=x, ax=ax, smooth=64, show_raw=False)
        ax.set_yscale("log")
        ax.set_ylim(1e-2, 3)
        ax.legend(fontsize=8)


    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    compare("step", ax1)
    ax1.set_xscale("log")
    ax1.set_title("Loss per optimizer step")
    compare("examples", ax2)
    ax2.set_title("Loss per training example seen")
    plt.show()
    """),
    md(r"""
    **Per step** (left, log x-axis), GD is the best over its first ten or so steps: each of its steps
    uses the exact gradient of the whole training loss. Then it levels off near 0.12, and it only
    gets 20 steps. **Per example seen** (right) — the fair
    comparison when computing gradients is what costs — SGD and Adam are far ahead: after one
    epoch they have taken 256 and 8 steps, GD just one. This is why neural networks are trained
    on small random batches, not with eq. 2 literally.

    **Per second** is what you wait for. A step on one sample is cheap, but each step pays a fixed
    Python overhead (building the graph, calling backward, updating every parameter), so 5120
    tiny steps are not free: Adam's 160 steps on batches of 32 reach the same loss in a fraction of
    SGD's time. GD finishes first of all — after 20 steps, at a higher loss. (The plot, with a log
    time axis, depends on the machine it runs on; it is the only output in these notebooks that
    changes between runs.)
    """),
    code(
        """
    fig, ax = plt.subplots(figsize=(6, 3.8))
    compare("time", ax)
    ax.set_xscale("log")
    ax.set_title("Loss per second of training (this machine)")
    plt.show()
    """,
        tags=["wall-clock"],
    ),
    md(r"""
    ## 3. Learning-rate sweeps

    Every optimizer has a learning rate $\alpha$, and the right one depends on the optimizer. We
    retrain from the same initial weights with $\alpha$ from $10^{-4}$ to $1$ (20 epochs each) and
    record the final loss on all data. A run whose loss becomes infinite or
    NaN is stopped by `fit` (`FloatingPointError`) and marked as diverged.
    """),
    code("""
    learning_rates = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0]
    sweep_setups = {
        "GD": (lambda p, lr: optim.GD(p, lr=lr), N),
        "SGD": (lambda p, lr: optim.SGD(p, lr=lr), 1),
        "Adam": (lambda p, lr: optim.Adam(p, lr=lr), 32),
    }
    sweep = {}
    with np.errstate(over="ignore", invalid="ignore"):  # diverging runs overflow on purpose
        for name, (make, batch_size) in sweep_setups.items():
            finals = []
            for lr in learning_rates:
                try:
                    finals.append(train(lambda p: make(p, lr), batch_size)[1])
                except FloatingPointError:
                    finals.append(np.inf)
            sweep[name] = np.array(finals)

    print("lr        " + "".join(f"{lr:>9g}" for lr in learning_rates))
    for name, finals in sweep.items():
        print(f"{name:8}  " + "".join(f"{v:>9.4f}" if np.isfinite(v) else "  diverged" for v in finals))
    """),
    code("""
    fig, ax = plt.subplots()
    for k, (name, finals) in enumerate(sweep.items()):
        (line,) = ax.loglog(learning_rates, np.where(np.isfinite(finals), finals, np.nan), "o-", label=name)
        diverged = [lr for lr, v in zip(learning_rates, finals) if not np.isfinite(v)]
        ax.plot(diverged, [2.0 * 1.15**k] * len(diverged), "x", color=line.get_color(), ms=8)
    ax.axhline(2.0, color="gray", lw=0.5)
    ax.text(1.2e-4, 2.2, "x = diverged", fontsize=8)
    ax.set_ylim(None, 4)
    ax.set_title("Final loss after 20 epochs vs learning rate")
    ax.set_xlabel("learning rate α")
    ax.set_ylabel("MSE on all data")
    ax.legend()
    plt.show()
    """),
    md(r"""
    Each curve is a **U**: too small a rate and training crawls; too large and it diverges (GD
    from $\alpha = 1$, SGD already from $0.1$ — a single sample's gradient is noisy, and a big step
    in a wrong direction is not averaged away). Adam never diverges here: its step is about
    $\alpha$ per parameter whatever the gradient's size, so a large $\alpha$ only makes it wander.
    (Why the sweep stops at 1: at $\alpha = 3$ Adam still does not diverge, but where its wandering
    ends depends on the last bits of the arithmetic. Two OpenBLAS kernels for the same processor,
    which add the products inside a matrix multiplication in different orders, gave final losses
    of 0.38 and 0.52 from the same start: a table printed there would not be reproducible.)
    Its good range is wide (here about 0.01–0.1). The usual default `Adam(lr=0.001)`, the §4
    example's choice, is safe but, in a budget of 160 steps as here, too cautious: compare its
    row of the table with lr = 0.03. Comparing optimizers at a single learning rate would compare
    learning rates.

    ## 4. Paths on 2-D landscapes

    With only two parameters $(x, y)$ we can draw where each optimizer goes. Two classic tests:

    * **Rosenbrock**, $f(x, y) = (1 - x)^2 + 100 (y - x^2)^2$: a narrow curved valley; the minimum
      is at $(1, 1)$. Easy to fall into the valley, slow to follow it.
    * **An ill-conditioned quadratic**, $f(x, y) = (x^2 + 25 y^2)/2$: a bowl 25× more curved along
      $y$ than along $x$ (its contour ellipses are 5× narrower in $y$). GD is stable only for $\alpha < 2/25$ (the steep direction), and with such a
      small $\alpha$ it crawls along the flat direction.

    Here there is no data set, so there is nothing to sample: "SGD" would be exactly GD. To see
    what SGD's sampling does, we give it the true gradient **plus noise**, as a random sample's
    gradient is the full gradient plus noise. `plot_optimizer_paths` runs each optimizer with
    minidl's autograd and draws the paths over the contour lines of $f$.
    """),
    code("""
    noise_rng = np.random.default_rng(0)


    def noisy_rosenbrock(p):
        \"\"\"Rosenbrock plus a random linear term: its gradient is the true one plus N(0, 10²) noise.\"\"\"
        return rosenbrock(p) + (minidl.tensor(noise_rng.normal(0, 10, 2)) * p).sum()


    start, steps = (-1.5, 2.0), 2000
    rosenbrock_runs = {
        "GD (lr 1e-3)": lambda p: optim.GD(p, lr=1e-3),
        "Adam (lr 0.05)": lambda p: optim.Adam(p, lr=0.05),
    }
    fig, ax = plt.subplots(figsize=(6.5, 5))
    plot_optimizer_paths(rosenbrock, rosenbrock_runs, start, steps, ax=ax)
    paths = minidl.plot.optimizer_paths(rosenbrock, rosenbrock_runs, start, steps)
    paths["SGD (lr 1e-3, noisy gradient)"] = minidl.plot.optimizer_paths(
        noisy_rosenbrock, {"SGD": lambda p: optim.SGD(p, lr=1e-3)}, start, steps
    )["SGD"]
    ax.plot(*paths["SGD (lr 1e-3, noisy gradient)"].T, lw=0.7, alpha=0.8, label="SGD (lr 1e-3, noisy gradient)")
    for line in list(ax.lines):
        if line.get_label() in paths:  # a square where each run ends
            ax.plot(*paths[line.get_label()][-1], "s", ms=9, mec="black", color=line.get_color())
    ax.set_title(f"Rosenbrock: {steps} steps from (-1.5, 2); squares = where each run ends")
    ax.legend(fontsize=8, loc="lower right")
    plt.show()
    for name, path in paths.items():
        x_end, y_end = path[-1]
        print(f"{name:30} ends at ({x_end:6.3f}, {y_end:6.3f}),  f = {rosenbrock(path[-1]):.2e}")
    """),
    md(r"""
    GD falls into the valley within a few steps — and then crawls along its floor, where the
    gradient is tiny: it needs about 1000 steps to cover half the valley, and after 2000 it is
    still at about $(0.56, 0.31)$, with $f \approx 0.2$. Adam's steps do not
    shrink with the gradient (it divides by the gradient's own scale), so it follows the valley
    all the way. SGD takes GD's route but jitters around it, and keeps jittering, because the noise
    does not shrink when the gradient does (which is why SGD's learning rate is often lowered
    during training).

    The ill-conditioned bowl shows the conditioning problem. Both GD runs use a learning rate
    near the stability limit $2/25 = 0.08$: one just below, one just above.
    """),
    code("""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_optimizer_paths(ill_conditioned_quadratic, {
        "GD (lr 0.07 < 2/25)": lambda p: optim.GD(p, lr=0.07),
        "Adam (lr 0.1)": lambda p: optim.Adam(p, lr=0.1),
    }, (-2.5, 1.5), steps=40, ax=ax1)
    ax1.set_title("(x² + 25y²)/2: 40 steps")
    plot_optimizer_paths(ill_conditioned_quadratic, {
        "GD (lr 0.085 > 2/25)": lambda p: optim.GD(p, lr=0.085),
    }, (-2.5, 1.5), steps=12, ax=ax2, bounds=((-3, 3), (-7, 7)))
    ax2.set_title("(x² + 25y²)/2: 12 steps just above the limit")
    plt.show()
    """),
    md(r"""
    Along $y$ each GD step multiplies the distance to 0 by $1 - 25\alpha$: $-0.75$ for
    $\alpha = 0.07$ (it zig-zags but shrinks), $-1.125$ for $\alpha = 0.085$ (it zig-zags *out* and
    diverges). Along $x$ the factor is $1 - \alpha = 0.93$ — a slow crawl, forced by the steep
    direction. Adam divides each coordinate's step by its own gradient scale, so both coordinates
    move at about $\alpha$ per step: the path runs diagonally, with no zig-zag. It overshoots in
    $y$ (to about $-0.28$, from $1.5$) and, after 40 steps, slightly in $x$ too (at $0.20$): it
    circles in rather than stopping. It is not a straight line to the minimum, but the
    conditioning no longer matters.

    ## 5. Adam as printed (`correct_v=False`) against Kingma & Ba

    At the first step, $m_1 = (1-\beta_1) g$ and $v_1 = (1-\beta_2) g^2$. With the corrections,
    $\hat m_1 = g$ and $\hat v_1 = g^2$, so Kingma & Ba's first step is
    $\alpha \cdot g / |g| = \alpha$ per coordinate (ignoring $\epsilon$). As printed, the last line
    divides by $\sqrt{v_1} = \sqrt{1 - \beta_2}\,|g|$ instead, so the first step is

    $$\frac{\alpha}{\sqrt{1 - \beta_2}} = \frac{\alpha}{\sqrt{0.001}} \approx 31.6\,\alpha .$$

    With a constant gradient the ratio of the two step sizes at step $t$ is $1/\sqrt{1 - \beta_2^t}$:
    31.6 at $t = 1$, 10 at $t = 10$, 3.2 at $t = 100$, 1.26 at $t = 1000$. The printed version takes
    huge steps while $v$ is "warming up" — for thousands of steps, since $\beta_2 = 0.999$. We
    measure it on $f(\theta) = 3\theta$, whose gradient is always 3:
    """),
    code("""
    def step_sizes(correct_v, steps=3000):
        theta = minidl.tensor([0.0], dtype=minidl.float64, requires_grad=True)
        opt = optim.Adam([theta], lr=1e-3, correct_v=correct_v)
        sizes = []
        for _ in range(steps):
            opt.zero_grad()
            (3 * theta).sum().backward()
            before = theta.item()
            opt.step()
            sizes.append(abs(theta.item() - before))
        return np.array(sizes)


    kingma_ba, as_printed = step_sizes(True), step_sizes(False)
    ratio = as_printed / kingma_ba
    t = np.arange(1, len(ratio) + 1)
    predicted = 1 / np.sqrt(1 - 0.999**t)
    for k in [1, 2, 10, 100, 1000, 3000]:
        print(f"step {k:5}: Kingma & Ba {kingma_ba[k - 1]:.2e}   as printed {as_printed[k - 1]:.2e}   "
              f"ratio {ratio[k - 1]:6.2f}   1/sqrt(1 - 0.999^t) = {predicted[k - 1]:6.2f}")
    """),
    code("""
    fig, ax = plt.subplots()
    ax.loglog(t, ratio, lw=3, alpha=0.5, label="measured: step as printed / step of Kingma & Ba")
    ax.loglog(t, predicted, "k--", lw=1, label="1 / sqrt(1 - β2^t)")
    ax.set_title("How much larger the printed Adam's steps are (β2 = 0.999)")
    ax.set_xlabel("step t")
    ax.set_ylabel("step-size ratio")
    ax.legend(loc="lower left")
    plt.show()
    """),
    md(r"""
    The measurement follows the formula exactly: $\sqrt{1 - \beta_2^t}$ is precisely the factor that
    $\hat v$'s correction would have removed. On the quadratic bowl from section 4 this is
    dramatic — the printed version's first step jumps about $31.6 \times 0.1 = 3.16$ along each
    axis, right across the bowl:
    """),
    code("""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    plot_optimizer_paths(ill_conditioned_quadratic, {
        "Adam, Kingma & Ba (correct_v=True)": lambda p: optim.Adam(p, lr=0.1),
        "Adam as printed (correct_v=False)": lambda p: optim.Adam(p, lr=0.1, correct_v=False),
    }, (-2.5, 1.5), steps=40, ax=ax)
    ax.set_title("Adam's first steps on (x² + 25y²)/2, lr = 0.1")
    plt.show()
    paths = minidl.plot.optimizer_paths(ill_conditioned_quadratic, {
        "K&B": lambda p: optim.Adam(p, lr=0.1),
        "printed": lambda p: optim.Adam(p, lr=0.1, correct_v=False),
    }, (-2.5, 1.5), 1)
    for name, path in paths.items():
        print(f"{name:8} first step: {path[1] - path[0]}")
    """),
    md(r"""
    On the network of section 2, with the same initial weights, mini-batches and learning rate
    (0.01), the oversized early steps show up as a **spike** in the loss at the start of training;
    the printed version then needs a few dozen steps to catch up:
    """),
    code("""
    adam_runs = {
        "Adam, Kingma & Ba (correct_v=True)": train(lambda p: optim.Adam(p, lr=0.01), batch_size=32),
        "Adam as printed (correct_v=False)": train(lambda p: optim.Adam(p, lr=0.01, correct_v=False), batch_size=32),
    }
    for name, (h, final) in adam_runs.items():
        print(f"{name:36} largest loss in the first 20 steps {max(h.step_loss[:20]):6.3f}   final loss {final:.4f}")

    ax = plot_losses({name: h for name, (h, _) in adam_runs.items()}, x="step", log_y=True)
    ax.set_title("Adam with and without the bias correction of v")
    ax.figure.set_size_inches(6.5, 3.8)
    plt.show()
    """),
    md(r"""
    The bias correction of $v$ is not a detail: without it, Adam's first steps are up to 31.6×
    larger than its learning rate says, for as long as $\beta_2^t$ is not small (about 1/(1 − β2) =
    1000 steps). Kingma & Ba's version is minidl's default; `correct_v=False` is there so the
    document's formula can be run and seen.

    ## Exercises

    1. **Mini-batches between GD and SGD.** Train with `optim.SGD(p, lr=0.05)` and batch sizes
       1, 8, 64, 256 for 20 epochs each (the same 20 passes over the data). *Check:* the final loss
       on all the training data rises with the batch size, because the same examples buy fewer
       steps; `plot_losses(..., x="step", smooth=8)` shows what each step buys. Which batch size
       would you pick for a budget of examples, which for a budget of steps, and how would you
       change the learning rate for batch 256?
    2. **The stability limit.** On the ill-conditioned quadratic, predict the largest learning
       rate for which GD converges, and the number of steps to bring $x$ from $-2.5$ to $|x| < 0.01$
       at $\alpha = 0.07$. *Check:* `minidl.plot.optimizer_paths(ill_conditioned_quadratic, {...},
       (-2.5, 1.5), steps)` and look at `path[:, 0]`.
    3. **Adam's first step.** For `Adam(lr=α, betas=(0.9, β2), correct_v=False)` derive the size of
       the first step as a function of β2, then measure it with `step_sizes` for β2 = 0.99 and
       0.9999 (add a `betas` argument). *Check:* the ratio equals $1/\sqrt{1 - \beta_2}$ (10 and 100).
    4. **Momentum.** Add `optim.SGD(p, lr=0.002, momentum=0.9)` to the Rosenbrock plot. *Check:*
       after 1000 steps its final point, `path[-1]`, is within 1e-4 of (1, 1), where GD has not
       covered half the valley. Explain with the velocity $v \leftarrow \mu v + g$: along the
       valley floor the small gradients add up.
    """),
]

if __name__ == "__main__":
    build("05_optimizers.ipynb", cells)
