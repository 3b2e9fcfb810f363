"""The computation graph behind a tensor: drawn with matplotlib, or as Graphviz text.

The graph is the chain of ``grad_fn`` nodes (one per op, named like
``MulBackward``) whose inputs lead back to leaf tensors.  ``backward()``
frees it (unless ``retain_graph=True``), so draw it BEFORE calling backward.
"""

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
    nodes, edges, keep = [], [], []

    def add(obj, label, kind):
        index[id(obj)] = len(nodes)
        nodes.append({"label": label, "kind": kind, "depth": 0})
        keep.append(obj)  # hold a reference: ids stay unique while we walk

    root = tensor.grad_fn
    if root is None:
        add(tensor, _leaf_label(tensor, names), "leaf" if tensor.requires_grad else "const")
        return nodes, edges
    add(root, f"{root.name}\n{tuple(tensor.shape)}", "output")
    # newest node first is a topological order (a node is created after its inputs)
    pending = [root]
    found = {id(root): root}
    while pending:
        node = pending.pop()
        if node.inputs is None:
            raise RuntimeError(
                f"draw_graph: {node.name} was freed by backward(); draw the graph before "
                "calling backward() (or call backward(retain_graph=True))"
            )
        for inp in node.inputs:
            if isinstance(inp, Tensor) and inp.grad_fn is not None:
                if id(inp.grad_fn) not in found:
                    found[id(inp.grad_fn)] = inp.grad_fn
                    pending.append(inp.grad_fn)
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


def _layout(nodes, edges):
    """x positions row by row from the output down; each node sits near the mean
    x of the ops that use it (a one-pass barycenter heuristic against crossings)."""
    rows = {}
    for i, n in enumerate(nodes):
        rows.setdefault(n["depth"], []).append(i)
    users = {i: [] for i in range(len(nodes))}
    for i, j in edges:
        users[i].append(j)
    x = {}
    width = max(len(r) for r in rows.values())
    for d in sorted(rows):
        row = rows[d]
        row.sort(key=lambda i: sum(x[j] for j in users[i]) / len(users[i]) if users[i] else 0.0)
        for k, i in enumerate(row):
            x[i] = (k - (len(row) - 1) / 2) * max(1.0, width / len(row))
    return x, width, max(rows)


def _half_height(node):
    return 11 + 7 * node["label"].count("\n")


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
    x, width, depth = _layout(nodes, edges)
    if ax is None:
        ax = new_axes((min(2 + 1.8 * width, 20), min(1.5 + 1.2 * (depth + 1), 20)))
    for i, n in enumerate(nodes):
        box = dict(boxstyle="round,pad=0.4", fc=_COLORS[n["kind"]], ec="#555555")
        if n["kind"] == "const":
            box["linestyle"] = "--"
        y = -n["depth"]
        ax.text(x[i], y, n["label"], ha="center", va="center", bbox=box, zorder=3)
    for i, j in edges:
        ax.annotate(
            "",
            xy=(x[j], -nodes[j]["depth"]),
            xytext=(x[i], -nodes[i]["depth"]),
            # stop the arrow at the boxes: about half a box height, in points
            arrowprops=dict(
                arrowstyle="-|>",
                color="#555555",
                shrinkA=_half_height(nodes[i]),
                shrinkB=_half_height(nodes[j]),
            ),
            zorder=2,
        )
    half = max(x.values()) + 0.8
    ax.set_xlim(-half, half)
    ax.set_ylim(-depth - 0.6, 0.6)
    ax.set_axis_off()
    n_ops = sum(n["kind"] in ("op", "output") for n in nodes)
    ax.set_title(f"computation graph: {n_ops} ops, output shape {tuple(tensor.shape)}")
    return ax
