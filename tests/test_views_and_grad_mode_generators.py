"""Three behaviours an audit against PyTorch found: an element read by ints is a view,
grad-mode decorators cover a generator's body, and Mul/Div save only what backward reads."""

import numpy as np
import pytest

import minidl

# ----- x[i] (every dim an int) is a 0-d view, as in PyTorch --------------------------------


def test_writing_through_a_single_element_writes_into_the_tensor():
    b, w = minidl.zeros(3), minidl.zeros(2, 3)
    with minidl.no_grad():
        b[0].fill_(1.0)
        w[1, 2].fill_(5.0)
        w[1][2].add_(1.0)
    assert b.tolist() == [1.0, 0.0, 0.0]
    assert w.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 6.0]]


def test_a_single_element_follows_later_writes_into_its_tensor():
    x = minidl.tensor([1.0, 2.0])
    first = x[0]
    x[0] = 7.0
    assert first.item() == 7.0  # a view, as PyTorch's x[0]


def test_the_gradient_of_a_single_element_is_unchanged():
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (x[1, 0] * 3.0).backward()
    assert x.grad.tolist() == [[0.0, 0.0], [3.0, 0.0]]


# ----- decorators on generator functions ---------------------------------------------------


@pytest.mark.parametrize(
    "make, records",
    [
        (minidl.no_grad, False),
        (minidl.inference_mode, False),
        # made in the test: set_grad_enabled(False) switches recording off when called
        (lambda: minidl.set_grad_enabled(False), False),
        (minidl.enable_grad, True),
    ],
)
def test_a_decorated_generator_runs_each_step_in_the_mode(make, records):
    x = minidl.tensor([1.0], requires_grad=True)

    @make()
    def doubles(n):
        for _ in range(n):
            got = yield (x * 2).requires_grad
            assert got is None
        return "done"

    outer = not records  # the caller's own mode, which must hold between the steps
    with minidl.set_grad_enabled(outer):
        gen = doubles(2)
        assert next(gen) is records and minidl.is_grad_enabled() is outer
        assert next(gen) is records and minidl.is_grad_enabled() is outer
        with pytest.raises(StopIteration) as stop:
            next(gen)
    assert stop.value.value == "done"


def test_a_decorated_generator_passes_sends_and_throws_to_its_body():
    @minidl.no_grad()
    def echo():
        seen = []
        try:
            while True:
                seen.append((yield minidl.is_grad_enabled()))
        except KeyError:
            yield ("caught", seen, minidl.is_grad_enabled())

    gen = echo()
    assert next(gen) is False
    assert gen.send("a") is False
    assert gen.throw(KeyError("k")) == ("caught", ["a"], False)
    assert minidl.is_grad_enabled() is True
    gen.close()


# ----- Mul and Div keep only what backward reads ----------------------------------------------


def test_a_weight_stepped_before_backward_is_fine_when_no_op_saved_it():
    # PyTorch: w.grad = [3, 3]; (w * 3) saves the 3, not w
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * 3.0).sum()
    with minidl.no_grad():
        w -= 0.1
    loss.backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_mul_still_refuses_an_operand_it_needs_that_was_overwritten():
    w = minidl.tensor([1.0, 2.0], requires_grad=True)
    v = minidl.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * v).sum()  # dloss/dv reads w
    with minidl.no_grad():
        w -= 0.1
    with pytest.raises(RuntimeError, match="MulBackward needs its input 0"):
        loss.backward()


def test_div_result_may_be_written_in_place_before_backward():
    # PyTorch: x.grad = 1/b, b.grad = −x/b² (the inputs are saved, not z)
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    b = minidl.tensor([2.0, 4.0], requires_grad=True)
    z = x / b
    with minidl.no_grad():
        z.zero_()
    z.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.5, 0.25])
    np.testing.assert_allclose(b.grad.data, [-0.25, -0.125])


def test_a_0d_index_tensor_reads_a_view_too():
    x = minidl.arange(3.0)
    x[minidl.tensor(1)].fill_(100.0)
    w = minidl.zeros(2, 3)
    w[0, minidl.tensor(2)].fill_(5.0)
    assert x.tolist() == [0.0, 100.0, 2.0]
    assert w.tolist() == [[0.0, 0.0, 5.0], [0.0, 0.0, 0.0]]


def test_a_tensor_dataset_sample_of_a_1d_tensor_is_a_view():
    from minidl.data import TensorDataset

    ds = TensorDataset(minidl.arange(4.0))
    ds[1][0].fill_(7.0)
    assert ds.tensors[0].tolist() == [0.0, 7.0, 2.0, 3.0]


def test_matmul_and_linear_keep_only_what_backward_reads():
    # dW reads x, dx reads W: with a constant x, W is not saved (PyTorch gives [[1, 1], [1, 1]])
    x = minidl.tensor([[1.0, 1.0]])
    w = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = (x @ w).sum() + minidl.nn.functional.linear(x, w).sum()
    with minidl.no_grad():
        w -= 0.1
    loss.backward()
    assert w.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    # when x needs a gradient, dx reads W: the step before backward is refused
    h = minidl.tensor([[1.0, 1.0]], requires_grad=True)
    for op in (minidl.matmul, minidl.nn.functional.linear):
        loss = op(h, w).sum()
        with minidl.no_grad():
            w -= 0.1
        with pytest.raises(RuntimeError, match="needs its input 1"):
            loss.backward()
