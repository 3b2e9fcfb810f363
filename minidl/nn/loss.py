"""Losses: mean squared error (§3.3 eq. 1) and its robust kin (L1, smooth L1, Huber),
cross-entropy on logits (§3.1, §4), and the negative log-likelihood of log-probabilities
(cross-entropy split in two, as PyTorch offers).

Each kind has its own file, all importable from here:

- ``loss_regression.py``: MSE, L1, smooth L1, Huber;
- ``loss_classification.py``: cross-entropy (class indices or probabilities), NLL;
  ``loss_class_targets.py``: the checks of their class-index targets and class weights;
- ``loss_binary.py``: binary cross-entropy on probabilities and on logits;
- ``loss_base.py``: the ``reduction=`` check and ``_Loss``, the loss modules' base.
"""

from minidl.nn.loss_base import (  # noqa: F401  (private names re-exported)
    _REDUCTIONS,
    _check_reduction,
    _Loss,
    _reduce_losses,
    _upstream_scale,
)
from minidl.nn.loss_binary import (
    _BCE_EPS,  # noqa: F401
    BCELoss,
    BCEWithLogitsLoss,
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    _bce_checked,  # noqa: F401
    _broadcast_weight,  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from minidl.nn.loss_class_targets import (  # noqa: F401  (private names re-exported)
    _INT64,
    _UINT64,
    _check_classes,
    _checked,
    _class_weights,
    _classes_last,
    _target_array,
)
from minidl.nn.loss_classification import (
    CrossEntropy,
    CrossEntropyLoss,
    NLLLoss,
    SoftCrossEntropy,
    _soft_cross_entropy,  # noqa: F401
    cross_entropy,
    nll_loss,
)
from minidl.nn.loss_regression import (
    L1,
    MSE,
    Huber,
    HuberLoss,
    L1Loss,
    MSELoss,
    SmoothL1Loss,
    _check_threshold,  # noqa: F401
    _regression_checked,  # noqa: F401
    huber_loss,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)

__all__ = [
    "MSE",
    "L1",
    "Huber",
    "CrossEntropy",
    "SoftCrossEntropy",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "BCELoss",
    "BCEWithLogitsLoss",
]
