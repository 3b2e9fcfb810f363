"""Lines from PyTorch's beginner tutorials, run under ``import minidl as torch``.

Expected values are PyTorch 2.13's (checked by hand against torch on the CPU).
"""

import math

import numpy as np
import pytest

import minidl
import minidl as torch
import minidl.nn.functional as F
from minidl import nn

CPU = minidl.device("cpu")


# ----- dtypes are objects: identity and dict keys ----------------------------------------
@pytest.mark.parametrize(
    "data, name",
    [([1.0], "float32"), ([1], "int64"), ([True], "bool_")],
)
def test_a_tensor_s_dtype_is_the_minidl_dtype_object(data, name):
    assert minidl.tensor(data).dtype is getattr(minidl, name)


def test_dtype_identity_for_casts_and_aliases():
    x = minidl.tensor([1.0, 2.0])
    assert x.double().dtype is minidl.float64 and x.long().dtype is minidl.long
    assert x.int().dtype is minidl.int32 and x.bool().dtype is minidl.bool_
    # as torch.float is torch.float32, torch.long is torch.int64, ...
    assert minidl.float is minidl.float32 and minidl.double is minidl.float64
    assert minidl.long is minidl.int64 and minidl.int is minidl.int32
    assert minidl.bool is minidl.bool_
    assert minidl.zeros(2, dtype=minidl.half).dtype is minidl.half
    assert minidl.zeros(2, dtype=minidl.short).dtype is minidl.int16
    assert minidl.zeros(2, dtype=minidl.uint8).dtype is minidl.uint8


def test_dict_lookup_by_dtype():
    names = {torch.float32: "f32", torch.float64: "f64", torch.long: "i64", torch.bool: "b"}
    assert names[torch.tensor([1.0]).dtype] == "f32"
    assert names[torch.tensor([1.0], dtype=torch.double).dtype] == "f64"
    assert names[torch.tensor([3]).dtype] == "i64"
    assert names[(torch.tensor([3]) > 1).dtype] == "b"


def test_dtype_objects_still_work_with_numpy():
    assert np.zeros(3, minidl.float32).dtype == np.float32
    assert np.ones(2).astype(minidl.float32).dtype == np.float32
    assert minidl.float32 == np.float32 and minidl.float32.itemsize == 4
    assert minidl.tensor([1.5]).to(minidl.float64).dtype == np.float64


# ----- Tensor.type -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "dtype, name",
    [
        (minidl.float32, "torch.FloatTensor"),
        (minidl.float64, "torch.DoubleTensor"),
        (minidl.half, "torch.HalfTensor"),
        (minidl.int64, "torch.LongTensor"),
        (minidl.int32, "torch.IntTensor"),
        (minidl.int16, "torch.ShortTensor"),
        (minidl.int8, "torch.CharTensor"),
        (minidl.uint8, "torch.ByteTensor"),
        (minidl.bool_, "torch.BoolTensor"),
    ],
)
def test_type_without_arguments_is_pytorch_s_type_name(dtype, name):
    assert minidl.zeros(2, dtype=dtype).type() == name


def test_type_with_a_dtype_casts_or_returns_the_tensor_itself():
    x = minidl.tensor([1.0, 2.0])
    assert x.type(torch.float32) is x and x.type("torch.FloatTensor") is x
    assert x.type("torch.Tensor") is x  # the default float dtype
    y = x.type(torch.float64)
    assert y is not x and y.dtype is minidl.float64 and y.tolist() == [1.0, 2.0]
    z = x.type("torch.LongTensor")
    assert z.dtype is minidl.int64 and z.tolist() == [1, 2]
    assert x.type(np.int32).dtype is minidl.int32


def test_type_refuses_names_pytorch_refuses():
    x = minidl.tensor([1.0])
    with pytest.raises(ValueError, match="Tensor.type: unknown type name 'float32'"):
        x.type("float32")  # torch: "invalid type: 'float32'"
    with pytest.raises(ValueError, match="Tensor.type: unknown type name 'FloatTensor'"):
        x.type("FloatTensor")
    with pytest.raises(ValueError, match="Tensor.type: minidl runs on the CPU only"):
        x.type("torch.cuda.FloatTensor")


def test_quickstart_accuracy_line():
    pred = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    y = torch.tensor([1, 1, 1])
    correct = 0
    correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    assert correct == 2.0


# ----- .float() and friends return the tensor itself when nothing changes ---------------
@pytest.mark.parametrize(
    "data, dtype, method",
    [
        ([1.0], minidl.float32, "float"),
        ([1.0], minidl.float64, "double"),
        ([1], minidl.int64, "long"),
        ([1], minidl.int32, "int"),
        ([True], minidl.bool_, "bool"),
    ],
)
def test_a_cast_to_the_same_dtype_is_the_tensor_itself(data, dtype, method):
    x = minidl.tensor(data, dtype=dtype)
    assert getattr(x, method)() is x
    assert x.to(dtype) is x and x.to(dtype=dtype) is x and x.to("cpu", dtype) is x


def test_same_dtype_float_shares_memory_as_in_pytorch():
    x = minidl.tensor([1.0, 2.0])
    y = x.float()
    y.add_(1.0)  # not recording: written into the shared array
    assert x.tolist() == [2.0, 3.0]


def test_to_copy_true_copies():
    x = minidl.tensor([1.0, 2.0])
    y = x.to(minidl.float32, copy=True)
    assert y is not x and y.dtype is minidl.float32
    y.add_(1.0)
    assert x.tolist() == [1.0, 2.0]
    assert x.to(copy=True) is not x


def test_float_of_a_float64_tensor_is_a_new_float32_tensor_that_backpropagates():
    p = minidl.tensor([1.0, 2.0], dtype=minidl.float64, requires_grad=True)
    q = p.float()
    assert q is not p and q.dtype is minidl.float32 and q.grad_fn is not None
    (q * q).sum().backward()
    assert p.grad.dtype is minidl.float64 and p.grad.tolist() == [2.0, 4.0]


def test_a_float_tensor_that_requires_grad_stays_the_same_leaf():
    w = minidl.tensor([3.0], requires_grad=True)
    assert w.float() is w and w.is_leaf
    (w.float() * 2).sum().backward()
    assert w.grad.tolist() == [2.0]


# ----- empty -------------------------------------------------------------------------------
def test_empty_is_zeros_of_the_shape_and_dtype_asked_for():
    e = minidl.empty(3, 5)
    assert e.shape == (3, 5) and e.dtype is minidl.float32 and not e.data.any()
    assert minidl.empty((2, 3)).shape == (2, 3)
    assert minidl.empty(2, dtype=minidl.int64).dtype is minidl.int64
    assert minidl.empty(2, requires_grad=True).requires_grad
    like = minidl.empty_like(minidl.tensor([[1, 2, 3]]))
    assert like.shape == (1, 3) and like.dtype is minidl.int64 and like.tolist() == [[0, 0, 0]]
    assert minidl.empty_like(minidl.ones(2), dtype=minidl.float64).dtype is minidl.float64
    with pytest.raises(ValueError, match="empty: negative dimension"):
        minidl.empty(-1)


def test_xavier_uniform_on_an_empty_tensor():
    w = nn.init.xavier_uniform_(torch.empty(3, 5))
    bound = math.sqrt(6 / (3 + 5))
    assert w.shape == (3, 5) and w.dtype is minidl.float32
    assert (np.abs(w.data) <= bound).all() and w.data.any()


# ----- device ------------------------------------------------------------------------------
def test_tutorial_polynomial_lines_with_device_and_dtype():
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    assert x.shape == (2000,) and x.dtype is torch.float32
    assert x[0].item() == -3.1415927410125732 and x[-1].item() == 3.1415927410125732
    a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    assert a.shape == () and a.dtype is torch.float32 and a.requires_grad


_CREATORS = {
    "tensor": lambda d: minidl.tensor([1.0], device=d),
    "zeros": lambda d: minidl.zeros(2, device=d),
    "ones": lambda d: minidl.ones(2, device=d),
    "empty": lambda d: minidl.empty(2, device=d),
    "full": lambda d: minidl.full((2,), 1.5, device=d),
    "arange": lambda d: minidl.arange(3, device=d),
    "linspace": lambda d: minidl.linspace(0, 1, 3, device=d),
    "eye": lambda d: minidl.eye(2, device=d),
    "rand": lambda d: minidl.rand(2, device=d),
    "randn": lambda d: minidl.randn(2, device=d),
    "randint": lambda d: minidl.randint(0, 5, (2,), device=d),
    "randperm": lambda d: minidl.randperm(3, device=d),
    "zeros_like": lambda d: minidl.zeros_like(minidl.ones(2), device=d),
    "ones_like": lambda d: minidl.ones_like(minidl.ones(2), device=d),
    "empty_like": lambda d: minidl.empty_like(minidl.ones(2), device=d),
}


@pytest.mark.parametrize("name", sorted(_CREATORS))
def test_creation_functions_accept_the_cpu_and_refuse_other_devices(name):
    make = _CREATORS[name]
    for device in (None, "cpu", "cpu:0", CPU, minidl.device("cpu:0")):
        assert make(device).device == CPU
    with pytest.raises(ValueError, match=f"^{name}: minidl runs on the CPU only.*'cuda'"):
        make("cuda")
    with pytest.raises(ValueError, match=f"^{name}: minidl runs on the CPU only.*'cpu:1'"):
        make("cpu:1")  # there is one CPU device, index 0
    with pytest.raises(TypeError, match=f"^{name}: 'float32' is the name of a dtype"):
        make("float32")


@pytest.mark.parametrize(
    "method, dtype",
    [("half", np.float16), ("short", np.int16), ("char", np.int8), ("byte", np.uint8)],
)
def test_the_other_cast_methods_give_pytorchs_dtypes(method, dtype):
    # float to int truncates toward 0, as in PyTorch: 1.5 -> 1, -1.5 -> -1
    values = [1.5, 3.0, 2.0] if dtype == np.uint8 else [1.5, -1.5, 2.0]
    y = getattr(minidl.tensor(values), method)()
    assert y.dtype == dtype
    expected = values if dtype == np.float16 else np.trunc(values)
    np.testing.assert_array_equal(y.data, np.array(expected, dtype=dtype))
    assert getattr(y, method)() is y  # already that dtype: itself, as float() does


def test_tensor_device_cuda_and_cpu():
    x = minidl.tensor([1.0, 2.0])
    assert x.device == CPU and repr(x.device) == "device(type='cpu')" and str(x.device) == "cpu"
    assert x.cpu() is x
    with pytest.raises(AttributeError):
        x.device = "cpu"  # read-only, as in PyTorch
    with pytest.raises(ValueError, match="Tensor.cuda: minidl runs on the CPU only"):
        x.cuda()
    with pytest.raises(ValueError, match="Tensor.to: minidl runs on the CPU only"):
        x.to("cuda")


# ----- F.relu(inplace=...) -------------------------------------------------------------------
def test_functional_relu_accepts_inplace():
    x = torch.tensor([-1.0, 2.0])
    r = F.relu(x, inplace=False)
    assert r is not x and r.tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]
    # PyTorch would overwrite x here; minidl documents a new tensor either way
    r = F.relu(x, inplace=True)
    assert r.tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]


def test_a_numpy_scalar_keeps_its_dtype_as_in_pytorch():
    # torch.tensor(np.int32(3)) is int32 and torch.tensor(np.float64(1.0)) float64; a Python
    # int is int64 and a Python float the default float32
    assert minidl.tensor(np.int32(3)).dtype == np.int32
    assert minidl.tensor(np.uint8(3)).dtype == np.uint8
    assert minidl.tensor(np.float64(1.0)).dtype == np.float64
    assert minidl.tensor(3).dtype == np.int64 and minidl.tensor(1.0).dtype == np.float32
    x = minidl.tensor([1, 2])  # int64: a 0-d int32 operand yields to it, as in PyTorch
    assert (x + minidl.tensor(np.int32(3))).dtype == np.int64


def test_finfo_iinfo_float16_and_is_floating_point():
    # torch.finfo(x.dtype).eps is float32's machine epsilon 2⁻²³; int64's largest is 2⁶³ − 1
    x = minidl.tensor([1.0])
    assert minidl.finfo(x.dtype).eps == 2.0**-23
    assert minidl.iinfo(minidl.int64).max == 2**63 - 1
    assert minidl.float16 is minidl.half is np.dtype(np.float16)
    assert x.is_floating_point() and not minidl.tensor([1]).is_floating_point()


@pytest.mark.parametrize(
    "make",
    [
        lambda d: nn.Linear(2, 3, device=d),
        lambda d: nn.Embedding(4, 2, device=d),
        lambda d: nn.LSTM(2, 3, device=d),
        lambda d: nn.GRU(2, 3, device=d),
        lambda d: nn.RNN(2, 3, device=d),
        lambda d: nn.LSTMCell(2, 3, device=d),
        lambda d: nn.GRUCell(2, 3, device=d),
        lambda d: nn.RNNCell(2, 3, device=d),
    ],
)
def test_layers_take_pytorchs_device_keyword(make):
    # nn.Linear(i, o, device=device), the usual line after picking the device
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    layer = make(device)
    assert all(p.device == CPU for p in layer.parameters())
    assert make("cpu:0") is not None
    with pytest.raises(ValueError, match=f"^{type(layer).__name__}: minidl runs on the CPU only"):
        make("cuda")
