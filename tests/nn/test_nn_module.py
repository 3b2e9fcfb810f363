"""Module system: registration, traversal, modes, gradients, state_dict, repr."""

from collections import OrderedDict

import numpy as np
import pytest

import minidl
import minidl.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5))
        self.head = nn.Linear(4, 2, bias=False)
        self.scale = nn.Parameter(np.ones(2, np.float32))
        self.note = "not a parameter"

    def forward(self, x):
        return self.head(self.body(x)) * self.scale


def test_parameters_registered_by_assignment_with_pytorch_keys():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "body.0.weight", "body.0.bias", "head.weight"]
    assert list(net.state_dict()) == names
    assert len(list(net.parameters())) == 4
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())


def test_children_and_modules():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["body", "head"]
    assert list(net.children()) == [net.body, net.head]
    kinds = [type(m).__name__ for m in net.modules()]
    assert kinds == ["Net", "Sequential", "Linear", "ReLU", "Dropout", "Linear"]


def test_shared_parameter_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2


def test_reassigning_attribute_unregisters():
    net = Net()
    net.head = None
    assert "head.weight" not in net.state_dict()
    del net.scale
    assert "scale" not in net.state_dict()


def test_assigning_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Bad()


def test_train_eval_reach_every_submodule():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_eval_turns_dropout_into_identity():
    minidl.manual_seed(0)
    drop = nn.Dropout(0.5)
    x = minidl.ones(1000)
    y = drop(x).data
    assert set(np.unique(y)) == {0.0, 2.0}
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x.data)


def test_call_runs_forward_and_zero_grad():
    net = Net()
    out = net(minidl.randn(5, 3))
    assert out.shape == (5, 2)
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.data.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_call_passes_every_form_of_arguments_to_forward():
    # __call__ writes out the one-input call; the others go through *args/**kwargs
    class Echo(nn.Module):
        def forward(self, *args, **kwargs):
            return args, kwargs

    class Named(nn.Module):
        def forward(self, input, x=0, *, scale=1):
            return input, x, scale

    class NoInput(nn.Module):
        def forward(self):
            return "ran"

    echo = Echo()
    assert echo(1) == ((1,), {})
    assert echo(None) == ((None,), {})  # None is an input, not "no input"
    assert echo() == ((), {})
    assert echo(1, 2, k=3) == ((1, 2), {"k": 3})
    assert echo(k=3) == ((), {"k": 3})
    assert Named()(input=5) == (5, 0, 1)
    assert Named()(5, x=2, scale=3) == (5, 2, 3)
    assert Named()(x=2, input=5) == (5, 2, 1)
    assert NoInput()() == "ran"
    with pytest.raises(TypeError):
        NoInput()(1)


def test_parameter_shares_its_tensor_data_and_repr():
    t = minidl.zeros(3)
    p = nn.Parameter(t)
    assert p.data is t.data and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\ntensor(")
    with pytest.raises(AttributeError):
        p.anything = 1  # Tensor's __slots__ kept: no per-instance dict


def test_state_dict_is_detached_and_shares_data():
    lin = nn.Linear(2, 3)
    sd = lin.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["weight"].requires_grad and sd["weight"].grad_fn is None
    assert sd["weight"].data is lin.weight.data


def test_load_state_dict_round_trip_in_place():
    minidl.manual_seed(1)
    a, b = Net(), Net()
    weight_before = b.head.weight
    b.load_state_dict(a.state_dict())
    assert b.head.weight is weight_before  # the same Parameter object: optimizers keep it
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va.data, vb.data)
    assert va.data is not vb.data


def test_load_state_dict_accepts_arrays():
    lin = nn.Linear(2, 1)
    lin.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([3.0])})
    np.testing.assert_array_equal(lin(minidl.tensor([[1.0, 1.0]])).data, [[6.0]])
    assert lin.weight.dtype == np.float32


def test_strict_loading_names_missing_and_unexpected_keys():
    lin = nn.Linear(2, 1)
    before = lin.weight.data.copy()
    bad = {"weight": np.ones((1, 2)), "bais": np.ones(1)}
    with pytest.raises(RuntimeError) as e:
        lin.load_state_dict(bad)
    assert "Missing key(s): 'bias'" in str(e.value)
    assert "Unexpected key(s): 'bais'" in str(e.value)
    np.testing.assert_array_equal(lin.weight.data, before)  # nothing loaded on error
    missing, unexpected = lin.load_state_dict(bad, strict=False)
    assert missing == ["bias"] and unexpected == ["bais"]
    np.testing.assert_array_equal(lin.weight.data, [[1.0, 1.0]])


def test_shape_mismatch_names_key_and_shapes():
    lin = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match=r"'weight'.*\(1, 3\).*\(1, 2\)"):
        lin.load_state_dict({"weight": np.ones((1, 3)), "bias": np.ones(1)}, strict=False)


def test_nested_repr_like_pytorch():
    expected = (
        "Net(\n"
        "  (body): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=4, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Dropout(p=0.5, inplace=False)\n"
        "  )\n"
        "  (head): Linear(in_features=4, out_features=2, bias=False)\n"
        ")"
    )
    assert repr(Net()) == expected


def test_sequential_and_module_list_containers():
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.Tanh())]))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert len(seq) == 2 and isinstance(seq[1], nn.Tanh) and len(seq[:1]) == 1
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.Linear(2, 1))
    assert len(layers) == 4 and list(layers.state_dict())[-1] == "3.bias"
    x = minidl.randn(4, 2)
    for layer in layers:
        x = layer(x)
    assert x.shape == (4, 1)


def test_module_double_converts_parameters_in_place():
    lin = nn.Linear(2, 2)
    w = lin.weight
    lin.double()
    assert lin.weight is w and w.dtype == np.float64
    assert lin(minidl.tensor([[1.0, 2.0]], dtype=np.float64)).dtype == np.float64


def test_missing_forward_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        type("Empty", (nn.Module,), {})()(1)


def test_activation_modules_compute_their_functions():
    x = minidl.tensor([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(nn.ReLU()(x).data, [0.0, 0.0, 3.0])
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh([-2.0, 0.0, 3.0]), rtol=1e-6)
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp([2.0, 0.0, -3.0])), rtol=1e-6)


def test_dropout_statistics_scaling_and_reproducibility():
    x = minidl.ones(200_000)
    minidl.manual_seed(5)
    y = nn.functional.dropout(x, p=0.3).data
    assert y.dtype == np.float32
    assert set(np.unique(y)) == {np.float32(0), np.float32(1 / 0.7)}
    assert abs((y == 0).mean() - 0.3) < 0.005  # zeroed with probability p
    assert abs(y.mean() - 1) < 0.01  # E[y] = x thanks to the 1/(1 − p) scale
    minidl.manual_seed(5)
    np.testing.assert_array_equal(nn.functional.dropout(x, p=0.3).data, y)
    assert not nn.functional.dropout(x, p=1.0).data.any()
    assert nn.functional.dropout(x, p=0.3, training=False) is x
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)


def test_deepcopy_gives_an_independent_model():
    import copy

    lin = nn.Linear(2, 2)
    twin = copy.deepcopy(lin)
    assert isinstance(twin.weight, nn.Parameter) and list(twin.state_dict()) == ["weight", "bias"]
    twin.weight.data[...] = 0
    assert lin.weight.data.any()


def test_assigning_a_non_parameter_over_a_parameter_is_an_error():
    lin = nn.Linear(2, 3)
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'weight'"):
        lin.weight = minidl.zeros(3, 2)
    net = Net()
    with pytest.raises(TypeError, match="cannot assign int as child module 'head'"):
        net.head = 3
    assert [k for k, _ in lin.named_parameters()] == ["weight", "bias"]
    assert "head.weight" in net.state_dict()


def test_reassigning_keeps_the_place_in_parameters_and_state_dict():
    lin = nn.Linear(2, 3)
    new = nn.Parameter(np.zeros((3, 2), np.float32))
    lin.weight = new
    assert [k for k, _ in lin.named_parameters()] == ["weight", "bias"]
    assert lin.weight is new

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.e = nn.Linear(2, 2)
            self.d = nn.Linear(2, 2)
            self.d.weight = self.e.weight  # weight tying

    assert list(Tied().state_dict()) == ["e.weight", "e.bias", "d.weight", "d.bias"]
    net = Net()
    keys = list(net.state_dict())
    net.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5))
    assert list(net.state_dict()) == keys


def test_a_module_registered_twice_is_saved_under_both_names():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert len(list(seq.parameters())) == 2  # parameters() still lists each once
    other = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    seq.load_state_dict(other[:1].state_dict() | other.state_dict())
    np.testing.assert_array_equal(lin.weight.data, other[1].weight.data)  # the last name wins


def test_slicing_a_sequential_keeps_the_childrens_names():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert list(seq[1:].state_dict()) == ["2.weight", "2.bias"]
    assert seq[-1] is seq[2]
    named = nn.Sequential(OrderedDict([("fc1", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert list(named[:1].state_dict()) == ["fc1.weight", "fc1.bias"]
    with pytest.raises(IndexError, match="index 3 is out of range for Sequential of length 3"):
        seq[3]
    with pytest.raises(IndexError, match="out of range for ModuleList of length 1"):
        nn.ModuleList([nn.ReLU()])[-2]


def test_to_accepts_the_cpu_device_and_refuses_others():
    lin = nn.Linear(2, 2)
    assert lin.to("cpu") is lin and lin.cpu() is lin
    assert lin.weight.dtype == np.float32
    assert lin.to("cpu", np.float64).weight.dtype == np.float64
    assert lin.to(device="cpu", dtype=np.float32).weight.dtype == np.float32
    t = minidl.ones(2)
    assert t.to("cpu") is t and t.cpu() is t
    with pytest.raises(ValueError, match="CPU only.*'cuda'"):
        lin.to("cuda")
    with pytest.raises(ValueError, match="CPU only"):
        t.to("cuda:0")


# ----- PyTorch's Module API, as the module audit compared it ------------------------------------


class _CountsTrain(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = []

    def train(self, mode=True):
        self.calls.append(mode)
        return super().train(mode)


def test_train_and_eval_call_each_childs_own_train():
    child = _CountsTrain()
    model = nn.Sequential(nn.Linear(2, 2), child)
    model.eval()
    model.train()
    assert child.calls == [False, True] and child.training and model.training
    with pytest.raises(ValueError, match="train: mode must be True or False"):
        model.train("no")


def test_apply_visits_children_before_parents_then_self():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)

    model.apply(init_weights)
    assert (model[0].weight.data == 0.5).all() and (model[1][1].weight.data == 0.5).all()


@pytest.mark.parametrize(
    "register, fragment",
    [
        (lambda m: m.add_module("weight", nn.ReLU()), "attribute 'weight' already exists"),
        (lambda m: m.register_parameter("a.b", None), "without '.'"),
        (lambda m: m.add_module("", nn.ReLU()), "non-empty"),
    ],
)
def test_registered_names_cannot_clash_or_contain_a_dot(register, fragment):
    # the module used to keep both: an orphan in parameters() that forward never used
    m = nn.Linear(2, 2)
    with pytest.raises(KeyError, match=fragment):
        register(m)
    assert list(m.state_dict()) == ["weight", "bias"]


def test_a_child_registered_under_two_names_is_one_child():
    shared = nn.Linear(1, 1)
    m = nn.Module()
    m.a, m.b = shared, shared
    assert [name for name, _ in m.named_children()] == ["a"]


def test_float_on_a_float32_model_keeps_its_arrays():
    m = nn.Linear(2, 2)
    view = m.state_dict()["weight"]
    m.float()
    with minidl.no_grad():
        m.weight[0, 0] = 7.0
    assert view.data[0, 0] == 7.0  # still the same memory, as in PyTorch


def test_load_state_dict_with_a_non_numeric_value_changes_nothing():
    m = nn.Linear(1, 2)
    before = {k: v.data.copy() for k, v in m.state_dict().items()}
    bad = {"weight": np.zeros((2, 1)), "bias": np.array(["a", "b"])}
    with pytest.raises(RuntimeError, match="value for 'bias' is not numeric"):
        m.load_state_dict(bad)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])


def test_a_multi_line_extra_repr_is_indented():
    class TwoLines(nn.Module):
        def extra_repr(self):
            return "first=1\nsecond=2"

    assert repr(TwoLines()) == "TwoLines(\n  first=1\n  second=2\n)"


def test_module_list_and_sequential_delete_insert_and_renumber_as_pytorch():
    a, b, c = nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 2)
    ml = nn.ModuleList([a, b, c])
    del ml[0]
    assert list(ml) == [b, c] and [n for n, _ in ml.named_children()] == ["0", "1"]
    ml.insert(0, a)
    assert list(ml) == [a, b, c] and ml.pop(1) is b and list(ml) == [a, c]
    assert list(ml.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert len(nn.ModuleList(None)) == 0
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    del seq[1]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    seq.insert(1, nn.Tanh())
    seq[0] = nn.Linear(2, 3, bias=False)
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear"]
    assert seq(minidl.ones(4, 2)).shape == (4, 1)


def test_init_refuses_integer_tensors_and_skips_empty_weights():
    with pytest.raises(TypeError, match="uniform_: expected a float tensor"):
        nn.init.uniform_(minidl.zeros(3, dtype=np.int64), -1, 1)
    empty = minidl.zeros(3, 0)
    with pytest.warns(UserWarning, match="no elements is a no-op"):
        assert nn.init.kaiming_uniform_(empty) is empty
    with pytest.warns(UserWarning, match="no elements is a no-op"):
        nn.init.xavier_uniform_(empty)


def test_calculate_gain_and_kaiming_with_tanh():
    g = nn.init.calculate_gain
    assert (g("linear"), g("sigmoid"), g("tanh"), g("relu")) == (1.0, 1.0, 5 / 3, 2**0.5)
    assert g("leaky_relu") == pytest.approx((2 / (1 + 0.01**2)) ** 0.5)
    assert g("leaky_relu", 0.2) == pytest.approx((2 / 1.04) ** 0.5)
    minidl.manual_seed(0)
    w = nn.init.kaiming_uniform_(minidl.zeros(400, 300), nonlinearity="tanh")
    bound = 5 / 3 * (3 / 300) ** 0.5  # r = gain · √(3 / fan_in)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
