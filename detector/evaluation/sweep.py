"""Detection quality as a function of the alert threshold.

An account counts as alerted at threshold ``t`` when its maximum risk score
is ``>= t``. This ignores whatever else the live alerting rule does (e.g.
cool-downs), so the curves show what the scores *could* separate; the
headline figures use the alerts the detector actually raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.evaluation.labels import (
    ATTACK_LABELS,
    HIGH_VOLUME_LABELS,
    AccountClass,
    Label,
    encode_labels,
)

__all__ = ["DEFAULT_THRESHOLDS", "ThresholdSweep", "threshold_sweep"]

#: Thresholds swept by default: 0.000, 0.005, ..., 1.000.
DEFAULT_THRESHOLDS: npt.NDArray[np.float64] = np.linspace(0.0, 1.0, 201)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ThresholdSweep:
    """Rates at each threshold; NaN where a rate is undefined.

    Attributes
    ----------
    thresholds : numpy.ndarray
        Ascending thresholds.
    attack_recall, precision, benign_fpr, high_volume_fpr : numpy.ndarray
        Rates at each threshold, same definitions as
        :class:`~detector.evaluation.metrics.DetectionMetrics`. Precision is
        NaN where nothing is alerted, a rate is NaN where its class is empty.
    """

    thresholds: FloatArray
    attack_recall: FloatArray
    precision: FloatArray
    benign_fpr: FloatArray
    high_volume_fpr: FloatArray


def threshold_sweep(
    labels: Mapping[str, Label],
    max_scores: Mapping[str, float],
    thresholds: npt.ArrayLike | None = None,
    attack_labels: Iterable[str] = ATTACK_LABELS,
    high_volume_labels: Iterable[str] = HIGH_VOLUME_LABELS,
) -> ThresholdSweep:
    """Compute recall, precision and false-positive rates over thresholds.

    Only labelled accounts take part; a labelled account missing from
    ``max_scores`` scores 0 (it never raised any suspicion). Cost is
    ``O((n + k) log n)`` for ``n`` accounts and ``k`` thresholds.

    Parameters
    ----------
    labels : mapping of str to Label
        Ground truth keyed by account id.
    max_scores : mapping of str to float
        Maximum risk score each account reached.
    thresholds : array_like of float, optional
        Thresholds to evaluate; sorted ascending. Default
        :data:`DEFAULT_THRESHOLDS`.
    attack_labels, high_volume_labels : iterable of str
        Class definitions.

    Returns
    -------
    ThresholdSweep

    Examples
    --------
    >>> labels = {"a": Label("hydra", None), "b": Label("normal", None)}
    >>> s = threshold_sweep(labels, {"a": 0.9, "b": 0.4}, thresholds=[0.0, 0.5, 0.95])
    >>> s.attack_recall.tolist(), s.benign_fpr.tolist(), s.precision.tolist()
    ([1.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.5, 1.0, nan])
    """
    grid = np.sort(np.asarray(DEFAULT_THRESHOLDS if thresholds is None else thresholds, float))
    table = encode_labels(labels, attack_labels, high_volume_labels)
    scores = np.fromiter(
        (max_scores.get(a, 0.0) for a in table.account_ids),
        np.float64,
        len(table.account_ids),
    )

    def alerted_at(cls: AccountClass) -> tuple[FloatArray, int]:
        members = np.sort(scores[table.class_mask(cls)])
        # Accounts with score >= t are those at or after t's left insertion
        # point in the sorted scores: one binary search per threshold.
        count = members.size - np.searchsorted(members, grid, side="left")
        return count.astype(np.float64), int(members.size)

    tp, n_attack = alerted_at(AccountClass.ATTACK)
    fp_benign, n_benign = alerted_at(AccountClass.BENIGN)
    fp_hv, n_hv = alerted_at(AccountClass.HIGH_VOLUME)
    return ThresholdSweep(
        thresholds=grid,
        attack_recall=_rate(tp, n_attack),
        precision=_rate(tp, tp + fp_benign + fp_hv),
        benign_fpr=_rate(fp_benign, n_benign),
        high_volume_fpr=_rate(fp_hv, n_hv),
    )


def _rate(num: FloatArray, den: FloatArray | int) -> FloatArray:
    den_arr = np.broadcast_to(np.asarray(den, dtype=np.float64), num.shape)
    out = np.full(num.shape, np.nan)
    np.divide(num, den_arr, out=out, where=den_arr > 0)
    return out
