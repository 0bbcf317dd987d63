"""The compiled engine (``--engine compiled``): the SimPy engine's event loop, step for
step, compiled to machine code with numba, one run after another.

A chunk's random blocks (:mod:`.pcg_numba`), parameters (:mod:`.fast_ppf`) and runs
(:mod:`.compiled_loop`) are all computed in compiled code; what remains in Python is
laying the model out as arrays once (:mod:`.compiled_tables`, cached per model) and
assembling the columnar chunk result. Runs the kernel hands over (an error to report,
a delay distribution without a compiled quantile, an overfull trigger queue) are run
on the SimPy engine with the same numbers; so are the sampled traces. A scenario with
``horizon: until absorbed`` runs on the NumPy engine, which implements absorption.

Parameters come from compiled quantile functions that agree with scipy's to about
1e-12 (relative) and trigger delays from a compiled normal quantile (about 1e-15), so
a run's numbers can differ from the SimPy engine's in the last digits; most runs come
out identical, and the engines are compared statistically. Digests are per engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from simulator.engine.batch import (
    GRID_POINTS,
    ChunkResult,
    _grid_histograms,
    sampled_for_trace,
    time_grid,
)
from simulator.engine.compiled_cache import keyed_cache
from simulator.engine.compiled_digest import run_digests
from simulator.engine.compiled_tables import Tables, build_tables
from simulator.engine.fast_ppf import fast_initial_vectors
from simulator.engine.pcg_numba import blocks, seed_words
from simulator.engine.simpy_engine import MAX_EVENTS, SimPyEngine
from simulator.engine.streams import RowLayout, Streams
from simulator.model.model import Model

_MAX_RUN = 2**32
_cache: dict[int, tuple[Model, Tables]] = {}
_cache_lock = threading.Lock()


@cache
def _run_chunk() -> Callable[..., Any]:
    """The kernel, imported (and its machine code loaded or compiled) on first use."""
    with keyed_cache():
        from simulator.engine.compiled_loop import run_chunk
    return run_chunk


def warm_up(model: Model) -> None:
    """Load (or compile, on a machine's first use) the kernel in this process, so that
    worker processes started afterwards load the machine code instead of each compiling
    it."""
    simulate_chunk_compiled(model, 0, 0, 1, trace_every=0)


def tables_for(model: Model) -> Tables:
    """The model's arrays, built once per model object (a worker sees few models)."""
    with _cache_lock:
        hit = _cache.get(id(model))
        if hit is not None and hit[0] is model:
            return hit[1]
    tables = build_tables(model)
    with _cache_lock:
        if len(_cache) >= 32:
            _cache.pop(next(iter(_cache)))
        _cache[id(model)] = (model, tables)
    return tables


def _initial(model: Model, block: np.ndarray, layout: RowLayout) -> np.ndarray:
    def first(row: int) -> np.ndarray:
        return block[:, layout.offsets[row]]

    return fast_initial_vectors(model, first, block.shape[0])


def simulate_chunk_compiled(model: Model, root_seed: int, start: int, stop: int,
                            trace_every: int = 500) -> ChunkResult:
    """Run ``[start, stop)`` of ``model`` on the compiled engine; a pure function of its
    arguments."""
    tables = tables_for(model)
    if tables.unsupported or stop > _MAX_RUN:
        from simulator.engine.vector_engine import simulate_chunk_vectorised
        return simulate_chunk_vectorised(model, root_seed, start, stop, trace_every)
    n = stop - start
    layout = RowLayout(model.row_sizes)
    block = blocks(root_seed, start, stop, layout.total)
    v0 = np.ascontiguousarray(_initial(model, block, layout))
    n_pred, n_state, n_opt = len(model.predicates), len(model.state), len(model.options)
    reached = np.full((n, n_pred), np.nan)
    final = np.zeros((n, n_state))
    counts = np.zeros((n, n_opt), np.int32)
    n_events, lapsed = np.zeros(n, np.int32), np.zeros(n, np.int32)
    end_time, status = np.zeros(n), np.zeros(n, np.int8)
    # int32 differences (a chunk has at most 2**31 runs): half the cache footprint
    hist = np.zeros(int(tables.hist_start[-1]), np.int32)
    ev_ptr, rung_ptr = np.zeros(n + 1, np.int64), np.zeros(n + 1, np.int64)
    t = tables
    ev_opt, ev_time, rung_val, rung_time = _run_chunk()(
        t.native.addresses, t.n_slots, t.extra_programs,
        t.opt_i, t.eff_i, t.eff_f, t.hazards, *t.after_pred, *t.after_hazard,
        t.pred_program, t.pred_terminal, t.act_i, t.act_f, t.choices,
        t.src_kind, t.src_index, t.src_first, t.order_row, t.row_offsets, t.row_sizes,
        t.state_slots, t.slot_state, t.edges, t.edge_start, t.hist_start, t.grid,
        t.ladder_slot, t.horizon, t.step, t.ticking, v0, block, seed_words(root_seed),
        start, MAX_EVENTS, reached, final, counts, n_events, lapsed, end_time, status,
        hist, ev_ptr, rung_ptr, np.zeros(max(64 * n, 1), np.int64), np.zeros(max(64 * n, 1)),
        np.zeros(max(4 * n, 1), np.int64), np.zeros(max(4 * n, 1)))
    histograms = _histograms(model, t, hist)
    ragged = {"event_options": (ev_opt, ev_ptr), "event_times": (ev_time, ev_ptr),
              "rung_path": (rung_val, rung_ptr), "rung_times": (rung_time, rung_ptr)}
    cols: dict[str, np.ndarray] = {
        "run": np.arange(start, stop, dtype=np.int64),
        "params": v0[:, [p.slot for p in model.parameters]] if model.parameters
        else np.zeros((n, 0)),
        "outcome_time": reached[:, :len(model.outcomes)].copy(),
        "indicator_time": reached[:, len(model.outcomes):].copy(),
        "final_state": final, "counts": counts, "n_events": n_events, "lapsed": lapsed,
        "end_time": end_time,
    }
    handed = np.flatnonzero(status != 0)
    if handed.size:
        _run_on_simpy(model, root_seed, start, handed, v0=v0, block=block, layout=layout,
                      cols=cols, ragged=ragged, histograms=histograms)
    ragged = {k: (np.asarray(vals, np.int16 if k in ("event_options", "rung_path")
                             else np.float64), ptr) for k, (vals, ptr) in ragged.items()}
    cols["digest"] = run_digests(
        [cols["params"], cols["outcome_time"], cols["indicator_time"], cols["final_state"],
         cols["lapsed"], cols["end_time"], cols["counts"]],
        [ragged["event_times"], ragged["event_options"], ragged["rung_path"]], n)
    traces = _traces(model, root_seed, start, stop, v0=v0, block=block, layout=layout,
                     every=trace_every)
    return ChunkResult(variant=model.variant, start=start, stop=stop, columns=cols,
                       ragged=ragged, histograms=histograms, traces=traces)


def _histograms(model: Model, t: Tables, hist: np.ndarray) -> list[np.ndarray]:
    out = []
    for j in range(len(model.state)):
        width = int(t.edge_start[j + 1] - t.edge_start[j] - 1)
        diff = hist[t.hist_start[j]:t.hist_start[j + 1]].reshape(GRID_POINTS + 1, width)
        out.append(np.cumsum(diff, axis=0, dtype=np.int64)[:GRID_POINTS])
    return out


def _run_on_simpy(model: Model, root: int, start: int, handed: np.ndarray, *, v0: np.ndarray,
                  block: np.ndarray, layout: RowLayout, cols: dict[str, np.ndarray],
                  ragged: dict[str, tuple[np.ndarray, np.ndarray]],
                  histograms: list[np.ndarray]) -> None:
    """Runs the kernel handed over, on the SimPy engine with the same numbers (its
    errors are raised as they are); their records are spliced into the chunk."""
    engine = SimPyEngine(model, time_grid(model.horizon_days))
    records = []
    for k in handed:
        record = engine.run(start + int(k), v0[k].tolist(),
                            Streams(root, start + int(k), layout, block[k].tolist()))
        records.append(record)
        n_out = len(model.outcomes)
        cols["outcome_time"][k] = record.outcome_times[:n_out]
        cols["indicator_time"][k] = record.indicator_times
        cols["final_state"][k] = record.final_state
        cols["counts"][k] = record.counts
        cols["n_events"][k] = len(record.event_options)
        cols["lapsed"][k] = record.lapsed
        cols["end_time"][k] = record.end_time
    for name, values in (("event_options", [r.event_options for r in records]),
                         ("event_times", [r.event_times for r in records]),
                         ("rung_path", [r.rung_path for r in records]),
                         ("rung_times", [r.rung_times for r in records])):
        flat, ptr = ragged[name]
        ragged[name] = _splice(flat, ptr, handed, values)
    for hist, extra in zip(histograms, _grid_histograms(model, records), strict=True):
        hist += extra


def _splice(flat: np.ndarray, ptr: np.ndarray, at: np.ndarray,
            values: list[list[Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Insert each run ``at[j]``'s (empty) list ``values[j]`` into a flat list + offsets."""
    lengths = np.diff(ptr)
    lengths[at] = [len(x) for x in values]
    pieces, cut = [], 0
    for k, items in zip(at, values, strict=True):
        pieces += [flat[cut:ptr[k]], np.asarray(items, flat.dtype)]
        cut = int(ptr[k])
    pieces.append(flat[cut:])
    offsets = np.zeros(len(ptr), np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.concatenate(pieces), offsets


def _traces(model: Model, root: int, start: int, stop: int, *, v0: np.ndarray,
            block: np.ndarray, layout: RowLayout, every: int) -> dict[int, list[dict[str, Any]]]:
    """Sampled runs' event traces: the same runs replayed on the SimPy engine."""
    keep = [r for r in range(start, stop) if sampled_for_trace(r, every)]
    if not keep:
        return {}
    engine = SimPyEngine(model, time_grid(model.horizon_days))
    return {r: engine.run(r, v0[r - start].tolist(),
                          Streams(root, r, layout, block[r - start].tolist()),
                          trace=True).trace or [] for r in keep}
