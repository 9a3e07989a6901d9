"""The per-account signals: their catalogue (definition, unit, why) and their computation.

Signals are computed for a batch of accounts at once from :class:`~detector.state.AccountState`:
window sums for rates, shares and timing; the recent-requests ring for diversity and
infrastructure. ``docs/signals.md`` is generated from :data:`SIGNALS`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detector import _kernels
from detector.state import BASE_COUNTERS, AccountState

__all__ = [
    "CAMPAIGN_SIGNALS",
    "SIGNALS",
    "CampaignLookup",
    "FeatureMatrix",
    "Signal",
    "compute_features",
    "signal_names",
    "signals_markdown",
    "squash",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Signal:
    name: str
    unit: str
    definition: str
    why: str


SIGNALS: tuple[Signal, ...] = (
    Signal(
        "requests_per_min_short",
        "requests/min",
        "Requests in the short window divided by its length.",
        "Bursts. Volume alone is weak evidence: big customers are busy too.",
    ),
    Signal(
        "requests_per_hour",
        "requests/h",
        "Requests in the long window divided by the time the account has been seen in it "
        "(at least the short window's length).",
        "Sustained volume; sybil accounts keep it low on purpose, so it is context, not proof.",
    ),
    Signal(
        "prompt_tokens_per_request",
        "tokens",
        "Mean prompt tokens per request, long window.",
        "Pipelines and agents send long inputs; extraction prompts are short.",
    ),
    Signal(
        "completion_tokens_per_request",
        "tokens",
        "Mean completion tokens per request, long window.",
        "Harvesting wants long answers.",
    ),
    Signal(
        "completion_tokens_per_hour",
        "tokens/h",
        "Completion tokens in the short window, per hour.",
        "Total output harvested: the quantity a distiller needs.",
    ),
    Signal(
        "output_input_ratio",
        "ratio",
        "Completion tokens over prompt tokens (denominator at least 1), long window.",
        "Output harvesting: short prompts that pull long answers. Pipelines and agents "
        "are the other way round.",
    ),
    Signal(
        "length_cut_share",
        "share",
        "Share of requests that stopped at max_tokens (finish_reason = length).",
        "Asking for more than the model will give: maximising output per request.",
    ),
    Signal(
        "reasoning_share",
        "share",
        "Share of requests asking for reasoning / thinking output.",
        "Reasoning traces are the most valuable thing to distil.",
    ),
    Signal(
        "logprobs_share",
        "share",
        "Share of requests asking for log-probabilities.",
        "Soft labels make distillation far more sample-efficient.",
    ),
    Signal(
        "multi_n_share",
        "share",
        "Share of requests asking for more than one completion (n > 1).",
        "Several samples per prompt: a training-data pattern.",
    ),
    Signal(
        "distinct_prompt_share",
        "share",
        "Distinct exact prompt hashes over recent requests with a prompt.",
        "Scripted traffic repeats prompts; people rarely do.",
    ),
    Signal(
        "distinct_template_share",
        "share",
        "Template clusters (shared prefix or suffix fingerprint) over recent requests.",
        "Templated sweeps reuse a few templates with many fill-ins.",
    ),
    Signal(
        "template_entropy",
        "bits",
        "Shannon entropy of the template clusters of recent requests.",
        "A capability sweep cycles through many templates evenly; a pipeline uses one.",
    ),
    Signal(
        "near_duplicate_share",
        "share",
        "Share of recent requests that repeat an earlier recent template with a new "
        "fill-in (template equal, exact prompt not).",
        "The signature of templated generation.",
    ),
    Signal(
        "interarrival_cv",
        "ratio",
        "Standard deviation over mean of inter-arrival gaps (gaps up to the long window), "
        "long window; 0 with fewer than two gaps.",
        "People are bursty (CV well above 1); schedulers are regular (CV at or below 1).",
    ),
    Signal(
        "active_coverage",
        "share",
        "Share of the long window's buckets with at least one request.",
        "Round-the-clock activity is machine-like; people have sessions.",
    ),
    Signal(
        "distinct_ips",
        "count",
        "Distinct client IPs among recent requests.",
        "Rotating through a proxy pool.",
    ),
    Signal(
        "distinct_networks",
        "count",
        "Distinct /24 (IPv4) or /48 (IPv6) networks among recent requests.",
        "Proxy pools span networks; a home user has one or two.",
    ),
    Signal(
        "distinct_user_agents",
        "count",
        "Distinct user agents among recent requests.",
        "Rotating user agents to look like many clients.",
    ),
    Signal(
        "ip_shared_orgs",
        "owners",
        "Most distinct owners (org, or account without org) seen recently on any one of "
        "the account's recent IPs, this one included.",
        "Sybil accounts share proxy exits; a company's accounts behind one NAT count as one owner.",
    ),
    Signal(
        "network_shared_orgs",
        "owners",
        "Most distinct owners seen recently on any one of the account's recent networks.",
        "The same at /24 granularity, for pools that rotate addresses in a block.",
    ),
    Signal(
        "error_share",
        "share",
        "Share of requests answered 4xx/5xx other than 429.",
        "Probing, malformed automation.",
    ),
    Signal(
        "rate_limited_share",
        "share",
        "Share of requests answered 429.",
        "Pushing against the rate limit.",
    ),
)

CAMPAIGN_SIGNALS: tuple[Signal, ...] = (
    Signal(
        "campaign_members",
        "accounts",
        "Accounts in the campaign this account belongs to (0 if none), from the latest "
        "campaign pass (`campaigns` in the config).",
        "Sybil accounts each stay under every per-account limit; together they are "
        "one campaign sharing templates and infrastructure.",
    ),
    Signal(
        "campaign_risk",
        "score",
        "Risk of the account's campaign (0 if none): its members' mean score without "
        "campaign evidence, raised by its coordination (many accounts linked by sharing "
        "templates and infrastructure).",
        "Accounts that each stay under every threshold are damning together; a group of "
        "similar benign accounts (one agent framework, one office NAT) is no campaign.",
    ),
    Signal(
        "campaign_similarity",
        "similarity",
        "Mean pair similarity between the account and its neighbours in its campaign (0 if none).",
        "How tightly the account is tied to the campaign, not merely near it.",
    ),
)

CampaignLookup = Callable[[list[str]], dict[str, F64]]
"""The campaign signals (by name) of each of a list of accounts."""

_INTENT_SIGNAL = Signal(
    "{intent}_share",
    "share",
    "Share of requests whose prompt matches the '{intent}' patterns, long window.",
    "Prompt intent: chain-of-thought elicitation and rubric grading are how reasoning "
    "traces and reward data are extracted.",
)


def intent_signal(intent: str) -> Signal:
    s = _INTENT_SIGNAL
    return Signal(s.name.format(intent=intent), s.unit, s.definition.format(intent=intent), s.why)


def signals_markdown(intents: list[str]) -> str:
    """The signal reference (``docs/signals.md``), generated so it cannot drift."""
    out = [
        "# Signals",
        "",
        "Computed per account over event-time windows (`windows.short`, `windows.long`) and",
        "over its most recent requests (`state.recent_requests`). Generated from",
        "`detector/features.py` by `distill-detector signals > docs/signals.md`.",
        "",
        "| signal | unit | definition | why it matters |",
        "|---|---|---|---|",
    ]
    for s in (*SIGNALS, *(intent_signal(i) for i in intents), *CAMPAIGN_SIGNALS):
        out.append(f"| `{s.name}` | {s.unit} | {s.definition} | {s.why} |")
    return "\n".join(out) + "\n"


def signal_names(intents: list[str]) -> list[str]:
    """Names of all signals, in feature-vector order, for the configured intents."""
    return [s.name for s in (*SIGNALS, *(intent_signal(i) for i in intents), *CAMPAIGN_SIGNALS)]


# Half-saturation constants that squash unbounded signals into [0, 1): v / (v + k) is 0.5
# at a typical-to-high value of the signal. Shares are already in [0, 1].
_SQUASH = {
    "requests_per_min_short": 5.0,
    "requests_per_hour": 100.0,
    "prompt_tokens_per_request": 1000.0,
    "completion_tokens_per_request": 500.0,
    "completion_tokens_per_hour": 50_000.0,
    "output_input_ratio": 5.0,
    "template_entropy": 3.0,
    "interarrival_cv": 1.0,
    "distinct_ips": 3.0,
    "distinct_networks": 3.0,
    "distinct_user_agents": 2.0,
    "ip_shared_orgs": 3.0,
    "network_shared_orgs": 5.0,
    "campaign_members": 20.0,
}


@dataclass(frozen=True)
class FeatureMatrix:
    """Signals of a batch of accounts: ``values[i, j]`` is signal ``names[j]`` of ``rows[i]``."""

    rows: I64
    names: list[str]
    values: F64
    requests: F64
    """Requests in the long window, per row: how much evidence the signals rest on."""

    def column(self, name: str) -> F64:
        return self.values[:, self.names.index(name)]


def squash(features: FeatureMatrix) -> F64:
    """Every signal mapped into [0, 1]: the input of the anomaly model and of behavioural
    similarity between accounts."""
    k = _squash_scales(tuple(features.names))
    v = features.values
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = v / (v + k)
    return np.where(k > 0, ratio, np.clip(v, 0.0, 1.0))


@functools.lru_cache(maxsize=16)
def _squash_scales(names: tuple[str, ...]) -> F64:
    """Per column: the half-saturation scale of a count or rate, 0 for a share."""
    return np.array([_SQUASH.get(name, 0.0) for name in names])


def _safe_div(num: F64, den: F64) -> F64:
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _distinct(values: npt.NDArray[np.uint32], valid: npt.NDArray[np.bool_]) -> I64:
    """Distinct non-zero values per row among valid entries."""
    out = np.empty(len(values), dtype=np.int64)
    _kernels.distinct(np.ascontiguousarray(values), np.ascontiguousarray(valid), out)
    return out


def _template_signals(
    exact: npt.NDArray[np.uint16],
    prefix: npt.NDArray[np.uint32],
    suffix: npt.NDArray[np.uint32],
    valid: npt.NDArray[np.bool_],
) -> tuple[F64, F64, F64, F64]:
    """Distinct-prompt share, distinct-template share, template entropy, near-dup share.

    Two requests share a template when their prefix or their suffix hashes are equal; each
    request joins the cluster of the first request sharing its template.
    """
    out = np.empty((len(exact), 4))
    _kernels.template_signals(
        np.ascontiguousarray(exact),
        np.ascontiguousarray(prefix),
        np.ascontiguousarray(suffix),
        np.ascontiguousarray(valid),
        out,
    )
    return out[:, 0], out[:, 1], out[:, 2], out[:, 3]


def compute_features(
    state: AccountState, rows: I64, now: float, campaigns: CampaignLookup | None = None
) -> FeatureMatrix:
    """All signals of ``rows`` at event time ``now``; ``campaigns`` gives the campaign
    signals (0 without it).

    Examples
    --------
    >>> from detector.config import Config
    >>> cfg = Config()
    >>> state = AccountState(cfg.windows, cfg.state)
    >>> fm = compute_features(state, np.empty(0, dtype=np.int64), 0.0)
    >>> fm.values.shape[0], fm.names[:2]
    (0, ['requests_per_min_short', 'requests_per_hour'])
    """
    intents = list(state.counter_names[len(BASE_COUNTERS) :])
    names = signal_names(intents)
    ix = state.counter_index
    long = state.long.sums(rows, now)
    short, sx = state.short.sums(rows, now), state.short.counter_index
    requests = long[:, ix["requests"]]
    prompt = long[:, ix["prompt_tokens"]]
    completion = long[:, ix["completion_tokens"]]
    # An account first seen ten minutes ago has not had six hours to send its requests.
    seen_s = np.clip(now - state.first_seen[rows], state.short.length_s, state.long.length_s)
    short_hours = state.short.length_s / 3600.0

    def share(counter: str) -> F64:
        return _safe_div(long[:, ix[counter]], requests)

    gap_n = long[:, ix["gap_n"]]
    gap_mean = _safe_div(long[:, ix["gap_sum"]], gap_n)
    gap_var = np.maximum(_safe_div(long[:, ix["gap_sq"]], gap_n) - gap_mean**2, 0.0)
    cv = np.where(gap_n >= 2, _safe_div(np.sqrt(gap_var), gap_mean), 0.0)

    ring = state.ring.gather(rows)
    recent = ring.within(now, state.long.length_s)
    r = ring.columns
    with_prompt = recent & (r["exact"] != 0)
    distinct_prompts, distinct_templates, entropy, near_dup = _template_signals(
        r["exact"], r["prefix"], r["suffix"], with_prompt
    )
    ip_owners = state.ip_sharing.max_owners(r["ip"], recent)
    net_owners = state.network_sharing.max_owners(r["network"], recent)
    columns: dict[str, F64] = {
        "requests_per_min_short": short[:, sx["requests"]] / (state.short.length_s / 60.0),
        "requests_per_hour": requests / (seen_s / 3600.0),
        "prompt_tokens_per_request": _safe_div(prompt, requests),
        "completion_tokens_per_request": _safe_div(completion, requests),
        "completion_tokens_per_hour": short[:, sx["completion_tokens"]] / short_hours,
        "output_input_ratio": completion / np.maximum(prompt, 1.0),
        "length_cut_share": share("length_cut"),
        "reasoning_share": share("reasoning"),
        "logprobs_share": share("logprobs"),
        "multi_n_share": share("multi_n"),
        "distinct_prompt_share": distinct_prompts,
        "distinct_template_share": distinct_templates,
        "template_entropy": entropy,
        "near_duplicate_share": near_dup,
        "interarrival_cv": cv,
        "active_coverage": state.long.active_buckets(rows, now) / state.long.buckets,
        "distinct_ips": _distinct(r["ip"], recent).astype(np.float64),
        "distinct_networks": _distinct(r["network"], recent).astype(np.float64),
        "distinct_user_agents": _distinct(r["user_agent"], recent).astype(np.float64),
        "ip_shared_orgs": ip_owners.astype(np.float64),
        "network_shared_orgs": net_owners.astype(np.float64),
        "error_share": share("errors"),
        "rate_limited_share": share("rate_limited"),
    }
    for intent in intents:
        columns[intent_signal(intent).name] = share(intent)
    if campaigns is not None and len(rows):
        columns.update(campaigns(state.accounts(rows)))
    else:
        columns.update({s.name: np.zeros(len(rows)) for s in CAMPAIGN_SIGNALS})
    values = np.empty((len(rows), len(names)))
    for j, name in enumerate(names):
        values[:, j] = columns[name]
    return FeatureMatrix(rows, names, values, requests)
