"""Event-to-alert latency percentiles of the live service at fixed input rates, through a
real local Kafka-protocol broker (Tansu). Target (the issue): p99 ≤ 1 s at 100,000 records/s.

What runs, per rate
-------------------
* a local Tansu broker (one for the whole run) and, per rate, fresh topics: input
  (``--partitions``, default 4), alerts (1 partition), dead letters, signatures;
* the live :class:`~detector.service.Service` in a thread of this process, with the configured
  Kafka client (``--client``, default confluent-kafka), a fresh group and state dir;
* an alert reader: a consumer of the alerts topic in a thread of this process;
* a producer in a **separate process** (so it does not share the service's GIL), with the
  confluent-kafka client when installed (kafka-python cannot produce 100 k/s from Python). It
  replays simulated traffic (``simulate(scale=0.1)``, the default mix: 152 k records of
  ~650 bytes, 900 accounts, cycled when the window needs more) in file order, paced at the
  fixed rate in bursts every 10 ms (rate/100 records), keyed by account.

Two forms of the input (``--forms``, both by default), as the contract allows them:

* ``text``: records carry ``prompt_text`` (20-80 words), fingerprinted by the service;
* ``fingerprint``: records carry a ``prompt_fingerprint`` computed at the gateway instead
  (deployments that never ship text), so the service does no text work.

A cycled record would repeat its prompt exactly, and the service's fingerprint cache would
then spare it the text work that a new prompt costs. So the producer prefixes every prompt
(text or gateway fingerprint) with the number of the pass over the file (``r0 ``, ``r1 ``,
…): every pass brings prompts the service has not seen, while templates, intents and
duplicates within a pass stay as simulated.

Definition of latency
---------------------
Every record's ``ts`` (event time) is rewritten to the producer's wall clock at the moment its
burst is sent (one ``time.time()`` per 10 ms burst). An alert's ``ts`` is the event time of
the newest record of the account it is based on (contract §2), so for each alert:

* **latency (read)** = wall time the benchmark's consumer reads it back from the alerts
  topic − alert ``ts``. Everything: producer linger and send, broker, the service's fetch and
  poll batching, decode/state/scoring, the alert's produce, acknowledgement and fetch;
* **latency (emit)** = alert ``emitted_at`` − alert ``ts``: the same without the alert's
  own trip through the broker to the reader.

The percentiles are over the alerts observed: raised and read back within the send window
plus ``--drain`` seconds (default 5) after it. When the service falls behind, records still
in the backlog at the end produce no alert in that time, so the percentiles then
*understate* the latency; the rows therefore also give the backlog: ``lag`` (records sent −
records processed, at the end of the send window), its growth rate (least-squares slope over
the second half of the window) and ``delay`` = wall clock − newest event time processed in
the partition furthest behind (the age of the stream position: an alert on records not yet
processed is at least this late).

Changes from the default config (all in :data:`OVERRIDES`), and why
-------------------------------------------------------------------
Timestamps rewritten to "now" squeeze the simulation's 6 h of event time into seconds, and
the default alerting is episode-based (one alert per account per hour of event time), so a
20 s window would see a handful of alerts. To get hundreds per rate (p99 needs them):

* ``scoring.interval_s`` 30 → 0.5: a dirty account is re-scored at most every 0.5 s of event
  time (the default re-scores every 30 s);
* ``alerting.cooldown_s`` 3600 → 0: within an episode every evaluation at or above the
  threshold (after ``consecutive`` = 2) emits an alert again instead of once per hour.

Thresholds are unchanged. Measured offline at 5 k/s for 20 s this gives ~700 alerts, almost all
on the ``hydra`` sybil accounts, a few on ``slow_and_low`` and the scraper; no benign account
alerted. The scoring interval is a policy (how often an account's score is refreshed), not
pipeline delay: an alert's ``ts`` is its account's newest record, so the interval does not
enter the latency as defined here. Also: ``telemetry.enabled`` off (no port), everything else
(poll size and timeout, fetch settings, checkpoints every 10 s, campaigns and the signature
exchange on) is the built-in default or ``--config FILE`` when given.

The machine matters: here it has 2 cores, shared by the producer process, the Tansu broker
and this process (service, alert reader). At rates the service cannot sustain on one core
(~15-20 k records/s with prompt text) the backlog grows and the latency with it.

    python -m benchmarks.latency [--rates 5000 20000 100000] [--seconds 20] \\
        [--client confluent-kafka] [--drain 5] [--config FILE]

Prints a table and writes benchmarks/results/latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import numpy as np

from detector.config import Config, load_config
from detector.kafka import (
    CLIENTS,
    BufferFull,
    LocalBroker,
    TopicPartition,
    create_topics,
    make_consumer,
    make_producer,
)
from detector.runtime import tune_gc
from detector.service import Service
from detector.simulate import simulate

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_RATES = [5000, 20000, 100000]
PRODUCER_CLIENT = "confluent-kafka" if "confluent-kafka" in CLIENTS else "kafka-python"
OVERRIDES: dict[str, Any] = {
    "scoring": {"interval_s": 0.5},
    "alerting": {"cooldown_s": 0.0},
    "telemetry": {"enabled": False},
}
"""Changes to the config for an alert-rich run; see the module notes."""
BURST_S = 0.01
PROGRESS_S = 0.25


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the producer process ------------------------------------------------------------------


class _Key(msgspec.Struct):
    account_id: str


_PROMPT_FIELDS = (b'"prompt_text":"', b'"prompt_fingerprint":"')


class _Traffic(NamedTuple):
    """Each line cut in three: ``{"ts":NUMBER`` is dropped, so that a record with a new event
    time and the prompt marked with pass ``k`` is ``b'{"ts":%.6f' % now + heads[i] +
    (b"r%d " % k if marked[i] else b"") + tails[i]``."""

    keys: list[bytes]
    heads: list[bytes]
    tails: list[bytes]
    marked: list[bool]


def _load_traffic(path: Path) -> _Traffic:
    decoder = msgspec.json.Decoder(_Key)
    traffic = _Traffic([], [], [], [])
    with path.open("rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if not line.startswith(b'{"ts":'):
                raise ValueError(f"unexpected record layout: {line[:40]!r}")
            traffic.keys.append(decoder.decode(line).account_id.encode())
            rest = line[line.index(b",", 6) :]
            at = _prompt_start(rest)
            traffic.heads.append(rest[:at] if at >= 0 else rest)
            traffic.tails.append(rest[at:] if at >= 0 else b"")
            traffic.marked.append(at >= 0)
    return traffic


def _prompt_start(record: bytes) -> int:
    """Where the prompt's text or gateway fingerprint starts in ``record``; -1 if it has
    neither."""
    for field in _PROMPT_FIELDS:
        at = record.find(field)
        if at >= 0:
            return at + len(field)
    return -1


def _produce(spec: dict[str, Any]) -> None:
    """The producer process: load, say ready, wait for "go" on stdin, send at the rate for
    the window, report progress on stdout (JSON lines), flush, close."""
    keys, heads, tails, marked = _load_traffic(Path(spec["traffic"]))
    n = len(tails)
    topic, rate, seconds = spec["topic"], float(spec["rate"]), float(spec["seconds"])
    producer = make_producer(
        spec["client"],
        spec["bootstrap"],
        # The load generator shares the machine with the service: a delivery report per
        # message would cost a Python callback each (about a third of a core at 100 k/s).
        # Failures are still reported, and flush() fails unless every message is acked.
        {"delivery.report.only.error": True} if spec["client"] == "confluent-kafka" else {},
        buffer_messages=1_000_000,
        buffer_bytes=1 << 30,
        block_timeout_s=0.5,
    )
    send = producer.send

    def report(**fields: Any) -> None:
        sys.stdout.write(json.dumps(fields) + "\n")
        sys.stdout.flush()

    report(ready=True, records=n)
    if sys.stdin.readline().strip() != "go":
        return
    sent = blocked = 0
    max_burst = max(1, int(rate * 0.1))
    started = time.perf_counter()
    next_report = PROGRESS_S
    while True:
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            break
        due = min(int(rate * elapsed), sent + max_burst)
        if due > sent:
            ts = b'{"ts":%.6f' % time.time()
            for i in range(sent, due):
                k, j = divmod(i, n)
                mark = b"r%d " % k if marked[j] else b""
                try:
                    send(topic, b"".join((ts, heads[j], mark, tails[j])), keys[j])
                except BufferFull:
                    blocked += 1
                    break
                sent += 1
        if elapsed >= next_report:
            report(t=elapsed, sent=sent)
            next_report += PROGRESS_S
        pause = BURST_S - (time.perf_counter() - started - elapsed)
        if pause > 0:
            time.sleep(pause)
    elapsed = time.perf_counter() - started
    report(done=True, t=elapsed, sent=sent, blocked=blocked)
    try:
        producer.flush(30)
        acked = sent
    except Exception:
        acked = 0
    producer.close(5)
    report(closed=True, acked=acked)


# -- the measuring side --------------------------------------------------------------------


class _Listener:
    def __init__(self) -> None:
        self.assigned = threading.Event()

    def on_assign(self, partitions: list[TopicPartition]) -> None:
        self.assigned.set()

    def on_revoke(self, partitions: list[TopicPartition]) -> None: ...


class _AlertReader(threading.Thread):
    """Reads the alerts topic; keeps (read time, ts, emitted_at, kind) per alert."""

    def __init__(self, client: str, bootstrap: str, topic: str):
        super().__init__(name="alert-reader", daemon=True)
        self.listener = _Listener()
        options: dict[str, Any] = (
            {"fetch.min.bytes": 1, "fetch.wait.max.ms": 10}
            if client == "confluent-kafka"
            else {"fetch_min_bytes": 1, "fetch_max_wait_ms": 10}
        )
        self.consumer = make_consumer(
            client, bootstrap, [topic], f"lat-reader-{uuid.uuid4().hex[:6]}", self.listener, options
        )
        self.rows: list[tuple[float, float, float, str]] = []
        self.stopping = threading.Event()
        self._decoder = msgspec.json.Decoder(dict[str, Any])

    def run(self) -> None:
        while not self.stopping.is_set():
            # One record per poll: the call returns as soon as an alert is there.
            for batch in self.consumer.poll(1, 0.1):
                now = time.time()
                for value in batch.values:
                    alert = self._decoder.decode(value)
                    self.rows.append(
                        (now, float(alert["ts"]), float(alert["emitted_at"]), str(alert["kind"]))
                    )
        self.consumer.close()


def _config(base: Config, bootstrap: str, client: str, tag: str, state_dir: Path) -> Config:
    data = msgspec.to_builtins(base)
    for section, values in OVERRIDES.items():
        data[section].update(values)
    data["kafka"].update(
        bootstrap_servers=bootstrap,
        topics=[f"{tag}-in"],
        client=client,
        group_id=f"{tag}-svc",
        alerts_topic=f"{tag}-alerts",
        dead_letter_topic=f"{tag}-dead",
        signatures_topic=f"{tag}-sig",
    )
    data["service"].update(state_dir=str(state_dir))
    return msgspec.convert(data, Config)


def _percentiles(values: list[float], prefix: str) -> dict[str, float]:
    if not values:
        return {f"{prefix}_{k}": float("nan") for k in ("p50", "p90", "p99", "max")}
    arr = np.asarray(values)
    p50, p90, p99 = np.percentile(arr, [50, 90, 99])
    return {
        f"{prefix}_p50": float(p50),
        f"{prefix}_p90": float(p90),
        f"{prefix}_p99": float(p99),
        f"{prefix}_max": float(arr.max()),
    }


def _delay(service: Service) -> float:
    """Wall clock − the newest event time processed, of the partition furthest behind."""
    marks = [o.partition.state.watermark for o in list(service.owned.values())]
    finite = [m for m in marks if np.isfinite(m)]
    if not finite or len(finite) < len(marks):
        return float("nan")
    return time.time() - min(finite)


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` so far (NaN when unknown)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    # utime and stime: fields 14 and 15 of proc(5), counted after the command's ")".
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait(predicate: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)


def _one_rate(
    rate: int,
    seconds: float,
    client: str,
    broker: LocalBroker,
    traffic: Path,
    base: Config,
    workdir: Path,
    partitions: int,
    drain_s: float,
) -> dict[str, float]:
    tag = f"lat{rate}-{uuid.uuid4().hex[:6]}"
    bootstrap = broker.bootstrap

    def say(message: str) -> None:
        _say(f"[{traffic.stem.removeprefix('traffic-')} {rate:,}/s] {message}")

    create_topics(bootstrap, {f"{tag}-in": partitions, f"{tag}-alerts": 1, f"{tag}-dead": 1})
    spec = {
        "traffic": str(traffic),
        "topic": f"{tag}-in",
        "rate": rate,
        "seconds": seconds,
        "client": PRODUCER_CLIENT,
        "bootstrap": bootstrap,
    }
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--produce-child", json.dumps(spec)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert child.stdin is not None and child.stdout is not None
    reader = _AlertReader(client, bootstrap, f"{tag}-alerts")
    service = Service(_config(base, bootstrap, client, tag, workdir / tag))
    worker = threading.Thread(target=service.run, name="service", daemon=True)
    # (t since go, sent, processed, delay) at each producer progress line.
    samples: list[tuple[float, int, int, float]] = []
    end: dict[str, Any] = {}
    closed: dict[str, Any] = {}
    # CPU seconds of this process (service, alert reader, client threads), the producer and
    # the broker: at "go" and when sending ends.
    cpu: list[tuple[float, float, float]] = []

    def cpu_now() -> tuple[float, float, float]:
        own = os.times()
        return own.user + own.system, _cpu_seconds(child.pid), _cpu_seconds(broker.pid)

    try:
        say("starting the service, the alert reader and the producer (group joins take a few s)")
        reader.start()
        worker.start()
        ready = json.loads(child.stdout.readline() or "{}")
        if not ready.get("ready"):
            raise RuntimeError("the producer process failed to start")
        _wait(lambda: len(service.owned) == partitions, 90, "the service's partitions")
        _wait(reader.listener.assigned.is_set, 90, "the alert reader's partition")
        stats = service.pipeline.stats

        def follow() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                msg = json.loads(line)
                processed = stats.records
                delay = _delay(service)
                if msg.get("closed"):
                    closed.update(msg)
                elif msg.get("done"):
                    cpu.append(cpu_now())
                    end.update(msg, processed=processed, delay=delay)
                else:
                    samples.append((msg["t"], msg["sent"], processed, delay))

        follower = threading.Thread(target=follow, name="producer-follower", daemon=True)
        follower.start()
        say(f"sending for {seconds:.0f} s")
        cpu.append(cpu_now())
        child.stdin.write("go\n")
        child.stdin.flush()
        shown = 0.0
        while not end and (child.poll() is None or follower.is_alive()):
            time.sleep(0.1)
            if samples and samples[-1][0] - shown >= 5:
                t, sent, processed, delay = samples[-1]
                shown = t
                say(
                    f"t={t:4.1f} s sent={sent:,} processed={processed:,} "
                    f"lag={sent - processed:,} delay={delay:.2f} s alerts={len(reader.rows)}"
                )
        if not end:
            raise RuntimeError(f"the producer process exited with {child.returncode}")
        drained_at = time.monotonic()
        while stats.records < end["sent"] and time.monotonic() - drained_at < drain_s:
            time.sleep(0.05)
        caught_up = stats.records >= end["sent"]
        time.sleep(min(1.0, drain_s))  # the last alerts' trip to the reader
        say(
            f"window over: sent={end['sent']:,} processed at end={end['processed']:,}; "
            f"{'caught up' if caught_up else 'not caught up'} after "
            f"{time.monotonic() - drained_at:.1f} s; {len(reader.rows)} alerts read"
        )
        processed_total = stats.records
        follower.join(40)
    finally:
        service.stop()
        worker.join(60)
        reader.stopping.set()
        reader.join(30)
        if child.poll() is None:
            child.wait(40)
        if child.poll() is None:
            child.kill()
            child.wait(10)
    rows = reader.rows
    window = float(end["t"])
    half = [s for s in samples if s[0] >= window / 2]
    growth = float("nan")
    if len(half) >= 2:
        growth = float(np.polyfit([s[0] for s in half], [s[1] - s[2] for s in half], 1)[0])
    # Processed during the window: records handled between "go" and the end of sending.
    result: dict[str, float] = {
        "rate": float(rate),
        "seconds": window,
        "input_rate": end["sent"] / window,
        "processed_rate": end["processed"] / window,
        "sent": float(end["sent"]),
        "acked": float(closed.get("acked", float("nan"))),
        "processed_in_window": float(end["processed"]),
        "processed_with_drain": float(processed_total),
        "caught_up": float(caught_up),
        "lag_end": float(end["sent"] - end["processed"]),
        "lag_growth_per_s": growth,
        "delay_end_s": float(end["delay"]),
        "delay_max_s": float(
            max((s[3] for s in samples if np.isfinite(s[3])), default=float("nan"))
        ),
        "alerts": float(len(rows)),
        "alerts_account": float(sum(r[3] == "account" for r in rows)),
        "alerts_campaign": float(sum(r[3] == "campaign" for r in rows)),
        "producer_blocked": float(end.get("blocked", 0)),
        # Cores in use while sending: how much of the machine each party had.
        **{
            f"cores_{who}": (cpu[1][i] - cpu[0][i]) / window
            for i, who in enumerate(("detector", "producer", "broker"))
        },
    }
    result.update(_percentiles([r[0] - r[1] for r in rows], "latency"))
    result.update(_percentiles([r[2] - r[1] for r in rows], "emit_latency"))
    return result


FORMS = {"fingerprint": False, "text": True}
"""Input form → whether its records carry ``prompt_text`` (else a gateway fingerprint)."""


def measure(
    rates: list[int],
    seconds: float,
    client: str,
    *,
    forms: Sequence[str] = tuple(FORMS),
    scale: float = 0.1,
    drain_s: float = 5.0,
    partitions: int = 4,
    config: Path | None = None,
) -> list[dict[str, float]]:
    """Latency and backlog per input form and rate; one dict of floats per pair (see the
    module notes for every key; latencies in seconds, rates in records/s; ``prompt_text``
    is 1.0 for the text form, 0.0 for gateway fingerprints)."""
    base = load_config(config)
    workdir = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    results: list[dict[str, float]] = []
    with LocalBroker() as broker:
        for form in forms:
            traffic = workdir / f"traffic-{form}.jsonl"
            _say(f"simulating traffic ({form}, scale {scale}) to {traffic}")
            simulate(
                traffic,
                workdir / f"labels-{form}.csv",
                scale=scale,
                prompt_text=FORMS[form],
                bad_line_share=0.0,
            )
            for rate in rates:
                row = _one_rate(
                    rate,
                    seconds,
                    client,
                    broker,
                    traffic,
                    base,
                    workdir,
                    partitions,
                    drain_s,
                )
                results.append({"prompt_text": float(FORMS[form]), **row})
    return results


def table(results: list[dict[str, float]]) -> str:
    head = (
        f"{'prompt':>12}{'rate/s':>8}{'sent/s':>9}{'proc/s':>9}{'alerts':>7}"
        f"{'p50':>7}{'p90':>7}{'p99':>7}{'max':>7}{'emit p99':>9}"
        f"{'lag end':>10}{'lag +/s':>9}{'delay':>7}  cores: detector producer broker"
    )
    lines = [head]
    for r in results:
        lines.append(
            f"{_form(r):>12}{r['rate']:>8,.0f}{r['input_rate']:>9,.0f}{r['processed_rate']:>9,.0f}"
            f"{r['alerts']:>7,.0f}{r['latency_p50']:>7.2f}{r['latency_p90']:>7.2f}"
            f"{r['latency_p99']:>7.2f}{r['latency_max']:>7.2f}{r['emit_latency_p99']:>9.2f}"
            f"{r['lag_end']:>10,.0f}{r['lag_growth_per_s']:>9,.0f}{r['delay_end_s']:>7.2f}"
            f"{r['cores_detector']:>16.2f}{r['cores_producer']:>9.2f}{r['cores_broker']:>7.2f}"
        )
    return "\n".join(lines)


def _form(row: dict[str, float]) -> str:
    return "text" if row["prompt_text"] else "fingerprint"


def _finite(value: Any) -> Any:
    """NaN (nothing observed) as JSON null."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--produce-child":
        _produce(json.loads(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rates", type=int, nargs="+", default=DEFAULT_RATES)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--client",
        choices=CLIENTS,
        default=PRODUCER_CLIENT,
        help="the service's Kafka client (and the alert reader's)",
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=5.0,
        help="seconds after the window to wait for the service to catch up",
    )
    parser.add_argument(
        "--forms",
        nargs="+",
        choices=list(FORMS),
        default=list(FORMS),
        help="input forms: prompt text, or gateway fingerprints instead",
    )
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="base config (YAML); the benchmark's overrides go on top",
    )
    args = parser.parse_args()
    tune_gc()  # as the command line does
    started = time.monotonic()
    results = measure(
        args.rates,
        args.seconds,
        args.client,
        forms=args.forms,
        scale=args.scale,
        drain_s=args.drain,
        partitions=args.partitions,
        config=args.config,
    )
    runtime = time.monotonic() - started
    print(
        f"\nevent-to-alert latency (s), service client {args.client}, producer "
        f"{PRODUCER_CLIENT} in its own process, {args.partitions} partitions, local Tansu, "
        f"{args.seconds:.0f} s per rate, {os.cpu_count()} cores shared by producer, broker "
        "and service"
    )
    print(table(results))
    print(
        "latency = alert read back - alert ts (event time = send time); emit p99 uses "
        "emitted_at; lag end = sent - processed at the end of sending; lag +/s = its "
        "growth; delay = now - newest event time processed, at the end of sending"
    )
    print(f"runtime {runtime:.0f} s")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latency.json").write_text(
        json.dumps(
            _finite(
                {
                    "client": args.client,
                    "producer_client": PRODUCER_CLIENT,
                    "seconds": args.seconds,
                    "drain_s": args.drain,
                    "scale": args.scale,
                    "partitions": args.partitions,
                    "config_overrides": OVERRIDES,
                    "machine": platform.platform(),
                    "cores": os.cpu_count(),
                    "runtime_s": runtime,
                    "results": results,
                }
            ),
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
