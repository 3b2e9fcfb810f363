"""Module buffers: state that is saved and converted with the module but never trained."""

from collections import OrderedDict

import numpy as np
import pytest

import minidl
import minidl.nn as nn
from minidl.optim import SGD, Adam


class Norm(nn.Module):
    """y = (x − mean) · scale: a learned scale, a saved running mean, an unsaved cache."""

    def __init__(self, n):
        super().__init__()
        self.scale = nn.Parameter(minidl.tensor(np.ones(n)))
        self.register_buffer("running_mean", minidl.tensor(np.arange(n, dtype=np.float32)))
        self.register_buffer("steps", minidl.tensor(np.array(0, dtype=np.int64)))
        self.register_buffer("cache", minidl.tensor(np.zeros(n, dtype=np.float32)), False)

    def forward(self, x):
        return (x - self.running_mean) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("offset", minidl.tensor([0.5]))
        self.norm = Norm(3)
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(self.norm(x)) + self.offset


def test_register_reads_and_keeps_the_tensor():
    m = Norm(3)
    np.testing.assert_array_equal(m.running_mean.data, [0.0, 1.0, 2.0])
    assert m.running_mean is m._buffers["running_mean"]
    assert not m.running_mean.requires_grad and m.running_mean.grad is None
    m.register_buffer("empty", None)
    assert m.empty is None


def test_buffers_are_not_parameters_and_are_listed_by_dotted_names():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "norm.scale",
        "fc.weight",
        "fc.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == [
        "offset",
        "norm.running_mean",
        "norm.steps",
        "norm.cache",
    ]
    assert [n for n, _ in net.named_buffers(recurse=False)] == ["offset"]
    assert [n for n, _ in net.norm.named_buffers(prefix="norm")][0] == "norm.running_mean"
    assert [id(b) for b in net.buffers()] == [id(b) for _, b in net.named_buffers()]
    params = {id(p) for p in net.parameters()}
    assert not params & {id(b) for b in net.buffers()}


def test_state_dict_has_persistent_buffers_in_pytorchs_order():
    # each module: its parameters, then its buffers, then its children
    sd = Net().state_dict()
    assert list(sd) == [
        "offset",
        "norm.scale",
        "norm.running_mean",
        "norm.steps",
        "fc.weight",
        "fc.bias",
    ]
    assert "norm.cache" not in sd  # persistent=False
    assert sd["norm.steps"].dtype == np.int64


def test_state_dict_round_trip_restores_buffers_in_place(tmp_path):
    source, target = Net(), Net()
    with minidl.no_grad():
        source.norm.running_mean[...] = minidl.tensor([7.0, 8.0, 9.0])
    source.norm.steps = minidl.tensor(np.array(41, dtype=np.int64))  # replaced, not written
    source.offset = minidl.tensor([-2.0])
    mean_before = target.norm.running_mean
    minidl.save(source.state_dict(), tmp_path / "net.npz")
    for sd in (source.state_dict(), minidl.load(tmp_path / "net.npz")):
        result = target.load_state_dict(sd)
        assert result.missing_keys == [] and result.unexpected_keys == []
        assert target.norm.running_mean is mean_before  # in place, as PyTorch's copy_
        np.testing.assert_array_equal(target.norm.running_mean.data, [7.0, 8.0, 9.0])
        assert target.norm.steps.item() == 41 and target.norm.steps.dtype == np.int64
        np.testing.assert_array_equal(target.offset.data, [-2.0])
        x = minidl.tensor(np.ones((2, 3), dtype=np.float32))
        np.testing.assert_array_equal(target(x).data, source(x).data)


def test_load_state_dict_checks_buffers_like_parameters():
    net = Net()
    sd = net.state_dict()
    missing = OrderedDict((k, v) for k, v in sd.items() if k != "norm.running_mean")
    with pytest.raises(RuntimeError, match=r"Missing key\(s\): 'norm.running_mean'"):
        Net().load_state_dict(missing)
    assert Net().load_state_dict(missing, strict=False).missing_keys == ["norm.running_mean"]
    extra = OrderedDict(sd, **{"norm.cache": minidl.tensor(np.zeros(3))})
    with pytest.raises(RuntimeError, match=r"Unexpected key\(s\): 'norm.cache'"):
        Net().load_state_dict(extra)
    wrong = OrderedDict(sd, **{"norm.running_mean": minidl.tensor(np.zeros(4))})
    with pytest.raises(RuntimeError, match=r"size mismatch for 'norm.running_mean'.*\(4,\)"):
        Net().load_state_dict(wrong)


def test_a_none_buffer_is_left_out_of_state_dict_and_buffers():
    m = Norm(2)
    m.running_mean = None
    assert "running_mean" not in m.state_dict()
    assert [n for n, _ in m.named_buffers()] == ["steps", "cache"]
    m.running_mean = minidl.tensor([1.0, 2.0])  # still a buffer name: registered again
    assert list(m.state_dict()) == ["scale", "running_mean", "steps"]


@pytest.mark.parametrize("make_opt", [lambda ps: SGD(ps, lr=0.5, momentum=0.9), Adam])
def test_an_optimizer_never_touches_buffers(make_opt):
    net = Net()
    before = {k: b.data.copy() for k, b in net.named_buffers()}
    opt = make_opt(net.parameters())
    x = minidl.tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))
    for _ in range(3):
        opt.zero_grad()
        (net(x) ** 2).sum().backward()
        opt.step()
    for k, b in net.named_buffers():
        np.testing.assert_array_equal(b.data, before[k], err_msg=k)
        assert b.grad is None
    assert net.norm.scale.grad is not None  # the parameters did train


def test_to_dtype_converts_float_buffers_and_leaves_integer_ones():
    net = Net()
    scale = net.norm.scale
    assert net.double() is net
    assert scale is net.norm.scale and scale.dtype == np.float64  # parameters: in place
    for key in ("offset", "norm.running_mean", "norm.cache"):  # non-persistent too
        assert dict(net.named_buffers())[key].dtype == np.float64, key
    assert net.norm.running_mean is net.norm._buffers["running_mean"]
    np.testing.assert_array_equal(net.norm.running_mean.data, [0.0, 1.0, 2.0])
    assert net.norm.steps.dtype == np.int64  # as PyTorch: to(dtype) converts floats only
    assert net.state_dict()["norm.running_mean"].dtype == np.float64
    net.float()
    assert net.norm.running_mean.dtype == np.float32 and net.offset.dtype == np.float32
    net.to(minidl.float64)
    assert net.norm.cache.dtype == np.float64


def test_to_dtype_keeps_a_shared_buffer_shared_and_the_users_tensor_unchanged():
    shared = minidl.tensor([1.0, 2.0])
    a, b = nn.Module(), nn.Module()
    a.register_buffer("t", shared)
    b.register_buffer("t", shared)
    seq = nn.Sequential(a, b)
    seq.double()
    assert a.t is b.t and a.t.dtype == np.float64
    assert shared.dtype == np.float32  # replaced, as PyTorch does, not converted in place


def test_assignment_rules_follow_pytorch():
    m = Norm(2)
    m.running_mean = minidl.tensor([3.0, 4.0])
    np.testing.assert_array_equal(m.state_dict()["running_mean"].data, [3.0, 4.0])
    m.running_mean = nn.Parameter(minidl.tensor([1.0, 1.0]))  # becomes a parameter
    assert "running_mean" in dict(m.named_parameters())
    assert "running_mean" not in dict(m.named_buffers())
    m.cache = nn.Linear(1, 1)  # becomes a child module, no longer a (non-persistent) buffer
    assert "cache" not in m._buffers and "cache" not in m._non_persistent_buffers_set
    del m.steps
    assert "steps" not in m._buffers and not hasattr(m, "steps")
    m.plain = minidl.tensor([1.0])  # an unregistered name stays a plain attribute
    assert "plain" not in dict(m.named_buffers())


def test_register_again_changes_persistence():
    m = Norm(2)
    m.register_buffer("cache", m.cache)
    assert "cache" in m.state_dict()
    m.register_buffer("cache", m.cache, persistent=False)
    assert "cache" not in m.state_dict()


def test_errors_name_the_module_and_the_buffer():
    m = Norm(2)
    with pytest.raises(TypeError, match=r"Norm: cannot assign list as buffer 'running_mean'"):
        m.running_mean = [1.0, 2.0]
    with pytest.raises(TypeError, match=r"Norm.register_buffer: buffer 'b' must be a Tensor"):
        m.register_buffer("b", np.zeros(2))
    with pytest.raises(KeyError, match=r"Norm.register_buffer: name must be .* got 'a.b'"):
        m.register_buffer("a.b", minidl.tensor([1.0]))
    with pytest.raises(KeyError, match=r"Norm.register_buffer: name must be .* got ''"):
        m.register_buffer("", minidl.tensor([1.0]))
    with pytest.raises(KeyError, match=r"Norm.register_buffer: attribute 'scale' already exists"):
        m.register_buffer("scale", minidl.tensor([1.0]))
    with pytest.raises(KeyError, match=r"attribute 'forward' already exists"):
        m.register_buffer("forward", minidl.tensor([1.0]))
    with pytest.raises(TypeError, match=r"Norm.register_buffer: buffer name must be a str"):
        m.register_buffer(3, minidl.tensor([1.0]))
    with pytest.raises(TypeError, match=r"persistent must be True or False, got 'no'"):
        m.register_buffer("c", minidl.tensor([1.0]), persistent="no")

    class Early(nn.Module):
        def __init__(self):
            self.register_buffer("x", minidl.tensor([1.0]))

    with pytest.raises(AttributeError, match=r"Early.register_buffer: .*before Module.__init__"):
        Early()


def test_state_dict_keys_match_torch_when_installed():
    torch = pytest.importorskip("torch")

    class TNorm(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(3))
            self.register_buffer("running_mean", torch.arange(3.0))
            self.register_buffer("steps", torch.tensor(0))
            self.register_buffer("cache", torch.zeros(3), persistent=False)

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("offset", torch.tensor([0.5]))
            self.norm = TNorm()
            self.fc = torch.nn.Linear(3, 2)

    assert list(TNet().state_dict()) == list(Net().state_dict())
    assert [n for n, _ in TNet().named_buffers()] == [n for n, _ in Net().named_buffers()]
    tnet = TNet().double()
    assert tnet.norm.steps.dtype == torch.int64 and tnet.norm.cache.dtype == torch.float64


def test_named_buffers_of_a_module_shared_under_two_names():
    # PyTorch: remove_duplicate=False lists a shared module's buffer under each name
    inner = nn.Linear(1, 1)
    inner.register_buffer("b", minidl.zeros(1))
    model = nn.Sequential(inner, inner)
    assert [k for k, _ in model.named_buffers()] == ["0.b"]
    assert [k for k, _ in model.named_buffers(remove_duplicate=False)] == ["0.b", "1.b"]
