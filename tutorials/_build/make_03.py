"""Build tutorials/03_losses.ipynb."""

from nb import build, code, md

cells = [
    md(r"""
    # 03 — Losses: mean squared error and cross-entropy

    A **loss** turns "how wrong is the model" into one number; training (§3.2 step 4) lowers it by
    following its gradient. The document names two losses (§3.1): the **mean squared error** for
    predicting numbers (regression) and **cross-entropy** for predicting classes. This notebook:

    1. writes the document's MSE formula (§3.3 eq. 1) by hand and fits a line with it, by
       gradient descent (§3.3 eq. 2);
    2. builds cross-entropy from softmax and derives its gradient, **softmax − one-hot**, checked
       against finite differences (notebook 02);
    3. shows why the formula as written overflows, and how the **log-sum-exp** trick fixes it.
    """),
    code("""
    %matplotlib inline
    import matplotlib.pyplot as plt
    import numpy as np

    import minidl
    from minidl import nn

    minidl.manual_seed(0)
    plt.rcParams.update({"figure.figsize": (6, 3.5), "figure.dpi": 80})
    """),
    md(r"""
    ## 1. Mean squared error (§3.3 eq. 1)

    The document defines

    $$MSE = \frac{1}{n} \sum_{i=1}^{n} (y_i - \hat{y_i})^2$$

    where $n$ is the number of samples, $y_i$ the true value and $\hat y_i$ the model's prediction.
    Squaring makes every error count positively and big errors count a lot.

    Our data: 50 points on the line $y = 3x - 1$, plus noise. The model is a line too,
    $\hat y = w x + b$, starting from $w = b = 0$. We want the $w, b$ with the smallest MSE.
    """),
    code("""
    rng = minidl.random.generator()  # minidl's one seeded generator
    n = 50
    x_np = rng.uniform(-1, 1, n).astype(np.float32)
    y_np = (3 * x_np - 1 + 0.3 * rng.standard_normal(n)).astype(np.float32)
    x, y = minidl.tensor(x_np), minidl.tensor(y_np)

    w = minidl.tensor(0.0, requires_grad=True)
    b = minidl.tensor(0.0, requires_grad=True)
    y_hat = w * x + b
    mse_by_hand = ((y - y_hat) ** 2).sum() / n  # eq. 1, literally
    print(f"MSE, eq. 1 by hand: {mse_by_hand.item():.6f}")
    print(f"nn.MSELoss():       {nn.MSELoss()(y_hat, y).item():.6f}")
    print(f"NumPy, as a check:  {np.mean(y_np**2):.6f}")
    """),
    md(r"""
    All three agree (at $w = b = 0$ the prediction is 0, so the MSE is the mean of $y^2$).

    **Its gradient.** By the chain rule (notebook 01), with $r_i = \hat y_i - y_i$:

    $$\frac{\partial MSE}{\partial \hat y_i} = \frac{2}{n} r_i,\qquad
      \frac{\partial MSE}{\partial w} = \frac{2}{n}\sum_i r_i x_i,\qquad
      \frac{\partial MSE}{\partial b} = \frac{2}{n}\sum_i r_i .$$
    """),
    code("""
    loss = nn.MSELoss()(y_hat, y)
    loss.backward()
    r = 0 * x_np + 0 - y_np  # residuals at w = b = 0
    print(f"dMSE/dw: backward {w.grad.item():.6f}   formula {2 / n * np.sum(r * x_np):.6f}")
    print(f"dMSE/db: backward {b.grad.item():.6f}   formula {2 / n * np.sum(r):.6f}")
    """),
    md(r"""
    **Fitting the line.** Gradient descent (§3.3 eq. 2) repeats
    $\theta_{t+1} = \theta_t - \alpha \nabla J(\theta_t)$: step downhill, by a learning rate
    $\alpha$ times the gradient, computed here on all 50 points. `minidl.optim.GD` performs the
    update; the loop is the one every training in these notebooks uses:
    `zero_grad → loss → backward → step`.
    """),
    code("""
    w = minidl.tensor(0.0, requires_grad=True)
    b = minidl.tensor(0.0, requires_grad=True)
    optimizer = minidl.optim.GD([w, b], lr=0.2)
    loss_fn = nn.MSELoss()
    losses = []
    for step in range(100):
        optimizer.zero_grad()
        loss = loss_fn(w * x + b, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    print(f"after 100 steps: w = {w.item():.4f}, b = {b.item():.4f}, MSE = {losses[-1]:.5f}")

    # The exact minimiser (least squares), for comparison: solve for [w, b] directly.
    A = np.stack([x_np, np.ones(n, np.float32)], axis=1).astype(np.float64)
    w_best, b_best = np.linalg.lstsq(A, y_np.astype(np.float64), rcond=None)[0]
    best_mse = np.mean((A @ [w_best, b_best] - y_np) ** 2)
    print(f"least squares:   w = {w_best:.4f}, b = {b_best:.4f}, MSE = {best_mse:.5f}")
    """),
    md(r"""
    Gradient descent lands on the least-squares answer, which is close to the true $w = 3$,
    $b = -1$ (the noise keeps it from being exact). The MSE levels off near the noise variance,
    $0.3^2 = 0.09$; on the training data it even dips slightly below it (0.0894 here), because
    the fitted line absorbs part of the noise: the expected value is $0.09 \cdot (n-2)/n$ for
    $n = 50$ points and 2 parameters. On the left, the loss per step; on the right, the fitted line:
    """),
    code("""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.semilogy(losses, label="gradient descent")
    ax1.axhline(best_mse, color="gray", ls="--", label="least-squares minimum")
    ax1.set_title("MSE during training")
    ax1.set_xlabel("step")
    ax1.set_ylabel("MSE (log scale)")
    ax1.legend()
    grid = np.linspace(-1, 1, 2)
    ax2.scatter(x_np, y_np, s=12, label="data")
    ax2.plot(grid, w.item() * grid + b.item(), color="tab:red", label=f"fit: {w.item():.2f}x {b.item():+.2f}")
    ax2.plot(grid, 3 * grid - 1, "--", color="gray", label="truth: 3x - 1")
    ax2.set_title("The fitted line")
    ax2.set_xlabel("x")
    ax2.set_ylabel("y")
    ax2.legend()
    plt.show()
    """),
    md(r"""
    ## 2. Cross-entropy for classes

    For classification the model outputs one score per class, the **logits** $z_1, \dots, z_C$
    (any real numbers). **Softmax** turns them into probabilities:

    $$p_c = \frac{e^{z_c}}{\sum_{k=1}^{C} e^{z_k}} .$$

    The cross-entropy loss of a sample whose true class is $t$ is the negative log-probability the
    model gave to it, $\ell = -\log p_t$: 0 when the model is sure and right, large when it is sure
    and wrong. Averaged over a batch of $N$ samples it is what `nn.CrossEntropyLoss` computes
    (it takes the logits and the integer class, not probabilities).
    """),
    code("""
    logits = minidl.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]], requires_grad=True)
    target = minidl.tensor([0, 2])  # class indices (int64)

    p = np.exp(logits.data) / np.exp(logits.data).sum(axis=1, keepdims=True)
    by_hand = -np.log(p[[0, 1], [0, 2]]).mean()
    print("softmax probabilities:\\n", p.round(4))
    print(f"cross-entropy by hand:  {by_hand:.6f}")
    loss = nn.CrossEntropyLoss()(logits, target)
    print(f"nn.CrossEntropyLoss():  {loss.item():.6f}")
    """),
    md(r"""
    The first sample puts 66% on its true class 0: a small loss, $-\log 0.66 \approx 0.42$. The
    second puts under 3% on its true class 2: $-\log 0.026 \approx 3.65$. The mean is about 2.04.

    **The gradient is softmax − one-hot.** Write $\ell = -z_t + \log \sum_k e^{z_k}$. Differentiating,

    $$\frac{\partial \ell}{\partial z_c} = -[c = t] + \frac{e^{z_c}}{\sum_k e^{z_k}} = p_c - y_c ,$$

    where $y$ is the **one-hot** vector of the target (1 at $t$, 0 elsewhere). For the mean over
    $N$ samples, divide by $N$. It reads well: push up the true class by $1 - p_t$, push down
    every other class by its probability. Let us verify it three ways — formula, backward,
    and central differences (`minidl.numerical_grad`, in float64):
    """),
    code("""
    loss.backward()
    one_hot = np.eye(3)[target.data]
    formula = (p - one_hot) / 2  # N = 2 samples
    (numeric,) = minidl.numerical_grad(lambda z: nn.functional.cross_entropy(z, target), (logits,))
    print("softmax - one-hot, / N:\\n", formula.round(5))
    print("backward:\\n", logits.grad.data.round(5))
    print(f"max |backward - central differences| = {np.abs(logits.grad.data - numeric).max():.1e}")
    print("each row sums to", logits.grad.data.sum(axis=1).round(7), "(probabilities and one-hot both sum to 1)")
    """),
    md(r"""
    The three agree to float32 precision (the backward ran in float32; the central differences in
    float64). `minidl.gradcheck` runs the same comparison in float64 with strict tolerances:
    """),
    code("""
    z64 = minidl.randn(4, 5, dtype=minidl.float64, requires_grad=True)
    t4 = minidl.tensor([0, 3, 4, 1])
    print("gradcheck(cross_entropy):", minidl.gradcheck(lambda z: nn.functional.cross_entropy(z, t4), (z64,)))
    """),
    md(r"""
    ## 3. Why the naive formula overflows

    Softmax as written computes $e^{z}$. In float32 the largest number is about $3.4\cdot10^{38}$,
    so $e^{z}$ is `inf` for any $z > 88.7$; and $e^{z}$ rounds to 0 for $z < -103$. Logits that
    large are common in a network that has become confident (or whose learning rate is too big).

    The fix is an identity. For any constant $m$,

    $$\log \sum_k e^{z_k} = m + \log \sum_k e^{z_k - m} ,$$

    and choosing $m = \max_k z_k$ makes every exponent $\le 0$ (no overflow) with at least one
    term equal to $e^0 = 1$ (the sum is never 0, so its log is finite). This is **log-sum-exp**,
    and then $\ell = \log\sum_k e^{z_k} - z_t$ needs no $\log$ of a possibly-zero probability.
    """),
    code("""
    def naive_cross_entropy(z, t):
        p = np.exp(z) / np.exp(z).sum()
        return -np.log(p[t])


    def stable_cross_entropy(z, t):
        m = z.max()
        return m + np.log(np.exp(z - m).sum()) - z[t]


    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for z in ([2.0, 1.0, 0.1], [100.0, 0.0, -5.0], [0.0, 120.0, 0.0]):
            z32 = np.array(z, dtype=np.float32)
            ce = nn.functional.cross_entropy(minidl.tensor([z]), minidl.tensor([0])).item()
            print(f"logits {str(z):18}  naive {naive_cross_entropy(z32, 0):>8.4f}   "
                  f"log-sum-exp {stable_cross_entropy(z32, 0):>9.4f}   minidl {ce:>9.4f}")
    """),
    md(r"""
    With small logits all three agree. With a logit of 100 the naive formula computes
    $e^{100} = \infty$ and $\infty/\infty$ = `nan`. With the true class 120 below the best one,
    $e^{120}$ overflows the denominator, its probability computes as $1/\infty = 0$ and
    $-\log 0 = \infty$ — while the true loss is a perfectly finite 120. minidl's cross-entropy (and `minidl.log_softmax`, `minidl.logsumexp`)
    use the shifted form.

    Sweeping the gap between the two logits of a 2-class problem makes the breakdown visible:
    the naive curve stops near 88.7 (the last grid point before it is 88.5), exactly where
    $e^{z}$ leaves float32.
    """),
    code("""
    gaps = np.linspace(0, 150, 301).astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        naive = np.array([naive_cross_entropy(np.array([0, g], np.float32), 0) for g in gaps])
    stable = np.array([stable_cross_entropy(np.array([0, g], np.float32), 0) for g in gaps])
    print("naive formula finite up to a gap of", gaps[np.isfinite(naive)].max())

    fig, ax = plt.subplots()
    ax.plot(gaps, stable, lw=4, alpha=0.4, label="log-sum-exp")
    ax.plot(gaps, np.where(np.isfinite(naive), naive, np.nan), color="tab:red", label="naive softmax, then -log")
    ax.axvline(np.log(np.finfo(np.float32).max), color="gray", ls=":", label="log(float32 max) = 88.7")
    ax.set_title("Cross-entropy of logits [0, gap], true class 0 (float32)")
    ax.set_xlabel("gap between the wrong and the true logit")
    ax.set_ylabel("loss")
    ax.legend()
    plt.show()
    """),
    md(r"""
    For two classes the loss is $\log(1 + e^{\text{gap}})$ — the softplus of notebook 01, which
    needed the same care. The lesson generalises: whenever a formula exponentiates, look for the
    shift that keeps the exponent $\le 0$.

    ## Exercises

    1. **The MSE gradient.** Starting from eq. 1, derive $\partial MSE/\partial w$ for
       $\hat y = wx + b$ at $w = 1,\ b = 0$ on the data above. *Check:* set `w`, `b` to those values,
       call `nn.MSELoss()(w * x + b, y).backward()` and compare with `w.grad`.
    2. **MSE as a Function.** Write `class MyMSE(minidl.Function)` whose backward returns
       `grad` $\cdot \frac{2}{n}(\hat y - y)$ and its negative (multiply by the upstream `grad`
       even though the loss is a scalar: gradcheck weights it with a random number). *Check:*
       `minidl.gradcheck(MyMSE.apply, (pred, target))` with two float64 tensors of shape (5,)
       that both require grad.
    3. **Learning rate.** Refit the line with `lr=0.9` and with `lr=1.1`. One converges, one
       diverges. Predict which: gradient descent on a quadratic diverges when $\alpha$ exceeds
       $2/\lambda_{\max}$, where $\lambda_{\max}$ is the largest eigenvalue of the MSE's Hessian
       $\begin{pmatrix} \frac{2}{n}\sum x_i^2 & \frac{2}{n}\sum x_i \\ \frac{2}{n}\sum x_i & 2 \end{pmatrix}$.
       *Check:* `np.linalg.eigvalsh` of that matrix, then the two loss curves.
    4. **Stable log-softmax.** Implement `log_softmax(z)` in NumPy with the max shift. *Check:*
       `np.allclose(your(z), minidl.log_softmax(minidl.tensor(z), dim=-1).data)` for
       `z = 1000 * np.random.randn(4, 6)` and no `nan` anywhere.
    """),
]

if __name__ == "__main__":
    build("03_losses.ipynb", cells)
