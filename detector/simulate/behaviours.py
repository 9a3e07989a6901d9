"""One generator per kind of client; each turns a profile into accounts and requests.

=====================  ==========================  =========================================
generator              profile                     labels
=====================  ==========================  =========================================
:func:`human_sessions`  :class:`HumanProfile`      ``ordinary``, ``slow_and_low``
:func:`pipelines`       :class:`PipelineProfile`   ``enterprise``
:func:`agent_loops`     :class:`AgentProfile`      ``agentic``
:func:`sybil_fleet`     :class:`FleetProfile`      ``hydra``
:func:`bulk_scraper`    :class:`BulkProfile`       ``scraper``
=====================  ==========================  =========================================

Timestamps are generated per account with NumPy (seconds from the scenario start) and
clipped to ``[0, duration)``; an account that ends up with no request is not registered, so
every labelled account has traffic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.simulate.network import (
    DESKTOP_UAS,
    MOBILE_UAS,
    SCRIPT_UAS,
    datacenter_subnet,
    ips_in_subnet,
    mobile_ipv6,
    pick_weighted,
    residential_ipv4,
    residential_subnet,
)
from detector.simulate.outputs import (
    STOP,
    TOOL_USE,
    choose,
    errors,
    latency_ms,
    lognormal,
    responses,
)
from detector.simulate.profiles import (
    AgentProfile,
    BulkProfile,
    FleetProfile,
    HomeNetwork,
    HumanProfile,
    PipelineProfile,
    PipelineTiming,
    Profile,
    ProxyPoolNetwork,
)
from detector.simulate.prompts import PromptRenderer
from detector.simulate.traffic import Account, IdFactory, TrafficBuilder
from detector.simulate.vocab import POOLS

__all__ = [
    "Env",
    "agent_loops",
    "bulk_scraper",
    "generate",
    "human_sessions",
    "pipelines",
    "sybil_fleet",
]

Floats = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]


@dataclass
class Env:
    """Shared state of one generation run.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness for timing, sizes and identities.
    duration : float
        Scenario length in seconds; requests get ``0 <= ts < duration``.
    builder : TrafficBuilder
        Where accounts and requests go.
    ids : IdFactory
        Unique identifier source.
    renderer : PromptRenderer
        Renders prompt prefixes fixed at generation time (agent task descriptions).
    """

    rng: np.random.Generator
    duration: float
    builder: TrafficBuilder
    ids: IdFactory
    renderer: PromptRenderer

    def family_ids(self, content: Sequence[tuple[str, float]]) -> npt.NDArray[np.int16]:
        """Family ids of a ``(family, weight)`` mix, in order."""
        return np.array([self.renderer.family_id(f) for f, _ in content], dtype=np.int16)

    def draw_families(self, content: Sequence[tuple[str, float]], n: int) -> np.ndarray:
        """``n`` family ids drawn from a ``(family, weight)`` mix."""
        return self.family_ids(content)[choose(self.rng, content, n)]

    def new_key(self) -> int:
        """Index of a fresh API key id."""
        return self.builder.keys.add(self.ids.new("key_", 16))

    def add_account(self, label: str, campaign_id: str | None, org_id: str | None) -> int:
        """Register a new account; returns its index."""
        return self.builder.add_account(Account(self.ids.new("acct_"), label, campaign_id, org_id))


def _emit(
    env: Env,
    account: int,
    ts: Floats,
    cols: dict[str, np.ndarray],
    status: np.ndarray,
    *,
    key: np.ndarray | int,
    ip: np.ndarray | int,
    ua: np.ndarray | int,
    family: np.ndarray | int,
    context: np.ndarray | int = -1,
) -> None:
    env.builder.add_requests(
        {
            **cols,
            "ts": ts,
            "account": account,
            "status": status,
            "latency_ms": latency_ms(env.rng, cols, status),
            "key": key,
            "ip": ip,
            "ua": ua,
            "family": family,
            "context": context,
        }
    )


def _pick(rng: np.random.Generator, values: Sequence[int], weights: Sequence[float]) -> int:
    w = np.asarray(weights, dtype=np.float64)
    return int(values[int(rng.choice(len(values), p=w / w.sum()))])


def _sessions(
    rng: np.random.Generator, values: Sequence[int], weights: Sequence[float], fraction: float
) -> int:
    """Session count for a window ``fraction`` times the profile's reference length.

    Shorter windows thin the sessions binomially (at least one), longer ones multiply them,
    so per-hour activity does not depend on the scenario duration.
    """
    k = _pick(rng, values, weights)
    if fraction >= 1:
        return max(1, round(k * fraction))
    return max(1, int(rng.binomial(k, fraction)))


def _stratified(rng: np.random.Generator, n: int) -> Floats:
    """``n`` uniforms, one per stratum of [0, 1), shuffled.

    Per-account rates drawn this way cover their range evenly even for a handful of
    accounts, which keeps a scenario's total volume stable across seeds.
    """
    u: Floats = (rng.permutation(n) + rng.random(n)) / max(n, 1)
    return u


def _take(cols: dict[str, np.ndarray], idx: Index) -> dict[str, np.ndarray]:
    return {k: v[idx] for k, v in cols.items()}


# --- people in sessions ---------------------------------------------------------------------


def _session_times(
    rng: np.random.Generator, starts: Floats, sizes: npt.NDArray[np.int64], profile: HumanProfile
) -> tuple[Floats, Index]:
    """Request times of sessions starting at ``starts`` with ``sizes`` requests each."""
    seg = np.repeat(np.arange(len(sizes)), sizes)
    gaps = lognormal(rng, profile.timing.gap_s, int(sizes.sum()))
    first = np.cumsum(sizes) - sizes
    gaps[first] = 0.0
    run = np.cumsum(gaps)
    ts: Floats = starts[seg] + run - run[first][seg]
    return ts, seg


class _HomeDevices:
    """Per-account devices of ordinary users; a few share carrier-NAT addresses.

    ``draw`` returns the account's devices as parallel lists: IP index, user-agent index and
    the share of sessions run from that device.
    """

    def __init__(self, env: Env, net: HomeNetwork, count: int) -> None:
        self.env, self.net = env, net
        n_nat = max(2, round(count * net.cgnat_share / net.accounts_per_cgnat_ip))
        self.nat_ips = env.builder.ips.add_many(residential_ipv4(env.rng, n_nat))

    def draw(self) -> tuple[list[int], list[int], list[float]]:
        rng, b, net = self.env.rng, self.env.builder, self.net
        if rng.random() < net.script_share:
            ip = (
                residential_ipv4(rng, 1)[0]
                if rng.random() < 0.5
                else ips_in_subnet(rng, datacenter_subnet(rng), 1)[0]
            )
            ua = SCRIPT_UAS[int(pick_weighted(rng, len(SCRIPT_UAS)))]
            return [b.ips.add(ip)], [b.user_agents.add(ua)], [1.0]
        ips = [b.ips.add(residential_ipv4(rng, 1)[0])]
        uas = [b.user_agents.add(DESKTOP_UAS[int(pick_weighted(rng, len(DESKTOP_UAS)))])]
        weights = [1.0]
        if rng.random() < net.second_device_share:
            mobile = (
                mobile_ipv6(rng)
                if rng.random() < net.mobile_ipv6_share
                else residential_ipv4(rng, 1)[0]
            )
            ips.append(b.ips.add(mobile))
            uas.append(b.user_agents.add(MOBILE_UAS[int(pick_weighted(rng, len(MOBILE_UAS)))]))
            weights = [0.65, 0.35]
        if rng.random() < net.cgnat_share:
            # The phone (or the only connection) leaves through a carrier NAT.
            ips[-1] = int(self.nat_ips[int(rng.integers(len(self.nat_ips)))])
        return ips, uas, weights


class _ProxyDevices:
    """A campaign's residential proxy pool; each account keeps a few exits."""

    def __init__(self, env: Env, net: ProxyPoolNetwork) -> None:
        self.env, self.net = env, net
        rng = env.rng
        subnets = [residential_subnet(rng) for _ in range(net.pool_subnets)]
        per_subnet = np.bincount(
            np.arange(net.pool_ips) % net.pool_subnets, minlength=net.pool_subnets
        )
        addresses = [
            ip
            for s, k in zip(subnets, per_subnet.tolist(), strict=True)
            for ip in ips_in_subnet(rng, s, k)
        ]
        self.pool = env.builder.ips.add_many(addresses)

    def draw(self) -> tuple[list[int], list[int], list[float]]:
        rng, b, net = self.env.rng, self.env.builder, self.net
        k = int(rng.integers(net.ips_per_account[0], net.ips_per_account[1] + 1))
        exits = rng.choice(self.pool, size=min(k, len(self.pool)), replace=False).tolist()
        uas = [b.user_agents.add(DESKTOP_UAS[int(pick_weighted(rng, len(DESKTOP_UAS)))])]
        ua_weights = [1.0]
        if rng.random() < net.second_ua_share:
            uas.append(b.user_agents.add(MOBILE_UAS[int(pick_weighted(rng, len(MOBILE_UAS)))]))
            ua_weights = [0.8, 0.2]
        # Any exit with any browser: the devices are the combinations.
        return (
            [ip for ip in exits for _ in uas],
            [ua for _ in exits for ua in uas],
            [w / len(exits) for _ in exits for w in ua_weights],
        )


def human_sessions(env: Env, profile: HumanProfile, count: int) -> None:
    """Accounts that act in a few sessions with think time between requests.

    Parameters
    ----------
    env : Env
        Generation state.
    profile : HumanProfile
        Timing, content, outputs and network of this kind of account.
    count : int
        Number of accounts to simulate.
    """
    rng, duration, t = env.rng, env.duration, profile.timing
    net = profile.network
    devices = (
        _HomeDevices(env, net, count) if isinstance(net, HomeNetwork) else _ProxyDevices(env, net)
    )
    second_key = net.second_key_share if isinstance(net, HomeNetwork) else 0.0
    for _ in range(count):
        lo = duration * rng.uniform(*t.start_frac)
        hi = duration * rng.uniform(*t.end_frac)
        k = _sessions(rng, t.sessions, t.session_weights, duration / t.reference_s)
        sizes = np.rint(lognormal(rng, t.requests, k)).astype(np.int64)
        # One session per stratum of the active span: people spread their sessions out.
        starts = lo + (hi - lo) * (np.arange(k) + rng.random(k)) / k
        ts, seg = _session_times(rng, starts, sizes, profile)
        keep = ts < duration
        order = np.argsort(ts[keep], kind="stable")
        ts, seg = ts[keep][order], seg[keep][order]
        if not len(ts):
            continue
        org = env.ids.new("org_", 10) if rng.random() < profile.own_org_share else None
        account = env.add_account(profile.label, profile.campaign_id, org)
        ips, uas, weights = devices.draw()
        device = rng.choice(len(ips), size=k, p=np.asarray(weights) / sum(weights))
        keys = [env.new_key()]
        if rng.random() < second_key:
            keys.append(env.new_key())
        session_key = rng.integers(len(keys), size=k)
        cols = responses(rng, profile.output, seg, k)
        status = errors(rng, profile.errors, cols)
        _emit(
            env,
            account,
            ts,
            cols,
            status,
            key=np.asarray(keys)[session_key][seg],
            ip=np.asarray(ips)[device][seg],
            ua=np.asarray(uas)[device][seg],
            family=env.draw_families(profile.content, len(ts)),
        )


# --- enterprise pipelines -------------------------------------------------------------------


def _org_sizes(rng: np.random.Generator, count: int, n_orgs: int, hi: int) -> list[int]:
    sizes = [1] * n_orgs
    for _ in range(count - n_orgs):
        open_orgs = [i for i, s in enumerate(sizes) if s < hi]
        sizes[open_orgs[int(rng.integers(len(open_orgs)))]] += 1
    return sizes


def _pipeline_times(
    rng: np.random.Generator, timing: PipelineTiming, rate: float, duration: float
) -> Floats:
    """Arrival times of one pipeline running at ``rate`` requests/s on average."""
    kind = timing.kinds[int(choose(rng, timing.kinds, 1)[0])][0]
    if kind == "periodic":
        # Cron-like: a fixed interval with small scheduling jitter.
        interval = 1.0 / rate
        ts = rng.uniform(0, interval) + np.arange(int(duration * rate) + 1) * interval
        ts = ts + rng.normal(0, 0.05 * interval, len(ts))
    elif kind == "batch":
        # A queue drained every few minutes as fast as the client's concurrency allows.
        every = rng.uniform(*timing.batch_every_s)
        drain = rng.uniform(*timing.batch_rate_per_s)
        starts = rng.uniform(0, every) + np.arange(int(duration / every) + 1) * every
        sizes = rng.poisson(rate * every, len(starts))
        seg = np.repeat(np.arange(len(starts)), sizes)
        run = np.cumsum(rng.exponential(1.0 / drain, int(sizes.sum())))
        before = np.concatenate([[0.0], run])[np.cumsum(sizes) - sizes]
        ts = starts[seg] + run - before[seg]
    else:
        # Poisson with a slow daily modulation, by thinning a faster homogeneous process.
        amp = rng.uniform(*timing.modulation)
        phase = rng.uniform(0, 2 * math.pi)
        peak = rate * (1 + amp)
        ts = np.sort(rng.uniform(0, duration, rng.poisson(peak * duration)))
        level = 1 + amp * np.sin(2 * math.pi * ts / timing.period_s + phase)
        ts = ts[rng.random(len(ts)) * (1 + amp) < level]
    ts = ts[(ts >= 0) & (ts < duration)]
    out: Floats = np.sort(ts)
    return out


def pipelines(env: Env, profile: PipelineProfile, count: int) -> None:
    """Organisations whose service accounts run templated pipelines all day.

    Parameters
    ----------
    env : Env
        Generation state.
    profile : PipelineProfile
        Tasks, rates and network of the organisations.
    count : int
        Number of service accounts, spread over about ``count / mean_accounts_per_org``
        organisations of ``accounts_per_org`` accounts each.
    """
    rng, duration, timing = env.rng, env.duration, profile.timing
    b = env.builder
    hi = profile.accounts_per_org[1]
    n_orgs = max(1, round(count / profile.mean_accounts_per_org), math.ceil(count / hi))
    lo_rate, hi_rate = timing.rate_per_s
    rates = lo_rate * (hi_rate / lo_rate) ** (_stratified(rng, count) ** timing.rate_skew)
    logprob_orgs = set(rng.choice(n_orgs, min(profile.logprobs_orgs, n_orgs), replace=False))
    a = 0
    for org_index, size in enumerate(_org_sizes(rng, count, n_orgs, hi)):
        org_id = env.ids.new("org_", 10)
        n_ips = int(rng.integers(profile.ips_per_org[0], profile.ips_per_org[1] + 1))
        org_ips = b.ips.add_many(ips_in_subnet(rng, datacenter_subnet(rng), n_ips))
        n_tasks = min(len(profile.tasks), int(rng.integers(*profile.tasks_per_org, endpoint=True)))
        org_tasks = rng.choice(len(profile.tasks), n_tasks, replace=False)
        n_uas = int(rng.integers(1, 3))
        org_uas = b.user_agents.add_many(
            rng.choice(np.asarray(profile.user_agents), n_uas, replace=False).tolist()
        )
        for _ in range(size):
            rate = float(rates[a])
            a += 1
            lo_p, hi_p = profile.pipelines_per_account
            n_pipes = min(n_tasks, int(rng.integers(lo_p, hi_p + 1)))
            tasks = rng.choice(org_tasks, n_pipes, replace=False)
            shares = rng.dirichlet(np.full(n_pipes, 2.0))
            parts: list[tuple[Floats, dict[str, np.ndarray], int, int]] = []
            for task_index, share in zip(tasks.tolist(), shares.tolist(), strict=True):
                task = profile.tasks[task_index]
                ts = _pipeline_times(rng, timing, rate * share, duration)
                if not len(ts):
                    continue
                cols = responses(rng, task.output, np.zeros(len(ts), dtype=np.intp), 1)
                if org_index in logprob_orgs and task.classification:
                    cols["logprobs"][:] = profile.logprobs
                parts.append((ts, cols, env.renderer.family_id(task.family), env.new_key()))
            if not parts:
                continue
            account = env.add_account(profile.label, None, org_id)
            ts = np.concatenate([p[0] for p in parts])
            order = np.argsort(ts, kind="stable")
            cols = _take({k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}, order)
            sizes = [len(p[0]) for p in parts]
            family = np.repeat([p[2] for p in parts], sizes)[order]
            key = np.repeat([p[3] for p in parts], sizes)[order]
            status = errors(rng, profile.errors, cols)
            _emit(
                env,
                account,
                ts[order],
                cols,
                status,
                key=key,
                ip=org_ips[rng.integers(len(org_ips), size=len(ts))],
                ua=org_uas[int(rng.integers(len(org_uas)))],
                family=family,
            )


# --- coding agents --------------------------------------------------------------------------


def _context_sizes(rng: np.random.Generator, profile: AgentProfile, m: int) -> np.ndarray:
    """Prompt tokens of one agent loop: the context grows, then gets compacted."""
    start = rng.integers(*profile.context_start_tokens, endpoint=True)
    steps = lognormal(rng, profile.context_step, m)
    raw = start + np.concatenate([[0.0], np.cumsum(steps[:-1])])
    cap, floor = profile.context_cap, profile.context_after_compaction
    wrapped = np.where(raw > cap, floor + (raw - cap) % (cap - floor), raw)
    return np.rint(wrapped).astype(np.int64)


def _teams(env: Env, profile: AgentProfile, count: int) -> list[tuple[str, np.ndarray, str] | None]:
    """Team membership per account: (org id, office IPs, shared repository) or None."""
    rng = env.rng
    members: list[tuple[str, np.ndarray, str] | None] = [None] * count
    n_team = round(count * profile.team_share)
    i = 0
    while i < n_team:
        size = int(rng.integers(profile.team_size[0], profile.team_size[1] + 1))
        prefix = residential_subnet(rng)  # offices sit on business broadband
        office = env.builder.ips.add_many(ips_in_subnet(rng, prefix, int(rng.integers(1, 3))))
        team = (env.ids.new("org_", 10), office, str(rng.choice(POOLS["repo"])))
        for j in range(i, min(i + size, n_team)):
            members[j] = team
        i += size
    order = rng.permutation(count)
    return [members[int(j)] for j in order]


def agent_loops(env: Env, profile: AgentProfile, count: int) -> None:
    """Developers running coding agents: sessions of long tool-use loops.

    Each request of a loop is sent when the previous answer has arrived and the tool has
    run, so the gaps follow the latencies. Every prompt of a loop repeats the loop's task
    description followed by fresh tool output: consecutive prompts are near-duplicates.

    Parameters
    ----------
    env : Env
        Generation state.
    profile : AgentProfile
        Loop structure, context growth and outputs.
    count : int
        Number of accounts.
    """
    rng, duration, t = env.rng, env.duration, profile.timing
    b = env.builder
    step_family = env.renderer.family_id("agent_step")
    task_family = env.renderer.family_id("agent_context")
    lo_len, hi_len = math.log(t.loop_len[0]), math.log(t.loop_len[1])
    for team in _teams(env, profile, count):
        home = [b.ips.add(residential_ipv4(rng, 1)[0])]
        if rng.random() < profile.second_ip_share:
            home.append(b.ips.add(residential_ipv4(rng, 1)[0]))
        repo = team[2] if team else str(rng.choice(POOLS["repo"]))
        agents = profile.user_agents
        ua = b.user_agents.add(agents[int(pick_weighted(rng, len(agents)))])
        loops: list[tuple[Floats, dict[str, np.ndarray], np.ndarray, int, int]] = []
        k = _sessions(rng, t.sessions, t.session_weights, duration / t.reference_s)
        for session_start in np.sort(rng.uniform(0, duration, k)).tolist():
            if team and rng.random() < profile.office_share:
                ip = int(team[1][int(rng.integers(len(team[1])))])
            else:
                ip = home[int(rng.integers(len(home)))]
            clock = session_start
            for _ in range(_pick(rng, t.loops, t.loop_weights)):
                if clock >= duration:
                    break
                m = round(math.exp(rng.uniform(lo_len, hi_len)))
                cols = responses(
                    rng,
                    profile.output,
                    np.zeros(m, dtype=np.intp),
                    1,
                    prompt_tokens=_context_sizes(rng, profile, m),
                )
                if cols["finish"][-1] == TOOL_USE:
                    cols["finish"][-1] = STOP  # a loop ends with a plain answer
                status = errors(rng, profile.errors, cols)
                lat_s = latency_ms(rng, cols, status) / 1000.0
                wait = lognormal(rng, t.tool_time_s, m)
                wait += np.where(status != 200, rng.uniform(*t.retry_backoff_s, m), 0.0)
                gaps = np.concatenate([[0.0], lat_s[:-1] + wait[1:]])
                ts = clock + np.cumsum(gaps)
                clock = float(ts[-1] + lat_s[-1] + rng.uniform(*t.pause_s))
                context = b.add_context(f"Repository: {repo}\n{env.renderer.render(task_family)}")
                loops.append((ts, {**cols, "status": status}, np.full(m, ip), context, m))
        if not loops:
            continue
        ts = np.concatenate([lp[0] for lp in loops])
        keep = np.flatnonzero(ts < duration)
        if not len(keep):
            continue
        keep = keep[np.argsort(ts[keep], kind="stable")]
        cols = _take({c: np.concatenate([lp[1][c] for lp in loops]) for c in loops[0][1]}, keep)
        status = cols.pop("status")
        account = env.add_account(profile.label, None, team[0] if team else None)
        _emit(
            env,
            account,
            ts[keep],
            cols,
            status,
            key=env.new_key(),
            ip=np.concatenate([lp[2] for lp in loops])[keep],
            ua=ua,
            family=step_family,
            context=np.repeat([lp[3] for lp in loops], [lp[4] for lp in loops])[keep],
        )


# --- sybil campaign -------------------------------------------------------------------------


def sybil_fleet(env: Env, profile: FleetProfile, count: int) -> None:
    """A campaign of automated accounts sharing one proxy pool and a rotating set of UAs.

    Parameters
    ----------
    env : Env
        Generation state.
    profile : FleetProfile
        Campaign timing, prompts, outputs and infrastructure.
    count : int
        Number of sybil accounts.
    """
    rng, duration, t = env.rng, env.duration, profile.timing
    b = env.builder
    per_subnet = np.bincount(np.arange(profile.pool_ips) % profile.pool_subnets)
    pool = b.ips.add_many(
        ip for k in per_subnet.tolist() for ip in ips_in_subnet(rng, datacenter_subnet(rng), k)
    )
    uas = b.user_agents.add_many(profile.user_agents)
    for _ in range(count):
        start = duration * rng.uniform(*t.start_frac)
        end = min(duration, start + duration * rng.uniform(*t.lifetime_frac))
        mean_gap = 3600.0 / rng.uniform(*t.rate_per_h)
        n = int((end - start) / mean_gap * 2) + 20
        if rng.random() < t.exponential_share:
            gaps = t.min_gap_s + rng.exponential(mean_gap - t.min_gap_s, n)
        else:
            gaps = mean_gap * rng.uniform(0.5, 1.5, n) + rng.normal(0, t.jitter_s, n)
        ts = start + np.cumsum(np.maximum(gaps, t.min_gap_s))
        ts = ts[ts < end]
        if not len(ts):
            continue
        org = env.ids.new("org_", 10) if rng.random() < profile.throwaway_org_share else None
        account = env.add_account(profile.label, profile.campaign_id, org)
        cols = responses(rng, profile.output, np.zeros(len(ts), dtype=np.intp), 1)
        status = errors(rng, profile.errors, cols)
        _emit(
            env,
            account,
            ts,
            cols,
            status,
            key=env.new_key(),
            ip=pool[rng.integers(len(pool), size=len(ts))],
            ua=uas[rng.integers(len(uas), size=len(ts))],
            family=env.draw_families(profile.content, len(ts)),
        )


# --- bulk scraper ---------------------------------------------------------------------------


def bulk_scraper(env: Env, profile: BulkProfile, count: int) -> None:
    """Single accounts pulling answers at several requests per second for hours.

    Parameters
    ----------
    env : Env
        Generation state.
    profile : BulkProfile
        Rate, active span, prompts and outputs.
    count : int
        Number of scraper accounts (each independent, no campaign).
    """
    rng, duration, t = env.rng, env.duration, profile.timing
    b = env.builder
    lo, hi = t.rate_per_s
    rates = lo + (hi - lo) * _stratified(rng, count)
    for rate in rates.tolist():
        span = duration * rng.uniform(*t.active_frac)
        start = rng.uniform(0, duration - span)
        ts = np.sort(rng.uniform(start, start + span, rng.poisson(rate * span)))
        if not len(ts):
            continue
        account = env.add_account(profile.label, None, None)
        cols = responses(rng, profile.output, np.zeros(len(ts), dtype=np.intp), 1)
        status = errors(rng, profile.errors, cols)
        _emit(
            env,
            account,
            ts,
            cols,
            status,
            key=env.new_key(),
            ip=b.ips.add(ips_in_subnet(rng, datacenter_subnet(rng), 1)[0]),
            ua=b.user_agents.add(profile.user_agent),
            family=env.draw_families(profile.content, len(ts)),
        )


_GENERATORS: dict[type, Callable[[Env, Any, int], None]] = {
    HumanProfile: human_sessions,
    PipelineProfile: pipelines,
    AgentProfile: agent_loops,
    FleetProfile: sybil_fleet,
    BulkProfile: bulk_scraper,
}


def generate(env: Env, profile: Profile, count: int) -> None:
    """Run the generator that matches ``profile``'s type for ``count`` accounts."""
    if count <= 0:
        return
    _GENERATORS[type(profile)](env, profile, count)
