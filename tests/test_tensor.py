"""The Tensor API: construction, creation functions, properties, conversion, repr, comparisons."""

import importlib

import numpy as np
import pytest

import minidl


@pytest.fixture
def float64_default():
    minidl.set_default_dtype(np.float64)
    yield
    minidl.set_default_dtype(np.float32)


def test_tensor_from_python_data_uses_default_dtypes():
    assert minidl.tensor([1.0, 2.0]).dtype == np.float32
    assert minidl.tensor([1, 2]).dtype == np.int64
    assert minidl.tensor([True, False]).dtype == np.bool_
    assert minidl.tensor(3.5).shape == ()
    assert minidl.tensor([[1, 2], [3, 4]], dtype=np.float64).dtype == np.float64


def test_tensor_copies_its_data_and_from_numpy_shares_it():
    a = np.array([1.0, 2.0], np.float32)
    t, s = minidl.tensor(a), minidl.from_numpy(a)
    a[0] = 9.0
    assert t.data[0] == 1.0 and s.data[0] == 9.0
    assert s.dtype == np.float32
    assert np.shares_memory(s.numpy(), a)


def test_numpy_arrays_keep_their_dtype():
    assert minidl.tensor(np.zeros(2, np.float64)).dtype == np.float64
    assert minidl.tensor(np.float64(1.5)).dtype == np.float64


def test_requires_grad_flag_and_leaf_status():
    x = minidl.tensor([1.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    y = x * 2.0
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None


def test_tensors_have_no_instance_dict():
    # Tensor keeps its attributes in __slots__; one class of its MRO without __slots__ (a
    # mixin such as TensorMath) would give every tensor a __dict__ and let typos pass
    t = minidl.tensor([1.0])
    assert not hasattr(t, "__dict__")
    with pytest.raises(AttributeError):
        t.requires_gard = True
    assert all("__slots__" in vars(k) for k in type(t).__mro__ if k is not object)


def test_helpers_moved_out_of_tensor_py_are_still_importable_from_it():
    # minidl's own modules, and users' code, import these from minidl.tensor
    from minidl import _checks, convert, devices, printing

    module = importlib.import_module("minidl.tensor")  # the module, not minidl.tensor()
    homes = {
        _checks: "check_bool check_dtype check_fraction check_int get_default_dtype is_int "
        "is_real set_default_dtype",
        convert: "as_array convert",
        devices: "Device check_device device to_arguments",
        printing: "set_printoptions",
    }
    for home, names in homes.items():
        for name in names.split():
            assert getattr(module, name) is getattr(home, name), name


def test_set_default_dtype_changes_new_float_tensors(float64_default):
    assert minidl.get_default_dtype() == np.float64
    assert minidl.tensor([1.0]).dtype == np.float64
    assert minidl.zeros(2).dtype == np.float64
    assert minidl.randn(2).dtype == np.float64


def test_set_default_dtype_refuses_non_float():
    with pytest.raises(TypeError, match="float32 or float64.*int64"):
        minidl.set_default_dtype(np.int64)


def test_creation_functions_make_the_expected_values():
    np.testing.assert_array_equal(minidl.zeros(2, 3).data, np.zeros((2, 3)))
    np.testing.assert_array_equal(minidl.zeros((2, 3)).data, np.zeros((2, 3)))
    np.testing.assert_array_equal(minidl.ones(4).data, np.ones(4))
    np.testing.assert_array_equal(minidl.full((2, 2), 7.0).data, np.full((2, 2), 7.0))
    assert minidl.full((2,), 7.0).dtype == np.float32
    assert minidl.full((2,), 7).dtype == np.int64
    assert minidl.full((2,), np.int64(7)).dtype == np.int64
    assert minidl.full((2,), True).dtype == np.bool_
    np.testing.assert_array_equal(minidl.arange(5).data, [0, 1, 2, 3, 4])
    assert minidl.arange(5).dtype == np.int64
    np.testing.assert_allclose(minidl.arange(0.0, 1.0, 0.25).data, [0.0, 0.25, 0.5, 0.75])
    assert minidl.arange(0.0, 1.0, 0.25).dtype == np.float32
    np.testing.assert_array_equal(minidl.eye(3).data, np.eye(3))
    np.testing.assert_array_equal(minidl.eye(2, 3).data, np.eye(2, 3))
    for t in (minidl.zeros(1), minidl.ones(1), minidl.eye(1), minidl.rand(1), minidl.randn(1)):
        assert t.dtype == np.float32


def test_like_functions_copy_shape_and_dtype():
    t = minidl.tensor([[1.0, 2.0, 3.0]], dtype=np.float64)
    z, o = minidl.zeros_like(t), minidl.ones_like(t)
    assert z.shape == o.shape == (1, 3) and z.dtype == o.dtype == np.float64
    np.testing.assert_array_equal(z.data + 1, o.data)
    assert minidl.zeros_like(t, dtype=np.float32).dtype == np.float32


def test_rand_and_randn_are_reproducible_under_manual_seed():
    minidl.manual_seed(123)
    a, b = minidl.rand(3, 2), minidl.randn(4)
    minidl.manual_seed(123)
    np.testing.assert_array_equal(minidl.rand(3, 2).data, a.data)
    np.testing.assert_array_equal(minidl.randn(4).data, b.data)
    assert np.all((a.data >= 0) & (a.data < 1))
    minidl.manual_seed(124)
    assert not np.array_equal(minidl.rand(3, 2).data, a.data)


def test_randn_looks_standard_normal():
    minidl.manual_seed(0)
    x = minidl.randn(20000, dtype=np.float64).data
    assert abs(x.mean()) < 0.03 and abs(x.std() - 1) < 0.03


def test_creation_with_requires_grad():
    assert minidl.zeros(2, requires_grad=True).requires_grad
    assert minidl.randn(2, requires_grad=True).requires_grad


def test_properties_and_conversions():
    t = minidl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert t.ndim == 2 and len(t) == 2 and t.dtype == np.float32
    np.testing.assert_array_equal(t.T.data, np.array([[1, 4], [2, 5], [3, 6]]))
    assert isinstance(t.numpy(), np.ndarray)
    assert minidl.tensor([[2.5]]).item() == 2.5
    assert isinstance(minidl.tensor(3).item(), int)


def test_item_of_a_larger_tensor_names_the_shape():
    with pytest.raises(ValueError, match=r"item.*\(2,\)"):
        minidl.tensor([1.0, 2.0]).item()


def test_numpy_refuses_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="detach"):
        minidl.tensor([1.0], requires_grad=True).numpy()


def test_len_of_a_0d_tensor_is_an_error():
    with pytest.raises(TypeError, match="0-d"):
        len(minidl.tensor(1.0))


def test_iterating_gives_the_rows_and_refuses_a_0d_tensor():
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == 2 and all(r.shape == (2,) for r in rows)
    (rows[0] * 1.0 + rows[1] * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 1.0], [3.0, 3.0]])
    with pytest.raises(TypeError, match="0-d"):
        list(minidl.tensor(1.0))


def test_repr_is_readable():
    r = repr(minidl.tensor([1.0, 2.5]))
    assert r.startswith("tensor([1. , 2.5]") or r.startswith("tensor([1., 2.5]")
    assert "requires_grad=True" in repr(minidl.tensor([1.0], requires_grad=True))
    assert "dtype=float64" in repr(minidl.tensor([1.0], dtype=np.float64))
    assert "grad_fn=<MulBackward>" in repr(minidl.tensor([1.0], requires_grad=True) * 2.0)


def test_comparisons_return_bool_tensors_without_grad():
    x = minidl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for out, expected in [
        (x > 1.5, [False, True, True]),
        (x >= 2.0, [False, True, True]),
        (x < 2.0, [True, False, False]),
        (x <= 1.0, [True, False, False]),
        (x == 2.0, [False, True, False]),
        (x != 2.0, [True, False, True]),
        (x > minidl.tensor([0.0, 5.0, 3.0]), [True, False, False]),
    ]:
        assert isinstance(out, minidl.Tensor) and out.dtype == np.bool_
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.data, expected)


def test_argmax_returns_an_index_tensor_without_grad():
    x = minidl.tensor([[1.0, 9.0, 3.0], [7.0, 2.0, 0.5]], requires_grad=True)
    assert x.argmax().item() == 1
    np.testing.assert_array_equal(x.argmax(1).data, [1, 0])
    np.testing.assert_array_equal(x.argmax(0, keepdim=True).data, [[1, 0, 0]])
    assert not x.argmax(1).requires_grad


def test_boolean_tensor_and_truth_value():
    assert bool(minidl.tensor([1.0]) > 0.0)
    with pytest.raises(RuntimeError, match=r"shape \(2,\) is ambiguous"):
        bool(minidl.tensor([1.0, 2.0]) > 0.0)


def test_setitem_is_refused_on_a_tensor_in_a_graph_but_allowed_under_no_grad():
    x = minidl.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        x[0] = 5.0
    with minidl.no_grad():
        x[0] = 5.0
    np.testing.assert_array_equal(x.data, [5.0, 2.0])


def test_method_forms_match_functional_forms():
    x = minidl.tensor([[0.5, -1.0], [2.0, 0.25]])
    pairs = [
        (x.exp(), minidl.exp(x)),
        (x.abs(), minidl.abs(x)),
        (x.relu(), minidl.relu(x)),
        (x.tanh(), minidl.tanh(x)),
        (x.sigmoid(), minidl.sigmoid(x)),
        (x.softmax(0), minidl.softmax(x, 0)),
        (x.sum(1), minidl.sum(x, 1)),
        (x.transpose(0, 1), minidl.transpose(x, 0, 1)),
        (x.unsqueeze(1), minidl.unsqueeze(x, 1)),
    ]
    for a, b in pairs:
        np.testing.assert_array_equal(a.data, b.data)


def test_arithmetic_with_lists_and_arrays():
    x = minidl.tensor([1.0, 2.0])
    np.testing.assert_array_equal((x + [1.0, 1.0]).data, [2.0, 3.0])
    np.testing.assert_array_equal(minidl.add([1.0, 1.0], x).data, [2.0, 3.0])
    np.testing.assert_array_equal((np.array([2.0, 2.0], np.float32) - x).data, [1.0, 0.0])


def test_set_printoptions_as_pytorch():
    x = minidl.tensor([1.23456789, 2.0, 3.5])
    try:
        assert repr(x) == "tensor([1.2346, 2.    , 3.5   ])"  # 4 digits by default
        minidl.set_printoptions(precision=2)
        assert repr(x) == "tensor([1.23, 2.  , 3.5 ])"
        minidl.set_printoptions(sci_mode=True)
        assert repr(x) == "tensor([1.23e+00, 2.00e+00, 3.50e+00])"
        minidl.set_printoptions(profile="default", threshold=5, edgeitems=2)
        assert repr(minidl.arange(10)) == "tensor([0, 1, ..., 8, 9])"  # summarised
        minidl.set_printoptions(threshold=float("inf"))  # PyTorch's way to print everything
        assert "..." not in repr(minidl.arange(2000))
        with pytest.raises(ValueError, match="profile must be one of"):
            minidl.set_printoptions(profile="long")
        with pytest.raises(TypeError, match="sci_mode must be True or False"):
            minidl.set_printoptions(sci_mode="yes")
    finally:
        minidl.set_printoptions(profile="default")
    assert repr(x) == "tensor([1.2346, 2.    , 3.5   ])"
