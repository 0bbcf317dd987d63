"""What changes when a key assumption fails: the variant that breaks it against the baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.errors import GeosimError
from simulator.report.context import Source
from simulator.report.html import esc

if TYPE_CHECKING:
    from simulator.analysis.rows import CompareRow

SHOWN = 3  # outcomes listed per assumption: the largest clear changes


def _changes(source: Source, variant: str) -> list[CompareRow]:
    from simulator.analysis.compare import compare_variants

    rows = compare_variants(source.results, variants=[variant])
    # a change counts when its paired 95 % interval excludes zero
    clear = [r for r in rows if r["ci95"][0] > 0 or r["ci95"][1] < 0]
    return sorted(clear, key=lambda r: -abs(r["diff"]))


def broken_note(source: Source, variant: str | None) -> str:
    """HTML after a key assumption: what its breaking variant changes, or how to see it."""
    if variant is None:
        return ""
    spec = source.results.scenario.variants.get(variant)
    label = (spec.label if spec is not None and spec.label else variant)
    if variant not in source.results.variants or "baseline" not in source.results.variants:
        return (f'<p class="note">If it fails (variant “{esc(label)}”, not run here with '
                f"the baseline): run with <code>--variant baseline --variant "
                f"{esc(variant)}</code> to see what changes.</p>")
    try:
        rows = _changes(source, variant)
    except GeosimError as exc:
        return f'<p class="note">If it fails: comparison failed ({esc(str(exc))}).</p>'
    if not rows:
        return (f'<p class="note">If it fails (variant “{esc(label)}”): no outcome changes '
                "beyond Monte Carlo noise.</p>")
    items = "; ".join(
        f"{esc(r['label'])} {r['p_base']:.1%} → {r['p_variant']:.1%} "
        f"({r['diff'] * 100:+.1f} points, 95% interval {r['ci95'][0] * 100:+.1f} to "
        f"{r['ci95'][1] * 100:+.1f})" for r in rows[:SHOWN])
    more = f"; and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    return f'<p class="note">If it fails (variant “{esc(label)}”): {items}{more}.</p>'
