"""What the SimPy engine's shortcuts must preserve: a run's random numbers are NumPy's own
per-run and per-row streams whatever draws them; per-run constants give the same values
as the expressions they come from; the batch forms of records equal the per-run ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import simulator
from simulator.engine.batch import simulate_chunk
from simulator.engine.pcg_scalar import ScalarPCG
from simulator.engine.run_constants import RunConstants, TickConstants
from simulator.engine.streams import RowLayout, Streams, chunk_streams

ROOT = Path(__file__).parents[2]
FLAGSHIP = ROOT / "scenarios" / "us_mexico_cartels.yaml"


def _numpy_stream(root: int, key: tuple[int, ...], n: int) -> list[float]:
    seq = np.random.SeedSequence(root, spawn_key=key)
    return np.random.Generator(np.random.PCG64(seq)).random(n).tolist()


@pytest.mark.parametrize("root", [0, 1, 20260105, 2**32 + 7, 2**64 + 3, 2**200 + 99])
@pytest.mark.parametrize("key", [(0, 1), (3, 9), (2**32 - 1, 15), (2**33 + 5, 2), (7,)])
def test_scalar_pcg_is_numpys_own_stream(root: int, key: tuple[int, ...]) -> None:
    generator = ScalarPCG(root, key)
    drawn = generator.random(3) + generator.random(1) + generator.random(16)
    assert drawn == _numpy_stream(root, key, 20)


def test_chunk_streams_are_each_runs_own_including_overflow() -> None:
    layout = RowLayout((1, 3, 0, 2))
    chunked = chunk_streams(11, 40, 46, layout)
    for run, streams in zip(range(40, 46), chunked, strict=True):
        alone = Streams(11, run, layout)
        block = _numpy_stream(11, (run,), layout.total)
        assert [streams.first(r) for r in (0, 1, 3)] == [block[0], block[1], block[4]]
        for row in (1, 2, 3):
            overflow = _numpy_stream(11, (run, 1 + row), 20)
            expected = block[layout.offsets[row]:layout.offsets[row] + layout.sizes[row]]
            expected += overflow[:20 - layout.sizes[row]]
            assert [streams.uniform(row) for _ in range(20)] == expected
            assert [alone.uniform(row) for _ in range(20)] == expected


def test_run_and_tick_constants_evaluate_like_the_expressions() -> None:
    model = simulator.compile_model(simulator.load_scenario(FLAGSHIP))
    constants = RunConstants(model)
    exprs = [o.rate for o in model.options if o.rate is not None]
    exprs += [o.when for o in model.options] + [p.when for p in model.predicates]
    fns = [constants.fn(x) for x in exprs]
    assert constants.fns, "the flagship has sub-expressions that no event changes"
    ticks = TickConstants(model, constants)
    t_exprs = [x for x in exprs if 0 in x.slots]
    t_fns = [ticks.fn(x) for x in t_exprs]
    assert ticks.fns, "the flagship's rates that read t have parts that do not"
    rng = np.random.default_rng(3)
    for _ in range(50):
        v = list(rng.uniform(0.0, 3.0, model.n_slots))
        extended = list(v)
        constants.extend(extended)
        ticks.extend(extended)
        for expr, fn in [*zip(exprs, fns, strict=True), *zip(t_exprs, t_fns, strict=True)]:
            assert fn(extended) == expr.fn(v) or (fn(extended) != fn(extended)
                                                  and expr.fn(v) != expr.fn(v))


def test_batch_records_match_per_run_records() -> None:
    """Chunked runs give the same columns, digests and histograms whatever the chunking."""
    model = simulator.compile_model(simulator.load_scenario(FLAGSHIP))
    whole = simulate_chunk(model, 9, 0, 60, trace_every=0)
    parts = [simulate_chunk(model, 9, a, a + 20, trace_every=0) for a in (0, 20, 40)]
    for name, column in whole.columns.items():
        assert np.array_equal(column, np.concatenate([p.columns[name] for p in parts]),
                              equal_nan=column.dtype.kind == "f"), name
    for j, hist in enumerate(whole.histograms):
        assert np.array_equal(hist, sum(p.histograms[j] for p in parts))
        assert (hist.sum(axis=1) == 60).all()


def test_chunk_digests_are_each_runs_digest() -> None:
    from simulator.engine.batch import initial_vectors, time_grid
    from simulator.engine.run_record import run_digest
    from simulator.engine.simpy_engine import SimPyEngine

    model = simulator.compile_model(simulator.load_scenario(FLAGSHIP))
    chunk = simulate_chunk(model, 4, 10, 40, trace_every=0)
    layout = RowLayout(model.row_sizes)
    streams = [Streams(4, run, layout) for run in range(10, 40)]
    v0 = initial_vectors(model, lambda row: np.array([s.first(row) for s in streams]), 30)
    engine = SimPyEngine(model, time_grid(model.horizon_days))
    for k, run in enumerate(range(10, 40)):
        r = engine.run(run, v0[k].tolist(), streams[k])
        params = [v0[k][p.slot] for p in model.parameters]
        expected = run_digest(
            (params, r.outcome_times, r.indicator_times, r.final_state, r.event_times,
             [r.lapsed, r.end_time]), (r.counts, r.rung_path, r.event_options))
        assert bytes(chunk.columns["digest"][k]) == expected
