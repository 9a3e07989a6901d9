"""``distill-detector demo``: the whole system on one machine, in one command.

It starts a local Kafka-protocol broker (Tansu), creates the topics, simulates traffic with
attacks and streams it into the broker in accelerated event time, runs the live service
against it, and shows the alerts as they arrive. Ctrl-C (or ``--duration``) stops everything
and removes what it started.
"""

from __future__ import annotations

import collections
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import msgspec

from detector.alerts import Alert
from detector.config import Config
from detector.kafka import LocalBroker, create_topics, make_producer
from detector.logs import configure_logging
from detector.service import Service
from detector.simulate import simulate
from detector.sources.file import FileSource

__all__ = ["run_demo"]

INPUT, ALERTS, DEAD = "gateway-requests", "distill-alerts", "distill-dead-letters"
SPEED = 60.0  # event seconds per wall second: the 2-hour scenario plays in 2 minutes


class _Collector:
    """An alert sink the screen reads from."""

    def __init__(self) -> None:
        self.alerts: collections.deque[Alert] = collections.deque(maxlen=200)
        self.count = 0
        self.first_at: float | None = None
        self._lock = threading.Lock()

    def write(self, items: Sequence[msgspec.Struct]) -> None:
        with self._lock:
            for alert in items:
                assert isinstance(alert, Alert)
                self.alerts.append(alert)
                self.count += 1
                if self.first_at is None:
                    self.first_at = time.monotonic()

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def recent(self, n: int) -> list[Alert]:
        with self._lock:
            return list(self.alerts)[-n:]


class _Feeder(threading.Thread):
    """Replays the simulated file into the input topic at SPEED× event time."""

    def __init__(self, path: Path, bootstrap: str):
        super().__init__(name="demo-feeder", daemon=True)
        self.path, self.bootstrap = path, bootstrap
        self.sent = 0
        self.stopping = threading.Event()
        self.done = threading.Event()

    def run(self) -> None:
        producer = make_producer("kafka-python", self.bootstrap, {})
        decoder = msgspec.json.Decoder(dict[str, object])
        start_wall: float | None = None
        start_event: float | None = None
        try:
            for raw in FileSource(self.path, 500):
                for value in raw.values:
                    key, ts = _key_and_ts(decoder, value)
                    if ts is not None:
                        if start_wall is None or start_event is None:
                            start_wall, start_event = time.monotonic(), ts
                        ahead = (ts - start_event) / SPEED - (time.monotonic() - start_wall)
                        if ahead > 0.05 and self.stopping.wait(ahead):
                            return
                    producer.send(INPUT, value, key=key)
                    self.sent += 1
                if self.stopping.is_set():
                    return
            producer.flush(30)
        finally:
            producer.close()
            self.done.set()


def _key_and_ts(
    decoder: msgspec.json.Decoder[dict[str, object]], value: bytes
) -> tuple[bytes | None, float | None]:
    try:
        record = decoder.decode(value)
    except msgspec.DecodeError:
        return None, None  # deliberately bad lines go in as they are
    account, ts = record.get("account_id"), record.get("ts")
    return (
        account.encode() if isinstance(account, str) else None,
        float(ts) if isinstance(ts, (int, float)) else None,
    )


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_demo(config: Config, duration_s: float | None, out: Path | None) -> int:
    workdir = out or Path(tempfile.mkdtemp(prefix="distill-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    configure_logging("WARNING")
    tty = sys.stdout.isatty()
    say("starting a local Kafka-protocol broker (Tansu) …")
    with LocalBroker() as broker:
        create_topics(broker.bootstrap, {INPUT: 4, ALERTS: 1, DEAD: 1})
        traffic = workdir / "traffic.jsonl"
        sim = simulate(traffic, workdir / "labels.csv", scenario="small")
        say(
            f"simulated {sim.records:,} requests from {sim.accounts:,} accounts "
            f"({', '.join(f'{k} {v}' for k, v in sorted(sim.by_label.items()))}); "
            f"streaming them at {SPEED:g}x event time into {broker.bootstrap}"
        )
        data = msgspec.to_builtins(config)
        data["kafka"].update(
            bootstrap_servers=broker.bootstrap,
            topics=[INPUT],
            alerts_topic=ALERTS,
            dead_letter_topic=DEAD,
            group_id="distill-demo",
        )
        data["service"].update(state_dir=str(workdir / "state"), checkpoint_interval_s=2.0)
        data["telemetry"].update(host="127.0.0.1", port=0)
        live = msgspec.convert(data, Config)
        collector = _Collector()
        service = Service(live, extra_alert_sinks=[collector])
        say(f"metrics: http://127.0.0.1:{service.metrics_port}/metrics")
        worker = threading.Thread(target=service.run, name="demo-service", daemon=True)
        feeder = _Feeder(traffic, broker.bootstrap)
        started = time.monotonic()
        worker.start()
        feeder.start()
        shown = 0
        try:
            while True:
                elapsed = time.monotonic() - started
                if duration_s is not None and elapsed >= duration_s:
                    break
                if (
                    feeder.done.is_set()
                    and service.pipeline.stats.records >= feeder.sent
                    and elapsed > 5
                ):
                    break
                if tty:
                    _draw(collector, service, feeder, elapsed, service.metrics_port)
                else:
                    for alert in list(collector.alerts)[shown:]:
                        print(msgspec.json.encode(alert).decode(), flush=True)
                    shown = len(collector.alerts)
                time.sleep(0.5)
        except KeyboardInterrupt:
            say("\ninterrupted")
        finally:
            feeder.stopping.set()
            service.stop()
            worker.join(timeout=live.service.shutdown_grace_s)
            feeder.join(timeout=5)
    stats = service.pipeline.stats
    first = (
        f"{collector.first_at - started:.1f} s after start"
        if collector.first_at is not None
        else "none"
    )
    say(
        f"done: {stats.records:,} records consumed, {stats.rejected:,} rejected, "
        f"{collector.count:,} alerts (first: {first}); files in {workdir}"
    )
    return 0


_SEVERITY = {
    "info": "\033[36minfo    \033[0m",
    "warning": "\033[33mwarning \033[0m",
    "critical": "\033[1;31mcritical\033[0m",
}


def _draw(
    collector: _Collector, service: Service, feeder: _Feeder, elapsed: float, port: int | None
) -> None:
    stats = service.pipeline.stats
    lines = [
        "\033[H\033[2J\033[1mdistill-detector demo\033[0m  (Ctrl-C to stop)   "
        f"metrics: http://127.0.0.1:{port}/metrics",
        f"elapsed {elapsed:6.1f} s   produced {feeder.sent:>9,}   consumed {stats.records:>9,}"
        f"   rejected {stats.rejected:>5,}   alerts {collector.count:>5,}   campaigns "
        f"{len(service.pipeline.campaigns.campaigns) if service.pipeline.campaigns else 0}",
        "",
        f"{'event time (UTC)':20} {'severity':8} {'account / campaign':30} {'score':>6}"
        "  top reasons",
    ]
    for alert in reversed(collector.recent(20)):
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(alert.ts))
        reasons = ", ".join(r.signal for r in alert.reasons[:3])
        who = (
            f"{alert.campaign_id} ({len(alert.members or ())} acc.)"
            if alert.kind == "campaign"
            else alert.account_id or ""
        )
        lines.append(
            f"{when:20} {_SEVERITY[alert.severity]} {who:30} {alert.score:6.3f}  {reasons}"
        )
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
