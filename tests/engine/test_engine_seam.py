"""The engine seam: the registry, a compiled model that pickles, the engine in the
manifest, and the NumPy engine's random streams (bit-exact copies of NumPy's own)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

import simulator
from simulator.engine.batch import simulate_chunk
from simulator.engine.pcg_vector import spawned_uniforms
from simulator.engine.registry import engine_names, get_engine
from simulator.engine.streams import RowLayout, Streams
from simulator.engine.vector_engine import simulate_chunk_vectorised
from simulator.engine.vector_support import ChunkDraws

DATA = Path(__file__).parents[1] / "data"
FLAGSHIP = Path(__file__).parents[2] / "scenarios" / "us_mexico_cartels.yaml"


def _model(path: Path = DATA / "mini.yaml") -> simulator.Model:
    return simulator.compile_model(simulator.load_scenario(path))


def test_registry_knows_both_engines_and_refuses_others() -> None:
    assert engine_names() == ["simpy", "numpy", "compiled"]
    assert get_engine("numpy") is simulate_chunk_vectorised
    assert get_engine("simpy") is simulate_chunk
    with pytest.raises(ValueError, match=r"unknown engine 'fast'.*simpy, numpy"):
        get_engine("fast")


def test_compiled_model_pickles_and_evaluates_the_same() -> None:
    model = _model(FLAGSHIP)
    copy = pickle.loads(pickle.dumps(model))
    rng = np.random.default_rng(1)
    V = rng.uniform(0, 3, size=(model.n_slots, 50))
    exprs = [(o.when, c.when) for o, c in zip(model.options, copy.options, strict=True)]
    exprs += [(o.rate, c.rate) for o, c in zip(model.options, copy.options, strict=True)
              if o.rate is not None]
    exprs += [(p.when, c.when) for p, c in zip(model.predicates, copy.predicates, strict=True)]
    for original, rebuilt in exprs:
        assert rebuilt.text == original.text
        assert rebuilt.slots == original.slots
        assert np.array_equal(rebuilt.evaluate_array(V), original.evaluate_array(V))
        for k in range(5):
            assert rebuilt(list(V[:, k])) == original(list(V[:, k]))


@pytest.mark.parametrize("root", [0, 7, 2**40 + 3, 282809669160055996200825292349374625031])
def test_vectorised_streams_are_numpys_own(root: int) -> None:
    runs = np.array([0, 1, 2, 999, 2**31 + 5], np.uint32)
    got = spawned_uniforms(root, runs[:, None], 300)
    for k, run in enumerate(runs):
        seq = np.random.SeedSequence(root, spawn_key=(int(run),))
        assert np.array_equal(got[k], np.random.Generator(np.random.PCG64(seq)).random(300))
    keys = np.array([[3, 1], [0, 17]], np.uint32)
    got = spawned_uniforms(root, keys, 9)
    for k, key in enumerate(keys):
        seq = np.random.SeedSequence(root, spawn_key=tuple(int(x) for x in key))
        assert np.array_equal(got[k], np.random.Generator(np.random.PCG64(seq)).random(9))


def test_chunk_draws_follow_each_runs_streams_including_overflow() -> None:
    layout = RowLayout((1, 3, 0, 2))
    draws = ChunkDraws(11, 40, 46, layout)
    streams = [Streams(11, run, layout) for run in range(40, 46)]
    everyone = np.arange(6)
    for row in (1, 2, 3):
        for _ in range(20):  # well past each row's block: overflow streams
            expected = [s.uniform(row) for s in streams]
            assert np.array_equal(draws.draw(row, everyone), expected)
    assert np.array_equal(draws.first(0), [s.first(0) for s in streams])


def test_chunk_draws_follow_long_rows_drawn_by_irregular_subsets() -> None:
    """Rows drawn far past their block (the doubling store) by changing sets of runs."""
    layout = RowLayout((2, 1))
    draws = ChunkDraws(7, 0, 30, layout)
    streams = [Streams(7, run, layout) for run in range(30)]
    rng = np.random.default_rng(0)
    for _ in range(300):
        row = int(rng.integers(0, 2))
        runs = np.flatnonzero(rng.random(30) < 0.4)
        expected = [streams[r].uniform(row) for r in runs]
        assert np.array_equal(draws.draw(row, runs), expected)
    assert draws.pos.max() > 40  # some streams went well past their first numbers


def test_engines_draw_the_same_parameters_per_run() -> None:
    model = _model(FLAGSHIP)
    a = simulate_chunk(model, 5, 100, 160, trace_every=0)
    b = simulate_chunk_vectorised(model, 5, 100, 160, trace_every=0)
    assert np.array_equal(a.columns["params"], b.columns["params"])
    assert np.array_equal(a.columns["run"], b.columns["run"])


def test_numpy_results_do_not_depend_on_chunking(tmp_path: Path) -> None:
    kw = {"runs": 3000, "seed": 3, "executor": "serial", "variants": "all", "engine": "numpy"}
    one = simulator.run(DATA / "mini.yaml", out=tmp_path / "a", chunk_size=3000, **kw)
    many = simulator.run(DATA / "mini.yaml", out=tmp_path / "b", chunk_size=700, **kw)
    assert one.manifest["engine"] == many.manifest["engine"] == "numpy"
    assert one.digest == many.digest
    simpy = simulator.run(DATA / "mini.yaml", out=tmp_path / "c",
                          **{**kw, "engine": "simpy", "runs": 300})
    assert simpy.manifest["engine"] == "simpy"


def test_numpy_engine_traces_are_the_simpy_replay_of_the_same_run() -> None:
    model = _model()
    chunk = simulate_chunk_vectorised(model, 9, 0, 400, trace_every=100)
    assert sorted(chunk.traces) == [0, 100, 200, 300]
    keys = [o.key for o in model.options]
    offsets = chunk.ragged["event_options"][1]
    for run, trace in chunk.traces.items():
        fired = [e["option"] for e in trace if e["cause"] in
                 ("hazard", "decision", "scheduled", "triggered")]
        logged = chunk.ragged["event_options"][0][offsets[run]:offsets[run + 1]]
        assert fired == [keys[i] for i in logged]
