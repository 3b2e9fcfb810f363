"""Layer constructors take their positional arguments in torch 2.13's order.

A call copied from PyTorch code with arguments by position must mean the same thing, or fail:
``nn.Embedding(10, 3, 0, 2.0)`` is padding_idx=0, max_norm=2.0 in both.
"""

import inspect

import numpy as np
import pytest

import minidl
from minidl import nn

# torch 2.13's positional order (inspect.signature, and RNNBase.__init__ behind LSTM/GRU/RNN),
# cut where torch has a parameter minidl lacks: device/dtype after it are keyword-only here
TORCH_POSITIONAL = {
    "Embedding": [
        "num_embeddings",
        "embedding_dim",
        "padding_idx",
        "max_norm",
        "norm_type",
        "scale_grad_by_freq",
        "sparse",
    ],  # then torch's private _weight, _freeze
    "LSTM": [
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
    ],  # then proj_size
    "GRU": [
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
    ],  # then proj_size
    "RNN": [
        "input_size",
        "hidden_size",
        "num_layers",
        "nonlinearity",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
    ],  # then proj_size
    "Linear": ["in_features", "out_features", "bias", "device", "dtype"],
    "LayerNorm": ["normalized_shape", "eps", "elementwise_affine", "bias", "device", "dtype"],
    "BatchNorm1d": [
        "num_features",
        "eps",
        "momentum",
        "affine",
        "track_running_stats",
        "device",
        "dtype",
    ],  # then torch's keyword-only bias
    "LSTMCell": ["input_size", "hidden_size", "bias", "device", "dtype"],
    "GRUCell": ["input_size", "hidden_size", "bias", "device", "dtype"],
    "RNNCell": ["input_size", "hidden_size", "bias", "nonlinearity", "device", "dtype"],
}


@pytest.mark.parametrize("name", sorted(TORCH_POSITIONAL))
def test_positional_parameters_are_torchs(name):
    params = inspect.signature(getattr(nn, name)).parameters.values()
    positional = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert positional == TORCH_POSITIONAL[name]
    assert {"device", "dtype"} <= {p.name for p in params}


def test_embedding_third_and_fourth_positionals_are_padding_idx_and_max_norm():
    minidl.manual_seed(0)
    layer = nn.Embedding(10, 3, 0, 2.0)
    assert layer.padding_idx == 0 and layer.max_norm == 2.0
    assert layer.weight.dtype == minidl.float32
    with minidl.no_grad():
        layer.weight[5] = minidl.tensor([3.0, 4.0, 0.0])  # norm 5 > max_norm 2
    y = layer(minidl.tensor([5]))
    assert np.linalg.norm(y.data) == pytest.approx(2.0, rel=1e-5)
    layer = nn.Embedding(4, 2, None, None, 1.0, True, False, dtype=minidl.float64)
    assert layer.norm_type == 1.0 and layer.scale_grad_by_freq
    assert layer.weight.dtype == minidl.float64


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU])
def test_an_eighth_positional_is_a_type_error_not_a_dtype(cls):
    # torch reads it as proj_size; minidl has none, so it must not become the dtype
    with pytest.raises(TypeError, match=rf"{cls.__name__}.__init__\(\) takes .* positional"):
        cls(2, 3, 1, True, False, 0.0, False, np.float64)
    layer = cls(2, 3, 1, True, False, 0.0, True, dtype=np.float64)
    assert layer.bidirectional and layer.weight_ih_l0.dtype == minidl.float64


def test_rnn_fourth_positional_is_nonlinearity_and_ninth_is_refused():
    rnn = nn.RNN(2, 3, 1, "relu", False, True, 0.0, True)
    assert rnn.nonlinearity == "relu" and rnn.bias is False and rnn.batch_first
    assert rnn.bidirectional
    with pytest.raises(TypeError, match="positional"):
        nn.RNN(2, 3, 1, "tanh", True, False, 0.0, False, np.float64)


@pytest.mark.parametrize("cls", [nn.LSTMCell, nn.GRUCell])
def test_cells_take_device_then_dtype_by_position(cls):
    cell = cls(2, 3, False, "cpu", np.float64)
    assert cell.bias_ih is None and cell.weight_ih.dtype == minidl.float64


def test_rnn_cell_takes_nonlinearity_device_then_dtype_by_position():
    cell = nn.RNNCell(2, 3, True, "relu", "cpu", np.float64)
    assert cell.nonlinearity == "relu" and cell.weight_hh.dtype == minidl.float64


def test_signatures_match_pytorch():
    torch = pytest.importorskip("torch")
    for name in (
        "Embedding",
        "Linear",
        "LayerNorm",
        "BatchNorm1d",
        "LSTMCell",
        "GRUCell",
        "RNNCell",
    ):
        theirs = [
            p.name
            for p in inspect.signature(getattr(torch.nn, name)).parameters.values()
            if p.kind == p.POSITIONAL_OR_KEYWORD
        ]
        assert theirs[: len(TORCH_POSITIONAL[name])] == TORCH_POSITIONAL[name]
    base = list(inspect.signature(torch.nn.RNNBase.__init__).parameters)
    assert base[2:9] == TORCH_POSITIONAL["LSTM"]
    assert base[9] == "proj_size"
    rnn = torch.nn.RNN(2, 3, 1, "relu", False, True, 0.0, True)
    assert rnn.nonlinearity == "relu" and rnn.batch_first and rnn.bidirectional


def test_linear_and_norm_layers_take_device_then_dtype_by_position():
    # torch: Linear(3, 4, True, "cpu") is device="cpu"; minidl read "cpu" as a dtype
    layer = nn.Linear(3, 4, True, "cpu", np.float64)
    assert layer.weight.dtype == minidl.float64 and layer.bias.dtype == minidl.float64
    norm = nn.LayerNorm(4, 1e-5, True, True, "cpu", np.float64)
    assert norm.weight.dtype == minidl.float64
    batch = nn.BatchNorm1d(4, 1e-5, 0.1, True, True, "cpu", np.float64)
    assert batch.weight.dtype == minidl.float64
