"""How far an outcome's probability moves across the uncertain inputs, from the runs
already made (no new runs).

Each run draws every uncertain parameter once, so the runs of one variant hold a sample
of (inputs, outcome) pairs. Two summaries come from it:

* **Spread**: a smooth fit of P(outcome | inputs) — a logistic regression of the 0/1
  outcome on the normal scores of the parameter draws, slightly ridge-penalised — gives
  each run's conditional probability; its 10th and 90th percentiles say how far the
  answer moves as the inputs range over their plausible values. The variance of the
  fitted probabilities divided by the outcome's variance p(1 − p) is the share of the
  run-to-run variation that the inputs explain; the rest is chance inside a run.
* **Swings** (a tornado from data): for each parameter, the share of runs reaching the
  outcome among the runs whose draw of it was in its lowest fifth, and among those in
  its highest fifth, each with a 95 % Wilson interval.

Both describe the model under its stated ranges; they are not intervals on the world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from simulator.report.context import Context, Source, View
from simulator.results.stats import wilson_interval

TAIL = 0.2  # the lowest and highest fifth of a parameter's draws
RIDGE = 1.0  # penalty on the standardised coefficients (a prior of about ±1 per input)
MIN_RUNS = 200  # fewer runs than this give no spread (the fit would mostly be noise)


@dataclass(frozen=True)
class Swing:
    parameter: str
    label: str  # plain text
    p_low: float  # P(outcome | parameter in its lowest fifth)
    p_high: float
    ci_low: tuple[float, float]
    ci_high: tuple[float, float]
    runs: int  # runs in each fifth

    @property
    def size(self) -> float:
        return abs(self.p_high - self.p_low)

    @property
    def clear(self) -> bool:
        """True when the two 95 % intervals do not overlap (the swing is not noise)."""
        return self.ci_low[1] < self.ci_high[0] or self.ci_high[1] < self.ci_low[0]


@dataclass(frozen=True)
class Spread:
    outcome: str
    probability: float
    p10: float  # 10th percentile of P(outcome | inputs) across the runs' draws
    p90: float
    explained: float  # share (0–1) of the run-to-run variance that the inputs explain
    swings: tuple[Swing, ...]  # largest first


def _logistic_fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fitted probabilities of a ridge-penalised logistic regression (Newton steps)."""
    n, k = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(k + 1)
    mean = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    beta[0] = float(special.logit(mean))
    penalty = np.full(k + 1, RIDGE)
    penalty[0] = 0.0  # the intercept is not shrunk
    for _ in range(30):
        p = special.expit(design @ beta)
        w = np.maximum(p * (1 - p), 1e-9)
        gradient = design.T @ (y - p) - penalty * beta
        hessian = (design * w[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if float(np.max(np.abs(step))) < 1e-7:
            break
    fitted: np.ndarray = special.expit(design @ beta)
    return fitted


def _normal_scores(values: np.ndarray) -> np.ndarray:
    ranks = stats.rankdata(values)
    return np.asarray(stats.norm.ppf((ranks - 0.5) / len(values)), dtype=float)


def spreads(source: Source, view: View) -> dict[str, Spread]:
    """Spread and swings of every outcome of ``view`` (empty when too few runs or no
    uncertain parameter varies)."""
    params = [p for p in view.model.parameters
              if f"param.{p.name}" in source.results.column_names]
    outcomes = [o for o in view.model.outcomes
                if f"outcome.{o.name}" in source.results.column_names]
    mask = source.variant_mask(view.variant)
    n = int(mask.sum())
    if n < MIN_RUNS or not params or not outcomes:
        return {}
    table = source.columns([*(f"param.{p.name}" for p in params),
                            *(f"outcome.{o.name}" for o in outcomes)])
    draws, kept = [], []
    for p in params:
        x = np.asarray(table.column(f"param.{p.name}").to_numpy(), dtype=float)[mask]
        if np.all(np.isfinite(x)) and float(np.ptp(x)) > 0:
            draws.append(x)
            kept.append(p)
    if not kept:
        return {}
    scores = np.column_stack([_normal_scores(x) for x in draws])
    ranks = [stats.rankdata(x) / n for x in draws]
    out: dict[str, Spread] = {}
    for o in outcomes:
        y = np.asarray(table.column(f"outcome.{o.name}").to_numpy(), dtype=float)[mask]
        p_all = float(y.mean())
        if p_all in (0.0, 1.0):
            fitted = np.full(n, p_all)
        else:
            fitted = _logistic_fit(scores, y)
        variance = p_all * (1 - p_all)
        explained = float(np.clip(fitted.var() / variance, 0, 1)) if variance > 0 else 0.0
        swings = []
        for p, r in zip(kept, ranks, strict=True):
            low, high = r <= TAIL, r > 1 - TAIL
            k_low, n_low = int(y[low].sum()), int(low.sum())
            k_high, n_high = int(y[high].sum()), int(high.sum())
            swings.append(Swing(p.name, p.label or p.name, k_low / max(n_low, 1),
                                k_high / max(n_high, 1), wilson_interval(k_low, n_low),
                                wilson_interval(k_high, n_high), min(n_low, n_high)))
        swings.sort(key=lambda s: -s.size)
        out[o.name] = Spread(o.name, p_all, float(np.quantile(fitted, 0.1)),
                             float(np.quantile(fitted, 0.9)), explained, tuple(swings))
    return out


def cached_spreads(ctx: Context, view: View) -> dict[str, Spread]:
    """:func:`spreads` of ``view``, computed once per report."""
    key = ("spreads", view.key)
    if key not in ctx.memo:
        ctx.memo[key] = spreads(view.source, view)
    result: dict[str, Spread] = ctx.memo[key]
    return result
