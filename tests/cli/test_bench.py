"""``geosim bench`` times a scenario and points at options that fire implausibly often."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.engine.profile import profile_model
from simulator.loading import load_scenario
from simulator.model.compile import compile_model

runner = CliRunner()


def test_profile_counts_firings(mini_path: Path) -> None:
    model = compile_model(load_scenario(mini_path))
    result = profile_model(model, runs=200)
    assert result.runs == 200
    assert result.runs_per_second > 0
    keys = [o.key for o in result.busiest]
    # us.surveil is chosen at most once per monthly decision: at most 12 per run
    surveil = next(o for o in result.busiest if o.key == "us.surveil")
    assert 0 < surveil.per_run <= 12
    assert keys == sorted(keys, key=lambda k: -next(o.per_run for o in result.busiest
                                                    if o.key == k))


def test_bench_flags_a_unit_slip(mini_path: Path, tmp_path: Path) -> None:
    slip = tmp_path / "slip.yaml"
    slip.write_text(mini_path.read_text().replace("rate: 2 per year", "rate: 2 * 1"))
    result = runner.invoke(app, ["bench", str(slip), "-n", "20"])
    assert result.exit_code == 0, result.output
    assert "mx.calm_down  ← per day? check its units" in result.output
    result = runner.invoke(app, ["bench", str(mini_path), "-n", "20", "--json"])
    payload = json.loads(result.stdout)
    assert payload["runs"] == 20


def test_bench_runs_either_engine_and_refuses_an_unknown_one(mini_path: Path) -> None:
    for engine in ("simpy", "numpy", "compiled"):
        result = runner.invoke(app, ["bench", str(mini_path), "-n", "300", "--engine", engine,
                                     "--json"])
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        assert payload["engine"] == engine
        assert payload["runs"] == 300
        # the same runs on either engine: us.surveil is at most monthly
        surveil = next(o for o in payload["busiest"] if o["key"] == "us.surveil")
        assert 0 < surveil["per_run"] <= 12
    result = runner.invoke(app, ["bench", str(mini_path), "-n", "5", "--engine", "fast"])
    assert result.exit_code == 2
    assert "unknown engine 'fast'; expected one of simpy, numpy, compiled" in result.output
