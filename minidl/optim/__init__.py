"""Optimizers of §3.3: ``GD`` (eq. 2), ``SGD`` (eq. 3), ``Adam`` (eq. 4)."""

from minidl.optim.adam import Adam
from minidl.optim.gd import GD
from minidl.optim.optimizer import Optimizer
from minidl.optim.sgd import SGD

__all__ = ["Optimizer", "GD", "SGD", "Adam"]
