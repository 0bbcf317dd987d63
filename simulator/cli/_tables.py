"""Tables printed with Rich that read well in an 80-column terminal.

Text columns wrap (never cut with "…"), number columns never wrap, and rows that
belong to one variant sit under a header row that names it once, so the text column
gets the width the numbers leave. When two rows would read the same, their ids are
added so that they can still be told apart. Differences between probabilities are
shown in percentage points ("+1.9 pp"), never as "+1.9%", which reads as relative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text


def pct(p: float | None) -> str:
    """A probability as a percentage: ``12.5%`` (``—`` when undefined)."""
    return "—" if p is None else f"{p:.1%}"


def pp(d: float | None, *, sign: bool = True) -> str:
    """A difference of probabilities in percentage points: ``+1.9 pp``."""
    if d is None:
        return "—"
    value = 100 * d
    if abs(value) < 0.05:
        value = 0.0  # no "-0.0 pp"
    return f"{value:+.1f} pp" if sign else f"{value:.1f} pp"


def pp_interval(lo: float, hi: float) -> str:
    """A 95 % interval of a difference, in percentage points: ``+0.5 … +5.8 pp``."""
    return f"{pp(lo)[:-3]} … {pp(hi)}"


def distinct_labels(labels: Sequence[str], ids: Sequence[str],
                    groups: Sequence[str] | None = None) -> list[str]:
    """The labels, with ``(id)`` added where another row of the same group reads the same."""
    keys = list(zip(groups or [""] * len(labels), labels, strict=True))
    seen: dict[tuple[str, str], set[str]] = {}
    for key, i in zip(keys, ids, strict=True):
        seen.setdefault(key, set()).add(i)
    return [f"{label} ({i})" if len(seen[key]) > 1 and label != i else label
            for key, label, i in zip(keys, labels, ids, strict=True)]


def fit_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], *,
              text_columns: int = 1, groups: Sequence[str | None] | None = None,
              words_columns: Sequence[int] = ()) -> Table:
    """A table whose first ``text_columns`` columns wrap and whose others are numbers
    (right-aligned), except ``words_columns`` (left-aligned, not wrapped).

    ``groups`` (one entry per row) puts a header row naming the group before the first
    row of each group (the rows themselves are indented under it).
    """
    table = Table(title=title, title_justify="left", pad_edge=False, expand=False)
    for i, name in enumerate(columns):
        if i < text_columns:
            table.add_column(name, no_wrap=False, overflow="fold", ratio=1, min_width=12)
        else:
            justify = "left" if i in words_columns else "right"
            table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    previous: str | None = None
    for k, row in enumerate(rows):
        group = groups[k] if groups is not None else None
        if group is not None and group != previous:
            if previous is not None:
                table.add_section()
            table.add_row(Text(group, style="bold"), *[""] * (len(columns) - 1))
            previous = group
        cells: list[RenderableType] = list(row)
        if group is not None:
            cells[0] = Padding(row[0], (0, 0, 0, 2))  # wrapped lines stay indented too
        table.add_row(*cells)
    return table


def headline_table(title: str, rows: Sequence[Mapping[str, Any]],
                   width: int = 80) -> Table:
    """Variant × outcome: each variant named once, over its outcomes' chances."""
    del width  # Rich fits the table to the console it is printed on
    labels = distinct_labels([r["label"] or r["outcome"] for r in rows],
                             [r["outcome"] for r in rows], [r["variant"] for r in rows])
    with_confidence = any("confidence" in row for row in rows)
    body = []
    for r, label in zip(rows, labels, strict=True):
        lo, hi = r["ci95"]
        cells = [label, pct(r["probability"]), f"{lo:.1%}–{hi:.1%}", r["words"]]
        if with_confidence:
            cells.append(r.get("confidence", ""))
        body.append(cells)
    columns = ["outcome", "chance", "95% interval", "ICD 203"]
    columns += ["confidence"] if with_confidence else []
    return fit_table(title, columns, body, groups=[r["variant"] for r in rows],
                     words_columns=[3, 4])
