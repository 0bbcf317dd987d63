"""End to end on the tutorial scenario: run → freeze → resolve-template → fill → score,
checked against a hand computation from summary.json; then the report's score card and
the track record of a folder."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.results.results import Results

runner = CliRunner()


def _fill(template: str) -> str:
    """Fill the template: a strike on 2026-03-10, no suspension, one market reference."""
    text = re.sub(r"(  us_strike:\n    status:)\n    date:",
                  r'\1 "yes"\n    date: 2026-03-10', template)
    text = re.sub(r"(  cooperation_suspended:\n    status:)", r'\1 "no"', text)
    text = re.sub(r"resolved_on: \S+", "resolved_on: 2026-08-01", text)
    return text.replace("references: {}", "references:\n  us_strike: [{source: market, "
                        "date: 2026-01-06, probability: 0.1}]")


@pytest.fixture
def frozen(tutorial_results: Results, tmp_path: Path) -> tuple[Path, Path]:
    """(forecast file, filled resolution file) in a folder of their own."""
    forecast = tmp_path / "class" / "tutorial.forecast.json"
    result = runner.invoke(app, ["freeze", str(tutorial_results.path), "-o", str(forecast)])
    assert result.exit_code == 0, result.output
    template = tmp_path / "template.yaml"
    result = runner.invoke(app, ["resolve-template", str(forecast), "-o", str(template)])
    assert result.exit_code == 0, result.output
    filled = tmp_path / "class" / "tutorial.resolution.yaml"
    filled.write_text(_fill(template.read_text()))
    return forecast, filled


def test_score_json_matches_a_hand_computation_from_summary(
        tutorial_results: Results, frozen: tuple[Path, Path]) -> None:
    forecast, filled = frozen
    result = runner.invoke(app, ["score", str(forecast), "--resolutions", str(filled),
                                 "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    summary = json.loads((tutorial_results.path / "summary.json").read_text())
    assert sorted(scores["variants"]) == ["baseline"]  # no_summit: premise did not hold
    assert scores["not_scored"] == ["no_summit"]
    p = summary["variants"]["baseline"]["outcomes"]
    strike, coop = p["us_strike"]["probability"], p["cooperation_suspended"]["probability"]
    v = scores["variants"]["baseline"]
    assert v["outcomes"]["us_strike"]["brier"] == pytest.approx((1 - strike) ** 2)
    assert v["outcomes"]["cooperation_suspended"]["brier"] == pytest.approx(coop ** 2)
    assert v["outcomes"]["us_strike"]["log_score"] == pytest.approx(math.log(strike))
    assert v["brier"] == pytest.approx(((1 - strike) ** 2 + coop ** 2) / 2)
    assert v["pending"] == []
    assert v["references"]["market"]["brier"] == pytest.approx(0.81)  # (0.1 - 1)^2
    # PIT: the share of baseline runs with a strike before the end of 2026-03-10 (day 64)
    times = tutorial_results.to_pandas(["variant", "outcome_time.us_strike"])
    base = times[times["variant"] == "baseline"]["outcome_time.us_strike"]
    assert v["outcomes"]["us_strike"]["pit"] == pytest.approx((base < 65).mean(), abs=1e-6)


def test_score_lists_pending_before_the_horizon(frozen: tuple[Path, Path]) -> None:
    forecast, filled = frozen
    filled.write_text(filled.read_text().replace("resolved_on: 2026-08-01",
                                                 "resolved_on: 2026-04-01"))
    result = runner.invoke(app, ["score", str(forecast), "-r", str(filled), "--json"])
    assert result.exit_code == 0, result.output
    v = json.loads(result.stdout)["variants"]["baseline"]
    assert list(v["outcomes"]) == ["us_strike"]
    assert v["pending"] == ["cooperation_suspended"]


def test_bad_resolution_file_gives_located_errors_and_exit_1(
        frozen: tuple[Path, Path]) -> None:
    forecast, filled = frozen
    filled.write_text(filled.read_text().replace('"no"', "nope").replace(
        "date: 2026-03-10", "date: 2026-09-10"))
    result = runner.invoke(app, ["score", str(forecast), "-r", str(filled)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(rf"{re.escape(str(filled))}:\d+:\d+: error at "
                     r"`outcomes.cooperation_suspended.status`: not a status", result.output)


def test_freeze_never_overwrites(tutorial_results: Results, frozen: tuple[Path, Path],
                                 tmp_path: Path) -> None:
    forecast, filled = frozen
    before = forecast.read_bytes()
    again = runner.invoke(app, ["freeze", str(tutorial_results.path), "-o", str(forecast)])
    assert again.exit_code == 0
    assert "already frozen" in again.output
    assert forecast.read_bytes() == before
    clash = runner.invoke(app, ["freeze", str(tutorial_results.path), "-o", str(filled)])
    assert clash.exit_code == 1
    assert "never overwritten" in clash.output
    template = runner.invoke(app, ["resolve-template", str(forecast), "-o", str(filled)])
    assert template.exit_code == 1
    assert "already exists" in template.output


def test_saved_scores_show_in_the_report(tutorial_results: Results,
                                         frozen: tuple[Path, Path]) -> None:
    from simulator.report.builder import render

    forecast, filled = frozen
    result = runner.invoke(app, ["score", str(forecast), "-r", str(filled), "--save"])
    assert result.exit_code == 0, result.output
    saved = list(tutorial_results.path.glob("*.score.json"))
    assert len(saved) == 1  # saved with the results it scores
    try:
        page = render([Results(tutorial_results.path)])
    finally:
        saved[0].unlink()
    assert 'id="scores"' in page
    card = page[page.index('id="scores"'):]
    assert "market: 10.0%" in card
    assert "Not scored (premise did not hold): no_summit" in card
    assert 'id="scores"' not in render([Results(tutorial_results.path)])


def test_save_refuses_results_that_were_rerun(frozen: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    forecast, filled = frozen
    record = json.loads(forecast.read_text())
    moved = tmp_path / "elsewhere.forecast.json"
    record["frozen_from"] = str(tmp_path / "gone")  # not hashed: the id stays valid
    moved.write_text(json.dumps(record))
    result = runner.invoke(app, ["score", str(moved), "-r", str(filled), "--save"])
    assert result.exit_code == 1
    assert "no longer holds the results" in result.output
    assert "mean Brier" in result.output  # the scores were still printed


def test_track_record_of_a_folder(frozen: tuple[Path, Path], tmp_path: Path) -> None:
    forecast, _ = frozen
    page = tmp_path / "track.html"
    result = runner.invoke(app, ["track-record", str(forecast.parent), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert "pooled: 2 scored outcome(s)" in result.output
    assert "too few to judge calibration" in result.output
    html = page.read_text()
    assert '<svg id="reliability"' in html
    data = json.loads(runner.invoke(app, ["track-record", str(forecast.parent),
                                          "--json"]).stdout)
    assert data["pooled"]["n"] == 2
