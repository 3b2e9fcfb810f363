"""Write a tutorial notebook from a list of cells, execute it, save it with its outputs.

Each ``make_0N.py`` builds its cells with :func:`md` and :func:`code` and calls
:func:`build`.  The notebook is executed top to bottom with nbclient in
``tutorials/`` (as the test suite does), so the committed outputs are exactly
what a fresh run prints.
"""

import textwrap
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TUTORIALS = Path(__file__).resolve().parent.parent


def md(text):
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())


def code(text, tags=()):
    cell = nbformat.v4.new_code_cell(textwrap.dedent(text).strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def build(name, cells, timeout=60):
    """Write ``tutorials/<name>``, execute it in place and report its size and run time."""
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    for i, cell in enumerate(cells):
        cell.id = f"c{i:02d}"  # stable ids and no timing metadata: rebuilding gives small diffs
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(TUTORIALS)}},
    ).execute()
    elapsed = time.perf_counter() - start
    path = TUTORIALS / name
    nbformat.write(nb, str(path))
    print(f"{path.name}: executed in {elapsed:.1f} s, {path.stat().st_size / 1e6:.2f} MB")
