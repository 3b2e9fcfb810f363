"""The computation graph behind a tensor: drawn with matplotlib, or as Graphviz text.

The graph is the chain of ``grad_fn`` nodes (one per op, named like
``MulBackward``) whose inputs lead back to leaf tensors.  ``backward()``
frees it (unless ``retain_graph=True``), so draw it BEFORE calling backward.
"""

import numpy as np

from minidl.autograd import Node
from minidl.plot.curves import new_axes
from minidl.tensor import Tensor

__all__ = ["draw_graph", "to_dot", "graph_of"]


def _leaf_label(t, names):
    shape = tuple(t.shape)
    name = names.get(id(t))
    if name is None:
        return f"{shape}" if t.requires_grad else f"const {shape}"
    return f"{name}\n{shape}"


def graph_of(tensor, names=None, params=None):
    """The graph of ``tensor`` as ``(nodes, edges)``.

    ``nodes``: list of dicts ``{"label", "kind", "depth"}`` — kind "output",
    "op" or "leaf" ("const" for a leaf that does not require grad); depth =
    longest distance from the output (0).  ``edges``: list of ``(i, j)``, data
    flowing from node i (an input) into node j (the op using it), once per use.
    Leaves are named by ``names`` (``{id(tensor): name}``) or ``params``
    (``{name: tensor}``, e.g. ``dict(model.named_parameters())``).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"graph_of: expected a Tensor, got {type(tensor).__name__}")
    names = dict(names or {})
    names.update({id(t): n for n, t in (params or {}).items()})
    index = {}  # id(node or leaf tensor) -> position in `nodes`
    nodes, edges = [], []

    def add(obj, label, kind):
        index[id(obj)] = len(nodes)
        nodes.append({"label": label, "kind": kind, "depth": 0})

    root = tensor.grad_fn
    if root is None:
        add(tensor, _leaf_label(tensor, names), "leaf" if tensor.requires_grad else "const")
        return nodes, edges
    add(root, f"{root.name}\n{tuple(tensor.shape)}", "output")
    pending = [root]
    found = {id(root): root}
    while pending:
        node = pending.pop()
        if node.inputs is None:
            raise RuntimeError(
                f"minidl.plot: {node.name} was freed by backward(); draw the graph before "
                "calling backward() (or call backward(retain_graph=True))"
            )
        for inp in node.inputs:
            if isinstance(inp, Tensor) and inp.grad_fn is not None:
                if id(inp.grad_fn) not in found:
                    found[id(inp.grad_fn)] = inp.grad_fn
                    pending.append(inp.grad_fn)
    # newest node first is a topological order (a node is created after its inputs),
    # so every user of a node is visited before it and its depth is final when reached
    for node in sorted(found.values(), key=lambda n: n.seq, reverse=True):
        if id(node) not in index:
            add(node, node.name, "op")
        here = index[id(node)]
        for inp in node.inputs:
            if not isinstance(inp, Tensor):
                continue  # a Python number or array constant
            src = inp.grad_fn if inp.grad_fn is not None else inp
            if id(src) not in index:
                if isinstance(src, Node):
                    add(src, src.name, "op")
                else:
                    add(src, _leaf_label(src, names), "leaf" if src.requires_grad else "const")
            i = index[id(src)]
            edges.append((i, here))
            nodes[i]["depth"] = max(nodes[i]["depth"], nodes[here]["depth"] + 1)
    return nodes, edges


def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_STYLE = {
    "output": 'shape=box, style="rounded,filled", fillcolor="#f4c7a1"',
    "op": 'shape=box, style="rounded,filled", fillcolor="#dbe8f7"',
    "leaf": 'shape=ellipse, style=filled, fillcolor="#d5f0d5"',
    "const": "shape=ellipse, style=dashed",
}


def to_dot(tensor, names=None, params=None):
    """Graphviz source of the graph of ``tensor`` (render with ``dot -Tpng``; no
    Graphviz needed to produce the text).  Arrows follow the data, inputs -> op."""
    nodes, edges = graph_of(tensor, names, params)
    lines = ["digraph minidl {", "  rankdir=BT;"]
    for i, n in enumerate(nodes):
        lines.append(f"  n{i} [label={_quote(n['label'])}, {_DOT_STYLE[n['kind']]}];")
    lines += [f"  n{i} -> n{j};" for i, j in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


_COLORS = {"output": "#f4c7a1", "op": "#dbe8f7", "leaf": "#d5f0d5", "const": "#eeeeee"}


def _width(node):
    # in characters, with room for the box padding and a gap to the next box
    return max(len(line) for line in node["label"].split("\n")) + 6


def _layout(nodes, edges):
    """x of each node (in character widths), row by row from the output down.

    Each node wants to sit at the mean x of the ops that use it (a one-pass
    barycenter heuristic against crossings); a row is packed left to right
    without overlap, then shifted back so its mean stays where the nodes wanted.
    """
    rows = {}
    for i, n in enumerate(nodes):
        rows.setdefault(n["depth"], []).append(i)
    users = {i: [] for i in range(len(nodes))}
    for i, j in edges:
        users[i].append(j)
    x = {}
    for d in sorted(rows):
        want = {i: np.mean([x[j] for j in users[i]]) if users[i] else 0.0 for i in rows[d]}
        row = sorted(rows[d], key=want.get)
        prev = None
        for i in row:
            x[i] = (
                want[i]
                if prev is None
                else max(want[i], x[prev] + (_width(nodes[prev]) + _width(nodes[i])) / 2)
            )
            prev = i
        shift = np.mean([want[i] - x[i] for i in row])
        for i in row:
            x[i] += shift
    return x


def draw_graph(tensor, ax=None, names=None, params=None, max_nodes=200):
    """Draw the computation graph of ``tensor`` with matplotlib: op boxes
    (``MulBackward``, ...), leaf boxes (name and shape), arrows inputs -> op,
    the output at the top.  Draw before ``backward()``, which frees the graph.
    See :func:`graph_of` for ``names`` / ``params``.  Returns the Axes.
    """
    nodes, edges = graph_of(tensor, names, params)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {len(nodes)} nodes (max_nodes={max_nodes}); "
            "raise max_nodes or render to_dot(tensor) with Graphviz"
        )
    x = _layout(nodes, edges)
    left = min(x[i] - _width(n) / 2 for i, n in enumerate(nodes))
    right = max(x[i] + _width(n) / 2 for i, n in enumerate(nodes))
    depth = max(n["depth"] for n in nodes)
    if ax is None:
        # about 0.085 inch per character at the default 10-point font
        ax = new_axes(
            (min(max(5.0, 1 + 0.085 * (right - left)), 30), min(1.5 + 0.9 * (depth + 1), 30))
        )
    boxes = []
    for i, n in enumerate(nodes):
        box = dict(boxstyle="round,pad=0.4", fc=_COLORS[n["kind"]], ec="#555555")
        if n["kind"] == "const":
            box["linestyle"] = "--"
        text = ax.text(x[i], -n["depth"], n["label"], ha="center", va="center", bbox=box)
        boxes.append(text.get_bbox_patch())
    for i, j in edges:
        # patchA/patchB clip the arrow at the two boxes' outlines; the arrows are
        # drawn after the boxes (higher zorder), when the outlines are in place
        ax.annotate(
            "",
            xy=(x[j], -nodes[j]["depth"]),
            xytext=(x[i], -nodes[i]["depth"]),
            arrowprops=dict(arrowstyle="-|>", color="#555555", patchA=boxes[i], patchB=boxes[j]),
            zorder=4,
        )
    ax.set_xlim(left - 1, right + 1)
    ax.set_ylim(-depth - 0.6, 0.6)
    ax.set_axis_off()
    n_ops = sum(n["kind"] in ("op", "output") for n in nodes)
    ax.set_title(f"computation graph: {n_ops} ops, output shape {tuple(tensor.shape)}")
    return ax
