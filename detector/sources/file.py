"""JSON Lines files (optionally gzip-compressed) as a source of raw record batches."""

from __future__ import annotations

import gzip
import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from detector import _records as _native
from detector.records import Lines

__all__ = ["FileSource", "RawBatch"]

_BLOCK = 4 << 20


@dataclass(frozen=True)
class RawBatch:
    values: Lines
    offsets: npt.NDArray[np.int64]
    """1-based line numbers of ``values`` in the file."""
    position: int
    """Bytes of the (compressed) file consumed so far, for progress."""


class FileSource:
    """Read a JSONL(.gz) file in batches of lines, skipping blank lines.

    An uncompressed file is memory-mapped and its lines are handed on in place, as spans of
    the map (:class:`~detector.records.Lines`): the decoder reads them where the page cache
    holds them, without a copy per line. Lines end at ``\\n``; trailing ``\\r`` are dropped,
    and lines of whitespace skipped.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.jsonl")
    >>> _ = open(path, "wb").write(b'{"a": 1}\\n\\n{"a": 2}\\r\\n{"a": 3}')
    >>> [(list(b.values), b.offsets.tolist()) for b in FileSource(path, batch_records=2)]
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
            if _is_gzip(raw):
                yield from self._decompressed(raw)
            elif self.size:  # an empty file cannot be mapped
                # Not closed here: batches handed out keep using the map, which goes with them.
                mapped = mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)
                mapped.madvise(mmap.MADV_SEQUENTIAL)  # read ahead of a file not yet cached
                split = _LineSplitter(mapped, 1)
                while len(lines := split.take(self.batch_records)):
                    yield RawBatch(lines, split.numbers, split.start)

    def _decompressed(self, raw: BinaryIO) -> Iterator[RawBatch]:
        """Batches of a gzip file, decompressed a block at a time."""
        stream = gzip.GzipFile(fileobj=raw)
        carry, line = b"", 1
        pieces: list[tuple[Lines, npt.NDArray[np.int64]]] = []
        held = 0
        while True:
            block = stream.read(_BLOCK)
            split = _LineSplitter(carry + block, line, final=not block)
            while len(lines := split.take(self.batch_records - held)):
                pieces.append((lines, split.numbers))
                held += len(lines)
                if held == self.batch_records:
                    yield _joined(pieces, raw.tell())
                    pieces, held = [], 0
            carry, line = split.buffer[split.start :], split.line
            if not block:
                break
        if pieces:
            yield _joined(pieces, raw.tell())


class _LineSplitter:
    """The non-blank lines of one buffer, taken a number at a time (see
    ``detector._records.split_lines``).

    Without ``final``, a last line with no ``\\n`` is left: ``start`` stays where it begins.
    """

    def __init__(self, buffer: bytes | mmap.mmap, line: int, final: bool = True):
        self.buffer, self.line, self.final = buffer, line, final
        self.start = 0
        """Where the next line begins in ``buffer``; ``line`` is its number."""
        self.numbers = np.empty(0, dtype=np.int64)
        """The line numbers of the lines the last :meth:`take` returned."""

    def take(self, size: int) -> Lines:
        """Up to ``size`` more lines; fewer only when the buffer has no more."""
        bounds = np.empty((size, 2), dtype=np.int64)
        numbers = np.empty(size, dtype=np.int64)
        count, self.start, self.line = _native.split_lines(
            self.buffer, self.start, self.line, self.final, bounds, numbers
        )
        self.numbers = numbers[:count]
        return Lines(self.buffer, bounds[:count])


def _joined(pieces: list[tuple[Lines, npt.NDArray[np.int64]]], position: int) -> RawBatch:
    """One batch of the lines of ``pieces`` (of consecutive buffers), in one buffer."""
    if len(pieces) == 1:
        return RawBatch(*pieces[0], position)
    values = [value for lines, _ in pieces for value in lines]
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    ends = np.cumsum(lengths)
    bounds = np.column_stack([ends - lengths, ends])
    numbers = np.concatenate([numbers for _, numbers in pieces])
    return RawBatch(Lines(b"".join(values), bounds), numbers, position)


def _is_gzip(raw: BinaryIO) -> bool:
    magic = raw.read(2)
    raw.seek(0)
    return magic == b"\x1f\x8b"
