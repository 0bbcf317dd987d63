"""Headline tables printed with Rich."""

from __future__ import annotations

from typing import Any

from rich.table import Table

# widths of the number columns ("100.0%", "99.9%–100.0%", "almost no chance") plus
# the table's borders and padding: labels get what is left
_FIXED = 6 + 13 + 16 + 16 + 11  # the last for the confidence column


def headline_table(title: str, rows: list[dict[str, Any]], width: int = 120) -> Table:
    """Variant × outcome, the variant named once per group; labels shrink to fit ``width``."""
    room = max(24, width - _FIXED)
    variant_w = min(20, max((len(r["variant"]) for r in rows), default=8), room // 3)
    outcome_w = max(12, min(44, room - variant_w))
    table = Table(title=title, title_justify="left", pad_edge=False)
    table.add_column("variant", no_wrap=True, overflow="ellipsis", max_width=variant_w)
    table.add_column("outcome", no_wrap=True, overflow="ellipsis", max_width=outcome_w)
    table.add_column("chance", justify="right", no_wrap=True, min_width=6)
    table.add_column("95% interval", no_wrap=True, min_width=12)
    table.add_column("ICD 203", no_wrap=True, min_width=16)
    with_confidence = any("confidence" in row for row in rows)
    if with_confidence:
        table.add_column("confidence", no_wrap=True, min_width=8)
    previous = None
    for row in rows:
        lo, hi = row["ci95"]
        variant = row["variant"] if row["variant"] != previous else ""
        if previous is not None and variant:
            table.add_section()
        previous = row["variant"]
        cells = [variant, row["label"] or row["outcome"], f"{row['probability']:.1%}",
                 f"{lo:.1%}–{hi:.1%}", row["words"]]
        if with_confidence:
            cells.append(row.get("confidence", ""))
        table.add_row(*cells)
    return table
