"""Dataset, TensorDataset and DataLoader: coverage, order, seeds, short batches, collation."""

import numpy as np
import pytest

import minidl
from minidl.data import DataLoader, Dataset, TensorDataset, default_collate
from minidl.tensor import Tensor


def make_dataset(n=10):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    return TensorDataset(X, y)


def labels(loader):
    return [b[1].data.tolist() for b in loader]


class Squares(Dataset):
    """A plain map-style dataset (not a TensorDataset): sample i = (i as float vector, i²)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full(3, float(i), np.float32), i * i


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("n, batch_size", [(10, 3), (10, 5), (7, 1), (4, 10)])
def test_every_sample_exactly_once_per_epoch(n, batch_size, shuffle):
    loader = DataLoader(make_dataset(n), batch_size=batch_size, shuffle=shuffle, seed=0)
    for _ in range(3):
        seen = [i for batch in labels(loader) for i in batch]
        assert sorted(seen) == list(range(n))
        assert len(labels(loader)) == len(loader) == -(-n // batch_size)


def test_without_shuffle_the_order_is_the_dataset_order():
    assert labels(DataLoader(make_dataset(7), batch_size=3)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_last_short_batch_is_kept_or_dropped_as_asked():
    kept = DataLoader(make_dataset(10), batch_size=4)
    dropped = DataLoader(make_dataset(10), batch_size=4, drop_last=True)
    assert [len(b) for b in labels(kept)] == [4, 4, 2] and len(kept) == 3
    assert [len(b) for b in labels(dropped)] == [4, 4] and len(dropped) == 2
    shuffled = DataLoader(make_dataset(10), batch_size=4, drop_last=True, shuffle=True, seed=1)
    batches = labels(shuffled)
    assert [len(b) for b in batches] == [4, 4]
    assert len(set(sum(batches, []))) == 8  # 8 distinct samples, 2 left out this epoch


def test_same_seed_gives_the_same_order_and_each_epoch_a_new_one():
    def epochs(seed):
        loader = DataLoader(make_dataset(20), batch_size=20, shuffle=True, seed=seed)
        return [labels(loader)[0] for _ in range(3)]

    a, b, c = epochs(7), epochs(7), epochs(8)
    assert a == b
    assert a != c
    assert a[0] != a[1] != a[2]
    assert all(e != list(range(20)) for e in a)


def test_without_seed_manual_seed_controls_the_shuffle():
    loader = DataLoader(make_dataset(20), batch_size=5, shuffle=True)
    minidl.manual_seed(123)
    first = labels(loader)
    minidl.manual_seed(123)
    again = labels(loader)
    minidl.manual_seed(124)
    other = labels(loader)
    assert first == again and first != other


def test_batches_are_stacked_tensors_with_the_dataset_dtypes():
    X, y = next(iter(DataLoader(make_dataset(10), batch_size=4)))
    assert isinstance(X, Tensor) and isinstance(y, Tensor)
    assert X.shape == (4, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert not X.requires_grad
    np.testing.assert_array_equal(X.data, np.arange(8, dtype=np.float32).reshape(4, 2))


def test_tensor_dataset_fast_path_equals_stacking_samples_one_by_one():
    rng = np.random.default_rng(0)
    ds = TensorDataset(rng.standard_normal((9, 2, 3)), rng.integers(0, 5, 9))
    fast = DataLoader(ds, batch_size=4, shuffle=True, seed=5)
    slow = DataLoader(ds, batch_size=4, shuffle=True, seed=5, collate_fn=default_collate)
    for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(xf.data, xs.data)
        np.testing.assert_array_equal(yf.data, ys.data)
        assert xf.dtype == xs.dtype and yf.dtype == ys.dtype


def test_a_plain_dataset_is_collated_field_by_field():
    loader = DataLoader(Squares(5), batch_size=2)
    (x, y), *_ = loader
    assert x.shape == (2, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(y.data, [0, 1])
    assert y.dtype == np.int64
    assert [b[1].data.tolist() for b in loader] == [[0, 1], [4, 9], [16]]


def test_collate_fn_receives_the_list_of_samples():
    got = []

    def collate(samples):
        got.append(len(samples))
        return samples

    list(DataLoader(Squares(5), batch_size=2, collate_fn=collate))
    assert got == [2, 2, 1]


def test_default_collate_handles_dicts_and_refuses_ragged_samples():
    batch = default_collate([{"a": 1.0, "b": np.array([1, 2])}, {"a": 2.0, "b": np.array([3, 4])}])
    np.testing.assert_array_equal(batch["a"].data, [1.0, 2.0])
    np.testing.assert_array_equal(batch["b"].data, [[1, 2], [3, 4]])
    # a list inside a sample is a list of fields, collated position by position (as in PyTorch)
    first, second = default_collate([[1, 2.5], [3, 4.5]])
    assert first.data.tolist() == [1, 3] and second.data.tolist() == [2.5, 4.5]
    with pytest.raises(ValueError, match="different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])


def test_tensor_dataset_indexing_and_length_mismatch():
    ds = make_dataset(5)
    x, y = ds[3]
    assert len(ds) == 5 and y.item() == 3
    np.testing.assert_array_equal(x.data, [6.0, 7.0])
    with pytest.raises(ValueError, match=r"same length along dim 0.*\(5, 2\), \(4,\)"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (dict(batch_size=0), ValueError, "batch_size must be >= 1"),
        (dict(batch_size=2.5), TypeError, "batch_size must be an int"),
        (dict(seed=-1), ValueError, "seed"),
    ],
)
def test_bad_loader_arguments_are_refused(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        DataLoader(make_dataset(3), **kwargs)


def test_dataset_base_class_names_what_is_missing():
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())


def test_a_batch_of_python_ints_and_floats_is_float32_as_in_pytorch():
    # np.stack of int64 and float32 would give float64; PyTorch's promotion gives float32
    assert default_collate([1, 2.5]).dtype == np.float32
    np.testing.assert_array_equal(default_collate([1, 2.5]).data, [1.0, 2.5])
    assert default_collate([1.0, 2.5]).dtype == np.float32
    assert default_collate([1, 2]).dtype == np.int64
