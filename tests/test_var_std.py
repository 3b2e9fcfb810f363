"""var and std: PyTorch 2.x semantics (correction, dim, keepdim), gradients, dtypes, refusals."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import arrays, gradcheck, leaf, shape_and_dim

import minidl

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4, 5))


def test_hand_worked_value():
    # mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; 5 / (4 - 1) = 5/3
    x = minidl.tensor([1.0, 2.0, 3.0, 4.0], dtype=minidl.float64)
    assert minidl.var(x).item() == pytest.approx(5 / 3)
    assert minidl.std(x).item() == pytest.approx((5 / 3) ** 0.5)
    assert x.var(correction=0).item() == pytest.approx(5 / 4)
    assert x.std(correction=0).item() == pytest.approx((5 / 4) ** 0.5)


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 2), (2, 0), [1, 2], ()])
@pytest.mark.parametrize("correction", [0, 1, 2, 0.5])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matches_the_textbook_formula(dim, correction, keepdim):
    x = minidl.tensor(A, dtype=minidl.float64)
    axis = None if dim in (None, ()) else (dim if isinstance(dim, int) else tuple(dim))
    want = np.var(A, axis=axis, ddof=correction, keepdims=keepdim)
    got = minidl.var(x, dim, correction=correction, keepdim=keepdim)
    assert got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    got = x.std(dim, correction=correction, keepdim=keepdim)
    np.testing.assert_allclose(got.numpy(), np.sqrt(want), rtol=1e-12)


def test_shapes():
    x = minidl.tensor(A)
    assert x.var().shape == ()
    assert x.var(1).shape == (3, 5)
    assert x.var(1, keepdim=True).shape == (3, 1, 5)
    assert x.std((0, 2)).shape == (4,)
    assert x.std(keepdim=True).shape == (1, 1, 1)


def test_unbiased_alias():
    x = minidl.tensor(A, dtype=minidl.float64)
    np.testing.assert_allclose(x.var(1, unbiased=True).numpy(), np.var(A, 1, ddof=1))
    np.testing.assert_allclose(x.std(1, unbiased=False).numpy(), np.std(A, 1, ddof=0))
    with pytest.raises(TypeError, match="either correction or unbiased"):
        x.var(unbiased=False, correction=2)
    with pytest.raises(TypeError, match="unbiased must be True or False"):
        x.var(unbiased=1)
    with pytest.raises(TypeError, match="correction must be a real number"):
        x.var(correction="1")


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize(
    "dim, correction, keepdim",
    [(1, 1, False), (None, 1, False), ((0, 2), 1, True), (-1, 0, False), (None, 0, True)],
)
def test_gradient_by_gradcheck(op, dim, correction, keepdim):
    fn = getattr(minidl, op)
    assert gradcheck(
        lambda t: fn(t, dim, correction=correction, keepdim=keepdim), (leaf(A[:, :3, :2]),)
    )


@pytest.mark.parametrize("op", ["var", "std"])
@given(
    sd=shape_and_dim(min_dims=0),
    correction=st.sampled_from([0, 1]),
    keepdim=st.booleans(),
    data=st.data(),
)
def test_values_and_gradient_over_hypothesis_shapes(op, sd, correction, keepdim, data):
    shape, dim = sd
    axes = range(len(shape)) if dim is None else [dim] if isinstance(dim, int) else dim
    assume(int(np.prod([shape[d] for d in axes])) - correction > 0)
    x = data.draw(arrays(shape))
    axis = None if dim is None else (dim if isinstance(dim, int) else tuple(dim))
    want = np.var(x, axis=axis, ddof=correction, keepdims=keepdim)
    assume(op == "var" or np.min(want) > 1e-2)  # √ is steep near 0: keep the check well-posed
    fn = getattr(minidl, op)
    out = fn(leaf(x), dim, correction=correction, keepdim=keepdim)
    assert out.shape == want.shape
    np.testing.assert_allclose(out.data, want if op == "var" else np.sqrt(want), rtol=1e-10)
    assert gradcheck(lambda t: fn(t, dim, correction=correction, keepdim=keepdim), (leaf(x),))


def test_backward_of_var_is_two_deviations_over_n_minus_correction():
    # d/dx Σ (x − m)² / (N − c) = 2 (x − m) / (N − c): x = [1, 2, 3, 4] → [-1.5, -.5, .5, 1.5]·2/3
    x = leaf([1.0, 2.0, 3.0, 4.0])
    x.var().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-1.0, -1 / 3, 1 / 3, 1.0])


def test_float32_stays_float32():
    x = minidl.tensor(A, dtype=minidl.float32, requires_grad=True)
    for y in (x.var(1), x.std(), minidl.var(x, (0, 1), correction=0, keepdim=True)):
        assert y.dtype == np.float32
    x.std(1).sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("op", ["var", "std"])
def test_integers_are_refused_like_mean(op):
    # mean refuses integer tensors (as PyTorch's var/std do): no silent cast
    with pytest.raises(TypeError, match=rf"{op}: expected a float tensor, got dtype int64"):
        getattr(minidl, op)(minidl.tensor([1, 2, 3, 4]))


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize(
    "shape, dim, correction",
    [((3, 1), 1, 1), ((), None, 1), ((2,), None, 2), ((4, 0), 1, 0), ((0,), None, 1)],
)
def test_no_degrees_of_freedom_is_refused(op, shape, dim, correction):
    x = minidl.zeros(*shape)
    with pytest.raises(ValueError, match=rf"{op}: .*shape {re_shape(shape)} over dim {dim}"):
        getattr(minidl, op)(x, dim, correction=correction)


def re_shape(shape):
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


def test_refusal_message_names_everything():
    with pytest.raises(ValueError) as e:
        minidl.tensor([[1.0], [2.0]]).var(1)
    msg = str(e.value)
    assert msg.startswith("var: ")
    for part in ["shape (2, 1)", "dim 1", "N = 1", "correction=1", "N − correction = 0"]:
        assert part in msg


@pytest.mark.parametrize("op", ["var", "std"])
def test_bad_dims(op):
    fn = getattr(minidl, op)
    x = minidl.tensor(A)
    with pytest.raises(IndexError, match=rf"{op}: dim 3 out of range"):
        fn(x, 3)
    with pytest.raises(ValueError, match=rf"{op}: dim \(0, 0\) repeats an axis"):
        fn(x, (0, 0))
    with pytest.raises(TypeError, match=rf"{op}: dim must be an int or a tuple of ints"):
        fn(x, 1.0)
    with pytest.raises(TypeError, match=rf"{op}: dim must be an int or a tuple of ints"):
        fn(x, True)
