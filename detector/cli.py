"""The ``distill-detector`` command line (contract §3)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from detector import __version__
from detector.alerts import JsonlSink, Sink, StdoutSink
from detector.config import Config, ConfigError, load_config

__all__ = ["main"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="distill-detector",
        description="Streaming detector of adversarial distillation on LLM APIs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="YAML config (default: built-in)")
    common.add_argument("--no-progress", action="store_true", help="no progress output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("replay", parents=[common], help="run the pipeline over a JSONL file")
    p.add_argument("--input", required=True, metavar="FILE", help="JSONL or JSONL.gz records")
    p.add_argument(
        "--alerts", required=True, metavar="FILE", help="alerts out (JSONL; '-' = stdout)"
    )
    p.add_argument("--rejects", metavar="FILE", help="dead-letter records out (JSONL)")

    p = sub.add_parser("simulate", parents=[common], help="write synthetic labelled traffic")
    p.add_argument("--out", required=True, metavar="FILE", help="records out (.jsonl or .jsonl.gz)")
    p.add_argument("--labels", required=True, metavar="FILE", help="labels CSV out")
    p.add_argument("--scenario", default="mixed", help="scenario name (default: mixed)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--scale", type=float, default=1.0, help="multiply account counts")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="event-time span")
    p.add_argument("--start", type=float, default=1_767_225_600.0, metavar="UNIX_TS")
    p.add_argument(
        "--no-prompt-text",
        action="store_true",
        help="emit prompt_fingerprint instead of prompt_text",
    )
    p.add_argument("--bad-share", type=float, default=0.001, help="share of invalid lines")
    p.add_argument("--ts-format", choices=("unix", "rfc3339"), default="unix")

    p = sub.add_parser("evaluate", parents=[common], help="replay and score against labels")
    p.add_argument("--input", required=True, metavar="FILE")
    p.add_argument("--labels", required=True, metavar="FILE")
    p.add_argument(
        "--out",
        default="evaluation",
        metavar="DIR",
        help="report directory (default: ./evaluation)",
    )
    p.add_argument("--alerts", metavar="FILE", help="alerts out (default: OUT/alerts.jsonl)")
    p.add_argument("--rejects", metavar="FILE")
    p.add_argument(
        "--rate-limit",
        type=int,
        default=60,
        metavar="N",
        help="naive baseline: requests per minute per account (default 60)",
    )

    p = sub.add_parser("demo", parents=[common], help="self-contained demonstration")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this many seconds")
    p.add_argument("--out", metavar="DIR", help="keep the demo's files here")

    sub.add_parser(
        "signals",
        parents=[common],
        help="print the signal reference (Markdown) for the config's intents",
    )

    p = sub.add_parser("run", parents=[common], help="the live service on Kafka")
    p.add_argument("--bootstrap-servers", metavar="HOST:PORT")
    p.add_argument("--topic", metavar="NAME")
    p.add_argument("--alerts-topic", metavar="NAME")
    p.add_argument("--group-id", metavar="NAME")
    return parser


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def _alert_sinks(config: Config, path: str | None) -> list[Sink]:
    sinks: list[Sink] = []
    if path == "-":
        sinks.append(StdoutSink())
    elif path:
        sinks.append(JsonlSink(path))
    if config.sinks.alerts_file and config.sinks.alerts_file != path:
        sinks.append(JsonlSink(config.sinks.alerts_file))
    if config.sinks.stdout and path != "-":
        sinks.append(StdoutSink())
    return sinks


def _reject_sinks(config: Config, path: str | None) -> list[Sink]:
    target = path or config.sinks.rejects_file
    return [JsonlSink(target)] if target else []


def _cmd_replay(args: argparse.Namespace) -> int:
    from detector.replay import replay

    config = _config(args)
    summary = replay(
        config,
        _existing(args.input),
        _alert_sinks(config, args.alerts),
        _reject_sinks(config, args.rejects),
        progress=not args.no_progress,
    )
    out = sys.stderr if args.alerts == "-" else sys.stdout
    print("\n".join(summary.lines()), file=out)
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    from detector.simulate import simulate

    try:
        summary = simulate(
            Path(args.out),
            Path(args.labels),
            scenario=args.scenario,
            seed=args.seed,
            scale=args.scale,
            duration_s=args.duration,
            start_ts=args.start,
            prompt_text=not args.no_prompt_text,
            bad_line_share=args.bad_share,
            ts_format=args.ts_format,
            progress=not args.no_progress,
        )
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    labels = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.by_label.items()))
    print(
        f"wrote {summary.records:,} records ({summary.bad_lines:,} deliberately bad) for "
        f"{summary.accounts:,} accounts to {args.out} in {summary.seconds:.1f} s"
    )
    print(f"labels {args.labels}: {labels}")
    return EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from detector.evaluate import evaluate
    from detector.evaluation import read_labels

    config = _config(args)
    try:
        labels = read_labels(Path(_existing(args.labels)))
    except ValueError as exc:
        raise _UsageError(f"--labels: {exc}") from None
    out = Path(args.out)
    alerts_path = args.alerts or str(out / "alerts.jsonl")
    Path(alerts_path).unlink(missing_ok=True)
    result = evaluate(
        config,
        _existing(args.input),
        labels,
        out,
        alert_sinks=_alert_sinks(config, alerts_path),
        reject_sinks=_reject_sinks(config, args.rejects),
        rate_limit=args.rate_limit,
        progress=not args.no_progress,
    )
    print("\n".join(result.lines()))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from detector.demo import run_demo

    return run_demo(_config(args), args.duration, Path(args.out) if args.out else None)


def _cmd_run(args: argparse.Namespace) -> int:
    import msgspec

    from detector.logs import configure_logging
    from detector.service import Service, config_with_flags, stop_on_signals

    flags = {
        "bootstrap_servers": args.bootstrap_servers,
        "topic": args.topic,
        "alerts_topic": args.alerts_topic,
        "group_id": args.group_id,
    }
    try:
        config = config_with_flags(_config(args), flags)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"command-line flags: {exc}") from None
    configure_logging()
    stop = stop_on_signals(config.service.shutdown_grace_s)
    Service(config, extra_alert_sinks=_alert_sinks(config, None), stop_event=stop).run()
    return EXIT_OK


def _cmd_signals(args: argparse.Namespace) -> int:
    from detector.features import signals_markdown

    print(signals_markdown(list(_config(args).fingerprints.intents)), end="")
    return EXIT_OK


def _existing(path: str) -> str:
    if not Path(path).is_file():
        raise _UsageError(f"no such file: {path}")
    return path


_COMMANDS = {
    "replay": _cmd_replay,
    "simulate": _cmd_simulate,
    "evaluate": _cmd_evaluate,
    "demo": _cmd_demo,
    "run": _cmd_run,
    "signals": _cmd_signals,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 usage/config error, 1 failure)."""
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except (ConfigError, _UsageError) as exc:
        print(f"distill-detector {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # unwritable output, full disk: say so plainly
        print(f"distill-detector {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE


def entry() -> None:
    """The ``distill-detector`` console script: :func:`main` in a tuned process."""
    from detector.runtime import tune_gc

    tune_gc()
    sys.exit(main())


if __name__ == "__main__":
    entry()
