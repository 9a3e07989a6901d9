"""distill-detector: a streaming detector of adversarial distillation on LLM APIs.

The public surface: load a :class:`Config`, build a :class:`Pipeline` with sinks, feed it raw
record values; or call :func:`replay` over a recorded file.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("distill-detector")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

from detector.alerts import Alert, AlertPolicy, JsonlSink, Reason, Sink, StdoutSink
from detector.config import Config, ConfigError, load_config
from detector.features import SIGNALS, FeatureMatrix, Signal, compute_features
from detector.fingerprints import Fingerprints, PromptFingerprinter
from detector.pipeline import Pipeline, PipelineStats
from detector.records import BatchDecoder, RecordBatch, Reject, RequestRecord
from detector.replay import ReplaySummary, replay
from detector.scoring import RiskScorer, ScoreBatch
from detector.state import AccountState

__all__ = [
    "SIGNALS",
    "AccountState",
    "Alert",
    "AlertPolicy",
    "BatchDecoder",
    "Config",
    "ConfigError",
    "FeatureMatrix",
    "Fingerprints",
    "JsonlSink",
    "Pipeline",
    "PipelineStats",
    "PromptFingerprinter",
    "Reason",
    "RecordBatch",
    "Reject",
    "ReplaySummary",
    "RequestRecord",
    "RiskScorer",
    "ScoreBatch",
    "Signal",
    "Sink",
    "StdoutSink",
    "__version__",
    "compute_features",
    "load_config",
    "replay",
]
