"""Case 8: coverage of the reported 95 % interval (Wilson) for a Bernoulli outcome.

The outcome has p = 0.25 exactly (`25% per month` over one month). Over B independent
batches of n runs, the number of batches whose 95 % interval contains p must be
consistent with Binomial(B, 0.95): the acceptance band is the central two-sided 1e-3
band of that binomial (B = 400: 364..393; B = 1000: 926..971, as in the reference).
The exact coverage of the Wilson interval at (n, p) is computed too (0.9513 for n = 100,
p = 0.25; 0.9592 for n = 200) and must be within 0.01 of 0.95; the count is checked
against it as well. Default: B = 400 batches of n = 100 runs (40,000 runs).

Default test: one public run of B·n runs, batches = blocks of n consecutive run indices
(every run has its own seed sequence, so blocks are independent), intervals computed
with the same function the summary uses (asserted equal to the reported ci95 for several
public runs with different seeds). Slow test: B separate public runs, different seeds.
Statistical checks here: 2 band checks (default) of K.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulator.results.stats import wilson_interval

from .conftest import CHECKS, Check, load

P = 0.25
N_BATCH = 100
BAND_LEVEL = 1e-3


def exact_coverage(n: int, p: float) -> float:
    k = np.arange(n + 1)
    inside = np.array([lo <= p <= hi for lo, hi in (wilson_interval(int(x), n) for x in k)])
    return float(stats.binom.pmf(k, n, p)[inside].sum())


def band_check(name: str, covered: int, batches: int, level: float) -> None:
    lo, hi = stats.binom.ppf([BAND_LEVEL / 2, 1 - BAND_LEVEL / 2], batches, level)
    sd = math.sqrt(batches * level * (1 - level))
    CHECKS.append(Check(f"{name} (band {lo:.0f}..{hi:.0f})", covered, batches * level,
                        (covered - batches * level) / sd))
    assert lo <= covered <= hi, f"{name}: {covered} of {batches} outside [{lo}, {hi}]"


def test_wilson_exact_coverage_is_nominal():
    assert abs(exact_coverage(N_BATCH, P) - 0.95) < 0.01


def test_reported_interval_is_wilson(run):
    scenario = load("coverage")
    for seed in range(5):
        results = run(scenario, runs=N_BATCH, seed=seed)
        out = results.summary["variants"]["baseline"]["outcomes"]["happened"]
        reached = int(results.to_pandas()["outcome.happened"].sum())
        assert out["reached"] == reached
        assert out["runs"] == N_BATCH
        assert out["probability"] == reached / N_BATCH
        assert tuple(out["ci95"]) == wilson_interval(reached, N_BATCH)


def test_coverage_over_batches(run):
    batches = 400
    results = run("coverage", runs=batches * N_BATCH, executor="process", workers=2,
                  chunk_size=4_000)
    hits = results.to_pandas(["run", "outcome.happened"]).sort_values("run")
    reached = hits["outcome.happened"].to_numpy().reshape(batches, N_BATCH).sum(axis=1)
    covered = sum(lo <= P <= hi for lo, hi in (wilson_interval(int(k), N_BATCH)
                                                for k in reached))
    band_check("case8 coverage vs Binomial(400, 0.95)", covered, batches, 0.95)
    band_check("case8 coverage vs Binomial(400, exact)", covered, batches,
               exact_coverage(N_BATCH, P))


@pytest.mark.slow
def test_coverage_over_seeds(run):
    batches, n = 1000, 200
    assert abs(exact_coverage(n, P) - 0.95) < 0.01
    scenario = load("coverage")
    covered = 0
    for seed in range(batches):
        lo, hi = run(scenario, runs=n, seed=10_000 + seed).summary[
            "variants"]["baseline"]["outcomes"]["happened"]["ci95"]
        covered += lo <= P <= hi
    band_check("case8 coverage over seeds vs Binomial(1000, 0.95)", covered, batches, 0.95)
