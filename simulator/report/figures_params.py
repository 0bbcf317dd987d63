"""Parameters with their distributions (5–50–95 in the user's units), the evidence
register's claims they cite, the scenario's key assumptions and reproducibility."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.model.model import ParameterSpec
from simulator.report.context import Context, Source
from simulator.report.figures_assumptions import broken_note
from simulator.report.figures_outcomes import source_wrap
from simulator.report.figures_provenance import provenance_block
from simulator.report.html import esc, note, table, view_block


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "–"
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.3g}"
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def quantile_row(p: ParameterSpec) -> tuple[list[float], str]:
    """(5th, 50th, 95th percentile) in the user's units, and the unit text."""
    q = p.quantity
    try:
        values = np.asarray(q.distribution.ppf(np.array([0.05, 0.5, 0.95])), dtype=float)
        shown = [float(v) * q.display_scale for v in values]
    except (ValueError, TypeError, FloatingPointError):
        shown = [float("nan")] * 3
    unit = q.display_unit or ""
    return shown, unit


def _sketch(lo: float, mid: float, hi: float) -> str:
    """A tiny inline bar: where the median sits inside the 90 % interval."""
    if not all(np.isfinite([lo, mid, hi])) or hi <= lo:
        return '<span class="sketch sketch-point"><i style="left:50%"></i></span>'
    pos = (mid - lo) / (hi - lo) * 100
    return f'<span class="sketch"><i style="left:{np.clip(pos, 0, 100):.1f}%"></i></span>'


def has_parameters(ctx: Context) -> bool:
    return any(v.model.parameters for v in ctx.views)


def parameters_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        blocks = []
        for view in source.views:
            rows = []
            for p in sorted(view.model.parameters, key=lambda s: (s.hidden, s.name)):
                (lo, mid, hi), unit = quantile_row(p)
                unit_html = f' <span class="muted">{esc(unit)}</span>' if unit else ""
                cites = " ".join(ctx.evidence_link(source, e) for e in p.evidence)
                flags = []
                if p.assumption:
                    flags.append('<span class="tag">assumption</span>')
                if p.hidden:
                    flags.append('<span class="tag">inline rate</span>')
                name = (f"<strong>{esc(p.label or p.name)}</strong>"
                        + (f' <code>{esc(p.name)}</code>' if p.label and p.label != p.name
                           else "") + " " + "".join(flags))
                rows.append([
                    name + (f'<div class="muted small">{esc(p.note)}</div>' if p.note else ""),
                    f"<code>{esc(p.quantity.text)}</code>",
                    esc(_fmt(lo)) + unit_html, esc(_fmt(mid)) + unit_html,
                    esc(_fmt(hi)) + unit_html, _sketch(lo, mid, hi), cites or "–"])
            if rows:
                blocks.append(view_block(view.key, table(
                    ["parameter", "as written", "5th pct", "median", "95th pct", "90% range",
                     "evidence"], rows, numeric=(2, 3, 4))))
            else:
                blocks.append(view_block(view.key, note("This scenario has no parameters.")))
        blocks.append(_correlations(ctx, source))
        blocks.append(provenance_block(ctx, source))
        out.append(source_wrap(ctx, source.key, source.title, "".join(blocks)))
    return "".join(out)


def _correlations(ctx: Context, source: Source) -> str:
    """The declared correlations between parameters (the same in every variant)."""
    pairs = source.results.scenario.correlations
    if not pairs:
        return ""
    rows = [[f"<code>{esc(c.between[0])}</code> and <code>{esc(c.between[1])}</code>",
             esc(f"{c.rho:+.2f}"), esc(c.note) or "–",
             " ".join(ctx.evidence_link(source, e) for e in c.evidence) or "–"]
            for c in pairs]
    return ("<h3>Correlated parameters</h3>"
            + note("Their draws move together (a Gaussian copula on the normal scores); "
                   "each keeps the distribution above.")
            + table(["parameters", "rho", "why", "evidence"], rows, numeric=(1,)))


# ------------------------------------------------------------------ evidence


def _citations(source: Source) -> dict[str, list[str]]:
    """Claim id → what cites it (plain text)."""
    scen = source.results.scenario
    cited: dict[str, list[str]] = {}
    for i, a in enumerate(scen.key_assumptions):
        for e in a.evidence:
            cited.setdefault(e, []).append(f"key assumption {i + 1}")
    for name, p in scen.parameters.items():
        for e in p.evidence:
            cited.setdefault(e, []).append(f"parameter {p.label or name}")
    for actor_id, actor in scen.actors.items():
        for option_id, option in actor.options.items():
            for e in option.evidence:
                cited.setdefault(e, []).append(f"option {actor_id}.{option_id}")
    return cited


def evidence_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        cited = _citations(source)
        claims = source.evidence
        ids = sorted(set(claims) | set(cited))
        parts = [note(source.evidence_note)] if source.evidence_note else []
        items = []
        for claim in ids:
            data: dict[str, Any] = claims.get(claim, {})
            anchor = ctx.evidence_anchor(source, claim)
            id_attr = f' id="{esc(anchor)}"' if anchor else ""
            actors = data.get("actors") or []
            if isinstance(actors, str):
                actors = [actors]
            meta = []
            if data.get("kind"):
                meta.append(f'<span class="tag">{esc(data["kind"])}</span>')
            if actors:
                meta.append('<span class="muted">actors: '
                            + esc(", ".join(str(a) for a in actors)) + "</span>")
            text = (f'<p class="claim-text">{esc(data["text"])}</p>' if data.get("text")
                    else '<p class="claim-text muted">(claim text not available)</p>')
            sources = data.get("source") or []
            if not isinstance(sources, list):
                sources = [sources]
            src = (f'<p class="claim-source">Source: {esc(", ".join(map(str, sources)))}</p>'
                   if sources else "")
            by = (f'<p class="muted small">Cited by: {esc("; ".join(cited[claim]))}</p>'
                  if claim in cited else '<p class="muted small">Not cited by the scenario.</p>')
            items.append(f'<li class="claim"{id_attr}><div class="claim-head"><code>'
                         f'{esc(claim)}</code> {" ".join(meta)}</div>{text}{src}{by}</li>')
        if items:
            parts.append('<ul class="claims">' + "".join(items) + "</ul>")
        else:
            parts.append(note("The scenario cites no evidence."))
        out.append(source_wrap(ctx, source.key, source.title, "".join(parts)))
    return "".join(out)


# ------------------------------------------------------------------ about and reproducibility


READING_GUIDE = (
    '<p class="note">New to these reports? geosim\'s documentation explains how to read '
    "one (<code>docs/reading-the-report.md</code>) and the words it uses, such as hazard, "
    "ICD 203 words, confidence, common random numbers, signpost, likelihood ratio and "
    "sensitivity index (<code>docs/glossary.md</code>).</p>")


def about_section(ctx: Context) -> str:
    out = [READING_GUIDE]
    for source in ctx.sources:
        scen = source.results.scenario
        parts = []
        if scen.description:
            parts.append(f'<p class="lede">{esc(scen.description)}</p>')
        facts = [("starts", scen.as_of.isoformat()), ("horizon", str(scen.horizon)),
                 ("runs per variant", f"{source.results.runs:,}"),
                 ("variants", str(len(source.views)))]
        parts.append('<dl class="facts">' + "".join(
            f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts) + "</dl>")
        variant_items = []
        for view in source.views:
            spec = scen.variants.get(view.variant)
            desc = spec.description if spec is not None else "the scenario as written"
            variant_items.append(
                f'<li><span class="swatch" style="background:{view.color}"></span>'
                f"<strong>{esc(view.label)}</strong>"
                + (f" — {esc(desc)}" if desc else "") + "</li>")
        parts.append('<h3>Variants</h3><ul class="variants">' + "".join(variant_items) + "</ul>")
        if scen.key_assumptions:
            lis = "".join(
                f"<li>{esc(a.text)} "
                + " ".join(ctx.evidence_link(source, e) for e in a.evidence)
                + broken_note(source, a.broken_by) + "</li>"
                for a in scen.key_assumptions)
            parts.append(f'<h3>Key assumptions</h3><ol class="assumptions">{lis}</ol>')
        out.append(source_wrap(ctx, source.key, source.title, "".join(parts)))
    return "".join(out)


def reproduce_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        m = source.results.manifest
        command = str(m.get("command") or "")
        rows = [
            ("scenario", f'{m.get("scenario_id", "")} — {m.get("scenario_file", "")}'),
            ("scenario SHA-256", m.get("scenario_sha256", "")),
            ("seed", m.get("seed", "")), ("runs per variant", f'{int(m.get("runs", 0)):,}'),
            ("variants", ", ".join(str(v) for v in m.get("variants", []))),
            ("engine / executor", (f'{m.get("engine", "")} / {m.get("executor", "")} '
                                  f'({m.get("workers", "?")} workers, chunks of '
                                  f'{m.get("chunk_size", "?")})')),
            ("versions", (f'geosim {m.get("version", "")}, Python {m.get("python", "")}, '
                         f'NumPy {m.get("numpy", "")}, SimPy {m.get("simpy", "")}')),
            ("run at", (f'{m.get("started", "")} → {m.get("finished", "")} '
                       f'({m.get("seconds", "?")} s)')),
            ("digest (all runs)", m.get("digest", "")),
        ]
        rows += [(f"digest · {v}", d) for v, d in (m.get("variant_digests") or {}).items()]
        body = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>"
                       for k, v in rows)
        cmd = (f'<p>Run this command in the project folder to get the same runs; the digests '
               f'must match.</p><pre class="cmd"><code>{esc(command)}</code></pre>'
               if command else note("The command was not recorded."))
        out.append(source_wrap(ctx, source.key, source.title,
                               cmd + f'<div class="table-wrap"><table class="kv">{body}'
                               f"</table></div>"))
    return "".join(out)
