"""The report's score card: for results that have been scored (``geosim score --save``),
each outcome's forecast, what happened, its scores, and the reference forecasts.

Scores are found as ``*.score.json`` files in the results directory whose results digest
matches these results, so a score of other runs is never shown. All text is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from simulator.forecast.collect import saved_scores
from simulator.report.context import Context


def _pct(p: float | None) -> str:
    return "–" if p is None else f"{100 * p:.1f}%"


def _num(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _scores(ctx: Context) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(s.title, saved_scores(s.results.path, s.results.digest)) for s in ctx.sources]


def has_scores(ctx: Context) -> bool:
    """True when at least one results directory has saved scores."""
    return any(found for _, found in _scores(ctx))


def _variant_card(name: str, v: dict[str, Any]) -> str:
    rows = []
    for outcome, e in v["outcomes"].items():
        happened = escape(str(e["status"])) + (f" on {escape(e['date'])}" if e["date"] else "")
        refs = "; ".join(f"{escape(src)}: {_pct(r['probability'])} (Brier {_num(r['brier'])})"
                         for src, r in e.get("references", {}).items()) or "–"
        rows.append(f"<tr><td>{escape(e['label'] or outcome)}</td>"
                    f"<td class=num>{_pct(e['probability'])}</td><td>{happened}</td>"
                    f"<td class=num>{_num(e['brier'])}</td>"
                    f"<td class=num>{_num(e['log_score'], 2)}</td>"
                    f"<td class=num>{_pct(e.get('pit'))}</td><td>{refs}</td></tr>")
    table = ('<div class="table-wrap"><table class="score-card"><thead><tr><th>outcome</th>'
             "<th class=num>forecast</th><th>what happened</th><th class=num>Brier</th>"
             "<th class=num>log score</th><th class=num>chance by that date</th>"
             f"<th>reference forecasts</th></tr></thead><tbody>{''.join(rows)}</tbody>"
             "</table></div>")
    lines = []
    if v["n"]:
        skill = v["skill"]
        parts = [f"mean Brier {_num(v['brier'])} over {v['n']} outcome(s)",
                 f"skill against always 50%: {_num(skill['half'], 2)}",
                 (f"against the base rate ({_pct(v['base_rate'])}): "
                 f"{_num(skill['base_rate'], 2)}")]
        parts += [f"against {escape(src)}: {_num(r['skill'], 2)} on {r['n']} outcome(s)"
                  for src, r in v["references"].items()]
        lines.append("; ".join(parts) + ".")
    if v["pending"]:
        lines.append("Not yet settled: " + ", ".join(escape(p) for p in v["pending"]) + ".")
    if v["excluded"]:
        lines.append("Excluded (annulled or ambiguous): "
                     + ", ".join(escape(p) for p in v["excluded"]) + ".")
    notes = "".join(f'<p class="note">{line}</p>' for line in lines)
    return f"<h4>Variant {escape(v.get('label') or name)}</h4>{table}{notes}"


def score_card_section(ctx: Context) -> str:
    """HTML of the score card (empty when nothing has been scored)."""
    out = []
    for title, found in _scores(ctx):
        for s in found:
            state = ("the horizon has passed" if s["horizon_passed"] else
                     f"the horizon ends {escape(s['horizon_end'])}; only settled outcomes "
                     "are scored")
            head = (f"<h3>{escape(title)}</h3>" if ctx.multi else "")
            out.append(f'{head}<p class="note">Forecast <code>{escape(s["forecast"])}</code>'
                       f" as of {escape(s['as_of'])}, resolved on {escape(s['resolved_on'])} "
                       f"({state}). Brier: 0 is perfect, always saying 50% scores 0.25; log "
                       "score: 0 is perfect.</p>")
            out += [_variant_card(name, v) for name, v in s["variants"].items()]
            if s["not_scored"]:
                out.append('<p class="note">Not scored (premise did not hold): '
                           + ", ".join(escape(n) for n in s["not_scored"]) + ".</p>")
    return "".join(out)
