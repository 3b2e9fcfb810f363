"""Forward hooks on modules, and NumPy ids / targets that the caller changes before backward."""

import numpy as np
import pytest

import minidl
import minidl.nn.functional as F
from minidl import nn


def _mlp():
    minidl.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))


def test_a_forward_hook_sees_each_call_and_stops_when_removed():
    model, seen = _mlp(), []
    handle = model[1].register_forward_hook(lambda m, args, out: seen.append((m, args, out)))
    x = minidl.ones(4, 2)
    model(x)
    ((m, args, out),) = seen
    assert m is model[1] and len(args) == 1 and args[0].shape == (4, 3)
    np.testing.assert_array_equal(out.data, np.maximum(args[0].data, 0))  # what relu gave
    handle.remove()
    model(x)
    assert len(seen) == 1


def test_hooks_can_replace_inputs_and_outputs_and_gradients_follow():
    lin = nn.Linear(2, 2, bias=False)
    lin.register_forward_pre_hook(lambda m, args: args[0] * 2)  # one value: wrapped in a tuple
    lin.register_forward_hook(lambda m, args, out: out + 1)
    x = minidl.tensor([[1.0, -1.0]], requires_grad=True)
    y = lin(x)
    np.testing.assert_allclose(y.data, 2 * x.data @ lin.weight.data.T + 1, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * lin.weight.data.sum(axis=0, keepdims=True))


def test_hooks_run_in_registration_order_and_a_handle_is_a_context_manager():
    lin, order = nn.Linear(1, 1), []
    lin.register_forward_hook(lambda m, a, o: order.append("first"))
    with lin.register_forward_hook(lambda m, a, o: order.append("second")):
        lin(minidl.ones(1, 1))
    lin(minidl.ones(1, 1))
    assert order == ["first", "second", "first"]


def test_a_hook_belongs_to_its_module_only():
    a, b = nn.Linear(1, 1), nn.Linear(1, 1)
    a.register_forward_hook(lambda m, args, out: out * 0)
    assert a(minidl.ones(1, 1)).item() == 0.0
    expected = b.weight.item() + b.bias.item()
    assert b(minidl.ones(1, 1)).item() == pytest.approx(expected)  # b's own output, unhooked
    assert not b._forward_hooks


def test_a_hook_must_be_callable():
    with pytest.raises(TypeError, match="Linear.register_forward_hook: hook must be callable"):
        nn.Linear(1, 1).register_forward_hook("print")


def test_registering_before_module_init_names_the_cause():
    class Early(nn.Module):
        def __init__(self):
            self.add_module("child", nn.ReLU())

    with pytest.raises(AttributeError, match=r"Early.add_module: cannot add 'child' before"):
        Early()


def test_numpy_ids_changed_before_backward_do_not_move_the_gradient():
    emb = nn.Embedding(4, 2)
    ids = np.array([1, 2])
    y = emb(ids)
    ids[:] = [3, 3]  # a batch buffer refilled before backward
    y.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data.sum(axis=1), [0, 2, 2, 0])


def test_numpy_targets_changed_before_backward_do_not_change_the_gradient():
    logits = np.random.default_rng(0).standard_normal((3, 4))
    x = minidl.tensor(logits, requires_grad=True)
    targets = np.array([0, 1, 2])
    loss = F.cross_entropy(x, targets)
    targets[:] = 3
    loss.backward()
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(3), [0, 1, 2]] -= 1  # d(mean CE)/dx = (softmax − onehot) / N
    np.testing.assert_allclose(x.grad.data, p / 3, rtol=1e-12)


def test_embedding_reads_the_size_of_the_table_it_has_now():
    emb = nn.Embedding(3, 2)
    emb.weight = nn.Parameter(np.arange(10.0).reshape(5, 2))
    np.testing.assert_array_equal(emb(minidl.tensor([4])).data, [[8.0, 9.0]])
    with pytest.raises(IndexError, match="index 5 out of range for 5 embeddings"):
        emb(minidl.tensor([5]))


def test_removing_a_handle_twice_counts_once():
    # __call__ looks for hooks only while some exist (a global count): it must not drift
    from minidl.nn import module as module_py

    before = module_py._hooks_alive[0]
    handle = nn.Linear(1, 1).register_forward_hook(lambda m, a, o: None)
    assert module_py._hooks_alive[0] == before + 1
    handle.remove()
    handle.remove()
    assert module_py._hooks_alive[0] == before


# ----- more of PyTorch's Module API ---------------------------------------------------------


def test_get_submodule_follows_a_dotted_path():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert model.get_submodule("1.1") is model[1][1]
    assert model.get_submodule("") is model
    with pytest.raises(AttributeError, match="get_submodule: 1 has no submodule '5'"):
        model.get_submodule("1.5")


def test_get_parameter_and_get_buffer_follow_a_dotted_path():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert model.get_parameter("0.weight") is model[0].weight
    assert model.get_buffer("1.running_mean") is model[1].running_mean
    with pytest.raises(AttributeError, match="'0.nope' is not a parameter: Linear has nothing"):
        model.get_parameter("0.nope")
    with pytest.raises(AttributeError, match="'0' is not a parameter: Sequential has a Linear"):
        model.get_parameter("0")
    with pytest.raises(AttributeError, match="'1.weight' is not a buffer: BatchNorm1d has a Param"):
        model.get_buffer("1.weight")
    with pytest.raises(AttributeError, match="get_submodule: Sequential has no submodule '7'"):
        model.get_parameter("7.weight")


def test_load_state_dict_result_shows_as_in_pytorch():
    model = nn.Linear(2, 1)
    assert repr(model.load_state_dict(model.state_dict())) == "<All keys matched successfully>"
    partial = model.load_state_dict({}, strict=False)
    assert partial.missing_keys == ["weight", "bias"] and partial.unexpected_keys == []
    assert "missing_keys=['weight', 'bias']" in repr(partial)


def test_assigning_a_module_over_a_parameter_says_how():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="del self.weight first to put a ReLU there"):
        layer.weight = nn.ReLU()
    with pytest.raises(TypeError, match=r"self.weight\[...\] = value"):
        layer.weight = minidl.zeros(2, 2)


def test_state_dict_prefix_keep_vars_and_destination():
    model = _mlp()
    keys = list(model.state_dict(prefix="net."))
    assert keys == ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"]
    kept = model.state_dict(keep_vars=True)
    assert kept["0.weight"] is model[0].weight  # the Parameter itself, as PyTorch
    assert model.state_dict()["0.weight"] is not model[0].weight
    into = {}
    assert model.state_dict(destination=into) is into and len(into) == 4


def test_named_parameters_can_list_a_shared_parameter_under_each_name():
    shared = nn.Linear(1, 1)
    model = nn.Sequential(shared, shared)
    assert [k for k, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    names = [k for k, _ in model.named_parameters(remove_duplicate=False)]
    assert names == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_sequential_extend_pop_and_module_half():
    model = _mlp()
    model.extend([nn.Tanh()])
    assert isinstance(model.pop(), nn.Tanh) and len(model) == 3
    assert model.half()[0].weight.dtype == np.float16


def test_dropout_takes_inplace_and_prints_as_pytorch():
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Dropout(0.3, inplace=True)) == "Dropout(p=0.3, inplace=True)"
    x = minidl.ones(4)
    assert F.dropout(x, 0.5, False, True).tolist() == [1.0] * 4  # not training: identity


def test_sequential_and_module_list_add_and_repeat_as_pytorch():
    a, b = nn.Sequential(nn.Linear(1, 2), nn.ReLU()), nn.Sequential(nn.Linear(2, 1))
    both = a + b
    assert len(both) == 3 and both[2] is b[0] and len(a) == 2  # the same modules, a unchanged
    a += b
    assert len(a) == 3 and a[2] is b[0]
    tripled = b * 3
    assert len(tripled) == 3 and tripled[1] is b[0]
    assert len(list(tripled.parameters())) == 2  # one shared Linear: its weight and bias
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        b * 0
    pair = nn.ModuleList([nn.ReLU()]) + nn.ModuleList([nn.Tanh()])
    pair += [nn.Sigmoid()]
    assert [type(m).__name__ for m in pair] == ["ReLU", "Tanh", "Sigmoid"]


def test_a_module_list_prints_a_run_of_alike_children_once():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.Linear(2, 2)])
    assert repr(blocks) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (3): ReLU()\n"
        "  (4): Linear(in_features=2, out_features=2, bias=True)\n"
        ")"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_module_list_repr_as_pytorch():
    torch = pytest.importorskip("torch")
    reprs = []
    for lib in (nn, torch.nn):
        inner = [lib.Sequential(lib.Linear(2, 3), lib.ReLU()) for _ in range(2)]
        reprs.append(repr(lib.Sequential(lib.ModuleList([lib.ReLU(), *inner, lib.Tanh()]))))
    assert reprs[0] == reprs[1]
