"""``run`` throughput from a local broker, per Kafka client, beside that client's raw consume
rate measured in the same run on the same topic.

Starts a local Tansu broker and loads simulated traffic (default mix, scaled) into a
4-partition topic, as recorded and with its event time compressed to 100 k records/s
(``traffic.py`` says why both), each with prompt text and with gateway fingerprints instead;
then, for each of the four, per client:

* client consume: the client library alone, with the settings our consumer gives it, reads
  every record in its own poll loop and does nothing else (the baseline the targets name);
* raw consume: the same through our consumer (:func:`detector.kafka.make_consumer`), which
  groups records per partition and, for kafka-python, parses record batches in C
  (:mod:`detector.kafka._kafka_python_batches`);
* service: the live service (a fresh group) consumes, scores, alerts and checkpoints until
  every record is processed.

Each is the best of ``--repeat`` runs (default 2, as for the replays; the suite takes 5),
taken in turn, each with a fresh group: single runs on a shared 2-core machine move by a
third, and slow spells last long enough to take several runs in a row. A slow run is slower
in every stage alike (a stage clock put decode at 1.37 against 0.77 µs a record, prompt
fingerprints at 1.22 against 0.74, in two runs of the same code minutes apart): the
machine's, not the code's. Every run's rate is kept in the JSON.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kafka
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
from detector.kafka._kafka_python_consumer import consumer_config as kafka_python_config
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


def _consume_rate(poll: Callable[[], int], total: int) -> float:
    """``total`` over the time from the first poll that returns records to the one that
    brings the count to ``total``; ``poll`` returns how many records it got."""
    seen, started = 0, None
    while seen < total:
        got = poll()
        if got and started is None:
            started = time.perf_counter()
        seen += got
    return total / (time.perf_counter() - (started or time.perf_counter()))


def client_consume(client: str, bootstrap: str, topic: str, total: int) -> float:
    """The client library's own poll loop, counting records; ``total / seconds``."""
    group = f"client-{uuid.uuid4().hex[:6]}"
    if client == "kafka-python":
        kp = kafka.KafkaConsumer(topic, **kafka_python_config(bootstrap, group, {}, 30.0))
        rate = _consume_rate(
            lambda: sum(map(len, kp.poll(timeout_ms=1000, max_records=10_000).values())), total
        )
        kp.close(autocommit=False)
        return rate
    import confluent_kafka  # optional: only when CLIENTS has it

    from detector.kafka._confluent_consumer import consumer_config

    ck = confluent_kafka.Consumer(consumer_config(bootstrap, group, {}, 30.0))
    ck.subscribe([topic])
    # consume() waits out its timeout unless it fills num_messages: take what has arrived,
    # and wait only when nothing has (as our consumer does).
    rate = _consume_rate(lambda: len(ck.consume(10_000, 0) or ck.consume(1, 1.0)), total)
    ck.close()
    return rate


def raw_consume(client: str, bootstrap: str, topic: str, total: int) -> float:
    """Our consumer's poll loop, counting records; ``total / seconds``."""
    consumer = make_consumer(
        client, bootstrap, [topic], f"raw-{uuid.uuid4().hex[:6]}", _NoRebalance(), {}
    )
    rate = _consume_rate(lambda: sum(len(b.values) for b in consumer.poll(10_000, 1.0)), total)
    consumer.close()
    return rate


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
                print(
                    f"  {client}: the client alone, our consumer, then the service",
                    file=sys.stderr,
                )
                alone: list[float] = []
                raws: list[float] = []
                runs: list[float] = []
                for _ in range(args.repeat):
                    alone.append(client_consume(client, broker.bootstrap, topic, total))
                    raws.append(raw_consume(client, broker.bootstrap, topic, total))
                    runs.append(service_rate(client, broker.bootstrap, topic, total, workdir))
                results[variant][client] = {
                    "client_consume": max(alone),
                    "raw_consume": max(raws),
                    "run": max(runs),
                    "run_vs_client": max(runs) / max(alone),
                    "run_vs_raw": max(runs) / max(raws),
                    "client_consume_runs": alone,
                    "raw_consume_runs": raws,
                    "run_runs": runs,
                }
    print(f"\n4 partitions, local Tansu; kafka-python native crc32c: {native_crc32c()}")
    print(
        f"{'traffic':<22}{'client':<16}{'records':>10}{'client alone/s':>16}"
        f"{'our consumer/s':>16}{'run/s':>12}{'run/client':>12}{'run/ours':>10}"
    )
    for variant, by_client in results.items():
        for client, r in by_client.items():
            print(
                f"{variant:<22}{client:<16}{totals[variant]:>10,}{r['client_consume']:>16,.0f}"
                f"{r['raw_consume']:>16,.0f}{r['run']:>12,.0f}{r['run_vs_client']:>12.1%}"
                f"{r['run_vs_raw']:>10.1%}"
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
