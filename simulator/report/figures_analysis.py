"""Sections drawn from ``simulator.analysis``: variant comparison, sensitivity, scenario
discovery, signposts and stories. Each renders whatever its analysis function returns.

An analysis that cannot be done for these results raises a
:class:`~simulator.errors.GeosimError` with its reason, shown as a note; any other
exception is a bug and fails the report."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.analysis.compare import compare_variants
from simulator.analysis.discovery import discover
from simulator.analysis.stories import stories
from simulator.errors import GeosimError
from simulator.report.bottom_line import ordered_outcomes
from simulator.report.context import PALETTE, Context, Source, View
from simulator.report.figures_outcomes import outcome_label, source_wrap
from simulator.report.html import esc, note, pct, plot_label, table, view_block
from simulator.report.plotting import figure_json, new_figure

if TYPE_CHECKING:
    from simulator.analysis.rows import CompareRow, DiscoveryBox, Story

log = logging.getLogger(__name__)

MAX_STORIES = 1  # sample runs shown per outcome and variant
MAX_EVENTS = 8  # events shown per story (the rest is counted)


def failed(what: str, exc: GeosimError) -> str:
    log.warning("report: %s failed: %s", what, exc)
    return note(f"{what} could not be computed: {exc}")


def _num(value: Any, default: float = float("nan")) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _param_label(view: View, name: str) -> str:
    for p in view.model.parameters:
        if p.name == name:
            return p.label or name
    return name


# ------------------------------------------------------------------ comparison


def compare_section(ctx: Context) -> str:
    fn = compare_variants
    out = []
    for source in ctx.sources:
        if len(source.views) < 2:
            continue
        try:
            rows = list(fn(source.results))
        except GeosimError as exc:
            out.append(source_wrap(ctx, source.key, source.title, failed("Comparison", exc)))
            continue
        out.append(source_wrap(ctx, source.key, source.title, _compare(ctx, source, rows)))
    return "".join(out) or note("Only one variant: nothing to compare.")


def _compare(ctx: Context, source: Source, rows: list[CompareRow]) -> str:
    if not rows:
        return note("No differences were reported.")
    colors = {v.variant: v.color for v in source.views}
    labels = {v.variant: v.label for v in source.views}
    n_outcomes = len({r.get("outcome") for r in rows})
    fig = new_figure(height=120 + n_outcomes * (22 + 9 * len(source.views)))
    fig.add_vline(x=0, line={"color": "#52606d", "width": 1})
    by_variant: dict[str, list[CompareRow]] = {}
    for r in rows:
        by_variant.setdefault(str(r.get("variant")), []).append(r)
    for variant, vrows in by_variant.items():
        d = np.array([_num(r.get("diff")) for r in vrows]) * 100
        ci = [r.get("ci95") or [np.nan, np.nan] for r in vrows]
        lo = np.array([_num(c[0]) for c in ci]) * 100
        hi = np.array([_num(c[1]) for c in ci]) * 100
        y = [plot_label(r.get("label") or r.get("outcome")) for r in vrows]
        name = plot_label(labels.get(variant, variant))
        fig.add_scatter(x=d, y=y, mode="markers", name=name, orientation="h",
                        marker={"size": 10, "color": colors.get(variant, PALETTE[0])},
                        error_x={"type": "data", "symmetric": False, "array": hi - d,
                                 "arrayminus": d - lo, "thickness": 2, "width": 6},
                        hovertemplate="%{y}: %{x:+.1f} points<extra>" + name + "</extra>")
    fig.update_layout(scattermode="group", scattergap=0.3, margin={"b": 40},
                      legend={"y": 0, "yanchor": "bottom", "yref": "container"})
    fig.update_xaxes(title_text="difference from baseline (percentage points)", ticksuffix=" pt",
                     zeroline=True)
    fig.update_yaxes(autorange="reversed")
    table_rows = []
    for r in rows:
        lo_pt, hi_pt = (_num(x) * 100 for x in r["ci95"])
        table_rows.append([esc(labels.get(r["variant"], r["variant"])),
                           esc(r["label"] or r["outcome"]),
                           esc(pct(r["p_base"])), esc(pct(r["p_variant"])),
                           esc(f"{r['diff'] * 100:+.1f} pt"),
                           esc(f"{lo_pt:+.1f} to {hi_pt:+.1f} pt")])
    return (note("Each variant is run with the same dice rolls as the baseline, run by run, "
                 "so a difference comes from the variant and not from luck; the whiskers "
                 "are 95% intervals of the difference.")
            + ctx.add_figure(figure_json(fig), cls="plot-all")
            + '<details class="more"><summary>All differences as a table</summary>'
            + table(["variant", "outcome", "baseline", "variant", "difference", "95% interval"],
                    table_rows, numeric=(2, 3, 4, 5)) + "</details>")


# ------------------------------------------------------------------ discovery


MIN_LIFT = 1.5  # conditions that barely raise an outcome's rate are not worth a sentence


def _lifts(box: DiscoveryBox) -> bool:
    base = _num(box.get("base_rate"))
    density = _num(box.get("density"))
    return not (np.isfinite(base) and np.isfinite(density)) or density >= MIN_LIFT * base


def discovery_section(ctx: Context) -> str:
    fn = discover
    out = []
    for source in ctx.sources:
        blocks = []
        for view in source.views:
            items = []
            for name in ordered_outcomes(view):
                label = outcome_label(view, name)
                try:
                    boxes = [b for b in fn(source.results, name, view.variant) if _lifts(b)]
                except GeosimError as exc:
                    items.append(failed(f"Discovery for {label}", exc))
                    continue
                if not boxes:
                    continue
                lis = "".join(
                    f'<li><span class="sentence">{esc(b.get("sentence", ""))}</span> '
                    f'<span class="muted small">coverage {esc(pct(_num(b.get("coverage"))))}'
                    f' · density {esc(pct(_num(b.get("density"))))}</span></li>' for b in boxes)
                items.append(f'<h4>{esc(label)}</h4><ul class="boxes">{lis}</ul>')
            blocks.append(view_block(view.key, "".join(items) or note(
                "No simple conditions stood out for this variant.")))
        blocks.insert(0, note("Coverage: the share of the runs reaching the outcome that meet "
                              "the conditions. Density: how often the outcome happens when "
                              f"they hold. Only conditions under which it happens at least "
                              f"{MIN_LIFT:g} times as often as overall are listed."))
        out.append(source_wrap(ctx, source.key, source.title, "".join(blocks)))
    return "".join(out)


# ------------------------------------------------------------------ stories


def stories_section(ctx: Context) -> str:
    fn = stories
    out = []
    for source in ctx.sources:
        blocks = []
        for view in source.views:
            try:
                data = dict(fn(source.results, view.variant))
            except GeosimError as exc:
                blocks.append(view_block(view.key, failed("Stories", exc)))
                continue
            blocks.append(view_block(view.key, _stories(ctx, source, view, data)))
        out.append(source_wrap(ctx, source.key, source.title, "".join(blocks)))
    return "".join(out)


_TRAILING_IDS = re.compile(r"\s*\[[a-z0-9_.,\s-]*\]\.?$")


def _stories(ctx: Context, source: Source, view: View, data: dict[str, list[Story]]) -> str:
    parts = []
    for outcome, runs in data.items():
        items = []
        for story in list(runs)[:MAX_STORIES]:
            if story.get("run") is None:  # no traced run reaches it: the analysis says why
                if story.get("note"):
                    items.append(note(str(story["note"])))
                continue
            events = []
            all_events = list(story.get("events", []))
            for ev in all_events[:MAX_EVENTS]:
                evidence = ev.get("evidence") or []
                if isinstance(evidence, str):
                    evidence = [evidence]
                links = " ".join(ctx.evidence_link(source, str(e)) for e in evidence)
                text = str(ev.get("text", ""))
                if links:  # the ids are linked after the text: no need to print them twice
                    text = _TRAILING_IDS.sub(".", text)
                if not text.lower().startswith("day"):
                    text = f'Day {_num(ev.get("day"), 0):,.0f} — {text}'
                events.append(f"<li>{esc(text)}"
                              + (f' <span class="cites">{links}</span>' if links else "")
                              + "</li>")
            if len(all_events) > MAX_EVENTS:
                events.append(f'<li class="muted">… and {len(all_events) - MAX_EVENTS:,} more '
                              "events</li>")
            reached = story.get("reached_day")
            when = f" · reached on day {_num(reached):,.0f}" if reached is not None else ""
            if story.get("traced_reaching"):
                when += (f" · path shared by {_num(story.get('same_path'), 0):,.0f} of "
                         f"{_num(story.get('traced_reaching'), 0):,.0f} traced runs that "
                         "reach it")
            items.append(f'<details class="story"><summary>Run {esc(story.get("run", "?"))}'
                         f"{esc(when)} · {len(all_events)} events</summary>"
                         '<ol class="timeline">' + "".join(events) + "</ol></details>")
        if items:
            parts.append(f"<h4>{esc(outcome_label(view, str(outcome)))}</h4>" + "".join(items))
    return "".join(parts) or note("No sample stories for this variant.")
