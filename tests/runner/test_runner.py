"""The runner and the results directory: reproducibility, atomicity, refusal to overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import simulator
from simulator._files import atomic_write_json
from simulator.errors import ResultsError, ScenarioError
from simulator.results.ownership import write_marker
from simulator.runner.store import TMP_MARK, ResultsStore


def test_digest_independent_of_workers_and_chunking(mini_path: Path, tmp_path: Path) -> None:
    serial = simulator.run(mini_path, variants="all", runs=600, seed=3, executor="serial",
                           out=tmp_path / "a", chunk_size=600)
    pooled = simulator.run(mini_path, variants="all", runs=600, seed=3, workers=2,
                           out=tmp_path / "b", chunk_size=77)
    assert serial.digest == pooled.digest
    assert serial.to_pandas().drop(columns=[]).equals(pooled.to_pandas())


def test_seed_changes_results(mini_path: Path, tmp_path: Path) -> None:
    a = simulator.run(mini_path, runs=300, seed=1, executor="serial", out=tmp_path / "a")
    b = simulator.run(mini_path, runs=300, seed=2, executor="serial", out=tmp_path / "b")
    assert a.digest != b.digest


def test_results_directory_contents(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    results = simulator.run(mini_path, variants="all", runs=400, seed=0, executor="serial",
                            out=out)
    names = {p.name for p in out.iterdir()}
    assert names == {"manifest.json", "runs.parquet", "summary.json", "timeline.npz",
                     "traces.json", "run.json", ".geosim-results", ".geosim-lock"}
    assert not any(TMP_MARK in n for n in names)
    table = pq.read_table(out / "runs.parquet")
    assert table.num_rows == 800
    assert sorted(set(table.column("variant").to_pylist())) == ["baseline", "dovish"]
    summary = json.loads((out / "summary.json").read_text())
    strike = summary["variants"]["baseline"]["outcomes"]["us_strike"]
    lo, hi = strike["ci95"]
    assert lo <= strike["probability"] <= hi
    assert strike["runs"] == 400
    df = results.to_pandas()
    assert strike["reached"] == int(df[df.variant == "baseline"]["outcome.us_strike"].sum())
    # the chance of reaching a rung never increases up the ladder
    rungs = [r["probability"] for r in summary["variants"]["baseline"]["rungs"].values()]
    above = rungs[1:]  # from the initial rung (pressure) upwards
    assert above == sorted(above, reverse=True)
    assert rungs[1] == 1.0  # the initial rung is always reached
    assert rungs[0] < 1.0  # a rung below the start is reached only by de-escalating
    manifest = results.manifest
    assert manifest["seed"] == 0
    assert manifest["runs"] == 400
    assert manifest["variants"] == ["baseline", "dovish"]
    assert set(manifest["variant_digests"]) == {"baseline", "dovish"}
    assert "baseline" in repr(results)
    assert "<table>" in results._repr_html_()


def test_complete_results_are_not_overwritten_without_force(mini_path: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "r"
    first = simulator.run(mini_path, runs=100, executor="serial", out=out)
    with pytest.raises(ResultsError, match="--force"):
        simulator.run(mini_path, runs=100, executor="serial", out=out)
    again = simulator.run(mini_path, runs=100, executor="serial", out=out, force=True)
    assert again.digest == first.digest


def test_partial_run_resumes_only_missing_chunks(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    full = simulator.run(mini_path, runs=500, seed=5, executor="serial",
                         out=tmp_path / "full", chunk_size=100)
    partial = simulator.run(mini_path, runs=500, seed=5, executor="serial", out=out,
                            chunk_size=100)
    # pretend the run died: no manifest, two chunks left, a stray temporary file
    (out / "manifest.json").unlink()
    store = ResultsStore(out)
    store.chunks.mkdir()
    store.spec = json.loads((out / "run.json").read_text())
    for name in ("runs.parquet", "summary.json"):
        (out / name).unlink()
    del partial
    resumed_calls: list[int] = []

    from simulator.engine import batch

    original = batch.simulate_chunk

    def counting(model, root, start, stop, trace_every=500):  # type: ignore[no-untyped-def]
        resumed_calls.append(start)
        return original(model, root, start, stop, trace_every)

    # the registry looks the engine's function up when a task runs
    batch.simulate_chunk = counting  # type: ignore[assignment]
    try:
        # write two of five chunks as a crashed run would have
        model = simulator.compile_model(simulator.load_scenario(mini_path))
        for start in (0, 200):
            store.write_chunk(model, original(model, 5, start, start + 100))
        (out / f"{TMP_MARK}123-summary.json").write_text("half")
        with pytest.raises(ResultsError, match="partial run"):
            simulator.Results(out)
        resumed = simulator.run(mini_path, runs=500, seed=5, executor="serial", out=out,
                                chunk_size=100)
    finally:
        batch.simulate_chunk = original  # type: ignore[assignment]
    assert sorted(resumed_calls) == [100, 300, 400]
    assert resumed.digest == full.digest
    assert not list(out.rglob(f"{TMP_MARK}*"))


def test_incompatible_partial_run_is_refused(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    out.mkdir()
    write_marker(out)
    atomic_write_json(out / "run.json", {"seed": 99})
    with pytest.raises(ResultsError, match="different settings"):
        simulator.run(mini_path, runs=100, executor="serial", out=out)


def test_adaptive_precision_stops_reproducibly(mini_path: Path, tmp_path: Path) -> None:
    # 0.03 stops after the first round for this scenario, 0.02 after a later one; both
    # must not depend on the number of workers
    a = simulator.run(mini_path, precision=0.02, max_runs=20_000, executor="serial",
                      out=tmp_path / "a")
    b = simulator.run(mini_path, precision=0.02, max_runs=20_000, workers=2,
                      out=tmp_path / "b")
    c = simulator.run(mini_path, precision=0.03, max_runs=20_000, executor="serial",
                      out=tmp_path / "c")
    d = simulator.run(mini_path, precision=0.03, max_runs=20_000, workers=2,
                      out=tmp_path / "d")
    assert c.runs == d.runs
    assert c.digest == d.digest
    assert a.runs == b.runs < 20_000
    assert a.digest == b.digest
    for o in a.summary["variants"]["baseline"]["outcomes"].values():
        lo, hi = o["ci95"]
        assert (hi - lo) / 2 <= 0.02


def test_unknown_variant_is_a_scenario_error(mini_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="unknown variant `hawkish`"):
        simulator.run(mini_path, variants=["hawkish"], runs=10, executor="serial",
                      out=tmp_path / "x")


def test_results_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="does not exist"):
        simulator.Results(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultsError, match="no manifest"):
        simulator.Results(tmp_path / "empty")


def test_traces_are_a_fixed_sample(mini_path: Path, tmp_path: Path) -> None:
    results = simulator.run(mini_path, runs=1200, executor="serial", out=tmp_path / "r",
                            chunk_size=250)
    traced = sorted(int(k) for k in results.traces["baseline"])
    assert traced == [0, 500, 1000]
    events = results.traces["baseline"]["500"]
    times = [e["t"] for e in events]
    assert times == sorted(times)


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    atomic_write_json(target, {"a": 1})
    with pytest.raises(ValueError, match="JSON compliant"):
        atomic_write_json(target, {"bad": float("nan")})  # allow_nan=False
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_rate_that_becomes_infinite_is_a_run_error(tmp_path: Path) -> None:
    scenario = tmp_path / "inf.yaml"
    scenario.write_text(
        "id: inf\ntitle: Infinite rate\nas_of: 2026-01-01\nhorizon: 1 year\n"
        "state: {x: {initial: 0, min: 0, max: 1}}\n"
        "actors:\n  a:\n    options:\n"
        "      saturate: {rate: 2 per year, once: true, effects: [{set: {x: 1}}]}\n"
        "      blowup: {rate: 0.01 / (1 - x)}\n"
        "outcomes: {done: {when: x >= 1}}\n")
    with pytest.raises(simulator.RunError, match=r"rate of `a\.blowup` is inf"):
        simulator.run(scenario, runs=50, executor="serial", out=tmp_path / "o")


def test_variants_whose_names_share_a_prefix_stay_apart(mini_path: Path,
                                                         tmp_path: Path) -> None:
    text = mini_path.read_text().replace(
        "variants:\n", "variants:\n  dovish_x: {parameters: {strike_rate: 5% per month}}\n")
    path = tmp_path / "prefix.yaml"
    path.write_text(text)
    results = simulator.run(path, variants="all", runs=200, executor="serial",
                            out=tmp_path / "r", chunk_size=50)
    counts = results.to_pandas()["variant"].value_counts().to_dict()
    assert counts == {"baseline": 200, "dovish": 200, "dovish_x": 200}
    assert results.summary["variants"]["dovish"]["runs"] == 200
