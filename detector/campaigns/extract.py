"""Signatures from window state: what :class:`~detector.campaigns.signatures.Signatures`
holds, computed for a batch of accounts from their recent-requests ring."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from detector.campaigns.minhash import MinHasher
from detector.campaigns.signatures import HOURS, Signatures
from detector.state import AccountState

__all__ = ["account_signatures"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# Suffix and network hashes live in other namespaces than prefix and IP hashes: a prompt
# whose first words hash like another's last words is not a shared template.
_SUFFIX_TAG = np.uint32(0x9E3779B9)
_NETWORK_TAG = np.uint32(0x85EBCA6B)


def _quantise(values: F64) -> npt.NDArray[np.uint8]:
    return np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)


def account_signatures(
    state: AccountState,
    rows: I64,
    now: float,
    behaviour: F64,
    scores: F64,
    hashers: dict[str, MinHasher],
) -> Signatures:
    """Signatures of ``rows`` at event time ``now``; ``behaviour`` holds their squashed
    signals (rows x signals, in [0, 1]) and ``scores`` their risk scores."""
    ring = state.ring.gather(rows)
    recent = ring.within(now, state.long.length_s)
    r = ring.columns
    with_prompt = recent & (r["exact"] != 0)
    templates = np.concatenate([r["prefix"], r["suffix"] ^ _SUFFIX_TAG], axis=1)
    template_valid = np.concatenate(
        [with_prompt & (r["prefix"] != 0), with_prompt & (r["suffix"] != 0)], axis=1
    )
    infra = np.concatenate([r["ip"], r["network"] ^ _NETWORK_TAG], axis=1)
    infra_valid = np.concatenate([recent & (r["ip"] != 0), recent & (r["network"] != 0)], axis=1)
    agents_valid = recent & (r["user_agent"] != 0)

    hours = np.floor(ring.ts / 3600.0).astype(np.int64) % HOURS
    cell = (np.arange(len(rows))[:, None] * HOURS + hours)[recent]
    counts = np.bincount(cell, minlength=len(rows) * HOURS).reshape(len(rows), HOURS)
    peak = np.maximum(counts.max(axis=1, initial=0), 1)[:, None]

    return Signatures(
        accounts=state.accounts(rows),
        owner=state.owner[rows].copy(),
        updated=state.last_seen[rows].copy(),
        score=scores.astype(np.float64),
        templates=hashers["templates"].signatures(templates, template_valid),
        infra=hashers["infra"].signatures(infra, infra_valid),
        agents=hashers["agents"].signatures(r["user_agent"], agents_valid),
        behaviour=_quantise(behaviour),
        timing=_quantise(counts / peak),
    )
