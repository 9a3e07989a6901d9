"""Campaigns from the similarity graph: connected components, and ids that stay put.

Components of at least ``min_size`` accounts are campaigns. A campaign keeps its id while its
membership changes: each component inherits the id of the previous campaign it shares the
most members with (largest components choose first, an id goes to one component only). A
component that inherits nothing takes an id derived from its *anchor*, the member whose
account id hashes lowest, so every instance, replay and restart names it alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["CampaignRegistry", "Component", "EdgeGraph", "anchor_of"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Component:
    rows: I64
    """Signature rows of the members."""
    edges: I64
    """Indexes (into the edge list) of the edges inside the component."""


class EdgeGraph:
    """The link graph of one pass, indexed once: its distinct nodes (signature rows) and each
    link as a pair of node indexes.

    Examples
    --------
    >>> graph = EdgeGraph(np.array([[0, 1], [1, 2], [2, 3], [10, 11], [11, 12], [20, 21]]))
    >>> [c.rows.tolist() for c in graph.components(min_size=3)]
    [[0, 1, 2, 3], [10, 11, 12]]
    """

    def __init__(self, edges: I64):
        nodes, inverse = np.unique(edges.ravel(), return_inverse=True)
        self.nodes: I64 = nodes
        self.pairs: I64 = inverse.reshape(-1, 2)

    def components(
        self, min_size: int, keep: npt.NDArray[np.bool_] | None = None
    ) -> list[Component]:
        """Connected components of at least ``min_size`` nodes over the links ``keep``
        selects (all by default), largest first; their edges index the whole edge list."""
        n = len(self.nodes)
        if n == 0:
            return []
        kept = np.flatnonzero(keep) if keep is not None else np.arange(len(self.pairs))
        pairs = self.pairs[kept]
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        _, label = connected_components(graph, directed=False)
        sizes = np.bincount(label)
        if not (sizes >= min_size).any():
            return []
        # Group nodes and edges by component with one sort each, not one scan per component.
        node_order = np.argsort(label, kind="stable")
        node_bounds = np.append(0, np.cumsum(sizes))
        edge_label = label[pairs[:, 0]]
        edge_order = kept[np.argsort(edge_label, kind="stable")]
        edge_bounds = np.append(0, np.cumsum(np.bincount(edge_label, minlength=len(sizes))))
        out = [
            Component(
                self.nodes[node_order[node_bounds[c] : node_bounds[c + 1]]],
                edge_order[edge_bounds[c] : edge_bounds[c + 1]],
            )
            for c in np.flatnonzero(sizes >= min_size).tolist()
        ]
        out.sort(key=lambda c: (-len(c.rows), int(c.rows.min())))
        return out

    def bridges(self, group: I64, min_support: int) -> npt.NDArray[np.bool_]:
        """Links not inside one existing group (``group[i]``: the group of node ``i``, -1 for
        none) that fewer than ``min_support`` common neighbours back.

        Two campaigns that happen to have a near pair, or a campaign and a few look-alikes,
        would otherwise merge through that single link; members of one campaign are joined
        by many links closing triangles. Links inside a campaign are not re-checked, so the
        cost stays with the links that change the grouping.

        >>> graph = EdgeGraph(np.array([[0, 1], [1, 2], [0, 2], [2, 3], [3, 4], [4, 5], [3, 5]]))
        >>> graph.bridges(np.array([0, 0, 0, -1, -1, -1]), 1).tolist()
        [False, False, False, True, False, False, False]
        """
        ends = group[self.pairs]
        check = ~((ends[:, 0] == ends[:, 1]) & (ends[:, 0] >= 0))
        out = np.zeros(len(self.pairs), dtype=bool)
        if min_support <= 0 or not check.any():
            return out
        n = len(self.nodes)
        both = np.concatenate([self.pairs, self.pairs[:, ::-1]])
        adjacency = coo_matrix(
            (np.ones(len(both), dtype=np.int32), (both[:, 0], both[:, 1])), shape=(n, n)
        ).tocsr()
        adjacency.data[:] = 1  # a pair listed twice is one link
        checked = np.flatnonzero(check)
        for start in range(0, len(checked), _CHUNK):  # bounded memory when every link is new
            part = checked[start : start + _CHUNK]
            a, b = self.pairs[part, 0], self.pairs[part, 1]
            common = np.asarray(adjacency[a].multiply(adjacency[b]).sum(axis=1)).ravel()
            out[part] = common < min_support
        return out


_CHUNK = 20_000


def anchor_of(accounts: list[str]) -> str:
    return min(accounts, key=lambda a: (xxhash.xxh64_intdigest(a.encode()), a))


class CampaignRegistry:
    """Which campaign id each account belongs to, carried from pass to pass.

    Examples
    --------
    >>> registry = CampaignRegistry()
    >>> first = registry.assign([["a", "b", "c"]])
    >>> second = registry.assign([["b", "c", "d"]])   # a left, d joined: same campaign
    >>> first == second
    True
    """

    def __init__(self) -> None:
        self.campaign_of: dict[str, str] = {}

    def assign(self, groups: list[list[str]], hints: Mapping[str, str] | None = None) -> list[str]:
        """Ids for ``groups`` (member account ids, largest group first).

        ``hints`` are the ids other instances gave their accounts (from the signatures
        topic): they vote like this instance's own, so instances that first saw parts of a
        campaign converge on one id (ties go to the smaller id, alike everywhere).
        """
        hints = hints or {}
        taken: set[str] = set()
        ids: list[str] = []
        for members in groups:
            votes = Counter(
                c for a in members if (c := self.campaign_of.get(a) or hints.get(a)) is not None
            )
            inherited = next(
                (
                    c
                    for c, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
                    if c not in taken
                ),
                None,
            )
            campaign = inherited or self._fresh(anchor_of(members), taken)
            taken.add(campaign)
            ids.append(campaign)
        self.campaign_of = {a: c for members, c in zip(groups, ids, strict=True) for a in members}
        return ids

    def _fresh(self, anchor: str, taken: set[str]) -> str:
        base = f"cmp-{xxhash.xxh64_hexdigest(anchor.encode())}"
        campaign, n = base, 1
        while campaign in taken:
            n += 1
            campaign = f"{base}-{n}"
        return campaign
