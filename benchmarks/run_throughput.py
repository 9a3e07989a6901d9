"""``run`` throughput from a local broker, per Kafka client, beside that client's raw consume
rate measured in the same run on the same topic.

Starts a local Tansu broker, loads simulated traffic (default mix, scaled) into a 4-partition
topic once, then for each client:

* raw consume: a consumer group reads every record and does nothing else (the baseline);
* service: the live service (a fresh group) consumes, scores, alerts and checkpoints until
  every record is processed.

Prints a table and writes benchmarks/results/run_throughput.json.

    python -m benchmarks.run_throughput [--scale 0.1] [--no-prompt-text]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import threading
import time
import uuid
from pathlib import Path

import msgspec

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
from detector.simulate import simulate
from detector.sources.file import FileSource

RESULTS = Path(__file__).resolve().parent / "results"
TOPIC = "bench-requests"


class _NoRebalance:
    def on_assign(self, partitions: list[TopicPartition]) -> None: ...

    def on_revoke(self, partitions: list[TopicPartition]) -> None: ...


def load(bootstrap: str, path: Path) -> int:
    producer = make_producer("confluent-kafka" if "confluent-kafka" in CLIENTS else
                             "kafka-python", bootstrap, {})
    decoder = msgspec.json.Decoder(dict[str, object])
    sent = 0
    for raw in FileSource(path, 5000):
        for value in raw.values:
            account = decoder.decode(value).get("account_id")
            producer.send(TOPIC, value, key=str(account).encode())
            sent += 1
    producer.flush(120)
    producer.close()
    return sent


def raw_consume(client: str, bootstrap: str, total: int) -> float:
    consumer = make_consumer(client, bootstrap, [TOPIC], f"raw-{uuid.uuid4().hex[:6]}",
                             _NoRebalance(), {})
    seen, started = 0, None
    while seen < total:
        batches = consumer.poll(10_000, 1.0)
        if batches and started is None:
            started = time.perf_counter()
        seen += sum(len(b.values) for b in batches)
    elapsed = time.perf_counter() - (started or time.perf_counter())
    consumer.close()
    return total / elapsed


def service_rate(client: str, bootstrap: str, total: int, workdir: Path) -> float:
    data = msgspec.to_builtins(Config())
    data["kafka"].update(bootstrap_servers=bootstrap, topics=[TOPIC], client=client,
                         group_id=f"svc-{uuid.uuid4().hex[:6]}", alerts_topic="bench-alerts",
                         dead_letter_topic="bench-dead")
    data["service"].update(state_dir=str(workdir / f"state-{client}"),
                           checkpoint_interval_s=5.0)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--no-prompt-text", action="store_true")
    args = parser.parse_args()
    tune_gc()  # as the command line does
    workdir = Path(tempfile.mkdtemp(prefix="bench-run-"))
    path = workdir / "traffic.jsonl"
    simulate(path, workdir / "labels.csv", scale=args.scale, bad_line_share=0.0,
             prompt_text=not args.no_prompt_text, progress=True)
    results: dict[str, dict[str, float]] = {}
    with LocalBroker() as broker:
        create_topics(broker.bootstrap, {TOPIC: 4, "bench-alerts": 1, "bench-dead": 1})
        total = load(broker.bootstrap, path)
        for client in CLIENTS:
            raw = raw_consume(client, broker.bootstrap, total)
            run = service_rate(client, broker.bootstrap, total, workdir)
            results[client] = {"raw_consume": raw, "run": run, "run_vs_raw": run / raw}
    print(f"\n{total:,} records ({'no ' if args.no_prompt_text else ''}prompt_text), "
          f"4 partitions, local Tansu; kafka-python native crc32c: {native_crc32c()}")
    print(f"{'client':<16}{'raw consume/s':>16}{'run/s':>12}{'run/raw':>10}")
    for client, r in results.items():
        print(f"{client:<16}{r['raw_consume']:>16,.0f}{r['run']:>12,.0f}"
              f"{r['run_vs_raw']:>10.1%}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "run_throughput.json").write_text(json.dumps({
        "records": total, "prompt_text": not args.no_prompt_text,
        "machine": platform.platform(), "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
