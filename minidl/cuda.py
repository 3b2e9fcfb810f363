"""``minidl.cuda``: there is no GPU here.  ``is_available()`` is False, so PyTorch's
device-selection line ``torch.device("cuda" if torch.cuda.is_available() else "cpu")``
picks the CPU and the rest of the script runs unchanged."""

__all__ = ["is_available", "device_count"]


def is_available():
    """False: minidl computes with NumPy on the CPU."""
    return False


def device_count():
    """0 GPUs."""
    return 0
