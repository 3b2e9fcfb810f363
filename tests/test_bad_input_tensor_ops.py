"""Bad input to tensors, creation and ops: a clear error naming the op, never a silent result.

Expected behaviour from PyTorch 2.x where it has one (noted per test).
"""

import numpy as np
import pytest
from strategies import raises

import minidl
from minidl.tensor import check_bool


# ----- check_bool: the shared flag check ------------------------------------------------
def test_check_bool_accepts_python_and_numpy_bools():
    assert check_bool("op", "flag", True) is True
    assert check_bool("op", "flag", np.bool_(False)) is False


@pytest.mark.parametrize("value", ["no", 1, 0, None, 1.0])
def test_check_bool_refuses_anything_else(value):
    with raises(TypeError, "op", "flag", repr(value)):
        check_bool("op", "flag", value)


# ----- flags of ops: PyTorch refuses a str and an int (0 and 1 too) with a TypeError -------
X = [3.0, 1.0, 2.0]


@pytest.mark.parametrize(
    "op, name, call",
    [
        ("sort", "descending", lambda x, v: minidl.sort(x, descending=v)),
        ("sort", "descending", lambda x, v: x.sort(descending=v)),
        ("argsort", "descending", lambda x, v: minidl.argsort(x, descending=v)),
        ("topk", "largest", lambda x, v: minidl.topk(x, 2, largest=v)),
        ("topk", "sorted", lambda x, v: minidl.topk(x, 2, sorted=v)),
        ("unique", "return_counts", lambda x, v: minidl.unique(x, return_counts=v)),
        ("unique", "return_inverse", lambda x, v: minidl.unique(x, return_inverse=v)),
        ("unique", "sorted", lambda x, v: minidl.unique(x, sorted=v)),
        ("nonzero", "as_tuple", lambda x, v: minidl.nonzero(x, as_tuple=v)),
        ("nonzero", "as_tuple", lambda x, v: x.nonzero(as_tuple=v)),
        ("requires_grad_", "requires_grad", lambda x, v: x.requires_grad_(v)),
    ],
)
@pytest.mark.parametrize("value", ["no", 1, 0])
def test_flag_must_be_a_bool(op, name, call, value):
    with raises(TypeError, op, name, repr(value)):
        call(minidl.tensor(X), value)


def test_sort_descending_no_is_not_descending():
    # the finding: 'no' is truthy and sorted descending; a real bool still works
    assert minidl.sort(minidl.tensor(X), descending=np.bool_(True)).values.tolist() == [3, 2, 1]
    assert minidl.sort(minidl.tensor(X), descending=False).values.tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    "op",
    ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "var", "std"],
)
@pytest.mark.parametrize("value", [1, 0, "no"])
def test_reduction_keepdim_must_be_a_bool(op, value):
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])
    with raises(TypeError, op, "keepdim", repr(value)):
        getattr(minidl, op)(x, 0, keepdim=value)
    with raises(TypeError, op, "keepdim"):
        getattr(x, op)(0, keepdim=value)


@pytest.mark.parametrize("op", ["norm", "any", "all", "logsumexp"])
def test_tensor_method_keepdim_must_be_a_bool(op):
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])
    args = (2, 0) if op == "norm" else (0,)
    with raises(TypeError, op, "keepdim", "1"):
        getattr(x, op)(*args, keepdim=1)
    if op != "norm":  # the module-level functions check it too
        with raises(TypeError, op, "keepdim", "'no'"):
            getattr(minidl, op)(x, 0, keepdim="no")


@pytest.mark.parametrize("op", ["any", "all"])
def test_any_all_over_no_dims_reduce_nothing(op):
    # dim=() names no axis: PyTorch gives each element's truth (NaN is true), not one value
    x = minidl.tensor([[0.0, 2.0], [float("nan"), 0.0]])
    assert getattr(minidl, op)(x, dim=()).tolist() == [[False, True], [True, False]]
    assert getattr(x, op)(dim=()).dtype == np.bool_


def test_reduction_keepdim_numpy_bool_works():
    x = minidl.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert minidl.sum(x, 0, keepdim=np.bool_(True)).shape == (1, 2)


# ----- setitem, fill_, copy_, in-place ops -------------------------------------------------
def test_setitem_none_is_a_type_error_not_nan():
    x = minidl.zeros(3)
    with raises(TypeError, "setitem", "None"):
        x[0] = None  # PyTorch: "can't assign a NoneType to a torch.FloatTensor"
    assert x.tolist() == [0, 0, 0]


def test_fill_none_names_fill():
    with raises(TypeError, "fill_", "None"):
        minidl.zeros(3).fill_(None)


def test_fill_and_copy_errors_name_themselves():
    with raises(ValueError, "fill_", "(2,)", "(3,)"):
        minidl.ones(3).fill_(minidl.ones(2))
    with raises(ValueError, "copy_", "(4,)", "(3,)"):
        minidl.ones(3).copy_(minidl.ones(4))


def test_bool_sub_in_place_names_sub_():
    with raises(TypeError, "sub_:", "bool"):
        minidl.tensor([True]).sub_(minidl.tensor([True]))


def test_ragged_index_list_names_the_indexing_op():
    with raises(IndexError, "index", "ragged", "[[0], [1, 2]]"):
        minidl.zeros(3)[[[0], [1, 2]]]
    with raises(IndexError, "setitem", "ragged"):
        minidl.zeros(3)[[[0], [1, 2]]] = 1.0


# ----- conversions, iteration ----------------------------------------------------------------
def test_type_as_needs_a_tensor():
    with raises(TypeError, "type_as", "int"):
        minidl.ones(2).type_as(3)
    assert minidl.ones(2).type_as(minidl.tensor([1])).dtype == np.int64


def test_to_an_unknown_name_is_neither_dtype_nor_device():
    with raises(ValueError, "Tensor.to", "'float33'", "neither a known dtype nor a device"):
        minidl.ones(2).to("float33")
    with raises(ValueError, "CPU only", "'cuda'"):  # a real device keeps its message
        minidl.ones(2).to("cuda")


def test_iteration_over_a_0d_tensor():
    with raises(TypeError, "iteration over a 0-d tensor"):
        list(minidl.tensor(1.0))
    assert [t.item() for t in minidl.tensor([1.0, 2.0])] == [1.0, 2.0]


# ----- random fills ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, fragments",
    [
        (lambda t: t.normal_(0, float("nan")), ("normal_", "std", "nan")),
        (lambda t: t.normal_(0, -1), ("normal_", "std", ">= 0", "-1")),
        (lambda t: t.normal_(float("inf"), 1), ("normal_", "mean", "inf")),
        (lambda t: t.uniform_(2, 1), ("uniform_", "a <= b", "a=2", "b=1")),
        (lambda t: t.uniform_(float("nan"), 1), ("uniform_", "nan")),
        (lambda t: t.uniform_(0, float("inf")), ("uniform_", "inf")),
    ],
)
def test_random_fill_parameters(call, fragments):
    t = minidl.zeros(3)
    with raises(ValueError, *fragments):
        call(t)
    assert t.tolist() == [0, 0, 0]


def test_random_fill_valid_edges():
    assert minidl.zeros(3).normal_(1.5, 0).tolist() == [1.5] * 3  # std 0: the mean
    assert minidl.zeros(3).uniform_(2, 2).tolist() == [2.0] * 3


# ----- creation ----------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(5, 0, 1), (0, 5, -1), (0.0, -1.0, 0.5)])
def test_arange_step_sign_inconsistent_with_bounds(args):
    # PyTorch: "upper bound and lower bound inconsistent with step sign"
    with raises(ValueError, "arange", "inconsistent with step sign", f"step={args[2]}"):
        minidl.arange(*args)


def test_arange_valid_and_empty_ranges():
    assert minidl.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert minidl.arange(3, 3).tolist() == []


def test_arange_too_many_values():
    with raises(ValueError, "arange", "1e-300", "too many"):
        minidl.arange(0, 1, 1e-300)


@pytest.mark.parametrize("op", ["zeros", "ones", "empty"])
def test_shape_too_big_to_allocate(op):
    with raises(ValueError, op, "(1000000000000, 1000000000000)", "too many"):
        getattr(minidl, op)(10**12, 10**12)


def test_full_too_big_to_allocate():
    with raises(ValueError, "full", "(1000000000000, 1000000000000)"):
        minidl.full((10**12, 10**12), 1.0)


# ----- flatten of a 0-d tensor: dims as for 1-d, as in PyTorch ------------------------------------
def test_flatten_0d_dims_checked():
    assert minidl.flatten(minidl.tensor(1.0)).shape == (1,)
    assert minidl.flatten(minidl.tensor(1.0), -1, 0).shape == (1,)
    with raises(IndexError, "flatten", "dim 1"):
        minidl.flatten(minidl.tensor(1.0), 1)
