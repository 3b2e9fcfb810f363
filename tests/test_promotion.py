"""Result dtypes follow PyTorch's promotion rules, not NumPy's, where the two differ.

The expected dtypes are PyTorch's documented rules (bool < integer < float; a
dimensioned tensor beats a 0-d one of the same category; a Python float with an
integer tensor gives the default dtype; true division of integers gives a float),
checked once against PyTorch 2.13 by hand.  NumPy gives float64 in most of these
rows, which would silently double a float32 model's memory and time.
"""

import operator

import numpy as np
import pytest

import minidl


def _make(spec):
    if spec[0] == "py":
        return spec[1]
    _, dtype, ndim = spec
    return minidl.tensor(np.ones((2,) * ndim, dtype=dtype))


OPERATORS = {
    "mul": (operator.mul, minidl.mul),
    "add": (operator.add, minidl.add),
    "sub": (operator.sub, minidl.sub),
    "div": (operator.truediv, minidl.div),
    "pow": (operator.pow, minidl.pow),
    "maximum": (None, minidl.maximum),
}

CASES = [
    # a, b, op, PyTorch's result dtype
    (("t", "int64", 1), ("t", "float32", 1), "mul", "float32"),
    (("t", "float32", 1), ("t", "int64", 1), "add", "float32"),
    (("t", "int32", 1), ("t", "float32", 1), "sub", "float32"),
    (("t", "bool", 1), ("t", "float32", 1), "mul", "float32"),
    (("t", "int64", 1), ("py", 1.5), "add", "float32"),
    (("py", 1.5), ("t", "int64", 1), "sub", "float32"),
    (("t", "int64", 1), ("py", 2), "mul", "int64"),
    (("t", "bool", 1), ("py", 2), "add", "int64"),
    (("t", "bool", 1), ("py", True), "mul", "bool"),
    (("t", "int64", 1), ("t", "int64", 1), "div", "float32"),
    (("py", 1), ("t", "int32", 1), "div", "float32"),
    (("t", "float32", 1), ("t", "float64", 0), "mul", "float32"),
    (("t", "float64", 0), ("t", "float32", 2), "add", "float32"),
    (("t", "float32", 1), ("t", "float64", 1), "mul", "float64"),
    (("t", "int32", 1), ("t", "int64", 1), "add", "int64"),
    (("t", "int64", 0), ("t", "float32", 1), "mul", "float32"),
    (("t", "float32", 0), ("t", "int64", 1), "mul", "float32"),
    (("t", "int64", 1), ("py", 0.5), "pow", "float32"),
    (("t", "int64", 1), ("t", "float32", 1), "maximum", "float32"),
]


@pytest.mark.parametrize("a, b, op, expected", CASES)
def test_binary_ops_promote_as_pytorch_does(a, b, op, expected):
    operator_form, function_form = OPERATORS[op]
    forms = [function_form] + ([operator_form] if operator_form else [])
    for form in forms:
        assert form(_make(a), _make(b)).dtype == np.dtype(expected), form


@pytest.mark.parametrize("fn", [minidl.exp, minidl.log, minidl.sqrt, minidl.tanh, minidl.sigmoid])
def test_float_functions_of_an_integer_tensor_give_the_default_float(fn):
    x = minidl.tensor([1, 2, 3])
    out = fn(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, fn(minidl.tensor([1.0, 2.0, 3.0])).data)


def test_integer_true_division_is_exact_not_floored():
    np.testing.assert_array_equal((minidl.tensor([7, -7]) / 2).data, [3.5, -3.5])
    np.testing.assert_array_equal((minidl.tensor([7]) / minidl.tensor([2])).data, [3.5])


def test_a_promoted_operand_still_gets_its_gradient_in_its_own_dtype():
    # x32 · s, with s a 0-d float64 tensor: the product is float32 (PyTorch's rule),
    # ds = Σ x and dx = s, each in its tensor's dtype
    x = minidl.tensor(np.array([1.0, 2.0, 4.0], np.float32), requires_grad=True)
    s = minidl.tensor(np.array(0.5), dtype=np.float64, requires_grad=True)
    y = x * s
    assert y.dtype == np.float32
    y.sum().backward()
    assert s.grad.dtype == np.float64 and x.grad.dtype == np.float32
    assert s.grad.item() == 7.0
    np.testing.assert_array_equal(x.grad.data, [0.5, 0.5, 0.5])


def test_masking_float32_activations_with_an_integer_mask_stays_float32():
    h = minidl.randn(4, 3, requires_grad=True)
    mask = minidl.tensor([[1], [0], [1], [1]])  # int64
    out = h * mask
    assert out.dtype == np.float32
    out.sum().backward()
    assert h.grad.dtype == np.float32
    np.testing.assert_array_equal(h.grad.data, np.broadcast_to([[1], [0], [1], [1]], (4, 3)))


def test_bool_to_a_bool_power_stays_bool_as_in_pytorch():
    # NumPy answers bool ** bool in int8; x ** y for booleans is x or not y
    t = minidl.tensor([True, False])
    for result, expected in (
        (t**True, [True, False]),
        (t**False, [True, True]),
        (True**t, [True, True]),
    ):
        assert result.dtype == np.bool_
        assert result.data.tolist() == expected
    assert (t**2).dtype == np.int64 and (t**2.0).dtype == np.float32


# (data, dtype torch.tensor gives it): a NumPy scalar keeps its dtype inside a list, a Python
# float is the default float32 and a Python int int64, and any float makes the result float
LIST_DTYPES = [
    ([np.float64(0.1)], np.float64),
    ([1.0, np.float64(2.0)], np.float64),
    ([[np.float64(1.0), 2], [3, 4]], np.float64),
    ((np.float64(1.0), 2.0), np.float64),
    ([np.float32(1.0), np.float64(2.0)], np.float64),
    ([np.float16(1.0)], np.float16),
    ([np.float16(1.0), 1.0], np.float32),
    ([np.int64(1), 1.5], np.float32),
    ([np.int16(3), 2.5], np.float32),
    ([np.float32(2.0), True], np.float32),
    ([np.int32(1)], np.int32),
    ([np.int32(1), 2], np.int64),
    ([np.int8(1), np.uint8(2)], np.int16),
    ([True, np.int16(3)], np.int16),
    ([np.array([1.0, 2.0])], np.float64),
    ([1.0, 2.0], np.float32),
    ([1, 2], np.int64),
]


@pytest.mark.parametrize("data, dtype", LIST_DTYPES)
def test_numpy_scalars_in_a_list_keep_their_dtype_as_in_pytorch(data, dtype):
    t = minidl.tensor(data)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float64))
    # a float64 value is not rounded to float32 on the way in
    assert minidl.tensor([np.float64(0.1)]).item() == 0.1


def test_list_dtypes_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    for data, dtype in LIST_DTYPES:
        assert str(torch.tensor(data).dtype) == f"torch.{np.dtype(dtype).name}", data


def test_list_inference_refuses_what_pytorch_refuses_and_floats_big_ints_beside_floats():
    # a Python int beyond int64 beside an unsigned NumPy scalar used to wrap to -2**63
    for data in ([np.uint8(1), 2**63], [np.bool_(True), 2**63], [[2**63], [np.uint8(1)]]):
        with pytest.raises(OverflowError, match="cannot be stored in int64"):
            minidl.tensor(data)
    for make in (minidl.tensor, minidl.Tensor, lambda d: minidl.tensor(d, dtype=np.float32)):
        with pytest.raises(TypeError, match="None is not a number"):  # NumPy would give NaN
            make([None, 1.0])
    t = minidl.tensor([1.5, 2**70])  # beside a float, a huge int is a float (PyTorch too)
    assert t.dtype == np.float32 and t.data[1] == np.float32(2.0**70)
    # tensors nested in lists keep their dtype, at any depth
    inner = minidl.tensor(0.1, dtype=np.float64)
    assert minidl.tensor([[inner]]).dtype == np.float64 and minidl.tensor([[inner]]).item() == 0.1
    pair = [[minidl.tensor(1, dtype=np.int16)], [minidl.tensor(2, dtype=np.int16)]]
    assert minidl.tensor(pair).dtype == np.int16
