"""Escalation paths, from :func:`simulator.analysis.paths.escalation_paths`: a Sankey of
the first moves on the ladder step by step, the most common rung sequences and the paths
to each outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.analysis.paths import escalation_paths
from simulator.errors import GeosimError
from simulator.report.context import Context, Source, View
from simulator.report.figures_analysis import failed
from simulator.report.figures_ladder import rung_colors
from simulator.report.figures_outcomes import outcome_label, source_wrap
from simulator.report.html import esc, note, pct, plot_label, table, view_block
from simulator.report.plotting import figure_json, new_figure, rgba, view_meta

if TYPE_CHECKING:
    from simulator.analysis.rows import EscalationPaths, RungSequence

MAX_SHOWN = 12  # elements of a sequence written out
MIN_RECURRING_SHARE = 0.01  # sequences of moves shown only if this share of runs share them
MIN_RECURRING_RUNS = 10


def analysis_paths(source: Source, view: View) -> EscalationPaths:
    """The escalation paths of ``view`` (:func:`simulator.analysis.paths.escalation_paths`)."""
    return escalation_paths(source.results, view.variant)


def paths_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        ladder = source.baseline.model.ladder
        if ladder is None:
            continue
        colors = rung_colors(len(ladder.rungs))
        # tall enough for every rung's node and its label in each column
        fig = new_figure(height=160 + 44 * len(ladder.rungs),
                         margin={"l": 10, "r": 10, "t": 10, "b": 10})
        tables = []
        labels = [plot_label(x, 30) for x in ladder.labels]
        for view in source.views:
            try:
                data = analysis_paths(source, view)
            except GeosimError as exc:
                tables.append(view_block(view.key, failed("Escalation paths", exc)))
                continue
            fig.add_trace(_sankey(view, data, labels, colors))
            block = ("<h3>Most common rung sequences</h3>"
                     + _sequences_table(_from_analysis(data.get("top_sequences", [])))
                     + _by_outcome(view, data))
            tables.append(view_block(view.key, block))
        inner = (note("Each column is one more move on the ladder; band widths are numbers of "
                      "runs. Runs whose path ends earlier leave the diagram.")
                 + ctx.add_figure(figure_json(fig)) + "".join(tables))
        out.append(source_wrap(ctx, source.key, source.title, inner))
    return "".join(out)


def _from_analysis(rows: list[RungSequence]) -> list[dict[str, Any]]:
    return [{"labels": r.get("labels") or r.get("rungs") or [], "runs": r.get("count", 0),
             "share": r.get("share", 0.0)} for r in rows]


def _by_outcome(view: View, data: EscalationPaths) -> str:
    """Paths *to* each outcome: rung and option sequences up to the moment it happens."""
    parts = []
    for name, entry in (data.get("by_outcome") or {}).items():
        label = entry.get("label") or outcome_label(view, str(name))
        runs = int(entry.get("runs", 0))
        if not runs:
            continue
        rungs = _sequences_table(_from_analysis(entry.get("rung_sequences", [])[:5]))
        # a sequence of moves seen in a handful of runs says nothing about the outcome
        recurring = max(MIN_RECURRING_RUNS, MIN_RECURRING_SHARE * runs)
        options = [{"labels": r.get("labels") or r.get("options") or [],
                    "runs": r.get("count", 0), "share": r.get("share", 0.0)}
                   for r in entry.get("option_sequences", [])[:3]
                   if float(r.get("count", 0)) >= recurring]
        moves = (_sequences_table(options, header="sequence of moves") if options else note(
            f"No sequence of moves recurs in {MIN_RECURRING_SHARE:.0%} or more of these "
            "runs: the moves that lead here differ from run to run."))
        parts.append(f'<details class="more"><summary>Paths to “{esc(label)}” '
                     f"({runs:,} runs)</summary><h4>Rungs, up to the outcome</h4>{rungs}"
                     f"<h4>Moves, up to the outcome</h4>{moves}</details>")
    if not parts:
        return ""
    return "<h3>How each outcome comes about</h3>" + "".join(parts)


def _sankey(view: View, data: EscalationPaths, labels: list[str], colors: list[str]) -> Any:
    import plotly.graph_objects as go

    nodes: dict[tuple[int, int], int] = {}

    def node(step: int, rung: int) -> int:
        return nodes.setdefault((step, rung), len(nodes))

    for rung in sorted(int(r) for r in data.get("start", {})):
        node(0, rung)
    src, dst, val = [], [], []
    for t in data.get("step_transitions", []):
        src.append(node(int(t["step"]), int(t["from"])))
        dst.append(node(int(t["step"]) + 1, int(t["to"])))
        val.append(int(t["runs"]))
    keys = list(nodes)
    node_labels = [labels[r] if 0 <= r < len(labels) else str(r) for _, r in keys]
    node_colors = [colors[r] if 0 <= r < len(colors) else "#999" for _, r in keys]
    link_colors = [rgba(node_colors[d], 0.4) for d in dst]
    return go.Sankey(
        # Plotly places the nodes (fixed positions ignored the nodes' heights and let
        # heavy flows run past the bottom edge)
        arrangement="snap", meta=view_meta(view.key), valueformat=",d",
        node={"label": node_labels, "color": node_colors, "pad": 10,
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
        # the bar is the cell's background, its length a custom property (whole percents)
        bar = f'<span class="barcell" style="--w:{np.clip(share * 100, 0, 100):.0f}">'
        rows.append([text, f'{int(seq.get("runs", 0)):,}', f"{bar}{esc(pct(share))}</span>"])
    if not rows:
        return note("No rung sequences recorded.")
    return table([header, "runs", "share"], rows, numeric=(1,))
