"""The tutorials run as tests: every notebook in tutorials/ executes top to bottom.

Fast checks read the committed notebooks (outputs present, no errors, listed in
the README).  The slow test executes each notebook afresh with nbclient and
fails on any error, on a plot without title / axis labels / legend, on a run
over its time budget, or when a text output differs from the committed one
(the story must not change on re-running).
"""

import re
import time
from pathlib import Path

import nbformat  # a dev dependency: a missing runner must fail, not skip
import pytest

TUTORIALS = Path(__file__).resolve().parent.parent / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
# The notebooks must run in under 60 s on 2 cores; the budget leaves room for a loaded CI machine.
SECONDS_PER_NOTEBOOK = 90
MAX_BYTES = 1_500_000
# A cell tagged "wall-clock" prints or plots timings; its output may differ between runs.
VARIABLE_TAG = "wall-clock"

# Run before a notebook's first cell: every figure that is rendered (inline backend or savefig)
# is checked first; problems are collected and reported by the last cell.
PLOT_CHECK = """
import matplotlib.backend_bases as _bb

_plot_problems = []


def _check_figure(fig):
    for i, ax in enumerate(fig.axes):
        if not (ax.lines or ax.collections or ax.patches or ax.images or ax.texts):
            continue  # colorbars and empty panels
        where = f"figure {fig.number} axes {i} ({ax.get_title()!r})"
        suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""  # mpl >= 3.5
        if not (ax.get_title() or suptitle):
            _plot_problems.append(f"{where}: no title")
        if ax.axison and not (ax.get_xlabel() and ax.get_ylabel()):
            _plot_problems.append(f"{where}: missing an axis label")
        series = len(ax.lines) + sum(type(c).__name__ == "PathCollection" for c in ax.collections)
        if series > 1 and ax.get_legend() is None and not fig.legends:
            _plot_problems.append(f"{where}: {series} series but no legend")


_print_figure = _bb.FigureCanvasBase.print_figure


def _checked_print_figure(self, *args, **kwargs):
    _check_figure(self.figure)
    return _print_figure(self, *args, **kwargs)


_bb.FigureCanvasBase.print_figure = _checked_print_figure
"""
PLOT_REPORT = "assert not _plot_problems, '\\n'.join(_plot_problems)"


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _text(output):
    if output.output_type == "stream":
        return output.text
    if output.output_type in ("execute_result", "display_data"):
        data = output.get("data", {})
        if "image/png" in data:
            return ""  # figures are checked by the plot hook, not compared pixel by pixel
        return data.get("text/plain", "")
    return ""


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _same_story(old, new):
    """Same text, and numbers equal up to what another BLAS or libm may change.

    Training runs amplify last-bit differences, so a printed loss or accuracy may move in its
    third digit on another platform; the words, the order and the verdicts may not.
    """
    if _NUMBER.sub("#", old) != _NUMBER.sub("#", new):
        return False
    for a, b in zip(_NUMBER.findall(old), _NUMBER.findall(new)):
        x, y = float(a), float(b)
        if abs(x - y) > 1e-4 + 2e-2 * max(abs(x), abs(y)):
            return False
    return True


def test_the_five_notebooks_are_there_in_reading_order():
    assert [p.name for p in NOTEBOOKS] == [
        "01_tensors_and_autograd.ipynb",
        "02_gradient_checking.ipynb",
        "03_losses.ipynb",
        "04_text_classifier_lstm.ipynb",
        "05_optimizers.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed_without_errors(path):
    nb = nbformat.read(str(path), as_version=4)
    cells = _code_cells(nb)
    assert cells, f"{path.name} has no code cells"
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: cells not executed once, top to bottom (execution counts {counts})"
    )
    for i, c in enumerate(cells):
        for o in c.outputs:
            assert o.output_type != "error", f"{path.name} cell {i}: {o.ename}: {o.evalue}"
            assert not (o.output_type == "stream" and o.name == "stderr"), (
                f"{path.name} cell {i} wrote to stderr: {o.text[:200]}"
            )
    images = sum("image/png" in o.get("data", {}) for c in cells for o in c.outputs)
    assert images >= 1, f"{path.name} shows no figure"
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_ends_with_exercises_listed_in_readme(path):
    nb = nbformat.read(str(path), as_version=4)
    assert nb.cells[-1].cell_type == "markdown" and "## Exercises" in nb.cells[-1].source
    readme = (TUTORIALS / "README.md").read_text(encoding="utf-8")
    assert path.name in readme, f"tutorials/README.md does not list {path.name}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_and_tells_the_committed_story(path):
    from nbclient import NotebookClient

    committed = nbformat.read(str(path), as_version=4)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PLOT_CHECK))
    nb.cells.append(nbformat.v4.new_code_cell(PLOT_REPORT))
    start = time.perf_counter()
    # raises CellExecutionError (naming the cell) on any exception, the plot report included
    NotebookClient(
        nb,
        timeout=SECONDS_PER_NOTEBOOK,
        kernel_name="python3",
        resources={"metadata": {"path": str(TUTORIALS)}},
    ).execute()
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS_PER_NOTEBOOK, f"{path.name} took {elapsed:.0f} s"

    fresh = _code_cells(nb)[1:-1]
    for i, (old, new) in enumerate(zip(_code_cells(committed), fresh)):
        if VARIABLE_TAG in old.metadata.get("tags", []):
            continue
        old_text = "".join(_text(o) for o in old.outputs)
        new_text = "".join(_text(o) for o in new.outputs)
        assert _same_story(old_text, new_text), (
            f"{path.name} cell {i} prints something else than the committed notebook "
            f"(if the change is intended, run tutorials/_build/make_{path.name[:2]}.py):\n"
            f"--- committed\n{old_text[:1500]}\n--- now\n{new_text[:1500]}"
        )
