import gzip
from pathlib import Path

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
