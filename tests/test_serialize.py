"""minidl.save / minidl.load: bit-exact round trips, kinds kept, atomic writes, clear errors."""

import math
import os
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import minidl
import minidl.nn as nn


def _same(a, b):
    """Equal kinds and bit-identical values, recursively."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, minidl.Tensor):
        assert a.requires_grad == b.requires_grad
        a, b = a.data, b.data
    if isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b)
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_state_dict_round_trip_is_bit_exact(tmp_path):
    minidl.manual_seed(0)
    model = nn.Sequential(nn.Embedding(20, 4), nn.LSTM(4, 3, num_layers=2))
    sd = model.state_dict()
    path = tmp_path / "model.npz"
    minidl.save(sd, path)
    loaded = minidl.load(path)
    assert isinstance(loaded, OrderedDict)
    _same(sd, loaded)
    other = nn.Sequential(nn.Embedding(20, 4), nn.LSTM(4, 3, num_layers=2))
    other.load_state_dict(loaded)
    _same(model.state_dict(), other.state_dict())


def test_nested_structures_and_leaf_kinds_survive(tmp_path):
    rng = np.random.default_rng(0)
    obj = {
        "model": {"fc.weight": minidl.tensor(rng.standard_normal((3, 2)), dtype=np.float64)},
        "optimizer": {
            "state": {0: {"step": 7, "exp_avg": rng.standard_normal(4).astype(np.float32)}, 3: {}},
            "param_groups": [
                {"lr": 1e-3, "betas": [0.9, 0.999], "params": [0, 3], "amsgrad": False}
            ],
        },
        "epoch": 12,
        "best": float("nan"),
        "huge": 2**70,
        "tiny": 5e-324,
        "neg_zero": -0.0,
        "inf": float("inf"),
        "name": "run/α",
        "note": None,
        "pair": (1, 2.5),
        "scalar": np.float32(0.1),
        "ints": np.arange(5, dtype=np.int16),
        "flags": np.array([True, False]),
        "words": np.array(["a", "bc"]),
        "empty": np.zeros((0, 3)),
        "grad_leaf": minidl.tensor([1.0, 2.0], requires_grad=True),
    }
    minidl.save(obj, tmp_path / "ckpt.npz")
    _same(obj, minidl.load(tmp_path / "ckpt.npz"))


def test_top_level_leaves_and_colliding_paths(tmp_path):
    for obj in [minidl.tensor([1.0]), np.eye(2), 3, [np.ones(1), {"0": np.zeros(1)}]]:
        minidl.save(obj, tmp_path / "x.npz")
        _same(obj, minidl.load(tmp_path / "x.npz"))
    # "a/b" as one key and as a path a → b flatten to the same name; both must survive
    obj = {"a/b": np.ones(2), "a": {"b": np.zeros(2)}}
    minidl.save(obj, tmp_path / "y.npz")
    _same(obj, minidl.load(tmp_path / "y.npz"))


def test_file_is_a_plain_npz_readable_without_pickle(tmp_path):
    path = tmp_path / "model.npz"
    lin = nn.Linear(2, 3)
    minidl.save(lin.state_dict(), path)
    with np.load(path, allow_pickle=False) as f:
        np.testing.assert_array_equal(f["weight"], lin.weight.data)
        np.testing.assert_array_equal(f["bias"], lin.bias.data)


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    minidl.save({"w": np.ones(3)}, path)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        minidl.save({"w": np.zeros(3)}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["ckpt.npz"]
    np.testing.assert_array_equal(minidl.load(path)["w"], np.ones(3))


def test_truncated_file_is_a_clear_error(tmp_path):
    path = tmp_path / "ckpt.npz"
    minidl.save({"w": np.arange(1000.0)}, path)
    data = path.read_bytes()
    for cut in (len(data) // 2, 30):
        bad = tmp_path / f"cut{cut}.npz"
        bad.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=f"load: {bad} is not a readable file"):
            minidl.load(bad)


def test_foreign_files_are_clear_errors(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    npy = tmp_path / "a.npy"
    np.save(npy, np.ones(3))
    plain = tmp_path / "plain.npz"
    np.savez(plain, w=np.ones(3))
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("readme.txt", "hi")
    for path in (text, npy, plain, other_zip):
        with pytest.raises(ValueError, match=f"load: {path} is not a readable file"):
            minidl.load(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        minidl.load(tmp_path / "missing.npz")


def test_unsavable_objects_are_refused(tmp_path):
    with pytest.raises(TypeError, match="cannot save object at top level"):
        minidl.save(object(), tmp_path / "x.npz")
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        minidl.save({(1, 2): 3}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="needs pickle"):
        minidl.save({"o": np.array([{}], dtype=object)}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []
