import ipaddress

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detector.records
from detector.records import REJECT_REASONS, BatchDecoder, RecordBatch
from tests.conftest import T0, lines, record
from tests.test_pipeline import traffic


def decode_one(raw: bytes, **kwargs: int):
    return BatchDecoder(**kwargs).decode([raw], "src.jsonl", [41])


def test_decodes_all_fields_into_columns() -> None:
    batch, rejects = BatchDecoder().decode(
        lines(
            [
                record(
                    "a",
                    T0,
                    prompt_tokens=10,
                    completion_tokens=900,
                    max_tokens=1000,
                    finish_reason="length",
                    reasoning=True,
                    logprobs=5,
                    n=3,
                    status=429,
                    client_ip="203.0.113.7",
                    user_agent="ua",
                    org_id="org",
                ),
                record("b", T0 + 1),
            ]
        ),
        "s",
    )
    assert rejects == []
    assert batch.account_id == ["a", "b"]
    assert batch.prompt_tokens.tolist() == [10, 0]
    assert batch.completion_tokens.tolist() == [900, 0]
    assert batch.max_tokens.tolist() == [1000, -1]
    assert batch.finish_length.tolist() == [True, False]
    assert batch.reasoning.tolist() == [True, False]
    assert batch.logprobs.tolist() == [True, False]
    assert batch.multi_n.tolist() == [True, False]
    assert batch.status.tolist() == [429, 200]
    assert batch.network == ["203.0.113.0/24", None]
    assert batch.org_id == ["org", None]


@pytest.mark.parametrize(
    "ts",
    [T0, int(T0), "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00.000Z"],
)
def test_both_timestamp_forms(ts: object) -> None:
    batch, rejects = decode_one(msgspec.json.encode({"ts": ts, "account_id": "a"}))
    assert rejects == []
    assert batch.ts.tolist() == [T0]


def test_ipv6_network_is_slash_48() -> None:
    batch, _ = decode_one(msgspec.json.encode(record(client_ip="2001:db8:1:2::5")))
    assert batch.network == ["2001:db8:1::/48"]


def network_by_ipaddress(ip: str) -> str | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    return str(ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 48}", False))


OCTETS = st.one_of(
    st.integers(0, 300).map(str),
    st.sampled_from(
        ["00", "01", "007", "255", "256", "1000", "", "+1", " 1", "1 ", "\u0661", "0x1"]
    ),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(OCTETS, min_size=1, max_size=6), st.sampled_from([".", ":", ".\n"]))
def test_networks_are_what_ipaddress_says(octets: list[str], dot: str) -> None:
    ip = dot.join(octets)
    assert detector.records._network(ip) == network_by_ipaddress(ip)


def test_unknown_fields_are_ignored() -> None:
    batch, rejects = decode_one(msgspec.json.encode(record(something_new={"x": 1})))
    assert len(batch) == 1 and rejects == []


CASES = [
    (b'{"ts": 1767225600, "account_id": "a"', "invalid_json"),
    (b"\xff\xfe garbage", "invalid_json"),
    (b'{"ts": 1767225600, "account_id": "a\xff"}', "invalid_json"),  # not UTF-8 in a string
    (b"[1, 2]", "not_object"),
    (b"42", "not_object"),
    (b'{"account_id": "a"}', "missing_field"),
    (b'{"ts": 1767225600}', "missing_field"),
    (b'{"ts": 1767225600, "account_id": 7}', "wrong_type"),
    (b'{"ts": true, "account_id": "a"}', "wrong_type"),
    (b'{"ts": 1767225600, "account_id": "a", "status": "ok"}', "wrong_type"),
    (b'{"ts": 1767225600, "account_id": "a", "reasoning": "yes"}', "wrong_type"),
    (b'{"ts": 1767225600, "account_id": "a", "completion_tokens": -5}', "out_of_range"),
    (b'{"ts": 1767225600, "account_id": "a", "prompt_tokens": -1}', "out_of_range"),
    (b'{"ts": 1767225600000, "account_id": "a"}', "out_of_range"),
    (b'{"ts": "1900-01-01T00:00:00Z", "account_id": "a"}', "out_of_range"),
    (b'{"ts": 1767225600, "account_id": "a", "n": 0}', "out_of_range"),
    (b'{"ts": 1767225600, "account_id": "' + b"x" * 257 + b'"}', "oversized"),
    (b'{"ts": 1767225600, "account_id": ""}', "invalid_value"),
    (b'{"ts": "yesterday", "account_id": "a"}', "invalid_value"),
    (b'{"ts": 1767225600, "account_id": "a", "client_ip": "not-an-ip"}', "invalid_value"),
]


@pytest.mark.parametrize(("raw", "category"), CASES)
def test_every_reject_reason(raw: bytes, category: str) -> None:
    batch, rejects = decode_one(raw)
    assert len(batch) == 0
    [reject] = rejects
    assert reject.category == category
    assert reject.reason.startswith(category + ": ")
    assert reject.raw == raw.decode("utf-8", errors="replace")
    assert reject.source == "src.jsonl" and reject.offset == 41


def test_every_category_is_exercised() -> None:
    assert {c for _, c in CASES} == set(REJECT_REASONS)


def test_oversized_record_and_prompt_limits() -> None:
    big = msgspec.json.encode(record(prompt_text="word " * 50))
    _, rejects = decode_one(big, max_record_bytes=100)
    assert rejects[0].category == "oversized" and "max_record_bytes" in rejects[0].reason
    _, rejects = decode_one(big, max_prompt_chars=100)
    assert rejects[0].category == "oversized" and "max_prompt_chars" in rejects[0].reason


def test_bad_values_do_not_stop_the_batch_and_keep_offsets() -> None:
    good = lines([record("a"), record("b"), record("c")])
    values = [good[0], b"{broken", good[1], b"[]", good[2]]
    batch, rejects = BatchDecoder().decode(values, "topic/3", [100, 101, 102, 103, 104])
    assert batch.account_id == ["a", "b", "c"]
    assert batch.offsets.tolist() == [100, 102, 104]
    assert [(r.offset, r.category) for r in rejects] == [(101, "invalid_json"), (103, "not_object")]


@pytest.mark.parametrize("native", [True, False], ids=["with C pass", "msgspec alone"])
def test_bad_values_at_chunk_edges_cost_only_themselves(native: bool) -> None:
    """Values are parsed a chunk at a time; a bad one sends its chunk value by value. Every
    good value around it, on either side of a chunk edge, is kept in order with its offset."""
    n = 3 * detector.records._CHUNK + 5
    values = lines([record(f"a{i}", T0 + i) for i in range(n)])
    bad = [
        0,
        detector.records._CHUNK - 1,
        detector.records._CHUNK,
        2 * detector.records._CHUNK + 7,
        n - 1,
    ]
    for i in bad:
        values[i] = b'{"ts": %d}' % T0
    batch, rejects = BatchDecoder(native=native).decode(values, "s", range(1000, 1000 + n))
    good = [i for i in range(n) if i not in bad]
    assert batch.account_id == [f"a{i}" for i in good]
    assert batch.offsets.tolist() == [1000 + i for i in good]
    assert [(r.offset, r.category) for r in rejects] == [(1000 + i, "missing_field") for i in bad]


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
    "injected element": b'{"ts":%d,"account_id":"a"},{"ts":%d,"account_id":"b"}' % (T0, T0),
}


def assert_same(one: RecordBatch, other: RecordBatch) -> None:
    """Same columns; each side's interned columns hold the same strings as its lists."""
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


@pytest.mark.parametrize("edge", [*EDGE_VALUES, *RAW_EDGES])
def test_an_odd_value_in_a_chunk_gives_what_decoding_value_by_value_gives(
    edge: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """msgspec alone, a chunk at a time against value by value (the C pass is checked
    against msgspec in test_records_c.py)."""
    clean = lines([record(f"a{i}", T0 + i, client_ip="203.0.113.9") for i in range(6)])
    odd = RAW_EDGES.get(edge)
    if odd is None:
        odd = msgspec.json.encode({"ts": T0, "account_id": "z", **EDGE_VALUES[edge]})
    values = [*clean[:3], odd, *clean[3:]]
    chunked = BatchDecoder(native=False).decode(values, "s")
    monkeypatch.setattr(detector.records, "_CHUNK", 1)
    one_by_one = BatchDecoder(native=False).decode(values, "s")
    assert chunked[1] == one_by_one[1]
    assert_same(chunked[0], one_by_one[0])


def test_repeated_strings_become_one_object() -> None:
    # The odd value in between sends the chunk value by value: the strings are shared anyway.
    values = [*lines([record("acct", T0)]), b'{"ts": %d}' % T0, *lines([record("acct", T0 + 1)])]
    batch, rejects = BatchDecoder().decode(values, "s")
    assert len(rejects) == 1
    assert batch.account_id[0] == "acct" and batch.account_id[0] is batch.account_id[1]


def test_a_batch_interns_every_string_column_and_the_networks() -> None:
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
        assert len(set(column.codes.tolist())) < len(batch), name  # the traffic repeats each
        if name != "network":  # the networks of the distinct IPs: several IPs share one
            assert len(set(column.values)) == len(column.values), name


def test_a_value_holding_two_objects_is_not_split_into_two_records() -> None:
    # The batch fast path joins values into one array; an injected ",{...}" must not count.
    sneaky = b'{"ts": 1767225600, "account_id": "a"},{"ts": 1767225600, "account_id": "b"}'
    batch, rejects = BatchDecoder().decode([sneaky, lines([record("c")])[0]], "s")
    assert batch.account_id == ["c"]
    assert rejects[0].category == "invalid_json"


def test_rejects_serialise_as_contract_dead_letter_records() -> None:
    _, [reject] = decode_one(b"nope")
    assert msgspec.json.decode(msgspec.json.encode(reject)) == {
        "reason": reject.reason,
        "raw": "nope",
        "source": "src.jsonl",
        "offset": 41,
    }


def test_empty_input() -> None:
    batch, rejects = BatchDecoder().decode([], "s")
    assert len(batch) == 0 and rejects == [] and batch.ts.dtype == np.float64


@pytest.mark.parametrize(
    "raw",
    [
        b'{"ts": 1767225600, "account_id": 7, "prompt_text": "my secret \\"plan\\" here"}',
        b'{"ts": 1767225600, "account_id": "a", "prompt_text": "my secret plan, cut off',
        b'{"prompt_text" : "my secret plan"}',
    ],
)
def test_rejects_never_carry_prompt_text(raw: bytes) -> None:
    _, [reject] = decode_one(raw)
    assert "secret" not in reject.raw
    assert '"prompt_text"' in reject.raw and "[prompt_text redacted]" in reject.raw


def test_per_distinct_equals_the_function_per_record_on_pieces_of_a_batch() -> None:
    recs = [record(f"acct-{i % 4}", T0 + i, client_ip=f"10.0.{i % 3}.1") for i in range(12)]
    batch, _ = BatchDecoder().decode(lines(recs), "s")
    assert "account_id" in batch.interned
    seen: list[list[str]] = []

    def lengths(values: list[str]) -> np.ndarray:
        seen.append(values)
        return np.array([len(v) + int(v[-1]) for v in values])

    for piece in (batch, batch.slice(4, 7), batch.take(np.arange(12) % 4 == 1)):
        expected = [len(v) + int(v[-1]) for v in piece.account_id]
        assert piece.per_distinct("account_id", lengths).tolist() == expected
        assert sorted(seen[-1]) == sorted(set(piece.account_id))  # present values, once each
        for name, column in piece.interned.items():
            assert column.expand() == getattr(piece, name), name
    assert batch.slice(4, 7).network == ["10.0.1.0/24", "10.0.2.0/24", "10.0.0.0/24"]
