"""Build tutorials/02_gradient_checking.ipynb."""

from nb import build, code, md

cells = [
    md(r"""
    # 02 — Gradient checking

    In notebook 01 every operation came with a hand-written `backward`. A wrong `backward` raises
    no error: the model still trains, only badly, and nothing tells you why. This notebook shows
    the tool that catches such bugs — comparing the analytic gradient with a **numerical** one —
    and when that comparison can be trusted:

    1. finite differences, forward and **central**;
    2. the error as a function of the step $\varepsilon$, in float32 and float64: a **V shape**,
       truncation error on one side and rounding error on the other;
    3. `minidl.gradcheck` catching three deliberately wrong backwards — and one false alarm.
    """),
    code("""
    %matplotlib inline
    import matplotlib.pyplot as plt
    import numpy as np

    import minidl

    minidl.manual_seed(0)
    plt.rcParams.update({"figure.figsize": (6, 3.5), "figure.dpi": 80})
    """),
    md(r"""
    ## 1. Finite differences

    The derivative is the slope of the function over a vanishingly small step. With a small but
    finite $\varepsilon$ we get approximations:

    $$\text{forward:}\quad f'(x) \approx \frac{f(x + \varepsilon) - f(x)}{\varepsilon},\qquad
      \text{central:}\quad f'(x) \approx \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2\varepsilon}.$$

    Taylor's formula, $f(x \pm \varepsilon) = f(x) \pm \varepsilon f'(x) + \tfrac{\varepsilon^2}{2} f''(x)
    \pm \tfrac{\varepsilon^3}{6} f'''(x) + \dots$, tells us how wrong they are. The forward
    difference is off by about $\tfrac{\varepsilon}{2}|f''(x)|$. In the central difference the
    $\varepsilon^2$ terms cancel, leaving $\tfrac{\varepsilon^2}{6}|f'''(x)|$: halving $\varepsilon$
    divides the error by 4 instead of 2. This is the **truncation error**.

    Test case: $f = \sin$ at $x = 1$, where we know the answer, $\cos 1$.
    """),
    code("""
    x0 = 1.0
    exact = np.cos(x0)
    for eps in [1e-1, 1e-2, 1e-3]:
        forward = (np.sin(x0 + eps) - np.sin(x0)) / eps
        central = (np.sin(x0 + eps) - np.sin(x0 - eps)) / (2 * eps)
        print(f"eps={eps:.0e}   forward error {abs(forward - exact):.2e}   central error {abs(central - exact):.2e}")
    """),
    md(r"""
    As predicted: each 10× smaller step makes the forward error 10× smaller and the central error
    100× smaller. So why not take $\varepsilon = 10^{-15}$?

    ## 2. The V shape: truncation against rounding

    A float stores about 7 significant digits (float32) or 16 (float64); the relative spacing
    of representable numbers is the **machine epsilon** $\delta$ ($1.2\cdot10^{-7}$ and
    $2.2\cdot10^{-16}$). $f(x+\varepsilon)$ and $f(x-\varepsilon)$ are each rounded by about
    $\delta |f(x)|$, and their difference is divided by $2\varepsilon$: a **rounding error** of about
    $\delta |f(x)| / \varepsilon$, which *grows* as $\varepsilon$ shrinks. The total,

    $$\text{error}(\varepsilon) \approx \underbrace{\tfrac{\varepsilon^2}{6}|f'''(x)|}_{\text{truncation}}
      + \underbrace{\tfrac{\delta\,|f(x)|}{\varepsilon}}_{\text{rounding}},$$

    is smallest near $\varepsilon^\ast \approx \delta^{1/3}$ — about $5\cdot10^{-3}$ in float32 and
    $6\cdot10^{-6}$ in float64. We now measure the real error over 57 step sizes, evaluating
    everything in the given precision.
    """),
    code("""
    def central_error(dtype, eps):
        x = dtype(x0)
        e = dtype(eps)
        slope = (np.sin(x + e) - np.sin(x - e)) / (dtype(2) * e)
        return abs(float(slope) - exact)


    def forward_error(dtype, eps):
        x = dtype(x0)
        e = dtype(eps)
        return abs(float((np.sin(x + e) - np.sin(x)) / e) - exact)


    epsilons = np.logspace(-1, -15, 57)
    errors = {dt.__name__: np.array([central_error(dt, e) for e in epsilons]) for dt in (np.float32, np.float64)}
    for name, err in errors.items():
        best = int(np.argmin(err))
        print(f"{name}: smallest central-difference error {err[best]:.1e} at eps = {epsilons[best]:.1e}")
    """),
    code("""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for name, color in [("float32", "tab:red"), ("float64", "tab:blue")]:
        delta = np.finfo(name).eps
        ax.loglog(epsilons, np.maximum(errors[name], 1e-17), "o-", ms=3, color=color, label=f"{name}: measured")
        model = epsilons**2 / 6 * np.cos(x0) + delta * np.sin(x0) / epsilons
        ax.loglog(epsilons, model, "--", color=color, alpha=0.6, label=f"{name}: eps²/6·|f'''| + δ·|f|/eps")
    ax.set_ylim(1e-14, 1e1)
    ax.set_title("Central difference of sin at x = 1: error vs step size")
    ax.set_xlabel("step eps")
    ax.set_ylabel("|numerical - exact|")
    ax.legend(fontsize=8)
    plt.show()
    """),
    md(r"""
    Read the plot from right to left. For large steps both precisions agree and the error falls
    along the truncation line (slope 2 on a log-log plot: 10× smaller step, 100× smaller error).
    Then rounding takes over and the error *rises* again, noisily, along slope −1. At the far left,
    float32 cannot even tell $x \pm \varepsilon$ from $x$: the difference is exactly 0 and the error is the
    whole derivative, $\cos 1 \approx 0.54$. float32 hits
    bottom early, around $10^{-6}$ error: a numerical gradient in float32 is only good to a few
    digits, which cannot tell a subtle bug from round-off. float64 reaches about $10^{-12}$–$10^{-13}$.

    That is why `minidl.gradcheck` (and `minidl.numerical_grad`) copy the inputs to **float64** and
    use $\varepsilon = 10^{-6}$, near the bottom of the float64 V, whatever dtype your inputs have
    (if a float32 tensor made inside `fn` pulls its output back to float32, gradcheck refuses it).

    The forward difference has a V too, but a shallower one — its truncation error falls only
    linearly, so its best error in float64 is only around $10^{-8}$ (a lucky grid point reaches a few
    times $10^{-9}$):
    """),
    code("""
    forward64 = np.array([forward_error(np.float64, e) for e in epsilons])
    fig, ax = plt.subplots()
    ax.loglog(epsilons, np.maximum(forward64, 1e-17), "o-", ms=3, label="forward difference")
    ax.loglog(epsilons, np.maximum(errors["float64"], 1e-17), "o-", ms=3, label="central difference")
    ax.set_ylim(1e-14, 1e0)
    ax.set_title("Forward vs central difference (float64)")
    ax.set_xlabel("step eps")
    ax.set_ylabel("|numerical - exact|")
    ax.legend()
    plt.show()
    """),
    md(r"""
    ## 3. Checking a whole tensor function

    For a function of a tensor $x$ with many elements, `minidl.numerical_grad` nudges **one element
    at a time** (2 evaluations per element — slow, which is why it is a test, not a way to train).
    Compare it with backward on $f(x) = \sum \tanh(x)^2$, whose derivative is
    $2\tanh(x)\,(1 - \tanh^2 x)$:
    """),
    code("""
    x = minidl.randn(2, 3, dtype=minidl.float64, requires_grad=True)
    f = lambda t: (t.tanh() ** 2).sum()
    f(x).backward()
    (numeric,) = minidl.numerical_grad(f, (x,))
    print("backward:\\n", x.grad.data)
    print(f"largest difference from central differences: {np.abs(x.grad.data - numeric).max():.1e}")
    """),
    md(r"""
    `minidl.gradcheck(fn, inputs)` does this comparison for you for every input marked
    `requires_grad` and returns `True`, or raises `GradcheckError` naming the input, the worst
    element and both values. An element passes when
    $|\text{analytic} - \text{numeric}| \le 10^{-5} + 10^{-3}\,|\text{numeric}|$.

    One subtlety: gradcheck does not sum the output. It checks the gradient of
    $\langle w, \mathrm{fn}(x) \rangle$ for a fixed **random** $w$ (a random number when `fn`
    returns a scalar), so every output element receives a different upstream gradient, and a
    backward that forgets to multiply by `grad` fails. Remember that for bug 2 below.

    ## 4. Catching wrong backwards

    **Bug 1 — a wrong derivative.** The sigmoid $\sigma(x) = 1/(1 + e^{-x})$ has
    $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$. Here the factor $(1 - \sigma)$ is forgotten:
    """),
    code('''
    class BadSigmoid(minidl.Function):
        """y = 1 / (1 + e^-x);  dy/dx = y (1 - y)  -- but backward forgets (1 - y)"""

        @staticmethod
        def forward(ctx, x):
            y = 1 / (1 + np.exp(-x))
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y  # BUG: should be grad * y * (1 - y)


    x = minidl.randn(4, dtype=minidl.float64, requires_grad=True)
    try:
        minidl.gradcheck(BadSigmoid.apply, (x,))
    except minidl.GradcheckError as e:
        print(e)
    '''),
    md(r"""
    The message gives the worst element and both values; the analytic one is a few times too
    large, as $1/(1-\sigma)$ predicts.

    **Bug 2 — forgetting the upstream gradient.** `backward` must return *local derivative × grad*.
    This `Sin` returns only the local derivative. If you test it the obvious way, with
    `.sum().backward()`, the upstream gradient is all ones — and the bug is invisible:
    """),
    code('''
    class BadSin(minidl.Function):
        """y = sin(x);  dy/dx = cos(x)  -- but backward ignores grad"""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.sin(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return np.cos(x)  # BUG: should be grad * np.cos(x)


    x = minidl.randn(4, dtype=minidl.float64, requires_grad=True)
    BadSin.apply(x).sum().backward()
    print("summed output: backward equals cos(x)?", np.allclose(x.grad.data, np.cos(x.data)))
    x.grad = None
    print("gradcheck:", minidl.gradcheck(BadSin.apply, (x,), raise_exception=False))
    '''),
    md(r"""
    gradcheck's random weights $w$ expose it: with a non-constant upstream gradient the missing
    factor shows. Inside a network the upstream gradient is never all ones, so this bug would
    have silently corrupted training.

    **Bug 3 — one input right, the other wrong.** Ops with several inputs return one gradient
    per input. Here is $y = 2ab$ (with `b` broadcast over the rows of `a`) whose gradient for `b`
    forgets the factor 2:
    """),
    code('''
    class BadScaledMul(minidl.Function):
        """y = 2 a b;  dy/da = 2 b, dy/db = 2 a  -- but the 2 is missing for b"""

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return 2 * a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return 2 * grad * b, grad * a  # BUG: the second should be 2 * grad * a


    a = minidl.randn(3, 4, dtype=minidl.float64, requires_grad=True)
    b = minidl.randn(4, dtype=minidl.float64, requires_grad=True)  # broadcast over the rows
    try:
        minidl.gradcheck(BadScaledMul.apply, (a, b))
    except minidl.GradcheckError as e:
        print(e)
    '''),
    md(r"""
    Only input 1 (`b`) is reported: gradcheck checks each input separately, so it also tells you
    *which* of the returned gradients is wrong. Note that `b` has shape (4,) and was broadcast; the
    engine summed the (3, 4) gradient back to (4,) before the comparison (notebook 01, section 4).

    **A false alarm — kinks.** $\mathrm{relu}(x) = \max(x, 0)$ has no derivative at 0; minidl
    uses 0 there (as PyTorch does). A central difference that straddles the kink sees the average
    slope, 0.5. At such points the check is meaningless, not the backward wrong: draw test inputs
    away from kinks (or nudge them).
    """),
    code("""
    at_kink = minidl.tensor([-1.0, 0.0, 2.0], dtype=minidl.float64, requires_grad=True)
    print("relu at a kink:", minidl.gradcheck(minidl.relu, (at_kink,), raise_exception=False))
    away = minidl.tensor([-1.0, 0.3, 2.0], dtype=minidl.float64, requires_grad=True)
    print("relu away from it:", minidl.gradcheck(minidl.relu, (away,)))
    """),
    md(r"""
    Every built-in operation of minidl passes this check in its test suite; you can run them all
    yourself with `python -m minidl gradcheck`. For your own operations, make `gradcheck` the
    first test you write.

    ## Exercises

    1. **Find the bottom of the V.** Repeat section 2 for $f = \exp$ at $x = 0$. Where do you
       expect the best $\varepsilon$ in float32 and float64 (hint: $\delta^{1/3}$)? *Check:* the
       bottom of the V in your plot lies within a factor of about 10 of $\delta^{1/3}$ (the
       float32 floor is flat and noisy, so `epsilons[np.argmin(err)]` alone can land anywhere on it).
    2. **Fix the bugs.** Correct `BadSigmoid`, `BadSin` and `BadScaledMul`. *Check:*
       `minidl.gradcheck` returns `True` for each, on inputs of shapes (4,) and, for the product,
       (3, 4) with (4,).
    3. **A backward with a subtle bug.** Write `Softmax` over the last axis as a `Function` with
       $\partial L/\partial x = y \odot (g - \sum_j g_j y_j)$. Then break it by dropping the
       leading $y \odot$ (return $g - \sum_j g_j y_j$) and watch
       `minidl.gradcheck(MySoftmax.apply, (minidl.randn(3, 5, dtype=minidl.float64, requires_grad=True),))`
       fail. Why does a test that calls `.sum().backward()` not notice? (Hint: $\sum_j y_j = 1$,
       so the true gradient of the sum is 0. What does the broken backward return when $g = 1$?)
    """),
]

if __name__ == "__main__":
    build("02_gradient_checking.ipynb", cells)
