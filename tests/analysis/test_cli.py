"""CLI wiring of the analysis commands (typer's CliRunner on the shared app)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.results.results import Results

runner = CliRunner()


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_compare_results_dir(compare_results: Results) -> None:
    rows = _json(["compare", str(compare_results.path), "--json"])
    assert isinstance(rows, list)
    assert rows[0]["variant"] == "faster"
    result = runner.invoke(app, ["compare", str(compare_results.path)])
    assert result.exit_code == 0
    assert "faster" in result.stdout


def test_compare_scenario_file(scenario_dir: Path) -> None:
    rows = _json(["compare", str(scenario_dir / "compare.yaml"), "--runs", "100",
                  "--executor", "serial", "--variants", "faster", "--json"])
    assert isinstance(rows, list)
    assert rows[0]["runs"] == 100


def test_paths_signposts_stories(signposts_results: Results, paths_results: Results) -> None:
    data = _json(["paths", str(paths_results.path), "--json"])
    assert isinstance(data, dict)
    assert data["runs"] == paths_results.runs
    rows = _json(["signposts", str(signposts_results.path), "--outcome", "boom", "--json"])
    assert isinstance(rows, list)
    assert {r["indicator"] for r in rows} == {"spark_seen", "coin_seen"}
    stories = _json(["stories", str(signposts_results.path), "--json"])
    assert isinstance(stories, dict)
    assert set(stories) == {"boom", "nothing"}
    for args in (["paths", str(paths_results.path)], ["signposts", str(signposts_results.path)],
                 ["stories", str(signposts_results.path), "--per-outcome", "1"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output


def test_discover_and_given_data(threshold_results: Results) -> None:
    rows = _json(["discover", str(threshold_results.path), "--outcome", "went", "--json"])
    assert isinstance(rows, list)
    assert rows[0]["conditions"][0]["parameter"] == "thr"
    result = runner.invoke(app, ["discover", str(threshold_results.path), "--outcome", "went"])
    assert "Threshold draw is at least" in result.stdout
    assert "one-sided two-proportion z-test, z ≥ 3" in " ".join(result.stdout.split())
    data = _json(["sensitivity", str(threshold_results.path), "--method", "given-data",
                  "--json"])
    assert isinstance(data, dict)
    assert data["went"][0]["parameter"] == "thr"


def test_tornado_command(scenario_dir: Path) -> None:
    result = runner.invoke(app, ["sensitivity", str(scenario_dir / "one_driver.yaml"),
                                 "--runs", "100", "--executor", "serial"])
    assert result.exit_code == 0, result.output
    assert "Driver rate" in result.stdout


def test_bad_input_exit_codes(threshold_results: Results, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["discover", str(threshold_results.path), "--outcome", "nope"])
    assert bad.exit_code == 1
    assert "unknown outcome" in bad.output
    missing = runner.invoke(app, ["paths", str(tmp_path / "missing")])
    assert missing.exit_code == 1
    wrong = runner.invoke(app, ["sensitivity", str(threshold_results.path), "--method",
                                "tornado"])
    assert wrong.exit_code == 1


def test_sobol_command_budget_and_warning(scenario_dir: Path) -> None:
    # a budget of 400 runs at 20 runs per point, 3 parameters: 4 samples × 5 points
    result = runner.invoke(app, ["sensitivity", str(scenario_dir / "one_driver.yaml"),
                                 "--method", "sobol", "--outcome", "hit", "--budget", "400",
                                 "--runs", "20", "--executor", "serial", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["samples"] == 4
    assert rows[0]["runs"] == 400
    assert "4 samples × 5 points × 20 runs = 400 runs" in " ".join(result.stderr.split())
    too_small = runner.invoke(app, ["sensitivity", str(scenario_dir / "one_driver.yaml"),
                                    "--method", "sobol", "--outcome", "hit", "--budget",
                                    "100", "--runs", "20", "--executor", "serial"])
    assert too_small.exit_code != 0
    assert "at least 200 runs" in " ".join(too_small.output.split())
