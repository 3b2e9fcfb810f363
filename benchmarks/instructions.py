"""Count the CPU instructions one step costs, minidl against the reference, under valgrind.

    python benchmarks/instructions.py                # W2 tiny and W3, both frameworks
    python benchmarks/instructions.py --steps 50     # count 50 steps of each workload

A framework's overhead is Python between NumPy calls; timing it on a shared
virtual machine moves by several percent from run to run, more than one
change to the hot path saves.  An instruction count does not move: valgrind's
callgrind counts every instruction the process executes, whatever else the
machine is doing, so two versions of minidl can be compared to the last
instruction.  Instructions are not time (a cache miss costs more than an
add), so confirm a gain with ``run.py`` before believing it is one.

Each count is the difference of two runs, ``steps + 1`` steps and ``1`` step,
divided by ``steps``: what a step adds once imports and warm-up are paid for.
The runs fix what would otherwise vary: one OpenBLAS thread (its idle worker
spins, and callgrind counts that too) and ``PYTHONHASHSEED=0``.

Workloads (small, so that the count is the framework's, not BLAS's):

- ``W2 tiny``: W2's training step (Linear-ReLU-Linear-ReLU-Linear, cross-entropy,
  SGD) on an MLP 4-4-4-3 with batch 8;
- ``W3``: the 1,000-op chain of ``w3_overhead`` (reported per op).
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# label -> (ops per step, steps counted by default); W3 is reported per op.  The first
# steps of a process cost a little more than later ones, so W2 tiny counts many.
WORKLOADS = {"W2 tiny": (1, 200), "W3": (1000, 10)}


def make_step(label, framework):
    """One step of ``label`` for ``framework`` ("minidl" or "reference"), ready to call."""
    if label == "W3":
        from benchmarks import w3_overhead

        return getattr(w3_overhead, f"{framework}_step")(ops=1000, size=10)
    from benchmarks import w2_mlp

    return getattr(w2_mlp, f"{framework}_step")(batch=8, sizes=(4, 4, 4, 3))


def run_steps(label, framework, steps):
    """Build, warm up with one step, then make ``steps`` steps (what valgrind counts)."""
    step = make_step(label, framework)
    step()
    for _ in range(steps):
        step()


def count(label, framework, steps):
    """Instructions of a process that makes 1 + ``steps`` steps (callgrind's total)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0")
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        label,
        framework,
        str(steps),
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    for line in out.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].replace(",", ""))
    raise RuntimeError(f"valgrind gave no count for {label} {framework}:\n{out.stderr[-2000:]}")


def per_step(label, framework, steps):
    return (count(label, framework, steps) - count(label, framework, 0)) / steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, help="steps counted (>= 1; default 200 and 10)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # (label, framework, steps)
    args = parser.parse_args(argv)
    if args.child:
        label, framework, steps = args.child
        run_steps(label, framework, int(steps))
        return 0
    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be >= 1")
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 1
    print("instructions per step (valgrind callgrind)")
    header = ("workload", "steps", "minidl", "reference", "minidl - ref", "ratio")
    print("".join(f"{h:{w}}" for h, w in zip(header, ("<10", ">6", ">12", ">12", ">14", ">8"))))
    for label, (ops, default_steps) in WORKLOADS.items():
        steps = args.steps or default_steps
        mine, ref = (per_step(label, f, steps) / ops for f in ("minidl", "reference"))
        unit = " per op" if ops > 1 else ""
        print(
            f"{label:<10}{steps:>6}{mine:>12,.0f}{ref:>12,.0f}{mine - ref:>14,.0f}"
            f"{mine / ref:>7.2f}x{unit}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
