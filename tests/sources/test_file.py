import gzip
from pathlib import Path

import pytest

import detector.sources.file as file_module
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
