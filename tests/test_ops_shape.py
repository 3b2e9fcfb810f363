"""Shape ops move values unchanged; each gradient goes back to where its value came from."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, gradcheck, leaf, shapes

import minidl

nonscalar = shapes(min_dims=1)


@st.composite
def array_and_reshape(draw):
    x = draw(shapes().flatmap(arrays))
    flat = draw(st.permutations(list(_factors(x.size))))
    new = tuple(flat)
    if new and draw(st.booleans()):
        i = draw(st.integers(0, len(new) - 1))
        new = new[:i] + (-1,) + new[i + 1 :]
    return x, new


def _factors(n):
    out = []
    p = 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@given(args=array_and_reshape())
def test_reshape_and_view_grad_matches_central_difference(args):
    x, new = args
    np.testing.assert_array_equal(leaf(x).reshape(new).data, x.reshape(new))
    np.testing.assert_array_equal(leaf(x).view(*new).data, x.reshape(new))
    assert gradcheck(lambda t: t.reshape(new), (leaf(x),))
    assert gradcheck(lambda t: t.view(*new), (leaf(x),))


@given(x=shapes().flatmap(arrays))
def test_clone_copies_into_new_memory_and_its_grad_matches_central_difference(x):
    t = leaf(x)
    y = minidl.clone(t)
    np.testing.assert_array_equal(y.data, x)
    assert not np.shares_memory(y.data, t.data)
    assert y.grad_fn is not None
    assert gradcheck(lambda a: a.clone() * a, (leaf(x),))  # d(x·x)/dx = 2x via both paths


@given(x=shapes().flatmap(arrays), data=st.data())
def test_flatten_grad_matches_central_difference(x, data):
    if x.ndim:
        s = data.draw(st.integers(0, x.ndim - 1))
        e = data.draw(st.integers(s, x.ndim - 1))
    else:
        s, e = 0, -1
    out = leaf(x).flatten(s, e)
    expected = x.reshape(1) if x.ndim == 0 else x.reshape(x.shape[:s] + (-1,) + x.shape[e + 1 :])
    np.testing.assert_array_equal(out.data, expected)
    assert gradcheck(lambda t: t.flatten(s, e), (leaf(x),))


@given(x=nonscalar.flatmap(arrays), data=st.data())
def test_permute_transpose_and_T_grad_matches_central_difference(x, data):
    perm = tuple(data.draw(st.permutations(range(x.ndim))))
    d0, d1 = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(st.integers(0, x.ndim - 1))
    np.testing.assert_array_equal(leaf(x).permute(*perm).data, x.transpose(perm))
    np.testing.assert_array_equal(leaf(x).transpose(d0, d1).data, np.swapaxes(x, d0, d1))
    np.testing.assert_array_equal(leaf(x).T.data, x.T)
    assert gradcheck(lambda t: t.permute(perm), (leaf(x),))
    assert gradcheck(lambda t: t.transpose(d0, d1), (leaf(x),))
    assert gradcheck(lambda t: t.T, (leaf(x),))


@given(x=shapes(max_side=2).flatmap(arrays), data=st.data())
def test_squeeze_unsqueeze_grad_matches_central_difference(x, data):
    np.testing.assert_array_equal(leaf(x).squeeze().data, np.squeeze(x))
    assert gradcheck(lambda t: t.squeeze(), (leaf(x),))
    if x.ndim:
        d = data.draw(st.integers(-x.ndim, x.ndim - 1))
        expected = np.squeeze(x, d) if x.shape[d] == 1 else x
        np.testing.assert_array_equal(leaf(x).squeeze(d).data, expected)
        assert gradcheck(lambda t: t.squeeze(d), (leaf(x),))
    u = data.draw(st.integers(-x.ndim - 1, x.ndim))
    np.testing.assert_array_equal(leaf(x).unsqueeze(u).data, np.expand_dims(x, u))
    assert gradcheck(lambda t: t.unsqueeze(u), (leaf(x),))


@given(x=shapes(max_side=3).flatmap(arrays), data=st.data())
def test_expand_grad_matches_central_difference(x, data):
    lead = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    target = lead + tuple(data.draw(st.integers(1, 3)) if n == 1 else n for n in x.shape)
    out = leaf(x).expand(*target)
    np.testing.assert_array_equal(out.data, np.broadcast_to(x, target))
    assert gradcheck(lambda t: t.expand(*target), (leaf(x),))
    if x.ndim:  # -1 keeps an axis
        keep = lead + (-1,) * x.ndim
        assert leaf(x).expand(*keep).shape == lead + x.shape


@st.composite
def basic_index(draw, shape):
    """An index of ints, slices, None and Ellipsis valid for ``shape``."""
    parts = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "none_then_slice"]))
        if kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        else:
            start, stop = draw(st.integers(-n, n)), draw(st.integers(-n, n))
            step = draw(st.sampled_from([None, 1, 2, -1]))
            if kind == "none_then_slice":
                parts.append(None)
            parts.append(slice(start, stop, step))
    if parts and draw(st.booleans()):
        k = draw(st.integers(0, len(parts)))
        parts = parts[:k] + [Ellipsis]  # Ellipsis stands for the remaining axes
    return tuple(parts)


@given(x=shapes().flatmap(arrays), data=st.data())
def test_getitem_basic_grad_matches_central_difference(x, data):
    index = data.draw(basic_index(x.shape))
    np.testing.assert_array_equal(leaf(x)[index].data, x[index])
    assert gradcheck(lambda t: t[index], (leaf(x),))


@given(x=nonscalar.flatmap(arrays), data=st.data())
def test_getitem_integer_array_with_repeats_grad_matches_central_difference(x, data):
    n = x.shape[0]
    idx = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6)))
    np.testing.assert_array_equal(leaf(x)[idx].data, x[idx])
    assert gradcheck(lambda t: t[idx], (leaf(x),))
    assert gradcheck(lambda t: t[list(idx)], (leaf(x),))
    assert gradcheck(lambda t: t[tuple(idx),], (leaf(x),))  # a tuple inside: a sequence too


@given(x=nonscalar.flatmap(arrays), data=st.data())
def test_getitem_boolean_mask_grad_matches_central_difference(x, data):
    mask_shape = x.shape[: data.draw(st.integers(1, x.ndim))]
    mask = data.draw(arrays(mask_shape)) > 0
    np.testing.assert_array_equal(leaf(x)[mask].data, x[mask])
    assert gradcheck(lambda t: t[mask], (leaf(x),))
    assert gradcheck(lambda t: t[minidl.tensor(mask)], (leaf(x),))


def test_repeated_indices_accumulate_their_gradients():
    x = leaf([10.0, 20.0, 30.0])
    x[[0, 2, 0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 1.0])


@pytest.mark.parametrize(
    "index", [(slice(None), (1, 1)), ((0, 0),), (slice(None), range(1, 3))], ids=str
)
def test_a_tuple_or_range_inside_the_index_is_a_sequence_and_repeats_accumulate(index):
    # NumPy reads x[:, (1, 1)] as x[:, [1, 1]]: column 1 twice, so its gradient is 2
    x = leaf(np.arange(6.0).reshape(2, 3))
    as_lists = tuple(list(i) if isinstance(i, (tuple, range)) else i for i in index)
    np.testing.assert_array_equal(x[index].data, x.data[as_lists])
    x[index].sum().backward()
    expected = np.zeros((2, 3))
    np.add.at(expected, as_lists, 1.0)
    np.testing.assert_array_equal(x.grad.data, expected)


def test_two_integer_arrays_with_repeated_pairs_accumulate():
    x = leaf(np.zeros((3, 3)))
    x[np.array([1, 1, 2]), np.array([0, 0, 2])].sum().backward()
    expected = np.zeros((3, 3))
    expected[1, 0], expected[2, 2] = 2.0, 1.0
    np.testing.assert_array_equal(x.grad.data, expected)


@st.composite
def cat_args(draw, same_shape=False):
    base = list(draw(shapes(min_dims=1)))
    dim = draw(st.integers(-len(base), len(base) - 1))
    count = draw(st.integers(1, 3))
    xs = []
    for _ in range(count):
        s = list(base)
        if not same_shape:
            s[dim] = draw(st.integers(1, 3))
        xs.append(draw(arrays(tuple(s))))
    return xs, dim


@given(args=cat_args())
def test_cat_grad_matches_central_difference(args):
    xs, dim = args
    np.testing.assert_array_equal(
        minidl.cat([leaf(a) for a in xs], dim).data, np.concatenate(xs, dim)
    )
    assert gradcheck(lambda *ts: minidl.cat(list(ts), dim), tuple(leaf(a) for a in xs))


@given(args=cat_args(same_shape=True), data=st.data())
def test_stack_grad_matches_central_difference(args, data):
    xs, _ = args
    dim = data.draw(st.integers(-xs[0].ndim - 1, xs[0].ndim))
    np.testing.assert_array_equal(minidl.stack([leaf(a) for a in xs], dim).data, np.stack(xs, dim))
    assert gradcheck(lambda *ts: minidl.stack(list(ts), dim), tuple(leaf(a) for a in xs))


@given(x=nonscalar.flatmap(arrays), data=st.data())
def test_split_and_chunk_grad_matches_central_difference(x, data):
    d = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[d]
    size = data.draw(st.integers(1, n))
    pieces = leaf(x).split(size, d)
    bounds = list(range(size, n, size))
    for got, want in zip(pieces, np.split(x, bounds, axis=d), strict=True):
        np.testing.assert_array_equal(got.data, want)
    assert gradcheck(lambda t: t.split(size, d), (leaf(x),))
    chunks = data.draw(st.integers(1, 4))
    assert sum(p.shape[d] for p in leaf(x).chunk(chunks, d)) == n
    assert gradcheck(lambda t: t.chunk(chunks, d), (leaf(x),))
    sizes = [data.draw(st.integers(0, n))]
    sizes.append(n - sizes[0])
    assert gradcheck(lambda t: minidl.split(t, sizes, d), (leaf(x),))


@pytest.mark.parametrize("used", [0, 1, 2])
def test_split_with_one_output_used_gives_zeros_to_the_others(used):
    x = leaf(np.arange(6.0))
    parts = x.split(2)
    (parts[used] * 3.0).sum().backward()
    expected = np.zeros(6)
    expected[2 * used : 2 * used + 2] = 3.0
    np.testing.assert_array_equal(x.grad.data, expected)


def test_chunk_sizes_match_pytorch_rule():
    # ceil(n / chunks) per piece: 5 elements in 3 chunks -> 2, 2, 1
    assert [p.shape[0] for p in minidl.arange(5.0).chunk(3)] == [2, 2, 1]
    assert [p.shape[0] for p in minidl.arange(6.0).chunk(4)] == [2, 2, 2]


@given(x=shapes(min_dims=2).flatmap(arrays), data=st.data())
def test_getitem_mixed_integer_arrays_and_slices_grad_matches_central_difference(x, data):
    # an integer array (repeats allowed) on some axes, basic indices on the others
    index = []
    for n in x.shape:
        kind = data.draw(st.sampled_from(["array", "slice", "int"]))
        if kind == "array":
            index.append(
                np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2)))
            )
        elif kind == "slice":
            index.append(slice(data.draw(st.integers(0, n - 1)), None))
        else:
            index.append(data.draw(st.integers(-n, n - 1)))
    index = tuple(index)
    np.testing.assert_array_equal(leaf(x)[index].data, x[index])
    assert gradcheck(lambda t: t[index], (leaf(x),))


def test_permute_rejects_an_out_of_range_dim_instead_of_wrapping_it():
    # a 2-D tensor's dims are -2 .. 1 (PyTorch: IndexError); 3 used to pass as 3 % 2 = 1
    x = minidl.zeros(2, 3)
    with pytest.raises(IndexError, match=r"permute: dim 3 out of range .* \(expected -2 \.\. 1\)"):
        x.permute(0, 3)
    with pytest.raises(IndexError, match=r"permute: dim -3 out of range"):
        x.permute(-3, 1)
    with pytest.raises(TypeError, match="permute: dim must be one int, got True"):
        x.permute(0, True)
    # in range, a negative dim counts from the end: -2 is axis 0, so (1, -2) swaps the axes
    assert x.permute(1, -2).shape == (3, 2)


def test_cat_and_stack_promote_dtypes_as_pytorch_and_grads_keep_each_dtype():
    # PyTorch: a float tensor beats an integer one, so int64 with float32 is float32
    # (NumPy says float64); within one category the wider wins: uint8 with int8 is int16
    i = minidl.tensor(np.array([1, 2], np.int64))
    f = minidl.tensor(np.array([0.5, 0.25], np.float32), requires_grad=True)
    c = minidl.cat([i, f])
    assert c.dtype == np.float32
    np.testing.assert_array_equal(c.data, [1.0, 2.0, 0.5, 0.25])
    s = minidl.stack([i, f])
    assert s.dtype == np.float32
    np.testing.assert_array_equal(s.data, [[1.0, 2.0], [0.5, 0.25]])
    u8, i8 = minidl.tensor(np.array([200], np.uint8)), minidl.tensor(np.array([-1], np.int8))
    c = minidl.cat([u8, i8])
    assert c.dtype == np.int16
    np.testing.assert_array_equal(c.data, [200, -1])
    # d/df Σ w·cat(i, f) = the weights at f's places, [3, 4], in f's own float32
    (minidl.cat([i, f]) * minidl.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert f.grad.dtype == np.float32
    np.testing.assert_array_equal(f.grad.data, [3.0, 4.0])
    # float64 with float32 is float64; the float32 input's gradient comes back float32
    g = minidl.tensor(np.array([1.0], np.float64), requires_grad=True)
    f.grad = None
    (minidl.stack([f[:1], g]) * 5.0).sum().backward()
    assert g.grad.dtype == np.float64 and f.grad.dtype == np.float32
    np.testing.assert_array_equal(g.grad.data, [5.0])
    np.testing.assert_array_equal(f.grad.data, [5.0, 0.0])


def test_unsqueeze_rejects_a_dim_that_is_not_an_int():
    with pytest.raises(TypeError, match="unsqueeze: dim must be one int, got 0.5"):
        minidl.ones(2).unsqueeze(0.5)
    # True would otherwise count as axis 1
    with pytest.raises(TypeError, match="unsqueeze: dim must be one int, got True"):
        minidl.ones(2).unsqueeze(True)


def test_an_empty_list_index_selects_nothing_and_its_gradient_is_zero():
    # PyTorch: x[[]] has shape (0,); nothing selected, so d(Σ x[[]])/dx = 0 everywhere
    x = minidl.ones(3, requires_grad=True)
    y = x[[]]
    assert y.shape == (0,) and y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])
    assert minidl.ones(3, 2)[:, []].shape == (3, 0)


@pytest.mark.parametrize("size", [2.5, 2.0, True])
def test_reshape_and_view_reject_a_size_that_is_not_an_int(size):
    # int(2.5) would truncate to 2 and reshape 4 elements to (2, 2) without a word
    for f in (lambda: minidl.ones(4).reshape(size, 2), lambda: minidl.ones(4).view(size, 2)):
        with pytest.raises(TypeError, match=rf"reshape/view: sizes must be ints, got {size!r}"):
            f()
    # NumPy integers are ints: 2 · 2 = 4 elements
    assert minidl.ones(4).reshape(np.int64(2), 2).shape == (2, 2)


def test_split_sizes_must_be_ints():
    x = minidl.ones(5)
    assert [t.shape for t in minidl.split(x, [2, 3])] == [(2,), (3,)]
    with pytest.raises(TypeError, match=r"split: sizes must be ints, got 2.5"):
        minidl.split(x, [2.5, 2.5])  # int() would truncate to [2, 2] and fail on the sum instead


def test_an_int_beside_an_index_array_is_applied_first_as_in_pytorch():
    # x of shape (2, 3, 4): PyTorch reads x[0, :, [1, 3]] as x[0][:, [1, 3]], shape (3, 2);
    # NumPy would put the array's axis first, (2, 3), the transpose
    x = minidl.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    y = x[0, :, [1, 3]]
    np.testing.assert_array_equal(y.data, [[1.0, 3.0], [5.0, 7.0], [9.0, 11.0]])
    (y * minidl.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    want = np.zeros((2, 3, 4))
    want[0, :, 1], want[0, :, 3] = [0.0, 2.0, 4.0], [1.0, 3.0, 5.0]
    np.testing.assert_array_equal(x.grad.data, want)
    # with an Ellipsis and a new axis: x[..., 1, None, [0, 2]] is x[:, :, 1][..., None, [0, 2]]
    z = minidl.tensor(np.arange(24.0).reshape(2, 3, 4))
    got = z[1, ..., None, [0, 2]]  # x[1][..., None, [0, 2]]: (3, 1, 2)
    np.testing.assert_array_equal(got.data, np.arange(24.0).reshape(2, 3, 4)[1][..., None, [0, 2]])
    assert got.shape == (3, 1, 2)


def test_writing_through_an_int_beside_an_index_array_follows_pytorch_too():
    z = minidl.zeros(2, 2, 2)
    z[0, :, [0, 1]] = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])  # row i of the value is z[0, i]
    np.testing.assert_array_equal(z.data[0], [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(z.data[1], np.zeros((2, 2)))


def test_mixed_int_and_array_indexing_matches_pytorch_when_available():
    torch = pytest.importorskip("torch")
    x = np.arange(120.0).reshape(3, 4, 5, 2)
    for index in [
        (0, slice(None), [1, 3]),
        ([0, 2], 1, slice(None), 0),
        (slice(None), 2, None, [1, 0, 4]),
        (Ellipsis, 1, [0, 1]),
        (1, [0, 2], slice(1, None), [1, 0]),
    ]:
        t_index = tuple(torch.tensor(i) if isinstance(i, list) else i for i in index)
        want = torch.tensor(x)[t_index].numpy()
        np.testing.assert_array_equal(minidl.tensor(x)[index].data, want)
        z, tz = minidl.zeros(*x.shape, dtype=np.float64), torch.zeros(x.shape, dtype=torch.float64)
        value = np.arange(want.size, dtype=np.float64).reshape(want.shape) + 1
        z[index] = minidl.tensor(value)
        tz[t_index] = torch.tensor(value)
        np.testing.assert_array_equal(z.data, tz.numpy())


def test_a_0d_tensor_index_beside_an_array_writes_through_as_in_pytorch():
    # a 0-d tensor counts as an int (PyTorch): x[t(1), [0, 2]] = 7 writes row 1, columns 0, 2
    x = minidl.zeros(3, 3)
    x[minidl.tensor(1), [0, 2]] = 7.0
    np.testing.assert_array_equal(x.data, [[0, 0, 0], [7, 0, 7], [0, 0, 0]])
    y = minidl.tensor(np.arange(9.0).reshape(3, 3))
    np.testing.assert_array_equal(y[minidl.tensor(1), [0, 2]].data, [3.0, 5.0])


def test_an_ellipsis_that_stands_for_no_dim_does_not_separate_two_arrays():
    # x (2, 3, 4): in x[:, [0, 1], ..., [1, 2]] the ... covers no dim, so (as in PyTorch) the
    # two arrays are neighbours and pair up in place: out[i, k] = x[i, [0, 1][k], [1, 2][k]]
    x = minidl.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    out = x[:, [0, 1], ..., [1, 2]]
    np.testing.assert_array_equal(out.data, [[1.0, 6.0], [13.0, 18.0]])
    (out * minidl.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    want = np.zeros((2, 3, 4))
    want[0, 0, 1], want[0, 1, 2], want[1, 0, 1], want[1, 1, 2] = 1.0, 2.0, 3.0, 4.0
    np.testing.assert_array_equal(x.grad.data, want)
    z = minidl.zeros(2, 3, 4)
    z[:, [0, 1], ..., [1, 2]] = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(z.data, want)
