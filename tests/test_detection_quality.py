"""Detection quality on simulated traffic: the trade-off the product exists for.

A scaled-down default mix (every scenario present) is simulated, replayed and judged. The
bars are looser than the full-size acceptance figures (README) because a tenth of the
accounts makes each rate coarser, but they fail on any real regression: a detector that
missed the sybils, or flagged busy customers, would not pass.
"""

import pytest

from detector.config import Config
from detector.evaluate import evaluate
from detector.evaluation import read_labels
from detector.simulate import simulate


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("quality")
    simulate(d / "mixed.jsonl", d / "labels.csv", scenario="mixed", scale=0.1, seed=3)
    return evaluate(
        Config(), d / "mixed.jsonl", read_labels(d / "labels.csv"), d / "report", progress=False
    )


def test_attacks_are_caught(result) -> None:  # type: ignore[no-untyped-def]
    m = result.report.detector
    assert m.attack_recall >= 0.9
    assert m.recall_by_label["hydra"] >= 0.95
    assert m.median_ttd_s <= 15 * 60


def test_every_attack_campaign_is_found_and_no_benign_one(result) -> None:  # type: ignore[no-untyped-def]
    campaigns = result.report.campaigns
    assert campaigns.total == 2 and campaigns.found == campaigns.total
    assert all(m.coverage >= 0.9 and m.purity >= 0.95 for m in campaigns.matches)
    assert campaigns.false_campaigns == []
    m = result.report.detector
    assert m.recall_by_label["slow_and_low"] >= 0.9


def test_busy_customers_and_people_are_left_alone(result) -> None:  # type: ignore[no-untyped-def]
    m = result.report.detector
    assert m.benign_fpr <= 0.005
    assert m.high_volume_fpr == 0


def test_the_detector_beats_the_rate_limit_on_both_sides(result) -> None:  # type: ignore[no-untyped-def]
    d, b = result.report.detector, result.report.baseline
    assert d.attack_recall > b.attack_recall + 0.5
    assert b.high_volume_fpr > d.high_volume_fpr
