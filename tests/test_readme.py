"""The README's promises: the three commands on its first screen, CI using exactly them,
and its Python examples running as printed."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
INSTALL = 'pip install -e ".[dev]"'


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_first_screen_gives_install_demo_and_test_commands():
    first_screen = "\n".join(README.splitlines()[:20])
    for command in (INSTALL, "python -m minidl demo", "pytest"):
        assert command in first_screen, command


def test_ci_installs_and_tests_with_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    assert INSTALL in ci
    assert re.search(r"^pytest\s*$", ci, flags=re.M), "CI must run the README's bare `pytest`"


def test_every_linked_file_exists():
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if "://" not in target:
            assert (ROOT / target).exists(), target


def _run(code):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600
    )


def test_autograd_example_prints_the_gradient_it_claims():
    (block,) = [b for b in python_blocks() if "(x * x).sum().backward()" in b]
    r = _run(block)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "tensor([2., 4., 6.])"  # d(Σ x²)/dx = 2x at x = 1, 2, 3


@pytest.mark.slow
def test_quickstart_trains_the_documents_classifier():
    (block,) = [b for b in python_blocks() if "class TextClassifier" in b]
    r = _run(block)
    assert r.returncode == 0, r.stderr
    accuracy = float(re.search(r"held-out accuracy ([\d.]+)", r.stdout).group(1))
    assert accuracy >= 0.9  # chance is 0.5 on the balanced corpus
