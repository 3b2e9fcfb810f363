"""``save`` / ``load``: state dicts (nested dicts and lists of arrays and numbers) as one ``.npz``.

No pickle: every tensor or array is one array in the archive, named by its
path in the structure (``model/fc.weight``), and a small JSON *manifest*
(stored as a byte array) records the structure and what each leaf was —
Tensor, ndarray, NumPy scalar, Python number, string or None — so that
``load(save(obj))`` gives back the same kinds with bit-identical values.
The file is written to a temporary file in the same folder and renamed, so
an interrupted save never leaves a half-written checkpoint behind.

As in ``torch.save``, the same Tensor (or ndarray) object saved twice is stored
once and loads back as one object, and a ``Parameter`` loads back as a
``Parameter``.  Unlike PyTorch, views are not tracked: a slice ``t[1:]`` saved
beside ``t`` loads back as a separate copy.
"""

import errno
import io
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
_STREAM_MARK = b"\x93MINIDL\x01"  # before each archive saved to a file object
_VERSION = 1


def _pack(obj, path, arrays, memo):
    """The manifest node for ``obj``; its arrays go into ``arrays`` under unique names.
    ``memo`` maps id(tensor or array) to its node, so a shared object is stored once."""
    if isinstance(obj, (Tensor, np.ndarray)) and id(obj) in memo:
        return memo[id(obj)]  # same array name: load gives back one shared object
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        arr = obj.data if isinstance(obj, Tensor) else np.asarray(obj)
        if arr.dtype.kind not in "biufcSU":
            raise TypeError(f"save: {path or 'object'} has dtype {arr.dtype}, which needs pickle")
        name = path or "value"
        while name in arrays or name == _MANIFEST:
            name += "'"
        arrays[name] = arr
        if isinstance(obj, Tensor):
            node = {"kind": "tensor", "array": name, "requires_grad": bool(obj.requires_grad)}
            if _is_parameter(obj):
                node["parameter"] = True
        else:
            node = {"kind": "scalar" if isinstance(obj, np.generic) else "ndarray", "array": name}
        if not isinstance(obj, np.generic):
            memo[id(obj)] = node
        return node
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
            items.append([key, _pack(value, child, arrays, memo)])
        kind = "OrderedDict" if isinstance(obj, OrderedDict) else "dict"
        return {"kind": kind, "items": items}
    if isinstance(obj, (list, tuple)):
        items = [
            _pack(v, f"{path}/{i}" if path else str(i), arrays, memo) for i, v in enumerate(obj)
        ]
        return {"kind": type(obj).__name__, "items": items}
    raise TypeError(
        f"save: cannot save {type(obj).__name__} at {path or 'top level'}; expected nested "
        "dicts/lists of tensors, arrays, numbers, strings or None"
    )


def _is_parameter(t):
    from minidl.nn.module import Parameter  # here: minidl.nn imports much of minidl

    return isinstance(t, Parameter)


def save(obj, path):
    """Write ``obj`` (e.g. ``model.state_dict()``) to ``path`` as an ``.npz``, atomically.

    ``path`` may also be a binary file object (``io.BytesIO()``, ``open(p, "wb")``),
    as in ``torch.save``: the same bytes are written to it, at its position.
    """
    arrays = {}
    root = _pack(obj, "", arrays, {})
    manifest = json.dumps({"format": _FORMAT, "version": _VERSION, "root": root})
    arrays[_MANIFEST] = np.frombuffer(manifest.encode("utf-8"), dtype=np.uint8)
    if hasattr(path, "write"):
        # the caller owns the file object: no temporary file, no rename, no close
        if isinstance(path, io.TextIOBase):
            raise TypeError(
                "save: the file object is open in text mode; open it in binary mode ('wb')"
            )
        # framed (a marker, then the archive's length): several saves to one stream load
        # back one by one, as torch.save's do; a bare zip would be read from its end
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        data = buffer.getvalue()
        path.write(_STREAM_MARK + len(data).to_bytes(8, "little") + data)
        return
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(
            f"save: expected a file path or a binary file object, got {type(path).__name__}"
        )
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(
            errno.EISDIR,
            f"save: {path} is a folder; expected a file path such as "
            f"{os.path.join(path, 'checkpoint.npz')}",
        )
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


def _one_archive(f):
    """The next archive in the file object ``f``, as bytes in memory: one ``save`` to a
    stream (framed), or a whole file written by ``save`` to a path and opened by the caller."""
    head = f.read(len(_STREAM_MARK))
    if head == _STREAM_MARK:
        size = int.from_bytes(f.read(8), "little")
        data = f.read(size)
        if len(data) != size:
            raise ValueError(f"load: the stream ends {size - len(data)} bytes into an archive")
        return io.BytesIO(data)
    return io.BytesIO(head + f.read())


def _unpack(node, arrays, memo):
    kind = node["kind"]
    if kind in ("tensor", "ndarray", "scalar"):
        arr = arrays[node["array"]]
        if kind == "scalar":
            return arr[()]
        if node["array"] in memo:  # saved twice as one object: one object again
            return memo[node["array"]]
        if kind == "ndarray":
            out = arr
        elif node.get("parameter"):
            from minidl.nn.module import Parameter

            out = Parameter(arr, requires_grad=node["requires_grad"])
        else:
            out = Tensor._make(arr)
            if node["requires_grad"]:
                out.requires_grad_(True)
        memo[node["array"]] = out
        return out
    if kind in ("None", "bool", "int", "float", "str"):
        return node["value"]
    if kind in ("dict", "OrderedDict"):
        d = OrderedDict() if kind == "OrderedDict" else {}
        for key, child in node["items"]:
            d[key] = _unpack(child, arrays, memo)
        return d
    if kind in ("list", "tuple"):
        items = [_unpack(child, arrays, memo) for child in node["items"]]
        return items if kind == "list" else tuple(items)
    raise ValueError(f"unknown entry kind {kind!r}")


def load(path, map_location=None, weights_only=None):
    """Read what :func:`save` wrote: Tensors come back as Tensors, arrays as arrays.

    ``map_location`` and ``weights_only`` are PyTorch's: minidl runs on the CPU only
    (``None`` or ``"cpu"``), and its files hold no code to unpickle, so loading is
    always what PyTorch's ``weights_only=True`` makes safe.  ``path`` may also be a
    binary file object (``open(p, "rb")``, ``io.BytesIO``) holding what ``save`` wrote.
    """
    if map_location not in (None, "cpu"):
        raise ValueError(
            f"load: minidl runs on the CPU only; map_location must be None or 'cpu', "
            f"got {map_location!r}"
        )
    if hasattr(path, "read"):
        if isinstance(path, io.TextIOBase):
            raise TypeError(
                "load: the file object is open in text mode; open it in binary mode ('rb')"
            )
    else:
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(
                f"load: expected a file path or a binary file object, got {type(path).__name__}"
            )
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"load: no such file: {path}")
    where = path if isinstance(path, str | bytes) else f"the {type(path).__name__} object"
    source = path if isinstance(path, str | bytes) else _one_archive(path)
    try:
        archive = np.load(source, allow_pickle=False)
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
        return _unpack(manifest["root"], arrays, {})
    except (ValueError, OSError, EOFError, KeyError, TypeError, zipfile.BadZipFile) as e:
        raise ValueError(
            f"load: {where} is not a readable file written by minidl.save "
            f"(truncated, corrupted, or another format): {e}"
        ) from e
