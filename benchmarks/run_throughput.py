"""``run`` throughput from a local broker, per Kafka client, beside that client's raw consume
rate measured in the same run on the same topic.

Starts a local Tansu broker and loads simulated traffic (default mix, scaled) into a
4-partition topic, as recorded and with its event time compressed to 100 k records/s
(``traffic.py`` says why both), each with prompt text and with gateway fingerprints instead;
then, for each of the four, per client:

* raw consume: a consumer group reads every record and does nothing else (the baseline);
* service: the live service (a fresh group) consumes, scores, alerts and checkpoints until
  every record is processed.

Each is the best of ``--repeat`` runs (default 2, as for the replays), alternating raw and
service, each with a fresh group: single runs on a shared 2-core machine move by a third.

Prints a table and writes benchmarks/results/run_throughput.json (every run's rate too).

    python -m benchmarks.run_throughput [--scale 0.1] [--repeat 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import msgspec

from benchmarks.traffic import WORKDIR, simulated
from detector.config import Config
from detector.kafka import (
    CLIENTS,
    LocalBroker,
    TopicPartition,
    create_topics,
    make_consumer,
    make_producer,
    native_crc32c,
)
from detector.runtime import tune_gc
from detector.service import Service
from detector.sources.file import FileSource

RESULTS = Path(__file__).resolve().parent / "results"
TOPIC = "bench-requests"


class _NoRebalance:
    def on_assign(self, partitions: list[TopicPartition]) -> None: ...

    def on_revoke(self, partitions: list[TopicPartition]) -> None: ...


def load(bootstrap: str, path: Path, topic: str) -> int:
    producer = make_producer(
        "confluent-kafka" if "confluent-kafka" in CLIENTS else "kafka-python", bootstrap, {}
    )
    decoder = msgspec.json.Decoder(dict[str, object])
    sent = 0
    for raw in FileSource(path, 5000):
        for value in raw.values:
            account = decoder.decode(value).get("account_id")
            producer.send(topic, value, key=str(account).encode())
            sent += 1
    producer.flush(120)
    producer.close()
    return sent


def raw_consume(client: str, bootstrap: str, topic: str, total: int) -> float:
    consumer = make_consumer(
        client, bootstrap, [topic], f"raw-{uuid.uuid4().hex[:6]}", _NoRebalance(), {}
    )
    seen, started = 0, None
    while seen < total:
        batches = consumer.poll(10_000, 1.0)
        if batches and started is None:
            started = time.perf_counter()
        seen += sum(len(b.values) for b in batches)
    elapsed = time.perf_counter() - (started or time.perf_counter())
    consumer.close()
    return total / elapsed


def service_rate(client: str, bootstrap: str, topic: str, total: int, workdir: Path) -> float:
    data = msgspec.to_builtins(Config())
    group = f"svc-{uuid.uuid4().hex[:6]}"
    data["kafka"].update(
        bootstrap_servers=bootstrap,
        topics=[topic],
        client=client,
        group_id=group,
        alerts_topic="bench-alerts",
        dead_letter_topic="bench-dead",
    )
    # A fresh state dir per run: a checkpoint from an earlier run would resume past records.
    data["service"].update(
        state_dir=str(workdir / f"state-{topic}-{group}"), checkpoint_interval_s=5.0
    )
    data["telemetry"].update(enabled=False)
    service = Service(msgspec.convert(data, Config))
    worker = threading.Thread(target=service.run, daemon=True)
    worker.start()
    while service.pipeline.stats.records == 0:
        time.sleep(0.001)
    started = time.perf_counter()
    while service.pipeline.stats.records < total:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    service.stop()
    worker.join(60)
    return total / elapsed


VARIANTS = {
    f"{prompt}, {form}": (text, rate)
    for prompt, text in (("text", True), ("no text", False))
    for form, rate in (("as recorded", None), ("at 100k/s", 100_000.0))
}
"""Name → (prompt text or gateway fingerprints, event-time rate: see :mod:`benchmarks.traffic`)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept")
    parser.add_argument(
        "--keep", metavar="DIR", help=f"where the simulated files are kept (default {WORKDIR})"
    )
    args = parser.parse_args()
    tune_gc()  # as the command line does
    workdir = Path(tempfile.mkdtemp(prefix="bench-run-"))
    results: dict[str, dict[str, dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    with LocalBroker() as broker:
        for n, (variant, (text, rate)) in enumerate(VARIANTS.items()):
            path = simulated(Path(args.keep) if args.keep else WORKDIR, args.scale, text, rate)
            topic = f"{TOPIC}-{n}"
            create_topics(broker.bootstrap, {topic: 4, "bench-alerts": 1, "bench-dead": 1})
            print(f"run throughput, {variant}: loading {path.name}", file=sys.stderr)
            totals[variant] = total = load(broker.bootstrap, path, topic)
            results[variant] = {}
            for client in CLIENTS:
                print(f"  {client}: raw consume, then the service", file=sys.stderr)
                raws, runs = [], []
                for _ in range(args.repeat):
                    raws.append(raw_consume(client, broker.bootstrap, topic, total))
                    runs.append(service_rate(client, broker.bootstrap, topic, total, workdir))
                raw, run = max(raws), max(runs)
                results[variant][client] = {
                    "raw_consume": raw,
                    "run": run,
                    "run_vs_raw": run / raw,
                    "raw_consume_runs": raws,
                    "run_runs": runs,
                }
    print(f"\n4 partitions, local Tansu; kafka-python native crc32c: {native_crc32c()}")
    print(
        f"{'traffic':<22}{'client':<16}{'records':>10}{'raw consume/s':>16}{'run/s':>12}"
        f"{'run/raw':>10}"
    )
    for variant, by_client in results.items():
        for client, r in by_client.items():
            print(
                f"{variant:<22}{client:<16}{totals[variant]:>10,}{r['raw_consume']:>16,.0f}"
                f"{r['run']:>12,.0f}{r['run_vs_raw']:>10.1%}"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "run_throughput.json").write_text(
        json.dumps(
            {
                "records": totals,
                "machine": platform.platform(),
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
