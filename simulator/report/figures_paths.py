"""Escalation paths: a Sankey of rung transitions and the most common rung sequences."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.report.context import Context, Source, View
from simulator.report.figures_ladder import rung_colors
from simulator.report.figures_outcomes import source_wrap
from simulator.report.html import esc, note, pct, plot_text, table, view_block
from simulator.report.paths import rung_paths_summary
from simulator.report.plotting import figure_json, new_figure, rgba, view_meta


def paths_for(source: Source, view: View) -> dict[str, Any]:
    """``simulator.analysis.paths.escalation_paths`` when it exists, else the local one."""
    ladder = view.model.ladder
    assert ladder is not None
    try:
        from simulator.analysis.paths import escalation_paths
    except ImportError:
        escalation_paths = None  # type: ignore[assignment]
    if escalation_paths is not None:
        data = escalation_paths(source.results, view.variant)
        if isinstance(data, dict) and "transitions" in data and "sequences" in data:
            return data
    table_ = source.columns(["variant", "rung_path"])
    mask = source.variant_mask(view.variant)
    column = table_.column("rung_path").filter(mask)
    return rung_paths_summary(column, list(ladder.rungs), list(ladder.labels))


def paths_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        ladder = source.baseline.model.ladder
        if ladder is None:
            continue
        colors = rung_colors(len(ladder.rungs))
        fig = new_figure(height=380, margin={"l": 10, "r": 10, "t": 10, "b": 10})
        tables = []
        for view in source.views:
            data = paths_for(source, view)
            fig.add_trace(_sankey(view, data, [plot_text(x) for x in ladder.labels], colors))
            tables.append(view_block(view.key, _sequences_table(data)))
        inner = (note("Each column is one more move on the ladder; band widths are numbers of "
                      "runs. Runs whose path ends earlier leave the diagram.")
                 + ctx.add_figure(figure_json(fig))
                 + "<h3>Most common rung sequences</h3>" + "".join(tables))
        out.append(source_wrap(ctx, source.key, source.title, inner))
    return "".join(out)


def _sankey(view: View, data: dict[str, Any], labels: list[str], colors: list[str]) -> Any:
    import plotly.graph_objects as go

    nodes: dict[tuple[int, int], int] = {}

    def node(step: int, rung: int) -> int:
        return nodes.setdefault((step, rung), len(nodes))

    for rung in sorted(int(r) for r in data.get("start", {})):
        node(0, rung)
    src, dst, val = [], [], []
    for t in data["transitions"]:
        src.append(node(int(t["step"]), int(t["from"])))
        dst.append(node(int(t["step"]) + 1, int(t["to"])))
        val.append(int(t["runs"]))
    n_steps = max((s for s, _ in nodes), default=0) + 1
    keys = list(nodes)
    node_labels = [labels[r] if 0 <= r < len(labels) else str(r) for _, r in keys]
    node_colors = [colors[r] if 0 <= r < len(colors) else "#999" for _, r in keys]
    n_rungs = max(len(labels), 1)
    xs = [0.001 + 0.998 * s / max(n_steps - 1, 1) for s, _ in keys]
    ys = [0.001 + 0.998 * (n_rungs - 1 - r) / max(n_rungs - 1, 1) for _, r in keys]
    link_colors = [rgba(node_colors[d] if node_colors[d].startswith("#") else "#999999", 0.45)
                   for d in dst]
    return go.Sankey(
        arrangement="snap", meta=view_meta(view.key), valueformat=",d",
        node={"label": node_labels, "color": node_colors, "x": xs, "y": ys, "pad": 14,
              "thickness": 14, "line": {"color": "white", "width": 0.5},
              "hovertemplate": "%{label}: %{value:,} runs<extra></extra>"},
        link={"source": src, "target": dst, "value": val, "color": link_colors,
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,} runs"
                               "<extra></extra>"})


def _sequences_table(data: dict[str, Any]) -> str:
    rows = []
    for seq in data.get("sequences", []):
        labels = seq.get("labels") or [str(r) for r in seq.get("path", [])]
        text = " → ".join(esc(x) for x in labels) + (" → …" if seq.get("truncated") else "")
        share = float(seq.get("share", 0.0))
        bar = (f'<span class="bar" style="width:{np.clip(share * 100, 0, 100):.1f}%"></span>')
        rows.append([text, f'{int(seq.get("runs", 0)):,}',
                     f'<span class="barcell">{bar}<span>{esc(pct(share))}</span></span>'])
    if not rows:
        return note("No rung sequences recorded.")
    return table(["sequence of rungs", "runs", "share"], rows, numeric=(1,))
