"""Case 5: gambler's ruin with p ≠ ½ (up hazard 0.6, down hazard 0.4 per day; N = 5).

P(reach N from i) = (1 − rⁱ)/(1 − r^N) with r = q/p, and
E[steps] = i/(q − p) − (N/(q − p))·P(reach N); both also from the fundamental matrix.
Statistical checks here: 4 starts × (P(reach N), E[steps]) = 8 of K.
"""

from __future__ import annotations

import math

import numpy as np

from .conftest import mean_check, proportion_check

RUNS = 4_000
N = 5
P_UP = 0.6
Q_DOWN = 1 - P_UP
STARTS = {"from_g1": 1, "baseline": 2, "from_g3": 3, "from_g4": 4}


def p_reach(i: int) -> float:
    r = Q_DOWN / P_UP
    return (1 - r**i) / (1 - r**N)


def expected_steps(i: int) -> float:
    return i / (Q_DOWN - P_UP) - N / (Q_DOWN - P_UP) * p_reach(i)


def fundamental() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P(reach N), E[steps], Var[steps]) per start 1..N−1 from N = (I − Q)⁻¹."""
    n = N - 1
    q = np.zeros((n, n))
    r = np.zeros((n, 2))
    for k in range(n):
        i = k + 1
        for j, prob in ((i + 1, P_UP), (i - 1, Q_DOWN)):
            if 1 <= j <= N - 1:
                q[k, j - 1] = prob
            else:
                r[k, 0 if j == 0 else 1] = prob
    fund = np.linalg.inv(np.eye(n) - q)
    t = fund @ np.ones(n)
    return (fund @ r)[:, 1], t, (2 * fund - np.eye(n)) @ t - t * t


def test_formulas_match_fundamental_matrix():
    reach, steps, _ = fundamental()
    np.testing.assert_allclose(reach, [p_reach(i) for i in range(1, N)], rtol=1e-12)
    np.testing.assert_allclose(steps, [expected_steps(i) for i in range(1, N)], rtol=1e-12)


def test_ruin_probabilities_and_steps(run):
    _, _, steps_var = fundamental()
    df = run("gamblers_ruin", runs=RUNS, variants="all").to_pandas()
    for variant, i in STARTS.items():
        sub = df[df["variant"] == variant]
        top = sub["outcome.reach_top"].to_numpy()
        np.testing.assert_array_equal(top, ~sub["outcome.ruin"].to_numpy())
        steps = sub["n_events"].to_numpy()
        np.testing.assert_array_equal(steps, [len(p) - 1 for p in sub["rung_path"]])
        proportion_check(f"case5 {variant} P(reach N)", top, p_reach(i))
        mean_check(f"case5 {variant} E[steps]", steps, expected_steps(i),
                   math.sqrt(steps_var[i - 1]))
