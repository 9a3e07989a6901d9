"""Writing the Markdown report, metrics.json and the PNG plots."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from detector.evaluation import (
    AccountOutcome,
    DetectionMetrics,
    EvaluationReport,
    EvaluationTargets,
    Label,
    write_report,
)
from detector.evaluation.markdown import format_minutes, format_rate

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PLOT_NAMES = ["score_distribution.png", "precision_recall.png", "time_to_detect.png"]

# The rate limiter catches the bulk customers and one scraper, no hydra.
BASELINE = {"e1": 20.0, "e2": 40.0, "v1": 60.0, "s1": 120.0, "s2": None, "x2": 5.0}
RUN_FACTS: dict[str, object] = {
    "input": Path("replays/day1.jsonl.gz"),
    "records": 1_234_567,
    "rejects": 3,
    "accounts": 17,
    "alerts": 7,
    "records/s": 45678.9,
    "config_hash": "deadbeef",
    "note": "a|b",
    "speed_up": math.nan,
}


@pytest.fixture(scope="module")
def report(
    tmp_path_factory: pytest.TempPathFactory,
    hand_labels: dict[str, Label],
    hand_outcomes: dict[str, AccountOutcome],
) -> EvaluationReport:
    # Plotting dominates the cost, so the read-only tests share one report.
    return write_report(
        tmp_path_factory.mktemp("report") / "out",
        hand_labels,
        hand_outcomes,
        BASELINE,
        "rate limit 600 req/h",
        RUN_FACTS,
        threshold=0.8,
    )


def test_files_written(report: EvaluationReport) -> None:
    out = report.markdown_path.parent
    assert out.name == "out"
    assert report.markdown_path == out / "report.md"
    assert report.metrics_path == out / "metrics.json"
    assert [p.name for p in report.plots] == PLOT_NAMES
    for png in report.plots:
        data = png.read_bytes()
        assert data.startswith(PNG_MAGIC)
        assert len(data) > 10_000, f"{png.name} looks empty"


def test_baseline_scored_from_detector_first_seen(report: EvaluationReport) -> None:
    b = report.baseline
    assert (b.attack_alerted, b.high_volume_alerted, b.benign_alerted) == (1, 3, 0)
    assert b.high_volume_fpr == 1.0
    assert b.precision == 0.25
    assert b.time_to_detect_s == {"s1": 120.0}
    assert b.unlabelled_alerted == 1
    assert report.detector.attack_alerted == 4


def test_markdown_headline_table(report: EvaluationReport) -> None:
    text = report.markdown_path.read_text(encoding="utf-8")
    expected_rows = [
        "| Metric | Detector | Baseline (rate limit 600 req/h) |",
        "| Attack-account recall | 57.14% (4/7) | 14.29% (1/7) |",
        "| Recall: hydra | 75.00% (3/4) | 0.00% (0/4) |",
        "| Recall: scraper | 50.00% (1/2) | 50.00% (1/2) |",
        "| Recall: slow_and_low | 0.00% (0/1) | 0.00% (0/1) |",
        "| Benign FPR | 16.67% (1/6) | 0.00% (0/6) |",
        "| High-volume FPR | 33.33% (1/3) | 100.00% (3/3) |",
        "| Precision | 66.67% (4/6) | 25.00% (1/4) |",
        "| Median time to detect | 2.00 min | 2.00 min |",
        "| p90 time to detect | 4.40 min | 2.00 min |",
        "| Alerted accounts not in labels | 1 | 1 |",
    ]
    for row in expected_rows:
        assert row in text, row


def test_markdown_header_labels_and_images(report: EvaluationReport) -> None:
    text = report.markdown_path.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "| records | 1,234,567 |" in text
    assert "| records/s | 45,678.9 |" in text
    assert "| input | replays/day1.jsonl.gz |" in text
    assert "| note | a\\|b |" in text
    assert "| alert threshold | 0.8 |" in text
    assert "| hydra | attack | 4 | 75.00% (3/4) | 0.00% (0/4) | 3.00 min | n/a |" in text
    assert "| enterprise | high_volume | 2 | 50.00% (1/2) | 100.00% (2/2) | — | — |" in text
    for name in PLOT_NAMES:
        assert f"]({name})" in text


def test_metrics_json_round_trips(report: EvaluationReport) -> None:
    data = json.loads(report.metrics_path.read_text(encoding="utf-8"))
    assert DetectionMetrics.from_dict(data["detector"]) == report.detector
    assert DetectionMetrics.from_dict(data["baseline"]) == report.baseline
    assert data["threshold"] == 0.8
    assert data["baseline_name"] == "rate limit 600 req/h"
    assert data["run_facts"]["input"] == "replays/day1.jsonl.gz"
    assert data["run_facts"]["records"] == 1_234_567
    assert data["run_facts"]["speed_up"] == "nan"


def test_overwrites_existing_report(
    tmp_path: Path, hand_labels: dict[str, Label], hand_outcomes: dict[str, AccountOutcome]
) -> None:
    (tmp_path / "report.md").write_text("stale", encoding="utf-8")
    (tmp_path / "score_distribution.png").write_bytes(b"stale")
    again = write_report(tmp_path, hand_labels, hand_outcomes, {}, "none", {}, 0.5)
    text = again.markdown_path.read_text(encoding="utf-8")
    assert "Baseline (none)" in text
    assert again.baseline.attack_alerted == 0
    assert again.plots[0].read_bytes().startswith(PNG_MAGIC)


def test_report_without_attacks_or_high_volume(tmp_path: Path) -> None:
    labels = {"u1": Label("normal", None), "u2": Label("normal", None)}
    outcomes = {
        "u1": AccountOutcome(0.0, 0.2, None),
        "u2": AccountOutcome(0.0, 0.9, 30.0),
    }
    r = write_report(tmp_path, labels, outcomes, {}, "rate limit", {}, threshold=0.8)
    text = r.markdown_path.read_text(encoding="utf-8")
    assert "| Attack-account recall | n/a (0/0) | n/a (0/0) |" in text
    assert "| High-volume FPR | n/a (0/0) | n/a (0/0) |" in text
    assert "| Precision | 0.00% (0/1) | n/a (0/0) |" in text
    assert "| Median time to detect | n/a | n/a |" in text
    assert all(p.stat().st_size > 0 for p in r.plots)
    data = json.loads(r.metrics_path.read_text(encoding="utf-8"))
    assert data["detector"]["attack_recall"] is None


def test_report_with_no_labels(tmp_path: Path) -> None:
    outcomes = {"x": AccountOutcome(0.0, 0.9, 1.0)}
    r = write_report(tmp_path, {}, outcomes, {}, "rate limit", {}, threshold=0.8)
    assert r.detector.unlabelled_alerted == 1
    assert all(p.read_bytes().startswith(PNG_MAGIC) for p in r.plots)


def test_label_overrides_reach_the_report(tmp_path: Path) -> None:
    labels = {"a": Label("bot", None), "b": Label("normal", None)}
    outcomes = {"a": AccountOutcome(0.0, 0.9, 60.0), "b": AccountOutcome(0.0, 0.1, None)}
    r = write_report(tmp_path, labels, outcomes, {}, "none", {}, 0.5, attack_labels={"bot"})
    assert r.detector.recall_by_label == {"bot": 1.0}
    assert "| Recall: bot | 100.00% (1/1) | 0.00% (0/1) |" in r.markdown_path.read_text()


def test_targets(report: EvaluationReport) -> None:
    assert report.passed(EvaluationTargets())
    assert report.passed(EvaluationTargets(min_attack_recall=0.5, max_median_ttd_s=120.0))
    failures = report.failures(
        EvaluationTargets(min_attack_recall=0.6, max_benign_fpr=0.1, max_p90_ttd_s=264.0)
    )
    assert failures == [
        "attack recall = 0.5714, target >= 0.6",
        "benign FPR = 0.1667, target <= 0.1",
    ]
    assert not report.passed(EvaluationTargets(min_precision=0.7))


def test_target_on_undefined_metric_fails(tmp_path: Path) -> None:
    labels = {"u": Label("normal", None)}
    r = write_report(tmp_path, labels, {}, {}, "none", {}, 0.5)
    assert r.failures(EvaluationTargets(max_high_volume_fpr=0.01)) == [
        "high-volume FPR is n/a, target <= 0.01"
    ]


def test_formatting_helpers() -> None:
    assert format_rate(1, 3) == "33.33% (1/3)"
    assert format_rate(1, 1_000_000) == "0.0001% (1/1,000,000)"
    assert format_minutes(30.0) == "0.50 min"
    assert format_minutes(3600.0) == "60.0 min"
