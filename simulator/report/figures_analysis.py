"""Sections drawn from ``simulator.analysis``: variant comparison, sensitivity, scenario
discovery, signposts and stories. Each renders whatever its analysis function returns.

An analysis that cannot be done for these results raises a
:class:`~simulator.errors.GeosimError` with its reason, shown as a note; any other
exception is a bug and fails the report."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from simulator.analysis.compare import compare_variants
from simulator.analysis.discovery import discover
from simulator.analysis.sensitivity import global_indices
from simulator.analysis.signposts import signposts
from simulator.analysis.stories import stories
from simulator.errors import GeosimError
from simulator.report.context import PALETTE, Context, Source, View
from simulator.report.figures_outcomes import outcome_label, source_wrap
from simulator.report.html import days, esc, note, pct, plot_label, plot_text, table, view_block
from simulator.report.plotting import figure_json, new_figure, view_meta

log = logging.getLogger(__name__)

MAX_STORIES = 2  # sample runs shown per outcome and variant
MAX_EVENTS = 30  # events shown per story (the rest is counted)


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


def _compare(ctx: Context, source: Source, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return note("No differences were reported.")
    colors = {v.variant: v.color for v in source.views}
    labels = {v.variant: v.label for v in source.views}
    n_outcomes = len({r.get("outcome") for r in rows})
    fig = new_figure(height=120 + n_outcomes * (22 + 9 * len(source.views)))
    fig.add_vline(x=0, line={"color": "#52606d", "width": 1})
    by_variant: dict[str, list[dict[str, Any]]] = {}
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
        ci = r.get("ci95") or [np.nan, np.nan]
        table_rows.append([esc(labels.get(str(r.get("variant")), r.get("variant"))),
                           esc(r.get("label") or r.get("outcome")),
                           esc(pct(_num(r.get("p_base")))), esc(pct(_num(r.get("p_variant")))),
                           esc(f"{_num(r.get('diff')) * 100:+.1f} pt"),
                           esc(f"{_num(ci[0]) * 100:+.1f} to {_num(ci[1]) * 100:+.1f} pt")])
    return (note("Differences are paired on common random numbers: each run of a variant "
                 "uses the same random draws as the baseline run with the same index.")
            + ctx.add_figure(figure_json(fig), cls="plot-all")
            + '<details class="more"><summary>All differences as a table</summary>'
            + table(["variant", "outcome", "baseline", "variant", "difference", "95% interval"],
                    table_rows, numeric=(2, 3, 4, 5)) + "</details>")


# ------------------------------------------------------------------ sensitivity


TOP_PARAMETERS = 12


def sensitivity_section(ctx: Context) -> str:
    fn = global_indices
    out = []
    for source in ctx.sources:
        fig = new_figure(height=360, barmode="group")
        notes = []
        any_bar = False
        n_shown = 0
        for view in source.views:
            try:
                data = dict(fn(source.results, view.variant))
            except GeosimError as exc:
                notes.append(view_block(view.key, failed("Sensitivity", exc)))
                continue
            # a chart of every parameter × every outcome is unreadable: keep the parameters
            # that matter most for some outcome, and say how many are left out
            strongest: dict[str, float] = {}
            for items in data.values():
                for it in items:
                    key = str(it.get("parameter"))
                    strongest[key] = max(strongest.get(key, 0.0),
                                         abs(_num(it.get("index"), 0.0)))
            shown = set(sorted(strongest, key=lambda k: -strongest[k])[:TOP_PARAMETERS])
            if len(strongest) > len(shown):
                notes.append(view_block(view.key, note(
                    f"The {len(shown)} parameters with the largest index for some outcome are "
                    f"shown; {len(strongest) - len(shown)} more are listed by “geosim "
                    "sensitivity RESULTS --method given-data”.")))
            n_shown = max(n_shown, len(shown))
            for j, (outcome, items) in enumerate(data.items()):
                items = sorted((it for it in items if str(it.get("parameter")) in shown),
                               key=lambda it: abs(_num(it.get("index"), 0.0)))
                if not items:
                    continue
                any_bar = True
                label = plot_text(outcome_label(view, str(outcome)))
                x = np.array([_num(it.get("index"), 0.0) for it in items])
                ci = [it.get("ci95") or [np.nan, np.nan] for it in items]
                lo = np.array([_num(c[0]) for c in ci])
                hi = np.array([_num(c[1]) for c in ci])
                error = ({"type": "data", "symmetric": False, "array": np.maximum(hi - x, 0),
                          "arrayminus": np.maximum(x - lo, 0), "color": "#52606d",
                          "thickness": 1.2, "width": 3}
                         if np.isfinite(lo).all() and np.isfinite(hi).all() else None)
                fig.add_bar(
                    y=[plot_label(it.get("label") or _param_label(view, str(it.get("parameter"))))
                       for it in items],
                    x=x, orientation="h", error_x=error,
                    name=label, marker_color=PALETTE[j % len(PALETTE)], meta=view_meta(view.key),
                    hovertemplate="%{y}: %{x:.3f}<extra>" + label + "</extra>")
        fig.update_xaxes(title_text="sensitivity index: share of the outcome's variance "
                                    "explained (larger = drives it more)")
        fig.update_layout(height=max(260, 120 + 34 * max(n_shown, 1)), bargap=0.25)
        inner = "".join(notes)
        if any_bar:
            inner = ctx.add_figure(figure_json(fig)) + inner
        else:
            inner += note("No sensitivity indices were returned (the scenario may have no "
                          "uncertain parameters).")
        out.append(source_wrap(ctx, source.key, source.title, inner))
    return "".join(out)


# ------------------------------------------------------------------ discovery


def discovery_section(ctx: Context) -> str:
    fn = discover
    out = []
    for source in ctx.sources:
        blocks = []
        for view in source.views:
            items = []
            for o in view.model.outcomes:
                try:
                    boxes = list(fn(source.results, o.name, view.variant))
                except GeosimError as exc:
                    items.append(failed(f"Discovery for {o.label or o.name}", exc))
                    continue
                if not boxes:
                    continue
                lis = "".join(
                    f'<li><span class="sentence">{esc(b.get("sentence", ""))}</span> '
                    f'<span class="muted small">coverage {esc(pct(_num(b.get("coverage"))))}'
                    f' · density {esc(pct(_num(b.get("density"))))}</span></li>' for b in boxes)
                items.append(f'<h4>{esc(o.label or o.name)}</h4><ul class="boxes">{lis}</ul>')
            blocks.append(view_block(view.key, "".join(items) or note(
                "No simple conditions stood out for this variant.")))
        blocks.insert(0, note("Coverage: the share of the runs reaching the outcome that meet "
                              "the conditions. Density: how often the outcome happens when "
                              "they hold."))
        out.append(source_wrap(ctx, source.key, source.title, "".join(blocks)))
    return "".join(out)


# ------------------------------------------------------------------ signposts


def signposts_section(ctx: Context) -> str:
    fn = signposts
    out = []
    for source in ctx.sources:
        if not source.baseline.model.indicators:
            continue
        blocks = []
        for view in source.views:
            try:
                rows = list(fn(source.results, view.variant))
            except GeosimError as exc:
                blocks.append(view_block(view.key, failed("Signposts", exc)))
                continue
            blocks.append(view_block(view.key, _signpost_table(view, rows)))
        out.append(source_wrap(ctx, source.key, source.title, "".join(blocks)))
    return "".join(out) or note("The scenario defines no indicators to watch.")


def _indicator_label(view: View, name: str) -> str:
    for i in view.model.indicators:
        if i.name == name:
            return i.label or name
    return name


def _signpost_table(view: View, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return note("No signposts were returned.")
    rows = sorted(rows, key=lambda r: -_num(r.get("likelihood_ratio"), 0.0))
    top = max((_num(r.get("likelihood_ratio"), 0.0) for r in rows), default=1.0) or 1.0
    cells = []
    for r in rows:
        lr = _num(r.get("likelihood_ratio"))
        width = np.clip(lr / top * 100, 0, 100) if np.isfinite(lr) else 0
        lr_text = f"×{lr:.2f}" if np.isfinite(lr) else "–"
        lead = r.get("median_lead_days")
        if lead is None and isinstance(r.get("lead_time"), dict):
            lead = r["lead_time"].get("median")
        seen = r.get("n_seen", r.get("seen_first"))
        cells.append([
            esc(r.get("indicator_label") or _indicator_label(view, str(r.get("indicator")))),
            esc(r.get("outcome_label") or outcome_label(view, str(r.get("outcome")))),
            esc(pct(_num(r.get("p_seen", r.get("p_if_seen"))))),
            esc(pct(_num(r.get("p_not_seen", r.get("p_if_not_seen"))))),
            (f'<span class="barcell"><span class="bar" style="width:{width:.1f}%"></span>'
            f"<span>{esc(lr_text)}</span></span>"),
            esc(days(_num(lead))), esc(f"{int(_num(seen, 0)):,}")])
    return (note("How much seeing an indicator raises the chance of an outcome, and how long "
                 "before the outcome it is typically seen.")
            + table(["indicator", "outcome", "P(outcome | seen)", "P(outcome | not seen)",
                     "likelihood ratio", "median lead", "runs seen"], cells,
                    numeric=(2, 3, 5, 6)))


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


def _stories(ctx: Context, source: Source, view: View, data: dict[str, Any]) -> str:
    parts = []
    for outcome, runs in data.items():
        items = []
        for story in list(runs)[:MAX_STORIES]:
            events = []
            all_events = list(story.get("events", []))
            for ev in all_events[:MAX_EVENTS]:
                evidence = ev.get("evidence") or []
                if isinstance(evidence, str):
                    evidence = [evidence]
                links = " ".join(ctx.evidence_link(source, str(e)) for e in evidence)
                text = str(ev.get("text", ""))
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
