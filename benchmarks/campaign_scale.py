"""Cost of campaign detection (cross-account similarity) as the tracked accounts grow.

For each size N (default 10 k, 100 k and 1 M accounts) builds N synthetic account signatures
directly, without simulating traffic, then measures:

* sketching: ``MinHasher.signatures`` over each account's token sets (the shapes
  ``account_signatures`` hashes: prefix + suffix template hashes, IPs + networks, user
  agents of ``state.recent_requests`` recent requests), in batches of ``--chunk`` accounts;
* first pass: ``store.put`` of all N signatures, then the first ``CampaignDetector.run``
  (the full LSH index build, candidate verification, grouping);
* steady state: ``--changed`` of the accounts (1 %) get new signatures that drift past
  ``reverify_share``, then one ``run``; median of ``--passes`` passes;
* memory per account: ``tracemalloc`` (started before the detector is created, so the store,
  the band indexes, the row dictionaries and numpy buffers are traced; the account id strings
  and the input batch are not), the ``nbytes`` of the store and band index arrays, and the
  growth of VmRSS (less tracemalloc's own bookkeeping) as a cross-check.

The population: most accounts are independent (random tokens from a large vocabulary, with a
Zipf-distributed head of common phrasing so that some LSH buckets overflow ``max_bucket``;
1-3 IPs of their own), and ``--campaign-share`` of them (at least one campaign) are in
campaigns of ``--campaign-size`` that draw templates from a small shared vocabulary, IPs
from a shared proxy pool, and have alike behaviour and timing.

Then, for the cost per record in a real replay, simulates the default scenario mix (scaled by
--scale) and replays it with the default config and with campaigns disabled.

Prints a table and writes JSON to benchmarks/results/campaign_scale.json.

    python -m benchmarks.campaign_scale [--quick] [--sizes 10000 100000 1000000] [--scale 0.1]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import detector.campaigns.detector as campaign_module
from benchmarks.clock import StageClock
from benchmarks.report import text_row
from detector.campaigns import CampaignDetector
from detector.campaigns.signatures import HOURS, Signatures
from detector.config import Config, load_config
from detector.replay import replay
from detector.simulate import simulate

RESULTS = Path(__file__).resolve().parent / "results"

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
START_TS = 1_767_225_600.0
_NETWORK_TAG = np.uint32(0x85EBCA6B)
_POPULAR_VOCAB = 2000  # common phrasing shared across unrelated accounts (Zipf-distributed)
_POPULAR_SHARE = 0.1  # of an independent account's template hashes
_CAMPAIGN_VOCAB = 24  # prefix (and as many suffix) templates per campaign
_PROXY_POOL = 64  # IPs per campaign, in 4 /24 networks
_STARTED = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


# -- the synthetic population --------------------------------------------------------------


@dataclass
class Population:
    """Token sets of N accounts (the recent-requests ring, flattened as extract.py does)."""

    names: list[str]
    templates: np.ndarray  # (N, 2R): prefix hashes, then suffix hashes
    infra: np.ndarray  # (N, 2R): IPs, then networks (tagged)
    agents: np.ndarray  # (N, R)
    requests: np.ndarray  # (N,): filled slots of the ring (5..R)
    campaign: np.ndarray  # (N,): campaign number, -1 for independent accounts
    owner: np.ndarray
    score: np.ndarray
    behaviour: np.ndarray
    timing: np.ndarray
    campaign_templates: np.ndarray  # (campaigns, 2, vocab)
    campaign_proxies: np.ndarray  # (campaigns, pool)
    campaign_agents: np.ndarray  # (campaigns, 2)

    def __len__(self) -> int:
        return len(self.names)

    def valid(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        recent = np.arange(self.agents.shape[1])[None, :] < self.requests[rows][:, None]
        both = np.concatenate([recent, recent], axis=1)
        return both, both, recent


def _ips_to_infra(ips: np.ndarray) -> np.ndarray:
    return np.concatenate([ips, (ips >> np.uint32(8)) ^ _NETWORK_TAG], axis=1)


def _popular(rng: np.random.Generator, size: int, vocab: np.ndarray) -> np.ndarray:
    rank = rng.zipf(1.5, size)
    rank[rank > len(vocab)] = rng.integers(1, len(vocab) + 1, int((rank > len(vocab)).sum()))
    return vocab[rank - 1]


def _independent_templates(
    rng: np.random.Generator, n: int, width: int, popular: np.ndarray
) -> np.ndarray:
    tokens = rng.integers(1, 2**32, (n, width), dtype=np.uint32)
    common = rng.random((n, width)) < _POPULAR_SHARE
    tokens[common] = _popular(rng, int(common.sum()), popular)
    return tokens


def _campaign_templates(rng: np.random.Generator, vocab: np.ndarray, r: int) -> np.ndarray:
    """(members, 2R) tokens of members whose campaigns' vocabularies are ``vocab``."""
    m = len(vocab)
    pick = rng.integers(0, vocab.shape[2], (m, 2, r))
    return np.take_along_axis(vocab, pick, axis=2).reshape(m, 2 * r)


def _campaign_ips(rng: np.random.Generator, pools: np.ndarray, r: int) -> np.ndarray:
    return np.take_along_axis(pools, rng.integers(0, pools.shape[1], (len(pools), r)), axis=1)


def population(
    n: int,
    r: int,
    behaviour_dims: int,
    campaign_share: float,
    campaign_size: int,
    seed: int,
    chunk: int,
) -> Population:
    rng = np.random.default_rng(seed)
    popular = rng.integers(1, 2**32, _POPULAR_VOCAB, dtype=np.uint32)
    agent_pool = rng.integers(1, 2**32, 500, dtype=np.uint32)
    templates = np.empty((n, 2 * r), dtype=np.uint32)
    infra = np.empty((n, 2 * r), dtype=np.uint32)
    agents = np.empty((n, r), dtype=np.uint32)
    for lo in range(0, n, chunk):
        m = min(chunk, n - lo)
        templates[lo : lo + m] = _independent_templates(rng, m, 2 * r, popular)
        own = rng.integers(1, 2**32, (m, 3), dtype=np.uint32)
        used = rng.integers(1, 4, m)
        ips = np.take_along_axis(own, rng.integers(0, used[:, None], (m, r)), axis=1)
        infra[lo : lo + m] = _ips_to_infra(ips)
        agents[lo : lo + m] = _popular(rng, m, agent_pool)[:, None]
    requests = rng.integers(5, r + 1, n)
    owner = np.arange(1, n + 1, dtype=np.uint32)
    score = rng.beta(1.0, 9.0, n)
    behaviour = (
        (rng.random((n, behaviour_dims)) < 0.15) * rng.integers(0, 256, (n, behaviour_dims))
    ).astype(np.uint8)
    timing = rng.integers(0, 256, (n, HOURS)).astype(np.uint8)

    # Campaigns: members at random rows, sharing templates, proxies, agents and habits.
    campaigns = max(1, round(n * campaign_share / campaign_size))
    members = rng.permutation(n)[: campaigns * campaign_size]
    campaign = np.full(n, -1, dtype=np.int64)
    campaign[members] = np.repeat(np.arange(campaigns), campaign_size)[: len(members)]
    vocab = rng.integers(1, 2**32, (campaigns, 2, _CAMPAIGN_VOCAB), dtype=np.uint32)
    nets = rng.integers(1, 2**24, (campaigns, 4), dtype=np.uint32)
    proxies = (np.repeat(nets, _PROXY_POOL // 4, axis=1) << np.uint32(8)) | rng.integers(
        1, 255, (campaigns, _PROXY_POOL), dtype=np.uint32
    )
    campaign_agents = _popular(rng, 2 * campaigns, agent_pool).reshape(campaigns, 2)
    c = campaign[members]
    templates[members] = _campaign_templates(rng, vocab[c], r)
    infra[members] = _ips_to_infra(_campaign_ips(rng, proxies[c], r))
    agents[members] = np.take_along_axis(
        campaign_agents[c], rng.integers(0, 2, (len(c), r)), axis=1
    )
    requests[members] = r
    score[members] = rng.uniform(0.4, 0.7, len(members))
    centre = rng.integers(30, 226, (campaigns, behaviour_dims))
    behaviour[members] = np.clip(
        centre[c] + rng.integers(-12, 13, (len(c), behaviour_dims)), 0, 255
    ).astype(np.uint8)
    rhythm = rng.integers(0, 256, (campaigns, HOURS))
    timing[members] = np.clip(rhythm[c] + rng.integers(-20, 21, (len(c), HOURS)), 0, 255).astype(
        np.uint8
    )
    return Population(
        names=[f"acct-{i:07d}" for i in range(n)],
        templates=templates,
        infra=infra,
        agents=agents,
        requests=requests,
        campaign=campaign,
        owner=owner,
        score=score,
        behaviour=behaviour,
        timing=timing,
        campaign_templates=vocab,
        campaign_proxies=proxies,
        campaign_agents=campaign_agents,
    )


def perturb(pop: Population, rows: np.ndarray, rng: np.random.Generator) -> None:
    """New recent traffic for ``rows``: independent accounts replace 30 % of their template
    hashes and some IP slots with new ones; campaign members draw afresh from their
    campaign's vocabulary and proxy pool."""
    r = pop.agents.shape[1]
    solo, member = rows[pop.campaign[rows] < 0], rows[pop.campaign[rows] >= 0]
    if len(solo):
        tokens = pop.templates[solo]
        fresh = rng.random(tokens.shape) < 0.3
        tokens[fresh] = rng.integers(1, 2**32, int(fresh.sum()), dtype=np.uint32)
        pop.templates[solo] = tokens
        ips = pop.infra[solo, :r]
        moved = rng.random(ips.shape) < 0.3
        new_ip = rng.integers(1, 2**32, len(solo), dtype=np.uint32)
        ips = np.where(moved, new_ip[:, None], ips)
        pop.infra[solo] = _ips_to_infra(ips)
    if len(member):
        c = pop.campaign[member]
        pop.templates[member] = _campaign_templates(rng, pop.campaign_templates[c], r)
        pop.infra[member] = _ips_to_infra(_campaign_ips(rng, pop.campaign_proxies[c], r))
    pop.requests[rows] = r


def sketch(
    detector: CampaignDetector,
    pop: Population,
    rows: np.ndarray,
    updated: np.ndarray,
    chunk: int,
    seconds: dict[str, float],
) -> list[Signatures]:
    """Signatures of ``rows`` in batches of ``chunk``, timing the three MinHash parts."""
    out: list[Signatures] = []
    hashers = detector.hashers
    for lo in range(0, len(rows), chunk):
        sel = rows[lo : lo + chunk]
        t_valid, i_valid, a_valid = pop.valid(sel)
        parts = {}
        for name, tokens, valid in (
            ("templates", pop.templates, t_valid),
            ("infra", pop.infra, i_valid),
            ("agents", pop.agents, a_valid),
        ):
            block = tokens[sel]
            start = time.perf_counter()
            parts[name] = hashers[name].signatures(block, valid)
            seconds[name] += time.perf_counter() - start
        out.append(
            Signatures(
                accounts=[pop.names[i] for i in sel.tolist()],
                owner=pop.owner[sel],
                updated=updated[lo : lo + chunk],
                score=pop.score[sel],
                templates=parts["templates"],
                infra=parts["infra"],
                agents=parts["agents"],
                behaviour=pop.behaviour[sel],
                timing=pop.timing[sel],
            )
        )
    return out


# -- timing the phases of a pass -----------------------------------------------------------

PHASES = (
    "evict",
    "drift check",
    "index remove",
    "index insert",
    "candidates",
    "verify pairs",
    "edges",
    "bridge guard",
    "components",
    "group+alerts",
    "other",
)


class Phases(StageClock):
    """Wall time per phase of ``CampaignDetector.run``, by wrapping its collaborators."""

    def install(self, det: CampaignDetector) -> None:
        store = det.store
        for obj, attr, name in (
            (store, "evict", "evict"),
            (store, "drifted", "drift check"),
            (store, "mark_indexed", "drift check"),
            (det, "_drop_edges", "edges"),
            (det, "_add_edges", "edges"),
            (det, "_components", "components"),
            (det, "_bridges", "bridges"),
            (det, "_group", "group"),
        ):
            self.attach(obj, attr, name)
        for index in (det.template_index, det.infra_index):
            self.attach(index, "remove", "index remove")
            self.attach(index, "_insert", "index update")
            self.attach(index, "_candidates", "candidates")

    def split(self, total: float) -> dict[str, float]:
        """This pass's seconds per phase (``PHASES``), then reset."""
        s = self.seconds
        # _forget (evictions) and update both call remove; update's own share is the insert.
        out = {
            "evict": s["evict"],
            "drift check": s["drift check"],
            "index remove": s["index remove"],
            "index insert": s["index update"] - s["index remove"],
            "candidates": s["candidates"],
            "verify pairs": s["verify pairs"],
            "edges": s["edges"],
            "bridge guard": s["bridges"],
            "components": s["components"] - s["bridges"],
            "group+alerts": s["group"],
        }
        out["other"] = total - sum(out.values())
        self.seconds = Counter()
        return out


def structure_bytes(det: CampaignDetector) -> int:
    store = det.store
    arrays = [
        *store.parts.values(),
        *store.indexed.values(),
        *store.indexed_empty.values(),
        store.owner,
        store.updated,
        store.score,
        store.local,
        store.live,
        store.changed,
        det.edges,
        det.edge_parts,
        det.edge_combined,
    ]
    for index in (det.template_index, det.infra_index):
        arrays += [index._keys, index._rows]
    return sum(a.nbytes for a in arrays)


# -- one size ------------------------------------------------------------------------------


def measure_size(n: int, config: Config, args: argparse.Namespace) -> dict[str, Any]:
    cfg = config.campaigns
    r = config.state.recent_requests
    probe = CampaignDetector(config, "bench")  # for hashers and behaviour_dims only
    log(f"N={n:,}: generating token sets")
    pop = population(
        n, r, probe.behaviour_dims, args.campaign_share, args.campaign_size, args.seed, args.chunk
    )
    planted = int(pop.campaign.max()) + 1
    rng = np.random.default_rng(args.seed + 1)
    watermark = START_TS
    updated = watermark - rng.random(n) * 3600.0

    log(f"N={n:,}: sketching {n:,} accounts (MinHash templates, infra, agents)")
    sketch_s: dict[str, float] = defaultdict(float)
    batches = sketch(probe, pop, np.arange(n), updated, args.chunk, sketch_s)
    sketch_total = sum(sketch_s.values())
    log(f"N={n:,}: sketched in {sketch_total:.1f} s")
    del probe

    # Memory is traced from before the detector exists; the batches are already allocated.
    gc.collect()
    rss0 = rss_bytes()
    if args.tracemalloc:
        tracemalloc.start()
    det = CampaignDetector(config, "bench")
    log(f"N={n:,}: put {n:,} signatures into the store")
    start = time.perf_counter()
    for batch in batches:
        det.store.put(batch, local=True)
    put_s = time.perf_counter() - start
    phases = Phases()
    phases.install(det)
    # run() calls pair_similarity through its module's namespace: time it there.
    original = getattr(campaign_module, "pair_similarity")  # noqa: B009
    setattr(campaign_module, "pair_similarity", phases.wrap("verify pairs", original))  # noqa: B010
    try:
        log(f"N={n:,}: first pass (full index build)")
        start = time.perf_counter()
        alerts = det.run(watermark)
        first_s = time.perf_counter() - start
        first_phases = phases.split(first_s)
        first_candidates = det.stats.candidate_pairs
        first_edges = len(det.edges)
        log(
            f"N={n:,}: first pass {first_s:.2f} s, {first_candidates:,} candidate pairs, "
            f"{len(det.edges):,} edges, {len(det.campaigns)} campaigns"
        )
        traced = peak = tracer = 0
        if args.tracemalloc:
            traced, peak = tracemalloc.get_traced_memory()
            tracer = tracemalloc.get_tracemalloc_memory()
        rss1 = rss_bytes()
        if args.tracemalloc:
            tracemalloc.stop()
        nbytes = structure_bytes(det)
        memory = {
            "tracemalloc": traced / n if args.tracemalloc else None,
            "tracemalloc_peak": peak / n if args.tracemalloc else None,
            "nbytes": nbytes / n,
            "rss_delta": (rss1 - rss0 - tracer) / n,
            "store_rows_allocated": det.store.capacity,
        }
        del batches
        gc.collect()

        # Steady state: a share of the accounts changes between passes.
        changed_n = max(1, round(n * args.changed))
        passes: list[dict[str, Any]] = []
        for p in range(args.passes):
            watermark += cfg.interval_s
            rows = np.sort(rng.choice(n, changed_n, replace=False))
            perturb(pop, rows, rng)
            resketch: dict[str, float] = defaultdict(float)
            new = sketch(
                det,
                pop,
                rows,
                watermark - rng.random(changed_n) * cfg.interval_s,
                args.chunk,
                resketch,
            )
            start = time.perf_counter()
            for batch in new:
                det.store.put(batch, local=True)
            put_pass = time.perf_counter() - start
            marked = np.flatnonzero(det.store.changed)
            drifted = int(det.store.drifted(marked, cfg.reverify_share).sum())
            before = det.stats.candidate_pairs
            start = time.perf_counter()
            alerts = det.run(watermark)
            run_s = time.perf_counter() - start
            passes.append(
                {
                    "seconds": run_s,
                    "put_seconds": put_pass,
                    "sketch_seconds": sum(resketch.values()),
                    "drifted": drifted,
                    "candidate_pairs": det.stats.candidate_pairs - before,
                    "edges": len(det.edges),
                    "campaigns": len(det.campaigns),
                    "alerts": len(alerts),
                    "phases": phases.split(run_s),
                }
            )
            log(
                f"N={n:,}: steady pass {p + 1}/{args.passes}: {run_s * 1e3:,.1f} ms, "
                f"{drifted:,} of {changed_n:,} changed accounts drifted, "
                f"{passes[-1]['candidate_pairs']:,} candidate pairs"
            )
    finally:
        setattr(campaign_module, "pair_similarity", original)  # noqa: B010
    median = statistics.median(p["seconds"] for p in passes)
    typical = min(passes, key=lambda p: abs(p["seconds"] - median))
    return {
        "accounts": n,
        "campaigns_planted": planted,
        "campaign_accounts": int((pop.campaign >= 0).sum()),
        "sketch_us_per_account": sketch_total / n * 1e6,
        "sketch_us_per_account_by_part": {k: v / n * 1e6 for k, v in sketch_s.items()},
        "put_us_per_account": put_s / n * 1e6,
        "first_pass_s": first_s,
        "first_pass_us_per_account": first_s / n * 1e6,
        "first_pass_phases_s": first_phases,
        "first_pass_candidate_pairs": first_candidates,
        "first_pass_edges": first_edges,
        "campaigns_found": len(det.campaigns),
        "edges": len(det.edges),
        "changed_per_pass": changed_n,
        "steady_pass_ms": median * 1e3,
        "steady_us_per_changed_account": median / changed_n * 1e6,
        "steady_put_us_per_changed_account": statistics.median(p["put_seconds"] for p in passes)
        / changed_n
        * 1e6,
        "steady_phases_s": typical["phases"],
        "passes": passes,
        "bytes_per_account": memory,
    }


# -- replay --------------------------------------------------------------------------------


def measure_replay(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"mixed-x{args.scale}.jsonl"
    if not path.exists():
        log(f"replay: simulating the mixed scenario x{args.scale}")
        simulate(path, workdir / "labels.csv", scenario="mixed", scale=args.scale, progress=False)
    configs = {
        "campaigns on": Config(),
        "campaigns off": load_config(overrides={"campaigns": {"enabled": False}}),
    }
    seconds: dict[str, list[float]] = {k: [] for k in configs}
    records = 0
    for attempt in range(args.replay_repeats):
        for name, config in configs.items():
            log(f"replay: {name} ({attempt + 1}/{args.replay_repeats})")
            summary = replay(config, path, [], [], progress=False)
            records = summary.records
            seconds[name].append(summary.seconds)
            log(
                f"replay: {name}: {summary.records_per_s:,.0f} records/s, "
                f"{len(summary.campaigns)} campaigns"
            )
    on, off = min(seconds["campaigns on"]), min(seconds["campaigns off"])
    return {
        "scenario": "mixed",
        "scale": args.scale,
        "records": records,
        "repeats": args.replay_repeats,
        "seconds": seconds,
        "records_per_s_on": records / on,
        "records_per_s_off": records / off,
        "on_vs_off": off / on,
        "campaign_us_per_record": (on - off) / records * 1e6,
    }


# -- report --------------------------------------------------------------------------------


def _row(label: str, cells: list[str]) -> str:
    return text_row(label, cells, 34, 24)


def print_table(
    results: list[dict[str, Any]], replayed: dict[str, Any] | None, args: argparse.Namespace
) -> None:
    base = results[0]

    def scaled(key: str, fmt: str) -> list[str]:
        return [
            f"{format(r[key], fmt)} ({r[key] / base[key]:.2f}x)"
            if base[key]
            else format(r[key], fmt)
            for r in results
        ]

    def memory(key: str) -> list[str]:
        return [
            f"{v:,.0f}" if (v := r["bytes_per_account"][key]) is not None else "-" for r in results
        ]

    def phase_cells(key: str, total: str, phase: str, unit: float = 1.0) -> list[str]:
        fmt = ",.1f" if unit > 1 else ".3f"
        return [
            f"{r[key][phase] * unit:{fmt}} ({r[key][phase] * unit / r[total]:.0%})" for r in results
        ]

    print(
        f"\ncampaign detection by tracked accounts, one core "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} CPUs); "
        f"ratios vs {base['accounts']:,}"
    )
    print(_row("accounts", [f"{r['accounts']:,}" for r in results]))
    print(
        _row(
            "campaigns planted / found",
            [f"{r['campaigns_planted']} / {r['campaigns_found']}" for r in results],
        )
    )
    print(_row("sketch µs/account", scaled("sketch_us_per_account", ".2f")))
    for part in ("templates", "infra", "agents"):
        print(
            _row(f"  {part}", [f"{r['sketch_us_per_account_by_part'][part]:.2f}" for r in results])
        )
    traced = " (traced)" if args.tracemalloc else ""
    print(_row(f"put µs/account{traced}", scaled("put_us_per_account", ".2f")))
    print(_row(f"first pass s{traced}", [f"{r['first_pass_s']:,.2f}" for r in results]))
    print(_row("first pass µs/account", scaled("first_pass_us_per_account", ".2f")))
    for phase in PHASES:
        print(_row(f"  {phase} s", phase_cells("first_pass_phases_s", "first_pass_s", phase)))
    print(
        _row(
            "first pass candidate pairs", [f"{r['first_pass_candidate_pairs']:,}" for r in results]
        )
    )
    print(_row("edges", [f"{r['edges']:,}" for r in results]))
    print(_row(f"steady pass ms (median of {args.passes})", scaled("steady_pass_ms", ",.1f")))
    print(_row("  changed accounts per pass", [f"{r['changed_per_pass']:,}" for r in results]))
    print(_row("  µs/changed account", scaled("steady_us_per_changed_account", ",.1f")))
    print(
        _row(
            "  put µs/changed account",
            [f"{r['steady_put_us_per_changed_account']:.2f}" for r in results],
        )
    )
    for phase in PHASES:
        print(_row(f"  {phase} ms", phase_cells("steady_phases_s", "steady_pass_ms", phase, 1e3)))
    print(_row("bytes/account tracemalloc", memory("tracemalloc")))
    print(_row("  tracemalloc peak (first pass)", memory("tracemalloc_peak")))
    print(_row("  array nbytes", memory("nbytes")))
    print(_row("  VmRSS delta", memory("rss_delta")))
    print(
        _row(
            "  store rows allocated",
            [f"{r['bytes_per_account']['store_rows_allocated']:,}" for r in results],
        )
    )
    if replayed:
        print(
            f"\nreplay, mixed x{replayed['scale']} ({replayed['records']:,} records, "
            f"best of {replayed['repeats']})"
        )
        print(_row("records/s campaigns on", [f"{replayed['records_per_s_on']:,.0f}"]))
        print(_row("records/s campaigns off", [f"{replayed['records_per_s_off']:,.0f}"]))
        print(_row("on / off", [f"{replayed['on_vs_off']:.1%}"]))
        print(_row("campaign µs/record", [f"{replayed['campaign_us_per_record']:.2f}"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument(
        "--quick", action="store_true", help=f"sizes {', '.join(f'{s:,}' for s in QUICK_SIZES)}"
    )
    parser.add_argument("--passes", type=int, default=5, help="steady-state passes per size")
    parser.add_argument(
        "--changed",
        type=float,
        default=0.01,
        help="share of accounts with a new signature per steady pass",
    )
    parser.add_argument("--campaign-share", type=float, default=0.01)
    parser.add_argument("--campaign-size", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=8192, help="accounts per sketch batch")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-tracemalloc",
        dest="tracemalloc",
        action="store_false",
        help="skip tracemalloc (its overhead then stays out of the first pass)",
    )
    parser.add_argument("--scale", type=float, default=0.1, help="replay: scenario scale")
    parser.add_argument(
        "--replay-repeats",
        type=int,
        default=2,
        help="replay each config this many times, keep the fastest",
    )
    parser.add_argument("--no-replay", dest="replay", action="store_false")
    parser.add_argument("--keep", metavar="DIR", help="keep the simulated file here")
    args = parser.parse_args()
    if args.quick:
        args.sizes = list(QUICK_SIZES)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the figures claim
    config = Config()
    results = [measure_size(n, config, args) for n in args.sizes]
    replayed = measure_replay(args) if args.replay else None
    print_table(results, replayed, args)
    cfg = config.campaigns
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "sizes": args.sizes,
        "passes": args.passes,
        "changed_share": args.changed,
        "campaign_share": args.campaign_share,
        "campaign_size": args.campaign_size,
        "sketch_chunk": args.chunk,
        "seed": args.seed,
        "tracemalloc": args.tracemalloc,
        "recent_requests": config.state.recent_requests,
        "campaigns_config": {
            k: getattr(cfg, k)
            for k in (
                "template_hashes",
                "template_band_rows",
                "infra_hashes",
                "infra_band_rows",
                "agent_hashes",
                "max_bucket",
                "reverify_share",
                "interval_s",
            )
        },
        "machine": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "results": {str(r["accounts"]): r for r in results},
        "replay": replayed,
    }
    out = RESULTS / "campaign_scale.json"
    out.write_text(json.dumps(payload, indent=2) + "\n")
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
