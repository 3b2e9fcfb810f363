"""The PyTorch 2.13 behaviours behind the audit-gap fixes, side by side with minidl's answer.

Each fix's own test sits with its feature; these only run where torch is installed, and
check that what minidl follows (or refuses, and why) is still what PyTorch does.
"""

import numpy as np
import pytest

import minidl
from minidl.nn.utils.rnn import pad_sequence


def test_the_pytorch_behaviours_the_gap_fixes_follow():
    torch = pytest.importorskip("torch")
    from torch.nn.utils.rnn import pad_sequence as torch_pad

    # Tensor(t): torch aliases t (its dtype, its memory); minidl refuses rather than copy
    t = torch.tensor([1, 2], dtype=torch.int32)
    alias = torch.Tensor(t)
    assert alias.dtype == torch.int32 and alias.data_ptr() == t.data_ptr()
    with pytest.raises(TypeError, match="PyTorch returns t itself"):
        minidl.Tensor(minidl.tensor([1, 2], dtype=np.int32))
    # of the default dtype both alias t (minidl: the same memory); t requiring grad stays in
    # torch's graph, which minidl's new tensor could not: refused
    f, mf = torch.tensor([1.0, 2.0]), minidl.tensor([1.0, 2.0])
    torch.Tensor(f)[0] = 9.0
    minidl.Tensor(mf)[0] = 9.0
    assert f.tolist() == mf.tolist() == [9.0, 2.0]
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (torch.Tensor(w) * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]
    with pytest.raises(TypeError, match="PyTorch returns t itself, in the graph"):
        minidl.Tensor(minidl.tensor([1.0, 2.0], requires_grad=True))
    # -bool and clamp_min(x, None) are refused by both
    with pytest.raises(RuntimeError, match="bool tensor is not supported"):
        -torch.tensor([True])
    with pytest.raises(TypeError):
        torch.clamp_min(torch.ones(2), None)
    # ragged lists: ValueError in both
    with pytest.raises(ValueError, match="expected sequence of length 1 at dim 1"):
        torch.tensor([[1], [1, 2]])
    with pytest.raises(ValueError, match="data\\[1\\] has length 2, expected 1"):
        minidl.tensor([[1], [1, 2]])
    # randint: requires_grad only with a float dtype
    with pytest.raises(RuntimeError, match="floating point"):
        torch.randint(0, 5, (3,), requires_grad=True)
    assert torch.randint(0, 5, (3,), dtype=torch.float32, requires_grad=True).requires_grad
    assert minidl.randint(0, 5, (3,), dtype=np.float32, requires_grad=True).requires_grad
    # detach_ of a view in the graph is refused by both; detach() of a view is not
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        (x * 2)[1:].detach_()
    x[1:].detach().detach_()
    # pad_sequence: sequence 0's dtype, which minidl follows where promotion agrees
    theirs = torch_pad([torch.tensor([1.5, 2.0]), torch.tensor([1, 2, 3])])
    ours = pad_sequence([minidl.tensor([1.5, 2.0]), minidl.tensor([1, 2, 3])])
    assert str(theirs.dtype) == "torch.float32" and ours.dtype == np.float32
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    truncated = torch_pad([torch.tensor([1, 2]), torch.tensor([1.5, 2.5, 3.0])])
    assert truncated[:, 1].tolist() == [1, 2, 3]  # 1.5 -> 1: why minidl refuses this order
    # scatter with an empty index of other dims: the input back
    for index_shape in [(0,), (0, 2, 2)]:
        empty = torch.zeros(index_shape, dtype=torch.long)
        xs = torch.arange(12.0).reshape(3, 4)
        ys = minidl.arange(12.0).reshape(3, 4)
        np.testing.assert_array_equal(
            xs.scatter(1, empty, 5.0).numpy(),
            ys.scatter(1, minidl.zeros(*index_shape, dtype=np.int64), 5.0).data,
        )
