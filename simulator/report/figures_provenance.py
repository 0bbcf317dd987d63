"""Provenance of every number (for the parameters section) and confidence levels (for
the outcome cards): small, self-contained pieces that other sections call."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from simulator.report.context import Context, Source, View
from simulator.report.html import esc, note, table

if TYPE_CHECKING:
    from simulator.analysis.rows import OutcomeConfidence

SOURCES = ("evidence", "assumption", "definition", "unsourced")


def provenance_block(ctx: Context, source: Source) -> str:
    """Counts of numbers by role and provenance, and the full list in a collapsed table."""
    from simulator.errors import format_key_path
    from simulator.scenario.provenance import number_provenance

    numbers = number_provenance(source.results.scenario)
    if not numbers:
        return ""
    by_role: dict[str, Counter[str]] = {}
    for n in numbers:
        by_role.setdefault(n.role, Counter())[n.source] += 1
    totals: Counter[str] = Counter(n.source for n in numbers)
    rows = [[esc(role), *[f"{c[s]:,}" for s in SOURCES]] for role, c in sorted(by_role.items())]
    rows.append(["<strong>all numbers</strong>", *[f"<strong>{totals[s]:,}</strong>"
                                                  for s in SOURCES]])
    listing = []
    for n in numbers:
        if n.source == "evidence":
            why = " ".join(ctx.evidence_link(source, e) for e in n.evidence)
        elif n.source == "unsourced":
            why = '<span class="tag">unsourced</span>'
        else:
            why = esc(n.reason)
        listing.append([f"<code>{esc(format_key_path(n.path))}</code>",
                        f"<code>{esc(n.text)}</code>", esc(n.role), esc(n.source), why])
    return ("<h3>Provenance of every number</h3>"
            + note("Every constant of the scenario — parameters, initial states, thresholds, "
                   "weights, effect sizes, delays, chances — with where it comes from: claims "
                   "of the evidence register, a stated assumption, or (for thresholds inside "
                   "outcome and indicator conditions) the written definition. "
                   "`geosim audit` prints the same list.")
            + table(["role", *SOURCES], rows, numeric=(1, 2, 3, 4))
            + '<details class="more"><summary>All numbers with their provenance</summary>'
            + table(["where", "value", "role", "provenance", "source or reason"], listing)
            + "</details>")


def view_confidence(view: View) -> dict[str, OutcomeConfidence]:
    """Confidence per outcome of one view (computed once per view)."""
    cache: dict[str, dict[str, OutcomeConfidence]] = view.source.__dict__.setdefault(
        "_confidence", {})
    if view.variant not in cache:
        from simulator.analysis.confidence import confidence

        cache[view.variant] = confidence(view.source.results, view.variant)
    return cache[view.variant]


def confidence_line(view: View, outcome: str) -> str:
    """A card line: the confidence level and, in its tooltip, how it was derived."""
    from simulator.analysis.confidence import describe

    c = view_confidence(view).get(outcome)
    if c is None:
        return ""
    return (f'<div class="kpi-when">confidence: '
            f'<strong>{esc(c["level"])}</strong> — {esc(describe(c))}</div>')


def confidence_note() -> str:
    from simulator.analysis.confidence import METHOD

    return note("Likelihood (the ICD 203 word) and confidence are separate judgements. "
                "How confidence is derived: " + METHOD + ".")
