"""Account signatures: a fixed-size summary of an account's recent traffic, stored by column.

A signature has five parts, each compared by its own similarity:

=================  ==========================================  =============================
part               what it summarises                          bytes (default config)
=================  ==========================================  =============================
``templates``      MinHash of the template fingerprints of the  2 x ``template_hashes`` (64)
                   recent requests (prefix and suffix hashes)
``infra``          MinHash of their client IPs and networks     2 x ``infra_hashes`` (32)
``agents``         MinHash of their user agents                 2 x ``agent_hashes`` (8)
``behaviour``      the account's signals, squashed to [0, 1],   one per signal (25)
                   quantised to a byte
``timing``         share of recent requests per hour of day,    24
                   quantised to a byte
=================  ==========================================  =============================

plus the owner (``org_id``, or the account itself, hashed: 4 bytes), the event time of the
update (8), the account's risk score without campaign evidence (4) and three flags (local,
live, changed: 3): 172 bytes per signature with the default config (MinHash slots keep 16
bits: see :mod:`~detector.campaigns.minhash`). The store also keeps the low byte of each slot
of the templates and infra sketches as last indexed, and whether each was empty (50), so a row
is 222 bytes. No prompt text, only hashes of hashes. :class:`SignatureMessage` is the wire
form on the signatures topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from detector.campaigns.minhash import EMPTY, MinHasher, low_bits
from detector.rows import RowIndex, grown

__all__ = ["HOURS", "SignatureMessage", "SignatureStore", "Signatures", "hashers"]

U32 = npt.NDArray[np.uint32]
U16 = npt.NDArray[np.uint16]
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

HOURS = 24
_EMPTY_BYTE = np.uint8(EMPTY & 0xFF)
"""The low byte of an empty sketch's slots, as indexed."""
_INITIAL_ROWS = 1024
_SKETCHES = ("templates", "infra", "agents")


@dataclass(frozen=True)
class Signatures:
    """Signatures of a batch of accounts (row ``i`` is ``accounts[i]``)."""

    accounts: list[str]
    owner: U32
    updated: F64
    score: F64
    """Risk score without campaign evidence: what the account shows on its own."""
    templates: U16
    infra: U16
    agents: U16
    behaviour: U8
    timing: U8

    def take(self, index: I64) -> Signatures:
        return Signatures(
            accounts=[self.accounts[i] for i in index.tolist()],
            owner=self.owner[index],
            updated=self.updated[index],
            score=self.score[index],
            templates=self.templates[index],
            infra=self.infra[index],
            agents=self.agents[index],
            behaviour=self.behaviour[index],
            timing=self.timing[index],
        )


class SignatureMessage(msgspec.Struct, array_like=True, frozen=True):
    """One account's signature on the signatures topic (MessagePack, keyed by account id).

    ``layout`` names the signature geometry; instances with another layout ignore it, except
    that sketches of 32-bit slots (from versions before slots kept 16 bits) are read by
    keeping their low 16 bits, which is what this version would have computed.
    ``campaign`` is the id of the campaign the publishing instance has the account in.
    """

    layout: str
    owner: int
    updated: float
    score: float
    templates: bytes
    infra: bytes
    agents: bytes
    behaviour: bytes
    timing: bytes
    campaign: str = ""


class SignatureStore:
    """Every known account's latest signature: this instance's accounts and, in a scaled-out
    deployment, the other instances' (read from the signatures topic).

    Rows are assigned once per account and reused after :meth:`evict`. ``changed`` marks rows
    whose signature changed since the similarity index last saw them.
    """

    def __init__(
        self, template_hashes: int, infra_hashes: int, agent_hashes: int, behaviour_dims: int
    ):
        self.widths = {
            "templates": template_hashes,
            "infra": infra_hashes,
            "agents": agent_hashes,
            "behaviour": behaviour_dims,
            "timing": HOURS,
        }
        geometry = f"t{template_hashes}.i{infra_hashes}.a{agent_hashes}.b{behaviour_dims}"
        self.layout = f"{geometry}.s16"
        self._wide_layout = geometry
        """The same geometry with 32-bit slots."""
        self.capacity = 0
        self.parts: dict[str, npt.NDArray[Any]] = {}
        self.owner = np.zeros(0, dtype=np.uint32)
        self.updated = np.zeros(0, dtype=np.float64)
        self.score = np.zeros(0, dtype=np.float32)
        self.local = np.zeros(0, dtype=bool)
        self.live = np.zeros(0, dtype=bool)
        self.changed = np.zeros(0, dtype=bool)
        # The templates and infra sketches the similarity index last saw, per row: the low
        # byte of each slot, and whether the sketch was empty. A slot that changes keeps its
        # low byte 1 time in 256, so the drift share is read to within that, at a quarter of
        # the bytes of a copy.
        self.indexed: dict[str, U8] = {}
        self.indexed_empty: dict[str, npt.NDArray[np.bool_]] = {}
        self.index = RowIndex()
        self._grow(_INITIAL_ROWS)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def row_of(self) -> dict[str, int]:
        return self.index.row_of

    def _grow(self, to: int) -> None:
        for name, width in self.widths.items():
            dtype, fill = (np.uint16, EMPTY) if name in _SKETCHES else (np.uint8, 0)
            self.parts[name] = grown(self.parts.get(name, np.zeros((0, width), dtype)), to, fill)
        for name in ("templates", "infra"):
            empty = np.zeros((0, self.widths[name]), np.uint8)
            self.indexed[name] = grown(self.indexed.get(name, empty), to, _EMPTY_BYTE)
            self.indexed_empty[name] = grown(
                self.indexed_empty.get(name, np.zeros(0, bool)), to, True
            )
        self.owner = grown(self.owner, to, 0)
        self.updated = grown(self.updated, to, -np.inf)
        self.score = grown(self.score, to, 0)
        self.local = grown(self.local, to, False)
        self.live = grown(self.live, to, False)
        self.changed = grown(self.changed, to, False)
        self.index.grow(to)
        self.capacity = to

    def rows_for(self, accounts: list[str]) -> I64:
        """Rows of ``accounts``, assigning rows to new ones."""
        index = self.index
        row_of = index.row_of
        rows = np.empty(len(accounts), dtype=np.int64)
        for i, account in enumerate(accounts):
            row = row_of.get(account)
            if row is None:
                if index.full:
                    self._grow(self.capacity * 2)
                row = index.assign(account)
            rows[i] = row
        return rows

    def put(self, sigs: Signatures, local: bool) -> I64:
        """Store signatures; newer ones (by event time) replace older ones."""
        rows = self.rows_for(sigs.accounts)
        newer = ~self.live[rows] | (sigs.updated >= self.updated[rows])
        rows_n = rows[newer]
        for name in self.widths:
            self.parts[name][rows_n] = getattr(sigs, name)[newer]
        self.owner[rows_n] = sigs.owner[newer]
        self.updated[rows_n] = sigs.updated[newer]
        self.score[rows_n] = sigs.score[newer]
        self.local[rows_n] = local
        self.live[rows_n] = True
        self.changed[rows_n] = True
        return rows_n

    def set_scores(self, accounts: list[str], scores: F64) -> None:
        """The latest risk score of accounts that already have a signature."""
        rows = [self.row_of.get(a, -1) for a in accounts]
        index = np.array(rows, dtype=np.int64)
        known = index >= 0
        self.score[index[known]] = scores[known]

    def remove(self, accounts: list[str]) -> I64:
        """Forget these accounts (tombstones from the topic); returns the rows freed."""
        rows = np.array(
            [r for a in accounts if (r := self.row_of.get(a)) is not None], dtype=np.int64
        )
        self._release(rows)
        return rows

    def evict(self, horizon: float) -> tuple[I64, list[str]]:
        """Forget signatures last updated before event time ``horizon``; returns their rows
        and which of them were this instance's accounts."""
        rows = np.flatnonzero(self.live & (self.updated < horizon)).astype(np.int64)
        local = self.accounts(rows[self.local[rows]])
        self._release(rows)
        return rows, local

    def _release(self, rows: I64) -> None:
        self.index.release(rows)
        self.live[rows] = False
        self.changed[rows] = False
        self.local[rows] = False
        for name in _SKETCHES:
            self.parts[name][rows] = EMPTY
        for name in ("templates", "infra"):
            self.indexed[name][rows] = _EMPTY_BYTE
            self.indexed_empty[name][rows] = True

    def drifted(self, rows: I64, share: float) -> npt.NDArray[np.bool_]:
        """Which ``rows`` have templates or infra sketches that differ from the indexed ones
        in at least ``share`` of their slots (a row never indexed has drifted)."""
        out = np.zeros(len(rows), dtype=bool)
        for name in ("templates", "infra"):
            sketch = self.parts[name][rows]
            moved = (sketch.astype(np.uint8) != self.indexed[name][rows]).mean(axis=1)
            out |= moved >= share
            out |= self.indexed_empty[name][rows] & (sketch[:, 0] != EMPTY)
        return out

    def mark_indexed(self, rows: I64) -> None:
        for name in ("templates", "infra"):
            sketch = self.parts[name][rows]
            self.indexed[name][rows] = sketch.astype(np.uint8)  # the low byte
            self.indexed_empty[name][rows] = sketch[:, 0] == EMPTY

    def accounts(self, rows: I64) -> list[str]:
        return self.index.accounts(rows)

    # -- wire form ---------------------------------------------------------------------------

    def message(self, row: int, campaign: str = "") -> SignatureMessage:
        p = self.parts
        return SignatureMessage(
            self.layout,
            int(self.owner[row]),
            float(self.updated[row]),
            float(self.score[row]),
            p["templates"][row].tobytes(),
            p["infra"][row].tobytes(),
            p["agents"][row].tobytes(),
            p["behaviour"][row].tobytes(),
            p["timing"][row].tobytes(),
            campaign,
        )

    def from_messages(
        self, accounts: list[str], messages: list[SignatureMessage]
    ) -> Signatures | None:
        """Signatures from wire messages of this layout (others are skipped)."""
        known = (self.layout, self._wide_layout)
        pairs = [(a, m) for a, m in zip(accounts, messages, strict=True) if m.layout in known]
        if not pairs:
            return None

        wide = [i for i, (_, m) in enumerate(pairs) if m.layout == self._wide_layout]

        def column(name: str, dtype: type) -> npt.NDArray[Any]:
            raw: list[bytes] = [getattr(m, name) for _, m in pairs]
            if name in _SKETCHES:
                for i in wide:
                    raw[i] = low_bits(np.frombuffer(raw[i], dtype=np.uint32)).tobytes()
            return np.frombuffer(b"".join(raw), dtype=dtype).reshape(len(pairs), self.widths[name])

        return Signatures(
            accounts=[a for a, _ in pairs],
            owner=np.array([m.owner for _, m in pairs], dtype=np.uint32),
            updated=np.array([m.updated for _, m in pairs], dtype=np.float64),
            score=np.array([m.score for _, m in pairs], dtype=np.float64),
            templates=column("templates", np.uint16),
            infra=column("infra", np.uint16),
            agents=column("agents", np.uint16),
            behaviour=column("behaviour", np.uint8),
            timing=column("timing", np.uint8),
        )


def hashers(template_hashes: int, infra_hashes: int, agent_hashes: int) -> dict[str, MinHasher]:
    """The MinHash families of the three set-valued parts (fixed seeds: comparable across
    instances and restarts)."""
    return {
        "templates": MinHasher(template_hashes, seed=0x7E3A),
        "infra": MinHasher(infra_hashes, seed=0x1F4A),
        "agents": MinHasher(agent_hashes, seed=0xA6E7),
    }
