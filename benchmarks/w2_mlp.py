"""W2: one SGD training step of an MLP 784-256-256-10 with ReLU, batch 128 (float32)."""

import numpy as np

from benchmarks.reference.mlp import PARAM_NAMES, MLPNumpy

SIZES = {"W2 MLP": {"batch": 128}}
STEPS_PER_RUN = 10  # one step takes ~2 ms: time ten, so that timer noise averages out
LAYERS = (784, 256, 256, 10)
LR = 0.01


def make_params(sizes=LAYERS, dtype=np.float32, seed=0):
    """PyTorch's Linear init U(±1/√in), keys as ``nn.Sequential`` names them."""
    rng = np.random.default_rng(seed)
    params = {}
    for j, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        r = 1 / np.sqrt(n_in)
        params[f"{2 * j}.weight"] = rng.uniform(-r, r, (n_out, n_in)).astype(dtype)
        params[f"{2 * j}.bias"] = rng.uniform(-r, r, n_out).astype(dtype)
    assert set(params) == set(PARAM_NAMES)
    return params


def make_batch(batch, sizes=LAYERS, dtype=np.float32, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, sizes[0])).astype(dtype), rng.integers(0, sizes[-1], batch)


def mlp(nn, sizes=LAYERS):
    return nn.Sequential(
        nn.Linear(sizes[0], sizes[1]),
        nn.ReLU(),
        nn.Linear(sizes[1], sizes[2]),
        nn.ReLU(),
        nn.Linear(sizes[2], sizes[3]),
    )


def minidl_model(params, lr=LR):
    """(model, SGD optimizer, loss) in minidl, holding copies of ``params``."""
    import minidl

    sizes = [params["0.weight"].shape[1]] + [params[f"{j}.weight"].shape[0] for j in (0, 2, 4)]
    model = mlp(minidl.nn, sizes)
    for name, p in model.named_parameters():
        p.data = np.array(params[name], copy=True)
    return model, minidl.optim.SGD(model.parameters(), lr=lr), minidl.nn.CrossEntropyLoss()


def minidl_step(batch, sizes=LAYERS):
    import minidl

    model, optimizer, criterion = minidl_model(make_params(sizes))
    x, labels = make_batch(batch, sizes)
    x, labels = minidl.tensor(x), minidl.tensor(labels)

    def step():
        optimizer.zero_grad()
        criterion(model(x), labels).backward()
        optimizer.step()

    return step


def reference_step(batch, sizes=LAYERS):
    ref = MLPNumpy(make_params(sizes), lr=LR)
    x, labels = make_batch(batch, sizes)
    return lambda: ref.step(x, labels)


def torch_step(batch):
    import torch

    model = mlp(torch.nn)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in make_params().items()})
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    criterion = torch.nn.CrossEntropyLoss()
    x, labels = (torch.from_numpy(a) for a in make_batch(batch))

    def step():
        optimizer.zero_grad()
        criterion(model(x), labels).backward()
        optimizer.step()

    return step
