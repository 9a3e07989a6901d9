"""Columnar store of generated requests, before they are sorted and written.

Generators append one account at a time as NumPy columns; strings (IPs, user agents, keys,
agent task contexts) are interned into tables and referenced by index, so a million requests
cost a few dozen megabytes until the writer turns them into JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.simulate.profiles import LARGE_MODEL, SMALL_MODEL

__all__ = [
    "COLUMNS",
    "ENDPOINT",
    "FINISH_REASONS",
    "MODELS",
    "Account",
    "IdFactory",
    "Interner",
    "Traffic",
    "TrafficBuilder",
]

ENDPOINT = "/v1/messages"
MODELS: tuple[str, ...] = (LARGE_MODEL, SMALL_MODEL)
# Code -1 (no finish reason, for failed requests) indexes the trailing None.
FINISH_REASONS: tuple[str | None, ...] = ("stop", "length", "tool_use", "content_filter", None)

#: Column name -> dtype. -1 means "absent" in max_tokens/finish/logprobs/context, NaN in
#: temperature.
COLUMNS: dict[str, npt.DTypeLike] = {
    "ts": np.float64,  # seconds since the scenario start
    "account": np.int32,
    "key": np.int32,
    "ip": np.int32,
    "ua": np.int32,
    "model": np.int8,
    "status": np.int16,
    "prompt_tokens": np.int64,
    "completion_tokens": np.int64,
    "max_tokens": np.int32,
    "finish": np.int8,
    "latency_ms": np.float64,
    "reasoning": np.bool_,
    "logprobs": np.int16,
    "n": np.int16,
    "temperature": np.float64,
    "family": np.int16,
    "context": np.int32,
}


@dataclass(frozen=True)
class Account:
    """Ground truth and identity of one simulated account."""

    account_id: str
    label: str
    campaign_id: str | None
    org_id: str | None


class Interner:
    """Assigns dense indices to strings, first come first served."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, item: str) -> int:
        """Index of ``item``, adding it if new."""
        idx = self._index.get(item)
        if idx is None:
            idx = len(self.items)
            self._index[item] = idx
            self.items.append(item)
        return idx

    def add_many(self, items: Iterable[str]) -> npt.NDArray[np.int32]:
        """Indices of ``items`` as an int32 array."""
        return np.array([self.add(i) for i in items], dtype=np.int32)


class IdFactory:
    """Random-looking unique identifiers (``acct_3f9a...``) from the generation RNG.

    Identifiers carry no label, order or campaign information, so a detector cannot cheat.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._issued: set[str] = set()

    def new(self, prefix: str, hex_chars: int = 12) -> str:
        """A fresh identifier ``prefix + hex_chars`` lower-case hex digits."""
        while True:
            value = int(self._rng.integers(0, 1 << (4 * hex_chars), dtype=np.uint64))
            ident = f"{prefix}{value:0{hex_chars}x}"
            if ident not in self._issued:
                self._issued.add(ident)
                return ident


@dataclass(frozen=True)
class Traffic:
    """All generated requests in generation order (not yet sorted by time)."""

    columns: Mapping[str, np.ndarray]
    accounts: list[Account]
    ips: list[str]
    user_agents: list[str]
    keys: list[str]
    contexts: list[str]

    def __len__(self) -> int:
        return int(self.columns["ts"].shape[0])


class TrafficBuilder:
    """Accumulates per-account column chunks and string tables."""

    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.ips = Interner()
        self.user_agents = Interner()
        self.keys = Interner()
        self.contexts: list[str] = []
        self._parts: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}

    def add_account(self, account: Account) -> int:
        """Register an account; returns its dense index."""
        self.accounts.append(account)
        return len(self.accounts) - 1

    def add_context(self, text: str) -> int:
        """Store a shared prompt prefix (an agent's task description); returns its index."""
        self.contexts.append(text)
        return len(self.contexts) - 1

    def add_requests(self, columns: Mapping[str, np.ndarray | int | float]) -> None:
        """Append requests; every column must be given, scalars are broadcast.

        Raises
        ------
        ValueError
            If a column is missing or unknown, or the arrays differ in length.
        """
        missing = COLUMNS.keys() - columns.keys()
        unknown = columns.keys() - COLUMNS.keys()
        if missing or unknown:
            raise ValueError(f"columns missing {sorted(missing)}, unknown {sorted(unknown)}")
        n = len(np.asarray(columns["ts"]))
        for name, dtype in COLUMNS.items():
            arr = np.asarray(columns[name], dtype=dtype)
            if arr.ndim == 0:
                arr = np.full(n, arr, dtype=dtype)
            if arr.shape != (n,):
                raise ValueError(f"column {name!r} has shape {arr.shape}, expected ({n},)")
            self._parts[name].append(arr)

    def build(self) -> Traffic:
        """Concatenate everything into one :class:`Traffic`."""
        columns = {
            name: (np.concatenate(parts) if parts else np.empty(0, dtype=COLUMNS[name]))
            for name, parts in self._parts.items()
        }
        return Traffic(
            columns=columns,
            accounts=self.accounts,
            ips=self.ips.items,
            user_agents=self.user_agents.items,
            keys=self.keys.items,
            contexts=self.contexts,
        )
