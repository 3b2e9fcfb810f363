"""ModuleDict, ParameterList and ParameterDict: registration, state_dict keys, to(), errors."""

from collections import OrderedDict

import numpy as np
import pytest

import minidl
from minidl import nn, optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleDict({"enc": nn.Linear(2, 3), "dec": nn.Linear(3, 2)})
        self.params = nn.ParameterList([nn.Parameter(minidl.zeros(3)), minidl.ones(2)])
        self.scales = nn.ParameterDict({"beta": minidl.zeros(1), "alpha": minidl.ones(1)})


# PyTorch's documented names: <attribute>.<key>.<parameter>, and <attribute>.<index>;
# a plain dict given to ParameterDict is added in sorted key order
NET_KEYS = [
    "layers.enc.weight",
    "layers.enc.bias",
    "layers.dec.weight",
    "layers.dec.bias",
    "params.0",
    "params.1",
    "scales.alpha",
    "scales.beta",
]


def test_state_dict_keys_and_parameters():
    net = Net()
    assert list(net.state_dict()) == NET_KEYS
    assert [k for k, _ in net.named_parameters()] == NET_KEYS
    assert len(list(net.parameters())) == 8
    assert all(p.requires_grad for p in net.parameters())


def test_load_state_dict_round_trip_and_to():
    a, b = Net(), Net()
    with minidl.no_grad():
        a.params[1][...] = 7.0
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(b.params[1].data, [7.0, 7.0])
    np.testing.assert_array_equal(b.layers["enc"].weight.data, a.layers["enc"].weight.data)
    p = b.scales["alpha"]
    b.to(minidl.float64)
    assert all(q.dtype == np.float64 for q in b.parameters())
    assert b.scales["alpha"] is p  # converted in place: an optimizer keeps its parameters


def test_an_optimizer_trains_what_the_containers_hold():
    net = Net()
    opt = optim.SGD(net.parameters(), lr=0.5)
    loss = (net.params[0].sum() + net.scales["alpha"].sum()) * 2
    loss.backward()
    opt.step()
    np.testing.assert_array_equal(net.params[0].data, [-1.0, -1.0, -1.0])
    np.testing.assert_array_equal(net.scales["alpha"].data, [0.0])


def test_module_dict_as_a_dict():
    enc, dec = nn.Linear(2, 3), nn.Linear(3, 2)
    d = nn.ModuleDict([("enc", enc), ("dec", dec)])
    assert list(d) == list(d.keys()) == ["enc", "dec"]
    assert d["dec"] is dec and "enc" in d and len(d) == 2
    assert list(d.values()) == [enc, dec] and list(d.items())[0] == ("enc", enc)
    d["enc"] = nn.Linear(2, 3)  # a replacement keeps its place
    assert list(d) == ["enc", "dec"] and d["enc"] is not enc
    assert d.pop("enc") is not enc and list(d) == ["dec"]
    del d["dec"]
    assert len(d) == 0 and list(d.parameters()) == []
    d.update(OrderedDict([("b", nn.ReLU()), ("a", nn.Tanh())]))
    d.update({"c": nn.Sigmoid()})
    assert list(d) == ["b", "a", "c"]  # insertion order, dict or not (PyTorch's)
    d.clear()
    assert len(d) == 0
    assert "(enc): Linear" in repr(nn.ModuleDict({"enc": enc}))


def test_module_dict_errors_name_the_key():
    d = nn.ModuleDict({"enc": nn.Linear(2, 3)})
    with pytest.raises(KeyError, match=r"ModuleDict has no key 'dec'; its keys are \['enc'\]"):
        d["dec"]
    with pytest.raises(KeyError, match="no key 'dec'"):
        del d["dec"]
    with pytest.raises(TypeError, match="ModuleDict: value for key 'x' must be a Module, got int"):
        d["x"] = 3
    with pytest.raises(KeyError, match="without '.'"):
        d["a.b"] = nn.ReLU()
    with pytest.raises(KeyError, match="attribute 'keys' already exists"):
        d["keys"] = nn.ReLU()
    with pytest.raises(ValueError, match=r"ModuleDict.update: element 0 must be a \(key, value\)"):
        nn.ModuleDict([nn.ReLU()])
    assert list(d) == ["enc"]


def test_parameter_list_as_a_list():
    w = minidl.ones(2)
    pl = nn.ParameterList([w])
    assert isinstance(pl[0], nn.Parameter) and pl[0].data is w.data  # wrapped, sharing memory
    pl.append(nn.Parameter(minidl.zeros(3)))
    pl.extend([minidl.zeros(4)])
    pl += [minidl.zeros(5)]
    assert [p.shape for p in pl] == [(2,), (3,), (4,), (5,)] and len(pl) == 4
    assert pl[-1].shape == (5,)
    new = nn.Parameter(minidl.zeros(6))
    pl[1] = new
    assert pl[1] is new and list(pl.state_dict()) == ["0", "1", "2", "3"]
    assert [p.shape for p in pl[1:3]] == [(6,), (4,)]
    assert "(1): Parameter containing: [float32 of size 6]" in repr(pl)


def test_parameter_list_errors():
    pl = nn.ParameterList([minidl.zeros(2)])
    with pytest.raises(IndexError, match="index 3 is out of range for ParameterList of length 1"):
        pl[3]
    with pytest.raises(TypeError, match="ParameterList: value for 1 must be a Parameter or a "):
        pl.append([1.0, 2.0])
    with pytest.raises(TypeError, match="only float tensors can require gradients"):
        pl.append(minidl.tensor([1, 2]))
    assert len(pl) == 1


def test_parameter_dict_as_a_dict():
    pd = nn.ParameterDict({"b": minidl.zeros(1), "a": minidl.zeros(2)})
    assert list(pd) == ["a", "b"]  # a plain dict: sorted, as PyTorch
    pd = nn.ParameterDict(OrderedDict([("b", minidl.zeros(1)), ("a", minidl.zeros(2))]))
    assert list(pd) == ["b", "a"]  # an OrderedDict keeps its order
    pd["c"] = nn.Parameter(minidl.ones(1))
    assert list(pd.keys()) == ["b", "a", "c"] and "c" in pd and len(pd) == 3
    assert pd.get("z") is None and pd.get("a").shape == (2,)
    assert pd.pop("b").shape == (1,) and list(pd.state_dict()) == ["a", "c"]
    with pytest.raises(KeyError, match="ParameterDict has no key 'b'"):
        pd["b"]
    with pytest.raises(TypeError, match="ParameterDict: value for 'x' must be a Parameter"):
        pd["x"] = 1.0
    pd.clear()
    assert list(pd.parameters()) == []


def test_same_keys_as_torch():
    torch = pytest.importorskip("torch")

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleDict(
                {"enc": torch.nn.Linear(2, 3), "dec": torch.nn.Linear(3, 2)}
            )
            self.params = torch.nn.ParameterList([torch.zeros(3), torch.ones(2)])
            self.scales = torch.nn.ParameterDict({"beta": torch.zeros(1), "alpha": torch.ones(1)})

    tnet, net = TorchNet(), Net()
    assert list(tnet.state_dict()) == list(net.state_dict()) == NET_KEYS
    assert [k for k, _ in tnet.named_parameters()] == [k for k, _ in net.named_parameters()]
    # PyTorch's weights load into minidl's containers, and the outputs agree
    net.load_state_dict({k: v.numpy() for k, v in tnet.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    got = net.layers["dec"](net.layers["enc"](minidl.tensor(x))).data
    want = tnet.layers["dec"](tnet.layers["enc"](torch.tensor(x))).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
