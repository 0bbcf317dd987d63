"""Confidence beside likelihood (ICD 203 keeps them apart): low, moderate or high.

The probability says how likely an outcome is *in the model*; confidence says how much
the model's answer deserves to be believed. Per outcome it is derived from three stated
inputs, each scored 0, 1 or 2 penalty points:

* **assumptions** — how much of the outcome rests on the modeller's judgement rather than
  evidence: the larger of (a) the share of the outcome's explained variance that comes
  from parameters marked ``assumption`` (given-data first-order indices, bias-corrected),
  and (b) the share of assumption-marked numbers among the numbers of the options that
  can bring the outcome about (those that touch its condition or trigger, directly or
  not, an option that does; see :mod:`simulator.analysis.causes`). Fixed numbers do not
  vary between runs, so (a) cannot see them; (b) does. Below 25 %: 0; below 50 %: 1;
  otherwise 2.
* **sensitivity** — whether one parameter alone moves the answer across ICD 203 bands:
  for every parameter that varies, the probability among the runs in the bottom fifth
  of its draws and in the top fifth; the largest difference in ICD 203 band between the
  two, counted only when the two probabilities differ by more than 3 standard errors (so
  Monte Carlo noise alone trips it for about 0.3 % of parameters). 0 bands: 0; 1 band: 1;
  2 or more: 2.
* **definition** — how arguable resolving the outcome would be: the outcome's
  ``ambiguity`` (low 0, moderate 1, high 2); default moderate when it has resolution
  criteria and high when it has none.

One more point when the scenario says ``tuned_to_targets: true`` (its ranges were chosen
to land headline results in bands set beforehand). Total 0–1: high; 2–3: moderate; 4 or
more: low. The rule is a convention that makes the
judgement explicit and repeatable, not a measurement; the report prints its inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.analysis._common import run_columns, variant_frame, variant_model
from simulator.analysis.rows import OutcomeConfidence
from simulator.results.stats import ICD203

if TYPE_CHECKING:
    from simulator.results.results import Results
    from simulator.scenario.schema import Scenario

LEVELS = ("high", "moderate", "low")
Z_SHIFT = 3.0  # a band shift counts only when the difference is > 3 standard errors
AMBIGUITY_POINTS = {"low": 0, "moderate": 1, "high": 2}
METHOD = ("confidence = penalty points for assumptions (share of the outcome's variance or "
          "drivers that are assumptions: <25% 0, <50% 1, else 2), sensitivity (ICD 203 bands "
          "one parameter's bottom vs top fifth moves it: 0, 1, 2+) and definition ambiguity "
          "(low 0, moderate 1, high 2), plus 1 if the scenario was tuned to target bands; "
          "0–1 high, 2–3 moderate, 4+ low")


def _band(p: float) -> int:
    return next((i for i, (upper, _) in enumerate(ICD203) if p <= upper), len(ICD203) - 1)


def _share_points(share: float | None) -> int:
    if share is None:
        return 0
    return 0 if share < 0.25 else 1 if share < 0.5 else 2


def driver_assumption_share(scenario: Scenario, outcome: str) -> tuple[float | None, int]:
    """(share of assumption-marked numbers among the outcome's drivers, their count)."""
    from simulator.analysis.causes import reach, touching
    from simulator.scenario.provenance import number_provenance

    touches = touching(scenario, scenario.outcomes[outcome].when)
    drivers = {ref for ref, reached in reach(scenario).items() if reached & touches}
    numbers = [n for n in number_provenance(scenario)
               if n.element[:1] == ("actors",) and len(n.element) == 4
               and f"{n.element[1]}.{n.element[3]}" in drivers]
    # parameters the drivers' expressions name count as the drivers' numbers too
    used = {name for ref in drivers for name in _names(scenario, ref)}
    numbers += [n for n in number_provenance(scenario)
                if n.element[:1] == ("parameters",) and n.element[1] in used]
    judged = [n for n in numbers if n.source in ("assumption", "unsourced")]
    return (len(judged) / len(numbers) if numbers else None), len(numbers)


def _names(scenario: Scenario, ref: str) -> set[str]:
    import re

    option = scenario.option(ref)
    if option is None:
        return set()
    text = " ".join(str(v) for v in (option.when, option.rate, option.weight) if v)
    text += " " + option.model_dump_json()
    return set(re.findall(r"[a-z_][a-z0-9_]*", text)) & set(scenario.parameters)


def confidence(results: Results, variant: str = "baseline") -> dict[str, OutcomeConfidence]:
    """Per outcome ``{level, points, assumption_share, variance_assumption_share,
    driver_assumption_share, drivers, band_shift, band_shift_parameter, ambiguity,
    method}`` (definitions in the module docstring)."""
    from simulator.analysis.sensitivity import global_indices

    model = variant_model(results, variant)
    scenario = results.scenario
    assumed = {p.name for p in model.parameters if p.assumption and not p.hidden}
    indices = global_indices(results, variant, n_boot=0) if results.runs else {}
    names = set(run_columns(results))
    pcols = [f"param.{p.name}" for p in model.parameters
             if not p.hidden and f"param.{p.name}" in names]
    df = variant_frame(results, variant, pcols + [f"outcome.{o.name}" for o in model.outcomes])
    out: dict[str, OutcomeConfidence] = {}
    for o in model.outcomes:
        rows = indices.get(o.name, [])
        total = sum(max(r["index"], 0.0) for r in rows)
        var_share = (sum(max(r["index"], 0.0) for r in rows if r["parameter"] in assumed)
                     / total if total > 0.01 else None)
        drv_share, n_drivers = driver_assumption_share(scenario, o.name)
        shares = [s for s in (var_share, drv_share) if s is not None]
        share = max(shares) if shares else None
        y = df[f"outcome.{o.name}"].to_numpy(float)
        shift, shift_param = 0, None
        for col in pcols:
            x = df[col].to_numpy(float)
            if len(x) < 50 or not np.nanmax(x) > np.nanmin(x):
                continue
            lo_cut, hi_cut = np.quantile(x, [0.2, 0.8])
            low, high = y[x <= lo_cut], y[x >= hi_cut]
            if len(low) and len(high):
                p_low, p_high = float(low.mean()), float(high.mean())
                se = np.sqrt(p_low * (1 - p_low) / len(low) + p_high * (1 - p_high) / len(high))
                if abs(p_high - p_low) <= Z_SHIFT * se:
                    continue  # not distinguishable from Monte Carlo noise
                moved = abs(_band(p_high) - _band(p_low))
                if moved > shift:
                    shift, shift_param = moved, col.removeprefix("param.")
        outcome = scenario.outcomes.get(o.name)
        ambiguity = (outcome.ambiguity if outcome and outcome.ambiguity
                     else "moderate" if outcome and outcome.resolution.strip() else "high")
        points = (_share_points(share) + min(shift, 2) + AMBIGUITY_POINTS[ambiguity]
                  + int(scenario.tuned_to_targets))
        level = "high" if points <= 1 else "moderate" if points <= 3 else "low"
        out[o.name] = {"level": level, "points": points, "assumption_share": share,
                       "variance_assumption_share": var_share,
                       "driver_assumption_share": drv_share, "drivers": n_drivers,
                       "band_shift": shift, "band_shift_parameter": shift_param,
                       "ambiguity": ambiguity, "tuned": scenario.tuned_to_targets,
                       "method": METHOD}
    return out


def describe(c: OutcomeConfidence) -> str:
    """One line: how the level was derived."""
    share = c["assumption_share"]
    parts = [f"{share:.0%} assumption-based" if share is not None else "no assumption data"]
    if c["band_shift"]:
        parts.append(f"{c['band_shift_parameter']} moves it {c['band_shift']} ICD band"
                     + "s" * (c["band_shift"] > 1))
    else:
        parts.append("no single parameter moves its ICD band")
    parts.append(f"definition ambiguity {c['ambiguity']}")
    if c["tuned"]:
        parts.append("ranges tuned to target bands")
    return "; ".join(parts)
