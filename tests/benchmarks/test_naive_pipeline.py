"""The naive river pipeline used as the throughput baseline (benchmarks/naive_pipeline.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import naive_pipeline as naive

T0 = 1_767_225_600.0


def _records(n: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in range(n):
        account = f"acct_{i % 3}"
        rec: dict[str, object] = {
            "ts": T0 + i * 0.5,
            "account_id": account,
            "prompt_tokens": 100 + (i * 37) % 900,
            "completion_tokens": 20 + (i * 13) % 400,
            "finish_reason": "length" if i % 7 == 0 else "stop",
        }
        if i % 2:
            rec["prompt_text"] = f"Summarise   ticket {i % 11}\nPlease"
        else:
            rec["prompt_fingerprint"] = f"{i % 5:016x}"
        out.append(rec)
    return out


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    lines = [json.dumps(r) for r in _records(300)]
    lines.insert(150, '{"ts": 1, "account_id": ')  # invalid JSON
    lines.insert(10, "")  # blank lines are skipped by the reader
    path = tmp_path / "traffic.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_naive_rate_counts_records(jsonl: Path) -> None:
    result = naive.naive_rate(jsonl)
    assert result["records"] == 300
    assert result["invalid"] == 1
    assert result["records_per_s"] > 0
    assert result["alerts"] >= 0


def test_max_records_takes_a_prefix(jsonl: Path) -> None:
    result = naive.naive_rate(jsonl, max_records=100)
    assert result["records"] == 100
    assert result["invalid"] == 0


def test_rejects_are_not_processed() -> None:
    pipeline = naive.NaivePipeline()
    assert pipeline.process(b"not json") is None
    assert pipeline.process(b"[1, 2]") is None
    assert pipeline.process(b'{"ts": 1}') is None  # no account_id
    assert pipeline.process(b'{"account_id": "a", "ts": "yesterday"}') is None
    assert pipeline.process(b'{"account_id": "a", "ts": 1, "prompt_tokens": -3}') is None
    assert pipeline.process(b'{"account_id": "a", "ts": "2026-01-01T00:00:00Z"}') is not None
    assert (pipeline.invalid, pipeline.records) == (5, 1)


def test_model_is_fed_every_record() -> None:
    window = 20
    pipeline = naive.NaivePipeline(window_size=window)
    scores = [pipeline.process(json.dumps(r).encode()) for r in _records(3 * window)]
    assert all(s is not None for s in scores)
    # HalfSpaceTrees scores 0 until it has learned one full window, then real scores.
    assert scores[:window] == [0] * window
    assert any(s is not None and s > 0 for s in scores[window:])
    assert all(s is not None and 0.0 <= s <= 1.0 for s in scores)
    assert set(pipeline.accounts) == {"acct_0", "acct_1", "acct_2"}
    assert pipeline.accounts["acct_0"].count == window


def test_uses_the_detector_anomaly_parameters() -> None:
    from detector.config import AnomalyConfig

    defaults = AnomalyConfig()
    model = naive.NaivePipeline().model
    assert (model.n_trees, model.height, model.window_size, model.seed) == (
        defaults.n_trees,
        defaults.height,
        defaults.window_size,
        defaults.seed,
    )
