"""The signature exchange with fakes for the Kafka parts (the real broker is in
tests/service)."""

from __future__ import annotations

import threading
import time

from detector.config import Config
from detector.exchange import SignatureExchange
from detector.kafka import PartitionRecords, TopicPartition
from detector.pipeline import Pipeline
from tests.campaigns.traffic import as_lines, sybil_campaign


class Topic:
    """A one-partition log shared by a fake producer and fake consumers."""

    def __init__(self) -> None:
        self.log: list[tuple[bytes | None, bytes | None]] = []
        self.lock = threading.Lock()

    def send(
        self, topic: str, value: bytes | None, key: bytes | None, headers: object = None
    ) -> None:
        with self.lock:
            self.log.append((key, value))

    def flush(self, timeout_s: float) -> None: ...

    def close(self) -> None: ...

    def consumer(self, instance: str) -> FakeConsumer:
        return FakeConsumer(self)


class FakeConsumer:
    def __init__(self, topic: Topic):
        self.topic, self.position = topic, 0

    def poll(self, max_records: int, timeout_s: float) -> list[PartitionRecords]:
        with self.topic.lock:
            new = self.topic.log[self.position : self.position + max_records]
        if not new:
            time.sleep(0.01)
            return []
        offsets = list(range(self.position, self.position + len(new)))
        self.position += len(new)
        return [
            PartitionRecords(
                TopicPartition("sig", 0),
                [v or b"" for _, v in new],
                offsets,
                [k for k, _ in new],
                None,
            )
        ]

    def close(self) -> None: ...


def drain_until(exchange: SignatureExchange, count: int) -> None:
    deadline = time.monotonic() + 10
    while exchange.received < count and time.monotonic() < deadline:
        exchange.drain()
        time.sleep(0.01)


def test_signatures_published_by_one_instance_are_known_to_the_other() -> None:
    topic = Topic()
    one, two = Pipeline(Config()), Pipeline(Config())
    assert one.campaigns is not None and two.campaigns is not None
    ex_one = SignatureExchange(one.campaigns, topic, "sig", topic.consumer)  # type: ignore[arg-type]
    ex_two = SignatureExchange(two.campaigns, topic, "sig", topic.consumer)  # type: ignore[arg-type]
    try:
        one.process(as_lines(sybil_campaign(20, seed=5)), "test")
        sent = ex_one.publish()
        assert sent == len(one.campaigns.store) > 0
        drain_until(ex_two, sent)
        store = two.campaigns.store
        assert set(store.row_of) == set(one.campaigns.store.row_of)
        assert not store.local[list(store.row_of.values())].any()
        # Its own signatures, read back from the topic, do not turn into remote ones.
        drain_until(ex_one, sent)
        assert one.campaigns.store.local[list(one.campaigns.store.row_of.values())].all()

        # Idle accounts are forgotten, published as tombstones, and forgotten everywhere.
        one.campaigns.run(one.watermark + one.config.campaigns.idle_ttl_s + 1)
        assert len(one.campaigns.store) == 0
        assert ex_one.publish() == sent
        drain_until(ex_two, 2 * sent)
        assert len(two.campaigns.store) == 0
    finally:
        ex_one.close()
        ex_two.close()
