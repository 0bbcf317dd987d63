"""Variant comparison on common random numbers.

Every variant of a scenario is run with the same random rows for the same purposes, so
run *i* of a variant and run *i* of the baseline share their parameter draws, clocks and
chances except where the variant changes them. The difference of two outcome
probabilities is therefore estimated from **paired** binary outcomes: only discordant
pairs (the outcome happens in one variant's run and not in the other's) carry
information, and the interval is much narrower than for two independent samples.

The 95 % interval is Newcombe's hybrid score interval for paired proportions
(Newcombe 1998, *Statistics in Medicine* 17:2635, method 10): Wilson intervals for each
margin combined with the observed correlation of the pairs. Unlike the Wald interval it
behaves at probabilities near 0 or 1 and with few discordant pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simulator.analysis._common import check_variant, outcome_labels, variant_frame, variant_model
from simulator.analysis.rows import CompareRow, PairedDifference
from simulator.errors import ResultsError
from simulator.results.stats import icd203_word, wilson_interval

if TYPE_CHECKING:
    from simulator.results.results import Results
    from simulator.scenario.schema import Scenario


def paired_difference(base: np.ndarray, variant: np.ndarray,
                      confidence: float = 0.95) -> PairedDifference:
    """p_variant − p_base for paired booleans, with Newcombe's method-10 interval.

    Returns ``{"diff", "lo", "hi", "se", "n", "both", "variant_only", "base_only",
    "neither"}``; ``se`` is the paired standard error sd(variant − base)/√n.
    """
    a0 = np.asarray(base, bool)
    b0 = np.asarray(variant, bool)
    n = len(a0)
    if n == 0 or len(b0) != n:
        raise ValueError("paired samples must be non-empty and of equal length")
    both = int(np.sum(a0 & b0))
    v_only = int(np.sum(b0 & ~a0))
    b_only = int(np.sum(a0 & ~b0))
    neither = n - both - v_only - b_only
    p1 = (both + v_only) / n  # variant
    p2 = (both + b_only) / n  # baseline
    diff = p1 - p2
    l1, u1 = wilson_interval(both + v_only, n, confidence)
    l2, u2 = wilson_interval(both + b_only, n, confidence)
    # phi: correlation of the pairs, from the 2×2 table (variant rows, baseline columns)
    A, B, C, D = both + v_only, b_only + neither, both + b_only, v_only + neither
    denom = A * B * C * D
    phi = (both * neither - v_only * b_only) / math.sqrt(denom) if denom > 0 else 0.0
    dl = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    du = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    lo = max(-1.0, diff - math.sqrt(max(dl, 0.0)))
    hi = min(1.0, diff + math.sqrt(max(du, 0.0)))
    d = b0.astype(float) - a0.astype(float)
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    return {"diff": diff, "lo": lo, "hi": hi, "se": se, "n": n, "both": both,
            "variant_only": v_only, "base_only": b_only, "neither": neither}


def compare_variants(results: Results, *, baseline: str = "baseline",
                     variants: Sequence[str] | None = None) -> list[CompareRow]:
    """Each variant against ``baseline``, outcome by outcome, paired by run index.

    Rows ``{variant, variant_label, outcome, label, p_base, p_variant, diff, ci95: [lo, hi],
    se, runs, words_base, words_variant, variant_only, base_only}`` in variant then
    outcome order. ``diff`` = p_variant − p_base (probabilities as fractions);
    ``variant_only`` / ``base_only`` count the discordant pairs. Only runs present in
    both variants are paired.
    """
    check_variant(results, baseline)
    names = [v for v in (variants if variants is not None else results.variants)
             if v != baseline]
    for v in names:
        check_variant(results, v)
    model = variant_model(results, baseline)
    outcomes = [o.name for o in model.outcomes]
    labels = outcome_labels(model)
    cols = [f"outcome.{o}" for o in outcomes]
    base_df = variant_frame(results, baseline, cols).set_index("run")
    scen = results.scenario
    rows: list[CompareRow] = []
    for v in names:
        vdf = variant_frame(results, v, cols).set_index("run")
        common = base_df.index.intersection(vdf.index)
        if len(common) == 0:
            raise ResultsError(f"variants `{baseline}` and `{v}` share no run indices")
        vlabel = scen.variants[v].label if v in scen.variants else ""
        for o in outcomes:
            a = base_df.loc[common, f"outcome.{o}"].to_numpy(bool)
            b = vdf.loc[common, f"outcome.{o}"].to_numpy(bool)
            r = paired_difference(a, b)
            p_base, p_var = float(a.mean()), float(b.mean())
            rows.append({
                "variant": v, "variant_label": vlabel or v, "outcome": o, "label": labels[o],
                "p_base": p_base, "p_variant": p_var, "diff": r["diff"],
                "ci95": [r["lo"], r["hi"]], "se": r["se"], "runs": len(common),
                "words_base": icd203_word(p_base), "words_variant": icd203_word(p_var),
                "variant_only": r["variant_only"], "base_only": r["base_only"],
            })
    return rows


def compare_scenario(scenario: str | Path | Scenario, *, variants: Sequence[str] | str = "all",
                     baseline: str = "baseline", runs: int = 5_000, seed: int | None = 0,
                     workers: int | None = None, executor: str = "process",
                     out: str | Path | None = None, force: bool = False
                     ) -> list[CompareRow]:
    """Run ``scenario`` (baseline and ``variants``, ``"all"`` by default) and compare them.

    Results go to ``out`` (a temporary directory when None); see :func:`compare_variants`.
    """
    from simulator.runner.runner import run

    names: Sequence[str] | str = variants
    if not isinstance(variants, str) and baseline not in variants:
        names = [baseline, *variants]
    results = run(scenario, variants=names, runs=runs, seed=seed, workers=workers,
                  executor=executor, out=out, force=force)
    chosen = None if isinstance(variants, str) else list(variants)
    return compare_variants(results, baseline=baseline, variants=chosen)
