"""Time minidl against hand-written NumPy on each workload; print one table.

    python benchmarks/run.py                 # all workloads, 7 timed runs each
    python benchmarks/run.py --only W1 --repeat 11
    python benchmarks/run.py --torch         # adds PyTorch's column if torch imports

Each workload is built once per framework and warmed up; then the timed runs
alternate minidl / reference (/ torch), so that a slow spell of the machine
hits all of them alike.  ``--processes N`` repeats that in N fresh processes,
each building and running the frameworks in a rotated order, and pools the
runs: where a process happens to place its arrays and objects moves a ratio
by a few percent, which more runs in one process cannot average away (see
benchmarks/README.md).  The table shows medians, the ratio of the medians
minidl / reference, and the per-run ratios' median and interquartile range
(how much the machine moved).  Each per-run ratio pairs two runs made side by
side, so a change of machine speed between processes, which moves the pooled
medians, leaves it alone; when the two ratios disagree, the machine changed
speed.  W3 also per op.  Peak memory of one W1 step is
measured with tracemalloc (everything alive during the step: parameters,
optimizer state, the graph), separately from the timings.
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import w1_text_classifier, w2_mlp, w3_overhead, w4_matmul  # noqa: E402

MODULES = (w1_text_classifier, w2_mlp, w3_overhead, w4_matmul)
FRAMEWORKS = ("minidl", "reference", "torch")


def workloads(only):
    """(label, module, size kwargs) for every workload whose label starts with one of ``only``."""
    for module in MODULES:
        for label, size in module.SIZES.items():
            if not only or any(label.lower().startswith(o.lower()) for o in only):
                yield label, module, size


def build(module, framework, size):
    return getattr(module, f"{framework}_step")(**size)


def steps_per_run(module):
    """How many steps one timed run makes (a few for ms-short workloads: timer noise)."""
    return getattr(module, "STEPS_PER_RUN", 1)


def time_interleaved(steps, repeat, warmup, inner=1):
    """{framework: [seconds per step]}: warm-up, then ``repeat`` rounds of one run of each.

    A run makes ``inner`` steps back to back and counts their mean.
    """
    for step in steps.values():
        for _ in range(warmup):
            step()
    times = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(inner):
                step()
            times[name].append((time.perf_counter() - start) / inner)
    return times


def measure(label, frameworks, repeat, warmup, first=0):
    """{framework: [seconds per step]} for one workload, in this process.

    The frameworks are built, and run within each round, starting from
    ``frameworks[first]``; minidl is imported before anything is built, so
    every column runs under the allocator settings it makes (minidl/memory.py).
    """
    import minidl  # noqa: F401

    ((_, module, size),) = [w for w in workloads(None) if w[0] == label]
    order = frameworks[first:] + frameworks[:first]
    steps = {f: build(module, f, size) for f in order}
    times = time_interleaved(steps, repeat, warmup, steps_per_run(module))
    del steps
    gc.collect()
    return times


def measure_in_processes(label, frameworks, repeat, warmup, processes):
    """``measure`` in ``processes`` fresh processes, process k starting from framework k; pooled."""
    pooled = {f: [] for f in frameworks}
    for k in range(processes):
        command = [sys.executable, __file__, "--times-of", label, str(k % len(frameworks))]
        command += ["--repeat", str(repeat), "--warmup", str(warmup)]
        command += ["--torch"] if "torch" in frameworks else []
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"{label}: process {k} failed:\n{out.stderr[-2000:]}")
        for f, t in json.loads(out.stdout.splitlines()[-1]).items():
            pooled[f].extend(t)
    return pooled


def peak_memory(label, framework):
    """Peak traced bytes of one step, measured in a fresh process (see ``_peak_here``)."""
    out = subprocess.run(
        [sys.executable, __file__, "--peak-of", label, framework],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[-1])


def _peak_here(module, framework, size):
    """Peak traced bytes during one step, after one warm-up step (optimizer state exists)."""
    gc.collect()
    tracemalloc.start()
    try:
        step = build(module, framework, size)
        step()
        gc.collect()
        tracemalloc.reset_peak()
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def torch_available():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(os.cpu_count() or 1)
    return torch.__version__


def ratio_spread(mine, reference):
    """The per-run ratios (run i of one over run i of the other, timed side by side):
    their median, and their middle half (how much the machine moved)."""
    import numpy as np

    ratios = np.array(mine) / np.array(reference)
    low, mid, high = np.percentile(ratios, [25, 50, 75])
    return f"{mid:.2f} ({low:.2f}-{high:.2f})"


def format_time(seconds):
    return f"{seconds * 1e3:9.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} µs"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="W", help="workloads to run, e.g. W1 W3")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per framework (>= 1)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first")
    parser.add_argument("--torch", action="store_true", help="add PyTorch's column")
    parser.add_argument("--no-memory", action="store_true", help="skip the W1 memory measure")
    parser.add_argument(
        "--processes", type=int, default=1, help="fresh processes per workload, runs pooled"
    )
    parser.add_argument("--peak-of", nargs=2, help=argparse.SUPPRESS)  # (label, framework)
    parser.add_argument("--times-of", nargs=2, help=argparse.SUPPRESS)  # (label, first)
    args = parser.parse_args(argv)
    if args.peak_of:
        label, framework = args.peak_of
        ((_, module, size),) = [w for w in workloads(None) if w[0] == label]
        print(_peak_here(module, framework, size))
        return
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.processes < 1:
        parser.error("--processes must be >= 1")

    frameworks = ["minidl", "reference"]
    notes = []
    if args.torch:
        version = torch_available()
        if version is None:
            notes.append("--torch: torch is not importable here; its column is left out")
        else:
            frameworks.append("torch")
            notes.append(f"torch {version}, {os.cpu_count()} threads")
    if args.times_of:
        label, first = args.times_of
        print(json.dumps(measure(label, frameworks, args.repeat, args.warmup, int(first))))
        return

    import numpy as np

    header = f"{'workload':<12}" + "".join(f"{f + ' median':>18}" for f in frameworks)
    header += f"{'minidl/ref':>12}{'per run: median (IQR)':>24}"
    header += "  torch/ref" if "torch" in frameworks else ""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    where = "" if args.processes == 1 else f" in each of {args.processes} processes"
    print(
        f"numpy {np.__version__}, {os.cpu_count()} cores, load average {load}; "
        f"median of {args.repeat} interleaved runs{where} after {args.warmup} warm-up"
    )
    for note in notes:
        print(note)
    print(header)
    print("-" * len(header))
    for label, _, size in workloads(args.only):
        if args.processes == 1:
            times = measure(label, frameworks, args.repeat, args.warmup)
        else:
            times = measure_in_processes(
                label, frameworks, args.repeat, args.warmup, args.processes
            )
        med = {f: statistics.median(t) for f, t in times.items()}
        row = f"{label:<12}" + "".join(f"{format_time(med[f]):>18}" for f in frameworks)
        row += f"{med['minidl'] / med['reference']:>11.2f}x"
        row += f"{ratio_spread(times['minidl'], times['reference']):>24}"
        if "torch" in frameworks:
            row += f"{med['torch'] / med['reference']:>10.2f}x"
        print(row, flush=True)
        ops = size.get("ops")
        if ops:
            per_op = "".join(f"{format_time(med[f] / ops):>18}" for f in frameworks)
            print(f"{'  per op':<12}{per_op}", flush=True)

    if not args.no_memory:
        print()
        for label, module, _ in workloads(args.only):
            if module is not w1_text_classifier:
                continue
            peaks = {f: peak_memory(label, f) for f in ("minidl", "reference")}
            print(
                f"{label} peak memory of one step (tracemalloc): "
                f"minidl {peaks['minidl'] / 2**20:.1f} MiB, "
                f"reference {peaks['reference'] / 2**20:.1f} MiB, "
                f"ratio {peaks['minidl'] / peaks['reference']:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
