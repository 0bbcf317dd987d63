"""Headline outcomes (cards, dot-and-whisker, table) and time-to-event curves."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from simulator.report.bottom_line import bottom_line, ordered_outcomes, precision
from simulator.report.context import Context, View
from simulator.report.html import days, esc, pct, plot_label, plot_text, table
from simulator.report.plotting import TEMPLATE, figure_json, new_figure
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

    parts = [bottom_line(ctx), confidence_note(), _dot_whisker(ctx), _headline_table(ctx)]
    return "".join(parts)


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
        names = ordered_outcomes(view)
        outcomes = [view.summary["outcomes"][n] for n in names]
        p = np.array([o["probability"] for o in outcomes]) * 100
        lo = np.array([o["ci95"][0] for o in outcomes]) * 100
        hi = np.array([o["ci95"][1] for o in outcomes]) * 100
        labels = [plot_label(outcome_label(view, n)) for n in names]
        words = [plot_text(o["words"]) for o in outcomes]
        full = [plot_text(outcome_label(view, n)) for n in names]
        fig.add_scatter(
            x=p, y=labels, mode="markers", name=plot_label(view.label), orientation="h",
            marker={"color": view.color, "size": 10, "line": {"color": "white", "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": hi - p, "arrayminus": p - lo,
                     "color": view.color, "thickness": 2, "width": 6},
            customdata=np.stack([full, words], axis=1), text=[precision(o) for o in outcomes],
            hovertemplate="%{customdata[0]}<br>%{x:.0f}% · %{customdata[1]}"
                          "<br>simulation precision %{text}<extra>" + plot_text(view.label)
                          + "</extra>")
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
        for name in ordered_outcomes(view):
            o = view.summary["outcomes"][name]
            lo, hi = o["ci95"]
            tte = o.get("time_to_event") or {}
            rows.append([
                f'<span class="swatch" style="background:{view.color}"></span>{esc(view.label)}',
                esc(outcome_label(view, name)), esc(pct(o["probability"], 1)),
                f"{esc(pct(lo, 1))} – {esc(pct(hi, 1))}", esc(o["words"]),
                esc(levels[name]["level"]) if name in levels else "–",
                esc(days(tte.get("median"))), f'{o["reached"]:,} / {o["runs"]:,}'])
    return ('<details class="more"><summary>All variants and outcomes as a table</summary>'
            + table(["variant", "outcome", "probability", "simulation precision (95%)",
                     "ICD 203", "confidence", "median time", "runs reaching it"], rows,
                    numeric=(2, 6, 7))
            + "</details>")


TIMING_ROW_HEIGHT = 200  # px per row of small multiples


def time_to_event_section(ctx: Context) -> str:
    """One small chart per outcome (key outcomes first), one line per variant in the
    variant's colour: variants compare side by side, and colour means variant only."""
    from plotly.subplots import make_subplots

    out = []
    for source in ctx.sources:
        grid = np.asarray(source.results.timeline["grid"], dtype=float)
        names = ordered_outcomes(source.baseline)
        n_cols = 2 if len(names) > 1 else 1
        n_rows = -(-len(names) // n_cols)
        titles = [plot_label(outcome_label(source.baseline, n), 48) for n in names]
        fig = make_subplots(rows=n_rows, cols=n_cols, subplot_titles=titles,
                            horizontal_spacing=0.08, vertical_spacing=0.5 / max(n_rows, 1))
        fig.update_layout(template=TEMPLATE, height=90 + TIMING_ROW_HEIGHT * n_rows,
                          margin={"t": 40, "b": 70},
                          legend={"y": 0, "yanchor": "bottom", "yref": "container"})
        fig.update_annotations(font={"size": 12})
        cols = [f"outcome_time.{n}" for n in names]
        table_ = source.columns(["variant", *cols])
        variants = table_.column("variant").to_numpy(zero_copy_only=False)
        for view in source.views:
            mask = variants == view.variant
            n = int(mask.sum())
            xs = time_axis(view, grid)
            variant = plot_text(view.label)
            for j, name in enumerate(names):
                times = table_.column(f"outcome_time.{name}").to_numpy(zero_copy_only=False)
                t = np.sort(times[mask][np.isfinite(times[mask])])
                cum = np.searchsorted(t, grid, side="right") / max(n, 1) * 100
                fig.add_scatter(
                    **xs, y=compact(cum), mode="lines", name=plot_label(view.label),
                    legendgroup=view.key, showlegend=j == 0,
                    line={"color": view.color, "width": 2, "shape": "hv"},
                    hovertemplate="%{x}<br>%{y:.0f}% by then<extra>" + variant + "</extra>",
                    row=j // n_cols + 1, col=j % n_cols + 1)
        fig.update_yaxes(ticksuffix="%", rangemode="tozero")
        fig.update_xaxes(type="date")
        out.append(_source_wrap(ctx, source.key, source.title,
                                ctx.add_figure(figure_json(fig), cls="plot-all")))
    return "".join(out)


def _source_wrap(ctx: Context, source_key: str, title: str, inner: str) -> str:
    heading = f'<h3 class="source-title">{esc(title)}</h3>' if ctx.multi else ""
    return f'<div data-source="{esc(source_key)}">{heading}{inner}</div>'


source_wrap = _source_wrap
