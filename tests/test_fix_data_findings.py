"""Regression tests for audit findings in data, train, metrics, serialize and datasets."""

import io

import numpy as np
import pytest

import minidl
import minidl.nn as nn
from minidl import optim
from minidl.data import DataLoader, TensorDataset, default_collate, random_split
from minidl.datasets import load_csv_text, synthetic_sentiment, train_test_split
from minidl.metrics import accuracy
from minidl.train import fit, label_metric

# --- data.py -----------------------------------------------------------------------------


class Shifted(TensorDataset):
    """A TensorDataset subclass that augments in __getitem__ (adds 100 to x)."""

    def __getitem__(self, i):
        x, y = super().__getitem__(i)
        return x + 100, y


def test_loader_calls_a_tensordataset_subclass_getitem():
    ds = Shifted(np.zeros((4, 1), np.float32), np.arange(4))
    x, y = next(iter(DataLoader(ds, batch_size=2)))
    np.testing.assert_array_equal(x.data.ravel(), [100.0, 100.0])
    np.testing.assert_array_equal(y.data, [0, 1])


def test_default_collate_keeps_strings_as_a_list_like_pytorch():
    texts, labels = default_collate([("a", 1), ("b", 2)])
    assert list(texts) == ["a", "b"]
    np.testing.assert_array_equal(labels.data, [1, 2])
    assert default_collate(["x", "y"]) == ["x", "y"]
    with pytest.raises(TypeError, match="DataLoader: a field holds str"):
        default_collate(["x", 1])


def test_default_collate_python_floats_are_float32_whatever_their_order():
    # minidl's documented choice (PyTorch would give float64 for [2.5, 3] and [0.5, 1.5])
    for batch in ([0.5, 1.5], [2.5, 3], [3, 2.5]):
        assert default_collate(batch).dtype == np.float32


def test_random_split_accepts_numpy_float_fractions():
    parts = random_split(list(range(10)), [np.float32(0.5), np.float64(0.5)], generator=0)
    assert [len(p) for p in parts] == [5, 5]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))


# --- train.py ----------------------------------------------------------------------------


def test_label_metric_refuses_one_column_outputs():
    _, fn = label_metric(accuracy)
    y = np.array([1, 1, 0, 1])
    with pytest.raises(ValueError, match=r"label_metric\(accuracy\).*\(4, 1\).*threshold"):
        fn(y, np.array([[2.0], [3.0], [-1.0], [0.5]]))
    with pytest.raises(ValueError, match=r"label_metric\(accuracy\).*\(4,\)"):
        fn(y, np.array([2.0, 3.0, -1.0, 0.5]))
    assert fn(y, np.array([[0, 1], [0, 1], [1, 0], [1, 0]])) == 0.75


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 3)).astype(np.float32)
    y = np.array([0, 0, 0, 1, 2, 1, 2, 1, 0, 2])
    return x, y


def _epoch_loss(model, loss_fn, x, t, batch_size):
    """Train and val loss of one fit epoch with lr=0 (the model does not change)."""
    loader = DataLoader(TensorDataset(x, t), batch_size=batch_size)
    h = fit(
        model,
        loss_fn,
        optim.SGD(model.parameters(), lr=0.0),
        loader,
        val_data=loader,
        progress=False,
    )
    return h.epoch_train_loss[0], h.epoch_val_loss[0]


@pytest.mark.parametrize(
    "loss_fn",
    [nn.NLLLoss(ignore_index=0), nn.NLLLoss(weight=minidl.tensor([1.0, 5.0, 0.5]))],
    ids=["ignore_index", "weight"],
)
def test_fit_epoch_loss_with_nllloss_is_the_whole_data_loss(loss_fn):
    x, y = _data()
    minidl.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.LogSoftmax(dim=-1))
    whole = loss_fn(model(minidl.tensor(x)), minidl.tensor(y)).item()
    train, val = _epoch_loss(model, loss_fn, x, y, batch_size=4)  # batches of 4, 4, 2
    assert train == pytest.approx(whole, rel=1e-6)
    assert val == pytest.approx(whole, rel=1e-6)


def test_fit_epoch_loss_with_weighted_cross_entropy_on_probabilities():
    x, _ = _data()
    probs = np.random.default_rng(1).dirichlet(np.ones(3), size=10).astype(np.float32)
    minidl.manual_seed(0)
    model = nn.Linear(3, 3)
    loss_fn = nn.CrossEntropyLoss(weight=minidl.tensor([1.0, 5.0, 0.5]))
    whole = loss_fn(model(minidl.tensor(x)), minidl.tensor(probs)).item()
    train, val = _epoch_loss(model, loss_fn, x, probs, batch_size=3)  # batches 3, 3, 3, 1
    assert train == pytest.approx(whole, rel=1e-6)
    assert val == pytest.approx(whole, rel=1e-6)


# --- metrics.py --------------------------------------------------------------------------


def test_str_against_bytes_labels_is_an_error_not_zero():
    with pytest.raises(TypeError, match="accuracy: y_pred holds bytes but y_true holds str"):
        accuracy(np.array(["a", "b"]), np.array([b"a", b"b"]))


# --- serialize.py ------------------------------------------------------------------------


def test_save_and_load_through_a_file_object():
    buf = io.BytesIO()
    minidl.save({"w": minidl.tensor([1.0, 2.0]), "n": 3}, buf)
    buf.seek(0)
    out = minidl.load(buf)
    np.testing.assert_array_equal(out["w"].data, [1.0, 2.0])
    assert out["n"] == 3


def test_save_to_a_folder_names_the_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match=f"save: {tmp_path} is a folder"):
        minidl.save({"a": 1}, tmp_path)


def test_save_keeps_shared_tensors_shared_and_parameters_parameters(tmp_path):
    t = minidl.tensor([1.0, 2.0])
    p = nn.Parameter(minidl.ones(2))
    minidl.save({"t": t, "s": t, "p": [p, p]}, tmp_path / "a.npz")
    out = minidl.load(tmp_path / "a.npz")
    assert out["t"] is out["s"]
    assert out["p"][0] is out["p"][1]
    assert type(out["p"][0]) is nn.Parameter and out["p"][0].requires_grad
    assert type(out["t"]) is minidl.Tensor


# --- datasets.py -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [-1, 1.5])
def test_bad_seeds_are_named(seed):
    with pytest.raises(ValueError, match="synthetic_sentiment: seed"):
        synthetic_sentiment(4, seed=seed)
    with pytest.raises(ValueError, match="train_test_split: seed"):
        train_test_split([1, 2, 3, 4], seed=seed)


def test_load_csv_text_empty_file_and_utf8_bom(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="has no rows"):
        load_csv_text(empty, "text", "label")
    bom = tmp_path / "bom.csv"
    bom.write_text("text,label\nhi,1\nyo,0\n", encoding="utf-8-sig")
    texts, labels, classes = load_csv_text(bom, "text", "label")
    assert texts == ["hi", "yo"] and labels.tolist() == [1, 0] and classes == [0, 1]


def test_several_saves_to_one_stream_load_back_in_order():
    # as torch.save / torch.load on one file object; a bare zip would be read from its end
    x = minidl.arange(3.0)
    stream = io.BytesIO()
    minidl.save(x, stream)
    minidl.save({"doubled": x * 2}, stream)
    stream.seek(0)
    assert minidl.load(stream).tolist() == [0.0, 1.0, 2.0]
    assert minidl.load(stream)["doubled"].tolist() == [0.0, 2.0, 4.0]
    cut = io.BytesIO(stream.getvalue()[:-5])
    minidl.load(cut)
    with pytest.raises(ValueError, match="the stream ends 5 bytes into an archive"):
        minidl.load(cut)


def test_a_bool_seed_is_refused():
    with pytest.raises(ValueError, match="seed must be None or an int >= 0, got True"):
        DataLoader(TensorDataset(minidl.arange(4.0)), seed=True)
