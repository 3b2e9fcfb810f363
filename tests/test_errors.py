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


@pytest.mark.parametrize(
    "index",
    [
        minidl.tensor(np.array([1, 0, 1], np.uint8)),  # PyTorch: a mask -> [10, 30]
        np.array([1, 0, 1], np.uint8),  # NumPy: indices -> [20, 10, 20]
        minidl.tensor(np.array(1, np.uint8)),
        (Ellipsis, np.array([2], np.uint8)),
    ],
)
def test_a_uint8_index_is_refused_as_ambiguous(index):
    x = minidl.tensor([10.0, 20.0, 30.0])
    with raises(IndexError, "index", "uint8", "mask", ".bool()", ".long()"):
        x[index]
    with raises(IndexError, "setitem", "uint8"):
        x[index] = 0.0
    np.testing.assert_array_equal(x.data, [10.0, 20.0, 30.0])
    # the conversions it names give PyTorch's and NumPy's readings
    u = minidl.tensor(np.array([1, 0, 1], np.uint8))
    np.testing.assert_array_equal(x[u.bool()].data, [10.0, 30.0])
    np.testing.assert_array_equal(x[u.long()].data, [20.0, 10.0, 20.0])
    assert x[np.uint8(1)].item() == 20.0  # a NumPy scalar is an int (PyTorch agrees)


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


@pytest.mark.parametrize(
    "data, message",
    [
        ([[1.0, 2.0], [3.0]], "data[1] has length 1, expected 2 (as data[0])"),
        ([[1], [1, 2]], "data[1] has length 2, expected 1 (as data[0])"),
        ([[[1, 2], [3, 4]], [[1, 2], [3]]], "data[1][1] has length 1, expected 2 (as data[0][0])"),
        ([[1, 2], 3], "data[1] is 3, not a list; expected a list of length 2 (as data[0])"),
        ([1, [2]], "data[1] is a list of length 1, expected a number (as data[0])"),
        ([np.zeros(2), np.zeros(3)], "data[1] has shape (3,), expected (2,) (as data[0])"),
        # ranges and tuples are rows too (NumPy reads tensor([range(3)]) as [[0, 1, 2]])
        ([range(2), range(3)], "data[1] has length 3, expected 2 (as data[0])"),
        ([[1, 2], range(3)], "data[1] has length 3, expected 2 (as data[0])"),
        ([(1, 2), (3,)], "data[1] has length 1, expected 2 (as data[0])"),
        ([1, range(2)], "data[1] is a range of length 2, expected a number (as data[0])"),
    ],
)
def test_tensor_from_ragged_lists(data, message):
    # PyTorch: ValueError "expected sequence of length 1 at dim 1 (got 2)"
    with raises(ValueError, "tensor: the nested lists are ragged: " + message):
        minidl.tensor(data)


def test_requires_grad_on_an_int_tensor():
    with raises(TypeError, "requires_grad", "float", "int64"):
        minidl.tensor([1, 2], requires_grad=True)


def test_setting_requires_grad_is_checked_as_requires_grad_():
    # an int leaf would get its gradient cast to int: 0.5 per element became 0
    ids = minidl.tensor([1, 2, 3])
    with raises(TypeError, "requires_grad", "float", "int64"):
        ids.requires_grad = True
    assert not ids.requires_grad
    w = minidl.tensor([1.0, 2.0])
    for bad in ("no", 1, None):
        with raises(TypeError, "requires_grad", "True or False"):
            w.requires_grad = bad
    assert not w.requires_grad
    w.requires_grad = True
    (w * 0.5).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [0.5, 0.5])
    y = w * 2.0
    for flag in (True, False):  # a result's flag is not the user's to set (PyTorch agrees)
        with raises(RuntimeError, "requires_grad", "leaf", "detach"):
            y.requires_grad = flag
    assert y.requires_grad
    w.requires_grad = False  # a leaf may stop
    assert not (w * 2.0).requires_grad


@pytest.mark.parametrize(
    "make",
    [
        lambda f: minidl.tensor([1.0], requires_grad=f),
        lambda f: minidl.Tensor([1.0], requires_grad=f),
        lambda f: minidl.zeros(2, requires_grad=f),
        lambda f: minidl.full((2,), 1.0, requires_grad=f),
        lambda f: minidl.randn(2, requires_grad=f),
        lambda f: minidl.arange(3.0, requires_grad=f),
        lambda f: minidl.eye(2, requires_grad=f),
        lambda f: minidl.ones_like(minidl.zeros(2), requires_grad=f),
        lambda f: minidl.nn.Parameter(minidl.zeros(2), requires_grad=f),
    ],
)
def test_the_requires_grad_argument_of_a_factory_must_be_a_bool(make):
    for bad in ("no", 1, 0, None):
        with raises(TypeError, "requires_grad", "True or False"):
            make(bad)
    assert make(True).requires_grad and not make(False).requires_grad


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
        # without dim: the last one for 1-d and 2-d input (PyTorch's choice), asked for above
        (lambda x: minidl.softmax(x[None], dim=None), ValueError, ("softmax", "pass dim", "3")),
        (lambda x: minidl.softmax(x, dim=1.0), TypeError, ("softmax", "one int", "1.0")),
        (lambda x: x.argmax(dim=(0, 1)), TypeError, ("argmax", "one int", "(0, 1)")),
        (lambda x: x.split(1, dim=None), TypeError, ("split", "one int")),
        (lambda x: minidl.cat([x.sum(), x.sum()]), IndexError, ("cat", "0-d")),
        (lambda x: x.sum().argmax(0), IndexError, ("argmax", "0-d")),
    ],
)
def test_ops_along_one_axis_refuse_several_or_none(call, exc, fragments):
    with raises(exc, *fragments):
        call(minidl.zeros(2, 3))


# ----- making tensors: values the dtype cannot hold, dtypes minidl does not support ----------


@pytest.mark.parametrize("data", [2**63, [2**64 - 1], [1, 2**63]])
def test_python_ints_beyond_int64_are_refused_not_wrapped(data):
    # NumPy makes these uint64, and a cast to int64 would wrap them negative
    with raises(OverflowError, "tensor", "int64"):
        minidl.tensor(data)


def test_python_ints_beyond_64_bits_are_named_as_overflow_not_objects():
    with raises(OverflowError, "tensor", str(2**70), "int64"):
        minidl.tensor([2**70])


def test_largest_int64_is_kept_exactly():
    assert minidl.tensor([2**63 - 1, -(2**63)]).data.tolist() == [2**63 - 1, -(2**63)]


@pytest.mark.parametrize(
    "data, dtype, bad",
    [
        ([300], np.uint8, "300"),
        ([-1], np.uint8, "-1"),
        ([float("nan")], np.int64, "nan"),
        (np.array([1.0, np.inf]), np.int32, "inf"),
        (np.array([40000]), np.int16, "40000"),
    ],
)
def test_values_an_integer_dtype_cannot_hold_are_refused(data, dtype, bad):
    with raises(OverflowError, "tensor", bad, np.dtype(dtype).name):
        minidl.tensor(data, dtype=dtype)


def test_floats_to_an_integer_dtype_truncate_toward_zero_as_in_pytorch():
    assert minidl.tensor([1.7, -1.7, 2.0], dtype=np.int64).data.tolist() == [1, -1, 2]


@pytest.mark.parametrize(
    "make",
    [
        lambda: minidl.tensor([1.0], dtype=np.complex64),
        lambda: minidl.tensor([1.0], dtype=str),
        lambda: minidl.zeros(2, dtype=object),
        lambda: minidl.ones(2, dtype=np.complex128),
        lambda: minidl.eye(2, dtype=complex),
        lambda: minidl.full((2,), 1.0, dtype=np.complex64),
        lambda: minidl.zeros_like(minidl.ones(2), dtype=np.complex64),
        lambda: minidl.ones(2).to(np.complex64),
        lambda: minidl.ones(2).to(object),
    ],
)
def test_complex_string_and_object_dtypes_are_refused(make):
    with raises(TypeError, "not supported", "expected bool, an integer or a float dtype"):
        make()


def test_a_dtype_name_given_as_a_device_string_says_so():
    with raises(TypeError, "Tensor.to", "'float32'", "name of a dtype", "np.float32"):
        minidl.ones(2).to("float32")
    with raises(ValueError, "CPU only", "'cuda'"):
        minidl.ones(2).to("cuda")


@pytest.mark.parametrize(
    "make, fragments",
    [
        (lambda: minidl.zeros(2.5), ("zeros", "2.5", "int")),
        (lambda: minidl.zeros("3"), ("zeros", "'3'", "int")),
        (lambda: minidl.zeros(True), ("zeros", "True", "int")),
        (lambda: minidl.rand(2.7, 1), ("rand", "2.7")),
        (lambda: minidl.full((2.5,), 1.0), ("full", "2.5")),
        (lambda: minidl.eye(2.0), ("eye", "n must be an int")),
        (lambda: minidl.linspace(0, 1, 2.5), ("linspace", "steps must be an int")),
    ],
)
def test_sizes_must_be_ints_not_truncated(make, fragments):
    with raises(TypeError, *fragments):
        make()


@pytest.mark.parametrize(
    "make, kind, fragments",
    [
        (lambda: minidl.arange(0, 5, 0.5, dtype=np.int64), ValueError, ("arange", "int64", "0.5")),
        (lambda: minidl.arange(0, float("inf")), ValueError, ("arange", "end", "finite")),
        (lambda: minidl.rand(4, dtype=np.int64), TypeError, ("rand", "float dtype", "int64")),
        (lambda: minidl.randn(4, dtype=np.int64), TypeError, ("randn", "float dtype", "int64")),
        (lambda: minidl.randint(0, 300, (6,), dtype=np.uint8), OverflowError, ("randint", "uint8")),
        (lambda: minidl.randint(5, 2, (3,)), ValueError, ("randint", "low=5", "high=2")),
        (lambda: minidl.randint(0, 2.5, (3,)), TypeError, ("randint", "high", "2.5")),
        (lambda: minidl.eye(-1), ValueError, ("eye", "n=-1")),
        (lambda: minidl.linspace(0, 1, -1), ValueError, ("linspace", "steps", "-1")),
        (lambda: minidl.full((2,), 2**63), OverflowError, ("full", str(2**63), "int64")),
        (lambda: minidl.full((2,), 300, dtype=np.uint8), OverflowError, ("full", "300", "uint8")),
        (lambda: minidl.full((2,), float("nan"), dtype=np.int64), OverflowError, ("full", "nan")),
        (lambda: minidl.full((2,), "a"), TypeError, ("full", "str")),
    ],
)
def test_creation_functions_refuse_what_numpy_would_silently_change(make, kind, fragments):
    # each of these used to give zeros, truncated or wrapped samples, or NumPy's own message
    with raises(kind, *fragments):
        make()


def test_creation_functions_still_make_what_they_should():
    assert minidl.arange(0, 5, 0.5).shape == (10,)
    assert minidl.arange(0, 5.0, dtype=np.int64).data.tolist() == [0, 1, 2, 3, 4]  # as torch
    assert minidl.arange(minidl.tensor(3)).data.tolist() == [0, 1, 2]  # a 0-d tensor bound
    assert minidl.linspace(minidl.tensor(0.0), 1, 3).data.tolist() == [0.0, 0.5, 1.0]
    assert minidl.randint(0, 2, (4,), dtype=bool).dtype == np.bool_
    assert minidl.arange(5).data.tolist() == [0, 1, 2, 3, 4]
    assert minidl.randint(0, 256, (4,), dtype=np.uint8).dtype == np.uint8
    assert minidl.full((2,), 0.1, dtype=np.float64).data[0] == 0.1  # not rounded via float32
    assert minidl.full((2,), True).dtype == np.bool_
    assert minidl.eye(2, 3).shape == (2, 3)
    assert minidl.zeros((2, 3)).shape == minidl.zeros(2, 3).shape == (2, 3)


# ----- ops: arguments of the wrong kind ----------------------------------------------------


@pytest.mark.parametrize("op", [minidl.cat, minidl.stack])
def test_cat_and_stack_of_a_single_tensor_are_refused_not_iterated(op):
    # iterating a (2, 3) tensor would silently join its two rows
    with raises(TypeError, op.__name__, "list or tuple of tensors", "(2, 3)"):
        op(minidl.ones(2, 3))


@pytest.mark.parametrize("shape", [(-2, 3), (3, -7), (-1, -1)])
def test_reshape_accepts_only_one_minus_one(shape):
    with raises(ValueError, "reshape/view", str(shape)):
        minidl.ones(6).reshape(*shape)
    with raises(ValueError, "reshape/view"):
        minidl.ones(6).view(*shape)


@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_and_min_without_dim_keep_every_axis_with_keepdim(fn):
    x = minidl.tensor(np.arange(6.0).reshape(2, 3))
    out = getattr(minidl, fn)(x, keepdim=True)
    assert out.shape == (1, 1) == x.amax(keepdim=True).shape
    assert out.item() == (5.0 if fn == "max" else 0.0)
    assert getattr(x, fn)().shape == ()


@pytest.mark.parametrize(
    "call, fragments",
    [
        (lambda x: x.sum(1.0), ("sum", "dim must be an int or a tuple of ints", "1.0")),
        (lambda x: x.sum("a"), ("sum", "dim must be an int", "'a'")),
        (lambda x: x.mean(True), ("mean", "dim must be an int", "True")),
        (lambda x: x.amax((0, 1.0)), ("amax", "dim must be an int")),
        (lambda x: x.split(1.5), ("split", "1.5")),
        (lambda x: x.chunk(1.5), ("chunk", "chunks must be an int", "1.5")),
        (lambda x: x.chunk("2"), ("chunk", "'2'")),
        (lambda x: x.chunk(None), ("chunk", "None")),
        (lambda x: x.size(1.0), ("size", "dim must be one int")),
    ],
)
def test_dims_and_counts_of_the_wrong_type(call, fragments):
    with raises(TypeError, *fragments):
        call(minidl.ones(2, 3))


@pytest.mark.parametrize("dim", [5, -3])
def test_size_of_a_dim_out_of_range(dim):
    with raises(IndexError, "size", f"dim {dim} out of range", "2 dimension"):
        minidl.ones(2, 3).size(dim)


def test_comparisons_of_shapes_that_do_not_broadcast():
    with raises(ValueError, "equal", "(3,)", "(2,)"):
        minidl.ones(3) == minidl.ones(2)  # noqa: B015
    with raises(ValueError, "less", "(3,)", "(4,)"):
        minidl.ones(3) < minidl.ones(4)  # noqa: B015


# ----- writing by index -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "index, value, kind, fragments",
    [
        (5, 1.0, IndexError, ("setitem", "shape (3,)", "out of bounds")),
        (slice(None), minidl.ones(2), ValueError, ("setitem", "shape (2,)", "shape (3,)")),
        (minidl.tensor([0.5]), 1.0, IndexError, ("setitem", "integers or booleans", "float32")),
        (0, "a", TypeError, ("setitem", "str")),
        (0, 1j, TypeError, ("setitem", "complex")),
    ],
)
def test_setitem_errors_name_the_op_and_shapes(index, value, kind, fragments):
    t = minidl.zeros(3)
    with raises(kind, *fragments):
        t[index] = value
    assert t.data.tolist() == [0.0, 0.0, 0.0]


def test_setitem_still_writes_what_numpy_would():
    t = minidl.zeros(4, dtype=np.float64)
    t[0] = 0.1  # a Python float is not rounded through float32 on its way in
    t[[1, 2]] = minidl.tensor([2.0, 3.0], dtype=np.float64)
    t[minidl.tensor([False, False, False, True])] = 4
    assert t.data.tolist() == [0.1, 2.0, 3.0, 4.0]


@pytest.mark.parametrize(
    "dtype, value, bad",
    [
        (np.uint8, 300, "300"),
        (np.int32, 2**40, str(2**40)),
        (np.int64, 2**63, str(2**63)),
        (np.int64, float("nan"), "nan"),
        (np.int64, float("inf"), "inf"),
        (np.int64, 2**64, ""),
    ],
)
def test_setitem_refuses_values_the_dtype_cannot_hold(dtype, value, bad):
    # NumPy would store 300 in a uint8 as 44, and NaN in an int64 as -2**63
    t = minidl.zeros(3, dtype=dtype)
    with raises(OverflowError, "setitem", bad):
        t[0] = value
    with raises(OverflowError, "setitem"):
        t[:2] = [1, value]
    if value != 2**64:
        with raises(OverflowError, "setitem", bad):
            t[0] = minidl.tensor([value], dtype=np.float64)  # a Tensor value is checked too
    assert t.data.tolist() == [0, 0, 0]


def test_setitem_of_a_huge_int_into_a_float_tensor_is_a_float():
    t = minidl.zeros(2, dtype=np.float64)
    t[0] = 2**64
    assert t.data[0] == 2.0**64
    assert minidl.tensor([2**64], dtype=np.float64).data[0] == 2.0**64
    assert minidl.tensor([1, 2**63], dtype=np.float64).data.tolist() == [1.0, 2.0**63]


def test_float16_data_gives_no_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the int64-overflow scan once cast 2**63 to float16
        assert minidl.tensor(np.float16(1)).dtype == np.float16
        assert minidl.tensor([np.float16(1), np.float16(2)]).shape == (2,)


def test_a_numpy_error_class_with_its_own_constructor_still_gives_a_named_error():
    # NumPy's _UFuncOutputCastingError takes five constructor arguments: rebuilding it with
    # only a message used to fail with "__init__() missing 4 required positional arguments"
    t = minidl.tensor(np.ones((2, 2), bool))
    with raises(TypeError, "addmatmul", "bool", "Cannot cast"):
        minidl.addmm(t, t, t, alpha=2)
