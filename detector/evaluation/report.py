"""Writing the evaluation report: metrics, plots, Markdown and JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detector.evaluation.campaigns import CampaignMetrics
from detector.evaluation.labels import ATTACK_LABELS, HIGH_VOLUME_LABELS, Label
from detector.evaluation.markdown import render_markdown
from detector.evaluation.metrics import DetectionMetrics, score_detector
from detector.evaluation.outcomes import AccountOutcome
from detector.evaluation.plots import (
    plot_precision_recall,
    plot_score_distribution,
    plot_time_to_detect,
)
from detector.evaluation.sweep import threshold_sweep

__all__ = ["EvaluationReport", "EvaluationTargets", "write_report"]

REPORT_NAME = "report.md"
METRICS_NAME = "metrics.json"


@dataclass(frozen=True)
class EvaluationTargets:
    """Acceptance targets for the detector; ``None`` leaves a metric unchecked.

    A target on a metric that is undefined for the run (e.g. a high-volume
    FPR target on a replay without high-volume accounts) is *not met*: a
    gate should not pass on evidence the replay never produced.
    """

    min_attack_recall: float | None = None
    max_benign_fpr: float | None = None
    max_high_volume_fpr: float | None = None
    min_precision: float | None = None
    max_median_ttd_s: float | None = None
    max_p90_ttd_s: float | None = None


@dataclass(frozen=True)
class EvaluationReport:
    """What :func:`write_report` computed and where it wrote it.

    Attributes
    ----------
    detector, baseline : DetectionMetrics
        Scores of the detector's alerts and of the baseline's flags.
    markdown_path : pathlib.Path
        The Markdown report.
    metrics_path : pathlib.Path
        ``metrics.json`` with both metric sets, the run facts and threshold.
    plots : list of pathlib.Path
        PNG files embedded in the report.
    """

    detector: DetectionMetrics
    baseline: DetectionMetrics
    markdown_path: Path
    metrics_path: Path
    plots: list[Path]
    campaigns: CampaignMetrics | None = None

    def failures(self, targets: EvaluationTargets) -> list[str]:
        """Describe every target the detector misses; empty when all are met.

        Examples
        --------
        >>> from detector.evaluation.metrics import score_detector
        >>> m = score_detector({"a": Label("hydra", None)}, {"a": 60.0}, {"a": 0.0})
        >>> r = EvaluationReport(m, m, Path("r.md"), Path("m.json"), [])
        >>> r.failures(EvaluationTargets(min_attack_recall=0.9, max_benign_fpr=0.01))
        ['benign FPR is n/a, target <= 0.01']
        """
        m = self.detector
        checks: list[tuple[str, float | None, float | None, bool]] = [
            ("attack recall", m.attack_recall, targets.min_attack_recall, True),
            ("benign FPR", m.benign_fpr, targets.max_benign_fpr, False),
            ("high-volume FPR", m.high_volume_fpr, targets.max_high_volume_fpr, False),
            ("precision", m.precision, targets.min_precision, True),
            ("median time to detect (s)", m.ttd.median_s, targets.max_median_ttd_s, False),
            ("p90 time to detect (s)", m.ttd.p90_s, targets.max_p90_ttd_s, False),
        ]
        out: list[str] = []
        for name, value, target, at_least in checks:
            if target is None:
                continue
            op = ">=" if at_least else "<="
            if value is None:
                out.append(f"{name} is n/a, target {op} {target:g}")
            elif (value < target) if at_least else (value > target):
                out.append(f"{name} = {value:.4g}, target {op} {target:g}")
        return out

    def passed(self, targets: EvaluationTargets) -> bool:
        """Return ``True`` when the detector meets every set target."""
        return not self.failures(targets)


def write_report(
    out_dir: Path,
    labels: Mapping[str, Label],
    outcomes: Mapping[str, AccountOutcome],
    baseline_first_flag: Mapping[str, float | None],
    baseline_name: str,
    run_facts: Mapping[str, object],
    threshold: float,
    *,
    attack_labels: Iterable[str] = ATTACK_LABELS,
    high_volume_labels: Iterable[str] = HIGH_VOLUME_LABELS,
    campaigns: CampaignMetrics | None = None,
) -> EvaluationReport:
    """Score the detector and the baseline, then write report, JSON and plots.

    Writes ``report.md``, ``metrics.json``, ``score_distribution.png``,
    ``precision_recall.png`` and ``time_to_detect.png`` into ``out_dir``
    (created if needed, existing files overwritten). The baseline's
    time-to-detect is measured from the detector's first-seen times, since
    both saw the same stream.

    Parameters
    ----------
    out_dir : pathlib.Path
        Output directory.
    labels : mapping of str to Label
        Ground truth keyed by account id, e.g. from :func:`read_labels`.
    outcomes : mapping of str to AccountOutcome
        Detector outcome per account seen in the run.
    baseline_first_flag : mapping of str to float or None
        Event time at which the baseline first flagged each account.
    baseline_name : str
        Short description of the baseline, e.g. ``"rate limit 600 req/h"``.
    run_facts : mapping of str to object
        Facts for the report header (records, rejects, config hash, ...),
        shown in the given order and copied into ``metrics.json``; values
        JSON cannot hold are written as strings.
    threshold : float
        Alert threshold the detector ran with.
    attack_labels, high_volume_labels : iterable of str
        Class definitions; default :data:`ATTACK_LABELS` and
        :data:`HIGH_VOLUME_LABELS`.
    campaigns : CampaignMetrics, optional
        Campaign-level scores, added to the report and ``metrics.json``.

    Returns
    -------
    EvaluationReport

    Examples
    --------
    >>> import tempfile
    >>> labels = {"a": Label("hydra", "c1"), "b": Label("normal", None)}
    >>> outcomes = {
    ...     "a": AccountOutcome(first_ts=0.0, max_score=0.95, first_alert_ts=300.0),
    ...     "b": AccountOutcome(first_ts=0.0, max_score=0.10, first_alert_ts=None),
    ... }
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     r = write_report(Path(tmp), labels, outcomes, {"b": 50.0}, "rate limit",
    ...                      {"records": 1000}, threshold=0.8)
    ...     [p.name for p in r.plots], r.markdown_path.exists()
    (['score_distribution.png', 'precision_recall.png', 'time_to_detect.png'], True)
    >>> r.detector.attack_recall, r.baseline.benign_fpr
    (1.0, 1.0)
    """
    attack = frozenset(attack_labels)
    high_volume = frozenset(high_volume_labels)
    out_dir.mkdir(parents=True, exist_ok=True)
    first_seen = {a: o.first_ts for a, o in outcomes.items()}
    detector = score_detector(
        labels,
        {a: o.first_alert_ts for a, o in outcomes.items()},
        first_seen,
        attack,
        high_volume,
    )
    baseline = score_detector(labels, baseline_first_flag, first_seen, attack, high_volume)
    max_scores = {a: o.max_score for a, o in outcomes.items()}
    sweep = threshold_sweep(labels, max_scores, None, attack, high_volume)

    captioned = [
        (
            "Max risk score by label",
            plot_score_distribution(
                out_dir / "score_distribution.png",
                labels,
                max_scores,
                threshold,
                attack,
                high_volume,
            ),
        ),
        (
            "Precision, recall and false-positive rate vs threshold",
            plot_precision_recall(
                out_dir / "precision_recall.png",
                sweep,
                threshold,
                detector,
                baseline,
                baseline_name,
            ),
        ),
        (
            "Time to detect",
            plot_time_to_detect(
                out_dir / "time_to_detect.png",
                labels,
                detector,
                baseline,
                baseline_name,
                attack,
                high_volume,
            ),
        ),
    ]

    markdown_path = out_dir / REPORT_NAME
    markdown_path.write_text(
        render_markdown(
            detector,
            baseline,
            baseline_name,
            run_facts,
            threshold,
            [(caption, path.name) for caption, path in captioned],
        )
        + ("\n" + campaigns.markdown() if campaigns is not None else ""),
        encoding="utf-8",
    )
    metrics_path = out_dir / METRICS_NAME
    payload: dict[str, Any] = {
        "threshold": threshold,
        "baseline_name": baseline_name,
        "run_facts": {str(k): _jsonable(v) for k, v in run_facts.items()},
        "detector": detector.to_dict(),
        "baseline": baseline.to_dict(),
    }
    if campaigns is not None:
        payload["campaigns"] = campaigns.to_dict()
    metrics_path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return EvaluationReport(
        detector=detector,
        baseline=baseline,
        markdown_path=markdown_path,
        metrics_path=metrics_path,
        plots=[path for _, path in captioned],
        campaigns=campaigns,
    )


def _jsonable(value: object) -> object:
    # Strict JSON has no NaN/inf and no Path; facts are for humans, so a
    # string form is good enough for anything JSON cannot hold natively.
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)
