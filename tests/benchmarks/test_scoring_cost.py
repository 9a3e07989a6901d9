"""The scoring-cost benchmark (benchmarks/scoring_cost.py): what it times is a real scoring
step over exactly the accounts asked for, and its fit separates the two costs."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from benchmarks.scoring_cost import built_pipeline, fit, river_per_account, scorable, time_steps
from detector.pipeline import Pipeline
from tests.conftest import T0, record


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    path: Path = tmp_path_factory.mktemp("scoring") / "mix.jsonl"
    records = [
        record(f"a{i % 300}", ts=T0 + i, prompt_text=f"explain item {i % 17}", client_ip="10.0.0.1")
        for i in range(3000)
    ]
    path.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in records))
    return built_pipeline(path)


def test_each_step_scores_exactly_the_accounts_asked_for(pipeline: Pipeline) -> None:
    rows = scorable(pipeline)
    assert len(rows) == 300  # ten requests each: all past scoring.min_requests
    before = pipeline.stats.evaluations
    seconds = time_steps(pipeline, rows, 64, 3)
    assert len(seconds) == 3 and all(s > 0 for s in seconds)
    assert pipeline.stats.evaluations - before == 3 * 64
    assert not pipeline.state.dirty.any()  # nothing left over for a later step


def test_the_fit_separates_the_cost_per_step_from_the_cost_per_account() -> None:
    sizes = [16, 64, 256, 1024]
    fixed, marginal = fit(sizes, [0.0007 + n * 9e-6 for n in sizes])
    assert fixed == pytest.approx(0.0007) and marginal == pytest.approx(9e-6)


def test_the_river_baseline_times_a_scoring_of_each_account(pipeline: Pipeline) -> None:
    assert 0 < river_per_account(pipeline, scorable(pipeline), 50) < 0.01
