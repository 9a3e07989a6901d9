"""Checkpoint files: a partition's state and the offsets it covers, and the instance's
learned model, written atomically.

One file per partition in the state directory. It is written to a temporary name, flushed to
disk, then renamed over the old one, so a crash at any moment leaves either the old or the new
checkpoint, never a torn one. The temporary name is the writer's own: instances that share a
state directory all write ``model.pkl``, and one must not rename another's half-written file.

Arrays go in uncompressed ``.npz`` members (fast to write and load); everything else is one
JSON member.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

__all__ = [
    "read_checkpoint",
    "read_model",
    "remove_stale_temporaries",
    "write_checkpoint",
    "write_model",
]

_META = "__meta__"
_TEMPORARY = ".tmp"


def _write_atomically(path: Path, data: bytes | memoryview) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TEMPORARY, dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself durable
    finally:
        os.close(directory)


def remove_stale_temporaries(directory: Path, older_than_s: float = 3600.0) -> int:
    """Delete the temporaries that writers killed mid-write left in ``directory``; returns how
    many. Younger ones may be another instance's write in progress, so they stay.
    """
    removed = 0
    cutoff = time.time() - older_than_s
    for tmp in directory.glob(f".*{_TEMPORARY}"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed += 1
        except FileNotFoundError:  # its writer renamed or removed it meanwhile
            continue
    return removed


def write_model(path: Path, model: object, config_hash: str) -> None:
    """Save the instance's learned model (pickled, with the config hash it belongs to)."""
    _write_atomically(path, pickle.dumps({"config_hash": config_hash, "model": model}))


def read_model(path: Path, config_hash: str) -> object | None:
    """The model saved for ``config_hash``; ``None`` if absent, unreadable or from another
    config (a model learned under other settings would score differently).

    The file is the service's own, in its own state directory: trusted like the code.
    """
    try:
        saved = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(saved, dict) or saved.get("config_hash") != config_hash:
        return None
    return saved.get("model")


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
    buffer = io.BytesIO()
    members = {**arrays, _META: np.frombuffer(msgspec.json.encode(meta), dtype=np.uint8)}
    np.savez(buffer, **members)  # type: ignore[arg-type]
    _write_atomically(path, buffer.getbuffer())
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
