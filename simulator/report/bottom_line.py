"""The bottom line, first: a few generated sentences per variant that say what the runs
found for the key outcomes (ICD 203 words, whole percents, the spread across the
uncertain inputs, the strongest driver), then one card per outcome, key outcomes first.

Key outcomes are those the scenario marks ``key: true`` (the first outcome when none is
marked); the other outcomes follow in the scenario's order.
"""

from __future__ import annotations

from typing import Any

from simulator.report.context import Context, View
from simulator.report.html import days, esc, pct, view_block
from simulator.report.uncertainty import Spread, cached_spreads
from simulator.scenario.horizon import horizon_phrase

MAX_KEY_SENTENCES = 2  # key outcomes stated in words per variant


def ordered_outcomes(view: View) -> list[str]:
    """Outcome ids: key outcomes first, then the rest, each in the scenario's order."""
    spec = view.source.results.scenario.outcomes
    known = view.summary["outcomes"]
    # the scenario file's order (the compiled model sorts ids alphabetically)
    names = [n for n in spec if n in known] + [n for n in known if n not in spec]
    return ([n for n in names if _is_key(spec, n)]
            + [n for n in names if not _is_key(spec, n)])


def key_outcomes(view: View) -> list[str]:
    spec = view.source.results.scenario.outcomes
    names = ordered_outcomes(view)
    marked = [n for n in names if _is_key(spec, n)]
    return marked or names[:1]


def _is_key(spec: Any, name: str) -> bool:
    outcome = spec.get(name)
    return bool(getattr(outcome, "key", False))


def outcome_label(view: View, name: str) -> str:
    for o in view.model.outcomes:
        if o.name == name:
            return o.label or name
    return name


def precision(o: dict[str, Any]) -> str:
    """The run-to-run (Monte Carlo) half-width of the 95 % interval, in points."""
    lo, hi = o["ci95"]
    return f"±{(hi - lo) * 50:.1f} pt"


def input_range(spread: Spread | None) -> str:
    if spread is None:
        return ""
    return f"{pct(spread.p10)}–{pct(spread.p90)}"


# ------------------------------------------------------------------ sentences


def sentences(ctx: Context, view: View) -> list[str]:
    """2–4 plain-text sentences on what the runs of ``view`` found (escape before use)."""
    within = horizon_phrase(str(view.source.results.scenario.horizon))
    spreads = cached_spreads(ctx, view)
    out: list[str] = []
    keys = key_outcomes(view)
    for name in keys[:MAX_KEY_SENTENCES]:
        o = view.summary["outcomes"][name]
        spread = spreads.get(name)
        text = (f"Under {_variant_name(view)}, {_lower_first(outcome_label(view, name))} "
                f"{within} is {o['words']} (about {pct(o['probability'])})")
        if spread is not None and spread.p90 - spread.p10 >= 0.01:
            text += (f"; across the plausible values of the uncertain inputs it ranges "
                     f"from about {pct(spread.p10)} to {pct(spread.p90)}")
        out.append(text + ".")
    first = keys[0]
    comparison = _comparison(view, first)
    if comparison:
        out.append(comparison)
    spread = spreads.get(first)
    if spread is not None:
        out.append(_driver_sentence(spread))
    return out[:4]


def _driver_sentence(spread: Spread) -> str:
    share = ("almost none" if spread.explained < 0.01
             else f"about {pct(spread.explained)}")
    rest = ("the rest is chance inside a run" if spread.explained < 0.5
            else "chance inside a run explains the rest")
    top = spread.swings[0] if spread.swings else None
    if top is None or not top.clear:
        return (f"No single uncertain input moves it clearly beyond simulation noise; the "
                f"inputs together explain {share} of the run-to-run variation, and {rest}.")
    return (f"The input that moves it most is {_lower_first(top.label)}: about "
            f"{pct(top.p_low)} of runs reach it when that input is in the lowest fifth of its "
            f"range, {pct(top.p_high)} when it is in the highest. The uncertain inputs together "
            f"explain {share} of the run-to-run variation; {rest}.")


def _comparison(view: View, name: str) -> str:
    """How the other variants move the first key outcome (or how this one differs)."""
    source = view.source
    if len(source.views) < 2:
        return ""
    label = _lower_first(outcome_label(view, name))
    p = {v.key: v.summary["outcomes"].get(name) for v in source.views}
    base = source.baseline
    if view is not base:
        mine, theirs = p[view.key], p[base.key]
        if mine is None or theirs is None:
            return ""
        return (f"That is {_versus(mine, theirs)} under the baseline "
                f"({theirs['words']}, about {pct(theirs['probability'])}).")
    others = [v for v in source.views if v is not base and p[v.key] is not None]
    if not others or p[base.key] is None:
        return ""
    mover = max(others, key=lambda v: abs(p[v.key]["probability"] - p[base.key]["probability"]))
    theirs = p[mover.key]
    if not _differs(theirs, p[base.key]):
        return f"No variant changes the chance of {label} beyond simulation noise."
    return (f"Of the variants, {_variant_name(mover)} moves it most: there it is "
            f"{theirs['words']} (about {pct(theirs['probability'])}).")


def _differs(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two probabilities differ by more than their combined simulation noise."""
    half_a = (a["ci95"][1] - a["ci95"][0]) / 2
    half_b = (b["ci95"][1] - b["ci95"][0]) / 2
    return abs(a["probability"] - b["probability"]) > (half_a ** 2 + half_b ** 2) ** 0.5


def _versus(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    if not _differs(mine, theirs):
        return "about the same as"
    ratio = mine["probability"] / theirs["probability"] if theirs["probability"] > 0 else None
    if ratio is not None and ratio >= 1.8:
        return (f"about {ratio:.0f} times as likely as" if ratio >= 2.5
                else "about twice as likely as")
    if ratio is not None and ratio <= 0.55:
        return "less than half as likely as"
    return "more likely than" if mine["probability"] > theirs["probability"] else "less likely than"


def _variant_name(view: View) -> str:
    return "the baseline" if view.variant == "baseline" else f"“{view.label}”"


def _lower_first(text: str) -> str:
    """``Overt US strike`` stays; ``Collapse of cooperation`` → ``collapse of cooperation``
    (only a capital followed by a lower-case letter is lowered, so acronyms stay)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


# ------------------------------------------------------------------ HTML


def bottom_line(ctx: Context) -> str:
    """Per variant: the sentences, then the outcome cards (key outcomes first)."""
    blocks = []
    for view in ctx.views:
        said = "".join(f"<li>{esc(s)}</li>" for s in sentences(ctx, view))
        caption = (f'<p class="view-caption"><span class="swatch" style="background:'
                   f'{view.color}"></span>{esc(view.label)} · {view.summary["runs"]:,} runs</p>')
        blocks.append(view_block(view.key, caption + f'<ul class="bottom-line">{said}</ul>'
                                 + _cards(ctx, view)))
    return "".join(blocks) + (
        '<p class="note">Probabilities are the model’s, under the scenario’s stated '
        "assumptions: not forecasts of the world. “Simulation precision” is the 95 % "
        "interval from the finite number of runs; “across inputs” is the 10th–90th "
        "percentile of the probability over the plausible values of the uncertain "
        "parameters.</p>")


def _cards(ctx: Context, view: View) -> str:
    from simulator.report.figures_provenance import confidence_line

    keys = set(key_outcomes(view))
    spreads = cached_spreads(ctx, view)
    cards = []
    for name in ordered_outcomes(view):
        o = view.summary["outcomes"][name]
        tte = o.get("time_to_event") or {}
        median = tte.get("median")
        spread = spreads.get(name)
        rows = []
        if spread is not None:
            rows.append(f'<div class="kpi-range">across inputs {esc(input_range(spread))}</div>')
        rows.append(f'<div class="kpi-ci">simulation precision {esc(precision(o))}</div>')
        if median is not None and median == median:
            rows.append(f'<div class="kpi-when">median time to it: {esc(days(median))}</div>')
        rows.append(confidence_line(view, name))
        klass = "kpi key" if name in keys else "kpi"
        cards.append(
            f'<div class="{klass}"><div class="kpi-label">{esc(outcome_label(view, name))}'
            f'</div><div class="kpi-value">{esc(pct(o["probability"]))}</div>'
            f'<div class="kpi-word">{esc(o["words"])}</div>'
            + "".join(rows) + "</div>")
    return '<div class="kpis">' + "".join(cards) + "</div>"
