"""The live service against a real broker: alerts, offsets, crashes, two instances, poison."""

from __future__ import annotations

import collections
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import msgspec
from prometheus_client.parser import text_string_to_metric_families

from detector.checkpoint import read_checkpoint, read_model
from detector.config import load_config
from detector.pipeline import Pipeline
from detector.service import _read_ledger
from tests.campaigns.traffic import as_lines, ordinary_users, sybil_campaign
from tests.service.conftest import (
    ATTACKERS,
    PARTITIONS,
    ServiceProcess,
    Stack,
    traffic_values,
    wait_until,
)


def alerted_accounts(alerts: list[dict[str, object]]) -> set[str]:
    return {str(a["account_id"]) for a in alerts if a["kind"] == "account"}


def assert_one_id_per_account_episode(
    alerts: list[dict[str, object]],
    may_repeat: frozenset[tuple[str, str]] = frozenset(),
    may_split: frozenset[str] = frozenset(),
) -> None:
    """One alert id per account (two for those in ``may_split``), and each (id, severity)
    delivered once (those in ``may_repeat`` at most twice)."""
    ids = collections.defaultdict(set)
    for alert in alerts:
        ids[alert["account_id"]].add(alert["alert_id"])
    assert all(len(v) <= (2 if account in may_split else 1) for account, v in ids.items()), ids
    copies = collections.Counter((str(a["alert_id"]), str(a["severity"])) for a in alerts)
    again = {pair: n for pair, n in copies.items() if n > 1}
    assert all(n == 2 and pair in may_repeat for pair, n in again.items()), (
        f"delivered again: {again}"
    )


def ledgered(state: Path) -> set[tuple[str, str]]:
    """The (alert id, severity) pairs the delivery ledgers in ``state`` record, read as the
    service reads them (a line torn by the kill is not a record)."""
    pairs = set()
    for path in state.glob("*.delivered"):
        try:  # the file appears a moment before its first line, and goes at a checkpoint
            pairs.update((alert_id, severity) for _, alert_id, severity in _read_ledger(path))
        except FileNotFoundError:
            continue
    return pairs


def partitions_of(stack: Stack) -> dict[str, int]:
    """Each account's partition, from the final checkpoints."""
    out = {}
    for p in range(PARTITIONS):
        ckpt = read_checkpoint(stack.tmp / "state" / f"{stack.input}-{p}.ckpt")
        if ckpt is not None:
            out.update(dict.fromkeys(ckpt[1]["accounts"], p))
    return out


def state_requests(stack: Stack) -> int:
    """Records applied to the checkpointed state, over all partitions."""
    total = 0
    for p in range(PARTITIONS):
        ckpt = read_checkpoint(stack.tmp / "state" / f"{stack.input}-{p}.ckpt")
        if ckpt is not None:
            total += int(ckpt[0]["total_requests"].sum())
    return total


def scrape(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_alerts_flow_and_a_clean_stop_commits_exactly_the_end(stack: Stack) -> None:
    values = traffic_values()
    stack.produce(values)
    service = ServiceProcess(stack.config(), stack.tmp / "service.log")
    try:
        wait_until(stack.caught_up, 90, "the service to commit every record")
        started = next(
            msgspec.json.decode(line)
            for line in (stack.tmp / "service.log").read_text().splitlines()
            if '"service started"' in line
        )
        port = started["metrics_port"]
        assert scrape(port, "/healthz") == (200, "ok\n")
        wait_until(lambda: scrape(port, "/readyz")[0] == 200, 30, "the service to be ready")
        status, text = scrape(port, "/metrics")
        metrics = {
            s.name: s.value
            for f in text_string_to_metric_families(text)
            for s in f.samples
            if not s.labels or s.labels.get("result") == "accepted"
        }
        assert status == 200 and metrics["distill_records_total"] == len(values)
        assert metrics["distill_checkpoint_last_success_timestamp_seconds"] > 0
        assert metrics["distill_event_lag_seconds_count"] > 0
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
    poison = [
        (b"sybil-1", b"{not json"),
        (None, b"[1,2,3]"),
        (b"x", b'{"ts": 1767225600, "account_id": "x", "completion_tokens": -3}'),
    ]
    mixed = values[:100] + poison + values[100:]
    stack.produce(mixed)
    service = ServiceProcess(stack.config(), stack.tmp / "service.log")
    try:
        wait_until(stack.caught_up, 90, "the service to commit every record")
    finally:
        assert service.terminate() == 0
    dead = stack.read(stack.dead)
    assert sorted(d["reason"].split(":")[0] for d in dead) == [
        "invalid_json",
        "not_object",
        "out_of_range",
    ]
    assert all(d["source"].startswith(stack.input + "/") and d["offset"] >= 0 for d in dead)
    assert alerted_accounts(stack.read(stack.alerts)) == ATTACKERS


def test_kill_9_mid_stream_then_restart_loses_nothing_and_raises_no_ledgered_alert_again(
    stack: Stack,
) -> None:
    values = traffic_values(scale=4)
    stack.produce(values)
    config = stack.config(checkpoint_interval_s=2.0)
    first = ServiceProcess(config, stack.tmp / "first.log")
    state = stack.tmp / "state"
    try:
        # Kill right after the first alerts are delivered: before the checkpoint that would
        # cover them, so the restart replays the records that raised them.
        # What the wait saw counts: the next checkpoint may remove that ledger before the
        # kill lands, and a checkpoint covers its alerts as well as the ledger did.
        seen: set[tuple[str, str]] = set()

        def anything_ledgered() -> bool:
            seen.update(ledgered(state))
            return bool(seen)

        wait_until(anything_ledgered, 90, "the first ledgered alert", every_s=0.02)
    finally:
        first.kill()  # SIGKILL: no final checkpoint, no commit
    assert sum(stack.committed().values()) < len(values), "the kill came too late"
    recorded = seen | ledgered(state)
    before = stack.read(stack.alerts)
    delivered = {(str(a["alert_id"]), str(a["severity"])) for a in before}
    assert recorded <= delivered
    second = ServiceProcess(config, stack.tmp / "second.log")
    try:
        wait_until(stack.caught_up, 90, "the restarted service to commit every record")
    finally:
        assert second.terminate() == 0
    alerts = stack.read(stack.alerts)
    assert alerted_accounts(alerts) == ATTACKERS
    # At least once: an alert the kill caught between its delivery and its ledger entry (a
    # few milliseconds per batch) is raised again, a ledgered one never is. The repeat may
    # even carry another id: replayed batches may cut the records into other scoring slices.
    unledgered = delivered - recorded
    assert_one_id_per_account_episode(
        alerts,
        may_repeat=frozenset(unledgered),
        may_split=frozenset(
            str(a["account_id"])
            for a in before
            if (str(a["alert_id"]), str(a["severity"])) in unledgered
        ),
    )
    # Every record's effect is in the state exactly once: none lost, none applied twice.
    assert state_requests(stack) == len(values)


def test_two_instances_split_the_partitions_and_raise_the_same_alerts(stack: Stack) -> None:
    config = stack.config()
    a = ServiceProcess(config, stack.tmp / "a.log")
    b = ServiceProcess(config, stack.tmp / "b.log")
    try:
        # Input only once both hold partitions: one instance alone could finish it first.
        wait_until(
            lambda: all(
                '"partitions assigned"' in (stack.tmp / name).read_text()
                for name in ("a.log", "b.log")
            ),
            60,
            "both instances to be assigned partitions",
        )
        values = traffic_values()
        stack.produce(values)
        wait_until(stack.caught_up, 120, "both instances to commit every record")
    finally:
        # Both, before asserting: a failed first stop must not leave the second running.
        assert [a.terminate(), b.terminate()] == [0, 0]
    logs = [(stack.tmp / n).read_text() for n in ("a.log", "b.log")]
    assert all("partitions assigned" in log for log in logs)
    alerts = stack.read(stack.alerts)
    assert alerted_accounts(alerts) == ATTACKERS
    assert_one_id_per_account_episode(alerts)
    assert state_requests(stack) == len(values)


def test_two_instances_find_one_campaign_across_their_partitions(stack: Stack) -> None:
    """Each instance owns half of the sybils; the signatures topic shows each the other half,
    and the campaign they report is the one a replay of the same records finds."""
    records = sybil_campaign(60, seed=9) + ordinary_users(200, seed=4)
    values = as_lines(records)
    config = stack.config(checkpoint_interval_s=0.5)
    a = ServiceProcess(config, stack.tmp / "a.log")
    b = ServiceProcess(config, stack.tmp / "b.log")
    owners: dict[int, str] = {}

    def split() -> bool:
        owners.clear()
        for name in ("a.log", "b.log"):
            assigned = [
                line
                for line in (stack.tmp / name).read_text().splitlines()
                if '"partitions assigned"' in line
            ]
            if assigned:
                for tp in msgspec.json.decode(assigned[-1])["partitions"]:
                    owners[int(tp.rsplit("/", 1)[1])] = name
        return len(owners) == PARTITIONS and set(owners.values()) == {"a.log", "b.log"}

    sybils = {r["account_id"] for r in records if r["account_id"].startswith("sybil")}
    found: set[str] = set()

    def converged() -> bool:
        """Both instances checkpoint their campaign ids; once each has seen the other's
        signatures, the sybils are one campaign there."""
        saved = read_model(stack.tmp / "state" / "model.pkl", load_config(config).hash())
        if not isinstance(saved, dict) or not saved.get("campaigns"):
            return False
        ids = collections.Counter(saved["campaigns"]["campaign_of"].get(s) for s in sybils)
        campaign, count = ids.most_common(1)[0]
        found.clear()
        found.update(a for a, c in saved["campaigns"]["campaign_of"].items() if c == campaign)
        return campaign is not None and count >= 0.95 * len(sybils)

    try:
        wait_until(split, 60, "the two instances to split the partitions")
        stack.produce([(msgspec.json.decode(v)["account_id"].encode(), v) for v in values])
        wait_until(stack.caught_up, 120, "both instances to commit every record")
        wait_until(converged, 60, "the instances to agree on one campaign")
        assert split(), "a rebalance moved partitions during the test"
        owned = dict(owners)
    finally:
        # Both, before asserting: a failed first stop must not leave the second running.
        assert [a.terminate(), b.terminate()] == [0, 0]
    assert found <= sybils
    # Accounts of both instances' partitions are in it: it was found across instances.
    partition = partitions_of(stack)
    assert {owned[partition[m]] for m in found} == {"a.log", "b.log"}

    alerts = stack.read(stack.alerts)
    campaigns = [x for x in alerts if x["kind"] == "campaign"]
    assert campaigns and all(set(x["members"]) <= sybils for x in campaigns)
    assert not alerted_accounts(alerts) - sybils

    replay = Pipeline(load_config(config))
    for i in range(0, len(values), 500):
        replay.process(values[i : i + 500], "replay")
    assert replay.campaigns is not None
    (replayed,) = [set(c.members) for c in replay.campaigns.campaigns.values()]
    assert len(replayed & found) >= 0.95 * len(replayed | found)


def test_a_campaign_keeps_its_id_across_a_restart(stack: Stack) -> None:
    records = sybil_campaign(40, seed=12) + ordinary_users(100, seed=5)
    records.sort(key=lambda r: r["ts"])
    values = [(r["account_id"].encode(), msgspec.json.encode(r)) for r in records]
    half = len(values) // 2
    config = stack.config()
    for run, part in enumerate((values[:half], values[half:])):
        stack.produce(part)
        service = ServiceProcess(config, stack.tmp / f"run{run}.log")
        try:
            wait_until(stack.caught_up, 90, "the service to commit every record")
        finally:
            assert service.terminate() == 0
    campaigns = [x for x in stack.read(stack.alerts) if x["kind"] == "campaign"]
    before = {x["campaign_id"] for x in campaigns if x["ts"] <= records[half - 1]["ts"]}
    after = {x["campaign_id"] for x in campaigns if x["ts"] > records[half - 1]["ts"]}
    assert len(before) == 1, campaigns
    assert after <= before  # no second campaign: at most re-reported under the same id
    assert "state restored" in (stack.tmp / "run1.log").read_text()
    # The restarted instance holds the sybils in the campaign of the same id.
    saved = read_model(stack.tmp / "state" / "model.pkl", load_config(config).hash())
    assert isinstance(saved, dict)
    ids = collections.Counter(
        saved["campaigns"]["campaign_of"].get(f"sybil-{k:04d}") for k in range(40)
    )
    assert ids.most_common(1)[0] == (next(iter(before)), 40)


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
    proc = subprocess.run(
        [sys.executable, "-m", "detector", "run", "--config", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "kafka.poll_max_records" in proc.stderr


def test_run_flags_override_the_config() -> None:
    from detector.config import Config
    from detector.service import config_with_flags

    config = config_with_flags(
        Config(), {"bootstrap_servers": "h:1", "topic": "t", "alerts_topic": None, "group_id": "g"}
    )
    assert config.kafka.bootstrap_servers == "h:1" and config.kafka.topics == ["t"]
    assert config.kafka.group_id == "g"
    assert config.kafka.alerts_topic == Config().kafka.alerts_topic


def test_demo_shows_the_first_alert_within_a_minute(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "detector", "demo", "--duration", "60", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    alerts = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert alerts, proc.stderr[-3000:]
    first = float(proc.stderr.split("(first: ")[1].split(" s after start")[0])
    assert first < 60
