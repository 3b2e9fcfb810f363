"""Optimizers of §3.3: ``GD`` (eq. 2), ``SGD`` (eq. 3), ``Adam`` (eq. 4).

GD and SGD apply the same update θ ← θ − α∇J(θ); what differs is the data
each step sees, chosen by the loader::

    optim.GD(model.parameters(), lr=0.1)    + DataLoader(ds, batch_size=len(ds))
    optim.SGD(model.parameters(), lr=0.01)  + DataLoader(ds, batch_size=1, shuffle=True)
    optim.Adam(model.parameters(), lr=1e-3, correct_v=True)   # correct_v=False: as printed
    optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)   # decoupled weight decay

and PyTorch's ``RMSprop`` and ``Adagrad`` (their exact updates; equations in the docstrings).
"""

from minidl.optim import lr_scheduler
from minidl.optim.adagrad import Adagrad
from minidl.optim.adam import Adam
from minidl.optim.adamw import AdamW
from minidl.optim.gd import GD
from minidl.optim.optimizer import Optimizer
from minidl.optim.rmsprop import RMSprop
from minidl.optim.sgd import SGD

__all__ = ["Optimizer", "GD", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
