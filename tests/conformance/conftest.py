"""Shared helpers of the conformance suite: running scenarios and statistical checks.

Statistical rule (docs: /work/shared/docs/reference-cases.md): every statistical check
is a z-score z = (estimate − exact) / SE against a closed-form value, run on a fixed
seed. The suite holds at most ``K_CHECKS`` such checks (z-checks, binomial band checks
and KS tests together; each module states how many it uses), and the family-wise
false-alarm rate is ``ALPHA``, so each check passes when |z| < z(α / 2K):

    K = 200, α = 1e-3  →  |z| < Z_MAX = 4.565   (a p-value check passes when p > α / K)

Every test that uses the ``run`` fixture runs once per engine (SimPy, NumPy and
compiled), so each check counts three times. Checks per module and engine: case 1: 9,
case 2: 9, case 3: 8, case 4: 12, case 5: 8, case 6: 4, case 7: 9, case 8: 2, case 10: 4 —
65, so 195 in all, within K = 200.
The terminal summary lists every check's z and the largest |z|.

Exact identities (fixed delays, digests, decision times) are exact assertions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simulator

SCENARIOS = Path(__file__).parent / "scenarios"

K_CHECKS = 200
ALPHA = 1e-3
Z_MAX = float(stats.norm.isf(ALPHA / (2 * K_CHECKS)))  # 4.417
P_MIN = ALPHA / K_CHECKS  # smallest acceptable p-value of a goodness-of-fit test

assert 4.56 < Z_MAX < 4.57


@dataclass
class Check:
    name: str
    estimate: float
    exact: float
    z: float


# every statistical check of the session, for the terminal summary (measured z-scores)
CHECKS: list[Check] = []


def scenario_path(name: str) -> Path:
    return SCENARIOS / f"{name}.yaml"


def load(name: str) -> simulator.Scenario:
    return simulator.load_scenario(scenario_path(name))


def zcheck(name: str, estimate: float, exact: float, se: float) -> float:
    """Assert |estimate − exact| / se < Z_MAX; return z (recorded for the summary)."""
    assert se > 0.0, f"{name}: standard error must be positive, got {se}"
    z = (float(estimate) - float(exact)) / float(se)
    CHECKS.append(Check(name, float(estimate), float(exact), z))
    assert abs(z) < Z_MAX, (
        f"{name}: estimate {estimate:.6g}, exact {exact:.6g}, SE {se:.3g}, "
        f"z = {z:+.2f} (threshold {Z_MAX:.2f})")
    return z


def proportion_check(name: str, hits: np.ndarray | pd.Series, p: float) -> float:
    """Binomial check: the fraction of True in ``hits`` is p."""
    h = np.asarray(hits, dtype=bool)
    return count_check(name, int(h.sum()), h.size, p)


def count_check(name: str, successes: int, trials: int, p: float) -> float:
    """Binomial check: ``successes`` out of ``trials`` independent trials of probability p."""
    return zcheck(name, successes / trials, p, math.sqrt(p * (1 - p) / trials))


def mean_check(name: str, values: np.ndarray | pd.Series, mean: float, sd: float) -> float:
    """The sample mean of iid values with known mean and standard deviation."""
    x = np.asarray(values, dtype=float)
    return zcheck(name, float(x.mean()), mean, sd / math.sqrt(x.size))


def variance_check(name: str, values: np.ndarray | pd.Series, var: float, mu4: float) -> float:
    """The sample variance of iid values with known variance and 4th central moment.

    SE of the sample variance: sqrt((μ₄ − σ⁴)/n) (large-n form).
    """
    x = np.asarray(values, dtype=float)
    return zcheck(name, float(x.var(ddof=1)), var, math.sqrt((mu4 - var * var) / x.size))


def ks_check(name: str, sample: np.ndarray | pd.Series, cdf: Callable[..., Any]) -> float:
    """Kolmogorov–Smirnov goodness of fit; the p-value is converted to a |z| for the summary."""
    result = stats.kstest(np.asarray(sample, dtype=float), cdf)
    return pvalue_check(f"{name} (KS)", float(result.statistic), float(result.pvalue))


def pvalue_check(name: str, statistic: float, p: float) -> float:
    """A goodness-of-fit test passes when p > α/K; its |z| equivalent goes to the summary."""
    z = float(stats.norm.isf(max(p, 1e-300) / 2))
    CHECKS.append(Check(f"{name} p={p:.3g}", statistic, float("nan"), z))
    assert p > P_MIN, f"{name}: statistic {statistic:.4g}, p = {p:.3g} < {P_MIN:.3g}"
    return z


# ----------------------------------------------------------------------------- running

_counter = itertools.count()


ENGINES = ("simpy", "numpy", "compiled")


@pytest.fixture(params=ENGINES)
def run(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., simulator.Results]:
    """``run(name_or_Scenario, runs=..., seed=..., **kwargs)`` → Results, written to
    tmp_path; once per engine (the test is parametrised over all three)."""

    def _run(scenario: str | simulator.Scenario, **kwargs: Any) -> simulator.Results:
        target = scenario_path(scenario) if isinstance(scenario, str) else scenario
        kwargs.setdefault("engine", request.param)
        kwargs.setdefault("executor", "serial")
        kwargs.setdefault("seed", 20260101)
        out = tmp_path / f"results_{next(_counter)}"
        return simulator.run(target, out=out, force=True, **kwargs)

    return _run


def option_keys(results: simulator.Results) -> list[str]:
    """``actor.option`` keys in index order (the meaning of ``event_options`` values)."""
    return [o.key for o in simulator.compile_model(results.scenario, "baseline").options]


def event_times_of(row: Any, index: int) -> list[float]:
    """The times at which option ``index`` fired in one run (a row of ``to_pandas()``)."""
    return [t for o, t in zip(row["event_options"], row["event_times"], strict=True)
            if o == index]


def iter_rows(df: pd.DataFrame) -> Iterator[dict[str, Any]]:
    yield from df.to_dict("records")


# ----------------------------------------------------------------------------- summary


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not CHECKS:
        return
    tr = terminalreporter
    tr.section("conformance: statistical checks")
    tr.write_line(f"{len(CHECKS)} checks, threshold |z| < {Z_MAX:.3f} "
                  f"(K = {K_CHECKS}, family-wise α = {ALPHA:g})")
    for c in CHECKS:
        versus = "" if math.isnan(c.exact) else f" vs {c.exact:.6g}"
        tr.write_line(f"  z = {c.z:+6.2f}  {c.name}: "
                      f"{c.estimate:.6g}{versus}")
    worst = max(CHECKS, key=lambda c: abs(c.z))
    tr.write_line(f"max |z| = {abs(worst.z):.2f} ({worst.name})")
