"""The naive pipeline: the baseline the detector's throughput is compared against.

The benchmark target is "at least 10x the naive river pipeline on the same traffic, same run".
This module is that naive pipeline: what a straightforward first implementation of a streaming
distillation detector looks like when written record by record in plain Python with river:

* decode each line with the standard library's ``json.loads`` into a dict (lines that are not
  a JSON object with a string ``account_id`` and a valid ``ts`` are counted and skipped);
* fingerprint the prompt: ``hashlib.blake2b`` of the lower-cased, whitespace-folded
  ``prompt_text``, or the gateway's ``prompt_fingerprint`` when there is no text;
* per-account state in a dict: ``river.utils.Rolling(river.stats.Mean, window_size=N)`` for
  completion tokens, prompt tokens, completion/prompt ratio, inter-arrival seconds and share of
  ``finish_reason == "length"``; a deque + counter of the recent fingerprints for the
  distinct-prompt share; the last ``ts``; counts;
* a per-record feature dict (7 features squashed into [0, 1]) that is scored and then learned by
  one ``river.anomaly.HalfSpaceTrees`` (``score_one`` then ``learn_one``, every record), with the
  same ``n_trees``/``height``/``window_size``/``seed`` as the detector's ``AnomalyConfig``;
* an alert (counted) whenever the score exceeds a threshold.

It is honest rather than deliberately slow: no quadratic work, a counter instead of rebuilding
sets, but every step runs per record in the interpreter, which is the point of comparison.

Only processing is timed: the file is read into memory first, then decoding and everything
after it is timed, since the naive pipeline does its own decoding from bytes.

    python benchmarks/naive_pipeline.py FILE [--max-records 100000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter, deque
from datetime import datetime
from pathlib import Path
from typing import Any

from river import anomaly, stats, utils

from detector.config import AnomalyConfig
from detector.sources.file import FileSource

__all__ = ["NaivePipeline", "naive_rate", "read_lines"]

ROLLING_WINDOW = 50
"""Requests per account in each rolling mean and in the recent-prompt window."""

ALERT_THRESHOLD = 0.9
"""HalfSpaceTrees score above which a record counts as an alert."""


def _rolling_mean(window: int) -> Any:
    return utils.Rolling(stats.Mean, window_size=window)


class _Account:
    """Per-account state of the naive pipeline."""

    __slots__ = (
        "completion",
        "count",
        "gap",
        "last_ts",
        "length_stop",
        "prompt",
        "ratio",
        "recent",
        "recent_counts",
    )

    def __init__(self, window: int) -> None:
        self.completion = _rolling_mean(window)
        self.prompt = _rolling_mean(window)
        self.ratio = _rolling_mean(window)
        self.gap = _rolling_mean(window)
        self.length_stop = _rolling_mean(window)
        self.recent: deque[str] = deque(maxlen=window)
        self.recent_counts: Counter[str] = Counter()
        self.last_ts: float | None = None
        self.count = 0


def _parse_ts(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None


def _count(value: Any) -> int | None:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _squash(x: float, scale: float) -> float:
    """Map x >= 0 into [0, 1): x / (x + scale)."""
    return x / (x + scale) if x > 0 else 0.0


class NaivePipeline:
    """Per-record dict features, river rolling means and a per-record HalfSpaceTrees."""

    def __init__(
        self,
        n_trees: int | None = None,
        height: int | None = None,
        window_size: int | None = None,
        seed: int | None = None,
        rolling_window: int = ROLLING_WINDOW,
        threshold: float = ALERT_THRESHOLD,
    ) -> None:
        defaults = AnomalyConfig()
        self.model = anomaly.HalfSpaceTrees(
            n_trees=defaults.n_trees if n_trees is None else n_trees,
            height=defaults.height if height is None else height,
            window_size=defaults.window_size if window_size is None else window_size,
            seed=defaults.seed if seed is None else seed,
        )
        self.rolling_window = rolling_window
        self.threshold = threshold
        self.accounts: dict[str, _Account] = {}
        self.records = 0
        self.invalid = 0
        self.alerts = 0

    def process(self, line: bytes) -> float | None:
        """Decode, featurise, score and learn one record; None if the line is rejected."""
        try:
            rec = json.loads(line)
        except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
            self.invalid += 1
            return None
        if not isinstance(rec, dict):
            self.invalid += 1
            return None
        account_id = rec.get("account_id")
        ts = _parse_ts(rec.get("ts"))
        prompt_tokens = _count(rec.get("prompt_tokens"))
        completion_tokens = _count(rec.get("completion_tokens"))
        if (
            not isinstance(account_id, str)
            or not account_id
            or ts is None
            or prompt_tokens is None
            or completion_tokens is None
        ):
            self.invalid += 1
            return None

        text = rec.get("prompt_text")
        if isinstance(text, str):
            normalised = " ".join(text.lower().split())
            fingerprint = hashlib.blake2b(normalised.encode(), digest_size=8).hexdigest()
        else:
            fingerprint = str(rec.get("prompt_fingerprint", ""))

        state = self.accounts.get(account_id)
        if state is None:
            state = self.accounts[account_id] = _Account(self.rolling_window)
        state.count += 1
        state.completion.update(completion_tokens)
        state.prompt.update(prompt_tokens)
        state.ratio.update(completion_tokens / (prompt_tokens + 1))
        state.length_stop.update(1.0 if rec.get("finish_reason") == "length" else 0.0)
        if state.last_ts is not None:
            state.gap.update(max(ts - state.last_ts, 0.0))
        state.last_ts = ts

        repeated = state.recent_counts[fingerprint] > 0
        if len(state.recent) == state.recent.maxlen:
            oldest = state.recent[0]
            state.recent_counts[oldest] -= 1
            if state.recent_counts[oldest] == 0:
                del state.recent_counts[oldest]
        state.recent.append(fingerprint)
        state.recent_counts[fingerprint] += 1

        gap = state.gap.get() if state.count > 1 else 0.0
        features = {
            "rate": 1.0 / (1.0 + gap) if state.count > 1 else 0.0,
            "completion": _squash(state.completion.get(), 500.0),
            "prompt": _squash(state.prompt.get(), 2000.0),
            "ratio": _squash(state.ratio.get(), 1.0),
            "length_stop": state.length_stop.get(),
            "distinct_prompts": len(state.recent_counts) / len(state.recent),
            "repeated_prompt": 1.0 if repeated else 0.0,
        }
        score = float(self.model.score_one(features))
        self.model.learn_one(features)
        self.records += 1
        if score > self.threshold:
            self.alerts += 1
        return score


def read_lines(path: Path, max_records: int | None = None) -> list[bytes]:
    """The file's non-blank lines (``.gz`` accepted), at most ``max_records`` of them."""
    lines: list[bytes] = []
    for batch in FileSource(path, 5000):
        lines.extend(batch.values)
        if max_records is not None and len(lines) >= max_records:
            return lines[:max_records]
    return lines


def naive_rate(path: Path, max_records: int | None = None) -> dict[str, float]:
    """Run the naive pipeline over (a prefix of) ``path``; time decoding and processing.

    ``max_records`` limits the number of lines taken from the file (invalid lines included);
    ``records`` in the result counts only the lines that were processed.
    """
    lines = read_lines(Path(path), max_records)
    pipeline = NaivePipeline()
    process = pipeline.process
    start = time.perf_counter()
    for line in lines:
        process(line)
    seconds = time.perf_counter() - start
    return {
        "records": pipeline.records,
        "invalid": pipeline.invalid,
        "alerts": pipeline.alerts,
        "seconds": seconds,
        "records_per_s": pipeline.records / seconds if seconds > 0 else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("file", type=Path, help="JSON Lines request log (.gz accepted)")
    parser.add_argument(
        "--max-records", type=int, default=None, help="time only the first N lines of the file"
    )
    args = parser.parse_args(argv)
    result = naive_rate(args.file, args.max_records)
    print(
        f"naive pipeline: {result['records']:.0f} records in {result['seconds']:.2f} s = "
        f"{result['records_per_s']:,.0f} records/s "
        f"({result['invalid']:.0f} invalid, {result['alerts']:.0f} alerts)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
