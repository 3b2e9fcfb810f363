"""Unflatten: the layer that undoes Flatten, splitting one dim into several."""

from minidl import ops
from minidl.nn.module import Module
from minidl.tensor import is_int

__all__ = ["Unflatten"]


class Unflatten(Module):
    """Dim ``dim`` split into ``unflattened_size``: (N, 784) -> (N, 1, 28, 28) with
    ``Unflatten(1, (1, 28, 28))``; one size may be −1 (inferred)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not is_int(dim):
            raise TypeError(f"Unflatten: dim must be an int, got {dim!r}")
        sizes = unflattened_size
        if not isinstance(sizes, (tuple, list)) or not all(is_int(n) for n in sizes):
            raise TypeError(
                "Unflatten: unflattened_size must be a tuple or list of ints, "
                f"got {unflattened_size!r}"
            )
        self.dim, self.unflattened_size = int(dim), tuple(int(n) for n in sizes)

    def forward(self, x):
        return ops.unflatten(x, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
