"""The live service against a real broker: alerts, offsets, crashes, two instances, poison."""

from __future__ import annotations

import collections
import subprocess
import sys
import time
from pathlib import Path

from detector.checkpoint import read_checkpoint
from tests.service.conftest import (
    ATTACKERS,
    PARTITIONS,
    ServiceProcess,
    Stack,
    traffic_values,
    wait_until,
)


def alerted_accounts(alerts: list[dict[str, object]]) -> set[str]:
    return {str(a["account_id"]) for a in alerts}


def assert_one_id_per_account_episode(alerts: list[dict[str, object]]) -> None:
    ids = collections.defaultdict(set)
    for alert in alerts:
        ids[alert["account_id"]].add(alert["alert_id"])
    assert all(len(v) == 1 for v in ids.values()), ids
    pairs = [(a["alert_id"], a["severity"]) for a in alerts]
    assert len(pairs) == len(set(pairs)), "an alert was delivered twice"


def state_requests(stack: Stack) -> int:
    """Records applied to the checkpointed state, over all partitions."""
    total = 0
    for p in range(PARTITIONS):
        ckpt = read_checkpoint(stack.tmp / "state" / f"{stack.input}-{p}.ckpt")
        if ckpt is not None:
            total += int(ckpt[0]["total_requests"].sum())
    return total


def test_alerts_flow_and_a_clean_stop_commits_exactly_the_end(stack: Stack) -> None:
    values = traffic_values()
    stack.produce(values)
    service = ServiceProcess(stack.config(), stack.tmp / "service.log")
    try:
        wait_until(stack.caught_up, 90, "the service to commit every record")
    finally:
        assert service.terminate() == 0, (stack.tmp / "service.log").read_text()[-2000:]
    assert stack.committed() == stack.ends
    assert sum(stack.ends.values()) == len(values)
    alerts = stack.read(stack.alerts)
    assert alerted_accounts(alerts) == ATTACKERS
    assert_one_id_per_account_episode(alerts)
    assert state_requests(stack) == len(values)
    assert "service stopped" in (stack.tmp / "service.log").read_text()


def test_poison_messages_go_to_the_dead_letter_topic(stack: Stack) -> None:
    values = traffic_values()
    poison = [(b"sybil-1", b"{not json"), (None, b"[1,2,3]"),
              (b"x", b'{"ts": 1767225600, "account_id": "x", "completion_tokens": -3}')]
    mixed = values[:100] + poison + values[100:]
    stack.produce(mixed)
    service = ServiceProcess(stack.config(), stack.tmp / "service.log")
    try:
        wait_until(stack.caught_up, 90, "the service to commit every record")
    finally:
        assert service.terminate() == 0
    dead = stack.read(stack.dead)
    assert sorted(d["reason"].split(":")[0] for d in dead) == [
        "invalid_json", "not_object", "out_of_range"]
    assert all(d["source"].startswith(stack.input + "/") and d["offset"] >= 0 for d in dead)
    assert alerted_accounts(stack.read(stack.alerts)) == ATTACKERS


def test_kill_9_mid_stream_then_restart_loses_nothing_and_duplicates_nothing(
        stack: Stack) -> None:
    values = traffic_values(scale=4)
    stack.produce(values)
    config = stack.config(checkpoint_interval_s=2.0)
    first = ServiceProcess(config, stack.tmp / "first.log")
    state = stack.tmp / "state"
    try:
        # Kill right after the first alerts are delivered: before the checkpoint that would
        # cover them, so the restart replays the records that raised them.
        wait_until(lambda: any(state.glob("*.delivered")), 90, "the first delivered alert",
                   every_s=0.02)
    finally:
        first.kill()  # SIGKILL: no final checkpoint, no commit
    assert sum(stack.committed().values()) < len(values), "the kill came too late"
    second = ServiceProcess(config, stack.tmp / "second.log")
    try:
        wait_until(stack.caught_up, 90, "the restarted service to commit every record")
    finally:
        assert second.terminate() == 0
    alerts = stack.read(stack.alerts)
    assert alerted_accounts(alerts) == ATTACKERS
    assert_one_id_per_account_episode(alerts)
    # Every record's effect is in the state exactly once: none lost, none applied twice.
    assert state_requests(stack) == len(values)


def test_two_instances_split_the_partitions_and_raise_the_same_alerts(stack: Stack) -> None:
    config = stack.config()
    a = ServiceProcess(config, stack.tmp / "a.log")
    b = ServiceProcess(config, stack.tmp / "b.log")
    try:
        values = traffic_values()
        stack.produce(values)
        wait_until(stack.caught_up, 120, "both instances to commit every record")
    finally:
        assert a.terminate() == 0 and b.terminate() == 0
    logs = [(stack.tmp / n).read_text() for n in ("a.log", "b.log")]
    assert all("partitions assigned" in log for log in logs)
    alerts = stack.read(stack.alerts)
    assert alerted_accounts(alerts) == ATTACKERS
    assert_one_id_per_account_episode(alerts)
    assert state_requests(stack) == len(values)


def test_broker_outage_under_a_running_service(stack: Stack) -> None:
    values = traffic_values()
    half = len(values) // 2
    stack.produce(values[:half])
    service = ServiceProcess(stack.config(), stack.tmp / "service.log")
    try:
        wait_until(lambda: sum(stack.committed().values()) == half, 90, "the first half")
        stack.broker.stop()
        time.sleep(5)  # the service keeps running without its broker
        assert service.alive()
        stack.broker.start()
        stack.produce(values[half:])
        wait_until(stack.caught_up, 120, "the service to resume and commit everything")
        assert service.alive()
    finally:
        assert service.terminate() == 0
    assert alerted_accounts(stack.read(stack.alerts)) == ATTACKERS
    assert state_requests(stack) == len(values)


def test_bad_config_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kafka:\n  poll_max_records: 0\n")
    proc = subprocess.run([sys.executable, "-m", "detector", "run", "--config", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "kafka.poll_max_records" in proc.stderr


def test_run_flags_override_the_config() -> None:
    from detector.config import Config
    from detector.service import config_with_flags

    config = config_with_flags(Config(), {"bootstrap_servers": "h:1", "topic": "t",
                                          "alerts_topic": None, "group_id": "g"})
    assert config.kafka.bootstrap_servers == "h:1" and config.kafka.topics == ["t"]
    assert config.kafka.group_id == "g"
    assert config.kafka.alerts_topic == Config().kafka.alerts_topic


def test_demo_shows_the_first_alert_within_a_minute(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "detector", "demo", "--duration", "60", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    alerts = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert alerts, proc.stderr[-3000:]
    first = float(proc.stderr.split("(first: ")[1].split(" s after start")[0])
    assert first < 60
