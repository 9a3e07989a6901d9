"""Checkpoint files: a partition's state and the offsets it covers, written atomically.

One file per partition in the state directory. It is written to a temporary name, flushed to
disk, then renamed over the old one, so a crash at any moment leaves either the old or the new
checkpoint, never a torn one. Arrays go in uncompressed ``.npz`` members (fast to write and
load); everything else is one JSON member.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

__all__ = ["read_checkpoint", "write_checkpoint"]

_META = "__meta__"


def write_checkpoint(path: Path, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any]) -> int:
    """Write atomically; returns the file's size in bytes.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "p0.ckpt"
    >>> size = write_checkpoint(path, {"x": np.arange(3)}, {"offset": 42})
    >>> arrays, meta = read_checkpoint(path)
    >>> arrays["x"].tolist(), meta["offset"]
    ([0, 1, 2], 42)
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        buffer = io.BytesIO()
        members = {**arrays, _META: np.frombuffer(msgspec.json.encode(meta), dtype=np.uint8)}
        np.savez(buffer, **members)  # type: ignore[arg-type]
        f.write(buffer.getbuffer())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself durable
    finally:
        os.close(directory)
    return path.stat().st_size


def read_checkpoint(path: Path) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]] | None:
    """The checkpoint at ``path``, or ``None`` if there is none.

    Raises ``ValueError`` for a file that exists but cannot be read as a checkpoint.
    """
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files if name != _META}
            meta = msgspec.json.decode(data[_META].tobytes())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, msgspec.DecodeError) as exc:
        raise ValueError(f"unreadable checkpoint {path}: {exc}") from None
    return arrays, meta
