"""Signposts: which indicators announce an outcome, how strongly, and how early.

For an indicator I and an outcome O, over the runs of one variant (times in days):

* I is **seen first** in a run when I is seen at some time t_I and either O is never
  reached in that run or O is reached strictly later (t_I < t_O). An indicator seen at
  the same moment as the outcome, or after it, gives no warning and does not count.
  This is what an analyst watching I could know while O is still open. Caveat: an
  indicator unrelated to O but often seen late gets LR < 1, because in runs with O it
  only counts when it comes before O.
* ``p_if_seen`` = P(O | I seen first); ``p_if_not_seen`` = P(O | not seen first);
  both with Wilson 95 % intervals.
* ``likelihood_ratio`` = P(I seen first | O) / P(I seen first | not O): how much seeing I
  should multiply the odds of O. When a count is zero, 0.5 is added to each of the four
  cells (Haldane–Anscombe) and ``lr_corrected`` is true. ``lr_ci95`` is the log-method
  interval (Simel et al. 1991). None when O always or never happens.
* ``lead_time`` = t_O − t_I in days over the runs where I is seen first and O follows:
  ``{"p10", "median", "p90"}`` (None when no such run).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.analysis._common import outcome_labels, variant_frame, variant_model
from simulator.results.stats import quantiles, wilson_interval

if TYPE_CHECKING:
    from simulator.results.results import Results

Z95 = 1.959963984540054


def _likelihood_ratio(so: int, n_o: int, sn: int, n_n: int
                      ) -> tuple[float | None, list[float] | None, bool]:
    """LR = (so/n_o)/(sn/n_n) with a log-method interval; Haldane correction on zeros."""
    if n_o == 0 or n_n == 0:
        return None, None, False
    corrected = so == 0 or sn == 0 or so == n_o or sn == n_n
    a, b, c, d = float(so), float(n_o), float(sn), float(n_n)
    if corrected:
        a, c = a + 0.5, c + 0.5
        b, d = b + 1.0, d + 1.0
    lr = (a / b) / (c / d)
    se = math.sqrt(max(1 / a - 1 / b + 1 / c - 1 / d, 0.0))
    return lr, [lr * math.exp(-Z95 * se), lr * math.exp(Z95 * se)], corrected


def signposts(results: Results, variant: str = "baseline") -> list[dict[str, Any]]:
    """One row per indicator × outcome (definitions in the module docstring).

    Rows ``{indicator, indicator_label, outcome, outcome_label, runs, seen_first,
    outcome_runs, seen_first_and_outcome, p_if_seen, p_if_seen_ci95, p_if_not_seen,
    p_if_not_seen_ci95, lift, likelihood_ratio, lr_ci95, lr_corrected, lead_time}``;
    sorted by outcome (scenario order) then likelihood ratio, highest first. ``lift`` is
    p_if_seen − p_if_not_seen.
    """
    model = variant_model(results, variant)
    outs = [o.name for o in model.outcomes]
    inds = [(i.name, i.label or i.name) for i in model.indicators]
    cols = [f"outcome_time.{o}" for o in outs] + [f"indicator_time.{i}" for i, _ in inds]
    df = variant_frame(results, variant, cols)
    n = len(df)
    olabels = outcome_labels(model)
    rows: list[dict[str, Any]] = []
    for o in outs:
        t_o = df[f"outcome_time.{o}"].to_numpy(float)
        has_o = np.isfinite(t_o)
        block: list[dict[str, Any]] = []
        for name, label in inds:
            t_i = df[f"indicator_time.{name}"].to_numpy(float)
            seen = np.isfinite(t_i)
            first = seen & (~has_o | (t_i < np.where(has_o, t_o, np.inf)))
            s_o = int(np.sum(first & has_o))
            n_s = int(first.sum())
            n_o = int(has_o.sum())
            s_n = n_s - s_o
            notseen_o = n_o - s_o
            p_s = s_o / n_s if n_s else None
            p_ns = notseen_o / (n - n_s) if n - n_s else None
            lr, lr_ci, corrected = _likelihood_ratio(s_o, n_o, s_n, n - n_o)
            q = quantiles((t_o - t_i)[first & has_o])
            block.append({
                "indicator": name, "indicator_label": label,
                "outcome": o, "outcome_label": olabels[o], "runs": n,
                "seen_first": n_s, "outcome_runs": n_o, "seen_first_and_outcome": s_o,
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
