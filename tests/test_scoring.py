import numpy as np
import pytest

from detector.config import AnomalyConfig, Config, Rule, ScoringConfig
from detector.features import FeatureMatrix, signal_names
from detector.scoring import AnomalyModel, RiskScorer, RuleModel

NAMES = signal_names(["cot_elicitation", "rubric_grading"])


def matrix(rows: list[dict[str, float]], requests: float = 40.0) -> FeatureMatrix:
    values = np.array([[row.get(n, 0.0) for n in NAMES] for row in rows], dtype=float)
    return FeatureMatrix(np.arange(len(rows)), NAMES, values, np.full(len(rows), requests))


BENIGN = {
    "cot_elicitation_share": 0.03,
    "output_input_ratio": 3.0,
    "reasoning_share": 0.1,
    "distinct_ips": 1.0,
    "ip_shared_orgs": 1.0,
}
ATTACK = {
    "cot_elicitation_share": 0.8,
    "output_input_ratio": 30.0,
    "reasoning_share": 0.9,
    "length_cut_share": 0.3,
    "distinct_ips": 20.0,
    "ip_shared_orgs": 30.0,
    "rubric_grading_share": 0.2,
}


def rules_only() -> RiskScorer:
    return RiskScorer(ScoringConfig(anomaly=AnomalyConfig(enabled=False)))


def test_ramps() -> None:
    model = RuleModel(
        {
            "reasoning_share": Rule(weight=2.0, low=0.2, high=0.6),
            "distinct_prompt_share": Rule(weight=1.0, low=0.5, high=0.1),
        }
    )
    fm = matrix(
        [
            {"reasoning_share": r, "distinct_prompt_share": d}
            for r, d in [(0.1, 0.9), (0.4, 0.3), (0.9, 0.0)]
        ]
    )
    ev = model.score_many(fm)
    assert ev.contributions[:, 0].tolist() == pytest.approx([0.0, 1.0, 2.0])
    assert ev.contributions[:, 1].tolist() == pytest.approx([0.0, 0.5, 1.0])  # decreasing
    assert ev.values[:, 0].tolist() == [0.1, 0.4, 0.9]


def test_zero_weight_rules_are_off() -> None:
    assert RuleModel({"reasoning_share": Rule(weight=0, low=0, high=1)}).names == []


def test_attack_scores_high_and_benign_low() -> None:
    scored = rules_only().score(matrix([BENIGN, ATTACK]))
    assert scored.scores[0] < 0.05 < 0.95 < scored.scores[1]


@pytest.mark.parametrize(
    "signal",
    [
        "cot_elicitation_share",
        "output_input_ratio",
        "length_cut_share",
        "distinct_ips",
        "ip_shared_orgs",
    ],
)
def test_monotone_more_attack_like_means_higher_score(signal: str) -> None:
    rule = Config().scoring.rules[signal]
    levels = np.linspace(rule.low - abs(rule.low), rule.high * 1.5, 12)
    scored = rules_only().score(matrix([{**BENIGN, signal: v} for v in levels]))
    assert np.all(np.diff(scored.scores) >= 0)
    assert scored.scores[-1] > scored.scores[0]


def test_more_evidence_means_more_confidence() -> None:
    scorer = rules_only()
    few = scorer.score(matrix([ATTACK], requests=2)).scores[0]
    many = scorer.score(matrix([ATTACK], requests=50)).scores[0]
    assert few < many


def test_reasons_are_contributions_with_baselines() -> None:
    scored = rules_only().score(matrix([BENIGN, BENIGN, ATTACK]))
    ev = scored.evidence
    j = ev.names.index("cot_elicitation_share")
    assert ev.values[2, j] == 0.8
    assert scored.baselines[j] == pytest.approx(0.03)  # median of the batch on first use
    assert ev.contributions[2, j] > 0 == ev.contributions[0, j]


def test_anomaly_model_ranks_outliers_high_after_learning() -> None:
    rng = np.random.default_rng(0)
    model = AnomalyModel(AnomalyConfig(window_size=50, n_trees=10, height=6), learn_every=1)
    normal = [
        {
            **BENIGN,
            "reasoning_share": float(rng.uniform(0, 0.2)),
            "output_input_ratio": float(rng.uniform(1, 4)),
        }
        for _ in range(600)
    ]
    for start in range(0, 600, 100):
        fm = matrix(normal[start : start + 100])
        model.score_many(fm)
        model.learn_many(fm, np.ones(100, dtype=bool))
    outlier = model.score_many(matrix([ATTACK])).values[0, 0]
    typical = model.score_many(matrix([normal[0]])).values[0, 0]
    assert outlier > 0.95 and outlier > typical


def test_anomaly_gives_no_evidence_before_it_has_history() -> None:
    model = AnomalyModel(AnomalyConfig())
    assert model.score_many(matrix([ATTACK])).contributions[0, 0] == 0


def test_trees_grown_up_front_score_as_trees_grown_on_first_use() -> None:
    rng = np.random.default_rng(1)
    rows = [{**BENIGN, "output_input_ratio": float(rng.uniform(1, 40))} for _ in range(300)]
    config = AnomalyConfig(window_size=50, n_trees=5, height=5)
    names = matrix(rows[:1]).names
    late, early = AnomalyModel(config, learn_every=1), AnomalyModel(config, names, learn_every=1)
    assert early._forest is not None and late._forest is None
    for start in range(0, 300, 60):
        fm = matrix(rows[start : start + 60])
        for model in (late, early):
            model.learn_many(fm, np.ones(60, dtype=bool))
        np.testing.assert_array_equal(late.score_many(fm).values, early.score_many(fm).values)
    assert late.score_many(matrix(rows[:5])).values.any()  # past the first window: real scores
