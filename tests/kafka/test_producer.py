"""The producer interface against a real broker, for both client libraries."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from detector.kafka import (
    BufferFull,
    DeliveryFailed,
    KafkaConfigError,
    LocalBroker,
    TopicPartition,
    create_topics,
    make_consumer,
    make_producer,
)
from tests.kafka.conftest import Recorder, unique


def test_flush_confirms_delivery_of_every_message_with_headers(
    client: str, broker: LocalBroker, topic_factory: Callable[[int], str]
) -> None:
    topic = topic_factory(2)
    producer = make_producer(client, broker.bootstrap)
    try:
        for i in range(500):
            producer.send(topic, b"x%d" % i, b"key-%d" % (i % 7), [("source", b"test")])
        producer.send(topic, b"unkeyed", None)
        producer.flush(10.0)
        ends = producer.acked_end_offsets()
        assert sum(ends.values()) == 501
        assert set(ends) <= {TopicPartition(topic, 0), TopicPartition(topic, 1)}
        producer.flush(1.0)  # nothing pending: returns at once
    finally:
        producer.close()


@pytest.fixture
def lonely_broker() -> Iterator[LocalBroker]:
    """A broker of one's own, to stop under a live producer."""
    with LocalBroker(stop_grace_s=0.5) as local:
        yield local


def test_flush_raises_and_send_pushes_back_while_broker_is_down(
    client: str, lonely_broker: LocalBroker
) -> None:
    topic = unique("t")
    create_topics(lonely_broker.bootstrap, {topic: 1})
    producer = make_producer(
        client,
        lonely_broker.bootstrap,
        buffer_messages=20,
        block_timeout_s=0.5,
    )
    try:
        producer.send(topic, b"before", b"k")
        producer.flush(10.0)
        lonely_broker.stop()
        for i in range(20):
            producer.send(topic, b"during-%d" % i, b"k")
        with pytest.raises(BufferFull):
            producer.send(topic, b"one too many", b"k")
        with pytest.raises(DeliveryFailed):
            producer.flush(1.0)
    finally:
        producer.close(timeout_s=0.5)


def test_options_reach_the_client_and_managed_keys_are_refused(
    client: str, broker: LocalBroker
) -> None:
    managed = {"kafka-python": "group_id", "confluent-kafka": "group.id"}[client]
    with pytest.raises(KafkaConfigError, match="managed"):
        make_consumer(client, broker.bootstrap, ["x"], "g", Recorder(), {managed: "other"})
    with pytest.raises(KafkaConfigError):
        make_producer(client, broker.bootstrap, {"no_such_option": 1})
    with pytest.raises(KafkaConfigError):
        make_producer("no-such-client", broker.bootstrap)
