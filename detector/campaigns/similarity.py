"""Pair similarity: each kind of evidence scored in [0, 1], combined with configured weights.

* ``templates``: MinHash Jaccard of the template fingerprints (shared prompt frames);
* ``infrastructure``: MinHash Jaccard of IPs and networks (shared proxies);
* ``user_agents``: MinHash Jaccard of user agents;
* ``behaviour``: 1 minus the mean absolute difference of the squashed signals, over the
  signals either account shows at all (most are near 0 for everyone, and would make every
  pair look alike);
* ``timing``: cosine similarity of the hour-of-day activity profiles.

Behaviour and timing are alike for most ordinary users, so they only ever add to a link
made by a shared artefact: a pair is an *edge* when the weighted mean reaches
``min_similarity`` and templates or infrastructure alone reach ``min_shared``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector.campaigns.minhash import jaccard
from detector.campaigns.signatures import SignatureStore
from detector.config import CampaignsConfig

__all__ = ["EVIDENCE", "PairSimilarity", "pair_similarity"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

EVIDENCE = ("templates", "infrastructure", "user_agents", "behaviour", "timing")


@dataclass(frozen=True)
class PairSimilarity:
    """Similarity of candidate pairs ``pairs[i] = (a, b)`` (signature rows)."""

    pairs: I64
    parts: F64
    """``parts[i, j]``: similarity of kind ``EVIDENCE[j]`` for pair ``i``."""
    combined: F64
    edge: npt.NDArray[np.bool_]


def _cosine(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> F64:
    ia, ib = a.astype(np.int32), b.astype(np.int32)
    dot = np.einsum("ij,ij->i", ia, ib).astype(np.float64)
    norm = np.sqrt(np.einsum("ij,ij->i", ia, ia).astype(np.float64) * np.einsum("ij,ij->i", ib, ib))
    return np.divide(dot, norm, out=np.zeros(len(a)), where=norm > 0)


_SHOWN = 13  # of 255: a squashed signal above 0.05 is one the account shows


def _behaviour(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> F64:
    shown = (a >= _SHOWN) | (b >= _SHOWN)
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16)) * shown
    return 1.0 - np.divide(
        diff.sum(axis=1) / 255.0, shown.sum(axis=1), out=np.ones(len(a)), where=shown.any(axis=1)
    )


def pair_similarity(store: SignatureStore, pairs: I64, config: CampaignsConfig) -> PairSimilarity:
    """Score candidate pairs and decide which are edges of the similarity graph."""
    a, b = pairs[:, 0], pairs[:, 1]
    p = store.parts
    parts = (
        np.column_stack(
            [
                jaccard(p["templates"][a], p["templates"][b]),
                jaccard(p["infra"][a], p["infra"][b]),
                jaccard(p["agents"][a], p["agents"][b]),
                _behaviour(p["behaviour"][a], p["behaviour"][b]),
                _cosine(p["timing"][a], p["timing"][b]),
            ]
        )
        if len(pairs)
        else np.zeros((0, len(EVIDENCE)))
    )
    w = config.weights
    weights = np.array([w.templates, w.infrastructure, w.user_agents, w.behaviour, w.timing])
    combined = parts @ weights / weights.sum()
    shared = np.maximum(parts[:, 0], parts[:, 1])
    edge = (combined >= config.min_similarity) & (shared >= config.min_shared)
    if config.same_org == "exempt":
        # One owner (an org, or one account) is not a campaign against itself.
        edge &= store.owner[a] != store.owner[b]
    return PairSimilarity(pairs, parts, combined, edge)
