"""PyTorch names a student reaches for: clip/clip_, isclose, numel, meshgrid, normal,
bernoulli, NumPy's axis=/keepdims= in the reductions and cat/concat/stack, and the legacy
constructors FloatTensor, LongTensor, DoubleTensor, IntTensor, BoolTensor.

Expected values come from NumPy's own functions (np.clip, np.isclose, np.meshgrid, the
reductions with axis=, astype) or are worked by hand; meshgrid's gradient is checked by
hand and against central differences in float64.  Sampling is checked by its law (sample
mean and spread of many draws, within several standard errors) and by reseeding.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import arrays, away_from, gradcheck, leaf, raises

import minidl

# ----- clip -------------------------------------------------------------------------------


def test_clip_is_clamp_under_numpys_name():
    a = np.array([-2.0, -0.5, 0.0, 0.7, 3.0])
    x = minidl.tensor(a)
    assert minidl.clip(x, -1.0, 1.0).tolist() == np.clip(a, -1.0, 1.0).tolist()
    assert x.clip(min=0.0).tolist() == np.clip(a, 0.0, None).tolist()
    assert x.clip(max=0.5).tolist() == np.clip(a, None, 0.5).tolist()
    lo = minidl.tensor([0.0, 0.0, -1.0, 1.0, 1.0])
    assert minidl.clip(x, lo).tolist() == np.maximum(a, lo.data).tolist()
    y = minidl.tensor(a)
    assert y.clip_(-1.0, 1.0) is y
    assert y.tolist() == np.clip(a, -1.0, 1.0).tolist()


def test_clip_errors_name_clip():
    x = minidl.tensor([1.0, 2.0])
    with raises(TypeError, "clip: at least one of min and max"):
        minidl.clip(x)
    with raises(ValueError, "clip: min 2 is greater than max 1"):
        x.clip(2, 1)
    with raises(ValueError, "clip: input of shape (2,) and min of shape (3,)"):
        x.clip(minidl.zeros(3))
    with raises(TypeError, "clip: at least one of min and max"):  # as clamp_ says clamp
        x.clip_()
    with raises(TypeError, "clamp: at least one"):  # clamp keeps its own name
        x.clamp()


@settings(max_examples=20, deadline=None)
@given(arrays(st.integers(1, 5)))
def test_clip_gradient(a):
    a = away_from(a, [-1.0, 1.0])
    assert gradcheck(lambda x: minidl.clip(x, -1.0, 1.0), (leaf(a),))
    x = leaf(a)
    x.clip(-1.0, 1.0).sum().backward()
    assert x.grad.tolist() == (np.abs(a) < 1.0).astype(float).tolist()  # 1 inside, 0 outside


# ----- isclose ----------------------------------------------------------------------------


def test_isclose_matches_numpy_elementwise():
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1e-9, 100.0, 1.0])
    b = np.array([1.5, np.nan, np.inf, np.inf, 0.0, 100.0005, 1.0])
    x, y = minidl.tensor(a), minidl.tensor(b)
    got = minidl.isclose(x, y)
    assert got.dtype == minidl.bool_
    assert got.tolist() == np.isclose(a, b).tolist()
    assert got.tolist() == [False, False, True, False, True, True, True]  # by hand
    assert x.isclose(y, equal_nan=True).tolist() == np.isclose(a, b, equal_nan=True).tolist()
    assert x.isclose(y, rtol=0.5).tolist() == np.isclose(a, b, rtol=0.5).tolist()
    assert x.isclose(y, atol=0.0, rtol=0.0).tolist() == (a == b).tolist()
    # broadcasting, and a number b (as minidl's allclose allows)
    m = minidl.tensor([[1.0], [2.0]])
    assert minidl.isclose(m, minidl.tensor([1.0, 2.0])).tolist() == [[True, False], [False, True]]
    assert minidl.isclose(minidl.tensor([1.0, 1.1]), 1.0).tolist() == [True, False]
    # allclose is isclose's "everywhere"
    assert minidl.allclose(x, y, equal_nan=True) == bool(np.isclose(a, b, equal_nan=True).all())


def test_isclose_has_no_gradient_and_names_itself_in_errors():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    r = minidl.isclose(x, x)
    assert r.tolist() == [True, True] and not r.requires_grad and r.grad_fn is None
    with raises(TypeError, "isclose: dtypes float32 and float64 differ"):
        minidl.isclose(x, minidl.tensor([1.0, 2.0], dtype=minidl.float64))
    with raises(ValueError, "isclose: rtol must be a number ≥ 0, got -1"):
        minidl.isclose(x, x, rtol=-1)
    with raises(ValueError, "isclose: shapes (2,) and (3,) do not broadcast"):
        minidl.isclose(x, minidl.zeros(3))
    with raises(TypeError, "isclose: expected a Tensor as the first argument, got list"):
        minidl.isclose([1.0], x)


# ----- numel ------------------------------------------------------------------------------


def test_numel_function():
    assert minidl.numel(minidl.zeros(2, 3, 4)) == 24 == 2 * 3 * 4
    assert minidl.numel(minidl.tensor(5.0)) == 1
    assert minidl.numel(minidl.zeros(3, 0)) == 0
    with raises(TypeError, "numel: expected a Tensor, got list"):
        minidl.numel([1, 2])


# ----- meshgrid ---------------------------------------------------------------------------


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_numpy(indexing):
    a, b, c = np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0]), np.array([-1.0, 0.0, 1.0, 2.0])
    got = minidl.meshgrid(minidl.tensor(a), minidl.tensor(b), minidl.tensor(c), indexing=indexing)
    want = np.meshgrid(a, b, c, indexing=indexing)
    assert isinstance(got, tuple) and len(got) == 3
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.tolist() == w.tolist()
    assert got[0].shape == ((3, 2, 4) if indexing == "ij" else (2, 3, 4))
    two = minidl.meshgrid([minidl.tensor(a), minidl.tensor(b)], indexing=indexing)  # a list
    for g, w in zip(two, np.meshgrid(a, b, indexing=indexing)):
        assert g.tolist() == w.tolist()


def test_meshgrid_one_and_0d_inputs():
    (g,) = minidl.meshgrid(minidl.tensor([1, 2, 3]), indexing="xy")  # one input: no swap
    assert g.tolist() == [1, 2, 3] and g.dtype == minidl.int64
    (g,) = minidl.meshgrid(minidl.tensor(7.0), indexing="ij")  # 0-d counts as size 1
    assert g.shape == (1,) and g.tolist() == [7.0]


def test_meshgrid_default_is_ij_with_a_warning():
    a, b = minidl.arange(3.0), minidl.arange(2.0)
    with pytest.warns(UserWarning, match="indexing argument") as record:
        g = minidl.meshgrid(a, b)
    assert record[0].filename == __file__  # points at the caller's line
    assert [t.shape for t in g] == [(3, 2), (3, 2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minidl.meshgrid(a, b, indexing="ij")  # no warning once indexing is given


def test_meshgrid_errors():
    with raises(ValueError, "meshgrid: expected at least one tensor"):
        minidl.meshgrid(indexing="ij")
    with raises(ValueError, "meshgrid: expected 0-d or 1-D tensors, got shape (2, 2) as tensor 1"):
        minidl.meshgrid(minidl.zeros(2), minidl.zeros(2, 2), indexing="ij")
    with raises(TypeError, "meshgrid: expected tensors of one dtype"):
        minidl.meshgrid(minidl.arange(3), minidl.arange(2.0), indexing="ij")
    with raises(ValueError, 'meshgrid: indexing must be "ij" or "xy", got \'foo\''):
        minidl.meshgrid(minidl.arange(3), indexing="foo")


def test_meshgrid_gradient_by_hand():
    # out_i repeats input i over the other axes: d(Σ out_i)/d input_i = Π of the other sizes
    a, b = leaf([1.0, 2.0, 3.0]), leaf([4.0, 5.0])
    x, y = minidl.meshgrid(a, b, indexing="xy")
    (x * 2.0 + y * 3.0).sum().backward()
    assert a.grad.tolist() == [4.0, 4.0, 4.0]  # 2 · len(b)
    assert b.grad.tolist() == [9.0, 9.0]  # 3 · len(a)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.sampled_from(["ij", "xy"]))
def test_meshgrid_gradcheck(sizes, indexing):
    rng = np.random.default_rng(sum(sizes))
    xs = tuple(leaf(rng.uniform(-2, 2, n)) for n in sizes)
    assert gradcheck(lambda *t: minidl.meshgrid(*t, indexing=indexing), xs)


# ----- normal and bernoulli ---------------------------------------------------------------


def test_normal_of_numbers_with_a_size():
    minidl.manual_seed(3)
    x = minidl.normal(2.0, 0.5, size=(200, 500))
    assert x.shape == (200, 500) and x.dtype == minidl.float32 and not x.requires_grad
    n = x.numel()
    assert abs(float(x.data.mean()) - 2.0) < 5 * 0.5 / np.sqrt(n)  # 5 standard errors
    assert abs(float(x.data.std()) - 0.5) < 0.01
    minidl.manual_seed(3)
    assert minidl.normal(2.0, 0.5, (200, 500)).tolist() == x.tolist()  # seeded: repeats
    assert minidl.normal(0, 1, [2, 3], dtype=minidl.float64).dtype == minidl.float64
    y = minidl.normal(0.0, 1.0, (4,), requires_grad=True)
    assert y.requires_grad and y.is_leaf
    assert minidl.normal(1.5, 0.0, (3,)).tolist() == [1.5, 1.5, 1.5]  # std 0: the mean


def test_normal_with_tensors_broadcasts():
    minidl.manual_seed(0)
    mean = minidl.tensor([-10.0, 0.0, 10.0])
    std = minidl.tensor([[0.0], [1.0]])
    x = minidl.normal(mean, std)
    assert x.shape == (2, 3) and x.dtype == minidl.float32
    assert x[0].tolist() == [-10.0, 0.0, 10.0]  # std 0 gives the mean exactly
    assert minidl.normal(mean, 1.0).shape == (3,)
    assert minidl.normal(0.0, minidl.ones(2, 1)).shape == (2, 1)
    assert minidl.normal(mean.double(), 1.0).dtype == minidl.float64
    big = minidl.normal(minidl.full((100_000,), 3.0), minidl.full((100_000,), 2.0))
    assert abs(float(big.data.mean()) - 3.0) < 5 * 2.0 / np.sqrt(1e5)
    assert abs(float(big.data.std()) - 2.0) < 0.03
    r = minidl.normal(minidl.zeros(3, requires_grad=True), 1.0)
    assert not r.requires_grad  # no gradient: PyTorch's would be zero


def test_normal_errors():
    with raises(ValueError, "normal: std must be ≥ 0, got -1.0"):
        minidl.normal(0.0, -1.0, (2,))
    with raises(ValueError, "normal: std must be ≥ 0, got nan"):
        minidl.normal(0.0, float("nan"), (2,))
    with raises(ValueError, "normal: std must be ≥ 0 everywhere (not NaN); found -1.0"):
        minidl.normal(minidl.zeros(2), minidl.tensor([1.0, -1.0]))
    with raises(ValueError, "not NaN"):
        minidl.normal(minidl.zeros(2), minidl.tensor([1.0, float("nan")]))
    with raises(TypeError, "normal: with numbers mean and std, give the size"):
        minidl.normal(0.0, 1.0)
    with raises(TypeError, "normal: size=(3,) is only for a number mean and std"):
        minidl.normal(minidl.zeros(3), 1.0, size=(3,))
    with raises(TypeError, "normal: mean must be a float tensor, got dtype int64"):
        minidl.normal(minidl.tensor([0, 1]), 1.0)
    with raises(TypeError, "normal: dtype= and requires_grad= are only for"):
        minidl.normal(minidl.zeros(3), 1.0, requires_grad=True)
    with raises(TypeError, "normal: expected a float dtype, got int64"):
        minidl.normal(0.0, 1.0, (2,), dtype=minidl.int64)
    with raises(ValueError, "normal: mean of shape (2,) and std of shape (3,) do not broadcast"):
        minidl.normal(minidl.zeros(2), minidl.ones(3))
    with raises(TypeError, "normal: size must be a tuple or list of ints, got 2"):
        minidl.normal(0.0, 1.0, 2)


def test_bernoulli_values_and_law():
    minidl.manual_seed(1)
    p = minidl.tensor([0.0, 1.0, 0.0, 1.0])
    b = minidl.bernoulli(p)
    assert b.tolist() == [0.0, 1.0, 0.0, 1.0] and b.dtype == minidl.float32  # sure outcomes
    probs = minidl.full((100_000,), 0.3, dtype=minidl.float64)
    b = minidl.bernoulli(probs)
    assert b.dtype == minidl.float64 and set(np.unique(b.data)) <= {0.0, 1.0}
    assert abs(float(b.data.mean()) - 0.3) < 5 * np.sqrt(0.3 * 0.7 / 1e5)
    b = minidl.bernoulli(minidl.zeros(50_000), 0.8)  # p given: input is only the shape
    assert abs(float(b.data.mean()) - 0.8) < 5 * np.sqrt(0.8 * 0.2 / 5e4)
    assert minidl.bernoulli(minidl.tensor(1.0)).shape == ()
    minidl.manual_seed(1)
    first = minidl.bernoulli(minidl.full((20,), 0.5)).tolist()
    minidl.manual_seed(1)
    assert minidl.bernoulli(minidl.full((20,), 0.5)).tolist() == first  # seeded: repeats
    r = minidl.bernoulli(minidl.full((3,), 0.5, requires_grad=True))
    assert not r.requires_grad


def test_bernoulli_errors():
    with raises(
        ValueError, "bernoulli: probabilities must lie in [0, 1] (not NaN); input holds 1.5"
    ):
        minidl.bernoulli(minidl.tensor([0.5, 1.5]))
    with raises(ValueError, "input holds -0.1"):
        minidl.bernoulli(minidl.tensor([-0.1]))
    with raises(ValueError, "input holds nan"):
        minidl.bernoulli(minidl.tensor([float("nan")]))
    with raises(ValueError, "p holds 2.0"):
        minidl.bernoulli(minidl.zeros(2), 2.0)
    with raises(TypeError, "bernoulli: expected a float tensor of probabilities, got dtype int64"):
        minidl.bernoulli(minidl.tensor([0, 1]))
    with raises(TypeError, "bernoulli: expected a float tensor of probabilities, got list"):
        minidl.bernoulli([0.5])


# ----- axis= and keepdims= ----------------------------------------------------------------

A = np.array([[3.0, -1.0, 2.0], [0.5, 4.0, -2.0]])

REDUCTIONS = [  # (name, NumPy's answer for axis=1)
    ("sum", lambda a, k: a.sum(axis=1, keepdims=k)),
    ("mean", lambda a, k: a.mean(axis=1, keepdims=k)),
    ("prod", lambda a, k: a.prod(axis=1, keepdims=k)),
    ("amax", lambda a, k: a.max(axis=1, keepdims=k)),
    ("amin", lambda a, k: a.min(axis=1, keepdims=k)),
    ("argmax", lambda a, k: a.argmax(axis=1, keepdims=k)),
    ("argmin", lambda a, k: a.argmin(axis=1, keepdims=k)),
    ("std", lambda a, k: a.std(axis=1, ddof=1, keepdims=k)),
    ("var", lambda a, k: a.var(axis=1, ddof=1, keepdims=k)),
    ("logsumexp", lambda a, k: np.log(np.exp(a).sum(axis=1, keepdims=k))),
    ("any", lambda a, k: (a > 0).any(axis=1, keepdims=k)),
    ("all", lambda a, k: (a > 0).all(axis=1, keepdims=k)),
]


@pytest.mark.parametrize("name,want", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_take_axis_and_keepdims(name, want, keepdims):
    x = minidl.tensor(A, dtype=minidl.float64)
    if name in ("any", "all"):
        x = x > 0
    for got in (
        getattr(minidl, name)(x, axis=1, keepdims=keepdims),
        getattr(x, name)(axis=1, keepdims=keepdims),
        getattr(x, name)(1, keepdims=keepdims),  # keepdims beside a positional dim
    ):
        np.testing.assert_allclose(got.data, want(A, keepdims), rtol=1e-12)
    assert getattr(x, name)(axis=1).shape == want(A, False).shape


def test_max_min_median_with_axis_return_values_and_indices():
    x = minidl.tensor(A)
    v, i = x.max(axis=1)
    assert v.tolist() == A.max(axis=1).tolist() and i.tolist() == A.argmax(axis=1).tolist()
    v, i = minidl.min(x, axis=0, keepdims=True)
    assert v.tolist() == A.min(axis=0, keepdims=True).tolist()
    v, i = x.median(axis=1)
    assert v.tolist() == [2.0, 0.5]  # lower medians by hand: sorted [-1, 2, 3], [-2, .5, 4]
    assert i.tolist() == [2, 0]


def test_axis_in_count_nonzero_cumsum_cumprod():
    a = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 5.0]])
    x = minidl.tensor(a)
    assert minidl.count_nonzero(x, axis=0).tolist() == np.count_nonzero(a, axis=0).tolist()
    assert x.cumsum(axis=1).tolist() == np.cumsum(a, axis=1).tolist()
    assert minidl.cumprod(x, axis=0).tolist() == np.cumprod(a, axis=0).tolist()
    with raises(TypeError, "cumsum: got both dim=1 and axis=0"):
        x.cumsum(1, axis=0)


def test_axis_and_keepdims_gradients_are_those_of_dim():
    x, y = leaf(A), leaf(A)
    minidl.sum(x * x, axis=0, keepdims=True).sum().backward()
    (y * y).sum(dim=0, keepdim=True).sum().backward()
    assert x.grad.tolist() == y.grad.tolist() == (2 * A).tolist()


def test_dim_and_axis_together_are_an_error_naming_both():
    x = minidl.tensor(A)
    with raises(TypeError, "sum: got both dim=0 and axis=1", "give only one"):
        x.sum(0, axis=1)
    with raises(TypeError, "mean: got both dim=0 and axis=0"):
        minidl.mean(x, dim=0, axis=0)
    with raises(TypeError, "amax: got both keepdim=True and keepdims=True"):
        x.amax(0, keepdim=True, keepdims=True)
    with raises(TypeError, "var: got both dim=0 and axis=0"):
        x.var(0, axis=0)
    with raises(TypeError, "any: got both dim=0 and axis=1"):
        minidl.any(x > 0, 0, axis=1)
    with raises(TypeError, "logsumexp: got both dim=0 and axis=0"):
        x.logsumexp(0, axis=0)
    with raises(TypeError, "keepdim must be True or False, got 1"):
        x.sum(axis=0, keepdims=1)  # the alias is checked as keepdim is


def test_norm_takes_no_axis_as_in_torch():
    with pytest.raises(TypeError):
        minidl.tensor(A).norm(axis=0)  # torch.norm refuses axis= and keepdims= too


def test_cat_concat_stack_take_axis():
    a, b = np.ones((2, 3)), np.zeros((2, 1))
    x, y = minidl.tensor(a), minidl.tensor(b)
    want = np.concatenate([a, b], axis=1)
    assert minidl.cat([x, y], axis=1).tolist() == want.tolist()
    assert minidl.concat([x, y], axis=1).tolist() == want.tolist()
    assert minidl.concatenate([x, y], 1).tolist() == want.tolist()
    assert minidl.concat([x, x]).tolist() == np.concatenate([a, a]).tolist()
    assert minidl.stack([x, x], axis=2).tolist() == np.stack([a, a], axis=2).tolist()
    with raises(TypeError, "cat: got both dim=1 and axis=0"):
        minidl.cat([x, y], 1, axis=0)
    with raises(TypeError, "stack: got both dim=1 and axis=2"):
        minidl.stack([x, x], dim=1, axis=2)


@settings(max_examples=10, deadline=None)
@given(arrays((2, 3)), arrays((2, 2)))
def test_concat_gradient(a, b):
    assert gradcheck(lambda u, v: minidl.concat([u, v], axis=1), (leaf(a), leaf(b)))
    assert gradcheck(lambda u, v: minidl.concatenate([u, v], 1), (leaf(a), leaf(b)))


def test_sum_fast_path_still_takes_positional_and_keyword_dim():
    x = minidl.tensor(A)
    assert x.sum().item() == pytest.approx(A.sum())
    assert x.sum(0).tolist() == A.sum(axis=0).tolist()
    assert x.sum(dim=1, keepdim=True).tolist() == A.sum(axis=1, keepdims=True).tolist()
    assert minidl.sum(x, axis=None).item() == pytest.approx(A.sum())  # axis=None: every axis


# ----- legacy constructors ----------------------------------------------------------------

LEGACY = [
    ("FloatTensor", np.float32),
    ("DoubleTensor", np.float64),
    ("LongTensor", np.int64),
    ("IntTensor", np.int32),
    ("BoolTensor", np.bool_),
]


@pytest.mark.parametrize("name,dtype", LEGACY, ids=[n for n, _ in LEGACY])
def test_legacy_constructors_copy_data_in_their_dtype(name, dtype):
    make = getattr(minidl, name)
    data = [[1.7, -2.2, 0.0], [3.0, 0.5, 2.0]]
    t = make(data)
    assert t.dtype == np.dtype(dtype)
    assert t.tolist() == np.array(data).astype(dtype).tolist()  # floats to ints truncate
    arr = np.array([1.0, 0.0])
    u = make(arr)
    u.data[0] = 5  # a copy: arr is untouched
    assert arr.tolist() == [1.0, 0.0]
    assert make().shape == (0,) and make().dtype == np.dtype(dtype)
    assert make([]).shape == (0,)
    same = minidl.tensor([1, 0]).to(np.dtype(dtype))
    assert make(same) is same  # PyTorch returns a tensor of its dtype itself
    with raises(TypeError, f"{name}(2, 3): in PyTorch, ints here are a size", "minidl.zeros(2, 3"):
        make(2, 3)
    with raises(TypeError, f"{name}(4): in PyTorch, ints here are a size"):
        make(4)
    with raises(TypeError, f"{name}: data must be a sequence (got float)"):
        make(3.5)


def test_legacy_constructor_refuses_a_tensor_of_another_dtype():
    with raises(TypeError, "LongTensor(t) with a float32 tensor t", "t.to(minidl.int64)"):
        minidl.LongTensor(minidl.tensor([1.5]))


# ----- PyTorch, where installed -----------------------------------------------------------


def test_against_torch():
    torch = pytest.importorskip("torch")
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1e-9, 100.0, 1.0])
    b = np.array([1.5, np.nan, np.inf, np.inf, 0.0, 100.0005, 1.0])
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.5, "atol": 0.0}):
        want = torch.isclose(torch.tensor(a), torch.tensor(b), **kw).tolist()
        assert minidl.isclose(minidl.tensor(a), minidl.tensor(b), **kw).tolist() == want
    c = np.array([-2.0, -0.5, 0.7, 3.0])
    assert minidl.tensor(c).clip(-1, 1).tolist() == torch.tensor(c).clip(-1, 1).tolist()
    assert minidl.numel(minidl.zeros(2, 5)) == torch.numel(torch.zeros(2, 5))
    xs = [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0]), np.array([6.0, 7.0, 8.0, 9.0])]
    for indexing in ("ij", "xy"):
        got = minidl.meshgrid(*map(minidl.tensor, xs), indexing=indexing)
        want = torch.meshgrid(*map(torch.tensor, xs), indexing=indexing)
        assert [g.tolist() for g in got] == [w.tolist() for w in want]
    with pytest.warns(UserWarning, match="indexing argument"):
        torch.meshgrid(torch.arange(2), torch.arange(3))  # torch warns too, and uses "ij"
    t, m = torch.tensor(A), minidl.tensor(A, dtype=minidl.float64)
    for name in ("sum", "mean", "prod", "amax", "amin", "argmax", "argmin", "std", "var"):
        for kw in ({"axis": 0}, {"axis": 1, "keepdims": True}):
            want = getattr(torch, name)(t, **kw).numpy()
            np.testing.assert_allclose(getattr(minidl, name)(m, **kw).data, want, rtol=1e-12)
    np.testing.assert_allclose(m.logsumexp(axis=1).data, t.logsumexp(axis=1).numpy(), rtol=1e-12)
    assert minidl.cat([m, m], axis=1).shape == tuple(torch.cat([t, t], axis=1).shape)
    assert minidl.concat([m, m], axis=1).shape == tuple(torch.concat([t, t], axis=1).shape)
    assert minidl.stack([m, m], axis=2).shape == tuple(torch.stack([t, t], axis=2).shape)
    with pytest.raises(TypeError):
        torch.sum(t, dim=0, axis=0)  # both: torch refuses too
    with pytest.raises(TypeError):
        torch.norm(t, axis=0)
    data = [[1.7, -2.2], [0.0, 0.5]]
    for name, _ in LEGACY:
        want = getattr(torch, name)(data)
        got = getattr(minidl, name)(data)
        assert got.tolist() == want.tolist() and got.type() == want.type()
    assert minidl.normal(0.0, 1.0, (2, 3)).shape == tuple(torch.normal(0.0, 1.0, (2, 3)).shape)
    mean, std = torch.zeros(3), torch.ones(2, 1)
    got = minidl.normal(minidl.zeros(3), minidl.ones(2, 1))
    assert got.shape == tuple(torch.normal(mean, std).shape) and got.dtype == minidl.float32
    with pytest.raises(RuntimeError, match="std >= 0"):
        torch.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError):
        torch.bernoulli(torch.tensor([1.5]))
    p = [0.0, 1.0, 1.0, 0.0]
    assert minidl.bernoulli(minidl.tensor(p)).tolist() == torch.bernoulli(torch.tensor(p)).tolist()
