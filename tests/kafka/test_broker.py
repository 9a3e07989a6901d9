"""The local Tansu broker: start, stop, restart on the same port, failures, topics."""

from __future__ import annotations

import os
import socket

import pytest
from kafka import KafkaAdminClient

from detector.kafka import BrokerStartError, KafkaConfigError, LocalBroker, create_topics
from tests.kafka.conftest import unique


def _topics(bootstrap: str) -> dict[str, int]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return {t["name"]: len(t["partitions"]) for t in admin.describe_topics()}
    finally:
        admin.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_create_topics_is_idempotent_and_waits_for_partitions(broker: LocalBroker) -> None:
    plain, changelog = unique("t"), unique("changelog")
    create_topics(broker.bootstrap, {plain: 3, changelog: 2}, compacted={changelog})
    create_topics(broker.bootstrap, {plain: 3, changelog: 2}, compacted={changelog})
    topics = _topics(broker.bootstrap)
    assert topics[plain] == 3 and topics[changelog] == 2
    with pytest.raises(KafkaConfigError, match="compacted"):
        create_topics(broker.bootstrap, {plain: 3}, compacted={"elsewhere"})


def test_memory_broker_restarts_on_the_same_port_but_empty() -> None:
    with LocalBroker() as local:
        bootstrap, topic = local.bootstrap, unique("t")
        create_topics(bootstrap, {topic: 1})
        pid = local._proc.pid if local._proc else -1
        local.stop()
        assert not local.running and not _alive(pid)
        local.start()
        assert local.bootstrap == bootstrap
        assert topic not in _topics(bootstrap)
    assert not local.running


def test_start_failure_names_the_port_and_shows_the_broker_log() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        local = LocalBroker(port=port, startup_timeout_s=5.0)
        with pytest.raises(BrokerStartError, match=f"port {port}") as failure:
            local.start()
        local.close()
    assert "tail" in str(failure.value)
    assert not local.running
