"""Real processes against a real broker: Tansu over TCP, the service as a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from detector.kafka import LocalBroker, TopicPartition, create_topics, make_consumer, make_producer
from tests.conftest import T0
from tests.test_pipeline import attacker, customer, people

PARTITIONS = 4


@pytest.fixture(scope="session")
def broker() -> Iterator[LocalBroker]:
    with LocalBroker(persistent=True) as b:
        yield b


class Stack:
    """Topics of one test, a config for the service, and helpers to drive and inspect it."""

    def __init__(self, broker: LocalBroker, tmp: Path, client: str = "kafka-python"):
        self.broker, self.tmp, self.client = broker, tmp, client
        tag = uuid.uuid4().hex[:8]
        self.input, self.alerts, self.dead = f"in-{tag}", f"alerts-{tag}", f"dead-{tag}"
        self.signatures = f"sig-{tag}"
        self.group = f"g-{tag}"
        create_topics(broker.bootstrap, {self.input: PARTITIONS, self.alerts: 1, self.dead: 1})
        self.ends: dict[int, int] = {}  # partition -> next offset, from producer acks

    def config(self, name: str = "c.yaml", **service: Any) -> Path:
        data = {
            "kafka": {
                "bootstrap_servers": self.broker.bootstrap,
                "topics": [self.input],
                "alerts_topic": self.alerts,
                "dead_letter_topic": self.dead,
                "signatures_topic": self.signatures,
                "group_id": self.group,
                "client": self.client,
                "poll_max_records": 500,
                "consumer": {},
            },
            "service": {
                "state_dir": str(self.tmp / "state"),
                "checkpoint_interval_s": 1.0,
                **service,
            },
            "telemetry": {"port": 0},
            # The anomaly model is per instance and relearns after a restart; rules alone make
            # the alerts a pure function of the records, which is what these tests compare.
            "scoring": {"anomaly": {"enabled": False}},
        }
        path = self.tmp / name
        path.write_text(yaml.safe_dump(data))
        return path

    def produce(self, values: list[tuple[bytes | None, bytes]]) -> None:
        producer = make_producer(self.client, self.broker.bootstrap, {})
        for key, value in values:
            producer.send(self.input, value, key=key)
        producer.flush(30)
        for tp, offset in producer.acked_end_offsets().items():
            if tp.topic == self.input:
                self.ends[tp.partition] = max(self.ends.get(tp.partition, 0), offset)
        producer.close()

    def read(self, topic: str, timeout_s: float = 30.0) -> list[dict[str, Any]]:
        """Everything on ``topic`` so far (reads until quiet); every caller expects something
        there. The reader's group join counts against ``timeout_s``: it takes seconds."""
        out: list[dict[str, Any]] = []

        class _NoOp:
            def on_assign(self, partitions: list[TopicPartition]) -> None: ...
            def on_revoke(self, partitions: list[TopicPartition]) -> None: ...

        consumer = make_consumer(
            self.client,
            self.broker.bootstrap,
            [topic],
            f"reader-{uuid.uuid4().hex[:6]}",
            _NoOp(),
            {},
        )
        deadline = time.monotonic() + timeout_s
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            got = consumer.poll(1000, 0.5)
            n = sum(len(b.values) for b in got)
            for b in got:
                out += [msgspec.json.decode(v) for v in b.values]
            if n:
                quiet_since = time.monotonic()
            elif out and time.monotonic() - quiet_since > 2.0:
                break
        consumer.close()
        assert out, f"nothing on {topic} within {timeout_s} s"
        return out

    def committed(self) -> dict[int, int]:
        """The group's committed offsets, read with the admin API (joining the group to ask
        would trigger a rebalance of the service under test)."""
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap)
        try:
            offsets = admin.list_group_offsets(self.group).get(self.group, {})
        finally:
            admin.close()
        return {
            tp.partition: meta.offset
            for tp, meta in offsets.items()
            if tp.topic == self.input and meta.offset >= 0
        }

    def caught_up(self) -> bool:
        return self.committed() == self.ends


def traffic_values(scale: int = 1) -> list[tuple[bytes | None, bytes]]:
    """Three sybils, a busy pipeline and some people, keyed by account (``scale`` grows the
    benign part)."""
    recs = (
        attacker("sybil-1", T0, 40)
        + attacker("sybil-2", T0 + 30, 40)
        + attacker("sybil-3", T0 + 60, 40)
        + customer("pipeline-1", T0, 800 * scale)
        + people(40 * scale, T0)
    )
    recs.sort(key=lambda r: r["ts"])
    return [(r["account_id"].encode(), msgspec.json.encode(r)) for r in recs]


ATTACKERS = {"sybil-1", "sybil-2", "sybil-3"}


class ServiceProcess:
    """``distill-detector run`` as a real child process."""

    def __init__(self, config: Path, log: Path):
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "detector", "run", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def terminate(self, timeout: float = 30) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()  # not left running to load the machine under the tests after it
            raise
        if code != 0:  # pytest shows captured output of a failed test: make it the reason
            print(f"{self.log.name} exited {code}; its log ends:", file=sys.stderr)
            print("\n".join(self.log.read_text().splitlines()[-40:]), file=sys.stderr)
        return code

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: the whole group
        self.proc.wait(10)

    def alive(self) -> bool:
        return self.proc.poll() is None


_FAILED = pytest.StashKey[bool]()
"""Whether a test's own body failed, for its fixtures' teardown to see."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture
def stack(broker: LocalBroker, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    yield Stack(broker, tmp_path)
    if request.node.stash.get(_FAILED, False):
        # A timeout names what it waited for, not why: the services' own logs say that.
        for log in sorted(tmp_path.glob("*.log")):
            print(f"--- {log.name}, last 40 lines", file=sys.stderr)
            print("\n".join(log.read_text().splitlines()[-40:]), file=sys.stderr)


def wait_until(predicate: Any, timeout_s: float, what: str, every_s: float = 0.5) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
