"""Keep the docstring examples of the evaluation package runnable."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "detector.evaluation.labels",
    "detector.evaluation.outcomes",
    "detector.evaluation.metrics",
    "detector.evaluation.sweep",
    "detector.evaluation.markdown",
    "detector.evaluation.plots",
    "detector.evaluation.report",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_public_api() -> None:
    import detector.evaluation as ev

    assert sorted(ev.__all__) == sorted(
        [
            "ATTACK_LABELS",
            "HIGH_VOLUME_LABELS",
            "AccountClass",
            "AccountOutcome",
            "DetectionMetrics",
            "EvaluationReport",
            "EvaluationTargets",
            "Label",
            "LabelCounts",
            "LatencySummary",
            "ThresholdSweep",
            "classify_label",
            "read_labels",
            "score_detector",
            "threshold_sweep",
            "write_report",
        ]
    )
    for name in ev.__all__:
        assert getattr(ev, name) is not None
