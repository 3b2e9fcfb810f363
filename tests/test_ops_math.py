"""sin, cos, prod, cumsum, norm (p = 2, 1, ∞) and allclose.

Expected values come from closed forms, hand-worked numbers or NumPy's own
functions (np.sin, np.prod, np.cumsum, np.linalg.norm), never from minidl;
gradients from central differences (``gradcheck``) or worked by hand.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, distinct, gradcheck, leaf, raises, shape_and_dim, shapes

import minidl

INF = float("inf")


def _np_axis(dim):
    return dim if dim is None or isinstance(dim, int) else tuple(dim)


def _grad(fn, x, upstream=None):
    """x's gradient of sum(fn(x) * upstream) (upstream defaults to ones), as a NumPy array."""
    t = leaf(x)
    y = fn(t)
    (y.sum() if upstream is None else (y * leaf(upstream).detach()).sum()).backward()
    return t.grad.data


# ----- sin, cos ----------------------------------------------------------------


def test_sin_cos_at_angles_known_by_hand():
    x = minidl.tensor([0.0, math.pi / 6, math.pi / 2, math.pi], dtype=np.float64)
    np.testing.assert_allclose(minidl.sin(x).data, [0.0, 0.5, 1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(minidl.cos(x).data, [1.0, math.sqrt(3) / 2, 0.0, -1.0], atol=1e-15)
    np.testing.assert_array_equal(x.sin().data, minidl.sin(x).data)
    np.testing.assert_array_equal(x.cos().data, minidl.cos(x).data)


@pytest.mark.parametrize(
    "op, ref, slope",
    [
        (minidl.sin, np.sin, np.cos),
        (minidl.cos, np.cos, lambda v: -np.sin(v)),
    ],
    ids=["sin", "cos"],
)
@given(x=shapes().flatmap(lambda s: arrays(s, -7.0, 7.0)))
def test_sin_cos_values_and_gradients(op, ref, slope, x):
    np.testing.assert_allclose(op(leaf(x)).data, ref(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(_grad(op, x), slope(x), rtol=1e-12, atol=1e-15)  # closed form
    assert gradcheck(op, (leaf(x),))


def test_sin_cos_of_integers_and_bools_are_the_default_float_like_tanh():
    for op in (minidl.sin, minidl.cos):
        assert op(minidl.tensor([1, 2])).dtype == np.float32
        assert op(minidl.tensor([True, False])).dtype == np.float32
    assert minidl.tensor([1, 2]).sin().dtype == np.float32
    assert minidl.tensor([1, 2]).cos().dtype == np.float32
    np.testing.assert_allclose(minidl.sin([0, 1]).data, [0.0, math.sin(1.0)], rtol=1e-6)


# ----- prod --------------------------------------------------------------------


@given(
    sd=shape_and_dim(min_dims=0, allow_tuple=False),
    keepdim=st.booleans(),
    data=st.data(),
)
def test_prod_values_and_gradient_match_numpy_and_central_difference(sd, keepdim, data):
    shape, dim = sd
    x = data.draw(arrays(shape, -2.0, 2.0))
    out = minidl.prod(leaf(x), dim, keepdim)
    expected = np.prod(x, axis=dim, keepdims=keepdim)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-300)
    assert gradcheck(lambda t: t.prod(dim, keepdim), (leaf(x),))


def _prod_of_others_by_loops(x, axis):
    """∂(Π x)/∂xᵢ = product of the other elements of xᵢ's slice, one element at a time."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    out = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        row, i = x[idx[:-1]], idx[-1]
        out[idx] = np.prod(np.delete(row, i))
    return np.moveaxis(out, -1, axis)


@given(
    shape=shapes(min_dims=1),
    data=st.data(),
)
def test_prod_gradient_with_zeros_is_the_product_of_the_others(shape, data):
    x = data.draw(arrays(shape, -2.0, 2.0))
    zeros = data.draw(st.lists(st.integers(0, x.size - 1), max_size=3))
    x.reshape(-1)[zeros] = 0.0  # 0, 1, 2 or 3 zeros, maybe in one slice
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    expected = _prod_of_others_by_loops(x, dim % x.ndim)
    np.testing.assert_allclose(_grad(lambda t: minidl.prod(t, dim), x), expected, rtol=1e-12)
    # Π is linear in each element, so the central difference is exact there too
    assert gradcheck(lambda t: minidl.prod(t, dim), (leaf(x),))
    everything = _prod_of_others_by_loops(x.reshape(-1), 0).reshape(x.shape)
    np.testing.assert_allclose(_grad(minidl.prod, x), everything, rtol=1e-12)


def test_prod_gradients_with_zeros_worked_by_hand():
    # one zero: the zero gets the product of the others, every other element 0
    np.testing.assert_array_equal(_grad(minidl.prod, [2.0, 0.0, 3.0, 4.0]), [0, 24, 0, 0])
    # two zeros: every gradient in the slice is 0
    np.testing.assert_array_equal(_grad(minidl.prod, [0.0, 5.0, 0.0, 2.0]), [0, 0, 0, 0])
    # per row along dim 1: one zero, two zeros, none (12 = 3·4, 8 = 2·4, 6 = 2·3)
    x = [[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [2.0, 3.0, 4.0]]
    np.testing.assert_array_equal(_grad(lambda t: t.prod(1), x), [[0, 3, 0], [0, 0, 0], [12, 8, 6]])
    # along dim 0 with upstream [1, 10, 100]: column 0 has one zero, 1 two, 2 none
    np.testing.assert_array_equal(
        _grad(lambda t: t.prod(0), x, upstream=[1.0, 10.0, 100.0]),
        [[0, 0, 800], [2, 0, 1200], [0, 0, 600]],
    )
    # the whole tensor holds three zeros: all 0; one zero: the product of the other 8
    np.testing.assert_array_equal(_grad(minidl.prod, x), np.zeros((3, 3)))
    x1 = [[1.0, 2.0, 3.0], [0.0, 1.0, 2.0], [2.0, 3.0, 4.0]]
    np.testing.assert_array_equal(
        _grad(minidl.prod, x1), [[0, 0, 0], [288, 0, 0], [0, 0, 0]]
    )  # 288 = 1·2·3·1·2·2·3·4


def test_prod_without_zeros_gradient_is_y_over_x_by_hand():
    # Π = 1·5·3·2·3·4 = 360; dΠ/dxᵢ = 360 / xᵢ here (no zero), worked by hand
    x = [[1.0, 5.0, 3.0], [2.0, 3.0, 4.0]]
    assert minidl.prod(minidl.tensor(x)).item() == 360.0
    np.testing.assert_array_equal(_grad(minidl.prod, x), [[360, 72, 120], [180, 120, 90]])


def test_prod_keepdim_empty_and_zero_d():
    x = minidl.tensor([[2.0, 3.0], [4.0, 5.0]])
    np.testing.assert_array_equal(x.prod(1, keepdim=True).data, [[6.0], [20.0]])
    np.testing.assert_array_equal(x.prod(-2).data, [8.0, 15.0])
    assert x.prod(keepdim=True).shape == (1, 1) and x.prod(keepdim=True).item() == 120.0
    assert minidl.prod(minidl.zeros(2, 0)).item() == 1.0  # the empty product
    np.testing.assert_array_equal(minidl.prod(minidl.zeros(2, 0), 1).data, [1.0, 1.0])
    s = leaf(3.0)
    y = minidl.prod(s, 0)  # a 0-d tensor takes dim 0 or -1, as in PyTorch
    y.backward()
    assert y.item() == 3.0 and s.grad.item() == 1.0


def test_prod_of_integers_and_bools_is_int64_as_in_pytorch():
    for dtype in (np.int32, np.uint8, np.int16, np.int64):
        x = minidl.tensor([[2, 3], [200, 5]], dtype=dtype)
        out = x.prod(1)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.data, [6, 1000])  # 1000 would wrap in uint8
    b = minidl.prod(minidl.tensor([True, True, False]))
    assert b.dtype == np.int64 and b.item() == 0


def test_prod_errors_name_the_op_and_what_was_expected():
    x = minidl.ones(2, 3)
    with raises(TypeError, "prod: dim must be one int or None", "(0, 1)"):
        minidl.prod(x, (0, 1))
    with raises(IndexError, "prod: dim 2 out of range", "expected -2 .. 1"):
        x.prod(2)
    with raises(TypeError, "prod: dim must be one int or None"):
        x.prod(1.0)


# ----- cumsum ------------------------------------------------------------------


@given(sd=shape_and_dim(min_dims=1, allow_none=False, allow_tuple=False), data=st.data())
def test_cumsum_values_and_gradient_match_numpy_and_central_difference(sd, data):
    shape, dim = sd
    x = data.draw(arrays(shape))
    out = minidl.cumsum(leaf(x), dim)
    np.testing.assert_allclose(out.data, np.cumsum(x, axis=dim), rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: t.cumsum(dim), (leaf(x),))
    # dL/dxⱼ = Σ_{i≥j} gᵢ: the upstream gradient summed from the end
    g = data.draw(arrays(shape))
    reverse = np.flip(np.cumsum(np.flip(g, dim), axis=dim), dim)
    np.testing.assert_allclose(
        _grad(lambda t: minidl.cumsum(t, dim), x, upstream=g), reverse, rtol=1e-12, atol=1e-12
    )


def test_cumsum_by_hand():
    x = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(x.cumsum(1).data, [[1, 3, 6], [4, 9, 15]])
    np.testing.assert_array_equal(x.cumsum(-2).data, [[1, 2, 3], [5, 7, 9]])
    # y = [x₀, x₀+x₁, x₀+x₁+x₂] with upstream [1, 10, 100]: dx = [111, 110, 100]
    grad = _grad(lambda t: t.cumsum(0), [0.5, 1.0, 2.0], upstream=[1.0, 10.0, 100.0])
    np.testing.assert_array_equal(grad, [111.0, 110.0, 100.0])


def test_cumsum_of_a_zero_d_tensor_and_of_integers():
    s = leaf(3.0)
    y = minidl.cumsum(s, -1)  # PyTorch allows dim 0 or -1 on a 0-d tensor
    y.backward()
    assert y.shape == () and y.item() == 3.0 and s.grad.item() == 1.0
    for x in (minidl.tensor([1, 2, 3], dtype=np.int32), minidl.tensor([True, True, False])):
        out = minidl.cumsum(x, 0)
        assert out.dtype == np.int64
    np.testing.assert_array_equal(minidl.tensor([True, True, False]).cumsum(0).data, [1, 2, 2])


def test_cumsum_errors():
    x = minidl.ones(2, 3)
    with pytest.raises(TypeError, match="dim"):
        minidl.cumsum(x)  # dim is required, as in PyTorch
    with raises(IndexError, "cumsum: dim 2 out of range", "expected -2 .. 1"):
        x.cumsum(2)
    with raises(TypeError, "cumsum: dim must be one int", "(0, 1)"):
        x.cumsum((0, 1))


# ----- norm --------------------------------------------------------------------


def _ref_norm(x, p, dim, keepdim):
    a = np.abs(x)
    axis = _np_axis(dim)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdim))
    if p == 1:
        return np.sum(a, axis=axis, keepdims=keepdim)
    return np.max(a, axis=axis, keepdims=keepdim)


def _off_zero_and_ties(x, signs):
    """|x| pairwise ≥ 0.02 apart and ≥ 0.05 from 0, signs as drawn: off every kink."""
    return (distinct(np.abs(x)) + 0.05) * signs


@pytest.mark.parametrize("p", [2, 1, INF], ids=["p2", "p1", "pinf"])
@given(sd=shape_and_dim(min_dims=0), keepdim=st.booleans(), data=st.data())
def test_norm_values_and_gradient_match_numpy_and_central_difference(p, sd, keepdim, data):
    shape, dim = sd
    x = data.draw(arrays(shape))
    signs = data.draw(arrays(shape)) >= 0
    x = _off_zero_and_ties(x, np.where(signs, 1.0, -1.0))
    out = minidl.norm(leaf(x), p, dim, keepdim)
    expected = _ref_norm(x, p, dim, keepdim)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    assert gradcheck(lambda t: t.norm(p, dim, keepdim), (leaf(x),))


def test_norm_values_by_hand():
    v = minidl.tensor([3.0, -4.0])
    assert v.norm().item() == 5.0
    assert v.norm(2.0).item() == 5.0 and v.norm("fro").item() == 5.0
    assert v.norm(1).item() == 7.0
    assert v.norm(INF).item() == 4.0
    m = minidl.tensor([[3.0, 4.0], [-6.0, 8.0]])
    np.testing.assert_array_equal(minidl.norm(m, dim=1).data, [5.0, 10.0])
    np.testing.assert_array_equal(minidl.norm(m, 1, dim=0, keepdim=True).data, [[9.0, 12.0]])
    np.testing.assert_array_equal(minidl.norm(m, INF, dim=-1).data, [4.0, 8.0])
    assert minidl.norm(m, dim=(0, 1)).item() == pytest.approx(125.0**0.5, rel=1e-7)  # float32
    np.testing.assert_allclose(minidl.norm(m).item(), np.linalg.norm(m.data), rtol=1e-7)
    assert minidl.norm(minidl.zeros(0)).item() == 0.0


def test_norm_gradients_by_hand():
    # p = 2: x / ‖x‖ = [3, −4] / 5
    np.testing.assert_allclose(_grad(minidl.norm, [3.0, -4.0]), [0.6, -0.8], rtol=1e-15)
    # p = 1: sign(x), 0 at x = 0
    np.testing.assert_array_equal(_grad(lambda t: t.norm(1), [2.0, -1.0, 0.0]), [1, -1, 0])
    # p = ∞: sign(x) at the largest |x|, halved between the tie at |x| = 3
    np.testing.assert_array_equal(
        _grad(lambda t: t.norm(INF), [1.0, -3.0, 3.0, 0.0]), [0, -0.5, 0.5, 0]
    )


@pytest.mark.parametrize("p", [2, 1, INF], ids=["p2", "p1", "pinf"])
def test_norm_gradient_at_zero_is_zero_as_in_pytorch(p):
    # PyTorch gives 0 here for each p (checked by hand with torch 2.13); sqrt(Σx²) built
    # from ops would give 0/0 = NaN for p = 2
    np.testing.assert_array_equal(_grad(lambda t: t.norm(p), np.zeros(3)), np.zeros(3))
    # one zero row among non-zero ones: only that row's gradient is 0
    rows = [[0.0, 0.0], [3.0, 4.0]]
    expected = {2: [[0, 0], [0.6, 0.8]], 1: [[0, 0], [1, 1]], INF: [[0, 0], [0, 1]]}[p]
    np.testing.assert_allclose(_grad(lambda t: t.norm(p, 1), rows), expected, rtol=1e-15)


def test_norm_of_a_nan_slice_is_nan_and_warns_nothing():
    with np.errstate(all="raise"):
        y = minidl.norm(leaf([1.0, np.nan, 3.0]), INF)
    assert np.isnan(y.item())


def test_norm_errors_name_p_and_what_was_expected():
    x = minidl.ones(2, 3)
    for p in (3, 0, -INF, "nuc", True, None):
        with raises(ValueError, f"norm: p={p!r} is not supported", "expected 2"):
            x.norm(p)
    with raises(TypeError, "norm: expected a float tensor", "int64"):
        minidl.norm(minidl.tensor([3, 4]))
    with raises(IndexError, "norm: dim 3 out of range"):
        x.norm(dim=3)
    with raises(ValueError, "norm: cannot reduce dim 0 of length 0"):
        minidl.norm(minidl.zeros(0), INF)


# ----- float32 stays float32 -----------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        minidl.sin,
        minidl.cos,
        minidl.prod,
        lambda t: t.prod(1, keepdim=True),
        lambda t: minidl.cumsum(t, 1),
        minidl.norm,
        lambda t: t.norm(1, 0),
        lambda t: t.norm(INF, 1),
    ],
    ids=["sin", "cos", "prod", "prod dim", "cumsum", "norm2", "norm1", "norminf"],
)
def test_float32_in_float32_out_and_float32_gradient(fn):
    x = minidl.tensor([[0.5, -1.5, 2.0], [1.0, 0.25, -3.0]], requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_float32_gradient_at_zero_stays_float32_and_finite():
    for p in (2, 1, INF):
        x = minidl.zeros(2, 3, requires_grad=True)
        x.norm(p).backward()
        assert x.grad.dtype == np.float32 and not np.any(x.grad.data)
    x = minidl.tensor([1.0, 0.0, 2.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [0.0, 2.0, 0.0])


# ----- allclose ------------------------------------------------------------------


def test_allclose_follows_the_tolerance_formula():
    a = minidl.tensor([1.0, 100.0], dtype=np.float64)
    # |a − b| ≤ atol + rtol·|b|: 1e-5·100 = 1e-3 allowed at 100
    assert minidl.allclose(a, minidl.tensor([1.0, 100.0009], dtype=np.float64)) is True
    assert minidl.allclose(a, minidl.tensor([1.0, 100.0011], dtype=np.float64)) is False
    assert a.allclose(minidl.tensor([1.1, 100.0], dtype=np.float64), atol=0.2) is True
    assert a.allclose(minidl.tensor([1.1, 100.0], dtype=np.float64), rtol=0.0, atol=0.05) is False
    assert minidl.allclose(a, minidl.tensor([2.0, 200.0], dtype=np.float64), rtol=0.5) is True


def test_allclose_nan_inf_broadcasting_and_non_tensor_b():
    nan = minidl.tensor([1.0, float("nan")])
    assert minidl.allclose(nan, nan) is False
    assert minidl.allclose(nan, nan, equal_nan=True) is True
    inf = minidl.tensor([INF, -INF])
    assert minidl.allclose(inf, inf) is True
    assert minidl.allclose(inf, minidl.tensor([INF, INF])) is False
    assert minidl.allclose(minidl.ones(2, 3), minidl.ones(3)) is True
    assert minidl.ones(2, 3).allclose(1.0) is True
    assert minidl.ones(2).allclose([1.0, 1.0 + 1e-9]) is True
    assert minidl.ones(2).allclose(np.array([1.0, 2.0])) is False
    assert minidl.allclose(minidl.tensor([1, 2]), minidl.tensor([1, 2])) is True


def test_allclose_records_no_graph():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    assert minidl.allclose(x * 2, x + x) is True  # a plain bool: nothing to backward through


def test_allclose_errors():
    with raises(ValueError, "allclose: shapes (2, 3) and (2,) do not broadcast together"):
        minidl.allclose(minidl.ones(2, 3), minidl.ones(2))
    with raises(TypeError, "allclose: dtypes float32 and float64 differ"):
        minidl.ones(2).allclose(minidl.ones(2, dtype=np.float64))
    with raises(ValueError, "allclose: rtol must be a number ≥ 0", "-1"):
        minidl.allclose(minidl.ones(2), minidl.ones(2), rtol=-1)
    with raises(TypeError, "allclose: expected a Tensor as the first argument", "list"):
        minidl.allclose([1.0], minidl.ones(1))


# ----- extras against PyTorch (skipped where torch is missing, as in CI) ----------


def test_against_torch_where_installed():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [2.0, -3.0, 4.0]])
    cases = [
        (lambda m, t: m.prod(t, 1), None),
        (lambda m, t: m.prod(t), None),
        (lambda m, t: m.cumsum(t, 0), None),
        (lambda m, t: m.sin(t), None),
        (lambda m, t: m.cos(t), None),
        (lambda m, t: t.norm(), None),
        (lambda m, t: t.norm(p=1, dim=1), None),
        (lambda m, t: t.norm(p=INF, dim=0, keepdim=True), None),
        (lambda m, t: t.norm(dim=1), np.zeros((2, 3))),
        (lambda m, t: t.norm(p=INF), np.array([1.0, -3.0, 3.0, 0.0])),
    ]
    for fn, data in cases:
        d = x if data is None else data
        ours = leaf(d)
        y = fn(minidl, ours)
        y.sum().backward()
        theirs = torch.tensor(d, requires_grad=True)
        ty = fn(torch, theirs)
        ty.sum().backward()
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("p", [1, INF], ids=["p1", "pinf"])
def test_norm_gradient_at_a_nan_entry_is_zero_as_in_pytorch(p):
    # the norm is NaN; PyTorch's gradient is 0 at the NaN and the usual slope elsewhere
    x = leaf([np.nan, 1.0, -2.0])
    minidl.norm(x, p).backward()
    want = [0.0, 1.0, -1.0] if p == 1 else [0.0, 0.0, 0.0]
    np.testing.assert_array_equal(x.grad.data, want)


def test_cumsum_of_float32_is_summed_in_float64_and_rounded_once():
    # 100,000 × fl32(0.1) = 10000.000149…, which rounds to 10000 in float32; a running
    # float32 sum drifts to 9998.6
    x = minidl.full((100_000,), 0.1, dtype=np.float32)
    y = x.cumsum(0)
    assert y.dtype == np.float32
    exact = np.arange(1, 100_001) * float(np.float32(0.1))
    np.testing.assert_array_equal(y.data, exact.astype(np.float32))
