"""Behaviour profiles: every number that shapes a label's traffic, kept as data.

Each label (``ordinary``, ``enterprise``, ...) is one frozen dataclass instance in
:data:`PROFILES`. The generator for its *kind* lives in :mod:`detector.simulate.behaviours`;
the profile only parametrises it. Times tied to the 6-hour default window (when a campaign
starts, how long an account lives) are stored as fractions of the scenario duration, so the
shorter ``small`` scenario keeps the same shape; rates are absolute.

The imaginary API's default rate limit is 60 requests/minute per account. Enterprise
customers and the scraper run on paid tiers with higher limits (otherwise their specified
rates of up to 3-6 req/s could not be served at all); their 429s come in bursts when they
exceed their tier.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "LARGE_MODEL",
    "PROFILES",
    "SMALL_MODEL",
    "AgentProfile",
    "BulkProfile",
    "BulkTiming",
    "ErrorSpec",
    "FleetProfile",
    "HomeNetwork",
    "HumanProfile",
    "LogNormal",
    "LoopTiming",
    "OutputSpec",
    "PipelineProfile",
    "PipelineTask",
    "PipelineTiming",
    "Profile",
    "ProxyPoolNetwork",
    "SessionTiming",
    "SteadyTiming",
]

LARGE_MODEL = "model-large-2026-05"
SMALL_MODEL = "model-small-2026-05"

# --- building blocks ------------------------------------------------------------------------


@dataclass(frozen=True)
class LogNormal:
    """Log-normal distribution truncated to ``[lo, hi]`` (values outside are re-drawn)."""

    median: float
    sigma: float
    lo: float
    hi: float


@dataclass(frozen=True)
class OutputSpec:
    """What the client asks for and what the model returns, per request.

    Shares are probabilities per request, except for the fields named in ``per_segment``,
    which are drawn once per segment (chat session, agent loop, pipeline) because clients keep
    those settings fixed for a while.
    """

    prompt_tokens: LogNormal
    completion_tokens: LogNormal  # per choice, before the reasoning boost
    max_tokens: tuple[int, ...]
    max_tokens_share: float  # probability that the client sets max_tokens at all
    default_cap: int  # output cap when the client sets none
    length_share: float  # responses cut at the cap (finish_reason "length")
    tool_use_share: float = 0.0
    content_filter_share: float = 0.0
    reasoning_share: float = 0.0
    reasoning_boost: float = 1.4  # thinking tokens make reasoning answers longer
    logprobs: tuple[int, ...] = (5,)
    logprobs_share: float = 0.0
    n_choices: tuple[int, ...] = (2,)
    multi_n_share: float = 0.0
    temperatures: tuple[tuple[float | None, float], ...] = ((1.0, 1.0),)
    models: tuple[tuple[str, float], ...] = ((LARGE_MODEL, 1.0),)
    per_segment: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ErrorSpec:
    """Non-200 answers. 429s come in runs (``burst_len`` requests on average)."""

    rate_limited: tuple[float, float] = (0.0, 0.0)  # per-account share of 429s, uniform range
    burst_len: float = 1.0
    client_error_share: float = 0.0  # 400/401/413/422
    server_error_share: float = 0.0  # 500/502/503/529


# --- timing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionTiming:
    """Human sessions: a few bursts of requests separated by think time."""

    sessions: tuple[int, ...]
    session_weights: tuple[float, ...]
    requests: LogNormal  # per session, rounded
    gap_s: LogNormal  # think time between requests of a session
    start_frac: tuple[float, float] = (0.0, 0.0)  # account becomes active at U(a, b) * duration
    end_frac: tuple[float, float] = (1.0, 1.0)
    reference_s: float = 21_600.0  # ``sessions`` are per this long; scaled to the duration


@dataclass(frozen=True)
class PipelineTiming:
    """Service accounts: Poisson, cron-like periodic or queue-draining batch pipelines."""

    rate_per_s: tuple[float, float]  # per account, skewed log-uniform between the bounds
    rate_skew: float  # u ** skew before the log-uniform map: > 1 favours the low end
    modulation: tuple[float, float]  # amplitude of the slow daily sinusoid
    kinds: tuple[tuple[str, float], ...]  # ("poisson" | "periodic" | "batch", weight)
    batch_every_s: tuple[float, float]
    batch_rate_per_s: tuple[float, float]  # how fast a batch drains (client concurrency)
    period_s: float = 86_400.0


@dataclass(frozen=True)
class LoopTiming:
    """Coding agents: sessions of tool-use loops; the next call waits for the last answer."""

    sessions: tuple[int, ...]
    session_weights: tuple[float, ...]
    loops: tuple[int, ...]
    loop_weights: tuple[float, ...]
    loop_len: tuple[int, int]  # log-uniform
    tool_time_s: LogNormal  # tool execution between an answer and the next call
    pause_s: tuple[float, float]  # human pause between loops of one session
    retry_backoff_s: tuple[float, float]  # wait after a 429 or 5xx
    reference_s: float = 21_600.0  # ``sessions`` are per this long; scaled to the duration


@dataclass(frozen=True)
class SteadyTiming:
    """Automated sybil accounts: continuously active while alive, well under the rate limit."""

    rate_per_h: tuple[float, float]
    start_frac: tuple[float, float]
    lifetime_frac: tuple[float, float]
    exponential_share: float  # the rest use uniform gaps around the mean
    min_gap_s: float
    jitter_s: float


@dataclass(frozen=True)
class BulkTiming:
    """One heavy client hammering the API for hours."""

    rate_per_s: tuple[float, float]
    active_frac: tuple[float, float]


# --- networks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeNetwork:
    """Each account has its own devices: a home connection and maybe a phone."""

    second_device_share: float = 0.45
    mobile_ipv6_share: float = 0.3
    cgnat_share: float = 0.05  # share of accounts behind a carrier NAT shared with others
    accounts_per_cgnat_ip: int = 10
    script_share: float = 0.08  # "accounts" that are a simple script, not a browser
    second_key_share: float = 0.1


@dataclass(frozen=True)
class ProxyPoolNetwork:
    """A campaign's residential proxy pool; each account sticks to a few of its exits."""

    pool_ips: int
    pool_subnets: int
    ips_per_account: tuple[int, int]
    second_ua_share: float = 0.1


# --- profiles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HumanProfile:
    """People (or careful attackers imitating them) in sessions."""

    label: str
    timing: SessionTiming
    content: tuple[tuple[str, float], ...]  # (prompt family, weight)
    output: OutputSpec
    errors: ErrorSpec
    network: HomeNetwork | ProxyPoolNetwork
    own_org_share: float = 0.0
    campaign_id: str | None = None


@dataclass(frozen=True)
class PipelineTask:
    """One kind of templated enterprise job and the output it needs."""

    family: str
    output: OutputSpec
    classification: bool = False  # eligible for logprobs (confidence scores)


@dataclass(frozen=True)
class PipelineProfile:
    """Legitimate high-volume customers: organisations running templated pipelines."""

    label: str
    timing: PipelineTiming
    tasks: tuple[PipelineTask, ...]
    errors: ErrorSpec
    user_agents: tuple[str, ...]
    accounts_per_org: tuple[int, int] = (1, 8)
    mean_accounts_per_org: float = 4.0
    tasks_per_org: tuple[int, int] = (2, 4)
    pipelines_per_account: tuple[int, int] = (1, 3)
    ips_per_org: tuple[int, int] = (2, 6)
    logprobs_orgs: int = 1
    logprobs: int = 5


@dataclass(frozen=True)
class AgentProfile:
    """Coding agents and IDE assistants."""

    label: str
    timing: LoopTiming
    output: OutputSpec
    errors: ErrorSpec
    user_agents: tuple[str, ...]
    context_start_tokens: tuple[int, int] = (2_000, 8_000)
    context_step: LogNormal = LogNormal(350, 0.8, 20, 6_000)
    context_cap: int = 60_000
    context_after_compaction: int = 15_000
    team_share: float = 0.35  # accounts that belong to a team org sharing an office
    team_size: tuple[int, int] = (2, 10)
    second_ip_share: float = 0.2
    office_share: float = 0.7  # sessions of team members run from the office


@dataclass(frozen=True)
class FleetProfile:
    """A sybil campaign: many automated accounts behind one proxy pool."""

    label: str
    campaign_id: str
    timing: SteadyTiming
    content: tuple[tuple[str, float], ...]
    output: OutputSpec
    errors: ErrorSpec
    user_agents: tuple[str, ...]
    pool_ips: int = 60
    pool_subnets: int = 4
    throwaway_org_share: float = 0.3


@dataclass(frozen=True)
class BulkProfile:
    """A single account scraping at high rate from one machine."""

    label: str
    timing: BulkTiming
    content: tuple[tuple[str, float], ...]
    output: OutputSpec
    errors: ErrorSpec
    user_agent: str


Profile = HumanProfile | PipelineProfile | AgentProfile | FleetProfile | BulkProfile

# --- the six labels -------------------------------------------------------------------------

_BROWSER_SETTINGS = frozenset({"model", "max_tokens", "temperature"})

ORDINARY = HumanProfile(
    label="ordinary",
    timing=SessionTiming(
        sessions=(1, 2, 3, 4),
        session_weights=(0.35, 0.30, 0.20, 0.15),
        requests=LogNormal(9, 0.6, 3, 30),
        gap_s=LogNormal(40, 1.0, 3, 1_800),
    ),
    content=(("ordinary", 0.93), ("ordinary_cot", 0.05), ("ordinary_common", 0.02)),
    output=OutputSpec(
        prompt_tokens=LogNormal(55, 0.8, 5, 4_000),
        completion_tokens=LogNormal(250, 0.9, 1, 8_000),
        max_tokens=(1024, 2048, 4096),
        max_tokens_share=0.35,
        default_cap=4096,
        length_share=0.03,
        content_filter_share=0.002,
        reasoning_share=0.10,
        logprobs=(1, 3, 5),
        logprobs_share=0.002,
        multi_n_share=0.003,
        temperatures=((None, 0.30), (1.0, 0.45), (0.7, 0.20), (0.0, 0.05)),
        models=((LARGE_MODEL, 0.65), (SMALL_MODEL, 0.35)),
        per_segment=_BROWSER_SETTINGS,
    ),
    errors=ErrorSpec(
        rate_limited=(0.0, 0.004),
        burst_len=2,
        client_error_share=0.003,
        server_error_share=0.005,
    ),
    network=HomeNetwork(),
    own_org_share=0.12,
)

_ENT_SETTINGS = frozenset({"model", "max_tokens", "temperature"})
_ENT_TEMPS: tuple[tuple[float | None, float], ...] = ((0.0, 0.7), (0.2, 0.2), (None, 0.1))
_ENT_MODELS = ((SMALL_MODEL, 0.75), (LARGE_MODEL, 0.25))


def _ent(prompt: LogNormal, completion: LogNormal, max_tokens: tuple[int, ...]) -> OutputSpec:
    return OutputSpec(
        prompt_tokens=prompt,
        completion_tokens=completion,
        max_tokens=max_tokens,
        temperatures=_ENT_TEMPS,
        models=_ENT_MODELS,
        per_segment=_ENT_SETTINGS,
        default_cap=4096,
        length_share=0.01,
        reasoning_share=0.03,
        reasoning_boost=1.2,
        max_tokens_share=0.97,
    )


ENTERPRISE = PipelineProfile(
    label="enterprise",
    timing=PipelineTiming(
        rate_per_s=(0.3, 3.0),
        rate_skew=2.2,
        modulation=(0.15, 0.4),
        kinds=(("poisson", 0.65), ("periodic", 0.2), ("batch", 0.15)),
        batch_every_s=(600, 1_800),
        batch_rate_per_s=(2, 4),
    ),
    tasks=(
        PipelineTask(
            "ent_sentiment",
            _ent(LogNormal(400, 0.5, 200, 3_000), LogNormal(7, 0.3, 5, 20), (16, 32)),
            True,
        ),
        PipelineTask(
            "ent_invoice",
            _ent(LogNormal(900, 0.5, 200, 3_000), LogNormal(60, 0.3, 30, 200), (256, 512)),
        ),
        PipelineTask(
            "ent_ticket",
            _ent(LogNormal(700, 0.5, 200, 3_000), LogNormal(35, 0.35, 15, 120), (128, 256)),
        ),
        PipelineTask(
            "ent_translate_fr",
            _ent(LogNormal(300, 0.6, 200, 3_000), LogNormal(180, 0.5, 20, 300), (512,)),
        ),
        PipelineTask(
            "ent_translate_de",
            _ent(LogNormal(300, 0.6, 200, 3_000), LogNormal(180, 0.5, 20, 300), (512,)),
        ),
        PipelineTask(
            "ent_category",
            _ent(LogNormal(350, 0.4, 200, 3_000), LogNormal(6, 0.25, 5, 12), (16,)),
            True,
        ),
        PipelineTask(
            "ent_intent",
            _ent(LogNormal(500, 0.5, 200, 3_000), LogNormal(6, 0.3, 5, 15), (16, 32)),
            True,
        ),
        PipelineTask(
            "ent_pii", _ent(LogNormal(450, 0.5, 200, 3_000), LogNormal(6, 0.2, 5, 10), (16,)), True
        ),
        PipelineTask(
            "ent_moderation",
            _ent(LogNormal(600, 0.5, 200, 3_000), LogNormal(6, 0.25, 5, 12), (16,)),
            True,
        ),
        PipelineTask(
            "ent_keywords",
            _ent(LogNormal(800, 0.5, 200, 3_000), LogNormal(25, 0.3, 10, 60), (64, 128)),
        ),
        PipelineTask(
            "ent_reply",
            _ent(LogNormal(1_200, 0.6, 200, 3_000), LogNormal(70, 0.4, 30, 250), (256, 512)),
        ),
    ),
    errors=ErrorSpec(
        rate_limited=(0.01, 0.05),
        burst_len=25,
        client_error_share=0.001,
        server_error_share=0.005,
    ),
    user_agents=(
        "openai-python/1.40.0",
        "python-httpx/0.27.0",
        "anthropic-python/0.34.2",
        "openai-node/4.56.0",
        "Go-http-client/2.0",
        "okhttp/4.12.0",
        "langchain-core/0.2.38",
    ),
)

AGENTIC = AgentProfile(
    label="agentic",
    timing=LoopTiming(
        sessions=(1, 2, 3, 4),
        session_weights=(0.30, 0.35, 0.20, 0.15),
        loops=(1, 2, 3),
        loop_weights=(0.5, 0.3, 0.2),
        loop_len=(20, 200),
        tool_time_s=LogNormal(2.0, 0.7, 0.3, 12),
        pause_s=(60, 900),
        retry_backoff_s=(2, 10),
    ),
    output=OutputSpec(
        prompt_tokens=LogNormal(8_000, 0.5, 2_000, 60_000),  # replaced by the growing context
        completion_tokens=LogNormal(220, 0.8, 50, 2_000),
        max_tokens=(4096, 8192, 16384),
        max_tokens_share=1.0,
        default_cap=16384,
        length_share=0.005,
        tool_use_share=0.6,
        reasoning_share=0.5,
        reasoning_boost=1.3,
        temperatures=((None, 0.6), (1.0, 0.4)),
        models=((LARGE_MODEL, 0.85), (SMALL_MODEL, 0.15)),
        per_segment=frozenset({"model", "max_tokens", "temperature", "reasoning"}),
    ),
    errors=ErrorSpec(
        rate_limited=(0.0, 0.04),
        burst_len=6,
        client_error_share=0.002,
        server_error_share=0.006,
    ),
    user_agents=(
        "claude-code/1.0.83",
        "claude-code/1.0.79",
        "claude-code/1.0.88",
        "vscode-ai-assistant/2.3.1",
        "jetbrains-ai-assistant/243.21565",
        "cursor/0.45.11",
        "aider/0.72.1",
        "zed-ai/0.170.4",
    ),
)

# Hydra rotates a handful of user agents: four look like common browsers (the same strings
# ordinary users send), two admit to being python-requests.
_HYDRA_UAS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "python-requests/2.31.0",
    "python-requests/2.32.3",
)

HYDRA = FleetProfile(
    label="hydra",
    campaign_id="hydra-1",
    timing=SteadyTiming(
        rate_per_h=(20, 50),
        start_frac=(0.0, 1 / 3),
        lifetime_frac=(1 / 6, 2 / 3),
        exponential_share=0.5,
        min_gap_s=4.0,
        jitter_s=3.0,
    ),
    content=(("hydra_cot", 0.70), ("hydra_rubric", 0.15), ("hydra_plain", 0.15)),
    output=OutputSpec(
        prompt_tokens=LogNormal(70, 0.5, 20, 600),
        completion_tokens=LogNormal(2_200, 0.6, 800, 6_000),
        max_tokens=(4096, 6144, 8192),
        max_tokens_share=0.97,
        default_cap=8192,
        length_share=0.30,
        reasoning_share=0.70,
        reasoning_boost=1.15,
        logprobs=(5, 10, 20),
        logprobs_share=0.20,
        n_choices=(2, 3, 4),
        multi_n_share=0.10,
        temperatures=((0.0, 0.4), (1.0, 0.4), (0.7, 0.2)),
        models=((LARGE_MODEL, 0.95), (SMALL_MODEL, 0.05)),
    ),
    errors=ErrorSpec(
        rate_limited=(0.0, 0.005),
        burst_len=2,
        client_error_share=0.002,
        server_error_share=0.004,
    ),
    user_agents=_HYDRA_UAS,
)

SCRAPER = BulkProfile(
    label="scraper",
    timing=BulkTiming(rate_per_s=(2.0, 6.0), active_frac=(0.5, 5 / 6)),
    content=(("sweep", 0.5), ("sweep_cot", 0.5)),
    output=OutputSpec(
        prompt_tokens=LogNormal(60, 0.5, 20, 600),
        completion_tokens=LogNormal(1_500, 0.6, 500, 4_000),
        max_tokens=(4096,),
        max_tokens_share=1.0,
        default_cap=4096,
        length_share=0.20,
        reasoning_share=0.40,
        reasoning_boost=1.1,
        temperatures=((None, 0.5), (0.7, 0.5)),
        models=((LARGE_MODEL, 1.0),),
    ),
    errors=ErrorSpec(rate_limited=(0.10, 0.30), burst_len=40, server_error_share=0.005),
    user_agent="python-requests/2.31.0",
)

SLOW_AND_LOW = HumanProfile(
    label="slow_and_low",
    campaign_id="slowlow-1",
    timing=SessionTiming(
        sessions=(3, 4, 5, 6),
        session_weights=(0.25, 0.25, 0.25, 0.25),
        requests=LogNormal(7, 0.4, 3, 14),
        gap_s=LogNormal(100, 0.9, 20, 1_800),
        start_frac=(0.0, 0.15),
        end_frac=(0.85, 1.0),
    ),
    content=(("slowlow_cot", 0.8), ("slowlow_skill", 0.2)),
    output=OutputSpec(
        prompt_tokens=LogNormal(90, 0.5, 20, 800),
        completion_tokens=LogNormal(1_500, 0.55, 600, 4_000),
        max_tokens=(4096, 6144, 8192),
        max_tokens_share=0.95,
        default_cap=8192,
        length_share=0.20,
        reasoning_share=0.80,
        reasoning_boost=1.15,
        temperatures=((None, 0.5), (1.0, 0.5)),
        models=((LARGE_MODEL, 0.9), (SMALL_MODEL, 0.1)),
        per_segment=frozenset({"model", "temperature"}),
    ),
    errors=ErrorSpec(client_error_share=0.002, server_error_share=0.004),
    network=ProxyPoolNetwork(pool_ips=250, pool_subnets=120, ips_per_account=(1, 3)),
    own_org_share=0.15,
)

PROFILES: dict[str, Profile] = {
    p.label: p for p in (ORDINARY, ENTERPRISE, AGENTIC, HYDRA, SCRAPER, SLOW_AND_LOW)
}
