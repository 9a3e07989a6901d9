"""Typed configuration: YAML loading, validation with key paths, and the config hash.

Every key, its default and its meaning is documented in ``configs/default.yaml``; a test keeps
that file equal to the defaults declared here. Config lives outside the state arrays so that a
later reload (or a shadow candidate config) can change scoring and alerting without touching
the per-account windows.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import yaml

__all__ = [
    "AlertingConfig",
    "AnomalyConfig",
    "CampaignsConfig",
    "Config",
    "ConfigError",
    "FingerprintConfig",
    "KafkaConfig",
    "PipelineConfig",
    "Rule",
    "ScoringConfig",
    "ServiceConfig",
    "SimilarityWeights",
    "SinksConfig",
    "StateConfig",
    "TelemetryConfig",
    "WindowConfig",
    "WindowsConfig",
    "load_config",
]

PositiveFloat = Annotated[float, msgspec.Meta(gt=0)]
NonNegativeFloat = Annotated[float, msgspec.Meta(ge=0)]
Probability = Annotated[float, msgspec.Meta(ge=0, le=1)]
PositiveInt = Annotated[int, msgspec.Meta(gt=0)]


class ConfigError(ValueError):
    """An invalid configuration; the message names the key path and the problem."""


class _Section(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    pass


class WindowConfig(_Section, frozen=True):
    length_s: PositiveFloat
    bucket_s: PositiveFloat

    def __post_init__(self) -> None:
        buckets = self.length_s / self.bucket_s
        if abs(buckets - round(buckets)) > 1e-9 or round(buckets) < 1:
            raise ValueError("length_s must be a whole multiple of bucket_s")
        if round(buckets) > 256:
            raise ValueError("at most 256 buckets per window (length_s / bucket_s)")

    @property
    def buckets(self) -> int:
        return round(self.length_s / self.bucket_s)


class WindowsConfig(_Section, frozen=True):
    short: WindowConfig = WindowConfig(length_s=300.0, bucket_s=60.0)
    long: WindowConfig = WindowConfig(length_s=21600.0, bucket_s=1800.0)

    def __post_init__(self) -> None:
        if self.short.length_s > self.long.length_s:
            raise ValueError("short.length_s must not exceed long.length_s")


class StateConfig(_Section, frozen=True):
    max_accounts: PositiveInt = 1_000_000
    idle_ttl_s: PositiveFloat = 21600.0
    recent_requests: Annotated[int, msgspec.Meta(ge=4, le=256)] = 32
    sharing_ttl_s: PositiveFloat = 3600


def _default_intents() -> dict[str, list[str]]:
    return {
        "cot_elicitation": [
            r"step[- ]by[- ]step",
            r"(show|write out|explain|articulate|walk me through|reveal)\b.{0,40}"
            r"\b(reasoning|thinking|thought process|chain of thought)",
            r"internal reasoning",
            r"every step of your (thinking|reasoning)",
            r"before answering.{0,30}reason",
            r"reasoning (trace|process) behind",
        ],
        "rubric_grading": [
            r"\brubric\b",
            r"\bgrade (the|this) (following )?(answer|response|solution)",
            r"score (the|this) (following )?(answer|response).{0,30}(1|one) to (10|ten|5|five)",
            r"\bjustify each criterion",
        ],
    }


class FingerprintConfig(_Section, frozen=True):
    template_prefix_words: Annotated[int, msgspec.Meta(ge=1, le=32)] = 4
    template_suffix_words: Annotated[int, msgspec.Meta(ge=0, le=32)] = 4
    intents: dict[str, list[str]] = msgspec.field(default_factory=_default_intents)

    def __post_init__(self) -> None:
        if len(self.intents) > 16:
            raise ValueError("at most 16 intents")
        for name, patterns in self.intents.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"intent name {name!r} must be lower_snake_case")
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"intent {name!r}: bad pattern {pattern!r}: {exc}") from None


class Rule(_Section, frozen=True):
    """Evidence from one signal: a ramp from ``low`` (no evidence) to ``high`` (full weight).

    ``high < low`` makes a decreasing ramp (small values are suspicious). ``weight`` is in
    log-odds units, added to the account's risk when the ramp is full.
    """

    weight: float
    low: float
    high: float


def _default_rules() -> dict[str, Rule]:
    return {
        "cot_elicitation_share": Rule(weight=3.0, low=0.15, high=0.4),
        "rubric_grading_share": Rule(weight=1.5, low=0.05, high=0.3),
        "output_input_ratio": Rule(weight=1.0, low=8.0, high=25.0),
        "completion_tokens_per_request": Rule(weight=1.5, low=800.0, high=2000.0),
        "length_cut_share": Rule(weight=1.0, low=0.05, high=0.2),
        "reasoning_share": Rule(weight=1.0, low=0.3, high=0.7),
        "logprobs_share": Rule(weight=0.5, low=0.05, high=0.3),
        "multi_n_share": Rule(weight=0.5, low=0.02, high=0.15),
        "completion_tokens_per_hour": Rule(weight=3.0, low=2e6, high=8e6),
        "distinct_ips": Rule(weight=1.5, low=3.0, high=10.0),
        "distinct_user_agents": Rule(weight=0.75, low=2.0, high=5.0),
        "ip_shared_orgs": Rule(weight=1.5, low=4.0, high=15.0),
        "rate_limited_share": Rule(weight=0.75, low=0.08, high=0.25),
        "campaign_risk": Rule(weight=5.0, low=0.1, high=0.5),
    }


class AnomalyConfig(_Section, frozen=True):
    enabled: bool = True
    weight: NonNegativeFloat = 1.0
    low_percentile: Probability = 0.9
    high_percentile: Probability = 0.995
    n_trees: PositiveInt = 15
    height: PositiveInt = 8
    window_size: PositiveInt = 250
    seed: int = 42

    def __post_init__(self) -> None:
        if self.low_percentile >= self.high_percentile:
            raise ValueError("low_percentile must be below high_percentile")


class ScoringConfig(_Section, frozen=True):
    interval_s: PositiveFloat = 30
    min_requests: PositiveInt = 2
    prior_requests: NonNegativeFloat = 2.0
    bias: float = -5.0
    baseline_halflife_batches: PositiveFloat = 20
    rules: dict[str, Rule] = msgspec.field(default_factory=_default_rules)
    anomaly: AnomalyConfig = AnomalyConfig()


class SeverityConfig(_Section, frozen=True):
    warning: Probability = 0.85
    critical: Probability = 0.95


class AlertingConfig(_Section, frozen=True):
    threshold: Probability = 0.7
    clear_below: Probability = 0.4
    consecutive: PositiveInt = 2
    cooldown_s: NonNegativeFloat = 3600
    severity: SeverityConfig = SeverityConfig()
    allow_list: list[str] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        if self.clear_below > self.threshold:
            raise ValueError("clear_below must not exceed threshold")
        if not self.threshold <= self.severity.warning <= self.severity.critical:
            raise ValueError("need threshold <= severity.warning <= severity.critical")


class SimilarityWeights(_Section, frozen=True):
    """How much each kind of pair evidence counts in a pair's similarity (normalised)."""

    templates: NonNegativeFloat = 0.4
    infrastructure: NonNegativeFloat = 0.3
    behaviour: NonNegativeFloat = 0.2
    timing: NonNegativeFloat = 0.05
    user_agents: NonNegativeFloat = 0.05

    def __post_init__(self) -> None:
        if self.templates + self.infrastructure <= 0:
            raise ValueError(
                "templates and infrastructure weights cannot both be 0: "
                "behaviour and timing alone never link accounts"
            )


class CampaignsConfig(_Section, frozen=True):
    enabled: bool = True
    interval_s: PositiveFloat = 60.0
    min_requests: PositiveInt = 5
    template_hashes: Annotated[int, msgspec.Meta(ge=4, le=256)] = 32
    template_band_rows: Annotated[int, msgspec.Meta(ge=1, le=16)] = 2
    infra_hashes: Annotated[int, msgspec.Meta(ge=4, le=256)] = 16
    infra_band_rows: Annotated[int, msgspec.Meta(ge=1, le=16)] = 2
    agent_hashes: Annotated[int, msgspec.Meta(ge=1, le=64)] = 4
    max_bucket: Annotated[int, msgspec.Meta(ge=2)] = 32
    reverify_share: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.125
    weights: SimilarityWeights = SimilarityWeights()
    min_similarity: Probability = 0.36
    min_shared: Probability = 0.3
    min_size: Annotated[int, msgspec.Meta(ge=2)] = 5
    bridge_support: Annotated[int, msgspec.Meta(ge=0)] = 2
    min_risk: Probability = 0.1
    coordination_low: Probability = 0.08
    coordination_high: Probability = 0.16
    coordination_weight: NonNegativeFloat = 8.0
    same_org: Literal["exempt", "link"] = "exempt"
    idle_ttl_s: PositiveFloat = 21600.0
    max_members_listed: PositiveInt = 1000
    realert_growth: Annotated[float, msgspec.Meta(gt=1)] = 1.5

    def __post_init__(self) -> None:
        for kind in ("template", "infra"):
            hashes = getattr(self, f"{kind}_hashes")
            rows = getattr(self, f"{kind}_band_rows")
            if hashes % rows:
                raise ValueError(f"{kind}_hashes must be a multiple of {kind}_band_rows")
        if self.coordination_low >= self.coordination_high:
            raise ValueError("coordination_low must be below coordination_high")


class SinksConfig(_Section, frozen=True):
    stdout: bool = False
    alerts_file: str | None = None
    rejects_file: str | None = None


class PipelineConfig(_Section, frozen=True):
    batch_records: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 8192
    max_batch_span_s: PositiveFloat = 30.0
    max_record_bytes: Annotated[int, msgspec.Meta(ge=64)] = 1_048_576
    max_prompt_chars: Annotated[int, msgspec.Meta(ge=1)] = 200_000


ClientOption = str | int | float | bool


class KafkaConfig(_Section, frozen=True):
    bootstrap_servers: str = "localhost:9092"
    topics: list[str] = msgspec.field(default_factory=lambda: ["gateway-requests"])
    group_id: str = "distill-detector"
    alerts_topic: str | None = "distill-alerts"
    signatures_topic: str | None = "distill-signatures"
    dead_letter_topic: str | None = "distill-dead-letters"
    client: Literal["kafka-python", "confluent-kafka"] = "kafka-python"
    poll_max_records: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 10_000
    poll_timeout_s: PositiveFloat = 0.5
    consumer: dict[str, ClientOption] = msgspec.field(default_factory=dict)
    producer: dict[str, ClientOption] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.topics:
            raise ValueError("topics: at least one input topic")


class ServiceConfig(_Section, frozen=True):
    state_dir: str = "state"
    checkpoint_interval_s: PositiveFloat = 10.0
    shutdown_grace_s: PositiveFloat = 25.0
    delivery_timeout_s: PositiveFloat = 30.0
    retry_backoff_s: PositiveFloat = 0.5
    retry_backoff_max_s: PositiveFloat = 30.0


class TelemetryConfig(_Section, frozen=True):
    enabled: bool = True
    host: str = "0.0.0.0"
    port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 9108
    ready_max_lag_records: Annotated[int, msgspec.Meta(ge=0)] = 1_000_000
    ready_max_loop_age_s: PositiveFloat = 60.0


class Config(_Section, frozen=True):
    windows: WindowsConfig = WindowsConfig()
    state: StateConfig = StateConfig()
    fingerprints: FingerprintConfig = FingerprintConfig()
    scoring: ScoringConfig = ScoringConfig()
    alerting: AlertingConfig = AlertingConfig()
    campaigns: CampaignsConfig = CampaignsConfig()
    sinks: SinksConfig = SinksConfig()
    pipeline: PipelineConfig = PipelineConfig()
    kafka: KafkaConfig = KafkaConfig()
    service: ServiceConfig = ServiceConfig()
    telemetry: TelemetryConfig = TelemetryConfig()

    def __post_init__(self) -> None:
        # Imported here: the signal catalogue depends on the configured intents.
        from detector.features import signal_names

        known = set(signal_names(list(self.fingerprints.intents)))
        for name, rule in self.scoring.rules.items():
            if rule.low == rule.high:
                raise ValueError(f"scoring.rules.{name}: low and high must differ")
            if name not in known:
                raise ValueError(
                    f"scoring.rules.{name}: unknown signal; known: {', '.join(sorted(known))}"
                )

    def hash(self) -> str:
        """A stable 12-hex-digit digest of every setting (key order does not matter)."""
        # Through validation first, so 300 and 300.0 hash alike.
        normalised = msgspec.convert(msgspec.to_builtins(self), Config)
        canonical = msgspec.json.encode(msgspec.to_builtins(normalised), order="sorted")
        return hashlib.sha256(canonical).hexdigest()[:12]


_PATH_RE = re.compile(r" - at `\$\.?([^`]*)`$")


def _friendly(exc: msgspec.ValidationError) -> str:
    message = str(exc)
    match = _PATH_RE.search(message)
    path = match.group(1) if match else ""
    problem = message[: match.start()] if match else message
    unknown = re.match(r"Object contains unknown field `([^`]*)`", problem)
    if unknown:
        key = f"{path}.{unknown.group(1)}" if path else unknown.group(1)
        return f"{key}: unknown key"
    return f"{path}: {problem}" if path else problem


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Load and validate a YAML config; ``None`` gives the built-in default.

    Raises
    ------
    ConfigError
        With the dotted key path and the problem, e.g. ``alerting.threshold: Expected
        `float` <= 1.0``.

    Examples
    --------
    >>> cfg = load_config()
    >>> cfg.alerting.threshold
    0.7
    >>> load_config(overrides={"alerting": {"threshhold": 0.9}})
    Traceback (most recent call last):
    ...
    detector.config.ConfigError: alerting.threshhold: unknown key
    """
    data: Any = {}
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: the top level must be a mapping of sections")
    if overrides:
        data = _merge(data, overrides)
    # Sections given in the file are laid over the defaults, so a partial config (one rule
    # re-weighted, one intent added) keeps the rest; a rule is switched off with weight 0.
    data = _merge(msgspec.to_builtins(Config()), data)
    try:
        return msgspec.convert(data, Config)
    except msgspec.ValidationError as exc:
        raise ConfigError(_friendly(exc)) from None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
