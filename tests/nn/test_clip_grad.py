"""nn.utils.clip_grad_norm_ and clip_grad_value_: expected values from the formulas, computed here
with NumPy; in place on each gradient's own array; PyTorch's behaviour where it has one."""

import math
import warnings

import numpy as np
import pytest

import minidl
import minidl.nn as nn
from minidl.nn.utils import clip_grad_norm_, clip_grad_value_

EPS = 1e-6  # PyTorch's: c = max_norm / (total + 1e-6)


def _param(grad, dtype=np.float64):
    """A parameter whose .grad holds ``grad`` (its own copy, in ``dtype``)."""
    g = np.asarray(grad, dtype=dtype)
    p = nn.Parameter(np.zeros(g.shape, dtype))
    p.grad = minidl.tensor(g)
    return p


def _params(dtype=np.float64, scale=1.0):
    rng = np.random.default_rng(0)
    shapes = [(2, 3), (4,), (), (3, 1, 2)]  # a 0-d gradient too
    return [_param(scale * rng.standard_normal(s), dtype) for s in shapes]


def _norm(grads, ord=2):
    """The norm of all gradients concatenated into one vector, by NumPy."""
    return np.linalg.norm(np.concatenate([np.ravel(g).astype(np.float64) for g in grads]), ord)


def _grads(params):
    return [p.grad.data.copy() for p in params]


# ----- clip_grad_norm_: the formula ----------------------------------------------------------
def test_total_norm_is_the_2_norm_of_all_gradients_as_one_vector_and_they_are_scaled_by_c():
    params = _params()
    before = _grads(params)
    total = _norm(before)
    assert total > 1.0  # so max_norm = 1 clips

    norm = clip_grad_norm_(params, 1.0)

    assert isinstance(norm, minidl.Tensor) and norm.shape == () and norm.dtype == np.float64
    np.testing.assert_allclose(norm.item(), total, rtol=1e-12)
    c = 1.0 / (total + EPS)
    for p, g in zip(params, before):
        np.testing.assert_allclose(p.grad.data, g * c, rtol=1e-12)
    # the clipped gradients' norm is max_norm (a hair under it: the 1e-6)
    np.testing.assert_allclose(_norm(_grads(params)), 1.0 * total / (total + EPS), rtol=1e-12)


def test_under_the_limit_nothing_changes_and_the_norm_is_still_returned():
    params = _params()
    before = _grads(params)
    arrays = [p.grad.data for p in params]
    total = _norm(before)

    norm = clip_grad_norm_(params, total * 2)

    np.testing.assert_allclose(norm.item(), total, rtol=1e-12)
    for p, a, g in zip(params, arrays, before):
        assert p.grad.data is a
        np.testing.assert_array_equal(a, g)  # exactly: not multiplied by 1.0 either


def test_max_norm_inf_only_measures_the_norm():
    params = _params()
    before = _grads(params)
    norm = clip_grad_norm_(params, math.inf)
    np.testing.assert_allclose(norm.item(), _norm(before), rtol=1e-12)
    for p, g in zip(params, before):
        np.testing.assert_array_equal(p.grad.data, g)


def test_max_norm_zero_zeroes_the_gradients():
    params = _params()
    clip_grad_norm_(params, 0)
    for p in params:
        assert not p.grad.data.any()


@pytest.mark.parametrize("norm_type", [math.inf, "inf", 1, 3, 0.5])
def test_other_norm_types_follow_the_p_norm_formula(norm_type):
    params = _params()
    before = _grads(params)
    p = math.inf if norm_type == "inf" else norm_type
    flat = np.concatenate([g.ravel() for g in before])
    total = np.max(np.abs(flat)) if p == math.inf else np.sum(np.abs(flat) ** p) ** (1 / p)
    np.testing.assert_allclose(total, _norm(before, p), rtol=1e-12)  # NumPy agrees
    max_norm = total / 4

    norm = clip_grad_norm_(params, max_norm, norm_type=norm_type)

    np.testing.assert_allclose(norm.item(), total, rtol=1e-12)
    for q, g in zip(params, before):
        np.testing.assert_allclose(q.grad.data, g * max_norm / (total + EPS), rtol=1e-12)


def test_inf_norm_is_the_largest_absolute_gradient_element():
    a, b = _param([1.0, -7.0]), _param([[3.0], [5.0]])
    norm = clip_grad_norm_([a, b], 3.5, norm_type=float("inf"))
    assert norm.item() == 7.0
    c = 3.5 / (7.0 + EPS)
    np.testing.assert_allclose(a.grad.data, [c, -7 * c], rtol=1e-15)
    np.testing.assert_allclose(b.grad.data, [[3 * c], [5 * c]], rtol=1e-15)


# ----- parameters: generator, single tensor, missing grads -----------------------------------
def test_a_generator_is_consumed_once_and_clipped():
    params = _params()
    before = _grads(params)
    total = _norm(before)
    gen = (p for p in params)

    norm = clip_grad_norm_(gen, 1.0)

    np.testing.assert_allclose(norm.item(), total, rtol=1e-12)
    for p, g in zip(params, before):  # a second pass over gen would have seen nothing
        np.testing.assert_allclose(p.grad.data, g / (total + EPS), rtol=1e-12)
    assert next(gen, None) is None


def test_model_parameters_generator():
    model = nn.Linear(3, 2)
    for p in model.parameters():
        p.grad = minidl.tensor(np.full(p.shape, 2.0, np.float32))
    norm = clip_grad_norm_(model.parameters(), 1.0)  # 8 elements of 2: norm √32
    np.testing.assert_allclose(norm.item(), math.sqrt(32), rtol=1e-6)
    for p in model.parameters():
        np.testing.assert_allclose(p.grad.data, 2 / (math.sqrt(32) + EPS), rtol=1e-6)


def test_an_empty_generator_warns_as_in_pytorch_and_returns_zero():
    with pytest.warns(UserWarning, match="empty generator"):
        norm = clip_grad_norm_((p for p in []), 1.0)
    assert norm.item() == 0.0 and norm.shape == ()
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_value_((p for p in []), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert clip_grad_norm_([], 1.0).item() == 0.0  # an empty list: no warning


def test_a_single_tensor():
    p = _param([3.0, 4.0])
    norm = clip_grad_norm_(p, 1.0)
    assert norm.item() == pytest.approx(5.0, rel=1e-15)
    np.testing.assert_allclose(p.grad.data, [3 / (5 + EPS), 4 / (5 + EPS)], rtol=1e-15)
    clip_grad_value_(p, 0.7)
    np.testing.assert_allclose(p.grad.data, [3 / (5 + EPS), 0.7], rtol=1e-15)


def test_parameters_without_a_gradient_are_skipped():
    a, b = _param([3.0, 4.0]), nn.Parameter(np.array([100.0, 100.0]))
    assert b.grad is None
    norm = clip_grad_norm_([b, a, b], 1.0)
    assert norm.item() == pytest.approx(5.0, rel=1e-15)  # b counts for nothing
    assert b.grad is None
    clip_grad_value_([b, a], 0.1)
    assert b.grad is None
    np.testing.assert_array_equal(a.grad.data, [0.1, 0.1])


def test_no_gradient_at_all_returns_a_zero_of_the_default_dtype():
    p = nn.Parameter(np.ones(3, np.float64))
    norm = clip_grad_norm_([p], 1.0)
    assert norm.item() == 0.0 and norm.dtype == minidl.get_default_dtype()
    assert p.grad is None


# ----- dtypes and in place ------------------------------------------------------------------
def test_float32_gradients_stay_float32_and_are_scaled_in_their_own_array():
    params = _params(np.float32)
    arrays = [p.grad.data for p in params]
    before = _grads(params)
    total = _norm(before)  # in float64 from the float32 values

    norm = clip_grad_norm_(params, 0.5)

    assert norm.dtype == np.float32 and norm.shape == ()
    np.testing.assert_allclose(norm.item(), total, rtol=1e-6)
    for p, a, g in zip(params, arrays, before):
        assert p.grad.data is a  # same array object: modified in place
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, g.astype(np.float64) * 0.5 / (total + EPS), rtol=1e-6)


def test_a_user_held_reference_to_the_gradient_sees_the_clipping_as_in_pytorch():
    p = _param([6.0, 8.0])
    g = p.grad  # the same Tensor, as `g = p.grad` in PyTorch
    clip_grad_norm_([p], 5.0)
    np.testing.assert_allclose(g.data, [6 * 5 / (10 + EPS), 8 * 5 / (10 + EPS)], rtol=1e-15)


def test_float32_squares_that_overflow_float32_still_give_the_true_norm():
    # PyTorch sums these squares (1e40) in float32: inf, and the gradients become 0
    p = _param([1e20, 1e20], np.float32)
    norm = clip_grad_norm_(p, 1.0)
    np.testing.assert_allclose(norm.item(), math.sqrt(2) * 1e20, rtol=1e-6)
    np.testing.assert_allclose(p.grad.data, [1 / math.sqrt(2)] * 2, rtol=1e-6)


def test_mixed_dtypes_norm_in_the_wider_dtype_each_gradient_keeps_its_own():
    a, b = _param([3.0], np.float32), _param([4.0], np.float64)
    norm = clip_grad_norm_([a, b], 1.0)
    assert norm.dtype == np.float64 and norm.item() == pytest.approx(5.0)
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_allclose([a.grad.item(), b.grad.item()], [0.6, 0.8], rtol=1e-6)


def test_a_gradient_shared_by_two_parameters_counts_twice_but_is_scaled_once():
    # PyTorch scales such a tensor once per parameter (c² · g); minidl scales each array once
    p, q = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(2))
    p.grad = q.grad = minidl.tensor([3.0, 4.0], dtype=np.float64)
    norm = clip_grad_norm_([p, q], 1.0)
    total = math.sqrt(50)
    assert norm.item() == pytest.approx(total, rel=1e-15)
    np.testing.assert_allclose(p.grad.data, [3 / (total + EPS), 4 / (total + EPS)], rtol=1e-15)


def test_overlapping_views_are_refused_and_nothing_changes():
    base = np.array([3.0, 4.0, 5.0])
    p, q = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(2))
    p.grad, q.grad = minidl.Tensor._make(base[:2]), minidl.Tensor._make(base[1:])
    with pytest.raises(RuntimeError, match="clip_grad_norm_: two gradients .* overlap"):
        clip_grad_norm_([p, q], 1.0)
    np.testing.assert_array_equal(base, [3.0, 4.0, 5.0])
    # views that do not overlap (two halves of one buffer) are fine
    base = np.array([3.0, 4.0, 0.0, 0.0])
    p.grad, q.grad = minidl.Tensor._make(base[:2]), minidl.Tensor._make(base[2:])
    clip_grad_norm_([p, q], 1.0)
    np.testing.assert_allclose(base, [3 / (5 + EPS), 4 / (5 + EPS), 0, 0], rtol=1e-15)


def test_a_read_only_gradient_is_refused_with_the_fix():
    p = nn.Parameter(np.zeros((2, 3)))
    p.grad = minidl.tensor([1.0, 2.0, 3.0], dtype=np.float64).expand(2, 3)  # a read-only view
    for clip in (lambda: clip_grad_norm_(p, 0.1), lambda: clip_grad_value_(p, 0.1)):
        with pytest.raises(RuntimeError, match=r"read-only .* p\.grad = p\.grad\.clone\(\)"):
            clip()
    p.grad = p.grad.clone()
    clip_grad_value_(p, 0.1)
    np.testing.assert_array_equal(p.grad.data, np.full((2, 3), 0.1))


def test_clipping_counts_as_an_in_place_write_for_autograd():
    # a graph that saved a gradient's array before the clipping cannot backward through it
    p = _param([3.0, 4.0])
    w = minidl.tensor([1.0, 1.0], dtype=np.float64, requires_grad=True)
    y = (w * p.grad).sum()  # Mul saves p.grad's array for dy/dw
    clip_grad_norm_(p, 1.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


# ----- non-finite norms ---------------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_error_if_nonfinite_refuses_and_changes_nothing(bad, norm_type):
    a, b = _param([1.0, bad]), _param([3.0, 4.0])
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_: .*non-finite"):
        clip_grad_norm_([a, b], 1.0, norm_type=norm_type, error_if_nonfinite=True)
    np.testing.assert_array_equal(a.grad.data, [1.0, bad])
    np.testing.assert_array_equal(b.grad.data, [3.0, 4.0])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_a_nan_norm_makes_every_gradient_nan_as_in_pytorch(norm_type):
    a, b = _param([1.0, math.nan], np.float32), _param([3.0, 4.0], np.float32)
    norm = clip_grad_norm_([a, b], 1.0, norm_type=norm_type)
    assert math.isnan(norm.item())
    assert np.isnan(a.grad.data).all() and np.isnan(b.grad.data).all()
    assert a.grad.dtype == np.float32


def test_an_inf_norm_zeroes_finite_entries_and_makes_inf_ones_nan_as_in_pytorch():
    a, b = _param([1.0, math.inf]), _param([3.0, -4.0])
    norm = clip_grad_norm_([a, b], 1.0)  # c = 1 / inf = 0
    assert norm.item() == math.inf
    np.testing.assert_array_equal(a.grad.data, [0.0, math.nan])
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.0])  # -4 · 0 is -0.0, equal to 0


def test_a_finite_norm_is_fine_with_error_if_nonfinite():
    p = _param([3.0, 4.0])
    assert clip_grad_norm_(p, 1.0, error_if_nonfinite=True).item() == pytest.approx(5.0)


# ----- clip_grad_value_ ---------------------------------------------------------------------
def test_clip_grad_value_clamps_every_element_in_place_and_returns_none():
    params = _params(np.float32, scale=3.0)
    arrays = [p.grad.data for p in params]
    before = _grads(params)
    assert max(np.abs(g).max() for g in before) > 1.5  # something is clipped

    assert clip_grad_value_(params, 1.5) is None

    for p, a, g in zip(params, arrays, before):
        assert p.grad.data is a and a.dtype == np.float32
        np.testing.assert_array_equal(a, np.minimum(np.maximum(g, -1.5), 1.5))
        assert (-1.5 <= a).all() and (a <= 1.5).all()


def test_clip_grad_value_keeps_nan_and_clamps_inf():
    p = _param([math.nan, math.inf, -math.inf, 0.25])
    clip_grad_value_([p], 1)
    np.testing.assert_array_equal(p.grad.data, [math.nan, 1.0, -1.0, 0.25])


def test_clip_grad_value_with_a_generator():
    params = _params()
    clip_grad_value_((p for p in params), 0.0)
    for p in params:
        assert not p.grad.data.any()


# ----- arguments ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"max_norm": "1"}, TypeError, r"max_norm must be a real number >= 0, got '1' \(str\)"),
        ({"max_norm": None}, TypeError, "max_norm must be a real number >= 0, got None"),
        ({"max_norm": True}, TypeError, "max_norm must be a real number >= 0, got True"),
        ({"max_norm": [1.0]}, TypeError, r"max_norm must be .*got \[1\.0\]"),
        ({"max_norm": -1.0}, ValueError, r"max_norm must be a real number >= 0 .*got -1\.0"),
        ({"max_norm": math.nan}, ValueError, "max_norm must be a real number >= 0 .*got nan"),
        ({"norm_type": 0}, ValueError, r"norm_type must be a positive real number or inf, got 0"),
        ({"norm_type": -2}, ValueError, r"norm_type must be a positive .*got -2"),
        ({"norm_type": -math.inf}, ValueError, "norm_type must be a positive .*got -inf"),
        ({"norm_type": math.nan}, ValueError, "norm_type must be a positive .*got nan"),
        ({"norm_type": "two"}, TypeError, r"norm_type must be a positive .*got 'two' \(str\)"),
        ({"norm_type": None}, TypeError, "norm_type must be a positive .*got None"),
        ({"norm_type": False}, TypeError, "norm_type must be a positive .*got False"),
    ],
)
def test_clip_grad_norm_refuses_bad_numbers_naming_them(kwargs, error, message):
    p = _param([3.0, 4.0])
    args = {"max_norm": 1.0, **kwargs}
    with pytest.raises(error, match="^clip_grad_norm_: " + message):
        clip_grad_norm_([p], **args)
    np.testing.assert_array_equal(p.grad.data, [3.0, 4.0])


@pytest.mark.parametrize(
    "value, error",
    [("0.5", TypeError), (None, TypeError), (True, TypeError), (-0.5, ValueError)]
    + [(math.nan, ValueError)],
)
def test_clip_grad_value_refuses_bad_numbers_naming_them(value, error):
    p = _param([3.0, 4.0])
    with pytest.raises(error, match=rf"^clip_grad_value_: clip_value must be .*got {value!r}"):
        clip_grad_value_(p, value)
    np.testing.assert_array_equal(p.grad.data, [3.0, 4.0])


def test_numpy_numbers_are_accepted():
    p = _param([3.0, 4.0])
    norm = clip_grad_norm_(p, np.float32(1.0), norm_type=np.int64(2))
    assert norm.item() == pytest.approx(5.0)
    clip_grad_value_(p, np.float64(0.5))


@pytest.mark.parametrize("fn", [clip_grad_norm_, clip_grad_value_])
def test_bad_parameters_are_refused_before_anything_changes(fn):
    name = fn.__name__
    with pytest.raises(TypeError, match=f"^{name}: parameters must be a Tensor or an iterable"):
        fn(5, 1.0)
    good = _param([3.0, 4.0])
    with pytest.raises(TypeError, match=f"^{name}: parameters must be tensors, got int at pos"):
        fn([good, 1], 1.0)
    with pytest.raises(TypeError, match=f"^{name}: parameters must be tensors, got dict"):
        fn([{"params": [good]}], 1.0)  # optimizer-style groups are not taken
    np.testing.assert_array_equal(good.grad.data, [3.0, 4.0])
    bad = nn.Parameter(np.zeros(2))
    bad.grad = np.array([1.0, 2.0])  # an ndarray, not a Tensor
    with pytest.raises(TypeError, match=f"^{name}: the .grad of parameter 1 is a ndarray"):
        fn([good, bad], 1.0)
    bad.grad = minidl.tensor([1, 2])
    with pytest.raises(TypeError, match=f"^{name}: the .grad of parameter 1 has dtype int64"):
        fn([good, bad], 1.0)
    np.testing.assert_array_equal(good.grad.data, [3.0, 4.0])


def test_importable_as_in_pytorch():
    assert minidl.nn.utils.clip_grad_norm_ is clip_grad_norm_
    assert nn.utils.clip_grad_value_ is clip_grad_value_
    assert "utils" in nn.__all__


# ----- in training ----------------------------------------------------------------------------
class _Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 8, num_layers=2, batch_first=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def test_with_an_lstm_and_linear_model_after_backward():
    minidl.manual_seed(0)
    model = _Classifier()
    rng = np.random.default_rng(1)
    x = minidl.tensor(rng.standard_normal((5, 7, 4)).astype(np.float32))
    y = minidl.tensor(rng.integers(0, 3, 5))
    nn.CrossEntropyLoss()(model(x), y).backward()
    params = list(model.parameters())
    assert all(p.grad is not None for p in params) and len(params) == 10
    before = _grads(params)
    arrays = [p.grad.data for p in params]
    total = _norm(before)
    max_norm = total / 10

    norm = clip_grad_norm_(model.parameters(), max_norm)

    assert norm.dtype == np.float32
    np.testing.assert_allclose(norm.item(), total, rtol=1e-6)
    for p, a, g in zip(params, arrays, before):
        assert p.grad.data is a and a.dtype == np.float32
        np.testing.assert_allclose(a, g * (max_norm / (total + EPS)), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(_norm(_grads(params)), max_norm, rtol=1e-5)

    # the optimizer steps with the clipped gradients: p ← p − lr · c · g
    weights = [p.data.copy() for p in params]
    minidl.optim.SGD(model.parameters(), lr=0.1).step()
    for p, w, a in zip(params, weights, arrays):
        np.testing.assert_allclose(p.data, w - 0.1 * a, rtol=1e-5, atol=1e-7)

    # the next step's backward and clipping work as usual
    model.zero_grad()
    nn.CrossEntropyLoss()(model(x), y).backward()
    clip_grad_value_(model.parameters(), 1e-3)
    assert all(np.abs(p.grad.data).max() <= 1e-3 for p in model.parameters())


# ----- against PyTorch, where it is installed ---------------------------------------------------
def _torch_param(torch, grad):
    """A torch leaf whose .grad is a copy of ``grad`` (an ndarray, dtype kept)."""
    t = torch.zeros(grad.shape, dtype=getattr(torch, grad.dtype.name), requires_grad=True)
    t.grad = torch.from_numpy(grad.copy())
    return t


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.1, 1e3])
def test_matches_pytorch(dtype, norm_type, max_norm):
    torch = pytest.importorskip("torch")
    params = _params(dtype, scale=2.0)
    theirs = [_torch_param(torch, g) for g in _grads(params)]
    mine_norm = clip_grad_norm_(params, max_norm, norm_type)
    their_norm = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert mine_norm.dtype == their_norm.numpy().dtype
    np.testing.assert_allclose(mine_norm.item(), their_norm.item(), rtol=rtol)
    for p, t in zip(params, theirs):
        assert p.grad.dtype == t.grad.numpy().dtype
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=rtol)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_non_finite_norms_and_clip_grad_value_match_pytorch(bad, norm_type):
    torch = pytest.importorskip("torch")
    mine = [_param([1.0, bad]), _param([3.0, -4.0])]
    theirs = [_torch_param(torch, p.grad.data) for p in mine]
    norm = clip_grad_norm_(mine, 1.0, norm_type)
    their = torch.nn.utils.clip_grad_norm_(theirs, 1.0, norm_type)
    np.testing.assert_array_equal(norm.item(), their.item())
    for p, t in zip(mine, theirs):
        np.testing.assert_array_equal(p.grad.data, t.grad.numpy())

    mine = [_param([bad, 2.0, -3.0, 0.5])]
    theirs = [_torch_param(torch, p.grad.data) for p in mine]
    clip_grad_value_(mine, 1.0)
    torch.nn.utils.clip_grad_value_(theirs, 1.0)
    np.testing.assert_array_equal(mine[0].grad.data, theirs[0].grad.numpy())
