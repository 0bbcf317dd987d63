"""Headline tables printed with Rich."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def headline_table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for name, justify in (("variant", "left"), ("outcome", "left"), ("probability", "right"),
                          ("95% interval", "left"), ("ICD 203", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        lo, hi = row["ci95"]
        table.add_row(row["variant"], row["label"] or row["outcome"],
                      f"{row['probability']:.1%}", f"{lo:.1%} – {hi:.1%}", row["words"])
    return table
