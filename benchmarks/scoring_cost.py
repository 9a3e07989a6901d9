"""The cost of scoring accounts: per scoring step, and per account scored.

An account is re-scored at most every ``scoring.interval_s`` of event time, when it has new
traffic. How many are scored per record depends on the deployment, not on the detector: a
gateway whose accounts each send a request or two a minute re-scores one account every few
records, one with a few busy accounts one every few thousand. The throughput benchmarks
show one mix at two densities (as recorded: one evaluation per 6.4 records; at 100k/s: one
per 136). This one measures the cost itself, so that any density can be sized:

* the window state of the default mix (as recorded, gateway fingerprints) is built by a
  replay;
* then the pipeline's scoring step (signals, rules and half-space trees, the alert policy,
  campaign signatures, learning: ``Pipeline._score_due``) is timed on ``N`` due accounts at
  a time, ``N`` from 16 to 1,024, each size repeated over different accounts;
* ``seconds = fixed + N x marginal`` is fitted to the per-step medians.

Same-run baseline: river's ``HalfSpaceTrees`` ``score_one`` and ``learn_one`` on the same
accounts' signals, one account at a time: the model step alone of a naive per-account loop.

Prints a table and writes JSON to benchmarks/results/scoring_cost.json.

    python -m benchmarks.scoring_cost [--scale 0.25]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from river import anomaly

from benchmarks.traffic import WORKDIR, simulated
from detector.config import Config
from detector.features import compute_features, squash
from detector.pipeline import Pipeline
from detector.runtime import tune_gc
from detector.sources.file import FileSource

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (16, 64, 256, 1024)
"""Accounts per scoring step."""
STEPS = 24
"""Steps timed per size, each over a fresh random draw of accounts."""


def built_pipeline(path: Path) -> Pipeline:
    """A pipeline that has replayed ``path``: its state holds the mix's accounts."""
    pipeline = Pipeline(Config())
    for raw in FileSource(path):
        pipeline.process(raw.values, "bench", raw.offsets)
    return pipeline


def scorable(pipeline: Pipeline) -> np.ndarray:
    state = pipeline.state
    rows = state.index.rows()
    enough = state.long.requests(rows, state.watermark) >= pipeline.config.scoring.min_requests
    return rows[enough]


def time_steps(pipeline: Pipeline, rows: np.ndarray, size: int, steps: int) -> list[float]:
    """Seconds of each of ``steps`` scoring steps over ``size`` accounts."""
    state, part = pipeline.state, pipeline.default
    rng = np.random.default_rng(size)
    seconds = []
    for _ in range(steps):
        chosen = rng.choice(rows, size=size, replace=False)
        state.dirty[:] = False
        state.dirty[chosen] = True
        state.last_scored[chosen] = -np.inf
        started = time.perf_counter()
        pipeline._score_due(part)
        seconds.append(time.perf_counter() - started)
    return seconds


def river_per_account(pipeline: Pipeline, rows: np.ndarray, accounts: int) -> float:
    """Seconds per account of river's ``score_one`` + ``learn_one`` on the same signals."""
    state = pipeline.state
    cfg = pipeline.config.scoring.anomaly
    features = compute_features(state, rows[:accounts], state.watermark)
    dicts = [dict(zip(features.names, row, strict=True)) for row in squash(features).tolist()]
    model = anomaly.HalfSpaceTrees(
        n_trees=cfg.n_trees, height=cfg.height, window_size=cfg.window_size, seed=cfg.seed
    )
    for x in dicts[: cfg.window_size]:  # past the first window, as the detector's trees are
        model.learn_one(x)
    started = time.perf_counter()
    for x in dicts:
        model.score_one(x)
        model.learn_one(x)
    return (time.perf_counter() - started) / len(dicts)


def fit(sizes: list[int], seconds: list[float]) -> tuple[float, float]:
    """Least-squares ``seconds = fixed + size x marginal``."""
    marginal, fixed = np.polyfit(np.array(sizes, dtype=float), np.array(seconds), 1)
    return float(fixed), float(marginal)


def run(scale: float) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    tune_gc()
    path = simulated(WORKDIR, scale, prompt_text=False)
    print(f"scoring cost: building the state of {path.name}", file=sys.stderr)
    pipeline = built_pipeline(path)
    rows = scorable(pipeline)
    if len(rows) < max(SIZES):
        sys.exit(f"{len(rows):,} scorable accounts, fewer than a step of {max(SIZES):,}")
    results: dict[str, dict[str, float]] = {}
    for size in SIZES:
        print(f"  {STEPS} scoring steps of {size:,} accounts", file=sys.stderr)
        time_steps(pipeline, rows, size, 2)  # warm-up
        median = statistics.median(time_steps(pipeline, rows, size, STEPS))
        results[str(size)] = {"step_seconds": median, "per_account_us": median / size * 1e6}
    fixed, marginal = fit(list(SIZES), [r["step_seconds"] for r in results.values()])
    river_s = river_per_account(pipeline, rows, min(len(rows), 2_000))
    payload = {
        "scale": scale,
        "machine": platform.platform(),
        "accounts": len(rows),
        "steps": STEPS,
        "results": results,
        "fixed_ms": fixed * 1e3,
        "marginal_us": marginal * 1e6,
        "river_us": river_s * 1e6,
        "river_vs_marginal": river_s / marginal,
    }
    print(f"\nscoring cost ({platform.machine()}, state of {len(rows):,} scorable accounts)")
    print(f"{'accounts per step':<20}{'ms per step':>14}{'us per account':>16}")
    for size, r in results.items():
        print(f"{int(size):<20,}{r['step_seconds'] * 1e3:>14.2f}{r['per_account_us']:>16.1f}")
    print(
        f"fit: {payload['fixed_ms']:.2f} ms per step + {payload['marginal_us']:.1f} us per "
        f"account; river HalfSpaceTrees score_one + learn_one: {payload['river_us']:.1f} us "
        f"per account ({payload['river_vs_marginal']:.1f}x our whole marginal step)"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scoring_cost.json").write_text(json.dumps(payload, indent=2) + "\n")
    return payload


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.25)
    args = parser.parse_args()
    run(args.scale)


if __name__ == "__main__":
    main()
