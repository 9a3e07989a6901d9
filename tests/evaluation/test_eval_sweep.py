"""Threshold sweep over max risk scores."""

from __future__ import annotations

import numpy as np
import pytest

from detector.evaluation import Label, threshold_sweep
from detector.evaluation.sweep import DEFAULT_THRESHOLDS

NAN = float("nan")


def _labels() -> dict[str, Label]:
    return {
        "a1": Label("hydra", None),
        "a2": Label("scraper", None),
        "a3": Label("hydra", None),  # absent from the scores: scores 0
        "b1": Label("normal", None),
        "b2": Label("normal", None),
        "e1": Label("enterprise", None),
    }


def test_hand_computed_points() -> None:
    scores = {"a1": 0.9, "a2": 0.5, "b1": 0.6, "b2": 0.1, "e1": 0.95, "x": 1.0}
    s = threshold_sweep(_labels(), scores, thresholds=[0.96, 0.0, 0.5, 0.6, 0.9])
    assert s.thresholds.tolist() == [0.0, 0.5, 0.6, 0.9, 0.96]
    np.testing.assert_allclose(s.attack_recall, [1.0, 2 / 3, 1 / 3, 1 / 3, 0.0])
    np.testing.assert_allclose(s.benign_fpr, [1.0, 0.5, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(s.high_volume_fpr, [1.0, 1.0, 1.0, 1.0, 0.0])
    # Unlabelled "x" never counts; nothing alerted at 0.96 leaves precision undefined.
    np.testing.assert_allclose(s.precision, [0.5, 0.5, 1 / 3, 0.5, NAN])


def test_empty_classes_are_nan() -> None:
    s = threshold_sweep({"b": Label("normal", None)}, {"b": 0.3}, thresholds=[0.0, 0.5])
    assert np.isnan(s.attack_recall).all()
    assert np.isnan(s.high_volume_fpr).all()
    np.testing.assert_allclose(s.benign_fpr, [1.0, 0.0])
    np.testing.assert_allclose(s.precision, [0.0, NAN])


def test_default_grid() -> None:
    s = threshold_sweep(_labels(), {})
    np.testing.assert_array_equal(s.thresholds, DEFAULT_THRESHOLDS)
    assert s.thresholds[0] == 0.0 and s.thresholds[-1] == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rates_are_non_increasing_in_threshold(seed: int) -> None:
    rng = np.random.default_rng(seed)
    kinds = rng.choice(["hydra", "scraper", "normal", "enterprise"], size=2_000)
    labels = {f"a{i}": Label(str(k), None) for i, k in enumerate(kinds)}
    # Ties on purpose: rounded scores collide with grid points.
    scores = {a: float(np.round(rng.random(), 2)) for a in labels}
    s = threshold_sweep(labels, scores)
    for rates in (s.attack_recall, s.benign_fpr, s.high_volume_fpr):
        assert np.all(np.diff(rates) <= 0.0)
    assert s.attack_recall[0] == 1.0
