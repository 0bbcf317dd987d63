"""Score one forecast against its resolution: Brier, log score, skill, PIT.

Definitions (o is 1 when the outcome happened, 0 when not, 0.5 for an ambiguous outcome
under ``ambiguous: half``; p is the forecast probability over the whole horizon):

* Brier score: (p − o)²; 0 is perfect, 0.25 is what always saying 50 % earns.
* Log score: o·ln p′ + (1 − o)·ln(1 − p′) with p′ = p clipped to [0.001, 0.999], so a
  Monte Carlo estimate of exactly 0 or 1 costs at most ln(0.001) ≈ −6.9 instead of −∞;
  0 is perfect, more negative is worse.
* Brier skill score against a reference: 1 − Brier(forecast) / Brier(reference) on the
  same outcomes; above 0 the forecast did better. The references are the constant 0.5,
  the base rate (the share of the scored outcomes that happened, a constant forecast
  that knows how often things happened in this set), and each reference forecast named
  in the resolution file (the entry dated closest to the forecast's ``as_of``).
* PIT: for an outcome resolved yes on a date, the forecast chance that it had happened by
  the end of that day; ``pit_given_event`` divides by p, the chance within the horizon,
  and is uniform on [0, 1] over many outcomes when the timing is well calibrated.

Settled outcomes only: a yes is final when it is written down; a no only once the
horizon has ended (``resolved_on`` after the horizon's last day, which is not over yet
while it lasts). Everything else is listed as pending. Annulled outcomes, and ambiguous
ones under ``ambiguous: exclude``, are listed as excluded. A variant whose premise did
not hold is not scored. Indicators are scored the same way (under ``indicators``) but
left out of the means and skills: they are signposts to watch, not the questions the
forecast answers.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from simulator.forecast.record import chance_by
from simulator.forecast.resolution import Reference, Resolution, Resolved

#: The log score's clip: a probability is read as at least this and at most 1 − this.
LOG_CLIP = 0.001


def brier(p: float, o: float) -> float:
    """Brier score of probability ``p`` for an outcome ``o`` in {0, 0.5, 1}."""
    return (p - o) ** 2


def log_score(p: float, o: float) -> float:
    """Clipped logarithmic score (natural log; 0 is perfect)."""
    q = min(max(p, LOG_CLIP), 1.0 - LOG_CLIP)
    return o * math.log(q) + (1.0 - o) * math.log(1.0 - q)


def skill(score: float, reference: float) -> float | None:
    """Brier skill score 1 − score / reference; None when the reference is perfect (0)."""
    return None if reference <= 0 else 1.0 - score / reference


def settle(r: Resolved | None, *, final: bool, ambiguous: str) -> tuple[str, float | None]:
    """(state, o) of one resolution: state is scored, pending or excluded."""
    if r is None or r.status is None:
        return "pending", None
    if r.status == "yes":
        return "scored", 1.0
    if r.status == "no":
        return ("scored", 0.0) if final else ("pending", None)
    if r.status == "ambiguous" and ambiguous == "half":
        return "scored", 0.5
    return "excluded", None


def _closest(refs: tuple[Reference, ...], as_of: date) -> dict[str, Reference]:
    """Per source, the reference dated closest to ``as_of`` (undated count as ``as_of``)."""
    best: dict[str, Reference] = {}
    for ref in refs:
        gap = abs(((ref.date or as_of) - as_of).days)
        held = best.get(ref.source)
        if held is None or gap < abs(((held.date or as_of) - as_of).days):
            best[ref.source] = ref
    return best


def _score_group(record: dict[str, Any], res: Resolution, variant: str, kind: str,
                 final: bool) -> dict[str, Any]:
    as_of = date.fromisoformat(record["as_of"])
    scored: dict[str, Any] = {}
    pending: list[str] = []
    excluded: list[str] = []
    for name, forecast in record["variants"][variant][kind].items():
        r = getattr(res, kind).get(name)
        state, o = settle(r, final=final, ambiguous=res.ambiguous)
        if state == "pending":
            pending.append(name)
            continue
        if state == "excluded" or o is None:
            excluded.append(name)
            continue
        assert r is not None  # settled outcomes have a resolution
        p = float(forecast["probability"])
        entry: dict[str, Any] = {
            "label": record[kind][name]["label"], "probability": p,
            "ci95": forecast["ci95"], "status": r.status, "outcome": o,
            "date": r.date.isoformat() if r.date else None, "brier": brier(p, o),
            "log_score": log_score(p, o), "sources": list(r.sources), "note": r.note}
        if r.status == "yes" and r.date is not None:
            by_date = chance_by(record, variant, name, r.date, kind)
            entry["pit"] = by_date
            entry["pit_given_event"] = by_date / p if p > 0 else None
        if kind == "outcomes":
            refs = _closest(res.references.get(name, ()), as_of)
            entry["references"] = {
                src: {"probability": ref.probability,
                      "date": ref.date.isoformat() if ref.date else None,
                      "brier": brier(ref.probability, o)} for src, ref in refs.items()}
        scored[name] = entry
    return {"scored": scored, "pending": pending, "excluded": excluded}


def _summary(scored: dict[str, Any]) -> dict[str, Any]:
    """Mean scores and skill of one variant's scored outcomes."""
    n = len(scored)
    if n == 0:
        return {"n": 0, "brier": None, "log_score": None, "skill": {}}
    outcomes = [e["outcome"] for e in scored.values()]
    mean_brier = sum(e["brier"] for e in scored.values()) / n
    base = sum(outcomes) / n
    base_brier = sum(brier(base, o) for o in outcomes) / n
    skills: dict[str, Any] = {
        "half": skill(mean_brier, 0.25),
        "base_rate": skill(mean_brier, base_brier),
    }
    sources = sorted({s for e in scored.values() for s in e.get("references", {})})
    references: dict[str, Any] = {}
    for src in sources:
        covered = [e for e in scored.values() if src in e.get("references", {})]
        ours = sum(e["brier"] for e in covered) / len(covered)
        theirs = sum(e["references"][src]["brier"] for e in covered) / len(covered)
        references[src] = {"n": len(covered), "brier": theirs, "forecast_brier": ours,
                           "skill": skill(ours, theirs)}
    return {"n": n, "brier": mean_brier,
            "log_score": sum(e["log_score"] for e in scored.values()) / n,
            "base_rate": base, "base_rate_brier": base_brier, "skill": skills,
            "references": references}


def score(record: dict[str, Any], res: Resolution) -> dict[str, Any]:
    """The scores of forecast ``record`` resolved by ``res`` (a JSON-ready dict).

    Keys: ``variants.<variant>.outcomes.<outcome>.brier`` / ``.log_score`` / ``.pit``,
    ``variants.<variant>.brier`` (mean), ``.log_score``, ``.skill.{half,base_rate}``,
    ``.references.<source>``, ``.pending``, ``.excluded``; variants whose premise did not
    hold are under ``not_scored``.
    """
    end = date.fromisoformat(record["horizon_end"])
    final = res.resolved_on > end
    variants: dict[str, Any] = {}
    not_scored: list[str] = []
    for vname in record["variants"]:
        premise = res.variants.get(vname)
        if premise is not None and not premise.premise_held:
            not_scored.append(vname)
            continue
        outcomes = _score_group(record, res, vname, "outcomes", final)
        indicators = _score_group(record, res, vname, "indicators", final)
        variants[vname] = {
            "label": record["variants"][vname]["label"],
            "outcomes": outcomes["scored"], "pending": outcomes["pending"],
            "excluded": outcomes["excluded"],
            **_summary(outcomes["scored"]),
            "indicators": indicators["scored"],
            "indicators_pending": indicators["pending"],
        }
    return {
        "forecast": record["id"], "scenario": record["scenario"]["id"],
        "title": record["scenario"]["title"], "as_of": record["as_of"],
        "horizon_end": record["horizon_end"], "resolved_on": res.resolved_on.isoformat(),
        "horizon_passed": final, "ambiguous": res.ambiguous,
        "results_digest": record["results"]["digest"],
        "variants": variants, "not_scored": not_scored,
    }
