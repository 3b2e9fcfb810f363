"""``torch.nn.utils``'s names: gradient clipping, and ``rnn`` (padded and packed sequences)."""

from minidl.nn.utils import rnn
from minidl.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_", "rnn"]
