"""Write a resolution file to fill in: every outcome and indicator of a forecast listed,
its resolution text copied above it as a comment, every status empty (pending)."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

_HEADER = """\
# Resolution of forecast {id}
# Scenario: {title}
# Issued as of {as_of}; the horizon ends {end}.
#
# For each outcome write `status:` yes, no, ambiguous or annulled (empty = not yet known).
# A yes needs `date:`, the day it happened. A no counts only after the horizon's last day.
# Check this file with `geosim score FORECAST --resolutions THIS_FILE`.
"""


def _comment(text: str, indent: str) -> str:
    """``text`` as YAML comment lines wrapped at 88 columns (user text stays inert:
    every line starts with #)."""
    lines = [wrapped for line in text.strip().splitlines()
             for wrapped in (textwrap.wrap(line, 86 - len(indent)) or [""])] or [""]
    return "".join(f"{indent}# {line}".rstrip() + "\n" for line in lines)


def _entries(group: dict[str, Any], empty_note: str) -> str:
    if not group:
        return " {}\n"
    out = "\n"
    for name, definition in group.items():
        text = definition.get("resolution") or definition.get("description") or empty_note
        out += _comment(f"{definition.get('label') or name}: {text}", "  ")
        out += (f"  {name}:\n    status:\n    date:\n    sources: []\n    note: \"\"\n")
    return out


def resolution_template(record: dict[str, Any], today: date | None = None) -> str:
    """The YAML text of an unfilled resolution file for forecast ``record``."""
    as_of = date.fromisoformat(record["as_of"])
    resolved_on = max(today or date.today(), as_of)
    text = _HEADER.format(id=record["id"], title=" ".join(record["scenario"]["title"].split()),
                          as_of=record["as_of"], end=record["horizon_end"])
    text += f"forecast: {record['id']}\n"
    text += f"resolved_on: {resolved_on.isoformat()}   # the day you write these down\n"
    text += "ambiguous: exclude   # or: half (an ambiguous outcome counts 0.5); decide now\n"
    text += "outcomes:" + _entries(record["outcomes"], "(no resolution text in the scenario)")
    text += "indicators:" + _entries(record["indicators"], "(no description in the scenario)")
    text += ("# Variants are alternatives: score only those whose premise came true.\n"
             "variants:\n")
    for name, variant in record["variants"].items():
        held = "true" if name == "baseline" else "false"
        text += _comment(f"{variant.get('label') or name}", "  ")
        text += f"  {name}: {{premise_held: {held}}}\n"
    text += ("# Other forecasts of the same outcomes to compare against, for example:\n"
             "#   us_strike: [{source: a prediction market, date: 2026-01-06, "
             "probability: 0.2}]\n"
             "references: {}\n")
    return text
