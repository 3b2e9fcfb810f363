"""Optimizer checkpoints: state_dict layout, snapshots, and bit-exact resumption."""

import numpy as np
import pytest

import minidl
from minidl.optim import GD, SGD, Adam

OPTIMIZERS = {
    "gd": lambda ps: GD(ps, lr=0.05),
    "sgd-momentum": lambda ps: SGD(ps, lr=0.05, momentum=0.9),
    "adam": lambda ps: Adam(ps, lr=0.01),
    "adam-printed": lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.95), correct_v=False),
    "sgd-momentum-wd": lambda ps: SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.1),
    "adam-wd": lambda ps: Adam(ps, lr=0.01, weight_decay=0.1),
}


def make_params(dtype=np.float32):
    rng = np.random.default_rng(0)
    return [
        minidl.tensor(rng.standard_normal((3, 2)).astype(dtype), requires_grad=True),
        minidl.tensor(rng.standard_normal(3).astype(dtype), requires_grad=True),
    ]


def batches(n_steps, dtype=np.float32):
    rng = np.random.default_rng(1)
    return [
        (rng.standard_normal((4, 2)).astype(dtype), rng.standard_normal(4).astype(dtype))
        for _ in range(n_steps)
    ]


def train(params, opt, data):
    """A tanh layer summed to a scalar, MSE; returns the losses."""
    losses = []
    W, b = params
    for x, y in data:
        opt.zero_grad()
        out = (minidl.tensor(x) @ W.T + b).tanh().sum(1)
        loss = ((out - minidl.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def snapshot(params, opt):
    return [p.data.copy() for p in params], opt.state_dict()


def restore(checkpoint, make_opt):
    values, opt_state = checkpoint
    params = [minidl.tensor(v.copy(), requires_grad=True) for v in values]
    opt = make_opt(params)
    opt.load_state_dict(opt_state)
    return params, opt


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_training_resumed_from_a_checkpoint_continues_bit_exactly(name):
    make_opt = OPTIMIZERS[name]
    data = batches(10)
    params = make_params()
    opt = make_opt(params)
    train(params, opt, data[:4])
    checkpoint = snapshot(params, opt)
    losses = train(params, opt, data[4:])

    resumed_params, resumed_opt = restore(checkpoint, make_opt)
    assert train(resumed_params, resumed_opt, data[4:]) == losses
    for a, b in zip(params, resumed_params):
        np.testing.assert_array_equal(a.data, b.data)
        assert b.dtype == np.float32
    for p, q in zip(params, resumed_params):
        for key, value in opt.state.get(p, {}).items():
            np.testing.assert_array_equal(resumed_opt.state[q][key], value)


def test_state_dict_layout_is_pytorch_like():
    a, b, c = (minidl.tensor([1.0, 2.0], requires_grad=True) for _ in range(3))
    opt = Adam([{"params": [a, b]}, {"params": [c], "lr": 0.1}], lr=0.01)
    for p in (a, c):
        (p * p).sum().backward()
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.01, 0.1]
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]
    assert sd["param_groups"][0]["correct_v"] is True
    assert set(sd["state"]) == {0, 2}  # b has no gradient, so no state
    assert set(sd["state"][0]) == {"step", "m", "v"}
    assert sd["state"][0]["step"] == 1 and type(sd["state"][0]["step"]) is int
    # m_1 = (1 − β1) g with g = 2θ
    np.testing.assert_allclose(sd["state"][0]["m"], 0.1 * 2 * np.array([1.0, 2.0]), rtol=1e-6)


def test_state_dict_is_a_snapshot_not_a_view():
    p = minidl.tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([p], lr=0.1, momentum=0.5)
    (p * p).sum().backward()
    opt.step()
    sd = opt.state_dict()
    saved = sd["state"][0]["velocity"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["velocity"], saved)
    opt.load_state_dict(sd)
    sd["state"][0]["velocity"][:] = 99.0
    np.testing.assert_array_equal(opt.state[p]["velocity"], saved)


def test_load_state_dict_restores_hyper_parameters_with_their_types():
    p = minidl.tensor([1.0], requires_grad=True)
    source = Adam([p], lr=0.5, betas=(0.5, 0.6), eps=1e-3, correct_v=False)
    target = Adam([p])
    target.load_state_dict(source.state_dict())
    group = target.param_groups[0]
    assert group["lr"] == 0.5 and group["betas"] == (0.5, 0.6) and group["eps"] == 1e-3
    assert group["correct_v"] is False and group["params"] == [p]


def test_load_state_dict_refuses_a_different_layout():
    p, q = make_params()
    one_group = Adam([p, q])
    (p.sum() + q.sum()).backward()
    one_group.step()
    sd = one_group.state_dict()
    with pytest.raises(ValueError, match="1 parameter groups saved, this optimizer has 2"):
        Adam([{"params": [p]}, {"params": [q]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="group 0 saved 2 parameters, this optimizer has 1"):
        Adam([p]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"state 'm' has shape \(3, 2\).*shape \(3,\)"):
        Adam([q, p]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"\['betas', 'correct_v', 'eps'\] belong to another"):
        GD([p, q], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"this optimizer's \['momentum'\] are missing"):
        SGD([p, q], lr=0.1).load_state_dict(GD([p, q], lr=0.1).state_dict())
    sd["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="learning rate"):
        Adam([p, q]).load_state_dict(sd)
