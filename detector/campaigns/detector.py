"""The campaign pass: index changed signatures, verify candidate pairs, group, name, alert.

Signatures are updated as a side effect of account scoring (:meth:`CampaignDetector.observe`,
batched over the accounts scored together). Every ``campaigns.interval_s`` of event time a
pass re-indexes the signatures that changed, scores only the candidate pairs of those
accounts (edges between unchanged accounts are kept from earlier passes), and recomputes the
connected components of the similarity graph. Campaign membership then feeds back into each
member's next score through the ``campaign_*`` signals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.alerts import MAX_REASONS, Alert, AlertPolicy, Reason
from detector.campaigns.extract import account_signatures
from detector.campaigns.grouping import (
    CampaignRegistry,
    Component,
    EdgeGraph,
    anchor_of,
)
from detector.campaigns.lsh import BandIndex, unique_pairs
from detector.campaigns.signatures import SignatureMessage, SignatureStore, hashers
from detector.campaigns.similarity import EVIDENCE, PairSimilarity, pair_similarity
from detector.config import Config
from detector.features import CAMPAIGN_SIGNALS, FeatureMatrix, signal_names, squash
from detector.scoring import ScoreBatch
from detector.state import AccountState

__all__ = ["REASON_NAMES", "Campaign", "CampaignDetector", "CampaignStats"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_CAMPAIGN_NAMES = frozenset(s.name for s in CAMPAIGN_SIGNALS)


def _combine(probability: float, log_odds: float) -> float:
    p = min(max(probability, 1e-9), 1 - 1e-9)
    return float(1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + log_odds))))


def _ramp(value: float, low: float, high: float) -> float:
    return min(max((value - low) / (high - low), 0.0), 1.0)


REASON_NAMES = {
    "templates": "shared_templates",
    "infrastructure": "shared_infrastructure",
    "user_agents": "shared_user_agents",
    "behaviour": "similar_behaviour",
    "timing": "synchronised_timing",
}


@dataclass(frozen=True)
class Campaign:
    """One campaign as of the latest pass."""

    campaign_id: str
    members: list[str]
    score: float
    """The campaign's risk: its members' mean risk on their own (without campaign
    evidence), with ``coordination_weight * coordination`` added on the log-odds scale."""
    member_risk: float
    coordination: float
    """In [0, 1]: many accounts linked by sharing templates *and* infrastructure (edge by
    edge). Either alone is common among benign look-alikes (one agent framework; one office
    NAT)."""
    similarity: F64
    """Mean similarity of each kind (:data:`EVIDENCE` order) over the campaign's edges."""
    local: bool
    """This instance owns the anchor member, so it is the one that alerts."""


@dataclass(frozen=True)
class _Membership:
    campaign_id: str
    members: int
    risk: float
    similarity: float


@dataclass
class CampaignStats:
    passes: int = 0
    candidate_pairs: int = 0
    edges: int = 0
    signatures: int = 0


class CampaignDetector:
    """Cross-account similarity and campaign grouping for one instance.

    Examples
    --------
    >>> from detector.config import Config
    >>> campaigns = CampaignDetector(Config(), config_hash="doc")
    >>> campaigns.lookup(["nobody"])["campaign_risk"]
    array([0.])
    >>> campaigns.run(1767225600.0)
    []
    """

    def __init__(self, config: Config, config_hash: str):
        cfg = self.config = config.campaigns
        self.hashers = hashers(cfg.template_hashes, cfg.infra_hashes, cfg.agent_hashes)
        self.behaviour_dims = len(
            [
                name
                for name in signal_names(list(config.fingerprints.intents))
                if name not in _CAMPAIGN_NAMES
            ]
        )
        self.store = SignatureStore(
            cfg.template_hashes, cfg.infra_hashes, cfg.agent_hashes, self.behaviour_dims
        )
        self.template_index = BandIndex(cfg.template_hashes, cfg.template_band_rows, cfg.max_bucket)
        self.infra_index = BandIndex(cfg.infra_hashes, cfg.infra_band_rows, cfg.max_bucket)
        self.edges = np.empty((0, 2), dtype=np.int64)
        self.edge_parts = np.empty((0, len(EVIDENCE)))
        self.edge_combined = np.empty(0)
        self.baselines = np.zeros(len(EVIDENCE))
        self.registry = CampaignRegistry()
        self.policy = AlertPolicy(config.alerting, config_hash, kind="campaign")
        self.config_hash = config_hash
        self.campaigns: dict[str, Campaign] = {}
        self._membership: dict[str, _Membership] = {}
        self.next_pass = -np.inf
        self._grouping: tuple[list[Component], list[list[str]], list[str]] | None = None
        self.publishing = False
        self._outbox: dict[str, bool] = {}
        self._remote_campaign: dict[str, str] = {}
        self._alerted_size: dict[str, int] = {}
        self.stats = CampaignStats()

    # -- signatures --------------------------------------------------------------------------

    def observe(
        self, state: AccountState, features: FeatureMatrix, scored: ScoreBatch, now: float
    ) -> None:
        """Update the signatures of freshly scored accounts (those with enough requests)."""
        accounts = state.accounts(features.rows)
        scores = scored.scores_without(_CAMPAIGN_NAMES)
        self.store.set_scores(accounts, scores)
        eligible = features.requests >= self.config.min_requests
        if not eligible.any():
            return
        behaviour = squash(features)[eligible][:, : self.behaviour_dims]
        sigs = account_signatures(
            state, features.rows[eligible], now, behaviour, scores[eligible], self.hashers
        )
        self.store.put(sigs, local=True)
        if self.publishing:
            self._outbox.update(dict.fromkeys(sigs.accounts, True))

    def ingest(self, accounts: list[str], messages: list[SignatureMessage | None]) -> None:
        """Signatures published by other instances (``None``: the account was forgotten)."""
        gone = [
            a
            for a, m in zip(accounts, messages, strict=True)
            if m is None
            and (row := self.store.row_of.get(a)) is not None
            and not self.store.local[row]
        ]
        self._forget(self.store.remove(gone), [])
        live = [(a, m) for a, m in zip(accounts, messages, strict=True) if m is not None]
        for account, message in live:
            if message.campaign:
                self._remote_campaign[account] = message.campaign
            else:
                self._remote_campaign.pop(account, None)
        sigs = self.store.from_messages([a for a, _ in live], [m for _, m in live])
        if sigs is not None:
            mine = np.array(
                [
                    (r := self.store.row_of.get(a)) is not None and bool(self.store.local[r])
                    for a in sigs.accounts
                ],
                dtype=bool,
            )
            if (~mine).any():
                keep = np.flatnonzero(~mine)
                self.store.put(sigs.take(keep), local=False)

    def release(self, accounts: list[str]) -> None:
        """These accounts now belong to another instance (their partition moved)."""
        store = self.store
        rows = [r for a in accounts if (r := store.row_of.get(a)) is not None]
        store.local[rows] = False

    def outbox(self) -> list[tuple[str, SignatureMessage | None]]:
        """This instance's signatures changed (or forgotten) since the last call."""
        out: list[tuple[str, SignatureMessage | None]] = []
        campaign_of = self.registry.campaign_of
        for account, alive in self._outbox.items():
            row = self.store.row_of.get(account)
            if alive and row is not None:
                out.append((account, self.store.message(row, campaign_of.get(account, ""))))
            else:
                out.append((account, None))
        self._outbox = {}
        return out

    def lookup(self, accounts: list[str]) -> dict[str, F64]:
        """The campaign signals of ``accounts`` (``features.CAMPAIGN_SIGNALS``)."""
        values = np.zeros((len(accounts), 3))
        membership = self._membership
        if membership:
            for i, account in enumerate(accounts):
                found = membership.get(account)
                if found is not None:
                    values[i] = found.members, found.risk, found.similarity
        return {
            "campaign_members": values[:, 0],
            "campaign_risk": values[:, 1],
            "campaign_similarity": values[:, 2],
        }

    def campaign_ids(self, accounts: list[str]) -> list[str | None]:
        membership = self._membership
        return [found.campaign_id if (found := membership.get(a)) else None for a in accounts]

    # -- the pass ----------------------------------------------------------------------------

    def due(self, watermark: float) -> bool:
        return watermark >= self.next_pass

    def run(self, watermark: float) -> list[Alert]:
        """One campaign pass at event time ``watermark``; returns the campaign alerts."""
        cfg, store = self.config, self.store
        self.next_pass = (np.floor(watermark / cfg.interval_s) + 1) * cfg.interval_s
        evicted, gone = store.evict(watermark - cfg.idle_ttl_s)
        self._forget(evicted, gone)
        changed = np.flatnonzero(store.changed).astype(np.int64)
        store.changed[changed] = False
        # Sketches drift a slot or two with every request; re-verifying an account's pairs
        # each time would dominate the cost. Its edges stand until it has drifted by
        # reverify_share of its slots since they were verified.
        changed = changed[store.drifted(changed, cfg.reverify_share)]
        store.mark_indexed(changed)
        self._drop_edges(changed)
        candidates = np.empty((0, 2), dtype=np.int64)
        if len(changed):
            parts = store.parts
            candidates = unique_pairs(
                np.concatenate(
                    [
                        self.template_index.reindex(changed, parts["templates"][changed]),
                        self.infra_index.reindex(changed, parts["infra"][changed]),
                    ]
                )
            )
        similarity = pair_similarity(store, candidates, cfg)
        self._add_edges(similarity)
        self.stats.passes += 1
        self.stats.candidate_pairs += len(candidates)
        self.stats.edges = len(self.edges)
        self.stats.signatures = len(store)
        if len(changed) or len(evicted) or self._grouping is None:
            self._grouping = self._components()
        return self._group(watermark, *self._grouping)

    def _forget(self, rows: I64, local_accounts: list[str]) -> None:
        if len(rows):
            self.template_index.remove(rows)
            self.infra_index.remove(rows)
            self._drop_edges(rows)
        if self.publishing and local_accounts:
            self._outbox.update(dict.fromkeys(local_accounts, False))

    def _drop_edges(self, rows: I64) -> None:
        if len(rows) == 0 or len(self.edges) == 0:
            return
        keep = ~np.isin(self.edges, rows).any(axis=1)
        self.edges = self.edges[keep]
        self.edge_parts = self.edge_parts[keep]
        self.edge_combined = self.edge_combined[keep]

    def _add_edges(self, similarity: PairSimilarity) -> None:
        if len(similarity.pairs):
            self.baselines = similarity.parts.mean(axis=0)
        edge = similarity.edge
        self.edges = np.concatenate([self.edges, similarity.pairs[edge]])
        self.edge_parts = np.concatenate([self.edge_parts, similarity.parts[edge]])
        self.edge_combined = np.concatenate([self.edge_combined, similarity.combined[edge]])

    def _components(self) -> tuple[list[Component], list[list[str]], list[str]]:
        remote = self._remote_campaign
        if len(remote) > 2 * len(self.store) + 1024:  # drop hints of forgotten accounts
            self._remote_campaign = remote = {
                a: c for a, c in remote.items() if a in self.store.row_of
            }
        graph = EdgeGraph(self.edges)
        found = graph.components(self.config.min_size, keep=~self._bridges(graph, remote))
        groups = [self.store.accounts(c.rows) for c in found]
        return found, groups, self.registry.assign(groups, remote)

    def _bridges(self, graph: EdgeGraph, remote: dict[str, str]) -> npt.NDArray[np.bool_]:
        """Links that would change the grouping on too little evidence."""
        campaign_of = self.registry.campaign_of
        ids: dict[str, int] = {}
        group = np.array(
            [
                ids.setdefault(c, len(ids)) if (c := campaign_of.get(a) or remote.get(a)) else -1
                for a in self.store.accounts(graph.nodes)
            ],
            dtype=np.int64,
        )
        return graph.bridges(group, self.config.bridge_support)

    def _group(
        self, watermark: float, found: list[Component], groups: list[list[str]], ids: list[str]
    ) -> list[Alert]:
        """Campaigns among the components (their risk changes with every pass) and their
        alerts."""
        campaigns: dict[str, Campaign] = {}
        membership: dict[str, _Membership] = {}
        for component, members, campaign_id in zip(found, groups, ids, strict=True):
            campaign = self._campaign(campaign_id, component, members)
            # A cluster of look-alike accounts that are each harmless (one agent framework,
            # one office NAT) is not a campaign: it needs some risk of its own.
            if campaign.score < self.config.min_risk:
                continue
            campaigns[campaign_id] = campaign
        self.campaigns = campaigns
        for component, members, campaign_id in zip(found, groups, ids, strict=True):
            if campaign_id in campaigns:
                membership.update(self._members(campaign_id, component, members))
        self._membership = membership
        return self._alerts(watermark)

    def _campaign(self, campaign_id: str, component: Component, members: list[str]) -> Campaign:
        cfg = self.config
        anchor = self.store.row_of[anchor_of(members)]
        parts = self.edge_parts[component.edges]
        similarity = parts.mean(axis=0)
        # Coordination is judged edge by edge: a chain of template-only links (common
        # phrasing) joined to infrastructure-only links (a shared NAT) is not coordinated,
        # even though both kinds show in the component's averages.
        both = np.minimum(
            parts[:, EVIDENCE.index("templates")], parts[:, EVIDENCE.index("infrastructure")]
        )
        coordinated = np.clip(
            (both - cfg.coordination_low) / (cfg.coordination_high - cfg.coordination_low), 0.0, 1.0
        )
        coordination = float(
            coordinated.mean() * _ramp(len(members), cfg.min_size, 4 * cfg.min_size)
        )
        member_risk = float(self.store.score[component.rows].mean())
        return Campaign(
            campaign_id=campaign_id,
            members=sorted(members),
            score=_combine(member_risk, cfg.coordination_weight * coordination),
            member_risk=member_risk,
            coordination=coordination,
            similarity=similarity,
            local=bool(self.store.local[anchor]),
        )

    def _members(
        self, campaign_id: str, component: Component, members: list[str]
    ) -> dict[str, _Membership]:
        edges = self.edges[component.edges]
        combined = self.edge_combined[component.edges]
        # component.rows is sorted (np.unique), so searchsorted maps rows to member indexes.
        ends = np.searchsorted(component.rows, edges.ravel())
        total = np.bincount(ends, weights=np.repeat(combined, 2), minlength=len(members))
        degree = np.bincount(ends, minlength=len(members))
        mean = total / np.maximum(degree, 1)
        risk = self.campaigns[campaign_id].score
        return {
            a: _Membership(campaign_id, len(members), risk, m)
            for a, m in zip(members, mean.tolist(), strict=True)
        }

    def _alerts(self, watermark: float) -> list[Alert]:
        alerts: list[Alert] = []
        policy = self.policy
        for campaign_id in [c for c in policy.open_keys() if c not in self.campaigns]:
            policy.decide(campaign_id, watermark, 0.0)  # dissolved: the episode ends
            self._alerted_size.pop(campaign_id, None)
        cap = self.config.max_members_listed
        for campaign in self.campaigns.values():
            if not campaign.local:
                continue
            cid, size = campaign.campaign_id, len(campaign.members)
            severity = policy.decide(cid, watermark, campaign.score)
            if severity is None:
                # Within an episode, a campaign that has grown (members joining, or parts
                # seen by other instances merging in) is reported again with its members.
                raised = policy.raised_severity(cid)
                grown = size >= self.config.realert_growth * self._alerted_size.get(cid, size)
                if raised is None or not grown or size == self._alerted_size.get(cid):
                    continue
                severity = raised
            self._alerted_size[cid] = size
            alerts.append(
                Alert(
                    alert_id=policy.episode_id(campaign.campaign_id),
                    kind="campaign",
                    ts=watermark,
                    emitted_at=time.time(),
                    campaign_id=campaign.campaign_id,
                    members=campaign.members[:cap],
                    score=round(campaign.score, 6),
                    severity=severity,
                    reasons=self._reasons(campaign),
                    config_hash=self.config_hash,
                )
            )
        return alerts

    def _reasons(self, campaign: Campaign) -> list[Reason]:
        """What sets the campaign apart: each kind of similarity's weighted excess over the
        same similarity among this pass's candidate pairs (behaviour is alike for most
        candidate pairs, shared proxies are not)."""
        w = self.config.weights
        weights = np.array([getattr(w, kind) for kind in EVIDENCE])
        excess = np.maximum(campaign.similarity - self.baselines, 0.0)
        contributions = excess * weights / weights.sum()
        order = np.argsort(-contributions, kind="stable")[:MAX_REASONS]
        return [
            Reason(
                signal=REASON_NAMES[EVIDENCE[j]],
                value=round(float(campaign.similarity[j]), 6),
                baseline=round(float(self.baselines[j]), 6),
                contribution=round(float(contributions[j]), 6),
            )
            for j in order.tolist()
            if contributions[j] > 0
        ]

    # -- checkpoints -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Campaign ids and alert episodes; signatures are rebuilt from the window state
        (and the signatures topic), so they are not written."""
        return {
            "campaign_of": dict(self.registry.campaign_of),
            "episodes": self.policy.snapshot(),
            "alerted_size": dict(self._alerted_size),
            "next_pass": self.next_pass if np.isfinite(self.next_pass) else None,
        }

    def restore(self, saved: dict[str, Any]) -> None:
        self.registry.campaign_of = dict(saved["campaign_of"])
        self.policy.restore(saved["episodes"])
        self._alerted_size = dict(saved["alerted_size"])
        next_pass = saved["next_pass"]
        self.next_pass = -np.inf if next_pass is None else float(next_pass)
