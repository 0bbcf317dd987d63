"""Case 1: competing exponential hazards (rates 2, 5 and 1 per year, first one ends the run).

Statistical checks here: 3 (which fired) + 1 (mean time) + 1 (KS) + 3 (independence)
+ 1 (nothing by H) = 9 of the suite's K (see conftest: |z| < Z_MAX).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .conftest import ks_check, load, mean_check, proportion_check

YEAR = 365.25
RATES = {"a": 2 / YEAR, "b": 5 / YEAR, "c": 1 / YEAR}  # hazard per day
TOTAL = sum(RATES.values())
RUNS = 12_000


def test_first_event_distribution(run):
    results = run("competing_hazards", runs=RUNS)
    df = results.to_pandas()
    assert len(df) == RUNS
    # with Σλ·H = 80 every run ends with exactly one firing (P(none) = e^-80)
    assert df["outcome.any_fired"].all()
    assert (df["n_events"] == 1).all()
    counts = df[["count.nature.a", "count.nature.b", "count.nature.c"]].to_numpy()
    assert (counts.sum(axis=1) == 1).all()
    # the run ends when the first hazard fires, at exactly that time
    t = df["outcome_time.any_fired"].to_numpy()
    np.testing.assert_array_equal(t, df["end_time"].to_numpy())
    np.testing.assert_array_equal(t, np.array([ts[0] for ts in df["event_times"]]))

    for name, lam in RATES.items():
        first = df[f"outcome.first_{name}"].to_numpy()
        np.testing.assert_array_equal(first, df[f"count.nature.{name}"].to_numpy() == 1)
        proportion_check(f"case1 P(first is {name})", first, lam / TOTAL)
        # the reported probability is the same fraction
        assert results.probability(f"first_{name}") == first.mean()

    # time to first ~ Exp(Σλ): mean 1/Σλ (sd 1/Σλ) and the whole distribution
    mean_check("case1 E[time to first]", t, 1 / TOTAL, 1 / TOTAL)
    ks_check("case1 time to first ~ Exp(Σλ)", t, stats.expon(scale=1 / TOTAL).cdf)

    # independence of which fired and when: E[T | i] = 1/Σλ for every i
    for name in RATES:
        first = df[f"outcome.first_{name}"].to_numpy()
        mean_check(f"case1 E[T | first is {name}]", t[first], 1 / TOTAL, 1 / TOTAL)


def test_nothing_by_horizon(run):
    horizon_days = 365.25 / 12  # one month: Σλ·H = 8/12
    scenario = load("competing_hazards").model_copy(update={"horizon": "1 month"})
    df = run(scenario, runs=8_000).to_pandas()
    nothing = ~df["outcome.any_fired"].to_numpy()
    proportion_check("case1 P(nothing by H)", nothing, math.exp(-horizon_days * TOTAL))
    # a run where nothing fired lasts exactly the horizon
    assert (df.loc[nothing, "end_time"] == horizon_days).all()
    assert (df.loc[nothing, "n_events"] == 0).all()
    assert (df.loc[~nothing, "end_time"] < horizon_days).all()
