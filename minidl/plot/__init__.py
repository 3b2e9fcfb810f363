"""Plots for studying training (matplotlib; imported only when used).

- :func:`plot_losses`: loss curves of several runs (per step, per example, per second);
- :func:`plot_optimizer_paths`: optimizers walking 2-D test functions
  (:func:`rosenbrock`, :func:`beale`, :func:`ill_conditioned_quadratic`);
- :func:`draw_graph` / :func:`to_dot`: the computation graph behind a tensor.

Library code never calls ``plt.show()``: in a notebook figures appear by
themselves; in a script call ``matplotlib.pyplot.show()`` or ``savefig``.
"""

from minidl.plot.curves import plot_losses, smooth_curve
from minidl.plot.graph import draw_graph, graph_of, to_dot
from minidl.plot.paths import (
    beale,
    ill_conditioned_quadratic,
    optimizer_paths,
    plot_optimizer_paths,
    rosenbrock,
)

__all__ = [
    "plot_losses",
    "smooth_curve",
    "plot_optimizer_paths",
    "optimizer_paths",
    "rosenbrock",
    "beale",
    "ill_conditioned_quadratic",
    "draw_graph",
    "to_dot",
    "graph_of",
]
