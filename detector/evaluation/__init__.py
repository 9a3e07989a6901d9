"""Offline evaluation of a detector run against ground-truth labels.

Typical use after a replay::

    labels = read_labels(Path("labels.csv"))
    report = write_report(out_dir, labels, outcomes, baseline_first_flag,
                          "per-account rate limit", run_facts, threshold=0.8)
    print(report.markdown_path, report.detector.attack_recall)
"""

from detector.evaluation.campaigns import CampaignMatch, CampaignMetrics, score_campaigns
from detector.evaluation.labels import (
    ATTACK_LABELS,
    HIGH_VOLUME_LABELS,
    AccountClass,
    Label,
    classify_label,
    read_labels,
)
from detector.evaluation.metrics import (
    DetectionMetrics,
    LabelCounts,
    LatencySummary,
    score_detector,
)
from detector.evaluation.outcomes import AccountOutcome
from detector.evaluation.report import EvaluationReport, EvaluationTargets, write_report
from detector.evaluation.sweep import ThresholdSweep, threshold_sweep

__all__ = [
    "ATTACK_LABELS",
    "HIGH_VOLUME_LABELS",
    "AccountClass",
    "AccountOutcome",
    "CampaignMatch",
    "CampaignMetrics",
    "DetectionMetrics",
    "EvaluationReport",
    "EvaluationTargets",
    "Label",
    "LabelCounts",
    "LatencySummary",
    "ThresholdSweep",
    "classify_label",
    "read_labels",
    "score_campaigns",
    "score_detector",
    "threshold_sweep",
    "write_report",
]
