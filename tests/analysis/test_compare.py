"""Paired variant comparison on common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.analysis.compare import compare_scenario, compare_variants, paired_difference
from simulator.errors import ResultsError
from simulator.results.results import Results
from simulator.runner.runner import run

P_BASE = 1 - 0.9**6
P_FAST = 1 - 0.895**6


def test_rows_and_known_difference(compare_results: Results) -> None:
    (row,) = compare_variants(compare_results)
    assert row["variant"] == "faster"
    assert row["outcome"] == "hit"
    assert row["label"] == "The hit"
    assert row["variant_label"] == "A little faster"
    assert set(row) >= {"p_base", "p_variant", "diff", "ci95", "words_base", "words_variant"}
    # monotone coupling: a larger hazard on the same budget never undoes a hit
    assert row["base_only"] == 0
    assert math.isclose(row["diff"], row["p_variant"] - row["p_base"])
    lo, hi = row["ci95"]
    assert lo < row["diff"] < hi
    # |z| < 4.5 against the closed form (false-alarm rate ~1e-5 each)
    n = row["runs"]
    assert abs(row["p_base"] - P_BASE) / math.sqrt(P_BASE * (1 - P_BASE) / n) < 4.5
    assert abs(row["diff"] - (P_FAST - P_BASE)) / max(row["se"], 1e-9) < 4.5


def test_paired_se_is_much_smaller_than_independent(compare_results: Results,
                                                     scenario_dir: object) -> None:
    (row,) = compare_variants(compare_results)
    n = row["runs"]
    # the same variant with another seed: an independent sample
    other = run(compare_results.scenario, variants=["faster"], runs=n, seed=99,
                executor="serial")
    p_ind = float(other.to_pandas(["outcome.hit"])["outcome.hit"].mean())
    p_base = row["p_base"]
    se_independent = math.sqrt(p_base * (1 - p_base) / n + p_ind * (1 - p_ind) / n)
    # expected ratio ≈ sqrt(0.5 / 0.02) ≈ 5; 3 leaves room for noise
    assert se_independent / row["se"] > 3


def test_paired_interval_edge_cases() -> None:
    same = np.array([True, False] * 50)
    r = paired_difference(same, same)
    assert r["diff"] == 0
    assert r["lo"] <= 0 <= r["hi"]
    assert r["se"] == 0
    allfalse = np.zeros(200, bool)
    r = paired_difference(allfalse, np.r_[np.ones(10, bool), np.zeros(190, bool)])
    assert r["diff"] == pytest.approx(0.05)
    assert 0 < r["lo"] < 0.05 < r["hi"] < 0.12
    with pytest.raises(ValueError, match="paired"):
        paired_difference(np.zeros(3, bool), np.zeros(4, bool))


def test_unknown_variant(compare_results: Results) -> None:
    with pytest.raises(ResultsError, match="nope"):
        compare_variants(compare_results, variants=["nope"])


def test_compare_scenario_runs_then_compares(scenario_dir: object, tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(scenario_dir, Path)
    assert isinstance(tmp_path, Path)
    rows = compare_scenario(scenario_dir / "compare.yaml", variants=["faster"], runs=300,
                            seed=1, executor="serial", out=tmp_path / "r")
    assert [r["variant"] for r in rows] == ["faster"]
    assert rows[0]["base_only"] == 0
