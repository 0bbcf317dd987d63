"""Sobol' indices: which assumptions matter, with the variance each explains.

:func:`sobol_indices` — Saltelli sampling (``scipy.stats.sobol_indices``): the outcome
probability is estimated at n·(d + 2) parameter points, each a variant with every
parameter constant, run ``runs_per_point`` times on common random numbers. Cost:
n·(d + 2)·runs_per_point runs. By default n is the largest power of 2 that fits a
budget of 500,000 runs at 100 runs per point: n = 1,024 for 2 parameters (409,600
runs), 128 for 28 (384,000 runs). The 95 % intervals narrow as 1/√n: on a
two-parameter scenario with known indices, n = 512 gave intervals 0.04–0.20 wide,
each holding the exact value; with n = 32 the widest was 0.63. An interval wider than
0.2 answers little, and a :class:`WideIntervalWarning` says so. For a scenario with
many parameters, screen them first (given data, tornado) and study the few that
matter: n = 512 for 5 parameters costs 358,400 runs. The probability at each point
carries Monte Carlo noise (variance ≤ 0.25 / runs_per_point); common random numbers
freeze it into the function being analysed, so an index can be off by a few
hundredths beyond its interval, which is over the parameter sample, not the runs.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from simulator.analysis._common import check_outcome, constant_text
from simulator.analysis.rows import SobolRow
from simulator.analysis.sensitivity import run_constant_points, uncertain_parameters
from simulator.errors import UsageError

if TYPE_CHECKING:
    from simulator.model.model import ParameterSpec
    from simulator.scenario.schema import Scenario


def _interval(lo: float, hi: float) -> list[float] | None:
    """[lo, hi], or None when the bootstrap could not give one (NaN)."""
    return [float(lo), float(hi)] if np.isfinite(lo) and np.isfinite(hi) else None


class _Dist:
    """Adapter: scipy's samplers call ``ppf`` on uniforms."""

    def __init__(self, p: ParameterSpec) -> None:
        self.p = p

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.p.quantity.distribution.ppf(np.asarray(u, float)), float)


SOBOL_BUDGET = 500_000  # runs: the default cost of a Sobol' study (see sobol_indices)
SOBOL_RUNS_PER_POINT = 100  # runs per parameter point: Monte Carlo variance ≤ 0.0025
SOBOL_MAX_WIDTH = 0.2  # a 95 % interval wider than this answers nothing: warn


class WideIntervalWarning(UserWarning):
    """Some Sobol' interval is wider than the stated width: the study needs more runs."""


def sobol_samples(d: int, budget: int, runs_per_point: int) -> int:
    """The largest power of 2 ``n`` with n·(d + 2)·runs_per_point ≤ ``budget`` (runs).

    Raises UsageError when not even n = 2 fits.
    """
    per_sample = (d + 2) * runs_per_point
    if budget < 2 * per_sample:
        raise UsageError(f"a budget of {budget:,} runs is too small for {d} parameters at "
                         f"{runs_per_point} runs per point: at least {2 * per_sample:,} runs")
    return 1 << ((budget // per_sample).bit_length() - 1)


def sobol_indices(scenario: str | Path | Scenario, *, outcome: str, n: int | None = None,
                  budget: int = SOBOL_BUDGET, runs_per_point: int = SOBOL_RUNS_PER_POINT,
                  seed: int = 0, workers: int | None = None, executor: str = "process",
                  parameters: Sequence[str] | None = None, n_resamples: int = 500,
                  max_width: float = SOBOL_MAX_WIDTH, out: str | Path | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  engine: str | None = None) -> list[SobolRow]:
    """Sobol' first- and total-order indices of P(outcome) (see the module docstring).

    The study costs n·(d + 2)·runs_per_point runs for d parameters. ``n`` (a power of
    2) defaults to the largest that fits in ``budget`` runs; 95 % intervals narrow as
    1/√n. Rows ``{parameter, label, outcome, first_order, first_order_ci95,
    total_order, total_order_ci95, method, samples, points, runs_per_point, runs, wide}``
    sorted by total order, largest first; an interval is None where the bootstrap
    degenerates (a parameter that changes nothing). ``wide`` marks a row with an
    interval wider than ``max_width``; if any row is wide, a
    :class:`WideIntervalWarning` says so and how to narrow them. ``parameters``
    restricts the study to some parameters (the others stay random, drawn per run, as
    in the scenario). ``engine`` simulates the points (default: :func:`sensitivity_engine`).
    """
    from simulator.model.compile import compile_model
    from simulator.runner.runner import resolve_scenario

    if n is not None and (n < 2 or n & (n - 1)):
        raise UsageError(f"--samples must be a power of 2 (got {n})")
    scen, _, _ = resolve_scenario(scenario)
    model = compile_model(scen)
    check_outcome(model, outcome)
    params = uncertain_parameters(model, parameters)
    if not params:
        raise UsageError("the scenario has no uncertain parameters: Sobol' indices need some")
    d = len(params)
    if n is None:
        n = sobol_samples(d, budget, runs_per_point)

    def func(x: np.ndarray) -> np.ndarray:
        points = {f"s_{k}": {p.name: constant_text(p.quantity, float(x[j, k]))
                             for j, p in enumerate(params)}
                  for k in range(x.shape[1])}
        with tempfile.TemporaryDirectory(prefix="geosim-sobol-") as tmp:
            res = run_constant_points(scen, points, runs=runs_per_point, seed=seed,
                                       workers=workers, executor=executor, progress=progress,
                                       engine=engine,
                                       out=out if out is not None else Path(tmp) / "r")
            df = res.to_pandas(["variant", f"outcome.{outcome}"])
        means = df.groupby("variant")[f"outcome.{outcome}"].mean()
        return np.array([[float(means[f"s_{k}"]) for k in range(x.shape[1])]])

    rng = np.random.default_rng(seed)
    res = stats.sobol_indices(func=func, n=n, dists=[_Dist(p) for p in params], rng=rng)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # parameters that change nothing give degenerate bootstrap samples (NaN bounds)
        warnings.simplefilter("ignore")
        boot = res.bootstrap(confidence_level=0.95, n_resamples=n_resamples)

    def row0(a: Any) -> np.ndarray:
        return np.asarray(a, float).reshape(-1, d)[0]

    first, total = row0(res.first_order), row0(res.total_order)
    fo_lo, fo_hi = (row0(boot.first_order.confidence_interval.low),
                    row0(boot.first_order.confidence_interval.high))
    to_lo, to_hi = (row0(boot.total_order.confidence_interval.low),
                    row0(boot.total_order.confidence_interval.high))
    rows: list[SobolRow] = []
    for j, p in enumerate(params):
        first_ci = _interval(fo_lo[j], fo_hi[j])
        total_ci = _interval(to_lo[j], to_hi[j])
        rows.append({
            "parameter": p.name, "label": p.label, "outcome": outcome,
            "first_order": float(first[j]), "first_order_ci95": first_ci,
            "total_order": float(total[j]), "total_order_ci95": total_ci,
            "method": "Sobol' (Saltelli 2010, scipy.stats.sobol_indices)",
            "samples": n, "points": n * (d + 2), "runs_per_point": runs_per_point,
            "runs": n * (d + 2) * runs_per_point,
            # no interval at all: a parameter that changes nothing (not a lack of runs)
            "wide": any(ci is not None and ci[1] - ci[0] > max_width
                        for ci in (first_ci, total_ci)),
        })
    rows.sort(key=lambda r: -r["total_order"])
    message = wide_interval_message(rows, max_width)
    if message:
        warnings.warn(WideIntervalWarning(message), stacklevel=2)
    return rows


def wide_interval_message(rows: list[SobolRow], max_width: float = SOBOL_MAX_WIDTH
                          ) -> str | None:
    """What :class:`WideIntervalWarning` says about rows of :func:`sobol_indices` (None: all
    narrow)."""
    wide = [r["parameter"] for r in rows if r["wide"]]
    if not wide:
        return None
    r0 = rows[0]
    d = r0["points"] // r0["samples"] - 2
    return (f"Sobol' 95% intervals wider than {max_width:g} for {len(wide)} of {d} "
            f"parameters ({', '.join(wide[:5])}{', …' if len(wide) > 5 else ''}): these "
            f"indices answer little. {r0['samples']} samples × {d + 2} points × "
            f"{r0['runs_per_point']} runs = {r0['runs']:,} runs; intervals narrow as "
            f"1/√samples, so halving their width costs 4× the runs: raise the budget, or "
            f"study fewer parameters (screen them first with the given-data or tornado "
            f"method).")
