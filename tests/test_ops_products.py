"""Products: outer (ger), inner, tensordot, mv, addmm, baddbmm, cross, kron, einsum.

Expected values come from hand-worked examples, from NumPy's own np.outer, np.inner,
np.tensordot, np.cross, np.kron, and, for einsum, from a sum written out as loops over
every subscript's values; gradients are checked against central differences in float64.
"""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, gradcheck, leaf, raises, shapes

import minidl

side = st.integers(1, 4)


# ----- hand-worked values and textbook gradients -------------------------------------


def test_outer_is_every_product_and_its_gradients_are_the_row_and_column_sums():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0, 5.0])
    z = minidl.outer(a, b)
    np.testing.assert_array_equal(z.data, [[3.0, 4.0, 5.0], [6.0, 8.0, 10.0]])
    z.backward(np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]))
    # da = dZ b = [3 − 5, 6 + 4],  db = dZᵀ a = [1 + 4, 0 + 2, −1 + 0]
    np.testing.assert_array_equal(a.grad.data, [-2.0, 10.0])
    np.testing.assert_array_equal(b.grad.data, [5.0, 2.0, -1.0])
    np.testing.assert_array_equal(a.ger(b).data, z.data)


def test_inner_sums_over_the_last_dim_and_a_scalar_multiplies():
    a = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = minidl.tensor([[1.0, 0.0], [1.0, -1.0], [2.0, 1.0]])
    # out[i, j] = Σₗ a[i, l] b[j, l]
    np.testing.assert_array_equal(minidl.inner(a, b).data, [[1.0, -1.0, 4.0], [3.0, -1.0, 10.0]])
    assert minidl.inner(minidl.tensor([1.0, 2.0]), minidl.tensor([3.0, 4.0])).item() == 11.0
    np.testing.assert_array_equal(a.inner(minidl.tensor(2.0)).data, [[2.0, 4.0], [6.0, 8.0]])


def test_tensordot_pairs_the_named_dims_in_the_order_given():
    a = np.arange(24.0).reshape(2, 3, 4)
    b = np.arange(24.0).reshape(4, 2, 3)
    # a's dim 2 with b's dim 0, a's dim 0 with b's dim 1: out[j, m] = Σ_{k,i} a[i,j,k] b[k,i,m]
    expected = [
        [sum(a[i, j, k] * b[k, i, m] for i in range(2) for k in range(4)) for m in range(3)]
        for j in range(3)
    ]
    out = minidl.tensordot(minidl.tensor(a), minidl.tensor(b), dims=([2, 0], [0, 1]))
    np.testing.assert_array_equal(out.data, expected)
    out = minidl.tensordot(minidl.tensor(a), minidl.tensor(b), dims=([-1, -3], [0, -2]))
    np.testing.assert_array_equal(out.data, expected)
    # dims=0: every product (outer); dims=n: a's last n dims with b's first n
    assert minidl.tensordot(minidl.ones(2, 3), minidl.ones(4), 0).shape == (2, 3, 4)
    assert minidl.tensordot(minidl.ones(2, 3), minidl.ones(2, 3)).item() == 6.0
    m = minidl.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(
        minidl.tensordot(m, m.T, 1).data,
        np.arange(6.0).reshape(2, 3) @ np.arange(6.0).reshape(2, 3).T,
    )


def test_mv_is_the_matrix_times_the_vector():
    a = leaf([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    v = leaf([1.0, -1.0])
    out = a.mv(v)
    np.testing.assert_array_equal(out.data, [-1.0, -1.0, -1.0])
    out.backward(np.array([1.0, 2.0, 3.0]))
    # dA = g vᵀ, dv = Aᵀ g = [1 + 6 + 15, 2 + 8 + 18]
    np.testing.assert_array_equal(a.grad.data, [[1.0, -1.0], [2.0, -2.0], [3.0, -3.0]])
    np.testing.assert_array_equal(v.grad.data, [22.0, 28.0])


def test_addmm_scales_both_terms_and_broadcasts_the_input():
    x = leaf([10.0, 20.0])  # broadcast over the rows of the (2, 2) product
    a = leaf([[1.0, 2.0], [3.0, 4.0]])
    b = leaf([[1.0, 0.0], [0.0, 1.0]])
    out = minidl.addmm(x, a, b, beta=0.5, alpha=2.0)
    # 0.5·[10, 20] + 2·A
    np.testing.assert_array_equal(out.data, [[7.0, 14.0], [11.0, 18.0]])
    out.backward(np.ones((2, 2)))
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])  # β summed over the 2 rows
    np.testing.assert_array_equal(a.grad.data, [[2.0, 2.0], [2.0, 2.0]])  # α·1 Bᵀ
    np.testing.assert_array_equal(b.grad.data, [[8.0, 8.0], [12.0, 12.0]])  # α·Aᵀ 1
    assert x.addmm(a, b).data.tolist() == [[11.0, 22.0], [13.0, 24.0]]


def test_addmm_with_beta_0_ignores_nan_in_the_input_as_pytorch():
    x = minidl.tensor([[np.nan, np.inf]], requires_grad=True)
    out = minidl.addmm(x, minidl.eye(2), minidl.eye(2), beta=0)
    np.testing.assert_array_equal(out.data, np.eye(2))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0]])


def test_baddbmm_adds_each_batch_product():
    x = minidl.tensor(np.ones((2, 1, 1)))
    b1 = minidl.tensor(np.stack([np.eye(2), 2 * np.eye(2)]))
    b2 = minidl.tensor(np.arange(8.0).reshape(2, 2, 2))
    out = x.baddbmm(b1, b2, alpha=-1)
    np.testing.assert_array_equal(
        out.data, [1 - np.arange(4.0).reshape(2, 2), 1 - 2 * np.arange(4.0, 8.0).reshape(2, 2)]
    )


def test_cross_of_the_unit_vectors_and_its_gradients():
    e = np.eye(3)
    # x × y = z, y × z = x, z × x = y, along the last dim
    np.testing.assert_array_equal(
        minidl.cross(minidl.tensor(e), minidl.tensor(np.roll(e, -1, 0)), dim=1).data,
        np.roll(e, -2, 0),
    )
    a, b = leaf([1.0, 2.0, 3.0]), leaf([4.0, 5.0, 6.0])
    c = a.cross(b)
    # (2·6 − 3·5, 3·4 − 1·6, 1·5 − 2·4)
    np.testing.assert_array_equal(c.data, [-3.0, 6.0, -3.0])
    c.backward(np.array([1.0, 0.0, 0.0]))
    # c₁ = a₂b₃ − a₃b₂: da = (0, b₃, −b₂), db = (0, −a₃, a₂)
    np.testing.assert_array_equal(a.grad.data, [0.0, 6.0, -5.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, -3.0, 2.0])


def test_cross_without_dim_takes_the_first_dim_of_size_3_and_warns_when_that_matters():
    # torch.cross's rule (deprecated there): dim 0 here, where torch.linalg.cross takes -1
    a = np.arange(9.0).reshape(3, 3)
    b = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0], [3.0, 1.0, 0.0]])
    with pytest.warns(UserWarning, match="dim 0 .*torch.linalg.cross would use the last dim"):
        c = minidl.cross(minidl.tensor(a), minidl.tensor(b))
    np.testing.assert_array_equal(c.data, np.cross(a, b, axis=0))
    np.testing.assert_array_equal(
        minidl.cross(minidl.tensor(a), minidl.tensor(b), -1).data, np.cross(a, b, axis=-1)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one dim of size 3, the last: nothing to warn about
        c = minidl.cross(minidl.tensor(a[:2]), minidl.tensor(b[:2]))
    np.testing.assert_array_equal(c.data, np.cross(a[:2], b[:2]))
    x = np.arange(24.0).reshape(4, 3, 2)
    with pytest.warns(UserWarning, match="dim 1"):
        np.testing.assert_array_equal(
            minidl.cross(minidl.tensor(x), minidl.tensor(x[::-1].copy())).data,
            np.cross(x, x[::-1], axis=1),
        )


def test_kron_treats_a_0d_operand_as_a_tensor_for_the_dtype():
    # not the weak scalar of elementwise ops: float64 0-d with float32 gives float64 (PyTorch)
    out = minidl.kron(minidl.tensor(2.0, dtype=minidl.float64), minidl.ones(1, 2))
    assert out.dtype == np.float64 and out.shape == (1, 2)
    np.testing.assert_array_equal(out.data, [[2.0, 2.0]])


def test_kron_tiles_b_scaled_by_each_entry_of_a():
    a = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = minidl.tensor([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(
        a.kron(b).data,
        [[0, 1, 0, 2], [1, 0, 2, 0], [0, 3, 0, 4], [3, 0, 4, 0]],
    )
    assert minidl.kron(minidl.ones(2, 3), minidl.ones(4)).shape == (2, 12)  # b padded to (1, 4)
    np.testing.assert_array_equal(
        minidl.kron(minidl.tensor(2.0), minidl.tensor([1.0, 3.0])).data, [2.0, 6.0]
    )


# ----- einsum ----------------------------------------------------------------------


def _by_loops(equation, *xs):
    """einsum written out: for every value of every subscript, add the product of the
    entries to the output entry (explicit '->', no '...')."""
    inputs, output = equation.split("->")
    terms = inputs.split(",")
    size = {}
    for term, x in zip(terms, xs):
        size.update(zip(term, x.shape))
    labels = sorted(size)
    out = np.zeros([size[c] for c in output])
    for values in itertools.product(*(range(size[c]) for c in labels)):
        at = dict(zip(labels, values))
        p = 1.0
        for term, x in zip(terms, xs):
            p *= x[tuple(at[c] for c in term)]
        out[tuple(at[c] for c in output)] += p
    return out


# (equation, the same without '...' or implicit output, for _by_loops)
EQUATIONS = [
    ("ij,jk->ik", "ij,jk->ik"),  # matrix product
    ("bij,bjk->bik", "bij,bjk->bik"),  # batched
    ("ii", "ii->"),  # trace
    ("ii->i", "ii->i"),  # diagonal
    ("i,j->ij", "i,j->ij"),  # outer
    ("ij->ji", "ij->ji"),  # transpose
    ("ij->", "ij->"),  # sum
    ("ij->i", "ij->i"),  # row sums: j summed away in the only operand
    ("bn,anm,bm->ba", "bn,anm,bm->ba"),  # bilinear
    ("ij,jk", "ij,jk->ik"),  # implicit
    ("ba", "ba->ab"),  # implicit: alphabetical order
    ("iij,jk->ki", "iij,jk->ki"),  # a diagonal inside a product
    ("...ij,...jk->...ik", "xij,xjk->xik"),  # ellipsis
    ("i...->...", "ix->x"),
]


@pytest.mark.parametrize("equation, written_out", EQUATIONS)
@given(data=st.data())
def test_einsum_value_and_grad_match_loops_and_central_differences(equation, written_out, data):
    terms = written_out.split("->")[0].split(",")
    size = {c: data.draw(side) for c in "".join(terms)}
    xs = [data.draw(arrays(tuple(size[c] for c in t))) for t in terms]
    out = minidl.einsum(equation, *[leaf(x) for x in xs])
    np.testing.assert_allclose(out.data, _by_loops(written_out, *xs), rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda *ts: minidl.einsum(equation, *ts), tuple(leaf(x) for x in xs))


@given(data=st.data())
def test_einsum_broadcasts_ellipsis_dims_and_size_1_subscripts(data):
    n, m, k = data.draw(side), data.draw(side), data.draw(side)
    # '...' is (2, 1) against (3,): out '...' is (2, 3); j has size 1 in b, k in a
    a = data.draw(arrays((2, 1, n, k)))
    b = data.draw(arrays((3, 1, m)))
    out = minidl.einsum("...ij,...jk->...ik", leaf(a), leaf(b))
    expected = np.broadcast_to(a, (2, 3, n, k)).sum(-1, keepdims=True) * np.broadcast_to(
        b, (2, 3, 1, m)
    )
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, y: minidl.einsum("...ij,...jk->...ik", x, y), (leaf(a), leaf(b)))


def test_einsum_writes_a_diagonal_gradient_onto_the_diagonal_only():
    x = leaf(np.arange(9.0).reshape(3, 3))
    minidl.einsum("ii->i", x).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad.data, np.diag([1.0, 2.0, 3.0]))
    y = leaf(np.ones((2, 3)))
    minidl.einsum("ij->i", y).backward(np.array([5.0, 7.0]))  # each j added once: broadcast
    np.testing.assert_array_equal(y.grad.data, [[5.0] * 3, [7.0] * 3])


def test_einsum_takes_the_operands_as_one_list_and_ignores_spaces():
    a, b = minidl.tensor([1.0, 2.0]), minidl.tensor([3.0, 4.0])
    assert minidl.einsum("i,i->", [a, b]).item() == 11.0
    assert minidl.einsum(" i , i ", (a, b)).item() == 11.0


def test_einsum_uppercase_subscripts_sort_before_lowercase_in_implicit_output():
    x = np.arange(6.0).reshape(2, 3)
    assert minidl.einsum("aB", minidl.tensor(x)).shape == (3, 2)


def test_einsum_errors_name_the_op_the_term_and_the_shape():
    m = minidl.ones(2, 3)
    with raises(ValueError, "einsum: term 'ijk' names 3 dim(s) but operand 0 has shape (2, 3)"):
        minidl.einsum("ijk", m)
    with raises(ValueError, "einsum: term '...ijk' names at least 3", "(2, 3)"):
        minidl.einsum("...ijk", m)
    with raises(ValueError, "has 2 operand term(s) but 1 operand(s)"):
        minidl.einsum("ij,jk->ik", m)
    with raises(
        ValueError, "subscript j has size 2 in term 'jk' of operand 1 (shape (2, 3))", "size 3"
    ):
        minidl.einsum("ij,jk", m, m)
    with raises(ValueError, "subscript i is repeated in term 'ii' of operand 0 (shape (2, 3))"):
        minidl.einsum("ii", m)
    with raises(ValueError, "output subscript k", "is in no operand's term"):
        minidl.einsum("ij->k", m)
    with raises(ValueError, "output subscript i appears more than once"):
        minidl.einsum("ij->ii", m)
    with raises(ValueError, "einsum: term 0 'i1' has the character '1'"):
        minidl.einsum("i1", m)
    with raises(ValueError, "more than one '...'"):
        minidl.einsum("......", m)
    with raises(ValueError, "more than one '->'"):
        minidl.einsum("ij->ij->ij", m)
    with raises(ValueError, "a '...' dim has size 3", "size 2"):
        minidl.einsum("...,...", minidl.ones(2), minidl.ones(3))
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"  # 51 of the 52
    with raises(ValueError, "einsum: '...' stands for 2 dims but only 1 letters are left"):
        minidl.einsum(letters + "...", minidl.ones(*[1] * 53))
    with raises(ValueError, "einsum: 'ij' needs at least one operand"):
        minidl.einsum("ij")
    with raises(TypeError, "einsum: the first argument must be the equation"):
        minidl.einsum(m, [0, 1])
    with raises(TypeError, "einsum: bool operands are not supported"):
        minidl.einsum("i", minidl.tensor([True]))


# ----- gradients over hypothesis shapes ------------------------------------------------


@given(n=st.integers(0, 4), m=st.integers(0, 4), data=st.data())
def test_outer_and_ger_value_and_grad(n, m, data):
    a, b = data.draw(arrays((n,))), data.draw(arrays((m,)))
    np.testing.assert_array_equal(minidl.outer(leaf(a), leaf(b)).data, np.outer(a, b))
    assert gradcheck(minidl.outer, (leaf(a), leaf(b)))
    assert gradcheck(minidl.ger, (leaf(a), leaf(b)))


@given(sa=shapes(max_dims=2), sb=shapes(max_dims=2), k=side, data=st.data())
def test_inner_value_and_grad(sa, sb, k, data):
    a, b = data.draw(arrays(sa + (k,))), data.draw(arrays(sb + (k,)))
    np.testing.assert_allclose(
        minidl.inner(leaf(a), leaf(b)).data, np.inner(a, b), rtol=1e-12, atol=1e-12
    )
    assert gradcheck(minidl.inner, (leaf(a), leaf(b)))
    s = data.draw(arrays(()))
    assert gradcheck(minidl.inner, (leaf(s), leaf(b)))  # a 0-d operand: a product


@given(free_a=shapes(max_dims=2), free_b=shapes(max_dims=2), data=st.data())
def test_tensordot_value_and_grad_for_paired_dims_in_any_order(free_a, free_b, data):
    # paired sizes all different, so that a pairing in the wrong order cannot pass
    nd = data.draw(st.integers(0, 3))
    paired = data.draw(st.permutations([1, 2, 3]))[:nd]
    sa, sb = list(free_a) + paired, list(free_b)
    # shuffle where the paired dims sit in a, and in b
    order_a = data.draw(st.permutations(range(len(sa))))
    sa = [sa[i] for i in order_a]
    dims_a = [order_a.index(len(free_a) + j) for j in range(nd)]
    sb = sb + paired
    order_b = data.draw(st.permutations(range(len(sb))))
    sb = [sb[i] for i in order_b]
    dims_b = [order_b.index(len(free_b) + j) for j in range(nd)]
    a, b = data.draw(arrays(tuple(sa))), data.draw(arrays(tuple(sb)))
    out = minidl.tensordot(leaf(a), leaf(b), dims=(dims_a, dims_b))
    np.testing.assert_allclose(
        out.data, np.tensordot(a, b, (dims_a, dims_b)), rtol=1e-12, atol=1e-12
    )
    assert gradcheck(lambda x, y: minidl.tensordot(x, y, dims=(dims_a, dims_b)), (leaf(a), leaf(b)))


@given(sa=shapes(max_dims=3), data=st.data())
def test_tensordot_int_dims_value_and_grad(sa, data):
    n = data.draw(st.integers(0, len(sa)))
    sb = sa[len(sa) - n :] + data.draw(shapes(max_dims=2))
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    np.testing.assert_allclose(
        minidl.tensordot(leaf(a), leaf(b), n).data, np.tensordot(a, b, n), rtol=1e-12, atol=1e-12
    )
    assert gradcheck(lambda x, y: minidl.tensordot(x, y, n), (leaf(a), leaf(b)))


@given(n=side, k=side, data=st.data())
def test_mv_value_and_grad(n, k, data):
    a, v = data.draw(arrays((n, k))), data.draw(arrays((k,)))
    expected = [sum(a[i, j] * v[j] for j in range(k)) for i in range(n)]
    np.testing.assert_allclose(minidl.mv(leaf(a), leaf(v)).data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(minidl.mv, (leaf(a), leaf(v)))


scales = st.sampled_from([0, 1, 0.5, -2.0, 3])


@given(n=side, k=side, m=side, beta=scales, alpha=scales, data=st.data())
def test_addmm_value_and_grad(n, k, m, beta, alpha, data):
    si = data.draw(st.sampled_from([(n, m), (m,), (n, 1), (1, m), ()]))
    x, a, b = data.draw(arrays(si)), data.draw(arrays((n, k))), data.draw(arrays((k, m)))
    out = minidl.addmm(leaf(x), leaf(a), leaf(b), beta=beta, alpha=alpha)
    expected = beta * np.broadcast_to(x, (n, m)) + alpha * (a[:, :, None] * b[None]).sum(1)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    f = lambda x, a, b: minidl.addmm(x, a, b, beta=beta, alpha=alpha)  # noqa: E731
    assert gradcheck(f, (leaf(x), leaf(a), leaf(b)))


@given(bs=side, n=side, k=side, m=side, beta=scales, alpha=scales, data=st.data())
def test_baddbmm_value_and_grad(bs, n, k, m, beta, alpha, data):
    si = data.draw(st.sampled_from([(bs, n, m), (n, m), (1, n, 1), (m,), ()]))
    x, a, b = data.draw(arrays(si)), data.draw(arrays((bs, n, k))), data.draw(arrays((bs, k, m)))
    out = minidl.baddbmm(leaf(x), leaf(a), leaf(b), beta=beta, alpha=alpha)
    expected = beta * np.broadcast_to(x, (bs, n, m)) + alpha * (a[..., None] * b[:, None]).sum(2)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    f = lambda x, a, b: minidl.baddbmm(x, a, b, beta=beta, alpha=alpha)  # noqa: E731
    assert gradcheck(f, (leaf(x), leaf(a), leaf(b)))


@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_cross_value_and_grad_with_broadcasting(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    sa = list(shape)
    sa[dim] = 3
    sb = [1 if data.draw(st.booleans()) else s for s in sa]
    sb[dim] = 3
    a, b = data.draw(arrays(tuple(sa))), data.draw(arrays(tuple(sb)))
    np.testing.assert_allclose(
        minidl.cross(leaf(a), leaf(b), dim).data, np.cross(a, b, axis=dim), rtol=1e-12, atol=1e-12
    )
    assert gradcheck(lambda x, y: minidl.cross(x, y, dim=dim), (leaf(a), leaf(b)))


@given(sa=shapes(max_dims=3), sb=shapes(max_dims=3), data=st.data())
def test_kron_value_and_grad(sa, sb, data):
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    np.testing.assert_allclose(
        minidl.kron(leaf(a), leaf(b)).data, np.kron(a, b), rtol=1e-12, atol=1e-12
    )
    assert gradcheck(minidl.kron, (leaf(a), leaf(b)))


# ----- dtypes ------------------------------------------------------------------------


def _all_products(*xs, dtype=None):
    v3 = minidl.tensor([1, 2, 3], dtype=dtype) if dtype else minidl.randn(3, requires_grad=True)
    m = (
        minidl.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=dtype)
        if dtype
        else minidl.randn(3, 3, requires_grad=True)
    )
    b = minidl.tensor(np.ones((2, 3, 3)), dtype=dtype or minidl.float32)
    return [
        minidl.outer(v3, v3),
        minidl.inner(m, v3),
        minidl.tensordot(m, m),
        minidl.mv(m, v3),
        minidl.addmm(v3, m, m, beta=2, alpha=3),
        minidl.baddbmm(v3, b, b),
        minidl.cross(m, m, dim=1),
        minidl.kron(m, v3),
        minidl.einsum("ij,j->i", m, v3),
    ], (v3, m)


def test_float32_stays_float32_and_so_do_its_gradients():
    outs, leaves = _all_products()
    for out in outs:
        assert out.dtype == np.float32
        out.sum().backward()
    for t in leaves:
        assert t.grad.dtype == np.float32


def test_int_operands_keep_int64_and_mixed_ones_promote_to_float():
    outs, _ = _all_products(dtype=minidl.int64)
    for out in outs:
        assert out.dtype == np.int64
    np.testing.assert_array_equal(outs[3].data, [14, 32, 50])  # [1·1 + 2·2 + 3·3, ...]
    # int64 with float32 is float32, as PyTorch's promotion (its products raise instead)
    assert minidl.outer(minidl.tensor([1, 2]), minidl.ones(2)).dtype == np.float32
    assert (
        minidl.einsum("i,i", minidl.tensor([1, 2]), minidl.ones(2, dtype=minidl.float64)).dtype
        == np.float64
    )


# ----- bad input ---------------------------------------------------------------------


def test_product_errors_name_the_op_the_shapes_and_what_was_expected():
    v, m = minidl.ones(3), minidl.ones(3, 3)
    with raises(ValueError, "outer: input must be a 1-D vector, got shape (3, 3)"):
        minidl.outer(m, v)
    with raises(ValueError, "ger: vec2 must be a 1-D vector, got shape ()"):
        v.ger(minidl.tensor(1.0))
    with raises(ValueError, "inner: the last dims must match", "(3, 3) and (2,)"):
        m.inner(minidl.ones(2))
    with raises(ValueError, "tensordot: dims=3 must be between 0 and", "(3, 3) and (3,)"):
        minidl.tensordot(m, v, 3)
    with raises(ValueError, "tensordot: dims=-1 must be between 0"):
        minidl.tensordot(m, v, -1)
    with raises(ValueError, "tensordot: paired dims must have equal sizes", "size 2 in dim 0"):
        minidl.tensordot(m, minidl.ones(2, 3), ([0], [0]))
    with raises(ValueError, "tensordot: dims [0, 0] of a (shape (3, 3)) repeat a dim"):
        minidl.tensordot(m, m, ([0, 0], [0, 1]))
    with raises(ValueError, "tensordot: dims must pair as many dims of a as of b"):
        minidl.tensordot(m, m, ([0, 1], [0]))
    with raises(TypeError, "tensordot: dims must be an int or a pair of lists"):
        minidl.tensordot(m, m, "ij")
    with raises(IndexError, "tensordot: dim 2 out of range"):
        minidl.tensordot(m, m, ([2], [0]))
    with raises(
        ValueError,
        "mv: expected a 2-D matrix (n, k) and a 1-D vector (k,), got shapes (3,) and (3, 3)",
    ):
        minidl.mv(v, m)
    with raises(ValueError, "mv: (3, 3) @ (2,): inner dimensions 3 and 2 differ"):
        m.mv(minidl.ones(2))
    with raises(ValueError, "addmm: expected two 2-D matrices, got shapes (3,) and (3, 3)"):
        minidl.addmm(m, v, m)
    with raises(ValueError, "addmm: (3, 3) @ (2, 3): inner dimensions 3 and 2 differ"):
        minidl.addmm(m, m, minidl.ones(2, 3))
    with raises(
        ValueError, "addmm: input of shape (2,) does not broadcast to the product's shape (3, 3)"
    ):
        minidl.addmm(minidl.ones(2), m, m)
    with raises(ValueError, "addmm: input of shape (1, 3, 3) does not broadcast"):
        minidl.addmm(minidl.ones(1, 3, 3), m, m)
    with raises(TypeError, "addmm: alpha must be a number, got '2'"):
        minidl.addmm(m, m, m, alpha="2")
    i = minidl.tensor([[1, 2], [3, 4]])
    with raises(TypeError, "addmm: beta must be an int for integer tensors (dtype int64), got 0.5"):
        minidl.addmm(i, i, i, beta=0.5)
    with raises(ValueError, "baddbmm: (2, 3, 3) @ (1, 3, 3): batch sizes 2 and 1 differ"):
        minidl.baddbmm(m, minidl.ones(2, 3, 3), minidl.ones(1, 3, 3))
    with raises(ValueError, "baddbmm: expected two 3-D batches of matrices"):
        minidl.baddbmm(m, m, m)
    with raises(ValueError, "cross: dim 1 must have size 3 in both inputs", "(3, 4) and (3, 4)"):
        minidl.cross(minidl.ones(3, 4), minidl.ones(3, 4), dim=1)
    with raises(ValueError, "cross: no dim of input of shape (2, 4) has size 3"):
        minidl.cross(minidl.ones(2, 4), minidl.ones(2, 4))
    with raises(
        ValueError, "cross: inputs must have the same number of dims, got shapes (3, 3) and (3,)"
    ):
        minidl.cross(m, v)
    with raises(ValueError, "cross: shapes (2, 3) and (4, 3) do not broadcast"):
        minidl.cross(minidl.ones(2, 3), minidl.ones(4, 3))
    with raises(IndexError, "cross: dim 2 out of range"):
        minidl.cross(m, m, dim=2)


# ----- PyTorch ---------------------------------------------------------------------


def test_values_and_gradients_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    cases = [
        ("outer", minidl.outer, torch.outer, [(3,), (4,)]),
        ("inner", minidl.inner, torch.inner, [(2, 3), (4, 5, 3)]),
        (
            "tensordot",
            lambda a, b: minidl.tensordot(a, b, ([2, 0], [0, 1])),
            lambda a, b: torch.tensordot(a, b, ([2, 0], [0, 1])),
            [(2, 3, 4), (4, 2, 5)],
        ),
        ("mv", minidl.mv, torch.mv, [(3, 4), (4,)]),
        (
            "addmm",
            lambda x, a, b: minidl.addmm(x, a, b, beta=0.5, alpha=-2),
            lambda x, a, b: torch.addmm(x, a, b, beta=0.5, alpha=-2),
            [(4,), (3, 2), (2, 4)],
        ),
        (
            "baddbmm",
            lambda x, a, b: x.baddbmm(a, b, alpha=3),
            lambda x, a, b: x.baddbmm(a, b, alpha=3),
            [(2, 3, 1), (2, 3, 4), (2, 4, 5)],
        ),
        ("cross", minidl.cross, torch.linalg.cross, [(2, 3), (1, 3)]),
        ("kron", minidl.kron, torch.kron, [(2, 3), (3,)]),
    ]
    cases += [
        (eq, lambda *x, eq=eq: minidl.einsum(eq, *x), lambda *x, eq=eq: torch.einsum(eq, *x), s)
        for eq, s in [
            ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
            ("ii", [(3, 3)]),
            ("iij,jk", [(3, 3, 2), (2, 4)]),
            ("...ij,...jk->...ik", [(2, 1, 3, 4), (3, 4, 2)]),
            ("ij,jj->i", [(3, 2), (1, 1)]),
            ("Ab,ba", [(2, 3), (3, 2)]),
        ]
    ]
    for name, ours, theirs, shapes_ in cases:
        for dtype in (np.float64, np.float32):
            xs = [rng.standard_normal(s).astype(dtype) for s in shapes_]
            ts = [minidl.tensor(x, requires_grad=True) for x in xs]
            ps = [torch.tensor(x, requires_grad=True) for x in xs]
            out, ref = ours(*ts), theirs(*ps)
            g = rng.standard_normal(ref.shape).astype(dtype)
            out.backward(g)
            ref.backward(torch.tensor(g))
            tol = 1e-12 if dtype == np.float64 else 1e-5
            assert str(out.dtype) == str(ref.dtype).removeprefix("torch."), name
            np.testing.assert_allclose(
                out.data, ref.detach().numpy(), rtol=tol, atol=tol, err_msg=name
            )
            for t, p in zip(ts, ps):
                np.testing.assert_allclose(
                    t.grad.data, p.grad.numpy(), rtol=tol, atol=tol, err_msg=name
                )


def test_addmm_with_alpha_0_does_not_read_the_product():
    # β·I + 0·(M @ M): PyTorch does not compute M @ M, so an inf in M does not give NaN
    eye = minidl.eye(2)
    m = minidl.tensor([[np.inf, 1.0], [0.0, 1.0]])
    np.testing.assert_array_equal(minidl.addmm(eye, m, m, alpha=0, beta=2).data, 2 * np.eye(2))
    out = minidl.baddbmm(minidl.ones(1, 2, 2), minidl.ones(3, 2, 2), minidl.ones(3, 2, 2), alpha=0)
    np.testing.assert_array_equal(out.data, np.ones((3, 2, 2)))


def test_kron_of_two_0d_tensors_is_0d_and_baddbmm_reads_its_product_even_at_alpha_0():
    k = minidl.kron(minidl.tensor(2.0), minidl.tensor(3.0))
    assert k.shape == () and k.item() == 6.0  # PyTorch: shape ()
    b = np.ones((1, 2, 2), np.float32)
    b[0, 0, 0] = np.inf
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = minidl.baddbmm(minidl.zeros(1, 2, 2), minidl.tensor(b), minidl.ones(1, 2, 2), alpha=0)
    # unlike addmm, PyTorch's baddbmm computes 0 · (inf + 1) = NaN in row 0
    assert np.isnan(out.data[0, 0]).all() and (out.data[0, 1] == 0).all()
