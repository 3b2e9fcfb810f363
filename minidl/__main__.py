"""Command line: ``python -m minidl demo`` and ``python -m minidl gradcheck``."""

import argparse
import os
import sys


def _gradcheck(args):
    from minidl import selfcheck

    cases = selfcheck.all_cases()
    if args.only:
        cases = [c for c in cases if any(s.lower() in c.name.lower() for s in args.only)]
        if not cases:
            print(f"gradcheck: no case matches {args.only}", file=sys.stderr)
            return 2
    results = selfcheck.run(cases)
    width = max(len(r.name) for r in results)
    swidth = max(max(len(r.shapes) for r in results), len("shapes"))
    print(
        f"{'name':<{width}}  {'shapes':<{swidth}}  {'max abs err':>11}  {'max rel err':>11}  pass"
    )
    for r in results:
        print(
            f"{r.name:<{width}}  {r.shapes:<{swidth}}  {r.max_abs_error:>11.2e}  "
            f"{r.max_rel_error:>11.2e}  {'ok' if r.ok else 'FAIL'}"
        )
    failed = [r for r in results if not r.ok]
    covered = set().union(*(selfcheck.functions_used(c) for c in cases))
    registered = selfcheck.registered_ops()
    print(f"\nops covered ({len(covered & registered)} of {len(registered)} registered):")
    print("  " + ", ".join(sorted(covered & registered)))
    missing = [] if args.only else sorted(registered - covered)
    if missing:
        print("registered ops with NO gradient check: " + ", ".join(missing))
    print(
        f"\n{len(results) - len(failed)} passed, {len(failed)} failed "
        f"(float64 central differences, eps=1e-6, atol={selfcheck.ATOL:g}, "
        f"rtol={selfcheck.RTOL:g});\nan element passes if |analytic - numeric| <= atol + "
        "rtol*|numeric|, so a row can show a relative error above rtol where both are tiny"
    )
    for r in failed:
        print(f"FAIL {r.name}: {r.message}")
    return 1 if failed or missing else 0


def _demo(args):
    from minidl import demo

    if not args.out:
        args.parser.error("--out: expected a folder name, got an empty string")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        args.parser.error(f"--out {args.out}: exists and is not a folder")
    try:  # before training, not after a minute of it
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        args.parser.error(f"--out {args.out}: cannot create the folder ({e.strerror})")
    if not os.access(args.out, os.W_OK):
        args.parser.error(f"--out {args.out}: the folder is not writable")
    return demo.main(
        out=args.out, epochs=args.epochs, seed=args.seed, quick=args.quick, progress=not args.quiet
    )


def _int_at_least(low, what):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        return value

    return parse


_positive_int = _int_at_least(1, "a positive integer")
_seed = _int_at_least(0, "a non-negative integer")


def build_parser():
    from minidl.demo import SIZES  # the demo's default epochs, for --help

    parser = argparse.ArgumentParser(
        prog="python -m minidl",
        description="minidl: a deep learning framework built from scratch on NumPy, for learning.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="train the document's LSTM text classifier and compare GD, SGD and Adam",
        description=(
            "Build the synthetic_sentiment corpus, train the document's TextClassifier "
            "(Embedding -> LSTM -> Linear) with CrossEntropyLoss and Adam(lr=0.001), report "
            "accuracy, precision, recall and F1 beside a bag-of-words baseline, then train the "
            "same model from the same initial weights with GD, SGD and Adam and write "
            "loss_curves.png, metrics.json and model.npz to --out."
        ),
    )
    demo.add_argument("--out", default="minidl-demo", help="output folder (default: %(default)s)")
    demo.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        help=(
            "training epochs of the model whose metrics are reported and of the bag-of-words "
            f"baseline (default: {SIZES['default'][1]}, {SIZES['quick'][1]} with --quick); the "
            "GD/SGD/Adam comparison plot keeps its own"
        ),
    )
    demo.add_argument("--seed", type=_seed, default=0, help="random seed (default: %(default)s)")
    demo.add_argument("--quick", action="store_true", help="a small, fast run (for tests)")
    demo.add_argument("--quiet", action="store_true", help="no progress bars")
    demo.set_defaults(func=_demo, parser=demo)

    gc = sub.add_parser(
        "gradcheck",
        help="check every op, layer and loss against finite differences",
        description=(
            "Run minidl's gradient check over every op, layer and loss (float64 central "
            "differences) and print one table. Exit status 1 if any check fails."
        ),
    )
    gc.add_argument("only", nargs="*", help="check only cases whose name contains one of these")
    gc.set_defaults(func=_gradcheck)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `python -m minidl gradcheck | head`: the reader stopped early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's recipe
        sys.exit(0)
