"""Escalation paths: a Sankey of rung transitions step by step (aggregated here from
``rung_path``), the most common rung sequences and the paths to each outcome (from
``simulator.analysis.paths`` when it exists, else from :mod:`simulator.report.paths`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.analysis.paths import escalation_paths
from simulator.errors import GeosimError
from simulator.report.context import Context, Source, View
from simulator.report.figures_analysis import failed
from simulator.report.figures_ladder import rung_colors
from simulator.report.figures_outcomes import outcome_label, source_wrap
from simulator.report.html import esc, note, pct, plot_label, table, view_block
from simulator.report.paths import rung_paths_summary
from simulator.report.plotting import figure_json, new_figure, rgba, view_meta

MAX_SHOWN = 12  # elements of a sequence written out


def step_paths(source: Source, view: View) -> dict[str, Any]:
    """Step-by-step transitions for the Sankey (computed here from ``rung_path``)."""
    ladder = view.model.ladder
    assert ladder is not None
    table_ = source.columns(["variant", "rung_path"])
    column = table_.column("rung_path").filter(source.variant_mask(view.variant))
    return rung_paths_summary(column, list(ladder.rungs), list(ladder.labels))


def analysis_paths(source: Source, view: View) -> dict[str, Any] | None:
    """``simulator.analysis.paths.escalation_paths`` (None when it returns no mapping)."""
    data = escalation_paths(source.results, view.variant)
    return dict(data) if isinstance(data, dict) else None


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
            steps = step_paths(source, view)
            fig.add_trace(_sankey(view, steps, [plot_label(x, 24) for x in ladder.labels], colors))
            try:
                extra = analysis_paths(source, view)
            except GeosimError as exc:
                extra = None
                tables.append(view_block(view.key, failed("Escalation paths", exc)))
            sequences = (_from_analysis(extra.get("top_sequences", []))
                         if extra is not None else steps["sequences"])
            block = ("<h3>Most common rung sequences</h3>" + _sequences_table(sequences)
                     + (_by_outcome(view, extra) if extra is not None else ""))
            tables.append(view_block(view.key, block))
        inner = (note("Each column is one more move on the ladder; band widths are numbers of "
                      "runs. Runs whose path ends earlier leave the diagram.")
                 + ctx.add_figure(figure_json(fig)) + "".join(tables))
        out.append(source_wrap(ctx, source.key, source.title, inner))
    return "".join(out)


def _from_analysis(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"labels": r.get("labels") or r.get("rungs") or [], "runs": r.get("count", 0),
             "share": r.get("share", 0.0)} for r in rows]


def _by_outcome(view: View, data: dict[str, Any]) -> str:
    """Paths *to* each outcome: rung and option sequences up to the moment it happens."""
    parts = []
    for name, entry in (data.get("by_outcome") or {}).items():
        label = entry.get("label") or outcome_label(view, str(name))
        runs = int(entry.get("runs", 0))
        if not runs:
            continue
        rungs = _sequences_table(_from_analysis(entry.get("rung_sequences", [])[:5]))
        options = [{"labels": r.get("labels") or r.get("options") or [],
                    "runs": r.get("count", 0), "share": r.get("share", 0.0)}
                   for r in entry.get("option_sequences", [])[:3]]
        parts.append(f'<details class="more"><summary>Paths to “{esc(label)}” '
                     f"({runs:,} runs)</summary><h4>Rungs, up to the outcome</h4>{rungs}"
                     f"<h4>Moves, up to the outcome</h4>"
                     f"{_sequences_table(options, header='sequence of moves')}</details>")
    if not parts:
        return ""
    return "<h3>How each outcome comes about</h3>" + "".join(parts)


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
    link_colors = [rgba(node_colors[d], 0.4) for d in dst]
    return go.Sankey(
        arrangement="snap", meta=view_meta(view.key), valueformat=",d",
        node={"label": node_labels, "color": node_colors, "x": xs, "y": ys, "pad": 14,
              "thickness": 14, "line": {"color": "white", "width": 0.5},
              "hovertemplate": "%{label}: %{value:,} runs<extra></extra>"},
        link={"source": src, "target": dst, "value": val, "color": link_colors,
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,} runs"
                               "<extra></extra>"})


def _sequences_table(sequences: list[dict[str, Any]], *,
                     header: str = "sequence of rungs") -> str:
    rows = []
    for seq in sequences:
        labels = list(seq.get("labels") or [str(r) for r in seq.get("path", [])])
        cut = seq.get("truncated") or len(labels) > MAX_SHOWN
        text = " → ".join(esc(x) for x in labels[:MAX_SHOWN]) + (" → …" if cut else "")
        share = float(seq.get("share", 0.0))
        bar = (f'<span class="bar" style="width:{np.clip(share * 100, 0, 100):.1f}%"></span>')
        rows.append([text, f'{int(seq.get("runs", 0)):,}',
                     f'<span class="barcell">{bar}<span>{esc(pct(share))}</span></span>'])
    if not rows:
        return note("No rung sequences recorded.")
    return table([header, "runs", "share"], rows, numeric=(1,))
