"""Loss curves from ``fit``'s :class:`~minidl.History`, to compare optimizers."""

import warnings

import numpy as np

__all__ = ["plot_losses", "smooth_curve"]

_X_AXES = {
    "step": (None, "optimizer step"),
    "examples": ("step_examples", "training examples seen"),
    "time": ("step_time", "training time (s)"),
}


def new_axes(figsize):
    """A fresh Axes on a pyplot figure (shown inline in notebooks; never ``plt.show()``)."""
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def smooth_curve(values, smooth):
    """Smooth a loss curve.

    ``smooth`` an int k >= 1: trailing moving average over the last k values,
    s_t = mean(x_{max(1, t-k+1)}, ..., x_t) (fewer at the start, so s_1 = x_1);
    a float β in (0, 1): exponential moving average s_1 = x_1,
    s_t = β s_{t-1} + (1 - β) x_t (larger β, smoother);  None: unchanged.
    """
    x = np.asarray(values, dtype=np.float64)
    if smooth is None or x.size == 0:
        return x
    if isinstance(smooth, (int, np.integer)) and not isinstance(smooth, bool) and smooth >= 1:
        c = np.concatenate([[0.0], np.cumsum(x)])
        t = np.arange(1, x.size + 1)
        start = np.maximum(t - int(smooth), 0)
        return (c[t] - c[start]) / (t - start)
    if isinstance(smooth, float) and 0 < smooth < 1:
        s = np.empty_like(x)
        s[0] = x[0]
        for t in range(1, x.size):
            s[t] = smooth * s[t - 1] + (1 - smooth) * x[t]
        return s
    raise ValueError(
        f"smooth: expected None, a window size (int >= 1) or an EMA factor in (0, 1), "
        f"got {smooth!r}"
    )


def _series(name, h, x):
    attr = _X_AXES[x][0]
    for needed in ("step_loss", attr or "step_loss"):
        if not hasattr(h, needed):
            raise TypeError(
                f"plot_losses: histories[{name!r}] is a {type(h).__name__} without {needed!r} "
                "(expected a minidl.History, as returned by fit)"
            )
    loss = np.asarray(h.step_loss, dtype=np.float64)
    xs = np.arange(1, loss.size + 1) if attr is None else getattr(h, attr)
    xs = np.asarray(xs, dtype=np.float64)
    if loss.size == 0:
        raise ValueError(f"plot_losses: histories[{name!r}] has no steps recorded")
    if xs.shape != loss.shape:
        raise ValueError(
            f"plot_losses: histories[{name!r}] has {loss.size} step losses but {xs.size} "
            f"values for x={x!r}"
        )
    if attr is not None:
        # step k's loss is measured before its update, by a model trained on the examples
        # (and for the time) of steps 1 .. k-1: the totals *before* step k, 0 for the first
        xs = np.concatenate([[0.0], xs[:-1]])
    return xs, loss


def plot_losses(histories, x="step", smooth=None, log_y=False, ax=None, show_raw=True):
    """One training-loss curve per optimizer (or run), to compare them.

    ``histories``: ``{label: History}`` (anything with ``step_loss``,
    ``step_examples``, ``step_time``; a single History is labelled "train").
    Each point is the loss of one optimizer step, computed BEFORE its update.
    ``x``: "step" (1, 2, ...), "examples" (examples seen before the step, so
    the untrained loss is at 0 — fair across batch sizes: one GD step sees the
    whole data set) or "time" (training seconds before the step).  A
    logarithmic x-axis cannot place the point at 0: matplotlib draws it at the
    axis's left edge.  ``smooth``: see :func:`smooth_curve`;
    when smoothing, the raw curve is drawn faintly behind (``show_raw``).
    ``log_y`` uses a logarithmic loss axis.  Returns the Axes.
    """
    if hasattr(histories, "step_loss"):
        histories = {"train": histories}
    if not isinstance(histories, dict) or not histories:
        raise ValueError("plot_losses: expected a non-empty dict {label: History}")
    if x not in _X_AXES:
        raise ValueError(f"plot_losses: x must be one of {list(_X_AXES)}, got {x!r}")
    series = {name: _series(name, h, x) for name, h in histories.items()}
    if ax is None:
        ax = new_axes((7, 4.5))
    for name, (xs, loss) in series.items():
        curve = smooth_curve(loss, smooth)
        (line,) = ax.plot(xs, curve, label=str(name), linewidth=1.6, zorder=2)
        if smooth is not None and show_raw:
            ax.plot(xs, loss, color=line.get_color(), alpha=0.25, linewidth=0.8, zorder=1)
    if log_y:
        for name, (_, loss) in series.items():
            if (loss <= 0).any():
                warnings.warn(
                    f"plot_losses: histories[{name!r}] has {int((loss <= 0).sum())} loss(es) "
                    f"<= 0 (smallest {loss.min():g}), which a logarithmic axis cannot show",
                    stacklevel=2,
                )
        ax.set_yscale("log")
    ax.set_xlabel(_X_AXES[x][1])
    ax.set_ylabel("loss (before the step's update)")
    ax.set_title("Training loss" + ("" if smooth is None else f" (smoothed: {smooth})"))
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax
