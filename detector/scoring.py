"""Risk scoring: rule evidence plus an online anomaly model, combined on the log-odds scale.

Every model here follows one small protocol, after river's ``learn_one``/``score_one`` but
batched: ``score_many(features)`` returns a per-account contribution in log-odds units and
``learn_many(features, mask)`` updates the model from the rows ``mask`` selects. The
:class:`RiskScorer` adds the contributions to a prior (``scoring.bias``), maps the total
through the logistic function, and keeps the contributions as the alert's reasons.

Every contribution is scaled by the account's *evidence confidence*
``n / (n + prior_requests)`` (``n`` = requests in the long window): two requests that happen to
ask for step-by-step reasoning are not yet a pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from detector.config import AnomalyConfig, Rule, ScoringConfig
from detector.features import FeatureMatrix, squash
from detector.halfspace import HalfSpaceForest

__all__ = ["AnomalyModel", "Evidence", "Model", "RiskScorer", "RuleModel", "ScoreBatch"]

F64 = npt.NDArray[np.float64]


class Model(Protocol):
    """A source of evidence: log-odds contributions per account, optionally learning."""

    names: list[str]

    def score_many(self, features: FeatureMatrix) -> Evidence: ...

    def learn_many(self, features: FeatureMatrix, mask: npt.NDArray[np.bool_]) -> None: ...


@dataclass(frozen=True)
class Evidence:
    """``contributions[i, j]``: log-odds added by evidence ``names[j]`` for account ``i``;
    ``values[i, j]``: the value that evidence was computed from."""

    names: list[str]
    values: F64
    contributions: F64


def _ramp(values: F64, low: float | F64, high: float | F64) -> F64:
    """0 at ``low``, 1 at ``high``, linear between, clipped; decreasing if ``high < low``."""
    return np.clip((values - low) / (high - low), 0.0, 1.0)


class RuleModel:
    """Configured evidence rules: each signal's ramp times its weight.

    Examples
    --------
    >>> from detector.config import Rule
    >>> fm = FeatureMatrix(np.arange(2), ["cot_elicitation_share"], np.array([[0.0], [0.9]]),
    ...                    np.array([50.0, 50.0]))
    >>> model = RuleModel({"cot_elicitation_share": Rule(weight=3.0, low=0.1, high=0.5)})
    >>> model.score_many(fm).contributions[:, 0].tolist()
    [0.0, 3.0]
    """

    def __init__(self, rules: dict[str, Rule]):
        self.rules = {name: rule for name, rule in rules.items() if rule.weight != 0}
        self.names = list(self.rules)
        self._weight = np.array([r.weight for r in self.rules.values()])
        self._low = np.array([r.low for r in self.rules.values()])
        self._high = np.array([r.high for r in self.rules.values()])
        self._columns: tuple[list[str], list[int]] | None = None

    def score_many(self, features: FeatureMatrix) -> Evidence:
        if self._columns is None or self._columns[0] != features.names:
            self._columns = (features.names, [features.names.index(n) for n in self.names])
        values = features.values[:, self._columns[1]]
        contributions = self._weight * _ramp(values, self._low, self._high)
        return Evidence(self.names, values, contributions)

    def learn_many(self, features: FeatureMatrix, mask: npt.NDArray[np.bool_]) -> None:
        """Rules are configured, not learned."""


class AnomalyModel:
    """Half-space trees over squashed signals, read as a population percentile.

    The raw tree score depends on the traffic mix, so it is turned into its percentile among
    the last few thousand scores; the contribution ramps from ``low_percentile`` to
    ``high_percentile``. It learns from every ``learn_every``-th eligible evaluation (the
    pipeline excludes alerted accounts, so attacks do not become the norm).
    """

    name = "anomaly"

    def __init__(
        self,
        config: AnomalyConfig,
        signals: list[str] | None = None,
        history: int = 5000,
        learn_every: int = 4,
    ):
        self.config = config
        self.names = [self.name]
        # Growing the trees takes about 0.1 s: with the signal names known up front that
        # happens here, not in the first batch scored. They must be the features' names.
        self._forest = None if signals is None else self._grow(signals)
        self._history = np.zeros(history)
        self._filled = 0
        self._pos = 0
        self._learn_every = learn_every
        self._seen = 0
        # learn_many follows score_many on the same features: squash them once.
        self._last: tuple[FeatureMatrix, F64] | None = None

    def _grow(self, signals: list[str]) -> HalfSpaceForest:
        cfg = self.config
        return HalfSpaceForest(
            signals,
            n_trees=cfg.n_trees,
            height=cfg.height,
            window_size=cfg.window_size,
            seed=cfg.seed,
        )

    def _inputs(self, features: FeatureMatrix) -> tuple[HalfSpaceForest, F64]:
        if self._forest is None:
            self._forest = self._grow(features.names)
        if self._last is None or self._last[0] is not features:
            self._last = (features, squash(features))
        return self._forest, self._last[1]

    def score_many(self, features: FeatureMatrix) -> Evidence:
        forest, inputs = self._inputs(features)
        raw = forest.score(inputs)
        history = np.sort(self._history[: self._filled])
        if len(history) >= 100:
            percentile = np.searchsorted(history, raw, side="right") / len(history)
        else:  # too little history to rank against: no evidence yet
            percentile = np.zeros_like(raw)
        self._remember(raw)
        cfg = self.config
        contribution = cfg.weight * _ramp(percentile, cfg.low_percentile, cfg.high_percentile)
        return Evidence(self.names, percentile[:, None], contribution[:, None])

    def _remember(self, raw: F64) -> None:
        size = len(self._history)
        raw = raw[-size:]
        self._history[(self._pos + np.arange(len(raw))) % size] = raw
        self._pos = (self._pos + len(raw)) % size
        self._filled = min(self._filled + len(raw), size)

    def learn_many(self, features: FeatureMatrix, mask: npt.NDArray[np.bool_]) -> None:
        forest, inputs = self._inputs(features)
        eligible = np.flatnonzero(mask)
        # Every learn_every-th eligible evaluation, counted across calls.
        chosen = eligible[(self._seen + 1 + np.arange(len(eligible))) % self._learn_every == 0]
        self._seen += len(eligible)
        forest.learn(inputs[chosen])


@dataclass(frozen=True)
class ScoreBatch:
    """Scores of a batch of accounts with the evidence behind them."""

    rows: npt.NDArray[np.int64]
    scores: F64
    evidence: Evidence
    baselines: F64
    """Population baseline (smoothed median) of each evidence value."""

    def scores_without(self, names: frozenset[str]) -> F64:
        """The scores with the contributions of evidence ``names`` taken out."""
        drop = [j for j, name in enumerate(self.evidence.names) if name in names]
        if not drop:
            return self.scores
        clipped = np.clip(self.scores, 1e-12, 1 - 1e-12)
        logit = np.log(clipped / (1 - clipped))
        logit -= self.evidence.contributions[:, drop].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-logit))


class RiskScorer:
    """Combine models into a risk score in [0, 1] with per-evidence reasons.

    ``score = sigmoid(bias + confidence * sum(contributions))``: ``bias`` is the prior
    log-odds that an account is extracting, each contribution a log-likelihood ratio.

    Examples
    --------
    >>> from detector.config import ScoringConfig, AnomalyConfig, Rule
    >>> rules = {"cot_elicitation_share": Rule(weight=4.0, low=0.1, high=0.4),
    ...          "output_input_ratio": Rule(weight=3.0, low=8.0, high=25.0)}
    >>> scorer = RiskScorer(ScoringConfig(rules=rules, anomaly=AnomalyConfig(enabled=False)))
    >>> names = ["cot_elicitation_share", "output_input_ratio"]
    >>> benign = FeatureMatrix(np.arange(1), names, np.array([[0.02, 3.0]]), np.array([40.0]))
    >>> attack = FeatureMatrix(np.arange(1), names, np.array([[0.8, 30.0]]), np.array([40.0]))
    >>> round(float(scorer.score(benign).scores[0]), 3)   # no evidence: the prior
    0.007
    >>> round(float(scorer.score(attack).scores[0]), 3)   # 7 log-odds of evidence x 40/42
    0.841
    """

    def __init__(self, config: ScoringConfig, signals: list[str] | None = None):
        self.config = config
        self.models: list[Model] = [RuleModel(config.rules)]
        if config.anomaly.enabled and config.anomaly.weight > 0:
            self.models.append(AnomalyModel(config.anomaly, signals))
        self._baselines: F64 | None = None
        self._alpha = 1 - 0.5 ** (1 / config.baseline_halflife_batches)

    def score(self, features: FeatureMatrix) -> ScoreBatch:
        parts = [model.score_many(features) for model in self.models]
        names = [n for p in parts for n in p.names]
        values = np.hstack([p.values for p in parts])
        confidence = features.requests / (features.requests + self.config.prior_requests)
        contributions = np.hstack([p.contributions for p in parts]) * confidence[:, None]
        logit = self.config.bias + contributions.sum(axis=1)
        scores = 1.0 / (1.0 + np.exp(-logit))
        evidence = Evidence(names, values, contributions)
        return ScoreBatch(features.rows, scores, evidence, self._update_baselines(values))

    def learn(self, features: FeatureMatrix, mask: npt.NDArray[np.bool_]) -> None:
        for model in self.models:
            model.learn_many(features, mask)

    def _update_baselines(self, values: F64) -> F64:
        if len(values) == 0:
            return self._baselines if self._baselines is not None else np.zeros(values.shape[1])
        medians = np.median(values, axis=0)
        if self._baselines is None:
            self._baselines = medians
        else:
            self._baselines = self._baselines + self._alpha * (medians - self._baselines)
        return self._baselines
