"""Parameters of ``simulate``: determinism, compression, formats, validation."""

from __future__ import annotations

import gzip
import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from simhelpers import run_sim

from detector.simulate import SCENARIOS, fingerprint, simulate

# A quick run: a tenth of the small scenario's accounts.
QUICK: dict[str, Any] = {"scenario": "small", "scale": 0.1}


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    a = run_sim(tmp_path / "a", **QUICK)
    b = run_sim(tmp_path / "b", **QUICK)
    assert _bytes(a.out) == _bytes(b.out)
    assert _bytes(a.labels_path) == _bytes(b.labels_path)


def test_different_seed_gives_different_files(tmp_path: Path) -> None:
    a = run_sim(tmp_path / "a", seed=1, **QUICK)
    b = run_sim(tmp_path / "b", seed=2, **QUICK)
    assert _bytes(a.out) != _bytes(b.out)
    assert set(a.labels) != set(b.labels)


def test_gzip_output_is_deterministic_and_matches_plain(tmp_path: Path) -> None:
    plain = run_sim(tmp_path / "p", **QUICK)
    gz1 = run_sim(tmp_path / "g1", name="records.jsonl.gz", **QUICK)
    gz2 = run_sim(tmp_path / "g2", name="records.jsonl.gz", **QUICK)
    assert _bytes(gz1.out)[:2] == b"\x1f\x8b"
    assert _bytes(gz1.out) == _bytes(gz2.out)
    assert gzip.decompress(_bytes(gz1.out)) == _bytes(plain.out)


def test_fingerprint_mode_replaces_prompt_text(tmp_path: Path) -> None:
    text = run_sim(tmp_path / "t", **QUICK)
    fp = run_sim(tmp_path / "f", prompt_text=False, **QUICK)
    assert len(text.good) == len(fp.good)
    for with_text, with_fp in zip(text.good, fp.good, strict=True):
        assert "prompt_text" not in with_fp
        assert re.fullmatch(r"[0-9a-f]{16}", with_fp["prompt_fingerprint"])
        # Same seed, same prompts: the fingerprint is that of the text.
        assert with_fp["prompt_fingerprint"] == fingerprint(with_text["prompt_text"])


def test_fingerprint_normalises_case_and_whitespace() -> None:
    assert fingerprint("Think  step by\nstep") == fingerprint("think step by step")
    assert fingerprint("a") != fingerprint("b")


def test_rfc3339_timestamps(tmp_path: Path) -> None:
    unix = run_sim(tmp_path / "u", **QUICK)
    rfc = run_sim(tmp_path / "r", ts_format="rfc3339", **QUICK)
    for u, r in zip(unix.good, rfc.good, strict=True):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["ts"])
        assert math.isclose(datetime.fromisoformat(r["ts"]).timestamp(), u["ts"], abs_tol=1e-3)


def test_no_bad_lines_when_share_is_zero(tmp_path: Path) -> None:
    run = run_sim(tmp_path, bad_line_share=0.0, **QUICK)
    assert run.bad == [] and run.summary.bad_lines == 0


def test_scale_and_duration(tmp_path: Path) -> None:
    run = run_sim(tmp_path, scenario="small", scale=0.05, duration_s=1800.0)
    expected = SCENARIOS["small"].scaled(0.05)
    assert all(n <= expected[label] for label, n in run.summary.by_label.items())
    assert run.summary.end_ts < 1_767_225_600.0 + 1800.0


def test_unknown_scenario_lists_the_valid_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scenario 'nope'") as info:
        simulate(tmp_path / "r.jsonl", tmp_path / "l.csv", scenario="nope")
    for name in SCENARIOS:
        assert name in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0.0}, "scale"),
        ({"scale": float("nan")}, "scale"),
        ({"seed": -1}, "seed"),
        ({"duration_s": -5.0}, "duration_s"),
        ({"bad_line_share": 0.9}, "bad_line_share"),
        ({"bad_line_share": -0.1}, "bad_line_share"),
        ({"ts_format": "iso"}, "ts_format"),
        ({"start_ts": float("inf")}, "start_ts"),
    ],
)
def test_bad_parameters_raise(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate(tmp_path / "r.jsonl", tmp_path / "l.csv", scenario="small", **kwargs)
    assert not (tmp_path / "r.jsonl").exists()
