"""Case 2: "p per period T" alone and always enabled: λ = −ln(1 − p)/T.

P(fired by T) = p and P(fired by 2T) = 1 − (1 − p)², for p = 3 % (baseline) and 40 %
(variant; large enough that the naive λ = p/T would fail by > 10 SE).
Piecewise-constant hazards (scenarios/piecewise_hazard.yaml): a rate that changes at day
30 (0.3 → 1.5 per month), a hazard disabled by its condition after day 30, and one paused
between days 20 and 40: P(fired by s) = 1 − exp(−∫₀ˢ λ(u) du).
Statistical checks here: 2 variants × 2 + 5 (piecewise) = 9 of the suite's K.
"""

from __future__ import annotations

import math

import numpy as np

from .conftest import proportion_check

MONTH = 365.25 / 12
RUNS = 10_000


def test_probability_per_period(run):
    results = run("per_period", runs=RUNS, variants="all")
    df = results.to_pandas()
    for variant, p in (("baseline", 0.03), ("forty_percent", 0.40)):
        sub = df[df["variant"] == variant]
        assert len(sub) == RUNS
        t = sub["outcome_time.shocked"].to_numpy()
        fired = sub["outcome.shocked"].to_numpy()
        np.testing.assert_array_equal(fired, ~np.isnan(t))
        assert (t[fired] < 2 * MONTH).all()
        proportion_check(f"case2 {variant} P(fired by T)", t <= MONTH, p)
        proportion_check(f"case2 {variant} P(fired by 2T)", fired, 1 - (1 - p) ** 2)
        assert math.isclose(results.probability("shocked", variant), fired.mean())


def test_piecewise_constant_hazards(run):
    low, high = 0.3 / MONTH, 1.5 / MONTH
    df = run("piecewise_hazard", runs=10_000).to_pandas()
    shock = df["outcome_time.shocked"].to_numpy()
    proportion_check("case2 rate switch: P(fired by day 30)", shock <= 30,
                     1 - math.exp(-30 * low))
    proportion_check("case2 rate switch: P(fired by day 60)", shock <= 60,
                     1 - math.exp(-30 * low - 30 * high))
    gated = df["outcome_time.gated_fired"].to_numpy()
    assert (gated[~np.isnan(gated)] < 30).all()  # never after its condition turns false
    proportion_check("case2 disabled after day 30: P(fired)", ~np.isnan(gated),
                     1 - math.exp(-30 / MONTH))
    paused = df["outcome_time.paused_fired"].to_numpy()
    fired = paused[~np.isnan(paused)]
    assert not ((fired >= 20) & (fired < 40)).any()  # never while paused
    proportion_check("case2 paused days 20-40: P(fired by day 40)", paused <= 40,
                     1 - math.exp(-20 / MONTH))
    proportion_check("case2 paused days 20-40: P(fired by day 60)", ~np.isnan(paused),
                     1 - math.exp(-40 / MONTH))

