"""Reading and classifying ground-truth labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.evaluation import (
    ATTACK_LABELS,
    HIGH_VOLUME_LABELS,
    AccountClass,
    Label,
    classify_label,
    read_labels,
)
from detector.evaluation.labels import encode_labels


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "labels.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_rows_in_order_with_normalisation(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'account_id,label,campaign_id\na1,hydra,c1\n\n a2 , Scraper , \n"a,3",normal,""\n',
    )
    labels = read_labels(path)
    assert list(labels) == ["a1", "a2", "a,3"]
    assert labels["a1"] == Label("hydra", "c1")
    assert labels["a2"] == Label("scraper", None)
    assert labels["a,3"] == Label("normal", None)


def test_accepts_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    path = _write(tmp_path, "account_id,label,campaign_id\r\na1,enterprise,\r\n", "utf-8-sig")
    assert read_labels(path) == {"a1": Label("enterprise", None)}


def test_header_only_gives_no_labels(tmp_path: Path) -> None:
    assert read_labels(_write(tmp_path, "account_id,label,campaign_id\n")) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"line 1: empty file"),
        ("account,label,campaign_id\na1,hydra,\n", r"line 1: expected header"),
        (
            "account_id,label,campaign_id\na1,hydra,c1\na2,normal\n",
            r"line 3: expected 3 fields, got 2",
        ),
        ("account_id,label,campaign_id\na1,hydra,c1,extra\n", r"line 2: expected 3 fields, got 4"),
        ("account_id,label,campaign_id\n,hydra,c1\n", r"line 2: empty account_id"),
        ("account_id,label,campaign_id\na1, ,c1\n", r"line 2: empty label for account 'a1'"),
        (
            "account_id,label,campaign_id\na1,hydra,c1\na2,normal,\na1,normal,\n",
            r"line 4: duplicate account_id 'a1' \(first seen on line 2\)",
        ),
        # A quoted newline spans two physical lines; the error must name the
        # line an editor shows, not the row count.
        ('account_id,label,campaign_id\n"a\n1",hydra,c1\na2,x\n', r"line 4: expected 3 fields"),
    ],
)
def test_malformed_csv_names_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as info:
        read_labels(path)
    assert str(path) in str(info.value)


def test_missing_file_is_not_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_labels(tmp_path / "nope.csv")


def test_label_sets() -> None:
    assert frozenset({"hydra", "scraper", "slow_and_low", "attack"}) == ATTACK_LABELS
    assert frozenset({"enterprise", "high_volume"}) == HIGH_VOLUME_LABELS
    assert not ATTACK_LABELS & HIGH_VOLUME_LABELS


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("hydra", AccountClass.ATTACK),
        ("attack", AccountClass.ATTACK),
        ("high_volume", AccountClass.HIGH_VOLUME),
        ("normal", AccountClass.BENIGN),
    ],
)
def test_classify_label(label: str, expected: AccountClass) -> None:
    assert classify_label(label) is expected


def test_classify_label_overrides() -> None:
    assert classify_label("bot", attack_labels={"bot"}) is AccountClass.ATTACK
    assert classify_label("hydra", attack_labels={"bot"}) is AccountClass.BENIGN


def test_encode_orders_by_class_then_name() -> None:
    labels = {
        "a": Label("normal", None),
        "b": Label("scraper", None),
        "c": Label("enterprise", None),
        "d": Label("hydra", None),
        "e": Label("scraper", None),
    }
    table = encode_labels(labels)
    assert table.names == ["hydra", "scraper", "enterprise", "normal"]
    assert table.codes.tolist() == [3, 1, 2, 0, 1]
    assert table.class_mask(AccountClass.ATTACK).tolist() == [False, True, False, True, True]


def test_encode_rejects_overlapping_classes() -> None:
    with pytest.raises(ValueError, match="both attack and high-volume"):
        encode_labels({}, attack_labels={"x"}, high_volume_labels={"x"})
