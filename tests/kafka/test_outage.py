"""A broker outage: stop and restart on the same port under live clients, with persistence."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from detector.kafka import CommitFailed, LocalBroker, TopicPartition, create_topics
from detector.kafka.objectstore import LocalObjectStore
from tests.kafka.conftest import (
    Collected,
    Recorder,
    consumer_for,
    poll_until,
    produce_keyed,
    unique,
)

pytestmark = pytest.mark.skipif(
    not LocalObjectStore.available(),
    reason="moto[s3], flask, flask-cors (local S3) are not installed",
)


@pytest.fixture(scope="module")
def persistent_broker() -> Iterator[LocalBroker]:
    """A broker on S3 storage; tests restart it, so it is not the shared one."""
    with LocalBroker(persistent=True, stop_grace_s=0.5) as local:
        yield local


def test_data_and_committed_offsets_survive_a_restart_under_a_live_consumer(
    client: str, persistent_broker: LocalBroker
) -> None:
    broker = persistent_broker
    topic, group = unique("t"), unique("g")
    create_topics(broker.bootstrap, {topic: 2})
    before = produce_keyed(client, broker.bootstrap, topic, 100)
    listener = Recorder()
    consumer = consumer_for(client, broker.bootstrap, topic, group, listener, commit_timeout_s=2.0)
    try:
        got = Collected()
        poll_until(consumer, lambda: got.count >= 100, sink=got)
        consumer.commit(got.next_offsets())

        broker.stop()
        outage_end = time.monotonic() + 1.0
        while time.monotonic() < outage_end:  # polling through the outage does not fail
            assert consumer.poll(1000, 0.2) == []
        started = time.monotonic()
        with pytest.raises(CommitFailed):  # a commit fails, within its timeout
            consumer.commit(got.next_offsets())
        assert time.monotonic() - started < 5.0
        broker.start()

        after = produce_keyed(client, broker.bootstrap, topic, 50, start=100)
        ends: dict[TopicPartition, int] = {tp: after.get(tp, 0) for tp in set(before) | set(after)}
        assert sum(ends.values()) == 150, "records from before the outage are still there"
        poll_until(consumer, lambda: got.count >= 150, timeout_s=40.0, sink=got)
        # Resumed where it was: every record once, nothing from before read again.
        for tp, offsets in got.offsets.items():
            assert offsets == list(range(ends[tp]))
        assert {tp: consumer.committed(tp) for tp in before} == before
        consumer.commit(got.next_offsets())
    finally:
        consumer.close()
