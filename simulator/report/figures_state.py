"""Fan charts of state variables from the timeline histograms."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.report.context import Context, Source
from simulator.report.figures_outcomes import compact, source_wrap, time_axis
from simulator.report.html import esc, plot_label
from simulator.report.plotting import figure_json, new_figure, rgba, view_meta

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def hist_quantiles(hist: np.ndarray, edges: np.ndarray,
                   qs: tuple[float, ...] = QUANTILES) -> np.ndarray:
    """Quantiles per time row of a (times × bins) histogram: (times × len(qs)).

    Cumulative counts locate the bin holding each quantile; inside the bin the value is
    interpolated linearly (counts are taken as spread evenly over the bin).
    """
    counts = np.asarray(hist, dtype=float)
    edges = np.asarray(edges, dtype=float)
    out = np.full((counts.shape[0], len(qs)), np.nan)
    for i, row in enumerate(counts):
        total = row.sum()
        if total <= 0:
            continue
        cum = np.cumsum(row) / total
        for j, q in enumerate(qs):
            b = min(int(np.searchsorted(cum, q, side="left")), len(row) - 1)
            before = cum[b - 1] if b > 0 else 0.0
            inside = cum[b] - before
            frac = (q - before) / inside if inside > 0 else 0.5
            out[i, j] = edges[b] + min(max(frac, 0.0), 1.0) * (edges[b + 1] - edges[b])
    return out


def has_states(ctx: Context) -> bool:
    return any(not s.is_ladder for src in ctx.sources for s in src.baseline.model.state)


def state_section(ctx: Context) -> str:
    """One chart per state variable with every variant side by side: each variant's median
    as a line in the variant's colour, and the selected variant's 50% and 90% bands behind
    them in its colour (the selector changes only the bands)."""
    out = []
    for source in ctx.sources:
        timeline = source.results.timeline
        grid = np.asarray(timeline["grid"], dtype=float)
        cards = []
        for spec in source.baseline.model.state:
            if spec.is_ladder or f"edges.{spec.name}" not in timeline:
                continue
            fig = _fan(source, spec.name, grid)
            if fig is None:
                continue
            if np.isfinite(spec.lo) and np.isfinite(spec.hi) and spec.hi > spec.lo:
                pad = (spec.hi - spec.lo) * 0.03
                fig.update_yaxes(range=[spec.lo - pad, spec.hi + pad])
            desc = _description(source, spec.name)
            cards.append(f'<div class="fan"><h3>{esc(spec.label or spec.name)}</h3>'
                         f'{desc}{ctx.add_figure(figure_json(fig), cls="plot-all")}</div>')
        if cards:
            out.append(source_wrap(ctx, source.key, source.title, _key(source)
                                   + '<div class="grid2">' + "".join(cards) + "</div>"))
    return "".join(out)


def _fan(source: Source, name: str, grid: np.ndarray) -> Any:
    """The chart of one state variable (None when no variant recorded it)."""
    timeline = source.results.timeline
    edges = timeline[f"edges.{name}"]
    fig = new_figure(height=280, showlegend=False, hovermode="x unified")
    medians = []
    for view in source.views:
        hist = timeline.get(f"hist.{view.variant}.{name}")
        if hist is None:
            continue
        q = compact(hist_quantiles(hist, edges))
        xs = time_axis(view, grid)
        meta = view_meta(view.key)  # the bands: the selected variant only
        for lo, hi, alpha in ((0, 4, 0.15), (1, 3, 0.3)):
            fig.add_scatter(**xs, y=q[:, lo], mode="lines", line={"width": 0},
                            hoverinfo="skip", meta=meta, showlegend=False)
            fig.add_scatter(**xs, y=q[:, hi], mode="lines", line={"width": 0},
                            fill="tonexty", fillcolor=rgba(view.color, alpha),
                            meta=meta, hoverinfo="skip")
        medians.append((view, xs, q))
    if not medians:
        return None
    # medians last, so every variant's line is drawn over the bands; in reverse, so that
    # where variants coincide the baseline's (the first) line is the one on top
    for view, xs, q in reversed(medians):
        fig.add_scatter(**xs, y=q[:, 2], mode="lines", name=plot_label(view.label),
                        line={"color": view.color, "width": 2},
                        customdata=np.stack([q[:, 1], q[:, 3]], 1),
                        hovertemplate="%{y:.3g} (50%: %{customdata[0]:.3g}–"
                                      "%{customdata[1]:.3g})")
    fig.update_xaxes(type="date")
    return fig


def _key(source: Source) -> str:
    """The colour key shared by every chart of the section (plain HTML, escaped)."""
    items = "".join(f'<li><span class="swatch" style="background:{view.color}"></span>'
                    f"{esc(view.label)}</li>" for view in source.views)
    return (f'<ul class="key">{items}</ul>' if len(source.views) > 1 else "")


def _description(source: Source, name: str) -> str:
    scenario = source.results.scenario
    var = scenario.state.get(name)
    if var is None or not var.description:
        return ""
    return f'<p class="note">{esc(var.description)}</p>'
