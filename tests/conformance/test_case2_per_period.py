"""Case 2: "p per period T" alone and always enabled: λ = −ln(1 − p)/T.

P(fired by T) = p and P(fired by 2T) = 1 − (1 − p)², for p = 3 % (baseline) and 40 %
(variant; large enough that the naive λ = p/T would fail by > 10 SE).
Statistical checks here: 2 variants × 2 = 4 of the suite's K.
"""

from __future__ import annotations

import math

import numpy as np

from .conftest import proportion_check

MONTH = 365.25 / 12
RUNS = 20_000


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
