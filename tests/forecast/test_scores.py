"""Scores with known answers, computed by hand in the comments."""

from __future__ import annotations

import math

import pytest

from simulator.forecast.resolution import parse_resolution
from simulator.forecast.scores import LOG_CLIP, brier, log_score, score
from tests.forecast.conftest import make_record


def _score(record: dict, text: str) -> dict:
    return score(record, parse_resolution(text).resolution)


def test_brier_and_log_score_by_hand() -> None:
    assert brier(0.24, 1) == pytest.approx(0.76 ** 2)  # 0.5776
    assert brier(0.04, 0) == pytest.approx(0.0016)
    assert brier(0.3, 0.5) == pytest.approx(0.04)
    assert log_score(0.24, 1) == pytest.approx(math.log(0.24))
    assert log_score(0.04, 0) == pytest.approx(math.log(0.96))
    assert log_score(0.3, 0.5) == pytest.approx(0.5 * math.log(0.3) + 0.5 * math.log(0.7))


def test_log_score_is_clipped_so_certainty_never_costs_infinity() -> None:
    assert log_score(0.0, 1) == pytest.approx(math.log(LOG_CLIP))
    assert log_score(1.0, 1) == pytest.approx(math.log(1 - LOG_CLIP))
    assert log_score(1.0, 0) == pytest.approx(math.log(LOG_CLIP))
    assert math.isfinite(log_score(0.0, 1))


def test_variant_means_and_skill_by_hand() -> None:
    record = make_record({"a": 0.2, "b": 0.7, "c": 0.5})
    result = _score(record, """\
resolved_on: 2026-02-01
ambiguous: exclude
outcomes:
  a: {status: "yes", date: 2026-01-06}
  b: {status: "no"}
  c: {status: "no"}
""")
    v = result["variants"]["baseline"]
    # Brier: a (0.2 - 1)^2 = 0.64, b 0.7^2 = 0.49, c 0.5^2 = 0.25; mean 1.38 / 3 = 0.46
    assert v["outcomes"]["a"]["brier"] == pytest.approx(0.64)
    assert v["outcomes"]["b"]["brier"] == pytest.approx(0.49)
    assert v["brier"] == pytest.approx(0.46)
    # log: ln 0.2 + ln 0.3 + ln 0.5, averaged
    assert v["log_score"] == pytest.approx((math.log(0.2) + math.log(0.3) + math.log(0.5)) / 3)
    # skill against 50 %: 1 - 0.46 / 0.25 = -0.84
    assert v["skill"]["half"] == pytest.approx(-0.84)
    # base rate 1/3: its Brier is (1/3)(2/3) = 2/9; skill 1 - 0.46 / (2/9) = -1.07
    assert v["base_rate"] == pytest.approx(1 / 3)
    assert v["skill"]["base_rate"] == pytest.approx(1 - 0.46 * 9 / 2)
    assert v["pending"] == []
    assert v["n"] == 3


def test_references_pick_the_closest_date_and_give_skill() -> None:
    record = make_record({"a": 0.2, "b": 0.7})
    result = _score(record, """\
resolved_on: 2026-02-01
ambiguous: exclude
outcomes:
  a: {status: "yes", date: 2026-01-06}
  b: {status: "no"}
references:
  a:
    - {source: market, date: 2026-01-20, probability: 0.9}
    - {source: market, date: 2026-01-06, probability: 0.4}
  b: [{source: panel, probability: 0.1}]
""")
    v = result["variants"]["baseline"]
    # market on a: the 2026-01-06 entry (1 day from as_of): (0.4 - 1)^2 = 0.36
    assert v["outcomes"]["a"]["references"]["market"]["brier"] == pytest.approx(0.36)
    # over the one outcome market covers: ours 0.64, theirs 0.36 → 1 - 0.64/0.36
    assert v["references"]["market"]["skill"] == pytest.approx(1 - 0.64 / 0.36)
    # panel on b: 0.01 vs ours 0.49
    assert v["references"]["panel"]["brier"] == pytest.approx(0.01)
    assert v["references"]["panel"]["skill"] == pytest.approx(1 - 0.49 / 0.01)


def test_before_the_horizon_only_settled_outcomes_count() -> None:
    record = make_record({"a": 0.2, "b": 0.7, "c": 0.5})
    result = _score(record, """\
resolved_on: 2026-01-10
ambiguous: exclude
outcomes:
  a: {status: "yes", date: 2026-01-08}
  b: {status: "no"}
""")
    v = result["variants"]["baseline"]
    assert result["horizon_passed"] is False
    assert list(v["outcomes"]) == ["a"]  # yes is final
    assert v["pending"] == ["b", "c"]  # no before the end, and unresolved
    assert v["brier"] == pytest.approx(0.64)


def test_ambiguous_annulled_and_premises() -> None:
    record = make_record({"a": 0.3, "b": 0.7}, variants=("baseline", "hawk"))
    text = """\
resolved_on: 2026-02-01
ambiguous: {policy}
outcomes:
  a: {{status: ambiguous}}
  b: {{status: annulled}}
variants: {{hawk: {{premise_held: false}}}}
"""
    half = _score(record, text.format(policy="half"))
    assert half["not_scored"] == ["hawk"]
    assert list(half["variants"]) == ["baseline"]
    v = half["variants"]["baseline"]
    assert v["outcomes"]["a"]["brier"] == pytest.approx(0.04)  # (0.3 - 0.5)^2
    assert v["excluded"] == ["b"]
    excluded = _score(record, text.format(policy="exclude"))["variants"]["baseline"]
    assert excluded["n"] == 0
    assert excluded["brier"] is None
    assert excluded["excluded"] == ["a", "b"]


def test_pit_is_the_chance_by_the_resolution_date() -> None:
    # chance by the end of day k (k = 0 is 2026-01-05)
    by_day = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]
    record = make_record({"a": 0.6}, by_day={"a": by_day})
    v = _score(record, """\
resolved_on: 2026-02-01
ambiguous: exclude
outcomes: {a: {status: "yes", date: 2026-01-08}}
""")["variants"]["baseline"]
    assert v["outcomes"]["a"]["pit"] == pytest.approx(0.3)  # day 3
    assert v["outcomes"]["a"]["pit_given_event"] == pytest.approx(0.5)  # 0.3 / 0.6


def test_a_no_written_on_the_last_day_is_still_pending() -> None:
    record = make_record({"a": 0.2})  # the horizon's last day is 2026-01-15
    text = 'resolved_on: {day}\nambiguous: exclude\noutcomes: {{a: {{status: "no"}}}}\n'
    on_last_day = _score(record, text.format(day="2026-01-15"))["variants"]["baseline"]
    assert on_last_day["pending"] == ["a"]
    day_after = _score(record, text.format(day="2026-01-16"))["variants"]["baseline"]
    assert day_after["outcomes"]["a"]["brier"] == pytest.approx(0.04)
