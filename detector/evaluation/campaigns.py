"""Campaign-level scoring: which labelled attack campaigns the detector reported, how
completely, and which reported campaigns were not attacks.

A labelled campaign (the labels' ``campaign_id``) is matched to the reported campaign (the
alerts' ``campaign_id``, members pooled over all its alerts) holding most of its accounts. It
counts as *found* when that campaign covers at least half of its accounts and at least half
of that campaign's members belong to it. A reported campaign whose members are mostly not
from one labelled campaign is a *false campaign*.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from detector.evaluation.labels import Label

__all__ = ["CampaignMatch", "CampaignMetrics", "score_campaigns"]


@dataclass(frozen=True)
class CampaignMatch:
    """How one labelled campaign was reported."""

    campaign: str
    size: int
    detected: str | None
    covered: int
    """Accounts of the labelled campaign in the matched reported campaign."""
    detected_size: int
    first_alert_ts: float | None
    first_seen_ts: float | None
    """When the campaign's first account was first seen."""

    @property
    def coverage(self) -> float:
        return self.covered / self.size if self.size else 0.0

    @property
    def purity(self) -> float:
        return self.covered / self.detected_size if self.detected_size else 0.0

    @property
    def found(self) -> bool:
        return self.coverage >= 0.5 and self.purity >= 0.5

    @property
    def ttd_s(self) -> float | None:
        if self.first_alert_ts is None or self.first_seen_ts is None:
            return None
        return max(self.first_alert_ts - self.first_seen_ts, 0.0)


@dataclass(frozen=True)
class CampaignMetrics:
    """Every labelled campaign's match, and the reported campaigns that match none.

    Examples
    --------
    >>> labels = {"a": Label("hydra", "c1"), "b": Label("hydra", "c1"),
    ...           "u": Label("ordinary", None)}
    >>> m = score_campaigns(labels, {"x": {"a", "b"}, "y": {"u"}}, {"x": 60.0}, {"a": 0.0})
    >>> m.found, m.total, m.false_campaigns, m.matches[0].ttd_s
    (1, 1, ['y'], 60.0)
    """

    matches: list[CampaignMatch]
    false_campaigns: list[str]
    reported: int

    @property
    def found(self) -> int:
        return sum(m.found for m in self.matches)

    @property
    def total(self) -> int:
        return len(self.matches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "total": self.total,
            "reported": self.reported,
            "false_campaigns": self.false_campaigns,
            "campaigns": [
                {
                    "campaign": m.campaign,
                    "size": m.size,
                    "detected": m.detected,
                    "coverage": round(m.coverage, 6),
                    "purity": round(m.purity, 6),
                    "found": m.found,
                    "ttd_s": m.ttd_s,
                }
                for m in self.matches
            ],
        }

    def markdown(self) -> str:
        lines = [
            "## Campaigns",
            "",
            f"Attack campaigns found: **{self.found} of {self.total}**; campaigns reported: "
            f"{self.reported}; false campaigns (mostly not one attack campaign): "
            f"{len(self.false_campaigns)}.",
            "",
            "| labelled campaign | accounts | reported as | coverage | purity | "
            "time to first campaign alert |",
            "|---|---|---|---|---|---|",
        ]
        for m in self.matches:
            ttd = "n/a" if m.ttd_s is None else f"{m.ttd_s / 60:.1f} min"
            lines.append(
                f"| {m.campaign} | {m.size} | {m.detected or 'not reported'} | "
                f"{100 * m.coverage:.1f} % | {100 * m.purity:.1f} % | {ttd} |"
            )
        return "\n".join(lines) + "\n"


def score_campaigns(
    labels: Mapping[str, Label],
    reported: Mapping[str, set[str]],
    first_alert: Mapping[str, float],
    first_seen: Mapping[str, float],
) -> CampaignMetrics:
    """Match labelled campaigns to reported ones (``reported``: campaign id to members;
    ``first_alert``: campaign id to its first alert's event time; ``first_seen``: account to
    its first request's event time)."""
    truth: dict[str, set[str]] = {}
    for account, label in labels.items():
        if label.campaign_id is not None:
            truth.setdefault(label.campaign_id, set()).add(account)
    matches = []
    for campaign, accounts in sorted(truth.items()):
        overlap = {cid: len(members & accounts) for cid, members in reported.items()}
        best = max(sorted(overlap), key=lambda c: overlap[c], default=None)
        if best is not None and overlap[best] == 0:
            best = None
        seen = [first_seen[a] for a in accounts if a in first_seen]
        matches.append(
            CampaignMatch(
                campaign=campaign,
                size=len(accounts),
                detected=best,
                covered=overlap[best] if best else 0,
                detected_size=len(reported[best]) if best else 0,
                first_alert_ts=first_alert.get(best) if best else None,
                first_seen_ts=min(seen) if seen else None,
            )
        )
    false = []
    for cid, members in sorted(reported.items()):
        counts = Counter(labels[a].campaign_id for a in members if a in labels)
        top, n = counts.most_common(1)[0] if counts else (None, 0)
        if top is None or 2 * n <= len(members):
            false.append(cid)
    return CampaignMetrics(matches, false, len(reported))
