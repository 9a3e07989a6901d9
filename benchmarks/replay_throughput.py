"""Replay throughput on one core, stage by stage, beside baselines measured in the same run.

Simulates the default scenario mix (scaled by --scale) once with prompt text and once with
gateway fingerprints only; runs each as recorded and with its event time compressed to
100 k records/s (``traffic.py`` says why both), and measures on the same bytes:

* raw decode: msgspec decoding the values into contract records, nothing else (best of 3);
* naive: the naive river pipeline (``naive_pipeline.py``) over the first --naive-records;
* replay: ``distill-detector replay`` end to end (all stages, alerts written to a file;
  best of 2);
* stages: the same pipeline again with a clock around each stage (reading the file is one),
  so the stage figures add up to an end-to-end run. A stage's records/s is the input
  records over the time spent in that stage: the rate the pipeline would reach if that
  stage were all it did.

Prints a table and writes JSON to benchmarks/results/replay_throughput.json.

    python -m benchmarks.replay_throughput [--scale 0.25] [--scenario mixed]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from benchmarks.clock import StageClock
from benchmarks.naive_pipeline import naive_rate
from benchmarks.report import text_row
from benchmarks.traffic import WORKDIR, simulated
from detector.alerts import JsonlSink
from detector.config import Config
from detector.pipeline import Pipeline
from detector.records import RequestRecord
from detector.replay import replay
from detector.runtime import tune_gc
from detector.sources.file import FileSource

RESULTS = Path(__file__).resolve().parent / "results"
REPEATS = 2
"""End-to-end replays per file; the best counts (a shared machine only ever slows a run)."""

STAGES = (
    "read",
    "decode",
    "fingerprint",
    "state",
    "scoring",
    "campaign_signatures",
    "campaign_passes",
    "alerts",
    "other",
)
"""Where an end-to-end run spends its time, in data-flow order."""


def clock_stages(pipeline: Pipeline) -> StageClock:
    """A clock on each stage of ``pipeline``; ``scoring`` includes the campaign signatures
    computed inside it (:func:`exclusive` takes them out)."""
    clock = StageClock()
    clock.attach(pipeline.decoder, "decode", "decode")
    clock.attach(pipeline.fingerprinter, "fingerprint_batch", "fingerprint")
    clock.attach(pipeline.default.state, "update", "state")
    clock.attach(pipeline, "_score_due", "scoring")
    clock.attach(pipeline, "_emit", "alerts")
    if pipeline.campaigns is not None:
        clock.attach(pipeline.campaigns, "observe", "campaign_signatures")
        clock.attach(pipeline.campaigns, "run", "campaign_passes")
    return clock


def exclusive(seconds: Counter[str], total: float) -> dict[str, float]:
    """Seconds per stage, none counted twice, ``other`` making up ``total``."""
    out = {stage: seconds[stage] for stage in STAGES if stage != "other"}
    out["scoring"] -= out["campaign_signatures"]
    out["other"] = max(total - sum(out.values()), 0.0)
    return out


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def staged_run(path: Path, config: Config, alerts: Path) -> dict[str, float]:
    """One end-to-end run through a clocked pipeline: seconds per stage."""
    pipeline = Pipeline(config, [JsonlSink(alerts)])
    clock = clock_stages(pipeline)
    source = FileSource(path, config.pipeline.batch_records)
    started = time.perf_counter()
    batches = iter(source)
    while True:
        t = time.perf_counter()
        raw = next(batches, None)
        clock.seconds["read"] += time.perf_counter() - t
        if raw is None:
            break
        pipeline.process(raw.values, source.source_name, raw.offsets)
    pipeline.close()
    return exclusive(clock.seconds, time.perf_counter() - started)


def measure(path: Path, config: Config, naive_records: int) -> dict[str, Any]:
    # The baseline parses bytes objects already in memory: the lines are copied out of the
    # file before the clock starts.
    batches = [list(b.values) for b in FileSource(path, config.pipeline.batch_records)]
    n = sum(len(b) for b in batches)
    out: dict[str, Any] = {"records": n}
    decoder = msgspec.json.Decoder(list[RequestRecord])

    def raw_decode() -> None:
        for values in batches:
            decoder.decode(b"[" + b",".join(values) + b"]")

    out["raw_decode"] = n / min(_timed(raw_decode) for _ in range(3))
    print(f"  naive river pipeline over the first {naive_records:,} records", file=sys.stderr)
    out["naive"] = naive_rate(path, naive_records)["records_per_s"]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"  replay, best of {REPEATS}", file=sys.stderr)
        runs = [
            replay(config, path, [JsonlSink(Path(tmp) / f"alerts-{i}.jsonl")], progress=False)
            for i in range(REPEATS)
        ]
        out["replay"] = max(summary.records_per_s for summary in runs)
        out["evaluations"] = runs[0].evaluations
        print("  replay with a clock around each stage", file=sys.stderr)
        seconds = staged_run(path, config, Path(tmp) / "staged.jsonl")
    out["stage_seconds"] = seconds
    out["stages"] = {stage: n / s if s > 0 else float("inf") for stage, s in seconds.items()}
    out["replay_vs_raw_decode"] = out["replay"] / out["raw_decode"]
    out["replay_vs_naive"] = out["replay"] / out["naive"]
    return out


def print_table(results: dict[str, dict[str, Any]], title: str) -> None:
    print(f"\n{title}")
    print(text_row("records/s", results, 22, 24))
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("raw decode (baseline)", lambda r: f"{r['raw_decode']:,.0f}"),
        ("naive river pipeline", lambda r: f"{r['naive']:,.0f}"),
        *[
            (
                f"  stage: {s}",
                functools.partial(
                    lambda r, s: f"{r['stages'][s]:,.0f} ({r['stage_seconds'][s]:.1f} s)", s=s
                ),
            )
            for s in STAGES
        ],
        ("replay end to end", lambda r: f"{r['replay']:,.0f}"),
        ("replay / raw decode", lambda r: f"{r['replay_vs_raw_decode']:.1%}"),
        ("replay / naive", lambda r: f"{r['replay_vs_naive']:.1f}x"),
    ]
    for label, cell in rows:
        print(text_row(label, map(cell, results.values()), 22, 24))


VARIANTS = {
    "text, as recorded": (True, None),
    "text, at 100k/s": (True, 100_000.0),
    "no text, as recorded": (False, None),
    "no text, at 100k/s": (False, 100_000.0),
}
"""Name → (prompt_text, event-time rate): see :mod:`benchmarks.traffic`."""


def run(scale: float, scenario: str, naive_records: int, keep: str | None = None) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the figures claim
    tune_gc()  # as the command line does
    config = Config()
    workdir = Path(keep) if keep else WORKDIR
    results: dict[str, dict[str, Any]] = {}
    for name, (text, rate) in VARIANTS.items():
        path = simulated(workdir, scale, text, rate, scenario)
        print(f"replay throughput, {name}", file=sys.stderr)
        results[name] = measure(path, config, naive_records)
    print_table(
        results, f"replay: records/s on one core ({platform.machine()}, {scenario} x{scale})"
    )
    payload = {
        "scenario": scenario,
        "scale": scale,
        "machine": platform.platform(),
        "cpu_count": os.cpu_count(),
        "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "replay_throughput.json").write_text(json.dumps(payload, indent=2) + "\n")
    return payload


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--scenario", default="mixed")
    parser.add_argument("--naive-records", type=int, default=100_000)
    parser.add_argument(
        "--keep", metavar="DIR", help=f"where the simulated files are kept (default {WORKDIR})"
    )
    args = parser.parse_args()
    run(args.scale, args.scenario, args.naive_records, args.keep)


if __name__ == "__main__":
    main()
