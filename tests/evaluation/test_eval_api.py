"""The evaluation package's public surface."""

from __future__ import annotations


def test_public_api() -> None:
    import detector.evaluation as ev

    assert sorted(ev.__all__) == sorted(
        [
            "ATTACK_LABELS",
            "HIGH_VOLUME_LABELS",
            "CampaignMatch",
            "CampaignMetrics",
            "score_campaigns",
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
