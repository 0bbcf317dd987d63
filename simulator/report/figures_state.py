"""Fan charts of state variables from the timeline histograms."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.report.context import Context, Source
from simulator.report.figures_outcomes import compact, source_wrap, time_axis
from simulator.report.html import esc, plot_text
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
    out = []
    for source in ctx.sources:
        timeline = source.results.timeline
        grid = np.asarray(timeline["grid"], dtype=float)
        cards = []
        for spec in source.baseline.model.state:
            if spec.is_ladder or f"edges.{spec.name}" not in timeline:
                continue
            edges = timeline[f"edges.{spec.name}"]
            fig = new_figure(height=280, showlegend=False, hovermode="x unified")
            for view in source.views:
                hist = timeline.get(f"hist.{view.variant}.{spec.name}")
                if hist is None:
                    continue
                q = compact(hist_quantiles(hist, edges))
                xs = time_axis(view, grid)
                meta = view_meta(view.key)
                for lo, hi, alpha, band in ((0, 4, 0.18, "90%"), (1, 3, 0.35, "50%")):
                    fig.add_scatter(**xs, y=q[:, lo], mode="lines", line={"width": 0},
                                    hoverinfo="skip", meta=meta, showlegend=False)
                    fig.add_scatter(**xs, y=q[:, hi], mode="lines", line={"width": 0},
                                    fill="tonexty", fillcolor=rgba(view.color, alpha),
                                    name=f"{band} band", meta=meta, hoverinfo="skip")
                fig.add_scatter(**xs, y=q[:, 2], mode="lines", name="median",
                                line={"color": view.color, "width": 2.5}, meta=meta,
                                customdata=np.stack([q[:, 0], q[:, 1], q[:, 3], q[:, 4]], 1),
                                hovertemplate="median %{y:.3g}<br>50%: %{customdata[1]:.3g}"
                                              "–%{customdata[2]:.3g}<br>90%: "
                                              "%{customdata[0]:.3g}–%{customdata[3]:.3g}"
                                              "<extra>" + plot_text(view.label) + "</extra>")
            _baseline_reference(fig, source, spec.name, grid)
            fig.update_xaxes(type="date")
            if np.isfinite(spec.lo) and np.isfinite(spec.hi) and spec.hi > spec.lo:
                pad = (spec.hi - spec.lo) * 0.03
                fig.update_yaxes(range=[spec.lo - pad, spec.hi + pad])
            desc = _description(source, spec.name)
            cards.append(f'<div class="fan"><h3>{esc(spec.label or spec.name)}</h3>'
                         f'{desc}{ctx.add_figure(figure_json(fig))}</div>')
        if cards:
            out.append(source_wrap(ctx, source.key, source.title,
                                   '<div class="grid2">' + "".join(cards) + "</div>"))
    return "".join(out)


def _baseline_reference(fig: Any, source: Source, name: str, grid: np.ndarray) -> None:
    """Behind each other variant's fan, the baseline's median as a grey dashed line: the
    comparison is the point, and flipping the selector back and forth is not a comparison."""
    base = source.baseline
    hist = source.results.timeline.get(f"hist.{base.variant}.{name}")
    if hist is None or len(source.views) < 2:
        return
    median = compact(hist_quantiles(hist, source.results.timeline[f"edges.{name}"]))[:, 2]
    for view in source.views:
        if view is base:
            continue
        fig.add_scatter(**time_axis(base, grid), y=median, mode="lines",
                        name="baseline median", meta=view_meta(view.key),
                        line={"color": "#7b8794", "width": 1.5, "dash": "dash"},
                        hovertemplate="baseline median %{y:.3g}<extra></extra>")


def _description(source: Source, name: str) -> str:
    scenario = source.results.scenario
    var = scenario.state.get(name)
    if var is None or not var.description:
        return ""
    return f'<p class="note">{esc(var.description)}</p>'
