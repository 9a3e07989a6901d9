"""The benchmark suite's plumbing: traffic forms, the stage clock, targets and the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from benchmarks import suite
from benchmarks.replay_throughput import STAGES, staged_run
from benchmarks.traffic import compress_time
from detector.config import Config
from tests.conftest import record


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in records))


def test_compressed_traffic_keeps_records_and_order(tmp_path: Path) -> None:
    records = [
        record(f"a{i % 3}", ts=1_767_225_600 + 60 * i, completion_tokens=i) for i in range(10)
    ]
    _write(tmp_path / "in.jsonl", records)
    compress_time(tmp_path / "in.jsonl", tmp_path / "out.jsonl", rate=1000)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["ts"] for r in out] == pytest.approx([1_767_225_600 + i / 1000 for i in range(10)])
    assert [{**r, "ts": 0} for r in out] == [{**r, "ts": 0} for r in records]


def test_stage_clock_accounts_for_a_whole_run(tmp_path: Path) -> None:
    records = [
        record(f"a{i % 20}", ts=1_767_225_600 + 5 * i, prompt_text=f"explain {i % 7}")
        for i in range(3000)
    ]
    _write(tmp_path / "in.jsonl", records)
    seconds = staged_run(tmp_path / "in.jsonl", Config(), tmp_path / "alerts.jsonl")
    assert list(seconds) == list(STAGES)
    assert all(s >= 0 for s in seconds.values())
    for stage in ("read", "decode", "fingerprint", "state", "scoring", "campaign_signatures"):
        assert seconds[stage] > 0, stage


def _results() -> dict[str, dict[str, Any] | None]:
    def replay(rate: float) -> dict[str, Any]:
        return {
            "records": 1000,
            "raw_decode": 400_000.0,
            "naive": 10_000.0,
            "replay": rate,
            "evaluations": 10,
            "replay_vs_raw_decode": rate / 400_000,
            "replay_vs_naive": rate / 10_000,
            "stages": dict.fromkeys(STAGES, 1e6),
            "stage_seconds": dict.fromkeys(STAGES, 0.001),
        }

    def client(run: float) -> dict[str, float]:
        return {
            "client_consume": 100_000.0,
            "raw_consume": 200_000.0,
            "run": run,
            "run_vs_client": run / 100_000,
            "run_vs_raw": run / 200_000,
            "run_runs": [run * 0.8, run, run * 0.9],
        }

    runs = {
        "text, as recorded": 20_000.0,
        "text, at 100k/s": 70_000.0,
        "no text, as recorded": 30_000.0,
        "no text, at 100k/s": 90_000.0,
    }
    return {
        "replay_throughput": {
            "scale": 0.25,
            "results": {
                "text, as recorded": replay(30_000),
                "text, at 100k/s": replay(160_000),
                "no text, as recorded": replay(40_000),
                "no text, at 100k/s": replay(120_000),
            },
        },
        "run_throughput": {
            "records": dict.fromkeys(runs, 1000),
            "results": {
                variant: {"kafka-python": client(run), "confluent-kafka": client(run)}
                for variant, run in runs.items()
            },
        },
        "memory_per_account": {
            "results": {
                "1000000": {
                    "accounts": 1_000_000,
                    "requests_per_account": 8,
                    "bytes_per_account": 1500.0,
                    "rss_delta": 1.5e9,
                    "bytes_per_account_trimmed": 1400.0,
                }
            },
            "heavy": {
                "100000": {
                    "accounts": 100_000,
                    "requests_per_account": 16,
                    "bytes_per_account": 5100.0,
                    "rss_delta": 5.1e8,
                    "bytes_per_account_trimmed": 4400.0,
                }
            },
        },
        "latency": None,
        "campaign_scale": None,
        "scoring_cost": {
            "accounts": 2000,
            "steps": 24,
            "results": {
                "16": {"step_seconds": 0.0008, "per_account_us": 50.0},
                "1024": {"step_seconds": 0.0098, "per_account_us": 9.6},
            },
            "fixed_ms": 0.66,
            "marginal_us": 8.9,
            "river_us": 35.6,
            "river_vs_marginal": 4.0,
        },
    }


def test_targets_judge_each_traffic_form() -> None:
    found = {t.name: t for t in suite.targets(_results())}
    text = found["replay, with prompt_text"]
    assert text.measured == (30_000, 160_000)
    assert [text.met(v) for v in text.measured] == [False, True]
    kafka_python = found["run / the client's own consume, kafka-python, no prompt_text"]
    assert kafka_python.measured == (0.3, 0.9)
    assert [kafka_python.met(v) for v in kafka_python.measured] == [False, True]
    assert found["run / the client's own consume, kafka-python, with prompt_text"].measured == (
        0.2,
        0.7,
    )
    assert found["run, confluent-kafka, with prompt_text"].measured == (20_000, 70_000)
    memory = found["RSS per tracked account at 1 M accounts"]
    assert memory.measured == (1500.0, None) and memory.met(1500.0) is True
    for form in ("gateway fingerprints", "with prompt_text"):
        latency = found[f"p99 event-to-alert latency at 100 k rec/s, {form}"]
        assert latency.measured == (None, None) and latency.met(None) is None


def _latency_row(prompt_text: float, rate: float, p99: float) -> dict[str, float]:
    return {
        "prompt_text": prompt_text,
        "rate": rate,
        "input_rate": rate,
        "processed_rate": rate * 0.9,
        "alerts": 100.0,
        "latency_p50": p99 / 2,
        "latency_p90": p99 * 0.9,
        "latency_p99": p99,
        "latency_max": p99 * 1.1,
        "lag_end": 10.0,
        "cores_detector": 0.8,
        "cores_producer": 0.3,
        "cores_broker": 0.5,
    }


def test_the_latency_target_is_judged_per_input_form_at_100k() -> None:
    results = _results()
    results["latency"] = {
        "results": [
            _latency_row(0.0, 5_000, 9.0),  # another rate: not the target's
            _latency_row(0.0, 100_000, 0.4),
            _latency_row(1.0, 100_000, 12.0),
        ]
    }
    found = {t.name: t for t in suite.targets(results)}
    fingerprints = found["p99 event-to-alert latency at 100 k rec/s, gateway fingerprints"]
    text = found["p99 event-to-alert latency at 100 k rec/s, with prompt_text"]
    assert fingerprints.measured == (None, 0.4) and fingerprints.met(0.4) is True
    assert text.measured == (None, 12.0) and text.met(12.0) is False
    assert "on 0.80 cores" in fingerprints.baseline
    report = "\n".join(suite.report_lines(results))
    assert "| fingerprint | 100,000/s |" in report and "| text | 100,000/s |" in report
    assert "| 0.80 / 0.30 / 0.50 |" in report


def test_report_replaces_only_the_results_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Benchmarks\n\nintro\n\n{suite.BEGIN}\nold\n{suite.END}\n\nfooter\n")
    suite.update_readme(suite.report_lines(_results()), readme)
    text = readme.read_text()
    assert text.startswith("# Benchmarks\n\nintro\n") and text.endswith("\n\nfooter\n")
    assert "old" not in text
    assert (
        "| replay, with prompt_text | ≥ 150,000 rec/s | 30,000 rec/s **short** | "
        "160,000 rec/s met |" in text
    )
    assert "| 1,000,000 | 8 | 1,431 MiB | 1,500 | 1,400 |" in text
    assert "| 1,024 | 9.80 | 9.6 |" in text
    # The run table shows the spread of the runs beside the best.
    assert "| 70,000 | 56–70 k | 70.0% |" in text
    assert "**0.66 ms per step + 8.9 µs per account scored**" in text
    suite.plot(_results(), tmp_path / "plot.png")
    assert (tmp_path / "plot.png").stat().st_size > 10_000


def test_the_memory_table_shows_the_busy_accounts_beside_the_target_size() -> None:
    results = _results()
    report = "\n".join(suite.report_lines(results))
    assert "| 100,000 | 16 | 486 MiB | 5,100 | 4,400 |" in report
    # The target is judged on the light accounts at 1 M only.
    memory = {t.name: t for t in suite.targets(results)}["RSS per tracked account at 1 M accounts"]
    assert memory.measured == (1500.0, None)
