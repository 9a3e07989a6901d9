"""Shared helpers: hand-built request records with known answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
import pytest

from detector.config import Config, load_config
from detector.fingerprints import PromptFingerprinter
from detector.records import BatchDecoder, RecordBatch
from detector.state import AccountState

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def record(account: str = "a", ts: float = T0, **fields: Any) -> dict[str, Any]:
    return {"ts": ts, "account_id": account, **fields}


def lines(records: Iterable[dict[str, Any]]) -> list[bytes]:
    return [msgspec.json.encode(r) for r in records]


def decode(records: Iterable[dict[str, Any]]) -> RecordBatch:
    batch, rejects = BatchDecoder().decode(lines(records), "test")
    assert rejects == []
    return batch


# Tests state their windows instead of depending on the defaults: 5 min and 1 h.
TEST_WINDOWS = {
    "short": {"length_s": 300, "bucket_s": 60},
    "long": {"length_s": 3600, "bucket_s": 300},
}


class StateHarness:
    """An AccountState with its fingerprinter, fed from record dicts."""

    def __init__(self, config: Config | None = None):
        self.config = config or load_config(overrides={"windows": TEST_WINDOWS})
        self.fingerprinter = PromptFingerprinter(self.config.fingerprints)
        self.state = AccountState(
            self.config.windows,
            self.config.state,
            counters=tuple(self.fingerprinter.intent_names),
        )

    def feed(self, records: Iterable[dict[str, Any]]) -> None:
        batch = decode(records)
        self.state.update(batch, self.fingerprinter.fingerprint_batch(batch))

    def row(self, account: str) -> int:
        return self.state.row_of[account]


@pytest.fixture
def harness() -> StateHarness:
    return StateHarness()


def config_with(**sections: Any) -> Config:
    return load_config(overrides={"windows": TEST_WINDOWS, **sections})
