"""Optimizer paths on 2-D test functions: how GD, SGD and Adam walk a landscape.

Each test function takes ``xy`` — a minidl Tensor of shape (2,) (then the
result is a scalar Tensor that can be backpropagated) or a NumPy array of
shape (2, ...) (a grid, for contours) — and carries ``minimum`` (its
minimizer) and ``bounds`` (a good plotting window) as attributes.
"""

import numpy as np

from minidl.creation import tensor
from minidl.plot.curves import new_axes

__all__ = [
    "rosenbrock",
    "beale",
    "ill_conditioned_quadratic",
    "optimizer_paths",
    "plot_optimizer_paths",
]


def rosenbrock(xy):
    """f(x, y) = (1 − x)² + 100 (y − x²)²; minimum 0 at (1, 1), at the end of a
    narrow curved valley (easy to find, slow to follow)."""
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


rosenbrock.minimum = (1.0, 1.0)
rosenbrock.bounds = ((-2.0, 2.0), (-1.0, 3.0))


def beale(xy):
    """f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²;
    minimum 0 at (3, 0.5), flat plateaus and steep walls."""
    x, y = xy[0], xy[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


beale.minimum = (3.0, 0.5)
beale.bounds = ((-4.5, 4.5), (-4.5, 4.5))


def ill_conditioned_quadratic(xy):
    """f(x, y) = (x² + 25 y²) / 2; minimum 0 at (0, 0).

    The Hessian diag(1, 25) has condition number 25: gradient descent must take
    α < 2/25 to stay stable along y, which makes it crawl along x (it needs on
    the order of 25 steps per e-fold), while Adam rescales each coordinate.
    """
    x, y = xy[0], xy[1]
    return (x**2 + 25 * y**2) / 2


ill_conditioned_quadratic.minimum = (0.0, 0.0)
ill_conditioned_quadratic.bounds = ((-3.0, 3.0), (-2.0, 2.0))


def optimizer_paths(fn, optimizers, start, steps):
    """Run each optimizer from ``start`` for ``steps`` steps on ``fn``; return the paths.

    ``optimizers``: ``{label: make}`` where ``make([p])`` builds an optimizer
    for the one parameter p, a float64 Tensor (2,) — e.g.
    ``lambda ps: minidl.optim.SGD(ps, lr=1e-3)``.  Each step is
    ``zero_grad(); fn(p).backward(); step()`` with the gradient from minidl's
    autograd.  Returns ``{label: ndarray (k + 1, 2)}``: the start, then p after
    each step; a run whose p or f(p) becomes NaN/inf stops there (k < steps).
    """
    start = np.asarray(start, dtype=np.float64)
    if start.shape != (2,):
        raise ValueError(
            f"optimizer_paths: start must be 2 numbers (x, y), got shape {start.shape}"
        )
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"optimizer_paths: steps must be an int >= 0, got {steps!r}")
    if not isinstance(optimizers, dict) or not optimizers:
        raise ValueError("optimizer_paths: expected a non-empty dict {label: make_optimizer}")
    paths = {}
    for name, make in optimizers.items():
        p = tensor(start, dtype=np.float64, requires_grad=True)
        points = [start.copy()]
        # a diverging run overflows on its way to inf; it is detected and cut below
        with np.errstate(over="ignore", invalid="ignore"):
            points += _walk(fn, p, make([p]), int(steps))
        paths[name] = np.array(points)
    return paths


def _walk(fn, p, opt, steps):
    """p after each of ``steps`` optimizer steps on fn, stopping at the first NaN/inf."""
    points = []
    for _ in range(steps):
        opt.zero_grad()
        loss = fn(p)
        if loss.shape not in ((), (1,)):
            raise ValueError(f"optimizer_paths: fn must return a scalar, got shape {loss.shape}")
        if not np.isfinite(loss.item()):
            break
        loss.backward()
        opt.step()
        if not np.all(np.isfinite(p.data)):
            break
        points.append(p.data.copy())
    return points


def _levels(z, n):
    # log-spaced above the minimum: the valleys of Rosenbrock/Beale span many decades
    d = z - z.min()
    positive = d[d > 0]
    if positive.size == 0:
        return n
    low = max(positive.min(), d.max() * 1e-6)
    return z.min() + np.geomspace(low, d.max(), n)


def plot_optimizer_paths(fn, optimizers, start, steps, ax=None, levels=30, bounds=None):
    """Contours of ``fn`` and one path per optimizer (see :func:`optimizer_paths`).

    ``levels``: an int n (n contour levels, log-spaced above the grid's
    minimum) or explicit level values.  ``bounds``: ``((xmin, xmax), (ymin,
    ymax))``, default ``fn.bounds`` if present, else the paths' extent.  The
    start (black dot) and ``fn.minimum`` (star), if present, are marked; a run
    that diverged is labelled "(diverged)".  Returns the Axes.
    """
    paths = optimizer_paths(fn, optimizers, start, steps)
    if bounds is None:
        bounds = getattr(fn, "bounds", None)
    if bounds is None:
        pts = np.concatenate(list(paths.values()))
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = np.maximum(0.2 * (hi - lo), 0.5)
        bounds = ((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))
    (x0, x1), (y0, y1) = bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    z = np.asarray(fn(np.stack([gx, gy])), dtype=np.float64)
    if ax is None:
        ax = new_axes((6.5, 5.5))
    if isinstance(levels, (int, np.integer)):
        levels = _levels(z, int(levels))
    ax.contour(gx, gy, z, levels=levels, cmap="viridis", linewidths=0.7, alpha=0.8)
    for name, path in paths.items():
        label = str(name) + (" (diverged)" if len(path) < steps + 1 else "")
        ax.plot(path[:, 0], path[:, 1], marker=".", markersize=3, linewidth=1.3, label=label)
    sx, sy = np.asarray(start, dtype=np.float64)
    ax.plot(sx, sy, "ko", label="start")
    if getattr(fn, "minimum", None) is not None:
        ax.plot(*fn.minimum, "r*", markersize=12, label="minimum", zorder=5)  # above end markers
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"{getattr(fn, '__name__', 'f')}: {steps} steps from ({sx:g}, {sy:g})")
    ax.legend(loc="best", fontsize="small")
    return ax
