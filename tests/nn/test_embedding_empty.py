"""Embedding with zero-width rows or no ids: the backward gives a zero (V, D) gradient."""

import numpy as np
import pytest

import minidl
from minidl import nn


@pytest.mark.parametrize("scale_grad_by_freq", [False, True])
@pytest.mark.parametrize("padding_idx", [None, 1])
def test_zero_width_rows_get_an_empty_gradient(scale_grad_by_freq, padding_idx):
    layer = nn.Embedding(4, 0, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
    y = layer(minidl.tensor([[1, 2], [1, 1]]))
    assert y.shape == (2, 2, 0)
    y.sum().backward()
    assert layer.weight.grad.shape == (4, 0)


def test_no_ids_give_a_zero_gradient_for_every_row():
    layer = nn.Embedding(4, 3)
    y = layer(minidl.tensor(np.zeros((0,), np.int64)))
    assert y.shape == (0, 3)
    y.sum().backward()
    assert layer.weight.grad.tolist() == [[0.0] * 3] * 4
