"""Rendering evaluation results as a Markdown document (pure string work)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from detector.evaluation.labels import AccountClass
from detector.evaluation.metrics import DetectionMetrics, LabelCounts, LatencySummary

__all__ = ["format_minutes", "format_rate", "render_markdown"]


def format_rate(num: int, den: int) -> str:
    """Format ``num / den`` as a percentage with its counts.

    Small non-zero rates keep two significant digits so a 0.003% false-
    positive rate does not print as 0.00%.

    Examples
    --------
    >>> format_rate(146, 150)
    '97.33% (146/150)'
    >>> format_rate(3, 100_000)
    '0.003% (3/100,000)'
    >>> format_rate(0, 0)
    'n/a (0/0)'
    """
    if den == 0:
        return "n/a (0/0)"
    pct = 100.0 * num / den
    text = f"{pct:.2g}" if 0.0 < pct < 0.01 else f"{pct:.2f}"
    return f"{text}% ({num:,}/{den:,})"


def format_minutes(seconds: float | None) -> str:
    """Format a duration in seconds as minutes; ``None`` becomes ``n/a``.

    Examples
    --------
    >>> format_minutes(150.0), format_minutes(5400.0), format_minutes(None)
    ('2.50 min', '90.0 min', 'n/a')
    """
    if seconds is None:
        return "n/a"
    minutes = seconds / 60.0
    return f"{minutes:.1f} min" if minutes >= 10.0 else f"{minutes:.2f} min"


def render_markdown(
    detector: DetectionMetrics,
    baseline: DetectionMetrics,
    baseline_name: str,
    run_facts: Mapping[str, object],
    threshold: float,
    plots: Sequence[tuple[str, str]],
) -> str:
    """Render the evaluation report.

    Parameters
    ----------
    detector, baseline : DetectionMetrics
        Scores of the detector's alerts and of the baseline's flags.
    baseline_name : str
        Short description of the baseline.
    run_facts : mapping of str to object
        Facts about the run shown in the header, in the given order.
    threshold : float
        Alert threshold the detector ran with.
    plots : sequence of (str, str)
        ``(caption, relative path)`` of each image to embed.

    Returns
    -------
    str
        Markdown text ending in a newline.

    Examples
    --------
    >>> from detector.evaluation.labels import Label
    >>> from detector.evaluation.metrics import score_detector
    >>> labels = {"a": Label("hydra", None), "b": Label("normal", None)}
    >>> m = score_detector(labels, {"a": 90.0}, {"a": 0.0, "b": 0.0})
    >>> text = render_markdown(m, m, "rate limit", {"records": 10}, 0.7, [])
    >>> "| Attack-account recall | 100.00% (1/1) | 100.00% (1/1) |" in text
    True
    """
    lines: list[str] = ["# Distillation detector evaluation", ""]
    lines += ["## Run", "", "| Fact | Value |", "| --- | --- |"]
    for key, value in run_facts.items():
        lines.append(_row(str(key), _format_fact(value)))
    lines.append(_row("alert threshold", f"{threshold:g}"))
    lines.append(_row("baseline", baseline_name))
    lines.append("")

    lines += [
        "## Headline figures",
        "",
        "Rates count accounts. Time to detect runs from an attack account's first event "
        "to its first alert.",
        "",
        _row("Metric", "Detector", f"Baseline ({baseline_name})"),
        "| --- | ---: | ---: |",
    ]
    lines += _headline_rows(detector, baseline)
    lines.append("")

    lines += [
        "## Per label",
        "",
        _row(
            "Label",
            "Class",
            "Accounts",
            "Detector alerted",
            "Baseline alerted",
            "Detector median TTD",
            "Baseline median TTD",
        ),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, counts in detector.label_counts.items():
        # Both sides are normally scored on the same labels; tolerate a
        # baseline scored on fewer rather than failing the whole report.
        base = baseline.label_counts.get(name, LabelCounts(counts.account_class, 0, 0))
        is_attack = counts.account_class is AccountClass.ATTACK
        lines.append(
            _row(
                name,
                str(counts.account_class),
                f"{counts.accounts:,}",
                format_rate(counts.alerted, counts.accounts),
                format_rate(base.alerted, base.accounts),
                _median(detector.ttd_by_label.get(name)) if is_attack else "—",
                _median(baseline.ttd_by_label.get(name)) if is_attack else "—",
            )
        )
    lines.append("")

    if plots:
        lines += ["## Plots", ""]
        for caption, rel in plots:
            lines += [f"### {caption}", "", f"![{caption}]({rel})", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _headline_rows(detector: DetectionMetrics, baseline: DetectionMetrics) -> list[str]:
    pair = (detector, baseline)
    rows = [
        _row(
            "Attack-account recall",
            *(format_rate(m.attack_alerted, m.attack_accounts) for m in pair),
        )
    ]
    for name in detector.recall_by_label:
        counts = [m.label_counts.get(name) for m in pair]
        rows.append(
            _row(
                f"Recall: {name}",
                *(format_rate(c.alerted, c.accounts) if c else "n/a" for c in counts),
            )
        )
    rows += [
        _row("Benign FPR", *(format_rate(m.benign_alerted, m.benign_accounts) for m in pair)),
        _row(
            "High-volume FPR",
            *(format_rate(m.high_volume_alerted, m.high_volume_accounts) for m in pair),
        ),
        _row(
            "Precision",
            *(
                format_rate(
                    m.attack_alerted, m.attack_alerted + m.benign_alerted + m.high_volume_alerted
                )
                for m in pair
            ),
        ),
        _row("Median time to detect", *(format_minutes(m.ttd.median_s) for m in pair)),
        _row("p90 time to detect", *(format_minutes(m.ttd.p90_s) for m in pair)),
        _row("Alerted accounts not in labels", *(f"{m.unlabelled_alerted:,}" for m in pair)),
    ]
    if detector.ttd_unknown_start or baseline.ttd_unknown_start:
        rows.append(
            _row(
                "Alerted attack accounts without a start time",
                *(f"{m.ttd_unknown_start:,}" for m in pair),
            )
        )
    return rows


def _median(summary: LatencySummary | None) -> str:
    return format_minutes(summary.median_s if summary else None)


def _format_fact(value: object) -> str:
    # bool is an int subclass; keep it as True/False rather than 1/0.
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.4g}"
    return str(value)


def _row(*cells: str) -> str:
    return "| " + " | ".join(_escape(c) for c in cells) + " |"


def _escape(cell: str) -> str:
    # A raw pipe or newline would break the table layout.
    return cell.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
