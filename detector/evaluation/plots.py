"""PNG plots for the evaluation report.

Figures are built on :class:`matplotlib.figure.Figure` with an explicit Agg
canvas rather than through ``pyplot``: no global backend switch, no figure
registry to leak memory, and safe to call from a process that also has an
interactive backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import cycle
from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from detector.evaluation.labels import (
    ATTACK_LABELS,
    HIGH_VOLUME_LABELS,
    AccountClass,
    Label,
    LabelTable,
    encode_labels,
)
from detector.evaluation.metrics import DetectionMetrics
from detector.evaluation.sweep import ThresholdSweep

__all__ = ["plot_precision_recall", "plot_score_distribution", "plot_time_to_detect"]

_DPI = 110
_SCORE_BINS = 50
# Time-to-detect spread (max / min) beyond which the x axis turns logarithmic.
_LOG_SPAN = 30.0

# Hues by class so a reader can tell attacks (warm) from high-volume
# customers (blue) from ordinary users (green/grey) without the legend.
_PALETTES: dict[AccountClass, tuple[str, ...]] = {
    AccountClass.ATTACK: ("#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"),
    AccountClass.HIGH_VOLUME: ("#1f77b4", "#17becf", "#393b79"),
    AccountClass.BENIGN: ("#2ca02c", "#7f7f7f", "#bcbd22", "#637939"),
}
_LINESTYLES = {
    AccountClass.ATTACK: "-",
    AccountClass.HIGH_VOLUME: "--",
    AccountClass.BENIGN: ":",
}


def label_colors(table: LabelTable) -> dict[str, str]:
    """Map each label to a colour of its class's palette, stable by table order."""
    palettes = {cls: cycle(colors) for cls, colors in _PALETTES.items()}
    return {name: next(palettes[cls]) for name, cls in zip(table.names, table.classes, strict=True)}


def plot_score_distribution(
    path: Path,
    labels: Mapping[str, Label],
    max_scores: Mapping[str, float],
    threshold: float,
    attack_labels: Iterable[str] = ATTACK_LABELS,
    high_volume_labels: Iterable[str] = HIGH_VOLUME_LABELS,
) -> Path:
    """Plot overlaid histograms of each label's max risk score.

    Counts are on a log axis so that a handful of attack accounts stay
    visible next to thousands of benign ones. Labelled accounts missing from
    ``max_scores`` count as score 0.

    Parameters
    ----------
    path : pathlib.Path
        PNG file to write.
    labels : mapping of str to Label
        Ground truth keyed by account id.
    max_scores : mapping of str to float
        Maximum risk score per account.
    threshold : float
        Alert threshold, drawn as a vertical line.
    attack_labels, high_volume_labels : iterable of str
        Class definitions.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> labels = {"a": Label("hydra", None), "b": Label("normal", None)}
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plot_score_distribution(Path(tmp) / "s.png", labels, {"a": 0.9}, 0.7)
    ...     out.stat().st_size > 0
    True
    """
    table = encode_labels(labels, attack_labels, high_volume_labels)
    scores = np.fromiter(
        (max_scores.get(a, 0.0) for a in table.account_ids), np.float64, len(table.account_ids)
    )
    # Out-of-range scores would silently fall outside the bins.
    scores = np.clip(np.nan_to_num(scores, nan=0.0), 0.0, 1.0)
    colors = label_colors(table)
    edges = np.linspace(0.0, 1.0, _SCORE_BINS + 1)
    # One bincount over (label, bin) pairs histograms every label at once.
    bin_of = np.minimum((scores * _SCORE_BINS).astype(np.int64), _SCORE_BINS - 1)
    counts = np.bincount(
        table.codes * _SCORE_BINS + bin_of, minlength=len(table.names) * _SCORE_BINS
    ).reshape(len(table.names), _SCORE_BINS)

    fig, ax = _figure(11.0, 5.5)
    for i, (name, cls) in enumerate(zip(table.names, table.classes, strict=True)):
        ax.stairs(
            counts[i],
            edges,
            linewidth=2.2 if cls is AccountClass.ATTACK else 1.8,
            linestyle=_LINESTYLES[cls],
            color=colors[name],
            label=f"{name} ({cls}, n={int(counts[i].sum()):,})",
        )
    ax.axvline(threshold, color="black", linewidth=1.2, label=f"alert threshold = {threshold:g}")
    ax.set_yscale("log")
    # Start just under 1 so bins holding a single account stay visible, and
    # span at least a decade so the log axis gets labelled major ticks.
    ax.set_ylim(0.7, max(float(counts.max(initial=0)) * 2.0, 10.0))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel("maximum risk score reached by the account")
    ax.set_ylabel("accounts (log scale)")
    ax.set_title("Max risk score by ground-truth label")
    if table.names:
        # Outside the axes: inside, it would hide the very overlap the plot is for.
        fig.legend(loc="outside right upper", fontsize=9)
    else:
        _no_data(ax, "no labelled accounts")
    return _save(fig, path)


def plot_precision_recall(
    path: Path,
    sweep: ThresholdSweep,
    threshold: float,
    detector: DetectionMetrics,
    baseline: DetectionMetrics,
    baseline_name: str,
) -> Path:
    """Plot threshold curves and the precision-recall trade-off.

    Three panels: precision and attack recall against the threshold; benign
    and high-volume false-positive rates against the threshold (log axis,
    zero rates are not drawn); and the precision-recall curve with the
    detector's and the baseline's operating points.

    Parameters
    ----------
    path : pathlib.Path
        PNG file to write.
    sweep : ThresholdSweep
        Rates over thresholds, from :func:`threshold_sweep`.
    threshold : float
        Operating threshold, marked on every panel.
    detector, baseline : DetectionMetrics
        Scores of the detector's actual alerts and of the baseline.
    baseline_name : str
        Short description of the baseline for the legend.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from detector.evaluation.metrics import score_detector
    >>> from detector.evaluation.sweep import threshold_sweep
    >>> labels = {"a": Label("hydra", None), "b": Label("normal", None)}
    >>> sweep = threshold_sweep(labels, {"a": 0.9, "b": 0.3})
    >>> det = score_detector(labels, {"a": 10.0}, {"a": 0.0, "b": 0.0})
    >>> base = score_detector(labels, {"b": 5.0}, {"a": 0.0, "b": 0.0})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plot_precision_recall(Path(tmp) / "pr.png", sweep, 0.7, det, base, "rate")
    ...     out.stat().st_size > 0
    True
    """
    fig, (ax_pr_t, ax_fpr, ax_pr) = _figure_row(16.0, 5.0, 3)
    t = sweep.thresholds
    op_label = f"operating threshold = {threshold:g}"

    ax_pr_t.plot(t, sweep.attack_recall, color="#d62728", linewidth=2, label="attack recall")
    ax_pr_t.plot(t, sweep.precision, color="black", linewidth=2, label="precision")
    ax_pr_t.axvline(threshold, color="grey", linestyle="--", label=op_label)
    ax_pr_t.set(
        xlim=(0.0, 1.0),
        ylim=(-0.02, 1.02),
        xlabel="threshold on max risk score",
        ylabel="rate",
        title="Precision and recall vs threshold",
    )
    _legend_below(ax_pr_t)

    # Zero rates have no place on a log axis; NaN leaves a gap instead.
    fprs = [
        (np.where(values > 0, values, np.nan), color, name)
        for values, color, name in (
            (sweep.benign_fpr, "#2ca02c", "benign FPR"),
            (sweep.high_volume_fpr, "#1f77b4", "high-volume FPR"),
        )
    ]
    drawn = [(v, c, n) for v, c, n in fprs if np.any(np.isfinite(v))]
    for values, color, name in drawn:
        ax_fpr.plot(t, values, color=color, linewidth=2, label=name)
    ax_fpr.axvline(threshold, color="grey", linestyle="--", label=op_label)
    if drawn:
        ax_fpr.set_yscale("log")
        lowest = min(float(np.nanmin(v)) for v, _, _ in drawn)
        # At least a decade of range, so there is always a labelled major tick.
        ax_fpr.set_ylim(min(lowest / 2.0, 0.05), 1.5)
        ax_fpr.yaxis.set_minor_formatter(NullFormatter())
    ax_fpr.set(
        xlim=(0.0, 1.0),
        xlabel="threshold on max risk score",
        ylabel="false-positive rate (log; zero not drawn)",
        title="False-positive rates vs threshold",
    )
    _legend_below(ax_fpr)

    curve = np.isfinite(sweep.attack_recall) & np.isfinite(sweep.precision)
    if np.any(curve):
        ax_pr.plot(
            sweep.attack_recall[curve],
            sweep.precision[curve],
            color="black",
            linewidth=2,
            label="detector, max score ≥ t",
        )
    for metrics, marker, color, name in (
        (detector, "*", "#d62728", "detector alerts"),
        (baseline, "X", "#1f77b4", f"baseline: {baseline_name}"),
    ):
        if metrics.attack_recall is not None and metrics.precision is not None:
            ax_pr.plot(
                metrics.attack_recall,
                metrics.precision,
                marker=marker,
                markersize=14,
                color=color,
                linestyle="none",
                markeredgecolor="black",
                label=name,
            )
        else:
            # Keep the legend honest about an operating point we cannot place.
            ax_pr.plot([], [], linestyle="none", label=f"{name}: n/a (no alerts or no attacks)")
    if not np.any(curve):
        _no_data(ax_pr, "no attack accounts in the labels")
    ax_pr.set(
        xlim=(-0.02, 1.02),
        ylim=(-0.02, 1.05),
        xlabel="attack recall",
        ylabel="precision",
        title="Precision-recall",
    )
    _legend_below(ax_pr)
    return _save(fig, path)


def plot_time_to_detect(
    path: Path,
    labels: Mapping[str, Label],
    detector: DetectionMetrics,
    baseline: DetectionMetrics,
    baseline_name: str,
    attack_labels: Iterable[str] = ATTACK_LABELS,
    high_volume_labels: Iterable[str] = HIGH_VOLUME_LABELS,
) -> Path:
    """Plot the cumulative share of each attack label detected over time.

    Curves are normalised by *all* accounts of the label, so each one
    plateaus at that label's recall rather than at 1: a fast but incomplete
    detector looks incomplete. Detector curves are solid, baseline dashed.

    Parameters
    ----------
    path : pathlib.Path
        PNG file to write.
    labels : mapping of str to Label
        Ground truth keyed by account id.
    detector, baseline : DetectionMetrics
        Scores holding per-account time-to-detect.
    baseline_name : str
        Short description of the baseline for the legend.
    attack_labels, high_volume_labels : iterable of str
        Class definitions.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from detector.evaluation.metrics import score_detector
    >>> labels = {"a": Label("hydra", None), "b": Label("hydra", None)}
    >>> seen = {"a": 0.0, "b": 0.0}
    >>> det = score_detector(labels, {"a": 60.0, "b": 300.0}, seen)
    >>> base = score_detector(labels, {"a": 900.0}, seen)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plot_time_to_detect(Path(tmp) / "t.png", labels, det, base, "rate")
    ...     out.stat().st_size > 0
    True
    """
    table = encode_labels(labels, attack_labels, high_volume_labels)
    colors = label_colors(table)
    attack_names = table.names_of(AccountClass.ATTACK)
    by_account = {a: labels[a].label for a in table.account_ids}

    series: list[tuple[str, npt.NDArray[np.float64], int, str, bool]] = []
    for name in attack_names:
        n = detector.label_counts[name].accounts
        for metrics, is_baseline in ((detector, False), (baseline, True)):
            minutes = np.sort(
                np.fromiter(
                    (
                        s / 60.0
                        for a, s in metrics.time_to_detect_s.items()
                        if by_account[a] == name
                    ),
                    np.float64,
                )
            )
            series.append((name, minutes, n, colors[name], is_baseline))

    fig, ax = _figure(10.0, 5.0)
    all_minutes = np.concatenate([m for _, m, _, _, _ in series] or [np.zeros(0)])
    x_lo, x_hi, log_x = _time_axis(all_minutes)
    for name, minutes, n, color, is_baseline in series:
        # Start at the axis origin and extend the plateau to the right edge so
        # every curve spans the axis; zeros would vanish off a log axis.
        xs = np.concatenate(([x_lo], np.maximum(minutes, x_lo), [x_hi]))
        ys = np.concatenate(([0.0], np.arange(1, minutes.size + 1) / n, [minutes.size / n]))
        who = "baseline" if is_baseline else "detector"
        ax.step(
            xs,
            ys,
            where="post",
            color=color,
            linestyle="--" if is_baseline else "-",
            linewidth=1.6 if is_baseline else 2.2,
            label=f"{name}, {who}: {minutes.size:,}/{n:,}",
        )
    if log_x:
        ax.set_xscale("log")
    ax.set(
        xlim=(x_lo, x_hi),
        ylim=(0.0, 1.03),
        xlabel="minutes from the account's first event to its first alert"
        + (" (log scale)" if log_x else ""),
        ylabel="share of the label's accounts detected",
    )
    ax.set_title(
        f"Time to detect by attack scenario\nsolid: detector, dashed: baseline ({baseline_name})"
    )
    if series:
        fig.legend(loc="outside right upper", fontsize=9, title="label, who: detected/total")
    else:
        _no_data(ax, "no attack accounts in the labels")
    return _save(fig, path)


def _time_axis(minutes: npt.NDArray[np.float64]) -> tuple[float, float, bool]:
    """Pick x limits in minutes, and a log axis when detections span decades."""
    positive = minutes[minutes > 0]
    if positive.size == 0:
        return 0.0, max(float(minutes.max(initial=0.0)), 1.0), False
    lo, hi = float(positive.min()), float(positive.max())
    if hi / lo > _LOG_SPAN:
        # Fast scenarios (seconds) and slow ones (hours) both stay readable.
        return lo / 1.5, hi * 1.5, True
    return 0.0, hi * 1.05, False


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig, axes = _figure_row(width, height, 1)
    return fig, axes[0]


def _figure_row(width: float, height: float, ncols: int) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    for ax in axes:
        ax.grid(True, alpha=0.3)
    return fig, axes


def _legend_below(ax: Axes) -> None:
    # Curves span the whole panel, so any legend inside would cover some.
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=1)


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=_DPI)
    return path


def _no_data(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=12)
