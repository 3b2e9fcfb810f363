"""Backward refuses an op whose saved input or output was overwritten in place after it ran.

Without the check the gradient silently uses the new values (here: x̃ instead
of x in dL/dw = x).  Writes that change nothing backward needs stay allowed.
"""

import numpy as np
import pytest

import minidl
from minidl import nn


def leaf(values):
    return minidl.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_writing_a_saved_input_after_the_op_is_an_error_naming_the_op():
    w = leaf([1.0, 2.0, 3.0])
    x = minidl.tensor([4.0, 5.0, 6.0], dtype=np.float64)
    loss = (w * x).sum()
    x[0] = 10.0  # dL/dw = x: backward would read 10 where the forward used 4
    with pytest.raises(RuntimeError, match=r"MulBackward needs its input 1 \(shape"):
        loss.backward()


def test_writing_a_parameter_between_forward_and_backward_is_an_error():
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    with minidl.no_grad():
        w[1] = 0.0
    with pytest.raises(RuntimeError, match="modified in place afterwards"):
        loss.backward()


def test_writing_a_saved_output_is_an_error():
    x = leaf([0.5, -1.0])
    y = x.tanh()  # backward uses 1 − y²
    with minidl.no_grad():
        y[0] = 0.0
    with pytest.raises(RuntimeError, match=r"TanhBackward needs a value it saved \(its output"):
        y.sum().backward()


def test_a_write_backward_does_not_depend_on_is_allowed():
    w = leaf([1.0, 2.0])
    x = minidl.tensor([3.0, 4.0], dtype=np.float64)
    z = (x + w).sum()  # Add saves nothing
    x[0] = 100.0
    z.backward()
    np.testing.assert_array_equal(w.grad.data, [1.0, 1.0])


def test_a_write_before_the_op_is_used_with_its_new_value():
    w = leaf([1.0, 2.0])
    x = minidl.tensor([3.0, 4.0], dtype=np.float64)
    x[0] = 7.0
    (w * x).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [7.0, 4.0])


def test_an_optimizer_step_before_a_second_backward_through_the_graph_is_an_error():
    w = leaf([1.0, 2.0])
    opt = minidl.optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()  # w changed: a second pass would differentiate at the new w with the old graph
    with pytest.raises(RuntimeError, match="MulBackward"):
        loss.backward()


def test_one_step_notes_the_write_of_every_parameter_it_updates():
    # the step records its writes together: each parameter, not only the first or last
    params = [leaf([1.0, 2.0]) for _ in range(3)]
    opt = minidl.optim.SGD(params, lr=0.1)
    for k in range(3):
        loss = (params[k] * params[k]).sum()
        for p in params:
            p.grad = minidl.tensor(np.ones(2))
        opt.step()
        with pytest.raises(RuntimeError, match="MulBackward"):
            loss.backward()


def test_a_step_that_fails_part_way_still_notes_the_parameters_it_wrote():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    opt = minidl.optim.SGD([a, b], lr=0.1)
    loss = (a * a).sum()
    a.grad = minidl.tensor(np.ones(2))
    b.grad = minidl.tensor(np.ones(3))  # wrong shape: the step stops at b, after writing a
    with pytest.raises(ValueError, match="gradient of shape"):
        opt.step()
    np.testing.assert_allclose(a.data, [0.9, 1.9])
    with pytest.raises(RuntimeError, match="MulBackward"):
        loss.backward()


def test_training_loop_with_steps_between_graphs_runs_and_matches_the_closed_form():
    # L(w) = Σ w²: each SGD step multiplies w by (1 − 2·lr)
    w = leaf([1.0, -2.0])
    opt = minidl.optim.SGD([w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.data, np.array([1.0, -2.0]) * 0.8**3, rtol=1e-12)


def test_the_fused_lstm_refuses_weights_loaded_between_forward_and_backward():
    lstm = nn.LSTM(3, 4).double()
    snapshot = {k: v.data.copy() for k, v in lstm.state_dict().items()}
    out, (h_n, _) = lstm(minidl.tensor(np.ones((2, 1, 3))))
    lstm.load_state_dict(snapshot)  # in place: the saved W_hh array is overwritten
    with pytest.raises(RuntimeError, match="LSTMLayerBackward needs its input"):
        h_n.sum().backward()


def test_clone_before_writing_keeps_the_gradient_right():
    w = leaf([1.0, 2.0])
    x = minidl.tensor([3.0, 4.0], dtype=np.float64)
    loss = (w * x.clone()).sum()
    x[0] = 10.0
    loss.backward()
    np.testing.assert_array_equal(w.grad.data, [3.0, 4.0])


def test_overwriting_the_targets_or_token_ids_after_the_forward_is_an_error():
    logits = leaf([[1.0, 2.0], [0.5, -1.0]])
    target = minidl.tensor([0, 1])
    loss = nn.functional.cross_entropy(logits, target)
    target[0] = 1  # dL/dlogits depends on which class each row is
    with pytest.raises(RuntimeError, match="CrossEntropyBackward needs its input 1"):
        loss.backward()
    emb = nn.Embedding(5, 2).double()
    ids = minidl.tensor([[1, 2]])
    out = emb(ids)
    ids[0, 0] = 4  # the rows of the table that receive the gradient
    with pytest.raises(RuntimeError, match="EmbeddingLookupBackward needs its input 1"):
        out.sum().backward()


def test_overwriting_the_condition_of_where_before_backward_is_an_error():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    cond = minidl.tensor([True, False])
    out = minidl.where(cond, a, b).sum()
    cond[1] = True
    with pytest.raises(RuntimeError, match="WhereBackward needs its input 0"):
        out.backward()


def test_writing_a_weight_used_through_a_transpose_is_an_error():
    # MatMul saved w.T, a view of w's memory: the step writes w itself
    w = leaf([[1.0, 2.0], [3.0, 4.0]])
    x = leaf([[1.0, 1.0]])
    loss = (x @ w.T).sum()
    opt = minidl.optim.SGD([w], lr=0.1)
    w.grad = minidl.tensor(np.ones((2, 2)))
    opt.step()
    with pytest.raises(RuntimeError, match="MatMulBackward needs its input 1"):
        loss.backward()


def test_writes_through_detach_or_a_view_are_seen():
    for write in (
        lambda t: t.detach().__setitem__(0, 9.0),
        lambda t: t.detach()[1:].__setitem__(Ellipsis, 9.0),
    ):
        w = leaf([1.0, 2.0, 3.0])
        x = leaf([4.0, 5.0, 6.0])
        loss = (w * x).sum()
        write(x)
        with pytest.raises(RuntimeError, match="MulBackward needs its input 1"):
            loss.backward()


def test_a_write_to_other_memory_is_not_mistaken_for_one_to_the_saved_array():
    w = leaf([1.0, 2.0])
    x = minidl.tensor([3.0, 4.0], dtype=np.float64)
    other = minidl.tensor([0.0, 0.0], dtype=np.float64)
    loss = (w * x).sum()
    other[0] = 1.0
    loss.backward()
    np.testing.assert_array_equal(w.grad.data, [3.0, 4.0])


def test_overwriting_an_index_tensor_after_indexing_is_an_error():
    x = leaf([1.0, 2.0, 3.0])
    idx = minidl.tensor([0, 2])
    picked = x[idx].sum()
    idx[0] = 1  # backward would send the gradient to element 1 instead of 0
    message = r"GetItemBackward needs a value it saved .*\(shape \(2,\), int64\)"
    with pytest.raises(RuntimeError, match=message):
        picked.backward()


# ----- in-place arithmetic: t += x, t -= x, ... ---------------------------------------


def test_the_hand_written_sgd_loop_updates_the_parameters():
    # PyTorch's classic manual update.  Without in-place operators Python would run
    # p = p - lr * p.grad, rebinding the loop variable: the model would never change.
    model = nn.Linear(2, 1, dtype=np.float64)
    w0, b0 = model.weight.data.copy(), model.bias.data.copy()
    params = list(model.parameters())
    model(minidl.ones(4, 2, dtype=np.float64)).sum().backward()  # dL/dW = [[4, 4]], dL/db = [4]
    with minidl.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    np.testing.assert_allclose(model.weight.data, w0 - 0.4, rtol=0, atol=1e-15)
    np.testing.assert_allclose(model.bias.data, b0 - 0.4, rtol=0, atol=1e-15)
    assert list(model.parameters()) == params  # the same Parameter objects, still registered
    with minidl.no_grad():
        model.weight -= 1.0  # the attribute form: still the registered Parameter
    assert model.weight is params[0]
    np.testing.assert_allclose(model.weight.data, w0 - 1.4, rtol=0, atol=1e-15)


def test_each_in_place_operator_computes_its_equation():
    t = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=np.float64)
    array = t.data
    t += minidl.tensor([10.0, 20.0], dtype=np.float64)  # broadcast over rows
    t -= 1
    t *= 2
    t /= 4
    t **= 2
    expected = (((np.array([[1.0, 2.0], [3.0, 4.0]]) + [10.0, 20.0] - 1) * 2) / 4) ** 2
    np.testing.assert_array_equal(t.data, expected)
    assert t.data is array  # written in place, not replaced


def test_in_place_ops_on_a_leaf_that_requires_grad_are_refused_while_recording():
    w = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf that requires grad.*no_grad"):
        w += 1
    np.testing.assert_array_equal(w.data, [1.0, 2.0])  # nothing was written
    plain = minidl.tensor([0.0, 0.0], dtype=np.float64)
    with pytest.raises(RuntimeError, match="setitem: the value written .* requires grad"):
        plain[0] = w[1]  # setitem cannot rebind a name: its gradient would be lost
    np.testing.assert_array_equal(plain.data, [0.0, 0.0])


def test_inside_a_graph_t_op_equals_x_is_recorded_out_of_place():
    # `out += residual` in a forward pass, or summing losses into a tensor: t becomes the
    # recorded t + x, so the gradients are those of the out-of-place expression
    w = leaf([1.0, 2.0])
    y = w * 3.0
    before = y
    y += w  # y = 3w + w = 4w
    y *= w  # y = 4w², dy/dw = 8w
    assert y is not before and y.grad_fn is not None
    np.testing.assert_array_equal(before.data, [3.0, 6.0])  # the old tensor is untouched
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [8.0, 16.0])
    total = minidl.zeros((), dtype=np.float64)
    w.grad = None
    total += (w * w).sum()  # Σ w² = 5, d/dw = 2w
    total.backward()
    assert total.item() == 5.0
    np.testing.assert_array_equal(w.grad.data, [2.0, 4.0])


def test_in_place_ops_keep_the_dtype_and_shape():
    ints = minidl.tensor([1, 2, 3])
    with pytest.raises(TypeError, match="float32.*int64"):
        ints += 0.5
    with pytest.raises(TypeError, match="int64"):
        ints /= 2  # true division of integers is a float
    ints *= 3
    np.testing.assert_array_equal(ints.data, [3, 6, 9])
    assert ints.dtype == np.int64
    f32 = minidl.tensor([1.0, 2.0])
    f32 += minidl.tensor([0.25, 0.5], dtype=np.float64)  # same kind: stored as float32
    assert f32.dtype == np.float32
    np.testing.assert_array_equal(f32.data, np.array([1.25, 2.5], np.float32))
    with pytest.raises(RuntimeError, match=r"\(2,\) cannot hold the result .* \(3, 2\)"):
        f32 += minidl.ones(3, 2)
    with pytest.raises(RuntimeError, match=r"\(2,\) cannot hold the result .* shape \(3,\)$"):
        f32 += minidl.ones(3)  # shapes that do not broadcast at all


def test_writes_into_a_read_only_expand_view_are_clear_errors():
    e = minidl.ones(1, 3).expand(2, 3)  # one row of memory seen twice
    with pytest.raises(RuntimeError, match=r"setitem: .*read-only view.*clone"):
        e[0, 0] = 5.0
    with pytest.raises(RuntimeError, match=r"\+=: .*read-only view"):
        e += 1


def test_an_in_place_overflow_names_the_op_and_dtype():
    t = minidl.tensor([1], dtype=np.int32)
    with pytest.raises(OverflowError, match=r"\+=: .*out of bounds for int32"):
        t += 2**40


def test_an_in_place_update_before_backward_is_caught():
    w = leaf([1.0, 2.0])
    x = minidl.tensor([3.0, 4.0], dtype=np.float64)
    loss = (w * x).sum()  # Mul saved w and x
    with minidl.no_grad():
        x += 1
    with pytest.raises(RuntimeError, match="MulBackward.*modified in place"):
        loss.backward()


def test_a_write_is_remembered_however_many_writes_follow():
    # the check once kept only the last 4096 writes: a write to the saved weight followed by
    # more writes elsewhere gave a silently wrong gradient (from the new weight values)
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    x = minidl.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()
    with minidl.no_grad():
        w[0] = 10.0
    other = minidl.zeros(1)
    for _ in range(5000):
        other[0] = 1.0
    with pytest.raises(RuntimeError, match="MulBackward"):
        loss.backward()


def test_freed_arrays_leave_the_record_of_writes():
    from minidl.autograd import _Writes

    before = len(_Writes.by_owner)
    for _ in range(100):
        t = minidl.zeros(3)
        t[0] = 1.0  # each written once, then freed
    del t
    assert len(_Writes.by_owner) <= before + 1
