"""`python -m minidl ...`: help, usage errors, the gradient self-check and the demo."""

import json
import re
import struct
import subprocess
import sys

import pytest

import minidl
from minidl import selfcheck
from minidl.__main__ import main


def run(*args, cwd=None, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "minidl", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**__import__("os").environ, "MPLBACKEND": "Agg"},
    )


def test_help_lists_both_commands():
    r = run("--help")
    assert r.returncode == 0
    assert "demo" in r.stdout and "gradcheck" in r.stdout


@pytest.mark.parametrize("command", ["demo", "gradcheck"])
def test_each_subcommand_explains_itself(command):
    r = run(command, "--help")
    assert r.returncode == 0
    assert f"python -m minidl {command}" in r.stdout
    assert len(r.stdout.splitlines()) > 4


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--bogus"], "unrecognized arguments"),
        (["demo", "--epochs", "zero"], "--epochs"),
        (["demo", "--epochs", "0"], "positive integer"),
        (["demo", "--seed", "-1"], "non-negative integer"),
        (["demo", "--out", __file__], "exists and is not a folder"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_bad_option_is_a_usage_message_not_a_traceback(args, needle):
    r = run(*args)
    assert r.returncode == 2
    assert "usage:" in r.stderr and needle in r.stderr
    assert "Traceback" not in r.stderr


def test_gradcheck_passes_and_lists_every_registered_op():
    r = run("gradcheck")
    assert r.returncode == 0, r.stdout + r.stderr
    listed = r.stdout.split("registered):")[1].split("\n\n")[0]
    names = set(re.findall(r"[A-Za-z]\w*", listed))
    assert names == selfcheck.registered_ops()
    assert "0 failed" in r.stdout
    for case in selfcheck.all_cases():
        assert case.name in r.stdout


def test_gradcheck_exits_1_and_names_a_failing_case(monkeypatch, capsys):
    from strategies import leaf, square_with_slope

    from minidl import __main__ as cli

    def make(rng):
        return square_with_slope(3).apply, (leaf([0.5, -2.0]),)  # d(x²)/dx is 2x, not 3x

    bad = selfcheck.GradCase("wrong square", make, "(2,)", ("Square",))
    monkeypatch.setattr(selfcheck, "all_cases", lambda: [bad])
    assert cli.main(["gradcheck", "wrong"]) == 1
    assert "FAIL wrong square" in capsys.readouterr().out


def test_gradcheck_only_filters_cases():
    r = run("gradcheck", "matmul")
    assert r.returncode == 0
    rows = [line for line in r.stdout.splitlines() if line.endswith(" ok")]
    assert rows and all("matmul" in line.lower() for line in rows)


def _png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", head[16:24])


@pytest.mark.slow
def test_quick_demo_writes_its_files_and_the_lstm_beats_bag_of_words(tmp_path):
    out = tmp_path / "demo"
    r = run("demo", "--quick", "--quiet", "--out", str(out))
    assert r.returncode == 0, r.stderr
    for name in ("loss_curves.png", "metrics.json", "model.npz"):
        assert (out / name).is_file(), name
    assert str(out) in r.stdout  # it tells where the files are
    report = json.loads((out / "metrics.json").read_text())
    # the corpus is order-dependent: a bag of words is near chance (0.5), the LSTM is not
    assert report["lstm"]["accuracy"] > report["bag_of_words"]["accuracy"] + 0.1
    assert report["bag_of_words"]["accuracy"] < 0.65
    assert set(report["lstm"]) == {"accuracy", "precision", "recall", "f1"}
    assert len(report["optimizers"]) == 3
    assert _png_size(out / "loss_curves.png") == (1200, 450)  # 12 x 4.5 inches at 100 dpi

    state = minidl.load(str(out / "model.npz"))
    assert {"embedding.weight", "lstm.weight_ih_l0", "fc.weight"} <= set(state)


@pytest.mark.parametrize(
    "out, fragment", [("", "expected a folder name"), ("/proc/minidl/x", "cannot create")]
)
def test_demo_refuses_an_output_folder_it_cannot_use_before_training(out, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--out", out, "--quick", "--quiet"])
    assert info.value.code == 2
    assert fragment in capsys.readouterr().err


def test_demo_help_gives_the_default_epochs(capsys):
    from minidl.demo import SIZES

    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"default: {SIZES['default'][1]}, {SIZES['quick'][1]} with --quick" in text


def test_piping_into_a_reader_that_stops_early_is_not_a_traceback():
    # `python -m minidl gradcheck | head -1`: the reader closes the pipe after one line
    proc = subprocess.Popen(
        [sys.executable, "-m", "minidl", "gradcheck"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 0
    assert "Traceback" not in err and "BrokenPipeError" not in err
