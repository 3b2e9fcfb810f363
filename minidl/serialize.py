"""``save`` / ``load``: state dicts (nested dicts and lists of arrays and numbers) as one ``.npz``.

No pickle: every tensor or array is one array in the archive, named by its
path in the structure (``model/fc.weight``), and a small JSON *manifest*
(stored as a byte array) records the structure and what each leaf was —
Tensor, ndarray, NumPy scalar, Python number, string or None — so that
``load(save(obj))`` gives back the same kinds with bit-identical values.
The file is written to a temporary file in the same folder and renamed, so
an interrupted save never leaves a half-written checkpoint behind.
"""

import json
import os
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np

from minidl.tensor import Tensor

__all__ = ["save", "load"]

_MANIFEST = "__minidl_manifest__"
_FORMAT = "minidl.save"
_VERSION = 1


def _pack(obj, path, arrays):
    """The manifest node for ``obj``; its arrays go into ``arrays`` under unique names."""
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        arr = obj.data if isinstance(obj, Tensor) else np.asarray(obj)
        if arr.dtype.kind not in "biufcSU":
            raise TypeError(f"save: {path or 'object'} has dtype {arr.dtype}, which needs pickle")
        name = path or "value"
        while name in arrays or name == _MANIFEST:
            name += "'"
        arrays[name] = arr
        if isinstance(obj, Tensor):
            return {"kind": "tensor", "array": name, "requires_grad": bool(obj.requires_grad)}
        return {"kind": "scalar" if isinstance(obj, np.generic) else "ndarray", "array": name}
    for kind in (bool, int, float, str):  # bool first: a bool is also an int
        if isinstance(obj, kind):
            return {"kind": kind.__name__, "value": kind(obj)}
    if obj is None:
        return {"kind": "None", "value": None}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(
                    f"save: dict keys must be str or int, got {type(key).__name__} {key!r} "
                    f"at {path or 'top level'}"
                )
            child = f"{path}/{key}" if path else str(key)
            items.append([key, _pack(value, child, arrays)])
        kind = "OrderedDict" if isinstance(obj, OrderedDict) else "dict"
        return {"kind": kind, "items": items}
    if isinstance(obj, (list, tuple)):
        items = [_pack(v, f"{path}/{i}" if path else str(i), arrays) for i, v in enumerate(obj)]
        return {"kind": type(obj).__name__, "items": items}
    raise TypeError(
        f"save: cannot save {type(obj).__name__} at {path or 'top level'}; expected nested "
        "dicts/lists of tensors, arrays, numbers, strings or None"
    )


def save(obj, path):
    """Write ``obj`` (e.g. ``model.state_dict()``) to ``path`` as an ``.npz``, atomically."""
    arrays = {}
    root = _pack(obj, "", arrays)
    manifest = json.dumps({"format": _FORMAT, "version": _VERSION, "root": root})
    arrays[_MANIFEST] = np.frombuffer(manifest.encode("utf-8"), dtype=np.uint8)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    # the errors below would otherwise name the temporary file, which the user never gave
    if not os.path.exists(folder):
        raise FileNotFoundError(
            f"save: folder {folder} does not exist (saving {path}); create it first "
            "(os.makedirs(folder, exist_ok=True))"
        )
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    except OSError as e:  # no permission, or the "folder" is a file
        raise type(e)(
            e.errno, f"save: cannot create a file in {folder} (saving {path}): {e.strerror}"
        ) from e
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make checkpoints private
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _unpack(node, arrays):
    kind = node["kind"]
    if kind in ("tensor", "ndarray", "scalar"):
        arr = arrays[node["array"]]
        if kind == "scalar":
            return arr[()]
        if kind == "ndarray":
            return arr
        t = Tensor._make(arr)
        if node["requires_grad"]:
            t.requires_grad_(True)
        return t
    if kind in ("None", "bool", "int", "float", "str"):
        return node["value"]
    if kind in ("dict", "OrderedDict"):
        d = OrderedDict() if kind == "OrderedDict" else {}
        for key, child in node["items"]:
            d[key] = _unpack(child, arrays)
        return d
    if kind in ("list", "tuple"):
        items = [_unpack(child, arrays) for child in node["items"]]
        return items if kind == "list" else tuple(items)
    raise ValueError(f"unknown entry kind {kind!r}")


def load(path, map_location=None, weights_only=None):
    """Read what :func:`save` wrote: Tensors come back as Tensors, arrays as arrays.

    ``map_location`` and ``weights_only`` are PyTorch's: minidl runs on the CPU only
    (``None`` or ``"cpu"``), and its files hold no code to unpickle, so loading is
    always what PyTorch's ``weights_only=True`` makes safe.
    """
    if map_location not in (None, "cpu"):
        raise ValueError(
            f"load: minidl runs on the CPU only; map_location must be None or 'cpu', "
            f"got {map_location!r}"
        )
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file: {path}")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single .npy array, not an archive")
        with archive:
            if _MANIFEST not in archive.files:
                raise ValueError("it has no minidl manifest")
            arrays = {name: archive[name] for name in archive.files}
        manifest = json.loads(arrays.pop(_MANIFEST).tobytes().decode("utf-8"))
        if manifest.get("format") != _FORMAT:
            raise ValueError(f"its manifest names format {manifest.get('format')!r}")
        if manifest.get("version") != _VERSION:
            raise ValueError(f"it has format version {manifest.get('version')!r}")
        return _unpack(manifest["root"], arrays)
    except (ValueError, OSError, EOFError, KeyError, TypeError, zipfile.BadZipFile) as e:
        raise ValueError(
            f"load: {path} is not a readable file written by minidl.save "
            f"(truncated, corrupted, or another format): {e}"
        ) from e
