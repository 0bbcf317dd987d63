"""Sweep designs and a tiny sweep end to end (CLI, batch --sweep, Dask)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import simulator
from simulator.cli.app import app
from simulator.runner.sweep import (
    design_values,
    load_sweep_spec,
    quantity_text,
    run_sweep,
    sweep_spec_from_dict,
    unit_design,
)
from simulator.scenario.quantities import parse_quantity

MONTH = 365.25 / 12


@pytest.mark.parametrize(("dims", "points"), [(1, 7), (3, 10), (5, 64)])
def test_latin_hypercube_is_stratified(dims: int, points: int) -> None:
    u = unit_design("lhs", dims, points, seed=11)
    assert u.shape == (points, dims)
    for j in range(dims):  # exactly one point in each of the `points` strata, per dimension
        np.testing.assert_array_equal(np.sort(np.floor(u[:, j] * points)), np.arange(points))
    np.testing.assert_array_equal(u, unit_design("lhs", dims, points, seed=11))
    assert not np.array_equal(u, unit_design("lhs", dims, points, seed=12))


def test_sobol_is_balanced() -> None:
    u = unit_design("sobol", 2, 16, seed=5)
    assert u.shape == (16, 2)
    for j in range(2):  # one point in each 1/16 interval, per dimension
        np.testing.assert_array_equal(np.sort(np.floor(u[:, j] * 16)), np.arange(16))
    cells = {(int(a * 4), int(b * 4)) for a, b in u}  # and one in each cell of a 4 × 4 grid
    assert len(cells) == 16
    assert abs(u.mean() - 0.5) < 0.05
    with pytest.raises(ValueError, match="power of 2"):
        unit_design("sobol", 2, 10, seed=5)


def test_grid_size_and_levels() -> None:
    u = unit_design("grid", 3, 4, seed=0)
    assert u.shape == (64, 3)
    assert len({tuple(row) for row in u}) == 64
    np.testing.assert_array_equal(np.unique(u[:, 0]), np.linspace(0, 1, 4))
    assert unit_design("grid", 2, 0, seed=0, levels=[2, 3]).shape == (6, 2)
    np.testing.assert_array_equal(unit_design("grid", 1, 1, seed=0), [[0.5]])


def _spec(mini: Path, **over: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "scenario": mini.name, "design": "lhs", "points": "4", "seed": "3", "runs": "200",
        "parameters": {"strike_rate": {"low": "0.5% per month", "high": "5% per month",
                                       "scale": "log"},
                       "backlash": {"low": "0.2", "high": 0.9}},
    }
    spec.update(over)
    return spec


def test_spec_bounds_are_canonical_and_round_trip(mini: Path) -> None:
    spec = sweep_spec_from_dict(_spec(mini), base=mini.parent)
    low = spec.parameters[0].low
    assert low == pytest.approx(-math.log(1 - 0.005) / MONTH)  # hazard per day
    for point in design_values(spec):
        rate = point["strike_rate"]
        assert spec.parameters[0].low <= rate <= spec.parameters[0].high
        assert 0.2 <= point["backlash"] <= 0.9
        text = quantity_text(rate, "rate")
        assert parse_quantity(text, "rate").distribution.median == rate
    grid = sweep_spec_from_dict(_spec(mini, design="grid", points="3", parameters={
        "strike_rate": {"values": ["1% per month", "2% per month"]},
        "backlash": {"low": 0.2, "high": 0.8, "levels": "4"}}), base=mini.parent)
    values = design_values(grid)
    assert len(values) == 2 * 4
    assert sorted({round(v["backlash"], 12) for v in values}) == [0.2, 0.4, 0.6, 0.8]


def test_spec_errors_are_all_reported(mini: Path) -> None:
    bad = _spec(mini, design="sobol", points="12", parameters={
        "nope": {"low": 1, "high": 2}, "backlash": {"low": 0.9, "high": 0.2}})
    with pytest.raises(simulator.ScenarioError) as info:
        sweep_spec_from_dict(bad, base=mini.parent)
    text = str(info.value)
    assert "power of 2" in text
    bad = _spec(mini, parameters={"nope": {"low": 1, "high": 2},
                                  "backlash": {"low": 0.9, "high": 0.2}})
    with pytest.raises(simulator.ScenarioError) as info:
        sweep_spec_from_dict(bad, base=mini.parent)
    assert "`nope` is not a parameter" in str(info.value)
    assert "low ≤ high" in str(info.value)


def _write_spec(tmp_path: Path, mini: Path, **over: Any) -> Path:
    spec = _spec(mini, scenario=str(mini), **over)
    path = tmp_path / "sweep.yaml"
    path.write_text(json.dumps(spec))  # JSON is YAML
    return path


def test_sweep_cli_end_to_end(mini: Path, tmp_path: Path) -> None:
    spec = _write_spec(tmp_path, mini)
    out = tmp_path / "sw"
    runner = CliRunner()
    result = runner.invoke(app, ["sweep", str(spec), "-o", str(out), "--executor", "serial",
                                 "--json"])
    assert result.exit_code == 0, result.output
    index = json.loads((out / "index.json").read_text())
    assert index["n_points"] == len(index["points"]) == 4
    results = simulator.Results(out / index["results"])
    assert results.variants == ["baseline", "p000", "p001", "p002", "p003"]
    table = pq.read_table(results.path / "runs.parquet").to_pandas()
    for point in index["points"]:
        rows = table[table["variant"] == point["variant"]]
        assert len(rows) == 200
        for name, value in point["parameters"].items():  # constants, exactly the design's
            assert set(rows[f"param.{name}"]) == {value}
        assert point["digest"] == results.manifest["variant_digests"][point["variant"]]
        assert set(point["probabilities"]) == {"collapse", "us_strike"}
    # common random numbers: the unswept parts of every point use the same draws
    base = table[table["variant"] == "baseline"]["param.backlash"].to_numpy()
    assert len(set(base)) > 100
    # a finished sweep is not recomputed; batch --sweep writes the same tree
    finished = results.manifest["finished"]
    again = runner.invoke(app, ["sweep", str(spec), "-o", str(out), "-q"])
    assert again.exit_code == 0, again.output
    assert simulator.Results(out / "results").manifest["finished"] == finished
    batch = runner.invoke(app, ["batch", "--sweep", str(spec), "-o", str(tmp_path / "b"),
                                "-n", "200", "--executor", "serial", "-q"])
    assert batch.exit_code == 0, batch.output
    assert json.loads((tmp_path / "b" / "sweep" / "index.json").read_text())["digest"] == \
        index["digest"]


def test_sweep_on_dask_matches_serial(mini: Path, tmp_path: Path, dask_cluster: Any) -> None:
    pytest.importorskip("distributed")
    spec = load_sweep_spec(_write_spec(tmp_path, mini, design="grid", points="2"))
    serial = run_sweep(spec, out=tmp_path / "s", executor="serial", runs=150)
    on_dask = run_sweep(spec, out=tmp_path / "d", scheduler=dask_cluster.scheduler_address,
                        runs=150, chunk_size=50)
    assert serial["n_points"] == 4
    assert on_dask["digest"] == serial["digest"]
    assert [p["digest"] for p in on_dask["points"]] == [p["digest"] for p in serial["points"]]
