"""A checkpoint (model + optimizer state_dict) through minidl.save / minidl.load resumes exactly."""

import numpy as np
import pytest

import minidl
import minidl.nn as nn
from minidl.optim import GD, SGD, Adagrad, Adam, AdamW, RMSprop
from minidl.train import fit

OPTIMIZERS = {
    "gd": lambda ps: GD(ps, lr=0.05),
    "sgd-momentum": lambda ps: SGD(ps, lr=0.05, momentum=0.9),
    "adam": lambda ps: Adam(ps, lr=0.01),
    "adam-printed": lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.95), correct_v=False),
    "sgd-momentum-wd": lambda ps: SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.1),
    "adam-wd": lambda ps: Adam(ps, lr=0.01, weight_decay=0.1),
    "adamw": lambda ps: AdamW(ps, lr=0.01, weight_decay=0.1),
    "adamw-printed": lambda ps: AdamW(ps, lr=0.01, weight_decay=0.1, correct_v=False),
    "rmsprop": lambda ps: RMSprop(ps, lr=0.01),
    "rmsprop-centered-momentum-wd": lambda ps: RMSprop(
        ps, lr=0.01, momentum=0.9, centered=True, weight_decay=0.1
    ),
    "adagrad": lambda ps: Adagrad(ps, lr=0.1),
    "adagrad-decay-wd": lambda ps: Adagrad(
        ps, lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1
    ),
}


class ScaledMLP(nn.Module):
    """An MLP times a learned scalar: a 0-d parameter, whose m, v or velocity are 0-d too."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
        self.scale = nn.Parameter(np.array(1.5, np.float32))

    def forward(self, x):
        return self.body(x) * self.scale


def make_model():
    minidl.manual_seed(0)
    return ScaledMLP()


def batches():
    rng = np.random.default_rng(0)
    return [
        (minidl.tensor(rng.standard_normal((5, 3))), minidl.tensor(rng.integers(0, 2, 5)))
        for _ in range(4)
    ]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_training_resumed_from_a_saved_checkpoint_is_bit_exact(name, tmp_path):
    make_opt, data, loss = OPTIMIZERS[name], batches(), nn.CrossEntropyLoss()

    model = make_model()
    opt = make_opt(model.parameters())
    fit(model, loss, opt, data, epochs=2, progress=False)
    path = tmp_path / "checkpoint.npz"
    minidl.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    rest = fit(model, loss, opt, data, epochs=3, progress=False)

    resumed = make_model()
    resumed_opt = make_opt(resumed.parameters())
    fit(resumed, loss, resumed_opt, data[:1], progress=False)  # perturb: load must overwrite
    checkpoint = minidl.load(path)
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    rest_resumed = fit(resumed, loss, resumed_opt, data, epochs=3, progress=False)

    assert rest_resumed.step_loss == rest.step_loss
    for (key, a), (_, b) in zip(model.state_dict().items(), resumed.state_dict().items()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=key)
        assert np.asarray(b).dtype == np.float32
    assert resumed_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    hyper = [
        {k: v for k, v in o.param_groups[0].items() if k != "params"} for o in (opt, resumed_opt)
    ]
    assert hyper[0] == hyper[1]  # weight_decay and every other hyper-parameter came back
    for p, q in zip(model.parameters(), resumed.parameters()):
        for key, value in opt.state.get(p, {}).items():
            np.testing.assert_array_equal(resumed_opt.state[q][key], value)
            assert type(resumed_opt.state[q][key]) is type(value)


def test_with_the_generator_state_a_run_with_shuffling_and_dropout_resumes_bit_exact(tmp_path):
    # shuffled batches and dropout masks draw from minidl's generator: the checkpoint needs
    # its state too, or the resumed run sees other batches and masks
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((12, 3)).astype(np.float32), rng.integers(0, 2, 12)

    def setup():
        minidl.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.3), nn.Tanh(), nn.Linear(8, 2))
        loader = minidl.data.DataLoader(minidl.data.TensorDataset(x, y), batch_size=4, shuffle=True)
        return model, SGD(model.parameters(), lr=0.1, momentum=0.9), loader

    model, opt, loader = setup()
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=4, progress=False)
    uninterrupted = [p.data.copy() for p in model.parameters()]

    model, opt, loader = setup()
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=2, progress=False)
    state = {"model": model.state_dict(), "optimizer": opt.state_dict()}
    minidl.save({**state, "rng": minidl.get_rng_state()}, tmp_path / "checkpoint.npz")

    model, opt, loader = setup()  # a fresh process would start here
    minidl.manual_seed(123)  # whatever the generator did meanwhile
    checkpoint = minidl.load(tmp_path / "checkpoint.npz")
    model.load_state_dict(checkpoint["model"])
    opt.load_state_dict(checkpoint["optimizer"])
    minidl.set_rng_state(checkpoint["rng"])
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=2, progress=False)
    for p, q in zip(model.parameters(), uninterrupted):
        np.testing.assert_array_equal(p.data, q)
