"""Signposts: which indicators announce an outcome, how strongly, and how early.

For an indicator I and an outcome O, over the runs of one variant (times in days):

* A **sighting** of I is the first time I is seen in a run. It is *set aside* when it was
  made by an event that can bring O later — an option that, at the moment of the
  sighting, changed I and whose triggers can lead to O (:mod:`simulator.analysis.causes`):
  such a sighting is a consequence of the same event as O, not a warning of it. Rows
  count these (``consequence_sightings``) and name the options (``shared_causes``).
* I is **seen first** in a run when a sighting that is not set aside comes strictly
  before O (or O never comes). An indicator seen at the same moment as the outcome, or
  after it, gives no warning and does not count.
* ``p_if_seen`` = P(O | I seen first); ``p_if_not_seen`` = P(O | not seen first);
  both with Wilson 95 % intervals.
* ``likelihood_ratio`` compares runs at the same moment: P(I seen before t_O | O at t_O)
  over P(I seen before t_O | O not reached), the second averaged over the times t_O at
  which O happened. It is how much seeing I, at a time when O has not happened yet,
  should multiply the odds of O. Matching the times matters: comparing "seen before O"
  with "seen at any time in a run without O" gives early outcomes a ratio below 1 even
  for an indicator that has nothing to do with them. ``lr_ci95`` is the log-method
  interval (Simel et al. 1991) with the time-matched proportion standing in for the
  second group's; when a count is zero, 0.5 is added to each cell (Haldane–Anscombe)
  and ``lr_corrected`` is true. None when O always or never happens.
* ``lead_time`` = t_O − t_I in days over the runs where I is seen first and O follows:
  ``{"p10", "median", "p90"}`` (None when no such run).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from simulator.analysis._common import (
    outcome_labels,
    variant_frame,
    variant_model,
    variant_table,
)
from simulator.analysis.rows import SignpostRow
from simulator.results.stats import quantiles, wilson_interval

if TYPE_CHECKING:
    from simulator.results.results import Results

Z95 = 1.959963984540054


def _likelihood_ratio(so: float, n_o: int, sn: float, n_n: int
                      ) -> tuple[float | None, list[float] | None, bool]:
    """LR = (so/n_o)/(sn/n_n) with a log-method interval; Haldane correction on zeros.

    ``sn`` may be fractional (a time-matched expected count)."""
    if n_o == 0 or n_n == 0:
        return None, None, False
    corrected = so == 0 or sn <= 0 or so == n_o or sn >= n_n
    a, b, c, d = float(so), float(n_o), float(sn), float(n_n)
    if corrected:
        a, c = a + 0.5, c + 0.5
        b, d = b + 1.0, d + 1.0
    lr = (a / b) / (c / d)
    se = math.sqrt(max(1 / a - 1 / b + 1 / c - 1 / d, 0.0))
    return lr, [lr * math.exp(-Z95 * se), lr * math.exp(Z95 * se)], corrected


def _events(results: Results, variant: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(run position, option index, time) of every logged event of the variant's runs."""
    import pyarrow.compute as pc

    table = variant_table(results, variant, ["event_options", "event_times"])
    options, times = table.column("event_options"), table.column("event_times")
    lengths = pc.fill_null(pc.list_value_length(options), 0).to_numpy(zero_copy_only=False)
    tlengths = pc.fill_null(pc.list_value_length(times), 0).to_numpy(zero_copy_only=False)
    values = pc.list_flatten(options).to_numpy(zero_copy_only=False).astype(np.int64)
    tvalues = pc.list_flatten(times).to_numpy(zero_copy_only=False).astype(float)
    if not np.array_equal(lengths, tlengths):  # a damaged log: pair what can be paired
        n = min(len(values), len(tvalues))
        values, tvalues, lengths = values[:n], tvalues[:n], lengths
    rows = np.repeat(np.arange(len(lengths)), lengths)[:len(values)]
    return rows, values, tvalues


def _time_matched(t_i: np.ndarray, t_o: np.ndarray, has_o: np.ndarray) -> float:
    """Mean over runs with O of the share of runs without O in which I was seen before
    that run's outcome time."""
    controls = np.sort(t_i[~has_o])
    if not len(controls) or not has_o.any():
        return float("nan")
    return float(np.mean(np.searchsorted(controls, t_o[has_o], side="left") / len(controls)))


def _ratio(so: int, n_o: int, p0: float, n_n: int
           ) -> tuple[float | None, list[float] | None, bool]:
    """Time-matched LR = (so/n_o)/p0 with a log-method interval (module docstring)."""
    if n_o == 0 or n_n == 0 or not math.isfinite(p0):
        return None, None, False
    return _likelihood_ratio(so, n_o, p0 * n_n, n_n)


def signposts(results: Results, variant: str = "baseline") -> list[SignpostRow]:
    """One row per indicator × outcome (definitions in the module docstring).

    Rows ``{indicator, indicator_label, outcome, outcome_label, runs, seen_first,
    outcome_runs, seen_first_and_outcome, consequence_sightings, shared_causes,
    p_if_seen, p_if_seen_ci95, p_if_not_seen, p_if_not_seen_ci95, lift,
    likelihood_ratio, lr_ci95, lr_corrected, lead_time}``; sorted by outcome (scenario
    order) then likelihood ratio, highest first. ``lift`` is p_if_seen − p_if_not_seen.
    """
    from simulator.analysis.causes import shared_causes

    model = variant_model(results, variant)
    scenario = results.scenario
    outs = [o.name for o in model.outcomes]
    inds = [(i.name, i.label or i.name) for i in model.indicators]
    cols = [f"outcome_time.{o}" for o in outs] + [f"indicator_time.{i}" for i, _ in inds]
    df = variant_frame(results, variant, cols)
    n = len(df)
    olabels = outcome_labels(model)
    keys = [o.key for o in model.options]
    index = {k: j for j, k in enumerate(keys)}
    ev_rows, ev_opts, ev_times = _events(results, variant)
    sighting_times = {name: df[f"indicator_time.{name}"].to_numpy(float) for name, _ in inds}
    # which events happened at the moment of each indicator's sighting
    at_sighting = {name: ev_times == t[ev_rows] for name, t in sighting_times.items()}
    rows: list[SignpostRow] = []
    for o in outs:
        t_o = df[f"outcome_time.{o}"].to_numpy(float)
        has_o = np.isfinite(t_o)
        n_o = int(has_o.sum())
        block: list[SignpostRow] = []
        for name, label in inds:
            causes = shared_causes(scenario, scenario.indicators[name].when,
                                   scenario.outcomes[o].when)
            t_i = sighting_times[name].copy()
            consequence = np.zeros(n, bool)
            if causes:
                codes = np.array([index[c] for c in causes if c in index], np.int64)
                hit = at_sighting[name] & np.isin(ev_opts, codes)
                consequence[ev_rows[hit]] = True
                consequence &= np.isfinite(t_i)
                t_i[consequence] = np.inf  # a consequence, not a sighting
            first = np.isfinite(t_i) & (~has_o | (t_i < np.where(has_o, t_o, np.inf)))
            s_o = int(np.sum(first & has_o))
            n_s = int(first.sum())
            notseen_o = n_o - s_o
            p_s = s_o / n_s if n_s else None
            p_ns = notseen_o / (n - n_s) if n - n_s else None
            lr, lr_ci, corrected = _ratio(s_o, n_o, _time_matched(t_i, t_o, has_o), n - n_o)
            q = quantiles((t_o - t_i)[first & has_o])
            block.append({
                "indicator": name, "indicator_label": label,
                "outcome": o, "outcome_label": olabels[o], "runs": n,
                "seen_first": n_s, "outcome_runs": n_o, "seen_first_and_outcome": s_o,
                "consequence_sightings": int(consequence.sum()), "shared_causes": causes,
                "p_if_seen": p_s,
                "p_if_seen_ci95": list(wilson_interval(s_o, n_s)) if n_s else None,
                "p_if_not_seen": p_ns,
                "p_if_not_seen_ci95": (list(wilson_interval(notseen_o, n - n_s))
                                       if n - n_s else None),
                "lift": (p_s - p_ns) if p_s is not None and p_ns is not None else None,
                "likelihood_ratio": lr, "lr_ci95": lr_ci, "lr_corrected": corrected,
                "lead_time": (None if q[1] is None else
                              {"p10": q[0], "median": q[1], "p90": q[2]}),
            })
        block.sort(key=lambda r: -float(r["likelihood_ratio"] or 0.0))
        rows.extend(block)
    return rows
