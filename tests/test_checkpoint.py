import os
import time
from pathlib import Path

import numpy as np
import pytest

from detector.checkpoint import read_checkpoint, write_checkpoint
from detector.pipeline import Pipeline
from tests.conftest import config_with
from tests.test_pipeline import traffic


def rules_only():  # type: ignore[no-untyped-def]
    # The anomaly model belongs to the instance, not the partition: leave it out so the
    # restored partition must reproduce the uninterrupted run exactly.
    return config_with(scoring={"anomaly": {"enabled": False}})


def feed(pipeline: Pipeline, values: list[bytes], partition=None) -> list:  # type: ignore[no-untyped-def]
    alerts = []
    for i in range(0, len(values), 300):
        alerts += pipeline.process(values[i : i + 300], "t", partition=partition)
    return alerts


def key(alerts: list) -> list:  # type: ignore[type-arg]
    return [(a.alert_id, a.account_id, a.ts, a.score, a.severity) for a in alerts]


def test_a_restored_partition_continues_exactly_where_it_stopped(tmp_path: Path) -> None:
    values = traffic()
    half = len(values) // 8  # early: the sybils are caught after the restore
    whole = Pipeline(rules_only())
    feed(whole, values[:half])
    expected = feed(whole, values[half:])

    first = Pipeline(rules_only())
    feed(first, values[:half])
    write_checkpoint(tmp_path / "p.ckpt", *first.default.snapshot())

    second = Pipeline(rules_only())
    partition = second.new_partition()
    partition.restore(*read_checkpoint(tmp_path / "p.ckpt"))  # type: ignore[misc]
    resumed = feed(second, values[half:], partition)
    assert key(resumed) == key(expected)
    assert expected  # the second half does raise alerts
    assert len(partition.state) == len(whole.state)


def test_checkpoint_files_hold_no_prompt_text(tmp_path: Path) -> None:
    pipeline = Pipeline(rules_only())
    feed(pipeline, traffic())
    path = tmp_path / "p.ckpt"
    write_checkpoint(path, *pipeline.default.snapshot())
    import zipfile

    with zipfile.ZipFile(path) as z:
        blob = b"".join(z.read(n) for n in z.namelist())
    assert b"step by step" not in blob and b"review number" not in blob
    assert b"sybil-1" in blob  # account ids are state; prompts are not


def test_restore_refuses_a_checkpoint_from_another_layout(tmp_path: Path) -> None:
    pipeline = Pipeline(rules_only())
    feed(pipeline, traffic()[:500])
    write_checkpoint(tmp_path / "p.ckpt", *pipeline.default.snapshot())
    other = Pipeline(
        config_with(state={"recent_requests": 8}, scoring={"anomaly": {"enabled": False}})
    )
    with pytest.raises(ValueError, match="recent"):
        other.new_partition().restore(*read_checkpoint(tmp_path / "p.ckpt"))  # type: ignore[misc]


def test_missing_and_corrupt_checkpoints(tmp_path: Path) -> None:
    assert read_checkpoint(tmp_path / "absent.ckpt") is None
    (tmp_path / "bad.ckpt").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="unreadable checkpoint"):
        read_checkpoint(tmp_path / "bad.ckpt")


def test_writes_are_atomic_renames(tmp_path: Path) -> None:
    path = tmp_path / "p.ckpt"
    write_checkpoint(path, {"a": np.zeros(3)}, {"v": 1})
    write_checkpoint(path, {"a": np.ones(3)}, {"v": 2})
    arrays, meta = read_checkpoint(path)  # type: ignore[misc]
    assert meta == {"v": 2} and arrays["a"].tolist() == [1, 1, 1]
    assert [p.name for p in tmp_path.iterdir()] == ["p.ckpt"]  # no temporary left behind


def test_two_writers_of_one_file_do_not_take_each_other_s_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instances sharing a state directory both write model.pkl: the other instance's whole
    write lands between this one's write and its rename."""
    from detector import checkpoint
    from detector.checkpoint import read_model, write_model

    path = tmp_path / "model.pkl"
    rename = os.replace
    calls = []

    def other_instance_writes_first(src: str, dst: str) -> None:
        calls.append(src)
        if len(calls) == 1:
            write_model(path, "theirs", "h")
        rename(src, dst)

    monkeypatch.setattr(checkpoint.os, "replace", other_instance_writes_first)
    write_model(path, "ours", "h")
    assert len(set(calls)) == 2  # each writer renamed a temporary of its own
    assert read_model(path, "h") == "ours"  # the last rename wins, whole
    assert [p.name for p in tmp_path.iterdir()] == ["model.pkl"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detector import checkpoint

    path = tmp_path / "p.ckpt"
    write_checkpoint(path, {"a": np.zeros(3)}, {"v": 1})

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_checkpoint(path, {"a": np.ones(3)}, {"v": 2})
    monkeypatch.undo()
    assert read_checkpoint(path)[1] == {"v": 1}  # type: ignore[index]
    assert [p.name for p in tmp_path.iterdir()] == ["p.ckpt"]


def test_temporaries_left_by_a_killed_writer_are_removed_once_stale(tmp_path: Path) -> None:
    from detector.checkpoint import remove_stale_temporaries

    stale = tmp_path / ".p0.ckpt.k3j2_x.tmp"
    fresh = tmp_path / ".model.pkl.a8f1zq.tmp"  # perhaps another instance's write in progress
    for tmp in (stale, fresh):
        tmp.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    write_checkpoint(tmp_path / "p0.ckpt", {"a": np.zeros(1)}, {})
    os.utime(tmp_path / "p0.ckpt", (time.time() - 7200, time.time() - 7200))
    assert remove_stale_temporaries(tmp_path, older_than_s=3600) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name, "p0.ckpt"]


def test_the_learned_model_is_saved_for_its_config_only(tmp_path: Path) -> None:
    from detector.checkpoint import read_model, write_model
    from detector.config import Config
    from detector.scoring import RiskScorer

    pipeline = Pipeline(Config())
    feed(pipeline, traffic())
    write_model(tmp_path / "model.pkl", pipeline.scorer, "hash-a")
    restored = read_model(tmp_path / "model.pkl", "hash-a")
    assert isinstance(restored, RiskScorer)
    anomaly = restored.models[1]
    assert anomaly._filled == pipeline.scorer.models[1]._filled > 0  # type: ignore[attr-defined]
    assert read_model(tmp_path / "model.pkl", "hash-b") is None
    assert read_model(tmp_path / "absent.pkl", "hash-a") is None
    (tmp_path / "junk.pkl").write_bytes(b"junk")
    assert read_model(tmp_path / "junk.pkl", "hash-a") is None
