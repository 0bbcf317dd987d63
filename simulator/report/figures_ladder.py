"""The escalation ladder: chance of reaching each rung and rung occupancy over time."""

from __future__ import annotations

import numpy as np
from plotly.colors import sample_colorscale

from simulator.report.context import Context, Source
from simulator.report.figures_outcomes import compact, source_wrap, time_axis
from simulator.report.html import esc, plot_label, plot_text
from simulator.report.plotting import figure_json, new_figure, view_meta


def rung_colors(n: int) -> list[str]:
    """A sequential, lightness-ordered scale (readable with colour-vision deficiencies)."""
    if n == 1:
        return ["#fdae61"]
    return list(sample_colorscale("YlOrRd", [0.12 + 0.83 * i / (n - 1) for i in range(n)]))


def has_ladder(ctx: Context) -> bool:
    return any(s.baseline.model.ladder is not None for s in ctx.sources)


def ladder_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        if source.baseline.model.ladder is None:
            continue
        inner = ("<h3>Chance of reaching each rung</h3>" + _reach(ctx, source)
                 + _thresholds(source) + _past_thresholds(ctx, source)
                 + "<h3>Where runs are, over time</h3>" + _occupancy(ctx, source))
        out.append(source_wrap(ctx, source.key, source.title, inner))
    return "".join(out)


def _thresholds(source: Source) -> str:
    ladder = source.baseline.model.ladder
    if ladder is None or not ladder.thresholds:
        return ""
    items = "".join(
        f"<li><strong>{esc(label or name)}</strong>: crossed on reaching "
        f"“{esc(ladder.labels[r])}”</li>" for name, r, label in ladder.thresholds)
    return f'<ul class="thresholds">{items}</ul>'


def _reach(ctx: Context, source: Source) -> str:
    ladder = source.baseline.model.ladder
    assert ladder is not None
    # every variant side by side, one bar each per rung, in the variant's colour
    n_views = len(source.views)
    fig = new_figure(height=110 + len(ladder.rungs) * (16 + 11 * n_views), barmode="group")
    labels = [plot_label(x, 36) for x in ladder.labels]
    for view in source.views:
        rungs = view.summary.get("rungs", {})
        p = np.array([rungs.get(r, {}).get("probability", np.nan) for r in ladder.rungs]) * 100
        ci = [rungs.get(r, {}).get("ci95", [np.nan, np.nan]) for r in ladder.rungs]
        lo = np.array([c[0] for c in ci]) * 100
        hi = np.array([c[1] for c in ci]) * 100
        fig.add_bar(y=labels, x=p, name=plot_label(view.label), marker_color=view.color,
                    orientation="h",
                    text=[f"{v:.0f}%" for v in p] if n_views == 1 else None,
                    textposition="auto", insidetextanchor="end",
                    insidetextfont={"color": "white"},
                    error_x={"type": "data", "symmetric": False, "array": hi - p,
                             "arrayminus": p - lo, "color": "#52606d", "thickness": 1.2},
                    hovertemplate="%{y}: %{x:.0f}%<extra>" + plot_text(view.label) + "</extra>")
    for name, r, label in ladder.thresholds:
        fig.add_hline(y=r - 0.5, line={"dash": "dash", "color": "#323f4b", "width": 1.2})
        fig.add_annotation(y=r - 0.5, x=1.0, xref="paper", xanchor="right", yanchor="bottom",
                           showarrow=False, text=plot_label(label or name, 48),
                           font={"size": 10, "color": "#323f4b"}, bgcolor="rgba(255,255,255,.85)")
    fig.update_xaxes(range=[0, 112], ticksuffix="%", dtick=20,
                     title_text="chance of reaching the rung")
    fig.update_yaxes(categoryorder="array", categoryarray=labels)
    fig.update_layout(showlegend=n_views > 1, margin={"t": 10, "b": 50}, bargap=0.25,
                      legend={"y": 0, "yanchor": "bottom", "yref": "container",
                              "traceorder": "normal"})
    return ctx.add_figure(figure_json(fig), cls="plot-all")


def _occupancy(ctx: Context, source: Source) -> str:
    ladder = source.baseline.model.ladder
    assert ladder is not None
    timeline = source.results.timeline
    grid = np.asarray(timeline["grid"], dtype=float)
    colors = rung_colors(len(ladder.rungs))
    fig = new_figure(height=380)
    for view in source.views:
        hist = timeline.get(f"hist.{view.variant}.{ladder.variable}")
        if hist is None:
            continue
        counts = np.asarray(hist, dtype=float)
        share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) * 100
        xs = time_axis(view, grid)
        for r, label in enumerate(ladder.labels):
            if r >= share.shape[1]:
                break
            fig.add_scatter(**xs, y=compact(share[:, r]), name=plot_label(label, 30),
                            stackgroup=view.key, mode="lines",
                            line={"width": 0.5, "color": colors[r]}, fillcolor=colors[r],
                            meta=view_meta(view.key),
                            hovertemplate="%{x}: %{y:.1f}%<extra>" + plot_text(label)
                                          + "</extra>")
    fig.update_yaxes(range=[0, 100], ticksuffix="%", title_text="share of runs")
    fig.update_xaxes(type="date")
    fig.update_layout(hovermode="x unified",
                      legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1,
                              "yanchor": "top", "traceorder": "reversed"})
    return ctx.add_figure(figure_json(fig))


THRESHOLD_ROW_HEIGHT = 190  # px per row of the small multiples


def _past_thresholds(ctx: Context, source: Source) -> str:
    """One small chart per threshold: the share of runs standing at or past it over time,
    one line per variant in the variant's colour (variants side by side; the stacked chart
    below shows one variant's whole ladder)."""
    from plotly.subplots import make_subplots

    from simulator.report.plotting import TEMPLATE

    ladder = source.baseline.model.ladder
    assert ladder is not None
    if not ladder.thresholds:
        return ""
    timeline = source.results.timeline
    grid = np.asarray(timeline["grid"], dtype=float)
    n = len(ladder.thresholds)
    n_cols = 2 if n > 1 else 1
    n_rows = -(-n // n_cols)
    titles = [plot_label(label or name, 48) for name, _, label in ladder.thresholds]
    fig = make_subplots(rows=n_rows, cols=n_cols, subplot_titles=titles,
                        horizontal_spacing=0.08, vertical_spacing=0.5 / max(n_rows, 1))
    fig.update_layout(template=TEMPLATE, height=90 + THRESHOLD_ROW_HEIGHT * n_rows,
                      margin={"t": 40, "b": 70},
                      legend={"y": 0, "yanchor": "bottom", "yref": "container"})
    fig.update_annotations(font={"size": 12})
    for view in source.views:
        hist = timeline.get(f"hist.{view.variant}.{ladder.variable}")
        if hist is None:
            continue
        counts = np.asarray(hist, dtype=float)
        share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) * 100
        xs = time_axis(view, grid)
        for j, (name, r, label) in enumerate(ladder.thresholds):
            fig.add_scatter(**xs, y=compact(share[:, r:].sum(axis=1)), mode="lines",
                            name=plot_label(view.label), legendgroup=view.key,
                            showlegend=j == 0, line={"color": view.color, "width": 2},
                            hovertemplate="%{x}: %{y:.0f}% at or past "
                                          + plot_text(label or name) + "<extra>"
                                          + plot_text(view.label) + "</extra>",
                            row=j // n_cols + 1, col=j % n_cols + 1)
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    fig.update_xaxes(type="date")
    return ("<h3>Runs past each threshold, variant by variant</h3>"
            + ctx.add_figure(figure_json(fig), cls="plot-all"))
