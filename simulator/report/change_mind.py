"""“What would change our mind”, per outcome: the inputs that move it most (a tornado
drawn from the runs, low fifth against high fifth of each input) and the signposts whose
sighting raises it most, with intervals and lead times. Also the signposts section,
grouped by outcome.

Drawn in HTML and CSS, not Plotly: a few dozen small bars print, scale and load better
than a few dozen figures.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from simulator.analysis.signposts import signposts
from simulator.errors import GeosimError
from simulator.report.bottom_line import ordered_outcomes, outcome_label
from simulator.report.context import Context, Source, View
from simulator.report.figures_analysis import failed
from simulator.report.html import esc, note, pct, view_block
from simulator.report.uncertainty import Spread, Swing, cached_spreads

if TYPE_CHECKING:
    from simulator.analysis.rows import SignpostRow

TOP_INPUTS = 4  # inputs shown per outcome
TOP_SIGNPOSTS = 2  # signposts shown per outcome in “what would change our mind”
MIN_LR = 1.2  # weaker signposts are not worth watching


def has_inputs(ctx: Context) -> bool:
    return any(v.model.parameters for v in ctx.views)


# ------------------------------------------------------------------ signposts (memoised)


def signpost_rows(ctx: Context, view: View) -> list[SignpostRow] | GeosimError:
    """The signposts analysis of ``view`` (computed once per report), or the error that
    explains why it could not be computed."""
    key = ("signposts", view.key)
    if key not in ctx.memo:
        try:
            ctx.memo[key] = list(signposts(view.source.results, view.variant))
        except GeosimError as exc:
            ctx.memo[key] = exc
    result: list[SignpostRow] | GeosimError = ctx.memo[key]
    return result


def _by_outcome(rows: list[SignpostRow]) -> dict[str, list[SignpostRow]]:
    """Rows worth watching (likelihood ratio above :data:`MIN_LR`), grouped by outcome,
    strongest first."""
    out: dict[str, list[SignpostRow]] = {}
    for r in rows:
        lr = _num(r.get("likelihood_ratio"))
        seen = _num(r.get("seen_first"))
        # a ratio from runs that never saw the indicator first is an artefact, not a sign
        if math.isfinite(lr) and lr > MIN_LR and seen != 0:
            out.setdefault(str(r.get("outcome")), []).append(r)
    for items in out.values():
        items.sort(key=lambda r: -_num(r.get("likelihood_ratio")))
    return out


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _interval(ci: Any, fmt: Any = pct) -> str:
    if not ci or len(ci) != 2 or not all(math.isfinite(_num(c)) for c in ci):
        return ""
    return f" [{fmt(_num(ci[0]))}–{fmt(_num(ci[1]))}]"


def _ratio(x: float) -> str:
    return f"×{x:.1f}" if math.isfinite(x) else "–"


def _lead(r: SignpostRow) -> str:
    lead = r["lead_time"]
    median = None if lead is None else lead["median"]
    if lead is None or median is None or not math.isfinite(median):
        return ""
    text = f"seen a median of {median:,.0f} days before"
    if lead["p10"] is not None and lead["p90"] is not None:
        text += f" (10–90%: {lead['p10']:,.0f}–{lead['p90']:,.0f} days)"
    return text


def _signpost_item(r: SignpostRow) -> str:
    label = str(r.get("indicator_label") or r.get("indicator"))
    seen = (f"{pct(_num(r.get('p_if_seen')))}{_interval(r.get('p_if_seen_ci95'))} if seen "
            f"first, {pct(_num(r.get('p_if_not_seen')))}"
            f"{_interval(r.get('p_if_not_seen_ci95'))} if not")
    lr = (f"likelihood ratio {_ratio(_num(r.get('likelihood_ratio')))}"
          f"{_interval(r.get('lr_ci95'), _ratio)}")
    lead = _lead(r)
    first = _num(r.get("seen_first"))
    runs = f"{int(first):,} runs saw it first" if math.isfinite(first) else ""
    parts = [seen, lr] + ([lead] if lead else []) + ([runs] if runs else [])
    return (f'<li><span class="sp-label">{esc(label)}</span>'
            f'<span class="sp-facts">{esc("; ".join(parts))}</span></li>')


# ------------------------------------------------------------------ the tornado


def _scale(spread: Spread, swings: list[Swing]) -> float:
    """Upper end of the bars' axis: the largest interval end, rounded up to 5 points."""
    top = max([spread.probability, *(s.ci_low[1] for s in swings),
               *(s.ci_high[1] for s in swings)])
    return min(1.0, max(0.05, math.ceil(top * 20) / 20))


def _tornado(spread: Spread) -> str:
    swings = list(spread.swings[:TOP_INPUTS])
    if not swings:
        return note("No uncertain input varies in this variant.")
    scale = _scale(spread, swings)

    def at(p: float) -> str:
        return f"{max(0.0, min(1.0, p / scale)) * 100:.1f}%"

    rows = []
    for s in swings:
        klass = "swing" if s.clear else "swing unclear"
        # positions as custom properties of the track; the stylesheet places the base
        # line, the bar between them and both ends (one short style per row, not four)
        rows.append(
            f'<div class="{klass}"><span>{esc(s.label)}</span>'
            # the numbers beside the track say the same in text: no aria-label needed
            f'<s aria-hidden="true" style="--b:{at(spread.probability)};'
            f'--l:{at(s.p_low)};--h:{at(s.p_high)}"><i></i><b></b><b></b></s>'
            f'<span>{esc(pct(s.p_low))} → {esc(pct(s.p_high))}</span></div>')
    legend = (f'<p class="swing-legend small muted">Line: overall {esc(pct(spread.probability))}'
              f"; axis 0–{esc(pct(scale))}.</p>")
    return '<div class="tornado">' + "".join(rows) + "</div>" + legend


def _explained(spread: Spread) -> str:
    share = ("almost none" if spread.explained < 0.01 else f"about {pct(spread.explained)}")
    rest = ("the rest is chance inside a run" if spread.explained < 0.5 else
            "better estimates of them would narrow it most")
    return (f"The inputs explain {share} of the run-to-run variation ({rest}); across their "
            f"plausible values the chance is {pct(spread.p10)}–{pct(spread.p90)} "
            "(10th–90th percentile).")


# ------------------------------------------------------------------ sections


def change_mind_section(ctx: Context) -> str:
    blocks = []
    for view in ctx.views:
        spreads = cached_spreads(ctx, view)
        rows = signpost_rows(ctx, view)
        grouped = {} if isinstance(rows, GeosimError) else _by_outcome(rows)
        parts = []
        for name in ordered_outcomes(view):
            spread = spreads.get(name)
            o = view.summary["outcomes"][name]
            head = (f'<h3>{esc(outcome_label(view, name))} <span class="muted small">'
                    f'{esc(pct(o["probability"]))}, {esc(o["words"])}</span></h3>')
            if spread is None:
                parts.append(head + note("Too few runs to tell which inputs move it."))
                continue
            signs = grouped.get(name, [])[:TOP_SIGNPOSTS]
            watch = ("<ul class=\"signposts\">" + "".join(_signpost_item(r) for r in signs)
                     + "</ul>") if signs else note(
                "No indicator raises its chance by more than ×1.2 when seen first.")
            if isinstance(rows, GeosimError):
                watch = failed("Signposts", rows)
            parts.append(
                head + f'<p class="note">{esc(_explained(spread))}</p><div class="grid2">'
                f'<div><h4>Inputs that move it most</h4>{_tornado(spread)}</div>'
                f"<div><h4>Signposts to watch</h4>{watch}</div></div>")
        blocks.append(view_block(view.key, "".join(parts)))
    # how to read the bars, once for every outcome and variant
    key = note("Each input's bar spans the share of runs reaching the outcome when the input "
               "is in the lowest fifth (○) and in the highest fifth (●) of its range; the thin "
               "line is the outcome's overall chance. Greyed: within simulation noise.")
    return key + "".join(blocks)


def signposts_section(ctx: Context) -> str:
    out = []
    for source in ctx.sources:
        if not source.baseline.model.indicators:
            continue
        out.append(_source_signposts(ctx, source))
    return "".join(out) or note("The scenario defines no indicators to watch.")


def _source_signposts(ctx: Context, source: Source) -> str:
    blocks = []
    for view in source.views:
        rows = signpost_rows(ctx, view)
        if isinstance(rows, GeosimError):
            blocks.append(view_block(view.key, failed("Signposts", rows)))
            continue
        grouped = _by_outcome(rows)
        parts = []
        for name in ordered_outcomes(view):
            items = grouped.get(name, [])
            body = ("<ul class=\"signposts\">" + "".join(_signpost_item(r) for r in items)
                    + "</ul>") if items else note("No indicator raises its chance by more "
                                                  "than ×1.2 when seen first.")
            parts.append(f"<h3>{esc(outcome_label(view, name))}</h3>{body}")
        blocks.append(view_block(view.key, "".join(parts)))
    wrapped = "".join(blocks)
    heading = f'<h3 class="source-title">{esc(source.title)}</h3>' if ctx.multi else ""
    return (f'<div data-source="{esc(source.key)}">{heading}'
            + note("For each outcome, the indicators whose first sighting raises its chance "
                   "most (likelihood ratio above ×1.2), with 95% intervals and how long "
                   "before the outcome they are typically seen.") + wrapped + "</div>")
