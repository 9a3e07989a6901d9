"""The benchmark suite: every benchmark, then one table of the targets, a plot and the README.

Each benchmark runs in a fresh interpreter (``python -m benchmarks.<name>``), prints its own
table and progress, and writes its JSON to ``benchmarks/results/``. The suite then reads those
files and

* prints the targets of the throughput issue with the measured figure and the same-run
  baseline beside each (ratios next to absolutes);
* writes ``benchmarks/results/summary.json``;
* draws ``benchmarks/results/throughput.png`` (records/s per stage, with the baselines);
* rewrites the results section of ``benchmarks/README.md``.

    python -m benchmarks.suite                 # everything (make bench), ~15 min
    python -m benchmarks.suite --only replay_throughput latency
    python -m benchmarks.suite --report-only   # summary, plot and README from the last JSON
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

BENCHMARKS: dict[str, list[str]] = {
    "replay_throughput": ["--scale", "0.25"],
    "run_throughput": ["--scale", "0.1", "--repeat", "5"],
    "memory_per_account": [],
    "latency": [],
    "campaign_scale": [],
    "scoring_cost": [],
}
"""Benchmark module → its arguments in a full run."""


TRAFFIC = ("as recorded", "at 100k/s")
"""The two forms of the simulated traffic (``traffic.py``): the target table has a column each."""
PROMPT_FORMS = (("no text", "no prompt_text"), ("text", "with prompt_text"))
"""The two forms of the prompt, as the throughput results name them and as the table does."""


@dataclass(frozen=True)
class Target:
    name: str
    required: float
    unit: str
    measured: tuple[float | None, ...]
    """One figure per :data:`TRAFFIC` form (``None``: not measured, or not applicable)."""
    baseline: str = ""
    at_most: bool = False

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.required if self.at_most else value >= self.required

    def fmt(self, v: float | None) -> str:
        if v is None:
            return "–"
        if self.unit == "share":
            return f"{v:.1%}"
        if self.unit == "times":
            return f"{v:.1f}x"
        return f"{v:,.0f} {self.unit}" if v >= 100 else f"{v:.2f} {self.unit}"

    def cells(self) -> list[str]:
        sign = "≤" if self.at_most else "≥"
        marks = {True: "met", False: "**short**", None: ""}
        return [
            self.name,
            f"{sign} {self.fmt(self.required)}",
            *[f"{self.fmt(v)} {marks[self.met(v)]}".strip() for v in self.measured],
            self.baseline,
        ]


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _get(data: dict[str, Any] | None, *keys: str | int) -> Any:
    for key in keys:
        if data is None:
            return None
        try:
            data = data[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _memory_rows(results: dict[str, dict[str, Any] | None]) -> list[dict[str, Any]]:
    by_size = _get(results["memory_per_account"], "results") or {}
    return [by_size[size] for size in sorted(by_size, key=int)]


def targets(results: dict[str, dict[str, Any] | None]) -> list[Target]:
    replay = _get(results["replay_throughput"], "results")
    run = _get(results["run_throughput"], "results")
    memory = {row["accounts"]: row for row in _memory_rows(results)}
    at_100k = {
        _form(row): row
        for row in _get(results["latency"], "results") or []
        if row["rate"] == 100_000
    }

    def replayed(text: str, key: str) -> tuple[float | None, ...]:
        return tuple(_get(replay, f"{text}, {form}", key) for form in TRAFFIC)

    def ran(text: str, client: str, key: str) -> tuple[float | None, ...]:
        return tuple(_get(run, f"{text}, {form}", client, key) for form in TRAFFIC)

    def rates(values: tuple[float | None, ...], label: str) -> str:
        return f"{label} " + " / ".join("–" if v is None else f"{v:,.0f}/s" for v in values)

    return [
        Target(
            "replay, no prompt_text",
            500_000,
            "rec/s",
            replayed("no text", "replay"),
            rates(replayed("no text", "raw_decode"), "raw decode"),
        ),
        Target(
            "replay / raw decode, no prompt_text",
            0.5,
            "share",
            replayed("no text", "replay_vs_raw_decode"),
        ),
        Target(
            "replay, with prompt_text",
            150_000,
            "rec/s",
            replayed("text", "replay"),
            rates(replayed("text", "raw_decode"), "raw decode"),
        ),
        *[
            Target(
                f"{name}, {label}",
                required,
                unit,
                ran(text, client, key),
                rates(ran(text, client, "client_consume"), f"{client} alone")
                + "; "
                + rates(ran(text, client, "raw_consume"), "through our consumer"),
            )
            for client, name, required, unit, key in (
                ("confluent-kafka", "run, confluent-kafka", 300_000, "rec/s", "run"),
                (
                    "kafka-python",
                    "run / the client's own consume, kafka-python",
                    0.8,
                    "share",
                    "run_vs_client",
                ),
            )
            for text, label in PROMPT_FORMS
        ],
        Target(
            "replay / naive river, no prompt_text",
            10,
            "times",
            replayed("no text", "replay_vs_naive"),
            rates(replayed("no text", "naive"), "naive"),
        ),
        Target(
            "replay / naive river, with prompt_text",
            10,
            "times",
            replayed("text", "replay_vs_naive"),
            rates(replayed("text", "naive"), "naive"),
        ),
        Target(
            "RSS per tracked account at 1 M accounts",
            2048,
            "B",
            (_get(memory.get(1_000_000), "bytes_per_account"), None),
            at_most=True,
        ),
        *[
            Target(
                f"p99 event-to-alert latency at 100 k rec/s, {label}",
                1.0,
                "s",
                (None, _get(row, "latency_p99")),
                f"achieved input {_get(row, 'input_rate') or 0:,.0f}/s, processed "
                f"{_get(row, 'processed_rate') or 0:,.0f}/s on "
                f"{_get(row, 'cores_detector') or 0:.2f} cores",
                at_most=True,
            )
            for label, row in (
                ("gateway fingerprints", at_100k.get("fingerprint")),
                ("with prompt_text", at_100k.get("text")),
            )
        ],
    ]


def _form(row: dict[str, Any]) -> str:
    """A latency row's input form (rows from before the forms were measured carried text)."""
    return "text" if row.get("prompt_text", 1.0) else "fingerprint"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _spread(runs: list[float] | None) -> str:
    return "–" if not runs else f"{min(runs) / 1e3:,.0f}–{max(runs) / 1e3:,.0f} k"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *["| " + " | ".join(row) + " |" for row in rows],
    ]


def report_lines(results: dict[str, dict[str, Any] | None]) -> list[str]:
    """The README's results section (Markdown)."""
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.platform()}, "
        f"{os.cpu_count()} cores ({_cpu()}); one core per figure unless noted.",
        "",
        "### Targets",
        "",
    ]
    lines += _table(
        ["target", "required", *TRAFFIC, "same-run baseline"], [t.cells() for t in targets(results)]
    )
    lines += [
        "",
        "*As recorded*: the simulated default mix, 6 hours of event time. *At 100k/s*: "
        "the same records with event time compressed to 100 k records/s, the load the "
        "targets speak of (see `traffic.py`).",
    ]
    replay = _get(results["replay_throughput"], "results") or {}
    if replay:
        variants = list(replay)
        lines += [
            "",
            f"### Replay, stage by stage (default mix x"
            f"{_get(results['replay_throughput'], 'scale')})",
            "",
            "A stage's records/s is the input records over the time spent in that stage "
            "during one end-to-end run.",
            "",
        ]
        rows = [
            [
                "raw decode (msgspec, baseline)",
                *[f"{replay[v]['raw_decode']:,.0f}" for v in variants],
            ],
            ["naive river pipeline (baseline)", *[f"{replay[v]['naive']:,.0f}" for v in variants]],
        ]
        for stage in next(iter(replay.values()))["stages"]:
            rows.append(
                [
                    f"stage: {stage}",
                    *[
                        f"{replay[v]['stages'][stage]:,.0f} "
                        f"({replay[v]['stage_seconds'][stage]:.1f} s)"
                        for v in variants
                    ],
                ]
            )
        rows.append(
            ["**replay end to end**", *[f"**{replay[v]['replay']:,.0f}**" for v in variants]]
        )
        rows.append(
            [
                "evaluations (accounts scored)",
                *[
                    f"{replay[v]['evaluations']:,} of {replay[v]['records']:,} records"
                    for v in variants
                ],
            ]
        )
        lines += _table(["records/s", *variants], rows)
        lines += ["", "![records/s per stage](results/throughput.png)"]
    run = _get(results["run_throughput"], "results") or {}
    if run:
        records = _get(results["run_throughput"], "records") or {}
        lines += ["", "### `run` from a local Tansu broker (4 partitions)", ""]
        lines += [
            "*Client alone*: the client library's own poll loop. *Our consumer*: the same "
            "records through `detector.kafka`'s consumer, which parses kafka-python's record "
            "batches in C. *run*: the live service, scoring and alerting; the best of the "
            "runs, and the slowest and fastest of them beside it.",
            "",
        ]
        lines += _table(
            [
                "traffic",
                "client",
                "records",
                "client alone/s",
                "our consumer/s",
                "run/s",
                "runs (slowest–fastest)",
                "run / client alone",
                "run / our consumer",
            ],
            [
                [
                    form,
                    c,
                    f"{records.get(form, 0):,}",
                    _rate(r.get("client_consume")),
                    _rate(r["raw_consume"]),
                    _rate(r["run"]),
                    _spread(r.get("run_runs")),
                    _share(r.get("run_vs_client")),
                    _share(r["run_vs_raw"]),
                ]
                for form, by_client in run.items()
                for c, r in by_client.items()
            ],
        )
    heavy = _get(results["memory_per_account"], "heavy") or {}
    memory = _memory_rows(results) + [heavy[size] for size in sorted(heavy, key=int)]
    if memory:
        lines += ["", "### Memory per tracked account (whole detector, RSS)", ""]
        lines += [
            "Accounts of 8 requests each keep them in the request ring's light slots; the "
            "last row's accounts (16 each) all need a full ring (`detector/ring.py`).",
            "",
        ]
        lines += _table(
            ["accounts", "requests each", "RSS growth", "bytes/account", "after malloc_trim"],
            [
                [
                    f"{m['accounts']:,}",
                    f"{m['requests_per_account']}",
                    f"{m['rss_delta'] / 2**20:,.0f} MiB",
                    f"{m['bytes_per_account']:,.0f}",
                    f"{m['bytes_per_account_trimmed']:,.0f}",
                ]
                for m in memory
            ],
        )
    lines += _scoring_cost_lines(_get(results, "scoring_cost"))
    latency = _get(results["latency"], "results") or []
    if latency:
        lines += ["", "### Event-to-alert latency (live service, local broker)", ""]
        lines += [
            "Two input forms: records with `prompt_text`, and records with a gateway "
            "`prompt_fingerprint` instead. Producer, broker and detector share the machine's "
            "cores; the last columns say how many each had while sending.",
            "",
        ]
        lines += _table(
            [
                "prompt",
                "input rate",
                "achieved",
                "processed/s",
                "alerts",
                "p50",
                "p90",
                "p99",
                "max",
                "backlog at end",
                "cores: detector / producer / broker",
            ],
            [
                [
                    _form(r),
                    f"{r['rate']:,.0f}/s",
                    f"{r['input_rate']:,.0f}/s",
                    f"{r['processed_rate']:,.0f}",
                    f"{r['alerts']:,.0f}",
                    *[
                        f"{r[f'latency_{p}']:.2f} s" if r.get(f"latency_{p}") is not None else "–"
                        for p in ("p50", "p90", "p99", "max")
                    ],
                    f"{r['lag_end']:,.0f} records",
                    " / ".join(
                        f"{r[f'cores_{who}']:.2f}" if r.get(f"cores_{who}") is not None else "–"
                        for who in ("detector", "producer", "broker")
                    ),
                ]
                for r in latency
            ],
        )
    return lines


def _scoring_cost_lines(cost: dict[str, Any] | None) -> list[str]:
    if not cost:
        return []
    lines = ["", "### Cost of scoring accounts", ""]
    lines += [
        "The pipeline's scoring step (signals, rules and trees, alert policy, campaign "
        f"signatures, learning) on N due accounts of the default mix's state "
        f"({cost['accounts']:,} scorable accounts), median of {cost['steps']} steps per size "
        "(`scoring_cost.py`).",
        "",
    ]
    lines += _table(
        ["accounts per step", "ms per step", "µs per account"],
        [
            [f"{int(size):,}", f"{r['step_seconds'] * 1e3:.2f}", f"{r['per_account_us']:.1f}"]
            for size, r in cost["results"].items()
        ],
    )
    lines += [
        "",
        f"Fitted: **{cost['fixed_ms']:.2f} ms per step + {cost['marginal_us']:.1f} µs per "
        f"account scored**. Same-run baseline: river's `HalfSpaceTrees` `score_one` + "
        f"`learn_one` on the same accounts' signals, {cost['river_us']:.1f} µs per account "
        f"for the model alone ({cost['river_vs_marginal']:.1f}x our whole step's marginal "
        "cost).",
    ]
    return lines


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def plot(results: dict[str, dict[str, Any] | None], out: Path) -> None:
    """Records/s per stage for each replay variant, beside the baselines (log scale)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    replay = _get(results["replay_throughput"], "results")
    if not replay:
        return
    variants = list(replay)
    labels = [
        "raw decode (baseline)",
        "naive river (baseline)",
        *[f"stage: {s}" for s in next(iter(replay.values()))["stages"]],
        "replay end to end",
    ]
    fig = Figure(figsize=(9, 8.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax, share = fig.subplots(2, 1, height_ratios=[4, 1])
    height = 0.8 / len(variants)
    for i, variant in enumerate(variants):
        r = replay[variant]
        values = [r["raw_decode"], r["naive"], *r["stages"].values(), r["replay"]]
        ys = [k + i * height for k in range(len(labels))]
        ax.barh(ys, values, height=height, label=variant)
    ax.set_yticks([k + height * (len(variants) - 1) / 2 for k in range(len(labels))], labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(500_000, color="grey", linestyle="--", linewidth=1)
    ax.text(500_000, len(labels) - 0.6, " target 500 k/s", color="grey", fontsize=8)
    ax.set_xlabel("records/s on one core (log scale)")
    ax.set_title("Replay throughput per stage, with same-run baselines")
    ax.legend(loc="lower right")
    # Where an end-to-end run's time goes.
    for i, variant in enumerate(variants):
        seconds = replay[variant]["stage_seconds"]
        total, left = sum(seconds.values()), 0.0
        for j, (stage, s) in enumerate(seconds.items()):
            share.barh(i, s / total, left=left, color=f"C{j % 10}", label=stage if i == 0 else None)
            left += s / total
    share.set_yticks(range(len(variants)), variants)
    share.invert_yaxis()
    share.set_xlim(0, 1)
    share.set_xlabel("share of end-to-end time")
    share.legend(ncols=5, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.45))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def update_readme(lines: list[str], readme: Path = README) -> None:
    text = readme.read_text() if readme.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    readme.write_text(head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + tail)


def run_benchmark(name: str) -> bool:
    print(f"\n=== {name} ===", file=sys.stderr, flush=True)
    started = time.perf_counter()
    code = subprocess.call(
        [sys.executable, "-m", f"benchmarks.{name}", *BENCHMARKS[name]],
        cwd=HERE.parent,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    print(
        f"=== {name}: {'done' if code == 0 else f'failed ({code})'} in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return code == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="no benchmarks: summary, plot and README from the last results",
    )
    args = parser.parse_args()
    failed = [] if args.report_only else [n for n in args.only if not run_benchmark(n)]
    results = {name: _load(name) for name in BENCHMARKS}
    print("\nTargets (one core; same-run baselines beside them)")
    print(f"  {'':<44}{'required':>14}" + "".join(f"{form:>24}" for form in TRAFFIC))
    for row in (t.cells() for t in targets(results)):
        print(
            f"  {row[0]:<44}{row[1]:>14}" + "".join(f"{c:>24}" for c in row[2:-1]) + f"   {row[-1]}"
        )
    (RESULTS / "summary.json").write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "cpu": _cpu(),
                "cores": os.cpu_count(),
                "targets": [
                    {
                        "name": t.name,
                        "required": t.required,
                        "unit": t.unit,
                        "at_most": t.at_most,
                        "baseline": t.baseline,
                        "measured": dict(zip(TRAFFIC, t.measured, strict=True)),
                        "met": dict(zip(TRAFFIC, map(t.met, t.measured), strict=True)),
                    }
                    for t in targets(results)
                ],
            },
            indent=2,
        )
        + "\n"
    )
    plot(results, RESULTS / "throughput.png")
    update_readme(report_lines(results))
    print(f"\nwrote {RESULTS / 'summary.json'}, {RESULTS / 'throughput.png'}, {README}")
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
