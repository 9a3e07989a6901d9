"""Replay throughput on one core, beside baselines measured in the same run.

Simulates the default scenario mix (scaled by --scale) once with prompt text and once with
gateway fingerprints only, then measures on the same bytes:

* raw read: the file source alone (gzip + line splitting);
* raw decode: msgspec decoding the values into contract records, nothing else (the baseline);
* each pipeline stage on its own (decode to columns, fingerprint, state update, scoring);
* end-to-end ``replay`` (all stages, alerts written to a file).

Prints a table and writes JSON to benchmarks/results/replay_throughput.json.

    python benchmarks/replay_throughput.py [--scale 0.25] [--scenario mixed]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import msgspec

from detector.config import Config
from detector.features import compute_features
from detector.pipeline import Pipeline
from detector.records import RequestRecord
from detector.replay import replay
from detector.simulate import simulate
from detector.sources.file import FileSource

RESULTS = Path(__file__).resolve().parent / "results"


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(path: Path, config: Config) -> dict[str, float]:
    batches = [b.values for b in FileSource(path, config.pipeline.batch_records)]
    n = sum(len(b) for b in batches)
    out: dict[str, float] = {"records": n}
    out["read"] = n / _timed(lambda: [b for b in FileSource(path, config.pipeline.batch_records)])

    decoder = msgspec.json.Decoder(list[RequestRecord])

    def raw_decode() -> None:
        for values in batches:
            decoder.decode(b"[" + b",".join(values) + b"]")

    out["raw_decode"] = n / _timed(raw_decode)

    # Stage by stage, through one pipeline's components.
    pipeline = Pipeline(config)
    t_decode = t_fp = t_state = t_score = 0.0
    for values in batches:
        t = time.perf_counter()
        batch, _ = pipeline.decoder.decode(values, "bench")
        t_decode += time.perf_counter() - t
        t = time.perf_counter()
        fps = pipeline.fingerprinter.fingerprint_batch(batch)
        t_fp += time.perf_counter() - t
        t = time.perf_counter()
        pipeline.state.update(batch, fps)
        t_state += time.perf_counter() - t
        t = time.perf_counter()
        due = pipeline.state.due(config.scoring.interval_s)
        features = compute_features(pipeline.state, due, pipeline.state.watermark)
        pipeline.scorer.score(features)
        pipeline.state.mark_scored(due)
        t_score += time.perf_counter() - t
    out.update(decode=n / t_decode, fingerprint=n / t_fp, state=n / t_state, scoring=n / t_score)

    with tempfile.TemporaryDirectory() as tmp:
        from detector.alerts import JsonlSink

        summary = replay(config, path, [JsonlSink(Path(tmp) / "alerts.jsonl")], progress=False)
    out["replay"] = summary.records_per_s
    out["replay_vs_raw_decode"] = out["replay"] / out["raw_decode"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--scenario", default="mixed")
    parser.add_argument("--keep", metavar="DIR", help="keep the simulated files here")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the figures claim
    config = Config()
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, float]] = {}
    for name, text in (("with prompt_text", True), ("without prompt_text", False)):
        path = workdir / f"{args.scenario}-{'text' if text else 'fp'}.jsonl"
        if not path.exists():
            simulate(path, workdir / "labels.csv", scenario=args.scenario, scale=args.scale,
                     prompt_text=text, bad_line_share=0.0, progress=True)
        results[name] = measure(path, config)
    stages = ["read", "raw_decode", "decode", "fingerprint", "state", "scoring", "replay"]
    print(f"\nrecords/s on one core ({platform.processor() or platform.machine()}, "
          f"{args.scenario} x{args.scale})")
    print(f"{'stage':<14}" + "".join(f"{k:>22}" for k in results))
    for stage in stages:
        print(f"{stage:<14}" + "".join(f"{r[stage]:>22,.0f}" for r in results.values()))
    print(f"{'replay/raw':<14}" + "".join(
        f"{r['replay_vs_raw_decode']:>22.1%}" for r in results.values()))
    RESULTS.mkdir(exist_ok=True)
    payload = {"scenario": args.scenario, "scale": args.scale, "machine": platform.platform(),
               "cpu_count": os.cpu_count(), "results": results}
    (RESULTS / "replay_throughput.json").write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
