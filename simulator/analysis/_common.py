"""Shared helpers of the analysis modules: per-variant run tables, names, display units.

Units: times are days since the scenario's ``as_of`` date; parameter values are in
canonical units (probability in [0, 1], rate = hazard per day, duration in days) unless
a function says it formats them for display in the unit the scenario author wrote.
"""

from __future__ import annotations

import difflib
import math
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.compute as pc

from simulator.errors import ResultsError

if TYPE_CHECKING:
    import pandas as pd

    from simulator.model.model import Model, ParameterSpec
    from simulator.results.results import Results
    from simulator.scenario.quantities import Quantity


def check_variant(results: Results, variant: str) -> None:
    """Raise :class:`ResultsError` if ``variant`` is not in the results."""
    if variant not in results.variants:
        raise ResultsError(
            f"variant `{variant}` is not in {results.path} (it holds: "
            f"{', '.join(results.variants)}){_did_you_mean(variant, results.variants)}")


def check_outcome(model: Model, outcome: str) -> None:
    """Raise :class:`ResultsError` if ``outcome`` is not an outcome of the model."""
    names = [o.name for o in model.outcomes]
    if outcome not in names:
        raise ResultsError(f"unknown outcome `{outcome}` (outcomes: {', '.join(names)})"
                           f"{_did_you_mean(outcome, names)}")


def _did_you_mean(name: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(name, choices, n=1)
    return f"; did you mean `{near[0]}`?" if near else ""


def variant_frame(results: Results, variant: str,
                  columns: list[str] | None = None) -> pd.DataFrame:
    """The per-run table of one variant, sorted by run index (index reset)."""
    check_variant(results, variant)
    cols = None if columns is None else list(dict.fromkeys(["variant", "run", *columns]))
    table = results.table(cols)
    table = table.filter(pc.equal(table["variant"], variant))
    df = table.to_pandas()
    return df.sort_values("run").reset_index(drop=True)


def outcome_labels(model: Model) -> dict[str, str]:
    return {o.name: o.label or o.name for o in model.outcomes}


def actor_labels(model: Model) -> dict[str, str]:
    return {a.name: a.label or a.name for a in model.actors}


def varied_parameters(model: Model, df: pd.DataFrame) -> list[ParameterSpec]:
    """Named (not hidden) parameters whose draws vary across the runs in ``df``."""
    out = []
    for p in model.parameters:
        col = f"param.{p.name}"
        if p.hidden or col not in df.columns:
            continue
        x = df[col].to_numpy(dtype=float)
        if x.size and np.nanmax(x) > np.nanmin(x):
            out.append(p)
    return out


# ---------------------------------------------------------------- display units

_PROB_TEXT = re.compile(r"%|\bin\b|\bbeta\s*\(", re.IGNORECASE)


def rate_written_as_probability(quantity: Quantity) -> bool:
    """True when a rate was written as a probability per period (``3% per month``)."""
    return quantity.kind == "rate" and bool(_PROB_TEXT.search(quantity.text))


def _num(x: float) -> str:
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2g}" if abs(x) < 0.01 else f"{x:.3g}"


def format_value(quantity: Quantity, value: float) -> str:
    """A canonical value written in the unit the scenario author used.

    Rates written as a probability per period T are shown as that probability,
    p = 1 − exp(−h·T) (``2.1 % per month``); count rates as the count per period;
    durations in the author's time unit; percentages as percentages.
    """
    v = float(value)
    if quantity.kind == "rate":
        unit = quantity.display_unit or "per day"
        per_period = v * quantity.display_scale
        if rate_written_as_probability(quantity):
            return f"{_num(100 * (1 - math.exp(-per_period)))} % {unit}"
        return f"{_num(per_period)} {unit}"
    if quantity.kind == "duration":
        return f"{_num(v * quantity.display_scale)} {quantity.display_unit or 'days'}"
    if quantity.kind == "probability" and quantity.display_unit == "%":
        return f"{_num(100 * v)} %"
    return _num(v)


def constant_text(quantity: Quantity, value: float) -> str:
    """Quantity text that makes a parameter the constant ``value`` (canonical units)."""
    v = repr(float(value))
    if quantity.kind == "rate":
        return f"{v} per day"
    if quantity.kind == "duration":
        return f"{v} days"
    return v


# ---------------------------------------------------------------- dates

def day_and_date(as_of: date, t: float) -> tuple[int, str]:
    """(whole days since the start, the calendar date as ``17 Jan 2026``)."""
    day = math.floor(t + 1e-9)
    d = as_of + timedelta(days=day)
    return day, f"{d.day} {d:%b %Y}"


def json_float(x: Any) -> float | None:
    """A finite float, or None (JSON has no NaN)."""
    if x is None:
        return None
    f = float(x)
    return f if math.isfinite(f) else None
