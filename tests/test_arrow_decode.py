"""The pyarrow fast path decodes exactly as msgspec does, and declines whatever msgspec would
reject or read differently."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

import detector.records
from detector.arrow_decode import decode_clean_batch
from detector.records import TS_MAX, TS_MIN, BatchDecoder, RecordBatch, Reject, RequestRecord
from tests.conftest import T0, lines, record
from tests.test_pipeline import traffic


def both_paths(
    values: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[RecordBatch, list[Reject]], tuple[RecordBatch, list[Reject]]]:
    fast = BatchDecoder().decode(values, "s")
    with monkeypatch.context() as patch:
        patch.setattr(detector.records, "decode_clean_batch", lambda *args: None)
        reference = BatchDecoder().decode(values, "s")
    return fast, reference


def assert_same(one: RecordBatch, other: RecordBatch) -> None:
    """Same columns; a column either side interned holds the same strings as its list."""
    for batch in (one, other):
        for name, column in batch.interned.items():
            assert column.expand() == getattr(batch, name), name
    for name, value in vars(one).items():
        expected = getattr(other, name)
        if name == "interned":
            continue
        if isinstance(value, np.ndarray):
            assert value.dtype == expected.dtype, name
            np.testing.assert_array_equal(value, expected, err_msg=name)
        else:
            assert value == expected, name


def test_a_clean_batch_gives_the_columns_msgspec_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    values = traffic() + lines(
        [
            record(
                "x",
                T0,
                status=503,
                logprobs=0,
                n=1,
                temperature=0.7,
                latency_ms=0.0,
                prompt_tokens=2**63 - 1,
                finish_reason="length",
                reasoning=False,
                prompt_fingerprint="f" * 16,
                client_ip="2001:db8::1",
                extra={"nested": [1]},
            ),
        ]
    )
    assert decode_clean_batch(values, TS_MIN, TS_MAX) is not None
    (fast, fast_rejects), (reference, reference_rejects) = both_paths(values, monkeypatch)
    assert fast_rejects == reference_rejects == []
    assert_same(fast, reference)


def test_repeated_strings_become_one_object() -> None:
    batch, _ = BatchDecoder().decode(lines([record("acct", T0), record("acct", T0 + 1)]), "s")
    assert batch.account_id[0] is batch.account_id[1]


def test_a_clean_batch_interns_every_string_column_and_the_networks() -> None:
    batch, _ = BatchDecoder().decode(traffic(), "s")
    assert set(batch.interned) == {
        "account_id",
        "org_id",
        "client_ip",
        "network",
        "user_agent",
        "prompt_text",
        "prompt_fingerprint",
    }
    for name, column in batch.interned.items():
        assert column.expand() == getattr(batch, name), name
        if name != "network":  # the networks of the distinct IPs: several IPs share one
            assert len(set(column.values)) == len(column.values), name


EDGE_VALUES = {
    "status as float": {"status": 200.0},
    "status out of range": {"status": 600},
    "flag as number": {"reasoning": 1},
    "id as number": {"account_id": 123},
    "empty id": {"account_id": ""},
    "long id": {"account_id": "a" * 257},
    "long user agent": {"user_agent": "u" * 1025},
    "null id": {"account_id": None},
    "ts as string": {"ts": "2026-01-01T00:00:00Z"},
    "ts in ms": {"ts": T0 * 1000},
    "negative tokens": {"prompt_tokens": -1},
    "n of 0": {"n": 0},
    "negative latency": {"latency_ms": -1.0},
    "huge int": {"completion_tokens": 10**20},
    "bad ip": {"client_ip": "999.1.1.1"},
}
RAW_EDGES = {
    "not an object": b"[1]",
    "empty": b"",
    "blank": b"   ",
    "two objects on a line": b'{"ts":%d,"account_id":"a"}{"ts":%d,"account_id":"b"}' % (T0, T0),
    "two objects on two lines": b'{"ts":%d,"account_id":"a"}\n{"ts":%d,"account_id":"b"}'
    % (T0, T0),
    "pretty printed": b'{\n "ts": %d,\n "account_id": "a"\n}' % T0,
    "NaN latency": b'{"ts":%d,"account_id":"a","latency_ms":NaN}' % T0,
    "invalid utf-8": b'{"ts":%d,"account_id":"a\xff"}' % T0,
    "duplicate key": b'{"ts":%d,"account_id":"a","account_id":"b"}' % T0,
    "missing account": b'{"ts":%d}' % T0,
    "truncated": b'{"ts":%d,"account_id":"a"' % T0,
}


@pytest.mark.parametrize("edge", [*EDGE_VALUES, *RAW_EDGES])
def test_an_odd_value_gives_what_msgspec_gives(edge: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = lines([record(f"a{i}", T0 + i, client_ip="203.0.113.9") for i in range(6)])
    odd = RAW_EDGES.get(edge)
    if odd is None:
        odd = msgspec.json.encode({"ts": T0, "account_id": "z", **EDGE_VALUES[edge]})
    values = [*clean[:3], odd, *clean[3:]]
    (fast, fast_rejects), (reference, reference_rejects) = both_paths(values, monkeypatch)
    assert fast_rejects == reference_rejects
    assert_same(fast, reference)


def test_the_fast_path_checks_what_the_record_type_declares() -> None:
    """The fast path's limits are the contract type's: changing one without the other fails."""
    from detector import arrow_decode

    declared: dict[str, tuple[str, dict[str, object]]] = {}
    for info in msgspec.inspect.type_info(RequestRecord).fields:
        kinds = (
            info.type.types if isinstance(info.type, msgspec.inspect.UnionType) else (info.type,)
        )
        main = next(t for t in kinds if not isinstance(t, msgspec.inspect.NoneType))
        declared[info.name] = (
            type(main).__name__,
            {k: getattr(main, k) for k in ("max_length", "ge", "le") if hasattr(main, k)},
        )
    assert set(declared) == set(arrow_decode._SCHEMA.names)
    for name, limit in arrow_decode._STRING.items():
        assert declared[name] == ("StrType", {"max_length": limit}), name
    for name, least in arrow_decode._INT_MIN.items():
        high = arrow_decode._STATUS_MAX if name == "status" else None
        assert declared[name] == ("IntType", {"ge": least, "le": high}), name
    assert declared["ts"][1] == {"ge": TS_MIN, "le": TS_MAX}
    assert declared["latency_ms"][1] == {"ge": 0, "le": None}
    assert declared["temperature"][1] == {"ge": None, "le": None}
