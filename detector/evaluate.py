"""``evaluate`` and ``demo``: replay recorded traffic, then judge the alerts against labels.

The judging itself (metrics, report, plots) lives in :mod:`detector.evaluation`; this module
runs the replay that feeds it, with the naive rate-limit baseline on the same batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from detector.alerts import Alert, Sink
from detector.baseline import RateLimitBaseline
from detector.config import Config
from detector.evaluation import (
    AccountOutcome,
    EvaluationReport,
    Label,
    score_campaigns,
    write_report,
)
from detector.replay import AccountTracker, ReplaySummary, replay

__all__ = ["EvaluationResult", "FirstAlerts", "evaluate"]


class FirstAlerts:
    """A sink that remembers each account's first alert time (event time), and each
    campaign's first alert time and members (pooled over its alerts)."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.campaign_first: dict[str, float] = {}
        self.campaign_members: dict[str, set[str]] = {}

    def write(self, items: Sequence[msgspec.Struct]) -> None:
        for item in items:
            if not isinstance(item, Alert):
                continue
            if item.kind == "campaign" and item.campaign_id is not None:
                self.campaign_first.setdefault(item.campaign_id, item.ts)
                self.campaign_members.setdefault(item.campaign_id, set()).update(item.members or ())
            elif item.account_id is not None:
                self.first.setdefault(item.account_id, item.ts)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class EvaluationResult:
    summary: ReplaySummary
    report: EvaluationReport

    def lines(self) -> list[str]:
        d, b = self.report.detector, self.report.baseline

        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{100 * value:.2f} %"

        def minutes(value: float | None) -> str:
            return "n/a" if value is None else f"{value / 60:.1f} min"

        rows = [
            ("attack recall", pct(d.attack_recall), pct(b.attack_recall)),
            *[
                (
                    f"  recall {label}",
                    pct(d.recall_by_label.get(label)),
                    pct(b.recall_by_label.get(label)),
                )
                for label in sorted(d.recall_by_label)
            ],
            ("benign FPR", pct(d.benign_fpr), pct(b.benign_fpr)),
            ("high-volume FPR", pct(d.high_volume_fpr), pct(b.high_volume_fpr)),
            ("precision", pct(d.precision), pct(b.precision)),
            ("median time-to-detect", minutes(d.median_ttd_s), minutes(b.median_ttd_s)),
        ]
        campaigns = self.report.campaigns
        if campaigns is not None:
            rows.append(("attack campaigns found", f"{campaigns.found}/{campaigns.total}", "n/a"))
            rows.append(("false campaigns", str(len(campaigns.false_campaigns)), "n/a"))
        table = [f"{'':24}{'detector':>12}{'rate limit':>14}"]
        table += [f"{name:24}{mine:>12}{theirs:>14}" for name, mine, theirs in rows]
        return [*self.summary.lines(), "", *table, "", f"report: {self.report.markdown_path}"]


def evaluate(
    config: Config,
    path: str | Path,
    labels: dict[str, Label],
    out_dir: Path,
    alert_sinks: Sequence[Sink] = (),
    reject_sinks: Sequence[Sink] = (),
    rate_limit: int = 60,
    progress: bool = True,
) -> EvaluationResult:
    """Replay ``path``, then write the evaluation report into ``out_dir``."""
    tracker = AccountTracker()
    baseline = RateLimitBaseline(limit=rate_limit, window_s=60.0)
    first_alerts = FirstAlerts()
    summary = replay(
        config,
        path,
        [*alert_sinks, first_alerts],
        reject_sinks,
        progress=progress,
        tracker=tracker,
        baseline=baseline,
    )
    outcomes = {
        account: AccountOutcome(
            first_ts=first_ts,
            max_score=tracker.max_score.get(account, 0.0),
            first_alert_ts=first_alerts.first.get(account),
        )
        for account, first_ts in tracker.first_ts.items()
    }
    baseline_flags = {a: baseline.first_flag.get(a) for a in tracker.first_ts}
    report = write_report(
        out_dir,
        labels,
        outcomes,
        baseline_flags,
        baseline.description,
        run_facts={
            "input": str(path),
            "records": summary.records,
            "rejects": summary.rejected,
            "accounts": summary.accounts,
            "alerts": sum(summary.alerts.values()),
            "records/s": round(summary.records_per_s),
            "config_hash": summary.config_hash,
        },
        threshold=config.alerting.threshold,
        campaigns=score_campaigns(
            labels, first_alerts.campaign_members, first_alerts.campaign_first, tracker.first_ts
        ),
    )
    return EvaluationResult(summary, report)
