"""Signposts: a perfect precursor with a fixed lead, and an independent indicator."""

from __future__ import annotations

import math

import pytest

from simulator.analysis.signposts import _likelihood_ratio, signposts
from simulator.results.results import Results

MONTH = 365.25 / 12


def _row(rows: list[dict], indicator: str, outcome: str) -> dict:
    return next(r for r in rows if r["indicator"] == indicator and r["outcome"] == outcome)


def test_perfect_precursor(signposts_results: Results) -> None:
    rows = signposts(signposts_results)
    r = _row(rows, "spark_seen", "boom")
    assert r["indicator_label"] == "Fuse lit"
    assert r["outcome_label"] == "Explosion"
    # the explosion follows the spark by exactly 20 days, never otherwise
    assert r["lead_time"]["median"] == pytest.approx(20.0)
    assert r["lead_time"]["p10"] == pytest.approx(20.0)
    assert r["p_if_not_seen"] == 0.0
    # P(boom | spark seen) = P(spark before day 160) / P(spark before day 180)
    h = -math.log(1 - 0.3) / MONTH
    expected = (1 - math.exp(-h * 160)) / (1 - math.exp(-h * 180))
    n = r["seen_first"]
    # |z| < 4.5: false-alarm rate ~1e-5
    assert abs(r["p_if_seen"] - expected) / math.sqrt(expected * (1 - expected) / n) < 4.5
    # LR = 1 / P(spark in the last 20 days | no boom) = 1 / (1 − exp(−20 h))
    lo, hi = r["lr_ci95"]
    assert lo < 1 / (1 - math.exp(-20 * h)) < hi
    assert r["seen_first_and_outcome"] == r["outcome_runs"]


def test_independent_indicator_has_lr_one(signposts_results: Results) -> None:
    r = _row(signposts(signposts_results), "coin_seen", "boom")
    lo, hi = r["lr_ci95"]
    assert lo < 1 < hi
    assert abs(r["likelihood_ratio"] - 1) < 0.2
    assert r["lead_time"]["median"] > 19  # the coin shows on day 1, booms come after day 20


def test_never_reached_outcome(signposts_results: Results) -> None:
    r = _row(signposts(signposts_results), "spark_seen", "nothing")
    assert r["outcome_runs"] == 0
    assert r["likelihood_ratio"] is None
    assert r["lead_time"] is None
    assert r["p_if_seen"] == 0.0


def test_rows_sorted_by_likelihood_ratio(signposts_results: Results) -> None:
    rows = [r for r in signposts(signposts_results) if r["outcome"] == "boom"]
    assert [r["indicator"] for r in rows] == ["spark_seen", "coin_seen"]


def test_likelihood_ratio_zero_cells_corrected() -> None:
    lr, ci, corrected = _likelihood_ratio(10, 10, 0, 90)
    assert corrected
    assert lr is not None
    assert ci is not None
    assert lr > 10
    assert ci[0] < lr < ci[1]
    assert _likelihood_ratio(0, 0, 3, 10) == (None, None, False)
