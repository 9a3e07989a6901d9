"""The service loop with injected faults (fake client objects; the real-broker tests are in
tests/service/)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec
import pytest

from detector.kafka import BufferFull, PartitionRecords, TopicPartition
from detector.service import Service
from tests.conftest import config_with
from tests.test_pipeline import traffic

TOPIC = "in"


class FakeConsumer:
    """Serves one partition from a list; seek/commit like a real consumer."""

    def __init__(self, service: Service, values: list[bytes], done: threading.Event):
        self.service, self.values, self.done = service, values, done
        self.tp = TopicPartition(TOPIC, 0)
        self.position = 0
        self.commits: dict[TopicPartition, int] = {}
        self.assigned = False

    def poll(self, max_records: int, timeout_s: float) -> list[PartitionRecords]:
        if not self.assigned:
            self.assigned = True
            self.service.on_assign([self.tp])
        start, stop = self.position, min(self.position + max_records, len(self.values))
        if start >= len(self.values):
            if self.commits.get(self.tp) == len(self.values):
                self.done.set()
            return []
        self.position = stop
        return [
            PartitionRecords(
                self.tp,
                self.values[start:stop],
                list(range(start, stop)),
                [None] * (stop - start),
                len(self.values),
            )
        ]

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        self.commits.update(offsets)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.position = offset

    def committed(self, tp: TopicPartition) -> int | None:
        return self.commits.get(tp)

    def pause(self, tps: Iterable[TopicPartition]) -> None: ...

    def resume(self, tps: Iterable[TopicPartition]) -> None: ...

    def assignment(self) -> set[TopicPartition]:
        return {self.tp}

    def close(self) -> None: ...


class FlakyProducer:
    """Refuses the ``fail_on``-th send once (a full buffer), delivers everything else."""

    def __init__(self, fail_on: int):
        self.fail_on, self.sends = fail_on, 0
        self.delivered: list[tuple[str, bytes]] = []
        self._pending: list[tuple[str, bytes]] = []

    def send(
        self,
        topic: str,
        value: bytes,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        self.sends += 1
        if self.sends == self.fail_on:
            raise BufferFull("buffer full for the whole send timeout")
        self._pending.append((topic, value))

    def flush(self, timeout_s: float) -> None:
        self.delivered += self._pending
        self._pending = []

    def acked_end_offsets(self) -> dict[TopicPartition, int]:
        return {}

    def close(self, timeout_s: float = 10.0) -> None: ...


def service_config(tmp_path: Path):  # type: ignore[no-untyped-def]
    return config_with(
        kafka={
            "topics": [TOPIC],
            "alerts_topic": "alerts",
            "dead_letter_topic": "dead",
            "signatures_topic": None,
            "poll_max_records": 200,
        },
        service={
            "state_dir": str(tmp_path / "state"),
            "checkpoint_interval_s": 0.05,
            "retry_backoff_s": 0.01,
        },
        telemetry={"enabled": False},
        scoring={"anomaly": {"enabled": False}},
    )


def service_on_fake(
    tmp_path: Path,
    producer: FlakyProducer,
    done: threading.Event,
    consumer_type: type[FakeConsumer] = FakeConsumer,
) -> tuple[Service, FakeConsumer]:
    """A service whose consumer serves ``traffic()`` from a ``consumer_type``."""
    holder: dict[str, FakeConsumer] = {}

    def factory(service: Service) -> FakeConsumer:
        holder["c"] = consumer_type(service, traffic(), done)
        return holder["c"]

    service = Service(
        service_config(tmp_path),
        producer=producer,  # type: ignore[arg-type]
        consumer_factory=factory,
    )
    return service, holder["c"]


def run_service(tmp_path: Path, producer: FlakyProducer) -> tuple[Service, FakeConsumer]:
    done = threading.Event()
    service, consumer = service_on_fake(tmp_path, producer, done)
    worker = threading.Thread(target=service.run)
    worker.start()
    assert done.wait(60), "the service never committed the whole input"
    service.stop()
    worker.join(30)
    return service, consumer


def alerts_of(producer: FlakyProducer) -> list[dict[str, Any]]:
    return [msgspec.json.decode(v) for t, v in producer.delivered if t == "alerts"]


def test_a_refused_send_rewinds_to_the_checkpoint_and_loses_no_alert(tmp_path: Path) -> None:
    clean = FlakyProducer(fail_on=-1)
    run_service(tmp_path / "clean", clean)
    expected = {(a["account_id"], a["severity"]) for a in alerts_of(clean)}
    assert {a for a, _ in expected} == {"sybil-1", "sybil-2"}

    flaky = FlakyProducer(fail_on=2)  # the second alert of the run is refused
    service, consumer = run_service(tmp_path / "flaky", flaky)
    delivered = alerts_of(flaky)
    assert {(a["account_id"], a["severity"]) for a in delivered} == expected
    pairs = [(a["alert_id"], a["severity"]) for a in delivered]
    assert len(pairs) == len(set(pairs))
    assert consumer.commits[consumer.tp] == len(traffic())
    total = sum(int(p.partition.state.total_requests.sum()) for p in service.owned.values())
    assert total == len(traffic())  # after the rewind, every record counted once


class UndeliverableOnce(FlakyProducer):
    """The broker loses the first flush that carries alerts: none is acknowledged."""

    def __init__(self) -> None:
        super().__init__(fail_on=-1)
        self.lost = 0

    def flush(self, timeout_s: float) -> None:
        from detector.kafka import DeliveryFailed

        if not self.lost and any(t == "alerts" for t, _ in self._pending):
            self.lost = len(self._pending)
            self._pending = []
            raise DeliveryFailed(f"{self.lost} messages not acknowledged")
        super().flush(timeout_s)


def test_an_unconfirmed_delivery_is_replayed_never_lost(tmp_path: Path) -> None:
    clean = FlakyProducer(fail_on=-1)
    run_service(tmp_path / "clean", clean)
    expected = {(a["account_id"], a["alert_id"], a["severity"]) for a in alerts_of(clean)}
    lossy = UndeliverableOnce()
    _, consumer = run_service(tmp_path / "lossy", lossy)
    assert lossy.lost > 0
    got = {(a["account_id"], a["alert_id"], a["severity"]) for a in alerts_of(lossy)}
    assert got == expected  # same alerts, same ids: the lost ones were raised again
    assert consumer.commits[consumer.tp] == len(traffic())


def test_a_revoke_whose_checkpoint_fails_still_gives_the_partition_up(tmp_path: Path) -> None:
    """A lost membership cannot commit: the revoke raises, but the partition is no longer
    the instance's, so a later rewind or assignment does not act on it."""
    from detector.kafka import CommitFailed

    class LostMembership(FakeConsumer):
        def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
            raise CommitFailed("the group has moved on")

    service, consumer = service_on_fake(
        tmp_path, FlakyProducer(fail_on=-1), threading.Event(), LostMembership
    )
    assert service.step() > 0
    tp = consumer.tp
    assert service.owned[tp].next_offset is not None
    with pytest.raises(CommitFailed):
        service.on_revoke([tp])
    assert service.owned == {}
    assert service.pipeline._partition_clock == {}  # nor holds campaign passes back


def test_a_restarted_service_resumes_with_the_learned_model(tmp_path: Path) -> None:
    first, _ = run_service(tmp_path, FlakyProducer(fail_on=-1))
    learned = first.pipeline.scorer._baselines
    assert learned is not None
    again = Service(
        service_config(tmp_path),
        producer=FlakyProducer(fail_on=-1),  # type: ignore[arg-type]
        consumer_factory=lambda s: FakeConsumer(s, [], threading.Event()),
    )  # type: ignore[arg-type,return-value]
    assert again.pipeline.scorer._baselines.tolist() == learned.tolist()  # type: ignore[union-attr]


def test_a_stop_that_outlives_its_grace_exits_1_saying_where_it_hung() -> None:
    """SIGTERM starts the grace period; a shutdown stuck past it leaves with exit 1, an error
    event and every thread's stack, so the hang can be diagnosed from the log alone."""
    script = (
        "import threading, time\n"
        "from detector.service import stop_on_signals\n"
        "stop = stop_on_signals(0.5)\n"
        "print('ready', flush=True)\n"
        "stop.wait()\n"
        "def stuck_in_close(): time.sleep(60)\n"
        "stuck_in_close()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "shutdown exceeded its grace, exiting" in err
    assert "stuck_in_close" in err  # the main thread's frame, from the traceback dump
