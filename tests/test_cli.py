"""The command line end to end, as users run it: real processes, real files."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from detector.cli import main


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detector", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("sim")
    out, labels = d / "small.jsonl.gz", d / "labels.csv"
    proc = cli(
        "simulate",
        "--scenario",
        "small",
        "--out",
        str(out),
        "--labels",
        str(labels),
        "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    assert "records" in proc.stdout
    return out, labels


def test_replay_writes_alerts_rejects_and_a_summary(
    small: tuple[Path, Path], tmp_path: Path
) -> None:
    records, labels = small
    alerts, rejects = tmp_path / "alerts.jsonl", tmp_path / "rejects.jsonl"
    proc = cli(
        "replay", "--input", str(records), "--alerts", str(alerts), "--rejects", str(rejects)
    )
    assert proc.returncode == 0, proc.stderr
    assert "throughput" in proc.stdout and "records/s" in proc.stdout
    lines = [json.loads(x) for x in alerts.read_text().splitlines()]
    assert lines and all(
        a["kind"] in {"account", "campaign"} and 0 <= a["score"] <= 1 for a in lines
    )
    attack = {
        r["account_id"]
        for r in csv.DictReader(labels.open())
        if r["label"] in {"hydra", "scraper", "slow_and_low"}
    }
    assert {a["account_id"] for a in lines if a["kind"] == "account"} <= attack
    campaigns = [a for a in lines if a["kind"] == "campaign"]
    assert campaigns and all(set(a["members"]) <= attack for a in campaigns)
    dead = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert dead and all(set(d) == {"reason", "raw", "source", "offset"} for d in dead)
    # The summary's reject count is the dead-letter file's line count.
    assert f"{len(dead):,} rejected" in proc.stdout
    # No prompt text leaks into alerts.
    assert "prompt" not in alerts.read_text().replace("prompt_tokens", "")


def test_replay_alerts_to_stdout_as_json_lines(small: tuple[Path, Path]) -> None:
    proc = cli("replay", "--input", str(small[0]), "--alerts", "-", "--no-progress")
    assert proc.returncode == 0
    assert all(json.loads(line)["alert_id"] for line in proc.stdout.splitlines())
    assert "throughput" in proc.stderr


def test_evaluate_writes_report_and_plots(small: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "eval"
    proc = cli(
        "evaluate",
        "--input",
        str(small[0]),
        "--labels",
        str(small[1]),
        "--out",
        str(out),
        "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    assert "attack recall" in proc.stdout and "rate limit" in proc.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["detector"]["attack_recall"] > metrics["baseline"]["attack_recall"]
    for png in ("score_distribution.png", "precision_recall.png", "time_to_detect.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"
    assert "score_distribution.png" in (out / "report.md").read_text()


@pytest.mark.parametrize(
    "args",
    [
        ["replay", "--input", "/nonexistent.jsonl", "--alerts", "a.jsonl"],
        ["simulate", "--scenario", "nope", "--out", "o.jsonl", "--labels", "l.csv"],
        ["evaluate", "--input", "/nonexistent", "--labels", "x.csv"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    proc = cli(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip()


def test_signals_command_prints_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["signals"]) == 0
    assert "| `cot_elicitation_share` |" in capsys.readouterr().out
