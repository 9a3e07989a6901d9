import gzip
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detector.sources.file as file_module
from detector import _records
from detector.sources.file import FileSource


def test_reads_plain_and_gzip_alike(tmp_path: Path) -> None:
    content = b"".join(b'{"n": %d}\n' % i for i in range(25)) + b"\r\n" + b'{"n": 99}'
    plain, packed = tmp_path / "a.jsonl", tmp_path / "a.jsonl.gz"
    plain.write_bytes(content)
    packed.write_bytes(gzip.compress(content))
    for path in (plain, packed):
        batches = list(FileSource(path, batch_records=10))
        assert [len(b.values) for b in batches] == [10, 10, 6]
        assert batches[-1].values[-1] == b'{"n": 99}'
        assert batches[-1].offsets[-1] == 27  # line 26 was blank
        assert batches[-1].position == path.stat().st_size


def test_long_lines_across_read_blocks(tmp_path: Path) -> None:
    big = b'{"x": "' + b"y" * (5 << 20) + b'"}'
    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"a": 1}\n' + big + b'\n{"b": 2}\n')
    values = [v for b in FileSource(path) for v in b.values]
    assert values == [b'{"a": 1}', big, b'{"b": 2}']


@pytest.mark.parametrize("block", [7, 64, 4 << 20])
def test_line_numbers_batches_and_blank_lines_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(file_module, "_BLOCK", block)
    lines = [b'{"n": %d}' % i for i in range(40)]
    lines[5] = b""
    lines[9] = b"   "
    lines[17] = b'{"n": 17}\r'
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\n".join(lines))  # no final newline
    batches = list(FileSource(path, batch_records=6))
    values = [v for b in batches for v in b.values]
    offsets = [o for b in batches for o in b.offsets]
    expected = [(i + 1, line.rstrip(b"\r")) for i, line in enumerate(lines) if line.strip()]
    assert list(zip(offsets, values, strict=True)) == expected
    assert [len(b.values) for b in batches] == [6] * 6 + [2]


def reference_lines(content: bytes) -> list[tuple[int, bytes]]:
    """What a file's lines are, said plainly: numbered from 1, trailing CRs dropped, blank
    lines (ASCII whitespace) skipped."""
    pieces = content.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()
    stripped = [(n, line.rstrip(b"\r")) for n, line in enumerate(pieces, 1)]
    return [(n, line) for n, line in stripped if line.strip()]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"\n", b"\r", b" ", b"\t", b"\x0b", b"\x0c", b"{}", b"x"]), max_size=60
    ),
    st.integers(1, 7),
    st.sampled_from([1, 5, 64]),
)
def test_any_content_splits_into_the_same_lines_plain_or_gzip(
    pieces: list[bytes], batch_records: int, block: int
) -> None:
    content = b"".join(pieces)
    expected = reference_lines(content)
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        patch.setattr(file_module, "_BLOCK", block)
        plain, packed = Path(tmp) / "a.jsonl", Path(tmp) / "a.jsonl.gz"
        plain.write_bytes(content)
        packed.write_bytes(gzip.compress(content))
        for path in (plain, packed):
            batches = list(FileSource(path, batch_records))
            got = [(int(n), v) for b in batches for n, v in zip(b.offsets, b.values, strict=True)]
            assert got == expected, path.name
            assert all(len(b.values) == batch_records for b in batches[:-1])
            assert all(0 < len(b.values) <= batch_records for b in batches)


def test_an_unfinished_last_line_is_left_unless_final() -> None:
    buffer = b'{"a": 1}\r\n\n  \n{"b"'
    bounds, numbers = np.empty((4, 2), dtype=np.int64), np.empty(4, dtype=np.int64)
    assert _records.split_lines(buffer, 0, 1, False, bounds, numbers) == (1, 14, 4)
    assert bounds[0].tolist() == [0, 8] and numbers[0] == 1
    assert _records.split_lines(buffer, 14, 4, True, bounds, numbers) == (1, 18, 5)
    assert bounds[0].tolist() == [14, 18] and numbers[0] == 4
    # A full output stops the scan where the next line begins.
    assert _records.split_lines(b"a\nb\nc", 0, 1, True, bounds[:1], numbers[:1]) == (1, 2, 2)
    with pytest.raises(ValueError, match="bounds"):
        _records.split_lines(buffer, 0, 1, True, bounds[:3], numbers)
    with pytest.raises(ValueError, match="start"):
        _records.split_lines(buffer, len(buffer) + 1, 1, True, bounds, numbers)
