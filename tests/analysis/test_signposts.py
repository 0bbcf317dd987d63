"""Signposts: a perfect precursor with a fixed lead, and an independent indicator."""

from __future__ import annotations

import math

import pytest

from simulator.analysis.signposts import _likelihood_ratio, signposts
from simulator.results.results import Results
from simulator.runner.runner import run

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
    # time-matched LR = 1 / p0: every booming run saw the spark first, and p0 is the share
    # of runs without a boom whose spark (after day 160) came before the booming run's
    # time t_O = spark + 20, averaged over booming runs:
    # p0 = ∫_140^160 h e^(−hs) (1 − e^(−(s−140)h)) ds / (1 − e^(−160h))
    e = math.exp
    p0 = ((e(-140 * h) - e(-160 * h)) - e(140 * h) * (e(-280 * h) - e(-320 * h)) / 2) / (
        1 - e(-160 * h))
    lo, hi = r["lr_ci95"]
    assert lo < 1 / p0 < hi
    assert r["seen_first_and_outcome"] == r["outcome_runs"]
    # the spark is the boom's cause, seen directly: a warning, never set aside
    assert r["shared_causes"] == []
    assert r["consequence_sightings"] == 0


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


# An outcome that comes early (a hazard from day 0), an indicator that comes at random
# times from an unrelated hazard, and one that is a side effect of the outcome's cause.
UNRELATED = """
id: signposts-unrelated
title: Unrelated and consequence indicators
as_of: 2026-01-05
horizon: 1 year
state:
  smoke: {initial: 0, min: 0, max: 1}
actors:
  x:
    options:
      spark:
        rate: 40% per year
        once: true
        effects: [{add: {smoke: 1}}, {trigger: x.blow, after: 10 days}]
      blow: {label: blows up}
      drift: {rate: 60% per year, once: true}
  y:
    options:
      blink: {rate: 50% per year, once: true}
outcomes:
  boom: {when: fired(x.blow)}
  drifted: {when: fired(x.drift)}
indicators:
  blink_seen: {when: fired(y.blink)}
  smoke_seen: {when: smoke > 0.5}
"""


@pytest.fixture(scope="module")
def unrelated_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    folder = tmp_path_factory.mktemp("signposts-unrelated")
    (folder / "s.yaml").write_text(UNRELATED)
    return run(folder / "s.yaml", runs=4000, seed=11, executor="serial", out=folder / "r")


def test_unrelated_indicator_has_ratio_indistinguishable_from_one(
        unrelated_results: Results) -> None:
    """`blink` is independent of both outcomes. Seen at random times, it would get a ratio
    well below 1 if runs without the outcome were counted over the whole year; matched at
    the outcome times, 1 lies inside the 95 % interval (a 5 % false-alarm rate per row;
    the seed is fixed)."""
    rows = signposts(unrelated_results)
    for outcome in ("boom", "drifted"):
        r = _row(rows, "blink_seen", outcome)
        lo, hi = r["lr_ci95"]
        assert lo < 1 < hi, (outcome, r["likelihood_ratio"], r["lr_ci95"])
        assert abs(r["likelihood_ratio"] - 1) < 0.25
        assert r["shared_causes"] == []
        # the naive ratio (seen first | O) / (seen at all | not O) is far below 1 here
        naive = (r["seen_first_and_outcome"] / r["outcome_runs"]) / (
            (r["seen_first"] - r["seen_first_and_outcome"]) / (r["runs"] - r["outcome_runs"]))
        assert naive < 0.8


def test_consequence_of_the_same_event_is_set_aside(unrelated_results: Results) -> None:
    """`smoke` rises at the spark, which also brings the boom 10 days later: smoke is a
    consequence of the boom's cause, so none of its sightings counts as a warning."""
    r = _row(signposts(unrelated_results), "smoke_seen", "boom")
    assert r["shared_causes"] == ["x.spark"]
    assert r["consequence_sightings"] > 0
    assert r["seen_first_and_outcome"] == 0
    # against an outcome the spark cannot bring, the same sightings count
    d = _row(signposts(unrelated_results), "smoke_seen", "drifted")
    assert d["shared_causes"] == []
    assert d["consequence_sightings"] == 0
    assert d["seen_first"] > 0
