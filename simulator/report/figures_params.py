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
    if q.kind == "rate" and "%" in q.text and all(np.isfinite(shown)):
        # written as a chance per period ("0.3% to 2% per month"): show it that way, not as
        # the equivalent hazard −ln(1 − p) the model uses
        shown = [100 * -float(np.expm1(-v)) for v in shown]
        unit = f"% {unit}".rstrip() if unit else "%"
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
        base = source.baseline
        as_in_base = {p.name: p.quantity.text for p in base.model.parameters}
        for view in source.views:
            rows = []
            # a variant's table lists only what it changes: the rest is the baseline's
            changed = [p for p in view.model.parameters
                       if view is base or as_in_base.get(p.name) != p.quantity.text]
            for p in sorted(changed, key=lambda s: (s.hidden, s.name)):
                (lo, mid, hi), unit = quantile_row(p)
                unit_html = (f'<span class="muted">{esc(unit)}</span>' if unit.startswith("%")
                             else f' <span class="muted">{esc(unit)}</span>' if unit else "")
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
            same = (note(f"The {len(view.model.parameters) - len(changed)} other parameters are "
                         "as in the baseline (select it to see them).")
                    if view is not base and len(changed) < len(view.model.parameters) else "")
            if rows:
                blocks.append(view_block(view.key, same + table(
                    ["parameter", "as written", "5th pct", "median", "95th pct", "90% range",
                     "evidence"], rows, numeric=(2, 3, 4))))
            elif view is not base:
                blocks.append(view_block(view.key, same or note(
                    "This variant changes no parameter.")))
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
            src = (f'<p class="claim-source">Source: '
                   f'{"; ".join(_source_text(source, str(s)) for s in sources)}</p>'
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


def _source_text(source: Source, source_id: str) -> str:
    """A cited source document as a reader wants it: headline, outlet (and the outlet it
    cites), date; its id last, small. The bare id when the document is not registered."""
    doc = source.evidence_sources.get(source_id) or {}
    headline = doc.get("headline") or doc.get("title")
    details = [str(doc[k]) for k in ("outlet", "published") if doc.get(k)]
    if doc.get("cites"):
        details.insert(1 if doc.get("outlet") else 0, f"citing {doc['cites']}")
    more = f" — {esc(', '.join(details))}" if details else ""
    if not headline:
        return f"<code>{esc(source_id)}</code>{more}"
    return f'“{esc(headline)}”{more} <code class="muted small">{esc(source_id)}</code>'


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
