"""Learning-rate schedulers, as PyTorch's ``torch.optim.lr_scheduler``.

A scheduler sets each group's ``"lr"`` once per epoch; call ``scheduler.step()``
once per epoch, after ``optimizer.step()``::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)            # optimizer.step() inside, with the current lr
        scheduler.step()      # epoch ← epoch + 1, and the lr of the new epoch

As in PyTorch, most schedulers are *chainable*: ``StepLR``, ``MultiStepLR``,
``ExponentialLR``, ``ConstantLR``, ``LinearLR``, ``PolynomialLR``,
``MultiplicativeLR`` and ``CosineAnnealingLR`` compute the new lr from the group's
*current* lr, so alone they follow their closed form, and an lr set by hand or a
second scheduler on the same optimizer compounds with them.  ``LambdaLR``,
``CosineAnnealingWarmRestarts`` and ``OneCycleLR`` set the lr from η₀ directly.
``SequentialLR`` runs schedulers one after the other, ``ChainedScheduler`` steps
several at once, and ``ReduceLROnPlateau``'s ``step(val_loss)`` takes the loss.

Construction stores η₀ in each group as ``"initial_lr"`` (if not already there)
and applies epoch 0, so ``last_epoch`` is 0 afterwards, as in PyTorch.  To resume,
``last_epoch=k`` (every group must then hold ``"initial_lr"``, e.g. from the
optimizer's checkpoint) starts the counter at k + 1.  Each lr is a Python float.
"""

from minidl.optim.lr_scheduler._base import EPOCH_DEPRECATION_WARNING, LRScheduler
from minidl.optim.lr_scheduler._compose import ChainedScheduler, SequentialLR
from minidl.optim.lr_scheduler._cosine import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    OneCycleLR,
)
from minidl.optim.lr_scheduler._decay import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from minidl.optim.lr_scheduler._plateau import ReduceLROnPlateau

__all__ = [
    "LRScheduler",
    "StepLR",
    "ExponentialLR",
    "LambdaLR",
    "MultiplicativeLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
]
