import math
from typing import Any

import numpy as np
import pytest

from detector.features import CAMPAIGN_SIGNALS, SIGNALS, compute_features, signal_names
from tests.conftest import T0, StateHarness, record


def features_of(records: list[dict[str, Any]], account: str = "a") -> dict[str, float]:
    h = StateHarness()
    h.feed(records)
    fm = compute_features(h.state, np.array([h.row(account)]), h.state.watermark)
    return dict(zip(fm.names, fm.values[0].tolist(), strict=True))


def test_rates_and_token_volumes() -> None:
    # 12 requests in the last 4 minutes, 100 tokens in and 300 out each.
    f = features_of(
        [record(ts=T0 + 20 * i, prompt_tokens=100, completion_tokens=300) for i in range(12)]
    )
    assert f["requests_per_min_short"] == pytest.approx(12 / 5)
    # Seen for 220 s, counted as the short window's 300 s at least.
    assert f["requests_per_hour"] == pytest.approx(12 * 3600 / 300)
    assert f["prompt_tokens_per_request"] == 100
    assert f["completion_tokens_per_request"] == 300
    assert f["completion_tokens_per_hour"] == pytest.approx(3600 * 12)
    assert f["output_input_ratio"] == pytest.approx(3)


def test_output_harvest_shares() -> None:
    recs = [
        record(
            ts=T0 + i,
            finish_reason="length" if i < 3 else "stop",
            reasoning=i < 6,
            logprobs=5 if i < 2 else None,
            n=4 if i == 0 else None,
            status=[500, 429, 429, 404][i] if i < 4 else 200,
        )
        for i in range(12)
    ]
    f = features_of(recs)
    assert f["length_cut_share"] == pytest.approx(3 / 12)
    assert f["reasoning_share"] == pytest.approx(6 / 12)
    assert f["logprobs_share"] == pytest.approx(2 / 12)
    assert f["multi_n_share"] == pytest.approx(1 / 12)
    assert f["error_share"] == pytest.approx(2 / 12)
    assert f["rate_limited_share"] == pytest.approx(2 / 12)


def test_requests_per_hour_over_the_time_seen() -> None:
    # 30 requests over 30 minutes, then 30 minutes quiet: 30 per hour seen.
    f = features_of([record(ts=T0 + 60 * i) for i in range(30)] + [record("b", T0 + 3599)])
    assert f["requests_per_hour"] == pytest.approx(30, rel=1e-3)
    assert f["completion_tokens_per_hour"] == 0  # nothing in the last five minutes


def test_output_input_ratio_with_no_prompt_tokens_uses_one() -> None:
    f = features_of([record(ts=T0, completion_tokens=50)])
    assert f["output_input_ratio"] == 50


def test_query_diversity_on_templated_prompts() -> None:
    prompts = [
        "Think step by step and explain your reasoning: sort a list",
        "Think step by step and explain your reasoning: reverse a string",
        "Grade the following answer against the rubric: the answer is 42",
        "Grade the following answer against the rubric: the answer is 42",
    ]
    f = features_of([record(ts=T0 + i, prompt_text=p) for i, p in enumerate(prompts)])
    assert f["distinct_prompt_share"] == pytest.approx(3 / 4)
    assert f["distinct_template_share"] == pytest.approx(2 / 4)
    assert f["template_entropy"] == pytest.approx(1.0)  # two templates, two requests each
    assert f["near_duplicate_share"] == pytest.approx(1 / 4)  # only the second is a new fill-in
    assert f["cot_elicitation_share"] == pytest.approx(2 / 4)
    assert f["rubric_grading_share"] == pytest.approx(2 / 4)


def test_diverse_prompts_have_full_diversity() -> None:
    prompts = [
        "How do I bake bread at home quickly?",
        "Why is the sky blue in the day?",
        "Recommend a book about Rome for teens",
        "What rhymes with orange, if anything?",
    ]
    f = features_of([record(ts=T0 + i, prompt_text=p) for i, p in enumerate(prompts)])
    assert f["distinct_prompt_share"] == 1 and f["distinct_template_share"] == 1
    assert f["template_entropy"] == pytest.approx(2.0)
    assert f["near_duplicate_share"] == 0


def test_records_without_prompts_do_not_count_for_diversity() -> None:
    f = features_of([record(ts=T0 + i) for i in range(5)])
    assert f["distinct_prompt_share"] == 0 and f["template_entropy"] == 0


def test_interarrival_regularity() -> None:
    regular = features_of([record(ts=T0 + 10 * i) for i in range(10)])
    assert regular["interarrival_cv"] == pytest.approx(0, abs=1e-6)
    times = np.cumsum([0] + [5, 15] * 5)  # gaps 5, 15, ...: mean 10, std 5
    alternating = features_of([record(ts=T0 + float(t)) for t in times])
    assert alternating["interarrival_cv"] == pytest.approx(0.5, rel=1e-4)
    single = features_of([record(ts=T0)])
    assert single["interarrival_cv"] == 0


def test_active_coverage_counts_long_window_buckets() -> None:
    # Requests in three distinct 5-minute buckets of the hour.
    f = features_of([record(ts=T0 + 300 * k + 1) for k in (0, 4, 8)])
    assert f["active_coverage"] == pytest.approx(3 / 12)


def test_infrastructure_counts() -> None:
    recs = [
        record(ts=T0 + i, client_ip=ip, user_agent=ua)
        for i, (ip, ua) in enumerate(
            [
                ("203.0.113.1", "x"),
                ("203.0.113.2", "y"),
                ("198.51.100.9", "x"),
                ("203.0.113.1", "z"),
                ("2001:db8::1", "x"),
            ]
        )
    ]
    f = features_of(recs)
    assert f["distinct_ips"] == 4
    assert f["distinct_networks"] == 3
    assert f["distinct_user_agents"] == 3


def test_ip_shared_owners_is_the_busiest_ip_of_the_account() -> None:
    recs = [record("a", T0, client_ip="192.0.2.1"), record("a", T0 + 1, client_ip="192.0.2.2")]
    recs += [record(f"other{i}", T0 + 2, client_ip="192.0.2.2") for i in range(5)]
    recs += [record(f"staff{i}", T0 + 2, client_ip="192.0.2.2", org_id="acme") for i in range(5)]
    f = features_of(recs)
    assert f["ip_shared_orgs"] == 1 + 5 + 1  # a, five others, acme once
    assert f["network_shared_orgs"] == 7


def test_every_signal_is_documented_and_computed() -> None:
    names = signal_names(["cot_elicitation", "rubric_grading"])
    assert len(names) == len(set(names)) == len(SIGNALS) + 2 + len(CAMPAIGN_SIGNALS)
    for signal in (*SIGNALS, *CAMPAIGN_SIGNALS):
        assert signal.unit and signal.definition and signal.why
    f = features_of([record(ts=T0)])
    assert list(f) == names
    assert all(math.isfinite(v) for v in f.values())


def test_signal_reference_is_up_to_date() -> None:
    from pathlib import Path

    from detector.config import Config
    from detector.features import signals_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "signals.md"
    assert doc.read_text() == signals_markdown(list(Config().fingerprints.intents))
