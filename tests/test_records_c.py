"""The C pass of the record decoder (detector/_records.c) against msgspec.

The C pass may leave any record to msgspec, but a record it decodes must come out exactly as
msgspec would give it. The differential tests decode the same values with the C pass on and
off; the direct tests check that the pass does take the common records (else the
differential tests would hold trivially) and leaves the doubtful ones.
"""

import json
import math

import msgspec
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector import _records
from detector.records import INTERNED, TS_MAX, TS_MIN, BatchDecoder, Lines
from tests.conftest import T0, lines, record
from tests.test_records import assert_same


def taken(values: list[bytes], max_bytes: int = 1 << 20) -> list[bool]:
    """Which values the C pass decodes itself."""
    n = len(values)
    flags = np.zeros((5, n), dtype=np.uint8)
    _records.decode(
        values,
        np.empty(n),
        np.empty((4, n), dtype=np.int64),
        flags,
        np.empty((len(INTERNED), n), dtype=np.int64),
        max_bytes,
    )
    return flags[0].astype(bool).tolist()


def in_place(values: list[bytes]) -> Lines:
    """``values`` as spans of one buffer, between separators that are not JSON."""
    ends = np.cumsum([len(v) + 2 for v in values]) - 2
    return Lines(b"\x00\x01".join(values), np.column_stack([ends - [len(v) for v in values], ends]))


def assert_as_msgspec(values: list[bytes]) -> None:
    """The C pass, over bytes objects and over spans of one buffer, decodes as msgspec."""
    slow, slow_rejects = BatchDecoder(native=False).decode(values, "s", range(len(values)))
    for form in (values, in_place(values)):
        fast, fast_rejects = BatchDecoder().decode(form, "s", range(len(values)))
        assert fast_rejects == slow_rejects
        assert_same(fast, slow)


def obj(fields: dict[str, object]) -> bytes:
    return msgspec.json.encode({"ts": T0, "account_id": "a", **fields})


def test_the_c_pass_takes_the_records_gateways_write() -> None:
    values = lines([record(f"a{i}", T0 + i / 7, client_ip="203.0.113.9") for i in range(50)])
    values.append(
        obj({"prompt_text": 'Line one\n\t"quoted" caf\u00e9 \\ \u2603 \U0001f600', "n": 2})
    )
    values.append(b' { "ts" : 1767225600 , "account_id" : "b", "extra": [1, {"x": null}] } \n')
    assert all(taken(values))
    assert_as_msgspec(values)


LEFT_TO_MSGSPEC = {
    "RFC 3339 time": obj({"ts": "2026-01-01T00:00:00Z"}),
    "time out of range": obj({"ts": TS_MAX + 1}),
    "duplicate key": b'{"ts":%d,"account_id":"a","account_id":"b"}' % T0,
    "lone surrogate": b'{"ts":%d,"account_id":"\\ud800"}' % T0,
    "escaped key": b'{"ts":%d,"account\\u005fid":"a"}' % T0,
    "control character": b'{"ts":%d,"account_id":"a\tb"}' % T0,
    "invalid utf-8": b'{"ts":%d,"account_id":"a\xff"}' % T0,
    "overlong utf-8": b'{"ts":%d,"account_id":"a\xc0\xaf"}' % T0,
    "overlong 3-byte utf-8": b'{"ts":%d,"account_id":"a\xe0\x80\xaf"}' % T0,
    "surrogate in utf-8": b'{"ts":%d,"account_id":"a\xed\xa0\x80"}' % T0,
    "surrogate in an unknown field": b'{"ts":%d,"account_id":"a","x":"\xed\xbf\xbf"}' % T0,
    "past U+10FFFF": b'{"ts":%d,"account_id":"a","org_id":"\xf4\x90\x80\x80"}' % T0,
    "cut utf-8": b'{"ts":%d,"account_id":"a\xe2\x98"}' % T0,
    "float count": obj({"prompt_tokens": 1.0}),
    "count of 16 digits": obj({"prompt_tokens": 10**15}),
    "status out of range": obj({"status": 99}),
    "n of 0": obj({"n": 0}),
    "negative latency": obj({"latency_ms": -1}),
    "infinite temperature": b'{"ts":%d,"account_id":"a","temperature":1e999}' % T0,
    "too long id": obj({"account_id": "\u00e9" * 257}),
    "empty id": obj({"account_id": ""}),
    "null id": obj({"account_id": None}),
    "missing id": b'{"ts":%d}' % T0,
    "too deep": b'{"ts":%d,"account_id":"a","x":%s}' % (T0, b"[" * 40 + b"]" * 40),
    "trailing value": b'{"ts":%d,"account_id":"a"} 1' % T0,
    "leading zero": b'{"ts":0%d,"account_id":"a"}' % T0,
}


def test_keys_in_another_order_or_unknown_decode_as_msgspec() -> None:
    """The C pass guesses each key from the record before; a wrong guess must cost only time."""
    first = b'{"ts":1767225600,"account_id":"a","org_id":"o","status":200,"n":1}'
    values = [
        first,
        first,  # every guess right
        b'{"account_id":"b","ts":1767225601,"status":404,"org_id":"p","n":2}',
        b'{"ts":1767225602,"account_idx":"c","account_id":"d","org":"q","n":1}',
        b'{"ts":1767225603,"account_id":"e","org_id":null,"status":500,"nx":3,"n":1}',
        b'{"t":1,"ts":1767225604,"account_id":"f","status":201,"org_id":"o","n":1}',
        first,
    ]
    assert all(taken(values))
    assert_as_msgspec(values)


@pytest.mark.parametrize("case", LEFT_TO_MSGSPEC)
def test_the_c_pass_leaves_doubtful_records_to_msgspec(case: str) -> None:
    good = obj({})
    values = [good, LEFT_TO_MSGSPEC[case], good]
    assert taken(values) == [True, False, True]
    assert_as_msgspec(values)


def test_lengths_are_counted_in_characters_as_msgspec_counts_them() -> None:
    at_limit = obj({"account_id": "\u00e9" * 256, "client_ip": "\U0001f600" * 64})
    assert taken([at_limit]) == [True]
    assert_as_msgspec([at_limit, obj({"client_ip": "\U0001f600" * 65})])


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=TS_MIN, max_value=TS_MAX), st.sampled_from(["r", "e", "g", "f"]))
def test_times_parse_to_the_same_double(ts: float, form: str) -> None:
    text = {"r": repr(ts), "e": f"{ts:.16e}", "g": f"{ts:.17g}", "f": f"{ts:.6f}"}[form]
    raw = b'{"ts":%s,"account_id":"a"}' % text.encode()
    batch, _ = BatchDecoder().decode([raw], "s")
    assert batch.ts.tolist() == [float(text)]
    assert math.copysign(1, batch.ts[0]) == 1


STRINGS = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.text(alphabet="ab\u00e9\U0001f600", min_size=250, max_size=260),
    st.integers(),
)
COUNTS = st.one_of(
    st.none(),
    st.integers(-3, 700),
    st.integers(2**53 - 3, 2**53 + 3),
    st.integers(10**17, 10**19),
    st.floats(allow_nan=False),
)
FIELDS = {
    "ts": st.one_of(
        st.floats(min_value=TS_MIN - 10, max_value=TS_MAX + 10),
        st.integers(int(TS_MIN), int(TS_MAX)),
        st.just("2026-01-01T00:00:00+01:00"),
        st.none(),
    ),
    "account_id": STRINGS,
    "org_id": STRINGS,
    "client_ip": st.one_of(STRINGS, st.sampled_from(["10.0.0.1", "2001:db8::1", "1.2.3"])),
    "user_agent": STRINGS,
    "prompt_text": STRINGS,
    "prompt_fingerprint": STRINGS,
    "request_id": STRINGS,
    "model": STRINGS,
    "finish_reason": st.one_of(STRINGS, st.just("length")),
    "status": COUNTS,
    "prompt_tokens": COUNTS,
    "completion_tokens": COUNTS,
    "max_tokens": COUNTS,
    "logprobs": COUNTS,
    "n": COUNTS,
    "latency_ms": st.one_of(st.none(), st.floats(allow_nan=False), st.integers(-2, 2)),
    "temperature": st.one_of(st.none(), st.floats(allow_nan=False), st.booleans()),
    "reasoning": st.one_of(st.none(), st.booleans(), st.integers(0, 1)),
    "unknown": st.recursive(
        st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=5)),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=8,
    ),
}


def encode(pairs: list[tuple[str, object]], ascii_only: bool, spaced: bool) -> bytes:
    """Pairs as a JSON object (keys may repeat), as json.dumps writes values."""
    sep = (", ", ": ") if spaced else (",", ":")
    body = sep[0].join(
        json.dumps(key, ensure_ascii=ascii_only)
        + sep[1]
        + json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)
        for key, value in pairs
    )
    return ("{" + body + "}").encode("utf-8", errors="surrogatepass")


RECORDS = st.builds(
    encode,
    st.lists(
        st.sampled_from(sorted(FIELDS)).flatmap(
            lambda name: st.tuples(st.just(name), FIELDS[name])
        ),
        max_size=12,
    ).map(lambda pairs: [("ts", T0), ("account_id", "a"), *pairs]),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RECORDS, min_size=1, max_size=6))
def test_any_records_decode_as_msgspec_decodes_them(values: list[bytes]) -> None:
    assert_as_msgspec(values)


@settings(max_examples=400, deadline=None)
@given(RECORDS, st.data())
def test_damaged_records_decode_as_msgspec_decodes_them(value: bytes, data: st.DataObject) -> None:
    """Truncated, with a byte replaced or inserted: the C pass accepts nothing msgspec
    would refuse, and reads nothing differently."""
    at = data.draw(st.integers(0, len(value) - 1))
    byte = data.draw(st.binary(min_size=1, max_size=1))
    damaged = [value[:at], value[:at] + byte + value[at + 1 :], value[:at] + byte + value[at:]]
    assert_as_msgspec([*damaged, value])


def test_records_from_both_passes_share_one_value_per_distinct_string() -> None:
    values = [obj({"org_id": "o"}), obj({"ts": "2026-01-01T00:00:00Z", "org_id": "o"}), obj({})]
    assert taken(values) == [True, False, True]
    batch, _ = BatchDecoder().decode(values, "s")
    for name in ("account_id", "org_id"):
        column = batch.interned[name]
        assert len(set(column.values)) == len(column.values), name
    assert batch.account_id[0] is batch.account_id[1] is batch.account_id[2]
    assert batch.org_id == ["o", "o", None]


@pytest.mark.parametrize("native", [True, False])
def test_informational_statuses_are_kept(native: bool) -> None:
    batch, _ = BatchDecoder(native=native).decode([obj({"status": 101})], "s")
    assert batch.status.tolist() == [101]


def test_other_buffers_are_left_to_msgspec() -> None:
    values: list = [obj({}), bytearray(obj({"org_id": "o"})), memoryview(obj({}))]
    assert taken(values) == [True, False, False]
    batch, rejects = BatchDecoder().decode(values, "s")
    assert not rejects and batch.org_id == [None, "o", None]


def test_buffers_of_the_wrong_size_are_refused() -> None:
    n = 2
    with pytest.raises(ValueError, match="codes"):
        _records.decode(
            [obj({})] * n,
            np.empty(n),
            np.empty((4, n), dtype=np.int64),
            np.zeros((5, n), dtype=np.uint8),
            np.empty((len(INTERNED), n + 1), dtype=np.int64),
            1 << 20,
        )


def test_oversized_values_are_left_and_rejected_in_place() -> None:
    small, big = obj({"org_id": "o"}), obj({"org_id": "o" * 200})
    assert taken([small, big], max_bytes=len(big) - 1) == [True, False]
    assert taken([big], max_bytes=len(big)) == [True]
    values = [small, big, b"{" + b" " * 300, small]  # an oversized value that is not JSON too
    for native in (True, False):
        decoder = BatchDecoder(max_record_bytes=len(big) - 1, native=native)
        batch, rejects = decoder.decode(values, "s", [10, 11, 12, 13])
        assert batch.offsets.tolist() == [10, 13] and batch.org_id == ["o", "o"]
        assert [(r.category, r.offset) for r in rejects] == [("oversized", 11), ("oversized", 12)]
        assert f"max_record_bytes={len(big) - 1}" in rejects[0].reason


def test_spans_must_lie_within_the_buffer() -> None:
    buffer, n = obj({}), 1
    for bounds in ([[0, len(buffer) + 1]], [[3, 2]], [[-1, 2]]):
        with pytest.raises(ValueError, match="not within"):
            _records.decode_lines(
                buffer,
                np.array(bounds, dtype=np.int64),
                np.empty(n),
                np.empty((4, n), dtype=np.int64),
                np.zeros((5, n), dtype=np.uint8),
                np.empty((len(INTERNED), n), dtype=np.int64),
                1 << 20,
            )


def test_lines_in_place_are_rejected_with_their_own_bytes() -> None:
    bad_ip = obj({"client_ip": "999.1.1.1"})
    values = [obj({"org_id": "o"}), b'{"ts": 1, "account_id": "a"}', b"{oops", bad_ip, obj({})]
    lines = in_place(values)
    assert lines[2] == b"{oops" and list(lines[1:3]) == values[1:3]
    assert list(lines.take(np.array([3, 0]))) == [values[3], values[0]]
    batch, rejects = BatchDecoder().decode(lines, "s", [5, 6, 7, 8, 9])
    assert batch.offsets.tolist() == [5, 9]
    assert [(r.offset, r.category, r.raw) for r in rejects] == [
        (6, "out_of_range", values[1].decode()),
        (7, "invalid_json", "{oops"),
        (8, "invalid_value", bad_ip.decode()),  # after the rows msgspec refused were dropped
    ]
