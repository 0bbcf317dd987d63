"""Statistical comparison of two sets of results of the same scenario (shared by the
engine equivalence and simultaneity tests).

Every outcome and indicator probability is compared with a two-proportion z-test, and
the times at which each is reached with a two-sample Kolmogorov–Smirnov test (which
covers the median time). All checks of one comparison form one family: with K checks
and family-wise false-alarm rate ALPHA, each passes when p > ALPHA / K (Bonferroni).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

import simulator

ALPHA = 1e-3
MIN_HITS = 50  # times are compared when both sides reached the event this often


def compare(a: simulator.Results, b: simulator.Results) -> list[str]:
    """Every failing check (empty when the two agree), family-wise rate ALPHA."""
    times_a, times_b = _times(a), _times(b)
    checks: list[tuple[str, float]] = []  # (description, p-value)
    for name, ta in times_a.items():
        tb = times_b[name]
        ha, hb = ~np.isnan(ta), ~np.isnan(tb)
        pa, pb = ha.mean(), hb.mean()
        pooled = (ha.sum() + hb.sum()) / (ha.size + hb.size)
        se = math.sqrt(pooled * (1 - pooled) * (1 / ha.size + 1 / hb.size))
        if se > 0:
            z = (pa - pb) / se
            checks.append((f"P({name}) {pa:.4f} vs {pb:.4f}, z = {z:+.2f}",
                           float(2 * stats.norm.sf(abs(z)))))
        if ha.sum() >= MIN_HITS and hb.sum() >= MIN_HITS:
            # asymptotic p-value: the exact one fails on large samples with ties
            ks = stats.ks_2samp(ta[ha], tb[hb], method="asymp")
            checks.append(((f"times of {name}: medians {np.median(ta[ha]):.1f} vs "
                           f"{np.median(tb[hb]):.1f} days, KS p = {ks.pvalue:.3g}"),
                           float(ks.pvalue)))
    threshold = ALPHA / len(checks)
    return [f"{what} (p < {threshold:.2g})" for what, p in checks if p <= threshold]


def _times(results: simulator.Results) -> dict[str, np.ndarray]:
    """Reach time per outcome and indicator (NaN: never), from the runs table."""
    import pyarrow.parquet as pq

    model = simulator.compile_model(results.scenario, "baseline")
    names = [("outcome", o.name) for o in model.outcomes]
    names += [("indicator", i.name) for i in model.indicators]
    columns = [f"{kind}_time.{name}" for kind, name in names]
    table = pq.read_table(results.path / "runs.parquet", columns=columns)
    return {f"{kind} {name}": table.column(c).to_numpy().astype(float)
            for (kind, name), c in zip(names, columns, strict=True)}
