"""Ground-truth labels: reading the labels CSV and sorting labels into classes.

The replay that generates traffic also writes, per account, which scenario
produced it. Evaluation only cares about three classes of scenario: attacks
(which the detector must catch), high-volume benign customers (which a naive
rate limit wrongly catches, so they get their own false-positive rate) and
everything else (ordinary benign users).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = [
    "ATTACK_LABELS",
    "HIGH_VOLUME_LABELS",
    "LABEL_COLUMNS",
    "AccountClass",
    "Label",
    "LabelTable",
    "classify_label",
    "encode_labels",
    "read_labels",
]

#: Scenario labels that mark an account as part of a distillation attack.
ATTACK_LABELS: frozenset[str] = frozenset({"hydra", "scraper", "slow_and_low", "attack"})

#: Scenario labels of legitimate customers whose volume alone looks suspicious.
HIGH_VOLUME_LABELS: frozenset[str] = frozenset({"enterprise", "high_volume"})

#: Required header of the labels CSV, in this order.
LABEL_COLUMNS: tuple[str, str, str] = ("account_id", "label", "campaign_id")


class AccountClass(StrEnum):
    """Evaluation class of a labelled account."""

    ATTACK = "attack"
    HIGH_VOLUME = "high_volume"
    BENIGN = "benign"


@dataclass(frozen=True)
class Label:
    """Ground truth for one account.

    Parameters
    ----------
    label : str
        Scenario name, e.g. ``"hydra"`` or ``"enterprise"``.
    campaign_id : str or None
        Identifier shared by the sybil accounts of one attack campaign;
        ``None`` for accounts that belong to no campaign.
    """

    label: str
    campaign_id: str | None


def read_labels(path: Path) -> dict[str, Label]:
    """Read a ground-truth labels CSV.

    The file must start with the header ``account_id,label,campaign_id`` and
    have exactly three fields per row. Surrounding whitespace is stripped,
    labels are lower-cased (so ``Hydra`` cannot silently count as benign),
    an empty ``campaign_id`` becomes ``None`` and blank lines are skipped.

    Parameters
    ----------
    path : pathlib.Path
        CSV file to read (UTF-8, an optional byte-order mark is accepted).

    Returns
    -------
    dict of str to Label
        Labels keyed by account id, in file order.

    Raises
    ------
    ValueError
        If the header is wrong, a row has the wrong number of fields, an
        account id or label is empty, or an account id is repeated. The
        message names the offending line number.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "labels.csv"
    ...     _ = p.write_text("account_id,label,campaign_id\\na1,hydra,c1\\na2,normal,\\n")
    ...     labels = read_labels(p)
    >>> labels["a1"]
    Label(label='hydra', campaign_id='c1')
    >>> labels["a2"].campaign_id is None
    True
    """
    labels: dict[str, Label] = {}
    first_line: dict[str, int] = {}
    # newline="" lets the csv module handle quoted newlines, so line_num stays
    # the physical line number a person would look for in an editor.
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: line 1: empty file, expected header {_header_text()}")
        if tuple(col.strip() for col in header) != LABEL_COLUMNS:
            raise ValueError(
                f"{path}: line {reader.line_num}: expected header {_header_text()}, "
                f"got {','.join(header)!r}"
            )
        for row in reader:
            line = reader.line_num
            if not row or all(not field.strip() for field in row):
                continue
            if len(row) != len(LABEL_COLUMNS):
                raise ValueError(
                    f"{path}: line {line}: expected {len(LABEL_COLUMNS)} fields, got {len(row)}"
                )
            account_id, label, campaign = (field.strip() for field in row)
            if not account_id:
                raise ValueError(f"{path}: line {line}: empty account_id")
            if not label:
                raise ValueError(f"{path}: line {line}: empty label for account {account_id!r}")
            if account_id in labels:
                raise ValueError(
                    f"{path}: line {line}: duplicate account_id {account_id!r} "
                    f"(first seen on line {first_line[account_id]})"
                )
            labels[account_id] = Label(label=label.lower(), campaign_id=campaign or None)
            first_line[account_id] = line
    return labels


def _header_text() -> str:
    return repr(",".join(LABEL_COLUMNS))


def classify_label(
    label: str,
    attack_labels: Iterable[str] = ATTACK_LABELS,
    high_volume_labels: Iterable[str] = HIGH_VOLUME_LABELS,
) -> AccountClass:
    """Return the evaluation class of a scenario label.

    Parameters
    ----------
    label : str
        Scenario label.
    attack_labels, high_volume_labels : iterable of str
        Label sets defining the attack and high-volume classes; any other
        label is benign.

    Returns
    -------
    AccountClass

    Examples
    --------
    >>> classify_label("scraper")
    <AccountClass.ATTACK: 'attack'>
    >>> classify_label("enterprise")
    <AccountClass.HIGH_VOLUME: 'high_volume'>
    >>> classify_label("chatbot_user")
    <AccountClass.BENIGN: 'benign'>
    """
    if label in frozenset(attack_labels):
        return AccountClass.ATTACK
    if label in frozenset(high_volume_labels):
        return AccountClass.HIGH_VOLUME
    return AccountClass.BENIGN


@dataclass(frozen=True)
class LabelTable:
    """Labelled accounts encoded as integer arrays for vectorised scoring.

    Attributes
    ----------
    account_ids : list of str
        Labelled account ids; position ``i`` matches ``codes[i]``.
    names : list of str
        Distinct labels, ordered attack labels first, then high-volume, then
        benign, alphabetically within a class (the order tables and plots use).
    classes : list of AccountClass
        Class of each entry of ``names``.
    codes : numpy.ndarray of int64
        Index into ``names`` for every account.
    """

    account_ids: list[str]
    names: list[str]
    classes: list[AccountClass]
    codes: npt.NDArray[np.int64]

    def class_mask(self, cls: AccountClass) -> npt.NDArray[np.bool_]:
        """Boolean mask over accounts that belong to class ``cls``."""
        in_class = np.array([c is cls for c in self.classes], dtype=bool)
        # Indexing a per-label lookup by code avoids a Python loop per account.
        mask: npt.NDArray[np.bool_] = in_class[self.codes]
        return mask

    def names_of(self, cls: AccountClass) -> list[str]:
        """Labels of class ``cls`` in table order."""
        return [n for n, c in zip(self.names, self.classes, strict=True) if c is cls]


_CLASS_ORDER = {AccountClass.ATTACK: 0, AccountClass.HIGH_VOLUME: 1, AccountClass.BENIGN: 2}


def encode_labels(
    labels: Mapping[str, Label],
    attack_labels: Iterable[str] = ATTACK_LABELS,
    high_volume_labels: Iterable[str] = HIGH_VOLUME_LABELS,
) -> LabelTable:
    """Encode labels as integer codes, ordered and classified.

    Parameters
    ----------
    labels : mapping of str to Label
        Ground truth keyed by account id.
    attack_labels, high_volume_labels : iterable of str
        Class definitions; they must not overlap.

    Returns
    -------
    LabelTable

    Raises
    ------
    ValueError
        If a label is in both ``attack_labels`` and ``high_volume_labels``.

    Examples
    --------
    >>> t = encode_labels({"a": Label("normal", None), "b": Label("hydra", "c1")})
    >>> t.names, t.codes.tolist()
    (['hydra', 'normal'], [1, 0])
    """
    attack = frozenset(attack_labels)
    high_volume = frozenset(high_volume_labels)
    overlap = attack & high_volume
    if overlap:
        raise ValueError(f"labels both attack and high-volume: {sorted(overlap)}")
    account_ids = list(labels)
    distinct = {lab.label for lab in labels.values()}
    names: Sequence[str] = sorted(
        distinct,
        key=lambda n: (_CLASS_ORDER[classify_label(n, attack, high_volume)], n),
    )
    index = {name: i for i, name in enumerate(names)}
    codes = np.fromiter(
        (index[labels[a].label] for a in account_ids), dtype=np.int64, count=len(account_ids)
    )
    return LabelTable(
        account_ids=account_ids,
        names=list(names),
        classes=[classify_label(n, attack, high_volume) for n in names],
        codes=codes,
    )
