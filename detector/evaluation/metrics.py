"""Scoring one set of alerts (detector or baseline) against ground truth."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.evaluation.labels import (
    ATTACK_LABELS,
    HIGH_VOLUME_LABELS,
    AccountClass,
    Label,
    encode_labels,
)

__all__ = [
    "DetectionMetrics",
    "LabelCounts",
    "LatencySummary",
    "score_detector",
    "summarise_latency",
]


@dataclass(frozen=True)
class LabelCounts:
    """How many accounts carry one label and how many of them were alerted.

    Attributes
    ----------
    account_class : AccountClass
        Class the label belongs to.
    accounts : int
        Labelled accounts with this label.
    alerted : int
        Those of them that were alerted at least once.
    """

    account_class: AccountClass
    accounts: int
    alerted: int

    @property
    def rate(self) -> float | None:
        """Fraction alerted (recall for attacks, FPR otherwise); ``None`` if empty."""
        return _ratio(self.alerted, self.accounts)


@dataclass(frozen=True)
class LatencySummary:
    """Median and 90th percentile of a set of time-to-detect values.

    Percentiles use numpy's default linear interpolation. Both are ``None``
    when ``count`` is zero.
    """

    count: int
    median_s: float | None
    p90_s: float | None


def summarise_latency(seconds: npt.ArrayLike) -> LatencySummary:
    """Summarise time-to-detect values.

    Parameters
    ----------
    seconds : array_like of float
        Time-to-detect values in seconds.

    Returns
    -------
    LatencySummary

    Examples
    --------
    >>> summarise_latency([60.0, 120.0, 180.0, 240.0])
    LatencySummary(count=4, median_s=150.0, p90_s=222.0)
    >>> summarise_latency([]).median_s is None
    True
    """
    values = np.asarray(seconds, dtype=np.float64)
    if values.size == 0:
        return LatencySummary(count=0, median_s=None, p90_s=None)
    median, p90 = np.percentile(values, [50.0, 90.0])
    return LatencySummary(count=int(values.size), median_s=float(median), p90_s=float(p90))


@dataclass(frozen=True)
class DetectionMetrics:
    """Quality of one set of alerts measured against ground-truth labels.

    All rates are ``None`` when their denominator is zero, e.g. the
    high-volume false-positive rate of a replay without enterprise accounts.
    Times are in the replay's event-time unit (seconds).

    Attributes
    ----------
    label_counts : mapping of str to LabelCounts
        Per-label account and alert counts, in table order (attack labels,
        then high-volume, then benign).
    attack_accounts, attack_alerted : int
        Attack accounts, and how many of them were alerted.
    benign_accounts, benign_alerted : int
        Ordinary benign accounts (neither attack nor high-volume).
    high_volume_accounts, high_volume_alerted : int
        High-volume benign accounts.
    attack_recall : float or None
        ``attack_alerted / attack_accounts``.
    recall_by_label : mapping of str to float or None
        Recall for every attack label present in the labels.
    benign_fpr : float or None
        ``benign_alerted / benign_accounts``.
    high_volume_fpr : float or None
        ``high_volume_alerted / high_volume_accounts``.
    precision : float or None
        Alerted attack accounts over all alerted *labelled* accounts.
    time_to_detect_s : mapping of str to float
        For each alerted attack account with a known start: first alert time
        minus first event time, floored at zero.
    ttd : LatencySummary
        Summary of all values of ``time_to_detect_s``.
    ttd_by_label : mapping of str to LatencySummary
        The same per attack label.
    unlabelled_alerted : int
        Alerted accounts absent from the labels; kept out of precision since
        their truth is unknown.
    ttd_unknown_start : int
        Alerted attack accounts without a first-seen time, hence missing from
        the time-to-detect figures (counted in recall all the same).
    """

    label_counts: Mapping[str, LabelCounts]
    attack_accounts: int
    attack_alerted: int
    benign_accounts: int
    benign_alerted: int
    high_volume_accounts: int
    high_volume_alerted: int
    attack_recall: float | None
    recall_by_label: Mapping[str, float | None]
    benign_fpr: float | None
    high_volume_fpr: float | None
    precision: float | None
    time_to_detect_s: Mapping[str, float]
    ttd: LatencySummary
    ttd_by_label: Mapping[str, LatencySummary]
    unlabelled_alerted: int
    ttd_unknown_start: int

    @property
    def median_ttd_s(self) -> float | None:
        """Median time-to-detect over all attack accounts (``ttd.median_s``)."""
        return self.ttd.median_s

    @property
    def p90_ttd_s(self) -> float | None:
        """90th-percentile time-to-detect over all attack accounts (``ttd.p90_s``)."""
        return self.ttd.p90_s

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict; :meth:`from_dict` inverts it.

        Examples
        --------
        >>> m = score_detector({"a": Label("hydra", None)}, {"a": 30.0}, {"a": 0.0})
        >>> d = m.to_dict()
        >>> d["attack_recall"], d["ttd"]["median_s"]
        (1.0, 30.0)
        >>> DetectionMetrics.from_dict(d) == m
        True
        """
        return {
            "label_counts": {
                name: {
                    "account_class": str(c.account_class),
                    "accounts": c.accounts,
                    "alerted": c.alerted,
                }
                for name, c in self.label_counts.items()
            },
            "attack_accounts": self.attack_accounts,
            "attack_alerted": self.attack_alerted,
            "benign_accounts": self.benign_accounts,
            "benign_alerted": self.benign_alerted,
            "high_volume_accounts": self.high_volume_accounts,
            "high_volume_alerted": self.high_volume_alerted,
            "attack_recall": self.attack_recall,
            "recall_by_label": dict(self.recall_by_label),
            "benign_fpr": self.benign_fpr,
            "high_volume_fpr": self.high_volume_fpr,
            "precision": self.precision,
            "time_to_detect_s": dict(self.time_to_detect_s),
            "ttd": _latency_dict(self.ttd),
            "ttd_by_label": {k: _latency_dict(v) for k, v in self.ttd_by_label.items()},
            "unlabelled_alerted": self.unlabelled_alerted,
            "ttd_unknown_start": self.ttd_unknown_start,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DetectionMetrics:
        """Rebuild metrics from the output of :meth:`to_dict`."""
        return cls(
            label_counts={
                name: LabelCounts(
                    account_class=AccountClass(c["account_class"]),
                    accounts=int(c["accounts"]),
                    alerted=int(c["alerted"]),
                )
                for name, c in data["label_counts"].items()
            },
            attack_accounts=int(data["attack_accounts"]),
            attack_alerted=int(data["attack_alerted"]),
            benign_accounts=int(data["benign_accounts"]),
            benign_alerted=int(data["benign_alerted"]),
            high_volume_accounts=int(data["high_volume_accounts"]),
            high_volume_alerted=int(data["high_volume_alerted"]),
            attack_recall=_opt_float(data["attack_recall"]),
            recall_by_label={k: _opt_float(v) for k, v in data["recall_by_label"].items()},
            benign_fpr=_opt_float(data["benign_fpr"]),
            high_volume_fpr=_opt_float(data["high_volume_fpr"]),
            precision=_opt_float(data["precision"]),
            time_to_detect_s={k: float(v) for k, v in data["time_to_detect_s"].items()},
            ttd=_latency_from(data["ttd"]),
            ttd_by_label={k: _latency_from(v) for k, v in data["ttd_by_label"].items()},
            unlabelled_alerted=int(data["unlabelled_alerted"]),
            ttd_unknown_start=int(data["ttd_unknown_start"]),
        )


def score_detector(
    labels: Mapping[str, Label],
    first_alert: Mapping[str, float | None],
    first_seen: Mapping[str, float],
    attack_labels: Iterable[str] = ATTACK_LABELS,
    high_volume_labels: Iterable[str] = HIGH_VOLUME_LABELS,
) -> DetectionMetrics:
    """Score alerts against ground-truth labels.

    A labelled account counts as alerted when ``first_alert`` maps it to a
    time (not ``None`` or NaN). Labelled accounts missing from
    ``first_alert`` sent traffic but were never alerted. Work per account is
    a dict lookup; everything else is vectorised, so 100 000 accounts score
    in a few tens of milliseconds.

    Parameters
    ----------
    labels : mapping of str to Label
        Ground truth keyed by account id.
    first_alert : mapping of str to float or None
        Event time of each account's first alert, ``None`` if never alerted.
        May include unlabelled accounts.
    first_seen : mapping of str to float
        Event time of each account's first record: the start from which
        time-to-detect is measured.
    attack_labels, high_volume_labels : iterable of str
        Class definitions; default :data:`ATTACK_LABELS` and
        :data:`HIGH_VOLUME_LABELS`.

    Returns
    -------
    DetectionMetrics

    Examples
    --------
    >>> labels = {
    ...     "h1": Label("hydra", "c1"), "h2": Label("hydra", "c1"),
    ...     "u1": Label("normal", None), "e1": Label("enterprise", None),
    ... }
    >>> m = score_detector(
    ...     labels,
    ...     first_alert={"h1": 600.0, "h2": None, "e1": 50.0, "zz": 9.0},
    ...     first_seen={"h1": 0.0, "h2": 0.0, "u1": 0.0, "e1": 0.0},
    ... )
    >>> m.attack_recall, m.benign_fpr, m.high_volume_fpr, m.precision
    (0.5, 0.0, 1.0, 0.5)
    >>> m.ttd.median_s, m.unlabelled_alerted
    (600.0, 1)
    """
    table = encode_labels(labels, attack_labels, high_volume_labels)
    ids = table.account_ids
    n = len(ids)
    alert_ts = np.fromiter((_nan_if_none(first_alert.get(a)) for a in ids), np.float64, n)
    start_ts = np.fromiter((_nan_if_none(first_seen.get(a)) for a in ids), np.float64, n)
    alerted = ~np.isnan(alert_ts)

    n_names = len(table.names)
    accounts = np.bincount(table.codes, minlength=n_names)
    hits = np.bincount(table.codes[alerted], minlength=n_names)
    label_counts = {
        name: LabelCounts(account_class=cls, accounts=int(accounts[i]), alerted=int(hits[i]))
        for i, (name, cls) in enumerate(zip(table.names, table.classes, strict=True))
    }

    def totals(cls: AccountClass) -> tuple[int, int]:
        members = [c for c in label_counts.values() if c.account_class is cls]
        return sum(c.accounts for c in members), sum(c.alerted for c in members)

    attack_n, attack_hit = totals(AccountClass.ATTACK)
    benign_n, benign_hit = totals(AccountClass.BENIGN)
    hv_n, hv_hit = totals(AccountClass.HIGH_VOLUME)
    attack_names = table.names_of(AccountClass.ATTACK)

    attack_alerted = table.class_mask(AccountClass.ATTACK) & alerted
    known_start = ~np.isnan(start_ts)
    timed = attack_alerted & known_start
    # Event times can arrive out of order, so an alert may carry a time a
    # little before the first event the detector happened to see first; a
    # detection cannot precede the attack, hence the floor at zero.
    ttd_all = np.maximum(alert_ts - start_ts, 0.0)
    timed_idx = np.flatnonzero(timed)
    ttd_values = ttd_all[timed_idx]
    ttd_by_label = {
        name: summarise_latency(ttd_all[timed & (table.codes == table.names.index(name))])
        for name in attack_names
    }

    return DetectionMetrics(
        label_counts=label_counts,
        attack_accounts=attack_n,
        attack_alerted=attack_hit,
        benign_accounts=benign_n,
        benign_alerted=benign_hit,
        high_volume_accounts=hv_n,
        high_volume_alerted=hv_hit,
        attack_recall=_ratio(attack_hit, attack_n),
        recall_by_label={name: label_counts[name].rate for name in attack_names},
        benign_fpr=_ratio(benign_hit, benign_n),
        high_volume_fpr=_ratio(hv_hit, hv_n),
        precision=_ratio(attack_hit, attack_hit + benign_hit + hv_hit),
        time_to_detect_s=dict(zip((ids[i] for i in timed_idx), ttd_values.tolist(), strict=True)),
        ttd=summarise_latency(ttd_values),
        ttd_by_label=ttd_by_label,
        unlabelled_alerted=sum(
            1 for a, t in first_alert.items() if not _is_missing(t) and a not in labels
        ),
        ttd_unknown_start=int(np.count_nonzero(attack_alerted & ~known_start)),
    )


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _is_missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _latency_dict(s: LatencySummary) -> dict[str, Any]:
    return {"count": s.count, "median_s": s.median_s, "p90_s": s.p90_s}


def _latency_from(data: Mapping[str, Any]) -> LatencySummary:
    return LatencySummary(
        count=int(data["count"]),
        median_s=_opt_float(data["median_s"]),
        p90_s=_opt_float(data["p90_s"]),
    )
