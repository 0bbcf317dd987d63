"""A track record across many forecasts: Murphy decomposition and reliability diagram.

Every scored outcome of every scored variant of every forecast is one pair (p, o).
Pooled over N pairs, with the forecasts grouped into K equal-width bins of probability
(bin k holds n_k pairs, mean forecast p̄_k and observed frequency ō_k; ō is the overall
frequency):

* reliability = Σ n_k (p̄_k − ō_k)² / N — calibration error; 0 when, in every bin, things
  happened as often as forecast;
* resolution = Σ n_k (ō_k − ō)² / N — how much the forecasts separate what happens from
  what does not; higher is better;
* uncertainty = ō (1 − ō) — the Brier score of always forecasting the base rate;
* mean Brier = reliability − resolution + uncertainty + within-bin term; the last term
  (forecasts differing inside a bin) is reported so the numbers add up exactly.

Even a perfectly calibrated forecaster shows a reliability above 0 from chance alone,
about Σ p̄_k (1 − p̄_k) / N (each bin's observed frequency is a binomial estimate); this
*chance level* is reported next to the reliability, and with fewer than
:data:`MIN_FOR_CALIBRATION` scored outcomes the summary warns that calibration cannot be
judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from simulator.forecast.collect import Pair
from simulator.forecast.scores import score

#: Below this many scored outcomes, calibration is not judged: with 10 bins the chance
#: level of the reliability term is then above ~0.002-0.02, the size of real differences.
MIN_FOR_CALIBRATION = 100
BINS = 10


@dataclass(frozen=True)
class Scored:
    """One scored outcome: forecast probability and what happened (1, 0 or 0.5)."""

    forecast: str
    variant: str
    outcome: str
    probability: float
    happened: float


def wilson(successes: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval of a binomial proportion (``successes`` may be a half
    count when ambiguous outcomes are scored as 0.5)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def murphy(pairs: list[tuple[float, float]], bins: int = BINS) -> dict[str, Any]:
    """Murphy decomposition and reliability-diagram bins of (probability, outcome) pairs."""
    n = len(pairs)
    if n == 0:
        return {"n": 0, "brier": None, "reliability": None, "resolution": None,
                "uncertainty": None, "within_bin": None, "chance_reliability": None,
                "base_rate": None, "bins": []}
    base = sum(o for _, o in pairs) / n
    groups: list[list[tuple[float, float]]] = [[] for _ in range(bins)]
    for p, o in pairs:
        groups[min(int(p * bins), bins - 1)].append((p, o))
    rel = res = chance = 0.0
    table = []
    for k, group in enumerate(groups):
        if not group:
            continue
        nk = len(group)
        pk = sum(p for p, _ in group) / nk
        ok = sum(o for _, o in group) / nk
        rel += nk * (pk - ok) ** 2
        res += nk * (ok - base) ** 2
        chance += pk * (1 - pk)
        lo, hi = wilson(sum(o for _, o in group), nk)
        table.append({"bin": [k / bins, (k + 1) / bins], "n": nk, "forecast": pk,
                      "observed": ok, "ci95": [lo, hi]})
    brier = sum((p - o) ** 2 for p, o in pairs) / n
    rel, res = rel / n, res / n
    unc = base * (1 - base)
    return {"n": n, "brier": brier, "reliability": rel, "resolution": res,
            "uncertainty": unc, "within_bin": brier - (rel - res + unc),
            "chance_reliability": chance / n, "base_rate": base, "bins": table}


def warning(n: int) -> str | None:
    """The warning shown when ``n`` scored outcomes are too few to judge calibration."""
    if n >= MIN_FOR_CALIBRATION:
        return None
    return (f"Only {n} scored outcome(s): too few to judge calibration (at least "
            f"{MIN_FOR_CALIBRATION} are needed). The reliability diagram and the "
            "reliability term are shown, but chance alone moves them as much as a "
            "real miscalibration would.")


def track_record(pairs: list[Pair]) -> dict[str, Any]:
    """Score every resolved forecast and pool the outcomes (a JSON-ready dict)."""
    rows: list[dict[str, Any]] = []
    pooled: list[Scored] = []
    for p in pairs:
        rec = p.record
        row: dict[str, Any] = {"forecast": rec["id"], "scenario": rec["scenario"]["id"],
                               "title": rec["scenario"]["title"], "as_of": rec["as_of"],
                               "horizon_end": rec["horizon_end"], "path": str(p.path)}
        if p.resolution is None:
            rows.append({**row, "resolved": False, "variants": [], "n": 0, "pending": 0})
            continue
        result = score(rec, p.resolution.resolution)
        mine = [Scored(rec["id"], v, o, e["probability"], e["outcome"])
                for v, entry in result["variants"].items()
                for o, e in entry["outcomes"].items()]
        pooled += mine
        briers = [(s.probability - s.happened) ** 2 for s in mine]
        rows.append({**row, "resolved": True, "resolved_on": result["resolved_on"],
                     "variants": list(result["variants"]), "n": len(mine),
                     "pending": sum(len(v["pending"]) for v in result["variants"].values()),
                     "brier": sum(briers) / len(briers) if briers else None,
                     "skill_half": (1 - sum(briers) / len(briers) / 0.25) if briers else None})
    decomposition = murphy([(s.probability, s.happened) for s in pooled])
    return {"forecasts": rows, "pooled": decomposition,
            "outcomes": [s.__dict__ for s in pooled],
            "warning": warning(decomposition["n"]),
            "min_for_calibration": MIN_FOR_CALIBRATION}
