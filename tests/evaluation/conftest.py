"""Shared fixtures for the evaluation tests."""

from __future__ import annotations

import pytest

from detector.evaluation import AccountOutcome, Label


@pytest.fixture(scope="session")
def hand_labels() -> dict[str, Label]:
    """Seven attack, three high-volume and six benign accounts."""
    rows = {
        "h1": ("hydra", "c1"),
        "h2": ("hydra", "c1"),
        "h3": ("hydra", "c1"),
        "h4": ("hydra", "c1"),
        "s1": ("scraper", "c2"),
        "s2": ("scraper", "c2"),
        "l1": ("slow_and_low", "c3"),
        "e1": ("enterprise", None),
        "e2": ("enterprise", None),
        "v1": ("high_volume", None),
        "u1": ("normal", None),
        "u2": ("normal", None),
        "u3": ("normal", None),
        "u4": ("normal", None),
        "u5": ("normal", None),
        "p1": ("power_user", None),
    }
    return {a: Label(lab, camp) for a, (lab, camp) in rows.items()}


@pytest.fixture(scope="session")
def hand_outcomes() -> dict[str, AccountOutcome]:
    """Detector outcomes for ``hand_labels``; l1 never appears, x1/x2 are unlabelled.

    Alerted: h1 (ttd 60 s), h2 (180 s), h3 (300 s), s1 (30 s), e1, u1, x1.
    """
    o = AccountOutcome
    return {
        "h1": o(first_ts=100.0, max_score=0.90, first_alert_ts=160.0),
        "h2": o(first_ts=100.0, max_score=0.85, first_alert_ts=280.0),
        "h3": o(first_ts=200.0, max_score=0.95, first_alert_ts=500.0),
        "h4": o(first_ts=100.0, max_score=0.40, first_alert_ts=None),
        "s1": o(first_ts=0.0, max_score=0.99, first_alert_ts=30.0),
        "s2": o(first_ts=0.0, max_score=0.70, first_alert_ts=None),
        "e1": o(first_ts=0.0, max_score=0.82, first_alert_ts=1000.0),
        "e2": o(first_ts=0.0, max_score=0.30, first_alert_ts=None),
        "v1": o(first_ts=0.0, max_score=0.20, first_alert_ts=None),
        "u1": o(first_ts=0.0, max_score=0.81, first_alert_ts=50.0),
        "u2": o(first_ts=0.0, max_score=0.10, first_alert_ts=None),
        "u3": o(first_ts=0.0, max_score=0.05, first_alert_ts=None),
        "u4": o(first_ts=0.0, max_score=0.00, first_alert_ts=None),
        "u5": o(first_ts=0.0, max_score=0.15, first_alert_ts=None),
        "p1": o(first_ts=0.0, max_score=0.50, first_alert_ts=None),
        "x1": o(first_ts=0.0, max_score=0.97, first_alert_ts=10.0),
        "x2": o(first_ts=0.0, max_score=0.10, first_alert_ts=None),
    }
