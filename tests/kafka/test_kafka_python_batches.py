"""kafka-python record batches parsed in C, against kafka-python's own parser on the same bytes
and, through the consumer, on a real topic."""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from typing import Any

import kafka.errors
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kafka.consumer.fetcher import Fetcher
from kafka.record import MemoryRecords
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.legacy_records import LegacyRecordBatchBuilder
from kafka.record.util import calc_crc32c
from kafka.structs import TopicPartition

from detector.kafka import LocalBroker
from detector.kafka._batches import records as c_records
from detector.kafka._kafka_python_batches import ColumnarPartitionRecords, install
from detector.kafka._kafka_python_consumer import KafkaPythonConsumer
from tests.kafka.conftest import Collected, Recorder, unique

TP = TopicPartition("t", 0)
GZIP = 1
ATTRIBUTES_AT, CRC_AT = 21, 17  # in a v2 batch header
CONTROL = 0x20

Header = tuple[str, bytes | None]
Spec = tuple[int, bytes | None, bytes | None, list[Header]]  # offset gap, key, value, headers


def v2_batch(
    base: int, records: list[Spec], compression: int = 0, control: bool = False
) -> tuple[bytes, int]:
    """A v2 batch at ``base`` as a broker stores it; returns it and its next offset."""
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=compression,
        is_transactional=control,
        producer_id=7 if control else -1,
        producer_epoch=0 if control else -1,
        base_sequence=-1,
        batch_size=1 << 24,
    )
    delta = -1
    for gap, key, value, headers in records:
        delta += 1 + gap
        builder.append(delta, timestamp=1_000 + delta, key=key, value=value, headers=headers)
    buf = builder.build()
    struct.pack_into(">q", buf, 0, base)  # brokers assign offsets; the CRC does not cover them
    if control:  # only brokers write control batches: set the flag and mend the CRC
        (attributes,) = struct.unpack_from(">h", buf, ATTRIBUTES_AT)
        struct.pack_into(">h", buf, ATTRIBUTES_AT, attributes | CONTROL)
        struct.pack_into(">I", buf, CRC_AT, calc_crc32c(memoryview(buf)[ATTRIBUTES_AT:]))
    return bytes(buf), base + delta + 1


def take_all(
    cls: type, data: bytes, fetch_offset: int, takes: list[int], **options: Any
) -> list[tuple[list[tuple[int, bytes | None, bytes | None]], int, bool]]:
    """Each ``take`` (then one of the rest), as the fetcher makes them until the data is drained:
    the records, ``next_fetch_offset`` and whether more remain."""
    part = cls(fetch_offset, TP, MemoryRecords(data), **options)
    out = []
    for n in [*takes, None]:
        if not part:
            break
        got = part.take(n)
        if cls is Fetcher.PartitionRecords:
            got = [(r.offset, r.key, r.value) for r in got]
        out.append((got, part.next_fetch_offset, bool(part)))
    return out


nullable_bytes = st.none() | st.binary(max_size=40) | st.binary(min_size=120, max_size=400)
headers = st.lists(st.tuples(st.text(max_size=8), st.none() | st.binary(max_size=20)), max_size=2)
record_specs = st.lists(
    st.tuples(st.integers(0, 2), nullable_bytes, nullable_bytes, headers), min_size=1, max_size=25
)


@settings(max_examples=300, deadline=None)
@given(
    batches=st.lists(
        st.tuples(record_specs, st.sampled_from([0, GZIP]), st.booleans(), st.integers(0, 3)),
        min_size=1,
        max_size=4,
    ),
    start=st.integers(0, 10**12),
    fetch_at=st.floats(0, 1),
    takes=st.lists(st.integers(1, 30), max_size=4),
)
def test_batches_take_as_kafka_python_takes(
    batches: list[tuple[list[Spec], int, bool, int]],
    start: int,
    fetch_at: float,
    takes: list[int],
) -> None:
    data, base = b"", start
    for specs, compression, control, gap in batches:
        batch, base = v2_batch(base, specs, compression, control and len(specs) == 1)
        data += batch
        base += gap  # compaction can leave offsets between batches unused
    # A fetch may start inside a batch: the broker sends the whole batch, the client skips.
    fetch_offset = start + int(fetch_at * (base - start))
    expected = take_all(Fetcher.PartitionRecords, data, fetch_offset, takes)
    assert take_all(ColumnarPartitionRecords, data, fetch_offset, takes) == expected


def test_legacy_message_sets_and_deserializers_take_kafka_python_s_loop() -> None:
    builder = LegacyRecordBatchBuilder(magic=1, compression_type=0, batch_size=1 << 20)
    for i in range(5):
        builder.append(i, timestamp=1_000 + i, key=None if i == 2 else b"k%d" % i, value=b"v%d" % i)
    legacy = bytes(builder.build())
    expected = take_all(Fetcher.PartitionRecords, legacy, 1, [2])
    assert expected[0][0] == [(1, b"k1", b"v1"), (2, None, b"v2")]
    assert take_all(ColumnarPartitionRecords, legacy, 1, [2]) == expected

    class Upper:
        def deserialize(self, topic: str, headers: Any, data: bytes) -> bytes:
            return data.upper()

    data, _ = v2_batch(40, [(0, b"k", b"value", [])] * 3)
    upper = take_all(ColumnarPartitionRecords, data, 40, [], value_deserializer=Upper())
    assert upper[0][0] == [(40, b"k", b"VALUE"), (41, b"k", b"VALUE"), (42, b"k", b"VALUE")]


def test_a_batch_failing_its_crc_is_corrupt_as_in_kafka_python() -> None:
    data = bytearray(v2_batch(0, [(0, b"k", b"value", [])] * 3)[0])
    data[-2] ^= 0x01
    for cls in (Fetcher.PartitionRecords, ColumnarPartitionRecords):
        with pytest.raises(kafka.errors.CorruptRecordError, match="crc"):
            cls(0, TP, MemoryRecords(bytes(data))).take()


def _record(body: bytes) -> bytes:
    """One record: its zigzag varint length (< 64 bytes) then ``body``."""
    assert len(body) < 64
    return bytes([len(body) << 1]) + body


# attributes, timestamp delta, offset delta, key (-1: null), value b"v", no headers
GOOD = _record(b"\x00\x00\x02\x01\x02v\x00")


@pytest.mark.parametrize(
    ("body", "count", "error"),
    [
        (GOOD + GOOD[:-1], 2, "record length runs past"),
        (GOOD + b"\x00", 1, "1 unconsumed bytes"),
        (_record(b"\x00\x00\x02\x01\x02v\x01"), 1, "negative header count"),
        (_record(b"\x00\x00\x02\x01\x02v\x02\x01\x00"), 1, "negative header key length"),
        (_record(b"\x00\x00\x02\x01\x0av\x00"), 1, "field runs past"),
        (_record(b"\x00\x00\x02\x01\x02v\x00\x00"), 1, "does not match its fields"),
        (_record(b"\x00\x00\x02\x01\x02v\x00") + b"\xff" * 6, 2, "varint"),
        (GOOD, 2, "does not fit"),
    ],
)
def test_malformed_records_are_value_errors_naming_the_fault(
    body: bytes, count: int, error: str
) -> None:
    assert c_records(GOOD, 0, 1, 10) == [(11, None, b"v")]
    with pytest.raises(ValueError, match=error):
        c_records(body, 0, count, 10)


@settings(max_examples=300, deadline=None)
@given(
    specs=record_specs,
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=3),
    cut=st.integers(0, 8),
)
def test_damaged_records_raise_corrupt_record_or_parse_whole(
    specs: list[Spec], flips: list[tuple[int, int]], cut: int
) -> None:
    batch = bytearray(v2_batch(0, specs)[0])
    header = 61  # the v2 batch header, records count included
    for at, mask in flips:
        batch[header + at % (len(batch) - header)] ^= mask
    end = max(header, len(batch) - cut)  # records cut short, the header whole
    struct.pack_into(">i", batch, 8, end - 12)  # the batch length, kept consistent
    data = bytes(batch[:end])
    part = ColumnarPartitionRecords(0, TP, MemoryRecords(data), check_crcs=False)
    try:
        got = part.take()
    except kafka.errors.CorruptRecordError:
        return
    for offset, key, value in got:
        assert isinstance(offset, int)
        assert key is None or isinstance(key, bytes)
        assert value is None or isinstance(value, bytes)


def test_install_takes_only_kafka_python_s_fetcher() -> None:
    class NotAConsumer:
        _fetcher = object()

    assert not install(NotAConsumer())
    assert not install(object())


@pytest.mark.parametrize("compression", [None, "gzip"])
def test_a_consumer_reads_a_real_topic_as_kafka_python_reads_it(
    broker: LocalBroker, topic_factory: Callable[[int], str], compression: str | None
) -> None:
    topic = topic_factory(2)
    producer = kafka.KafkaProducer(
        bootstrap_servers=broker.bootstrap, compression_type=compression, linger_ms=20
    )
    for i in range(500):
        producer.send(
            topic,
            value=None if i % 97 == 0 else b"v%d" % i * (i % 7),
            key=None if i % 10 == 3 else b"k%d" % (i % 13),
            headers=[("h", b"%d" % i)] if i % 5 == 0 else [],
            partition=i % 2,
        )
    producer.flush(15)
    producer.close()

    def read(parse_in_c: bool) -> Collected:
        consumer = KafkaPythonConsumer(
            broker.bootstrap,
            [topic],
            unique("g"),
            Recorder(),
            {},
            10.0,
            10.0,
            parse_in_c=parse_in_c,
        )
        in_c = consumer._consumer._fetcher.PartitionRecords is ColumnarPartitionRecords
        assert in_c == parse_in_c
        got = Collected()
        try:
            deadline = time.monotonic() + 20
            while got.count < 500 and time.monotonic() < deadline:
                got.add(consumer.poll(7, 0.2))  # takes that stop inside batches
        finally:
            consumer.close()
        return got

    ours, theirs = read(True), read(False)
    assert ours.count == 500
    assert ours == theirs
    for tp, offsets in ours.offsets.items():
        assert offsets == list(range(250)), tp
    values = {
        (tp.partition, offset): value
        for tp in ours.values
        for offset, value in zip(ours.offsets[tp], ours.values[tp], strict=True)
    }
    keys = {
        (tp.partition, offset): key
        for tp in ours.keys
        for offset, key in zip(ours.offsets[tp], ours.keys[tp], strict=True)
    }
    for i in range(500):  # partition i % 2, in send order
        at = (i % 2, i // 2)
        assert values[at] == (b"" if i % 97 == 0 else b"v%d" % i * (i % 7)), i
        assert keys[at] == (None if i % 10 == 3 else b"k%d" % (i % 13)), i
