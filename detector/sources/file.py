"""JSON Lines files (optionally gzip-compressed) as a source of raw record batches."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

__all__ = ["FileSource", "RawBatch"]

_BLOCK = 4 << 20


@dataclass(frozen=True)
class RawBatch:
    values: list[bytes]
    offsets: list[int]
    """1-based line numbers of ``values`` in the file."""
    position: int
    """Bytes of the (compressed) file consumed so far, for progress."""


class FileSource:
    """Read a JSONL(.gz) file in batches of lines, skipping blank lines.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.jsonl")
    >>> _ = open(path, "wb").write(b'{"a": 1}\\n\\n{"a": 2}\\n{"a": 3}')
    >>> [(b.values, b.offsets) for b in FileSource(path, batch_records=2)]
    [([b'{"a": 1}', b'{"a": 2}'], [1, 3]), ([b'{"a": 3}'], [4])]
    """

    def __init__(self, path: str | Path, batch_records: int = 8192):
        self.path = Path(path)
        self.batch_records = batch_records
        self.source_name = str(path)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def __iter__(self) -> Iterator[RawBatch]:
        with self.path.open("rb") as raw:
            stream: IO[bytes] = (
                gzip.GzipFile(fileobj=raw) if _is_gzip(raw) else raw  # type: ignore[assignment]
            )
            values: list[bytes] = []
            offsets: list[int] = []
            line_no = 0
            carry = b""
            while True:
                block = stream.read(_BLOCK)
                if not block:
                    lines = [carry] if carry else []
                else:
                    lines = (carry + block).split(b"\n")
                    carry = lines.pop()
                first = line_no + 1
                line_no += len(lines)
                if all(lines) and b"\r" not in block and not any(map(bytes.isspace, lines)):
                    # The common case, without a Python step per line: no blank lines, no CRs.
                    values += lines
                    offsets += range(first, line_no + 1)
                else:
                    for number, line in enumerate(lines, first):
                        line = line.rstrip(b"\r")
                        if line.strip():
                            values.append(line)
                            offsets.append(number)
                size = self.batch_records
                full = len(values) - len(values) % size
                for start in range(0, full, size):
                    yield RawBatch(
                        values[start : start + size], offsets[start : start + size], raw.tell()
                    )
                values, offsets = values[full:], offsets[full:]
                if not block:
                    break
            if values:
                yield RawBatch(values, offsets, raw.tell())


def _is_gzip(raw: BinaryIO) -> bool:
    magic = raw.read(2)
    raw.seek(0)
    return magic == b"\x1f\x8b"
