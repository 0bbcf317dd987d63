"""Forecast records: content-derived ids, never overwritten, tamper-evident."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from simulator.errors import ResultsError
from simulator.forecast.record import (
    build_record,
    chance_by_day,
    read_record,
    write_record,
)
from simulator.results.results import Results


def test_chance_by_day_by_hand() -> None:
    # 4 runs: events at 0.5 (day 0), 1.0 and 1.9 (day 1), never; days 0..3
    assert chance_by_day([0.5, 1.0, 1.9, math.nan], 4, 3) == [0.25, 0.75, 0.75, 0.75]


def test_record_holds_what_scoring_needs(tutorial_results: Results) -> None:
    record = build_record(tutorial_results)
    summary = tutorial_results.summary
    assert record["id"].startswith("tutorial-minimal-")
    assert record["as_of"] == "2026-01-05"
    assert record["horizon_end"] == "2026-07-06"  # as_of + 182.625 days, the last day
    assert record["seed"] == 11
    assert record["runs"] == 300
    assert record["scenario"]["text_source"] == "file"
    assert "unilateral_strike" in record["scenario"]["text"]
    assert "5 July 2026" in record["outcomes"]["us_strike"]["resolution"]
    assert sorted(record["variants"]) == ["baseline", "no_summit"]
    for variant, entry in record["variants"].items():
        for outcome, forecast in entry["outcomes"].items():
            expected = summary["variants"][variant]["outcomes"][outcome]["probability"]
            assert forecast["probability"] == expected
            by_day = forecast["by_day"]
            assert len(by_day) == 183
            assert by_day[-1] == pytest.approx(expected, abs=1e-6)  # stored to 6 digits
            assert all(a <= b for a, b in itertools.pairwise(by_day))


def test_same_results_same_id_and_never_overwritten(tutorial_results: Results,
                                                   tmp_path: Path) -> None:
    first = build_record(tutorial_results)
    again = build_record(tutorial_results)
    assert first["id"] == again["id"]
    path = tmp_path / "f.forecast.json"
    assert write_record(first, path) is True
    before = path.read_bytes()
    assert write_record(again, path) is False  # the same forecast: left as it was
    assert path.read_bytes() == before
    other = dict(first, seed=99)
    from simulator.forecast.record import record_id

    other["id"] = record_id(other)
    with pytest.raises(ResultsError, match="never overwritten"):
        write_record(other, path)
    assert path.read_bytes() == before
    user_file = tmp_path / "notes.json"
    user_file.write_text("my notes")
    with pytest.raises(ResultsError, match="never overwritten"):
        write_record(first, user_file)
    assert user_file.read_text() == "my notes"


def test_an_edited_record_is_refused(tutorial_results: Results, tmp_path: Path) -> None:
    record = build_record(tutorial_results)
    path = tmp_path / "f.forecast.json"
    write_record(record, path)
    assert read_record(path)["id"] == record["id"]
    edited = json.loads(path.read_text())
    edited["variants"]["baseline"]["outcomes"]["us_strike"]["probability"] = 0.99
    forged = tmp_path / "forged.forecast.json"
    forged.write_text(json.dumps(edited))
    with pytest.raises(ResultsError, match="edited since it was frozen"):
        read_record(forged)
    not_a_record = tmp_path / "x.json"
    not_a_record.write_text("{}")
    with pytest.raises(ResultsError, match="not a forecast record"):
        read_record(not_a_record)
