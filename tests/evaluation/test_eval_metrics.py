"""Scoring alerts against labels, with every expected value worked out by hand."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from detector.evaluation import (
    AccountClass,
    AccountOutcome,
    DetectionMetrics,
    Label,
    LabelCounts,
    LatencySummary,
    score_detector,
    threshold_sweep,
)
from detector.evaluation.metrics import summarise_latency


def _score(labels: dict[str, Label], outcomes: dict[str, AccountOutcome]) -> DetectionMetrics:
    return score_detector(
        labels,
        {a: o.first_alert_ts for a, o in outcomes.items()},
        {a: o.first_ts for a, o in outcomes.items()},
    )


def test_hand_computed_rates(
    hand_labels: dict[str, Label], hand_outcomes: dict[str, AccountOutcome]
) -> None:
    m = _score(hand_labels, hand_outcomes)
    # Attack: h1 h2 h3 s1 alerted out of h1-h4, s1, s2, l1 (l1 never seen).
    assert (m.attack_accounts, m.attack_alerted) == (7, 4)
    assert m.attack_recall == pytest.approx(4 / 7)
    assert m.recall_by_label == {"hydra": 0.75, "scraper": 0.5, "slow_and_low": 0.0}
    # Benign: u1 of u1-u5, p1.  High-volume: e1 of e1, e2, v1.
    assert (m.benign_accounts, m.benign_alerted) == (6, 1)
    assert m.benign_fpr == pytest.approx(1 / 6)
    assert (m.high_volume_accounts, m.high_volume_alerted) == (3, 1)
    assert m.high_volume_fpr == pytest.approx(1 / 3)
    # 4 attack alerts among 6 labelled alerts; unlabelled x1 is left out.
    assert m.precision == pytest.approx(4 / 6)
    assert m.unlabelled_alerted == 1
    assert m.ttd_unknown_start == 0


def test_hand_computed_label_counts(
    hand_labels: dict[str, Label], hand_outcomes: dict[str, AccountOutcome]
) -> None:
    m = _score(hand_labels, hand_outcomes)
    atk, hv, ben = AccountClass.ATTACK, AccountClass.HIGH_VOLUME, AccountClass.BENIGN
    assert m.label_counts == {
        "hydra": LabelCounts(atk, 4, 3),
        "scraper": LabelCounts(atk, 2, 1),
        "slow_and_low": LabelCounts(atk, 1, 0),
        "enterprise": LabelCounts(hv, 2, 1),
        "high_volume": LabelCounts(hv, 1, 0),
        "normal": LabelCounts(ben, 5, 1),
        "power_user": LabelCounts(ben, 1, 0),
    }
    assert list(m.label_counts) == [
        "hydra",
        "scraper",
        "slow_and_low",
        "enterprise",
        "high_volume",
        "normal",
        "power_user",
    ]
    assert m.label_counts["enterprise"].rate == 0.5


def test_hand_computed_time_to_detect(
    hand_labels: dict[str, Label], hand_outcomes: dict[str, AccountOutcome]
) -> None:
    m = _score(hand_labels, hand_outcomes)
    assert m.time_to_detect_s == {"h1": 60.0, "h2": 180.0, "h3": 300.0, "s1": 30.0}
    # Sorted 30, 60, 180, 300: median (60+180)/2; p90 at rank 2.7 -> 180 + 0.7*120.
    assert (m.ttd.count, m.ttd.median_s) == (4, 120.0)
    assert m.ttd.p90_s == pytest.approx(264.0)
    assert (m.median_ttd_s, m.p90_ttd_s) == (m.ttd.median_s, m.ttd.p90_s)
    # Hydra 60, 180, 300: p90 at rank 1.8 -> 180 + 0.8*120.
    hydra = m.ttd_by_label["hydra"]
    assert (hydra.count, hydra.median_s) == (3, 180.0)
    assert hydra.p90_s == pytest.approx(276.0)
    assert m.ttd_by_label["scraper"] == LatencySummary(1, 30.0, 30.0)
    assert m.ttd_by_label["slow_and_low"] == LatencySummary(0, None, None)


def test_not_alerted_when_none_nan_or_missing() -> None:
    labels = {"a": Label("hydra", None), "b": Label("hydra", None), "c": Label("hydra", None)}
    m = score_detector(labels, {"a": None, "b": math.nan}, {"a": 0.0, "b": 0.0})
    assert (m.attack_accounts, m.attack_alerted) == (3, 0)
    assert m.attack_recall == 0.0
    assert m.precision is None
    assert m.ttd == LatencySummary(0, None, None)


def test_empty_classes_give_none_not_division_errors() -> None:
    labels = {"u1": Label("normal", None), "u2": Label("normal", None)}
    m = score_detector(labels, {"u2": 5.0}, {"u1": 0.0, "u2": 0.0})
    assert m.attack_recall is None
    assert m.high_volume_fpr is None
    assert m.recall_by_label == {}
    assert m.ttd_by_label == {}
    assert m.benign_fpr == 0.5
    assert m.precision == 0.0


def test_no_labels_at_all() -> None:
    m = score_detector({}, {"x": 1.0}, {"x": 0.0})
    assert m.label_counts == {}
    assert (m.attack_recall, m.benign_fpr, m.high_volume_fpr, m.precision) == (
        None,
        None,
        None,
        None,
    )
    assert m.unlabelled_alerted == 1


def test_unlabelled_alerts_do_not_touch_precision() -> None:
    labels = {"a": Label("scraper", None)}
    m = score_detector(labels, {"a": 2.0, "x": 1.0, "y": 3.0, "z": None}, {"a": 0.0})
    assert m.precision == 1.0
    assert m.unlabelled_alerted == 2


def test_alert_before_first_seen_counts_as_zero_delay() -> None:
    m = score_detector({"a": Label("hydra", None)}, {"a": 90.0}, {"a": 100.0})
    assert m.time_to_detect_s == {"a": 0.0}


def test_unknown_start_counts_for_recall_not_latency() -> None:
    labels = {"a": Label("hydra", None), "b": Label("hydra", None)}
    m = score_detector(labels, {"a": 50.0, "b": 70.0}, {"a": 20.0})
    assert m.attack_recall == 1.0
    assert m.time_to_detect_s == {"a": 30.0}
    assert m.ttd_unknown_start == 1


def test_label_overrides() -> None:
    labels = {"a": Label("bot", None), "b": Label("hydra", None), "c": Label("whale", None)}
    m = score_detector(
        labels,
        {"a": 1.0, "c": 1.0},
        {"a": 0.0, "b": 0.0, "c": 0.0},
        attack_labels={"bot"},
        high_volume_labels={"whale"},
    )
    assert m.recall_by_label == {"bot": 1.0}
    assert m.label_counts["hydra"].account_class is AccountClass.BENIGN
    assert (m.benign_fpr, m.high_volume_fpr, m.precision) == (0.0, 1.0, 0.5)


def test_summarise_latency_exact() -> None:
    assert summarise_latency([10.0]) == LatencySummary(1, 10.0, 10.0)
    s = summarise_latency(np.arange(1.0, 11.0))
    assert (s.count, s.median_s) == (10, 5.5)
    assert s.p90_s == pytest.approx(9.1)


def test_to_dict_round_trips_through_json(
    hand_labels: dict[str, Label], hand_outcomes: dict[str, AccountOutcome]
) -> None:
    m = _score(hand_labels, hand_outcomes)
    text = json.dumps(m.to_dict(), allow_nan=False)
    back = DetectionMetrics.from_dict(json.loads(text))
    assert back == m
    assert back.to_dict() == m.to_dict()
    data = json.loads(text)
    assert data["label_counts"]["hydra"] == {
        "account_class": "attack",
        "accounts": 4,
        "alerted": 3,
    }
    assert data["ttd_by_label"]["slow_and_low"] == {"count": 0, "median_s": None, "p90_s": None}


def test_empty_metrics_round_trip() -> None:
    m = score_detector({}, {}, {})
    assert DetectionMetrics.from_dict(json.loads(json.dumps(m.to_dict()))) == m


def test_100k_accounts_score_well_under_a_second() -> None:
    rng = np.random.default_rng(7)
    n = 100_000
    names = np.array(["normal", "enterprise", "hydra", "scraper", "slow_and_low"])
    picks = rng.choice(names, size=n, p=[0.95, 0.01, 0.02, 0.01, 0.01])
    labels = {f"acct-{i}": Label(str(lab), None) for i, lab in enumerate(picks)}
    scores = rng.random(n)
    first_seen = {a: float(i) for i, a in enumerate(labels)}
    first_alert = {
        a: (first_seen[a] + 60.0 if s > 0.9 else None) for a, s in zip(labels, scores, strict=True)
    }
    max_scores = dict(zip(labels, scores.tolist(), strict=True))

    start = time.perf_counter()
    m = score_detector(labels, first_alert, first_seen)
    sweep = threshold_sweep(labels, max_scores)
    elapsed = time.perf_counter() - start

    assert m.attack_accounts + m.benign_accounts + m.high_volume_accounts == n
    assert sweep.thresholds.size == 201
    assert elapsed < 1.0, f"scoring 100k accounts took {elapsed:.2f} s"
