"""Headline outcomes (cards, dot-and-whisker, table) and time-to-event curves."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from simulator.report.context import PALETTE, Context, View
from simulator.report.html import days, esc, pct, plot_label, plot_text, table, view_block
from simulator.report.plotting import figure_json, new_figure, view_meta
from simulator.results.stats import ICD203


def outcome_label(view: View, name: str) -> str:
    for o in view.model.outcomes:
        if o.name == name:
            return o.label or name
    return name


def dates(view: View, grid: np.ndarray) -> list[str]:
    """Grid days as ISO dates from the scenario's ``as_of`` (day 0)."""
    start: date = view.source.results.scenario.as_of
    return [(start + timedelta(days=float(d))).isoformat() for d in grid]


def time_axis(view: View, grid: np.ndarray) -> dict[str, object]:
    """Trace x arguments for the time grid: ``x0``/``dx`` on a date axis when the grid is
    evenly spaced (no per-point dates in the file), else the dates themselves."""
    grid = np.asarray(grid, dtype=float)
    steps = np.diff(grid)
    if grid.size > 1 and np.allclose(steps, steps[0], rtol=1e-9, atol=1e-9):
        start = datetime.combine(view.source.results.scenario.as_of, datetime.min.time())
        x0 = (start + timedelta(days=float(grid[0]))).isoformat(sep=" ")
        return {"x0": x0, "dx": float(steps[0]) * 86_400_000.0}
    return {"x": dates(view, grid)}


def compact(values: np.ndarray) -> np.ndarray:
    """float32 is plenty for plotted shares and quantiles (and halves the file)."""
    return np.asarray(values, dtype=np.float32)


def headline_section(ctx: Context) -> str:
    from simulator.report.figures_provenance import confidence_note

    parts = [_cards(ctx), confidence_note(), _dot_whisker(ctx), _headline_table(ctx)]
    return "".join(parts)


def _cards(ctx: Context) -> str:
    from simulator.report.figures_provenance import confidence_line

    blocks = []
    for view in ctx.views:
        cards = []
        for name, o in view.summary["outcomes"].items():
            lo, hi = o["ci95"]
            tte = o.get("time_to_event") or {}
            median = tte.get("median")
            when = (f'<div class="kpi-when">median time to it: {esc(days(median))}</div>'
                    if median is not None and median == median else "")
            cards.append(
                f'<div class="kpi"><div class="kpi-label">{esc(outcome_label(view, name))}</div>'
                f'<div class="kpi-value">{esc(pct(o["probability"]))}</div>'
                f'<div class="kpi-word">{esc(o["words"])}</div>'
                f'<div class="kpi-ci">95% interval {esc(pct(lo))} – {esc(pct(hi))}</div>'
                f"{when}{confidence_line(view, name)}</div>")
        title = f'<p class="view-caption">{esc(view.label)} · {view.summary["runs"]:,} runs</p>'
        blocks.append(view_block(view.key, title + '<div class="kpis">' + "".join(cards)
                                 + "</div>"))
    return "".join(blocks)


def _dot_whisker(ctx: Context) -> str:
    fig = new_figure(height=110 + _n_outcomes(ctx) * (24 + 12 * len(ctx.views)))
    lo_edge = 0.0
    for i, (upper, word) in enumerate(ICD203):
        if i % 2 == 0:
            fig.add_vrect(x0=lo_edge * 100, x1=upper * 100, fillcolor="#f0f2f5", line_width=0,
                          layer="below")
        fig.add_annotation(x=(lo_edge + upper) * 50, y=1.0, yref="paper", yanchor="bottom",
                           text=plot_text(word).replace(" ", "<br>"), showarrow=False,
                           font={"size": 9, "color": "#7b8794"})
        lo_edge = upper
    for view in ctx.views:
        names = list(view.summary["outcomes"])
        outcomes = [view.summary["outcomes"][n] for n in names]
        p = np.array([o["probability"] for o in outcomes]) * 100
        lo = np.array([o["ci95"][0] for o in outcomes]) * 100
        hi = np.array([o["ci95"][1] for o in outcomes]) * 100
        labels = [plot_label(outcome_label(view, n)) for n in names]
        words = [plot_text(o["words"]) for o in outcomes]
        fig.add_scatter(
            x=p, y=labels, mode="markers", name=plot_label(view.label), orientation="h",
            marker={"color": view.color, "size": 10, "line": {"color": "white", "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": hi - p, "arrayminus": p - lo,
                     "color": view.color, "thickness": 2, "width": 6},
            customdata=np.stack([lo, hi], axis=1), text=words,
            hovertemplate="%{y}<br>%{x:.1f}% [%{customdata[0]:.1f}–%{customdata[1]:.1f}%]"
                          "<br>%{text}<extra>" + plot_text(view.label) + "</extra>")
    fig.update_layout(scattermode="group", scattergap=0.4, margin={"t": 56, "b": 40},
                      legend={"y": 0, "yanchor": "bottom", "yref": "container"})
    fig.update_xaxes(range=[0, 100], ticksuffix="%", title_text="probability over the horizon")
    fig.update_yaxes(autorange="reversed")
    return ctx.add_figure(figure_json(fig), cls="plot-all")


def _n_outcomes(ctx: Context) -> int:
    return len({n for v in ctx.views for n in v.summary["outcomes"]})


def _headline_table(ctx: Context) -> str:
    from simulator.report.figures_provenance import view_confidence

    rows = []
    for view in ctx.views:
        levels = view_confidence(view)
        for name, o in view.summary["outcomes"].items():
            lo, hi = o["ci95"]
            tte = o.get("time_to_event") or {}
            rows.append([
                f'<span class="swatch" style="background:{view.color}"></span>{esc(view.label)}',
                esc(outcome_label(view, name)), esc(pct(o["probability"])),
                f"{esc(pct(lo))} – {esc(pct(hi))}", esc(o["words"]),
                esc(levels[name]["level"]) if name in levels else "–",
                esc(days(tte.get("median"))), f'{o["reached"]:,} / {o["runs"]:,}'])
    return ('<details class="more"><summary>All variants and outcomes as a table</summary>'
            + table(["variant", "outcome", "probability", "95% interval", "ICD 203",
                     "confidence", "median time", "runs reaching it"], rows,
                    numeric=(2, 6, 7))
            + "</details>")


def time_to_event_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        fig = new_figure(height=360)
        grid = np.asarray(source.results.timeline["grid"], dtype=float)
        names = [o.name for o in source.baseline.model.outcomes]
        cols = [f"outcome_time.{n}" for n in names]
        table_ = source.columns(["variant", *cols])
        variants = table_.column("variant").to_numpy(zero_copy_only=False)
        for view in source.views:
            mask = variants == view.variant
            n = int(mask.sum())
            xs = time_axis(view, grid)
            for j, name in enumerate(names):
                times = table_.column(f"outcome_time.{name}").to_numpy(zero_copy_only=False)
                t = np.sort(times[mask][np.isfinite(times[mask])])
                cum = np.searchsorted(t, grid, side="right") / max(n, 1) * 100
                label = plot_text(outcome_label(view, name))
                fig.add_scatter(
                    **xs, y=compact(cum), mode="lines", name=plot_label(label),
                    line={"color": PALETTE[j % len(PALETTE)], "width": 2.5, "shape": "hv"},
                    meta=view_meta(view.key),
                    hovertemplate="%{x}<br>%{y:.1f}% by then<extra>" + label + "</extra>")
        fig.update_yaxes(title_text="cumulative probability", ticksuffix="%", rangemode="tozero")
        fig.update_xaxes(title_text="date", type="date")
        out.append(_source_wrap(ctx, source.key, source.title,
                                ctx.add_figure(figure_json(fig))))
    return "".join(out)


def _source_wrap(ctx: Context, source_key: str, title: str, inner: str) -> str:
    heading = f'<h3 class="source-title">{esc(title)}</h3>' if ctx.multi else ""
    return f'<div data-source="{esc(source_key)}">{heading}{inner}</div>'


source_wrap = _source_wrap
