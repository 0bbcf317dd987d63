"""Case 3: Poisson counts, exponential gaps and thinning.

A repeatable hazard λ = 12 per year over H = 3 months (λH = 3) triggers an echo with
chance q = 0.3 after every tick: ticks ~ Poisson(λH), echoes ~ Poisson(qλH).
Statistical checks here: 2 × (mean, variance, P(0)) + 2 (gaps: mean, KS) = 8 of K.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .conftest import ks_check, load, mean_check, option_keys, proportion_check, variance_check

LAMBDA = 12 / 365.25  # per day
H = 365.25 / 4  # 3 months
Q = 0.3
RUNS = 10_000


def _poisson_checks(label: str, counts: np.ndarray, mu: float) -> None:
    # Poisson(μ): variance μ, 4th central moment μ(1 + 3μ)
    mean_check(f"case3 {label} mean count", counts, mu, math.sqrt(mu))
    variance_check(f"case3 {label} count variance", counts, mu, mu * (1 + 3 * mu))
    proportion_check(f"case3 {label} P(count = 0)", counts == 0, math.exp(-mu))


def test_counts_and_thinning(run):
    results = run("poisson_counts", runs=RUNS)
    df = results.to_pandas()
    ticks = df["count.nature.tick"].to_numpy()
    echoes = df["count.nature.echo"].to_numpy()
    # counts add up with the event list; echoes never outnumber ticks (zero delay)
    np.testing.assert_array_equal(ticks + echoes, df["n_events"].to_numpy())
    assert (echoes <= ticks).all()
    tick_index = option_keys(results).index("nature.tick")
    np.testing.assert_array_equal(
        ticks, [sum(1 for o in opts if o == tick_index) for opts in df["event_options"]])
    _poisson_checks("ticks", ticks, LAMBDA * H)
    _poisson_checks("echoes (thinned)", echoes, Q * LAMBDA * H)


def test_gaps_are_exponential(run):
    # a long horizon (λH = 20) so the first GAPS gaps of every run are complete
    gaps_per_run = 5
    scenario = load("poisson_counts").model_copy(update={"horizon": "20 months"})
    results = run(scenario, runs=2_000)
    tick_index = option_keys(results).index("nature.tick")
    df = results.to_pandas()
    gaps = []
    for opts, times in zip(df["event_options"], df["event_times"], strict=True):
        t = np.array([x for o, x in zip(opts, times, strict=True) if o == tick_index])
        assert t.size >= gaps_per_run  # P(N < 5) = 1.7e-5 per run; fixed seed
        gaps.append(np.diff(np.concatenate([[0.0], t[:gaps_per_run]])))
    all_gaps = np.concatenate(gaps)
    assert (all_gaps > 0).all()
    mean_check("case3 mean gap", all_gaps, 1 / LAMBDA, 1 / LAMBDA)
    ks_check("case3 gaps ~ Exp(λ)", all_gaps, stats.expon(scale=1 / LAMBDA).cdf)
