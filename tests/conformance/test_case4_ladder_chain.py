"""Case 4: an absorbing Markov chain on the escalation ladder.

Rungs 0..4, 0 and 4 absorbing (terminal outcomes), up and down moves as equal hazards
(1 per day each) from rungs 1, 2, 3 (variants via ``ladder_initial``).

Discrete form (the embedded jump chain): Q = ½ on the off-diagonals of the transient
block, N = (I − Q)⁻¹, t = N·1 (steps: 3, 4, 3), B = N·R (P(top) = ¼, ½, ¾), variance
of steps (2N − I)t − t∘t. Continuous form: sub-generator T (−2 on the diagonal, 1 off),
mean absorption time (−T)⁻¹·1 and B = (−T)⁻¹·R_exit.
Statistical checks here: 3 starts × (P(top), E[steps], Var[steps], E[time]) = 12 of K.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .conftest import mean_check, proportion_check, variance_check

RUNS = 6_000
STARTS = {"from_r1": 1, "baseline": 2, "from_r3": 3}
UP = DOWN = 1.0  # hazards per day


def chain() -> dict[str, np.ndarray]:
    """Absorption quantities of the walk, from the generator and the jump chain."""
    transient = [1, 2, 3]
    n = len(transient)
    gen = np.zeros((n, n))  # transient sub-generator T
    exit_rates = np.zeros((n, 2))  # to rung 0, to rung 4
    for k, rung in enumerate(transient):
        gen[k, k] = -(UP + DOWN)
        for target, rate in ((rung + 1, UP), (rung - 1, DOWN)):
            if target in transient:
                gen[k, transient.index(target)] = rate
            else:
                exit_rates[k, 0 if target == 0 else 1] += rate
    inv = np.linalg.inv(-gen)
    q = gen / (UP + DOWN) + np.eye(n)  # jump chain among transient states
    r = exit_rates / (UP + DOWN)
    fund = np.linalg.inv(np.eye(n) - q)
    steps = fund @ np.ones(n)
    # second moment of absorption time of a CTMC: 2 (−T)⁻² 1
    time_mean = inv @ np.ones(n)
    time_m2 = 2 * inv @ time_mean
    return {
        "p_top_cont": (inv @ exit_rates)[:, 1],
        "p_top": (fund @ r)[:, 1],
        "steps": steps,
        "steps_var": (2 * fund - np.eye(n)) @ steps - steps * steps,
        "time_mean": time_mean,
        "time_var": time_m2 - time_mean**2,
    }


def test_closed_forms_agree():
    c = chain()
    np.testing.assert_allclose(c["p_top"], [0.25, 0.5, 0.75], rtol=1e-12)
    np.testing.assert_allclose(c["p_top_cont"], c["p_top"], rtol=1e-12)
    np.testing.assert_allclose(c["steps"], [3, 4, 3], rtol=1e-12)
    # equal exit rate 2 from every transient rung: time = steps / 2
    np.testing.assert_allclose(c["time_mean"], c["steps"] / (UP + DOWN), rtol=1e-12)


def test_absorption(run):
    c = chain()
    results = run("ladder_walk", runs=RUNS, variants="all")
    df = results.to_pandas()
    for variant, start in STARTS.items():
        k = start - 1
        sub = df[df["variant"] == variant]
        assert len(sub) == RUNS
        top = sub["outcome.top"].to_numpy()
        bottom = sub["outcome.bottom"].to_numpy()
        # absorbed exactly once: at the top or the bottom, never both, never neither
        np.testing.assert_array_equal(top, ~bottom)
        paths = list(sub["rung_path"])
        steps = sub["n_events"].to_numpy()
        for path, n in zip(paths, steps, strict=True):
            assert path[0] == start
            assert len(path) - 1 == n
            assert all(abs(int(b) - int(a)) == 1 for a, b in itertools.pairwise(path))
            assert path[-1] in (0, 4)
            assert all(0 < x < 4 for x in path[:-1])
        np.testing.assert_array_equal(sub["final.escalation"].to_numpy(),
                                      [p[-1] for p in paths])
        np.testing.assert_array_equal(top, [p[-1] == 4 for p in paths])
        # both absorbing rungs are even, so steps ≡ start (mod 2)
        assert ((steps - start) % 2 == 0).all()

        proportion_check(f"case4 {variant} P(absorb at top)", top, c["p_top"][k])
        mean_check(f"case4 {variant} E[steps]", steps, c["steps"][k],
                   math.sqrt(c["steps_var"][k]))
        # SE of a sample variance needs μ₄; use the sample's own 4th central moment
        mu4 = float(np.mean((steps - steps.mean()) ** 4))
        variance_check(f"case4 {variant} Var[steps]", steps, c["steps_var"][k], mu4)
        t = sub["end_time"].to_numpy()
        np.testing.assert_array_equal(t, np.where(top, sub["outcome_time.top"],
                                                  sub["outcome_time.bottom"]))
        mean_check(f"case4 {variant} E[absorption time]", t, c["time_mean"][k],
                   math.sqrt(c["time_var"][k]))
