import io

import msgspec
import numpy as np
import pytest

from detector.alerts import Alert, AlertPolicy, JsonlSink, Reason, StdoutSink
from detector.config import AlertingConfig
from detector.scoring import Evidence, ScoreBatch


def policy(**kw: object) -> AlertPolicy:
    return AlertPolicy(AlertingConfig(**kw), config_hash="abc123")  # type: ignore[arg-type]


def batch(scores: list[float]) -> ScoreBatch:
    n = len(scores)
    ev = Evidence(
        ["x", "y", "z"], np.tile([0.5, 9.0, 1.0], (n, 1)), np.tile([0.2, 1.5, 0.0], (n, 1))
    )
    return ScoreBatch(np.arange(n), np.array(scores), ev, np.array([0.1, 2.0, 1.0]))


def test_needs_consecutive_evaluations() -> None:
    p = policy(consecutive=3)
    assert [p.decide("a", t, 0.9) for t in (0, 60, 120)] == [None, None, "warning"]


def test_a_dip_resets_the_streak() -> None:
    p = policy(consecutive=2, threshold=0.8, clear_below=0.5)
    assert p.decide("a", 0, 0.9) is None
    assert p.decide("a", 60, 0.7) is None  # below threshold, above clear_below
    assert p.decide("a", 120, 0.9) is None
    assert p.decide("a", 180, 0.9) == "warning"


def test_cooldown_then_reminder_with_the_same_id() -> None:
    p = policy(consecutive=1, cooldown_s=600)
    [first] = p.evaluate(["a"], [100.0], batch([0.9]))
    assert p.evaluate(["a"], [400.0], batch([0.9])) == []
    [again] = p.evaluate(["a"], [701.0], batch([0.9]))
    assert again.alert_id == first.alert_id


def test_escalation_is_raised_within_cooldown() -> None:
    p = policy(consecutive=1, cooldown_s=3600)
    assert p.decide("a", 0, 0.86) == "warning"
    assert p.decide("a", 60, 0.87) is None
    assert p.decide("a", 120, 0.99) == "critical"
    assert p.decide("a", 180, 0.99) is None


def test_new_episode_after_clearing_gets_a_new_id() -> None:
    p = policy(consecutive=1, cooldown_s=0)
    [a1] = p.evaluate(["a"], [0.0], batch([0.9]))
    p.evaluate(["a"], [60.0], batch([0.1]))  # clears
    [a2] = p.evaluate(["a"], [120.0], batch([0.9]))
    assert a1.alert_id != a2.alert_id


def test_ids_are_stable_across_runs() -> None:
    ids = [policy(consecutive=1).evaluate(["a"], [5.0], batch([0.9]))[0].alert_id for _ in range(2)]
    assert ids[0] == ids[1]


def test_severity_levels() -> None:
    p = policy()
    assert [p.severity(s) for s in (0.7, 0.85, 0.95)] == ["info", "warning", "critical"]


def test_allow_listed_accounts_are_never_alerted() -> None:
    p = policy(consecutive=1, allow_list=["vip"])
    assert p.evaluate(["vip", "x"], [0.0, 0.0], batch([0.99, 0.99]))[0].account_id == "x"


def test_alert_record_matches_the_contract() -> None:
    p = policy(consecutive=1)
    [alert] = p.evaluate(["acct-9"], [1767225600.5], batch([0.97]))
    d = msgspec.json.decode(msgspec.json.encode(alert))
    assert set(d) == {
        "alert_id",
        "kind",
        "ts",
        "emitted_at",
        "account_id",
        "score",
        "severity",
        "reasons",
        "config_hash",
    }
    assert d["kind"] == "account" and d["severity"] == "critical"
    assert d["ts"] == 1767225600.5 and d["config_hash"] == "abc123"
    # Largest contribution first; zero contributions left out.
    assert d["reasons"] == [
        {"signal": "y", "value": 9.0, "baseline": 2.0, "contribution": 1.5},
        {"signal": "x", "value": 0.5, "baseline": 0.1, "contribution": 0.2},
    ]


def sample_alert() -> Alert:
    return Alert(
        "id1", "account", 1.0, 2.0, 0.9, "warning", [Reason("x", 1, 0, 1)], "h", account_id="a"
    )


def test_jsonl_sink_appends(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "sub" / "alerts.jsonl"  # type: ignore[operator]
    for _ in range(2):
        sink = JsonlSink(path)
        sink.write([sample_alert()])
        sink.close()
    rows = [msgspec.json.decode(line) for line in path.read_bytes().splitlines()]
    assert [r["alert_id"] for r in rows] == ["id1", "id1"]


def test_stdout_sink_prints_json_lines_when_piped() -> None:
    out = io.StringIO()
    StdoutSink(out).write([sample_alert()])
    assert msgspec.json.decode(out.getvalue())["account_id"] == "a"


def test_suppressed_alerts_are_not_raised_again_but_the_episode_goes_on() -> None:
    first = policy(consecutive=1, cooldown_s=3600)
    [raised] = first.evaluate(["a"], [10.0], batch([0.9]))
    replay = policy(consecutive=1, cooldown_s=3600)
    replay.suppress([("a", raised.alert_id, raised.severity)])
    # Replayed with other batch boundaries, the score crosses a little later: same episode.
    assert replay.evaluate(["a"], [12.5], batch([0.9])) == []
    assert replay.in_episode("a")
    [escalated] = replay.evaluate(["a"], [20.0], batch([0.99]))
    assert escalated.alert_id == raised.alert_id and escalated.severity == "critical"
