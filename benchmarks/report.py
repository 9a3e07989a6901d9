"""Plain-text tables the benchmarks print: a label column, then one right-aligned cell per
measured size or variant."""

from __future__ import annotations

from collections.abc import Iterable


def text_row(label: str, cells: Iterable[str], label_width: int, cell_width: int) -> str:
    """One table line.

    Examples
    --------
    >>> text_row("accounts", ["10,000", "100,000"], 10, 9)
    'accounts     10,000  100,000'
    """
    return f"{label:<{label_width}}" + "".join(f"{c:>{cell_width}}" for c in cells)
