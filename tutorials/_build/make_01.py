"""Build tutorials/01_tensors_and_autograd.ipynb."""

from nb import build, code, md

cells = [
    md(r"""
    # 01 — Tensors and autograd

    Training a neural network (the document's §3.2, step 4) means changing its weights so that a
    **loss** gets smaller. To know *which way* to change each weight we need the derivative of the
    loss with respect to that weight: the **gradient**. minidl computes gradients automatically
    ("autograd"). This notebook opens the box:

    1. a small expression differentiated **by hand**;
    2. the same expression in minidl: the **graph** it records and the **chain rule** it runs backwards;
    3. **tensors** (arrays of numbers) and **broadcasting**, and why the gradient of a broadcast
       value must be **summed back**;
    4. your own differentiable function (softplus) with its backward, checked by `minidl.gradcheck`.

    You only need Python. Every number printed below is reproducible: re-running the notebook gives
    the same output.
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
    ## 1. A derivative by hand

    Take one input $x$ with its target $y$, and a "model" with two weights $w$ and $b$ that predicts
    $\hat y = w x + b$. How wrong it is, is measured by the squared error (the document's MSE,
    §3.3 eq. 1, for a single sample):

    $$L(w, b) = (w x + b - y)^2 .$$

    Name the intermediate values, as a computer evaluates them:

    $$z = w\,x,\qquad u = z + b,\qquad r = u - y,\qquad L = r^2 .$$

    The **chain rule** says: the derivative of a composition is the product of the derivatives
    of its steps. Starting from the end,

    $$\frac{\partial L}{\partial r} = 2r,\quad
      \frac{\partial L}{\partial u} = \frac{\partial L}{\partial r}\cdot 1,\quad
      \frac{\partial L}{\partial b} = \frac{\partial L}{\partial u}\cdot 1,\quad
      \frac{\partial L}{\partial z} = \frac{\partial L}{\partial u}\cdot 1,\quad
      \frac{\partial L}{\partial w} = \frac{\partial L}{\partial z}\cdot x .$$

    So $\partial L/\partial w = 2(wx+b-y)\,x$ and $\partial L/\partial b = 2(wx+b-y)$.
    With $x = 2,\ y = 1,\ w = 0.5,\ b = 0.25$: $r = 0.25$, $L = 0.0625$,
    $\partial L/\partial w = 2 \cdot 0.25 \cdot 2 = 1$ and $\partial L/\partial b = 0.5$.
    Let us write these numbers down in plain Python before asking minidl.
    """),
    code("""
    x, y, w, b = 2.0, 1.0, 0.5, 0.25
    r = w * x + b - y
    print("L     =", r**2)
    print("dL/dw =", 2 * r * x)
    print("dL/db =", 2 * r)
    """),
    md(r"""
    ## 2. The same expression in minidl

    A `minidl.tensor` holds numbers. `requires_grad=True` marks the values we want derivatives
    for (the weights). Every operation on such a tensor is **recorded** as it runs: the result
    remembers which operation made it (`grad_fn`) and that operation remembers its inputs
    (`next_functions`). Nothing is differentiated yet; minidl just keeps a trail.
    """),
    code("""
    x = minidl.tensor(2.0)
    y = minidl.tensor(1.0)
    w = minidl.tensor(0.5, requires_grad=True)
    b = minidl.tensor(0.25, requires_grad=True)

    z = w * x
    u = z + b
    r = u - y
    L = r**2
    print(L)
    print("L was made by", L.grad_fn, "whose inputs were made by", L.grad_fn.next_functions)
    """),
    md(r"""
    `None` in `next_functions` means "this input was not made by a recorded operation": a leaf
    such as `w`, or a constant such as `y` or the exponent 2. (PyTorch's trail looks a little
    different: its `next_functions` holds `(node, index)` pairs, a leaf that requires grad shows
    up as an `AccumulateGrad` node, constants such as the exponent get no entry, and `name()` is a
    method.) Following the trail from `L` back to the leaves gives the whole **computation graph**. Here it is as text (each line is one
    recorded operation; indentation shows what it was computed from):
    """),
    code('''
    def show_graph(node, depth=0):
        """Print a recorded operation and, indented below it, the operations that made its inputs."""
        print("    " * depth + node.name)
        for parent in node.next_functions:
            if parent is not None:
                show_graph(parent, depth + 1)


    show_graph(L.grad_fn)
    '''),
    md(r"""
    `L.backward()` walks this graph from `L` back to the leaves. Each operation multiplies the
    gradient arriving from above by its own local derivative (the `backward` of that operation)
    and passes the result down: exactly the chain of products written by hand in section 1.
    The results land in the `.grad` of the leaves. Intermediate values do not keep a gradient
    unless asked with `retain_grad()` — we ask for `u` and `r` to watch the chain rule at work.
    """),
    code("""
    u.retain_grad()
    r.retain_grad()
    L.backward()
    print("dL/dr =", r.grad, "  (2r = 0.5)")
    print("dL/du =", u.grad, "  (dL/dr * 1)")
    print("dL/dw =", w.grad, "   (dL/du * x, by hand: 1)")
    print("dL/db =", b.grad, "  (dL/du * 1, by hand: 0.5)")
    """),
    md(r"""
    The numbers match the hand computation. One more rule of the chain rule is worth seeing:
    when a value is used **twice**, the gradients from both uses **add**. For
    $b = a + a$ and $c = b + b$ we have $c = 4a$, so $dc/da$ must be 4 — not 2, and not 1.
    """),
    code("""
    a = minidl.tensor(3.0, requires_grad=True)
    b2 = a + a
    c = b2 + b2
    c.backward()
    print("dc/da =", a.grad)
    """),
    md(r"""
    Two practical details. The graph is **freed** after `backward` (its saved values are no longer
    needed), so calling `backward` again on the same `L` is an error. And gradients
    **accumulate** in `.grad`: a second graph built from the same leaves adds to what is there.
    That is why every training loop calls `optimizer.zero_grad()` before `loss.backward()`.
    """),
    code("""
    try:
        L.backward()
    except RuntimeError as e:
        print("RuntimeError:", e)

    L2 = (w * x + b - y) ** 2  # the same expression, recorded again
    L2.backward()
    print("w.grad after a second graph:", w.grad, "(1 + 1: accumulated)")
    w.grad = None
    """),
    md(r"""
    ## 3. Tensors

    Real models hold many numbers per weight: a **tensor** is an n-dimensional array (minidl stores
    a NumPy array in `.data`; in PyTorch `.data` is another tensor, and `.numpy()` gives the array). Its `shape` says how many numbers along each axis, its `dtype` how
    each number is stored; minidl's default is `float32` (4 bytes, about 7 significant digits),
    like PyTorch. Operations apply element by element, or reduce (`sum`, `mean`), or multiply
    matrices (`@`).
    """),
    code("""
    X = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    print(X, X.shape, X.dtype)
    print("X * 2      =", X * 2)
    print("X.sum(0)   =", X.sum(dim=0))
    print("X @ X.T    =", X @ X.T)
    """),
    md(r"""
    The gradient of a scalar with respect to a tensor has **the same shape as that tensor**: one
    partial derivative per element. For $s = \sum_i v_i^2$, $\partial s / \partial v_i = 2 v_i$:
    """),
    code("""
    v = minidl.tensor([1.0, -2.0, 3.0], requires_grad=True)
    s = (v * v).sum()
    s.backward()
    print("v.grad =", v.grad, " expected 2v =", 2 * v.data)
    """),
    md(r"""
    ## 4. Broadcasting, and why its gradient is summed back

    Adding a bias vector to every row of a matrix is written `X + bias`, with `X` of shape (2, 3) and
    `bias` of shape (3,). The shapes differ, so the smaller one is **broadcast**: NumPy (and minidl)
    behave as if `bias` were copied into each of the 2 rows. The rule: align shapes from the right;
    an axis of size 1 (or a missing axis) is stretched to match.
    """),
    code("""
    bias = minidl.tensor([10.0, 20.0, 30.0], requires_grad=True)
    out = X + bias
    print(out)
    """),
    md(r"""
    Each element of `bias` was **used twice** (once per row). Section 2 showed what happens to a
    value used twice: its gradients add. So the gradient of `bias` is the output's gradient
    **summed over the broadcast axis** — the rows. With `out.sum()` as the loss, each output element
    has gradient 1, and each bias element collects 1 + 1 = 2:
    """),
    code("""
    out.sum().backward()
    print("bias.grad =", bias.grad, " shape", bias.grad.shape)
    """),
    md(r"""
    Why it matters that the gradient is summed back to shape (3,), not left at the output's shape
    (2, 3): the optimizer updates `bias ← bias − α · grad`. In NumPy, subtracting a (2, 3) array
    from a (3,) array *silently broadcasts again* and the bias turns into a (2, 3) matrix — the
    model changes shape without any error. minidl sums every broadcast gradient back, in one
    place in its engine (`minidl.autograd.unbroadcast`), so no operation can forget it.
    """),
    code("""
    wrong_grad = np.ones((2, 3), dtype=np.float32)  # a gradient NOT summed back
    print("bias - 0.1 * wrong_grad has shape", (bias.data - 0.1 * wrong_grad).shape, "<- silently wrong")
    print("summed back over the rows:", minidl.autograd.unbroadcast(wrong_grad, (3,)))
    """),
    md(r"""
    The same rule covers size-1 axes. A (3, 1) column plus a (1, 4) row gives a (3, 4) table; the
    column is reused across 4 columns and the row across 3 rows, so their gradients are 4s and 3s:
    """),
    code("""
    col = minidl.ones(3, 1, requires_grad=True)
    row = minidl.ones(1, 4, requires_grad=True)
    (col + row).sum().backward()
    print("col.grad =", col.grad.data.ravel(), "shape", col.grad.shape)
    print("row.grad =", row.grad.data.ravel(), "shape", row.grad.shape)
    """),
    md(r"""
    ## 5. Your own differentiable function: softplus

    Every operation in minidl is a `Function` with two static methods that work on plain NumPy
    arrays: `forward` computes the value and saves what the derivative will need; `backward`
    receives the gradient of the loss with respect to the output (`grad`) and returns the gradient
    with respect to each input — the local derivative times `grad`, the chain rule once more.

    **Softplus** is a smooth version of ReLU:
    $$\operatorname{softplus}(x) = \log(1 + e^{x}),\qquad
      \frac{d}{dx}\operatorname{softplus}(x) = \frac{e^{x}}{1 + e^{x}} = \sigma(x) = \frac{1}{1 + e^{-x}} .$$

    Computed literally, $e^{x}$ overflows for large $x$ (above about 88 in float32), so forward uses
    `np.logaddexp(0, x)` $= \log(e^0 + e^x)$, which NumPy evaluates without overflow. Backward
    needs $\sigma(x)$; since $y = \log(1 + e^x)$, $\ \sigma(x) = e^{x}/(1 + e^{x}) = e^{x - y}$, and
    $x - y \le 0$ never overflows either. So forward saves both $x$ and $y$.
    """),
    code('''
    class Softplus(minidl.Function):
        """y = log(1 + e^x);  dy/dx = sigmoid(x)"""

        @staticmethod
        def forward(ctx, x):
            y = np.logaddexp(0, x).astype(x.dtype)
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            return grad * np.exp(x - y)  # sigmoid(x) = e^x / (1 + e^x) = e^(x - y)


    t = minidl.tensor([-100.0, -1.0, 0.0, 1.0, 100.0], requires_grad=True)
    y_sp = Softplus.apply(t)
    y_sp.sum().backward()
    print("softplus(t) =", y_sp)
    print("gradient    =", t.grad)
    '''),
    md(r"""
    What we expect: softplus(0) = log 2 ≈ 0.6931 with slope σ(0) = 0.5; far to the left the
    function and its slope are ≈ 0; far to the right softplus(x) ≈ x with slope ≈ 1. The naive
    formula fails exactly where expected — at x = 100 it overflows to `inf`:
    """),
    code("""
    with np.errstate(over="ignore"):
        print("log(1 + exp(100)) in float32:", np.log1p(np.exp(np.float32(100.0))))
    """),
    md(r"""
    A backward can be wrong in ways no error message reveals: the training just goes badly.
    `minidl.gradcheck` compares your `backward` with **finite differences** — nudging each input by a
    tiny $\varepsilon$ and watching the output move (notebook 02 explains how, and when to trust it).
    It returns `True`, or raises an error saying which element disagrees. Use float64 inputs.
    """),
    code("""
    t64 = minidl.tensor(np.linspace(-3, 3, 7), dtype=minidl.float64, requires_grad=True)
    print("gradcheck:", minidl.gradcheck(Softplus.apply, (t64,)))
    """),
    md(r"""
    Finally, a picture of softplus and its derivative. Both curves are computed with our
    `Softplus` — the derivative by `backward`, not by a formula typed twice.
    """),
    code("""
    grid = minidl.tensor(np.linspace(-5, 5, 201), requires_grad=True)
    values = Softplus.apply(grid)
    values.sum().backward()

    fig, ax = plt.subplots()
    ax.plot(grid.data, values.data, label="softplus(x)")
    ax.plot(grid.data, grid.grad.data, label="d softplus / dx  (from backward)")
    ax.plot(grid.data, np.maximum(grid.data, 0), "--", color="gray", label="relu(x)")
    ax.set_title("Softplus, a smooth ReLU, and its gradient")
    ax.set_xlabel("x")
    ax.set_ylabel("value")
    ax.legend()
    plt.show()
    """),
    md(r"""
    ## 6. The graph, drawn

    `minidl.plot.draw_graph` draws the trail that `grad_fn` records. The output is at the top,
    the leaves at the bottom (dashed boxes are constants that need no gradient); arrows point the
    way the forward pass ran, from inputs into the operation that used them. `backward` walks the
    same arrows in reverse, multiplying by each operation's local derivative. Since `backward`
    frees the graph, we rebuild the loss of section 1 and draw it *before* any backward.
    """),
    code("""
    w = minidl.tensor(0.5, requires_grad=True)
    b = minidl.tensor(0.25, requires_grad=True)
    L = (w * x + b - y) ** 2
    minidl.plot.draw_graph(L, names={id(w): "w", id(b): "b", id(x): "x", id(y): "y"})
    plt.show()
    """),
    md(r"""
    ## 7. Writing into a tensor after an op has used it

    `backward` computes $\partial L/\partial w = x$ for $L = \sum w \cdot x$ from the `x` that the
    multiplication **saved** when it ran. Overwrite `x` in place before `backward`, and that
    gradient would silently use the new values. minidl (like PyTorch) refuses instead, naming the
    operation and the input that changed:
    """),
    code("""
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    x = minidl.tensor([3.0, 4.0])
    loss = (w * x).sum()  # MulBackward keeps x: dL/dw = x
    x[0] = 10.0  # overwrite x after the op ran
    try:
        loss.backward()
    except RuntimeError as e:
        print(e)
    """),
    md(r"""
    A write that no backward depends on is fine (an addition saves nothing), and so is a write made
    *before* the operation. To keep using a value you are about to overwrite, give the operation a
    copy: `x.clone()` makes one in new memory (and passes gradients through, if `x` needs any).
    """),
    code("""
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    x = minidl.tensor([3.0, 4.0])
    loss = (w * x.clone()).sum()
    x[0] = 10.0
    loss.backward()
    print("dL/dw =", w.grad, "(the x of the forward pass, 3 and 4)")
    """),
    md(r"""
    The update you write by hand is such a write too. `w -= lr * w.grad` changes `w` in place
    (PyTorch's `sub_`): the same tensor, new values, so a model holding `w` sees them. On a weight
    (a leaf that requires grad) it is allowed only under `minidl.no_grad()`, because the update
    itself must not become part of the next graph. (Inside a forward pass, `out += residual` is
    fine in minidl: it records it as `out = out + residual`, a new tensor with the same gradients.
    In PyTorch `+=` really writes in place and can hit the error above; `out = out + residual`
    is right in both.)
    """),
    code("""
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()  # dL/dw = 2w = [2, 4]
    with minidl.no_grad():
        w -= 0.1 * w.grad  # w ← w − 0.1 · dL/dw
    print(w)
    try:
        w -= 0.1 * w.grad  # the same line, recorded
    except RuntimeError as e:
        print(e)
    """),
    md(r"""
    ## Exercises

    Each comes with a check you can run.

    1. **Chain rule by hand.** For $L = \tanh(w x + b)^2$ with $x = 2,\ w = 0.5,\ b = 0.25$, compute
       $\partial L/\partial w$ on paper (use $\tanh'(u) = 1 - \tanh^2 u$). *Check:* build `L` in minidl
       and compare with `w.grad`.
    2. **Broadcast gradients.** Predict the shape and the values of `m.grad` for
       `m = minidl.ones(2, 1, 3, requires_grad=True)` after `(m * minidl.ones(4, 1)).sum().backward()`.
       *Check:* run it.
    3. **Your own Function.** Write `Sin(minidl.Function)` (forward `np.sin(x)`, backward
       `grad * np.cos(x)`) and `Square` ($y = x^2$). *Check:*
       `minidl.gradcheck(Sin.apply, (minidl.randn(5, dtype=minidl.float64, requires_grad=True),))` returns
       `True`, and your `x.grad` equals the built-in `minidl.sin`'s (whose `Sin`, in
       `minidl/ops/elementary.py`, is written this way); break the backward on purpose (drop the
       `grad *`) and watch it fail.
    """),
]

if __name__ == "__main__":
    build("01_tensors_and_autograd.ipynb", cells)
