"""Headline tables printed with Rich."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def headline_table(title: str, rows: list[dict[str, Any]]) -> Table:
    """Variant × outcome, the variant named once per group; long labels are shortened."""
    table = Table(title=title, title_justify="left", pad_edge=False)
    table.add_column("variant", no_wrap=True, overflow="ellipsis", max_width=26)
    table.add_column("outcome", no_wrap=True, overflow="ellipsis", max_width=44)
    table.add_column("chance", justify="right", no_wrap=True)
    table.add_column("95% interval", no_wrap=True)
    table.add_column("ICD 203", no_wrap=True, overflow="ellipsis")
    previous = None
    for row in rows:
        lo, hi = row["ci95"]
        variant = row["variant"] if row["variant"] != previous else ""
        if previous is not None and variant:
            table.add_section()
        previous = row["variant"]
        table.add_row(variant, row["label"] or row["outcome"], f"{row['probability']:.1%}",
                      f"{lo:.1%}–{hi:.1%}", row["words"])
    return table
