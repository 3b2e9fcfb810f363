"""F.pad, F.normalize and F.cosine_similarity: layouts by hand, formulas in NumPy, torch."""

import numpy as np
import pytest
from strategies import gradcheck

import minidl
import minidl.nn.functional as F

ROW = minidl.tensor([1.0, 2.0, 3.0, 4.0])


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("constant", [9, 9, 1, 2, 3, 4, 9, 9]),
        ("reflect", [3, 2, 1, 2, 3, 4, 3, 2]),
        ("replicate", [1, 1, 1, 2, 3, 4, 4, 4]),
        ("circular", [3, 4, 1, 2, 3, 4, 1, 2]),
    ],
)
def test_each_mode_lays_out_the_edges_as_documented(mode, expected):
    value = 9.0 if mode == "constant" else None
    assert F.pad(ROW, (2, 2), mode=mode, value=value).tolist() == expected


def test_pad_order_is_last_dim_first_and_negative_amounts_crop():
    x = minidl.arange(6.0).reshape(2, 3)
    y = F.pad(x, (1, 0, 0, 1))  # last dim: 1 left; the dim before it: 1 below
    assert y.tolist() == [[0, 0, 1, 2], [0, 3, 4, 5], [0, 0, 0, 0]]
    assert F.pad(x, (-1, 0)).tolist() == [[1, 2], [4, 5]]


def test_a_padded_copy_passes_its_gradient_to_the_element_it_copies():
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    F.pad(x, (2, 1), mode="replicate").sum().backward()  # 1 1 1 2 3 3
    assert x.grad.tolist() == [3.0, 1.0, 2.0]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_gradcheck(mode):
    x = minidl.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode), (x,))


def test_pad_bad_input_is_named():
    with pytest.raises(ValueError, match="pad: pad must be a tuple of ints"):
        F.pad(ROW, (1,))
    with pytest.raises(ValueError, match="mode must be one of"):
        F.pad(ROW, (1, 1), mode="wrap")
    with pytest.raises(ValueError, match="reflect padding of \\(4, 0\\) needs each amount smaller"):
        F.pad(ROW, (4, 0), mode="reflect")
    with pytest.raises(ValueError, match="value is only for mode='constant'"):
        F.pad(ROW, (1, 1), mode="replicate", value=1.0)


def test_normalize_and_cosine_similarity_are_the_formulas():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    n = F.normalize(minidl.tensor(a), dim=1)
    np.testing.assert_allclose(n.data, a / np.linalg.norm(a, axis=1, keepdims=True))
    n1 = F.normalize(minidl.tensor(a), p=1, dim=0)
    np.testing.assert_allclose(n1.data, a / np.abs(a).sum(axis=0, keepdims=True))
    c = F.cosine_similarity(minidl.tensor(a), minidl.tensor(b))
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(c.data, cos)
    # a zero vector: divided by eps, not by 0 (no NaN), as PyTorch
    assert F.normalize(minidl.zeros(2, 3)).tolist() == [[0.0] * 3] * 2
    assert F.cosine_similarity(minidl.zeros(1, 3), minidl.ones(1, 3)).tolist() == [0.0]


def test_normalize_and_cosine_similarity_gradcheck():
    rng = np.random.default_rng(2)
    a = minidl.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = minidl.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.normalize(t, dim=1), (a,))
    assert gradcheck(lambda s, t: F.cosine_similarity(s, t, dim=1), (a, b))


def test_pad_normalize_cosine_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((1, 2, 5)), rng.standard_normal((1, 2, 5))
    for mode in ("constant", "reflect", "replicate", "circular"):
        mine = F.pad(minidl.tensor(x), (2, 3), mode=mode).data
        theirs = torch.nn.functional.pad(torch.tensor(x), (2, 3), mode=mode).numpy()
        np.testing.assert_allclose(mine, theirs)
    tx, ty = torch.tensor(x), torch.tensor(y)
    np.testing.assert_allclose(
        F.normalize(minidl.tensor(x), dim=2).data, torch.nn.functional.normalize(tx, dim=2)
    )
    np.testing.assert_allclose(
        F.cosine_similarity(minidl.tensor(x), minidl.tensor(y), dim=2).data,
        torch.nn.functional.cosine_similarity(tx, ty, dim=2),
    )


@pytest.mark.parametrize("amounts", [(-2, -2), (-4, 1), (-4, 4), (0, -4)])
def test_a_crop_past_the_dims_size_is_an_error(amounts):
    with pytest.raises(
        ValueError, match=r"pad: pad \(-?\d+, -?\d+\) crops \d elements from dim 1 of size 3"
    ):
        F.pad(minidl.ones(2, 3), amounts)


def test_a_crop_past_an_earlier_dims_size_names_that_dim():
    with pytest.raises(ValueError, match=r"crops 3 elements from dim 0 of size 2"):
        F.pad(minidl.ones(2, 3), (0, 0, -1, -2))


@pytest.mark.parametrize(
    "amounts, shape", [((-3, 0), (2, 0)), ((-1, -2), (2, 0)), ((-3, 3), (2, 3))]
)
def test_a_crop_to_exactly_nothing_is_allowed_as_in_torch(amounts, shape):
    y = F.pad(minidl.ones(2, 3), amounts, value=5.0)
    assert y.shape == shape
    assert y.tolist() == [[5.0] * shape[1]] * 2
