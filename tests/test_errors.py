"""Bad input gets an error that names the op, the shapes or values, and what was expected."""

import numpy as np
import pytest
from strategies import raises

import minidl


def test_matmul_inner_dimensions_mismatch():
    with raises(ValueError, "matmul", "(3, 4)", "(5, 2)", "4 and 5"):
        minidl.zeros(3, 4) @ minidl.zeros(5, 2)


def test_matmul_batch_dimensions_that_do_not_broadcast():
    with raises(ValueError, "matmul", "(2, 3, 4)", "(5, 4, 2)", "batch"):
        minidl.zeros(2, 3, 4) @ minidl.zeros(5, 4, 2)


def test_matmul_of_a_0d_tensor():
    with raises(ValueError, "matmul", "at least 1 dim"):
        minidl.zeros(2, 3) @ 3.0


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum"])
def test_non_broadcastable_binary_op(op):
    with raises(ValueError, op, "(3, 4)", "(5, 2)"):
        getattr(minidl, op)(minidl.zeros(3, 4), minidl.zeros(5, 2))


def test_non_broadcastable_add_operator():
    with raises(ValueError, "add", "(3,)", "(4,)"):
        minidl.ones(3) + minidl.ones(4)


def test_backward_on_a_non_scalar_without_gradient():
    y = minidl.zeros(3, 2, requires_grad=True) * 2.0
    with raises(RuntimeError, "backward", "scalar", "(3, 2)", "gradient="):
        y.backward()


def test_backward_with_a_gradient_of_the_wrong_shape():
    y = minidl.zeros(3, requires_grad=True) * 2.0
    with raises(RuntimeError, "backward", "(2,)", "(3,)"):
        y.backward(gradient=np.ones(2))


def test_backward_on_a_tensor_that_does_not_require_grad():
    with raises(RuntimeError, "backward", "requires_grad=True"):
        minidl.zeros(1).backward()


@pytest.mark.parametrize(
    "index, fragment",
    [(5, "index 5"), (-4, "index -4"), ((0, 3), "index 3"), ([0, 7], "index 7")],
)
def test_index_out_of_range(index, fragment):
    with raises(IndexError, "index", fragment, "(3, 2)" if isinstance(index, tuple) else "(3,"):
        minidl.zeros(3, 2)[index]


def test_too_many_indices():
    with raises(IndexError, "index", "(2, 3)"):
        minidl.zeros(2, 3)[0, 0, 0]


def test_float_index_array():
    with raises(IndexError, "index", "integers or booleans", "float"):
        minidl.zeros(3)[minidl.tensor([0.5])]


@pytest.mark.parametrize(
    "call, op, kind",
    [
        (lambda x: x + "a", "add", "str"),
        (lambda x: "a" * x, "mul", "str"),
        (lambda x: minidl.exp("abc"), "exp", "str"),
        (lambda x: minidl.matmul(x, "a"), "matmul", "str"),
        (lambda x: x * None, "mul", "NoneType"),
        (lambda x: x > "a", "greater", "str"),
        (lambda x: minidl.where(x > 0, x, "a"), "where", "str"),
    ],
)
def test_op_given_a_non_numeric_input(call, op, kind):
    with raises(TypeError, op, kind):
        call(minidl.zeros(2))


def test_tensor_from_a_string():
    with raises(TypeError, "tensor", "numeric", "str"):
        minidl.tensor("abc")


def test_tensor_from_ragged_lists():
    with raises(TypeError, "tensor", "list"):
        minidl.tensor([[1.0, 2.0], [3.0]])


def test_requires_grad_on_an_int_tensor():
    with raises(TypeError, "requires_grad", "float", "int64"):
        minidl.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize(
    "call, fragments",
    [
        (lambda x: x.sum(dim=2), ("sum", "dim 2", "2 dimension", "-2 .. 1")),
        (lambda x: x.mean(dim=-3), ("mean", "dim -3", "-2 .. 1")),
        (lambda x: x.softmax(dim=5), ("softmax", "dim 5")),
        (lambda x: x.transpose(0, 5), ("transpose", "dim 5")),
        (lambda x: x.unsqueeze(4), ("unsqueeze", "dim 4", "-3 .. 2")),
        (lambda x: x.squeeze(3), ("squeeze", "dim 3")),
        (lambda x: x.argmax(dim=2), ("argmax", "dim 2")),
        (lambda x: minidl.cat([x, x], dim=2), ("cat", "dim 2")),
        (lambda x: x.split(1, dim=-3), ("split", "dim -3")),
    ],
)
def test_bad_dim(call, fragments):
    with raises(IndexError, *fragments):
        call(minidl.zeros(2, 3))


@pytest.mark.parametrize(
    "call, exc, fragments",
    [
        (lambda x: x.amax(dim=(0, 0)), ValueError, ("amax", "(0, 0)", "repeats")),
        (lambda x: x.reshape(4), ValueError, ("reshape", "(2, 3)", "(4,)")),
        (lambda x: x.expand(4, 3, 3), ValueError, ("expand", "(2, 3)", "(4, 3, 3)")),
        (lambda x: x.permute(0, 0), ValueError, ("permute", "(0, 0)")),
        (lambda x: minidl.cat([x, x.T]), ValueError, ("cat", "(2, 3)", "(3, 2)")),
        (lambda x: minidl.stack([x, x.T]), ValueError, ("stack", "(2, 3)", "(3, 2)")),
        (lambda x: x.split([1, 2]), ValueError, ("split", "[1, 2]", "2")),
        (lambda x: x.split(0), ValueError, ("split", "positive")),
        (lambda x: x.flatten(1, 0), ValueError, ("flatten", "start_dim 1", "end_dim 0")),
        (lambda x: x.clamp(2.0, 1.0), ValueError, ("clamp", "min 2.0", "max 1.0")),
        (lambda x: x.clamp(), TypeError, ("clamp", "min", "max")),
        (lambda x: minidl.where(x, x, x), TypeError, ("where", "bool", "float32")),
        (lambda x: x.item(), ValueError, ("item", "(2, 3)")),
        (lambda x: minidl.zeros(-1), ValueError, ("zeros", "(-1,)")),
        (lambda x: minidl.randn(2, "a"), TypeError, ("randn", "shape")),
    ],
)
def test_bad_arguments_are_named(call, exc, fragments):
    with raises(exc, *fragments):
        call(minidl.zeros(2, 3))


def test_set_default_dtype_and_manual_seed_reject_bad_values():
    with raises(TypeError, "set_default_dtype", "int32"):
        minidl.set_default_dtype(np.int32)
    with raises(ValueError, "manual_seed", "-1"):
        minidl.manual_seed(-1)


def test_errors_are_not_bare_numpy_tracebacks():
    # the message starts with the op's name, not with NumPy's wording
    with pytest.raises(ValueError) as info:
        minidl.zeros(3, 4) + minidl.zeros(5, 2)
    assert str(info.value).startswith("add:")


@pytest.mark.parametrize(
    "call, exc, fragments",
    [
        (lambda x: minidl.softmax(x, dim=None), TypeError, ("softmax", "one int", "None")),
        (lambda x: x.argmax(dim=(0, 1)), TypeError, ("argmax", "one int", "(0, 1)")),
        (lambda x: x.split(1, dim=None), TypeError, ("split", "one int")),
        (lambda x: minidl.cat([x.sum(), x.sum()]), IndexError, ("cat", "0-d")),
        (lambda x: x.sum().argmax(0), IndexError, ("argmax", "0-d")),
    ],
)
def test_ops_along_one_axis_refuse_several_or_none(call, exc, fragments):
    with raises(exc, *fragments):
        call(minidl.zeros(2, 3))
