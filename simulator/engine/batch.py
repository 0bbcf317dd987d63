"""Simulate a chunk of runs (an index range) of one model into columnar arrays.

Parameters and initial draws are computed for the whole chunk at once (one vectorised
``ppf`` per parameter over the chunk's uniforms); the runs themselves go one by one
through the engine. The output is NumPy arrays — never per-run Python objects — plus
timeline aggregates (histograms and counts on a fixed time grid) that merge exactly by
addition, whatever the chunking.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from simulator.engine.run_record import RunRecord, chunk_digests
from simulator.engine.simpy_engine import SimPyEngine
from simulator.engine.streams import RowLayout, chunk_streams
from simulator.model.model import Model

GRID_POINTS = 101
HIST_BINS = 100
# unbounded state variables share one universal, symmetric log-spaced binning so their
# histograms merge exactly across chunks and workers without a data-dependent range
_LOG_EDGES = np.concatenate([-np.logspace(9, -6, 151), [0.0], np.logspace(-6, 9, 151)])


def time_grid(horizon_days: float) -> list[float]:
    """The time points (days) where state and ladder distributions are recorded."""
    return [float(x) for x in np.linspace(0.0, horizon_days, GRID_POINTS)]


def state_bin_edges(model: Model) -> list[np.ndarray]:
    """Histogram bin edges per state variable: linear over [min, max] when bounded."""
    edges = []
    for spec in model.state:
        if spec.is_ladder:
            edges.append(np.arange(-0.5, spec.hi + 1.0, 1.0))
        elif np.isfinite(spec.lo) and np.isfinite(spec.hi) and spec.hi > spec.lo:
            edges.append(np.linspace(spec.lo, spec.hi, HIST_BINS + 1))
        else:
            edges.append(_LOG_EDGES)
    return edges


@dataclass
class ChunkResult:
    """One chunk of one variant. Ragged per-run lists are flat arrays plus offsets."""

    variant: str
    start: int
    stop: int
    columns: dict[str, np.ndarray]
    ragged: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (values, offsets)
    histograms: list[np.ndarray]  # per state variable: (grid points, bins) int64 counts
    traces: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        return self.stop - self.start


def initial_vectors(model: Model, first: Callable[[int], np.ndarray], n: int, *,
                    ppf: Callable[[Any, np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """The starting vector ``v`` of every run in a chunk, shape (runs, slots).

    ``first(row)`` gives every run's first number of ``row`` (shape ``(n,)``);
    ``ppf(distribution, u)`` computes quantiles (default: the distribution's own).
    """
    quantile = ppf if ppf is not None else (lambda dist, u: dist.ppf(u))
    v = np.zeros((model.n_slots, n))
    uniforms = np.array([first(p.row) for p in model.parameters],
                        dtype=float).reshape(len(model.parameters), n).T
    if model.copula is not None:
        uniforms = correlate(uniforms, model.copula.members, model.copula.cholesky)
    for j, p in enumerate(model.parameters):
        v[p.slot] = quantile(p.quantity.distribution, uniforms[:, j])
    for spec in model.state:
        if spec.initial_quantity is not None:
            dist = spec.initial_quantity.distribution
            if dist.is_constant:
                v[spec.slot] = dist.median
            else:
                v[spec.slot] = quantile(dist, first(spec.row))
        elif spec.initial_expression is not None:
            v[spec.slot] = spec.initial_expression.evaluate_array(v)
        v[spec.slot] = np.clip(v[spec.slot], spec.lo, spec.hi)
    return v.T.copy()


def correlate(uniforms: np.ndarray, members: tuple[int, ...],
              cholesky: tuple[tuple[float, ...], ...]) -> np.ndarray:
    """Gaussian copula: Φ(L·Φ⁻¹(u)) on the member columns; each column stays uniform.

    It acts on each run's own uniforms, so the result is still a pure function of the
    run and variants keep their common random numbers.
    """
    out = uniforms.copy()
    cols = list(members)
    # a uniform of exactly 0 would become -inf and poison the product
    z = special.ndtri(np.clip(uniforms[:, cols], 1e-15, 1 - 1e-15))
    out[:, cols] = special.ndtr(z @ np.asarray(cholesky).T)
    return out


MAX_TRACES = 200  # sampled traces per variant: what stories and checks read, not more


def sampled_for_trace(run_index: int, every: int) -> bool:
    """Runs whose full event traces are kept: every ``every``-th run, the first
    ``MAX_TRACES`` of them (a fixed, chunking-independent sample; 10⁶ runs keep 200
    traces, not 2,000 — a fast engine replays each on the SimPy engine)."""
    return every > 0 and run_index % every == 0 and run_index < MAX_TRACES * every


def simulate_chunk(model: Model, root_seed: int, start: int, stop: int,
                   trace_every: int = 500) -> ChunkResult:
    """Run ``[start, stop)`` of ``model``; a pure function of its arguments."""
    grid = time_grid(model.horizon_days)
    engine = SimPyEngine(model, grid)
    layout = RowLayout(model.row_sizes)
    streams = chunk_streams(root_seed, start, stop, layout)
    v0 = initial_vectors(
        model, lambda row: np.fromiter((s.first(row) for s in streams), float, len(streams)),
        len(streams))
    records: list[RunRecord] = []
    traces: dict[int, list[dict[str, Any]]] = {}
    with _no_cyclic_gc():
        for k, run_index in enumerate(range(start, stop)):
            keep = sampled_for_trace(run_index, trace_every)
            record = engine.run(run_index, v0[k].tolist(), streams[k], trace=keep)
            records.append(record)
            if keep and record.trace is not None:
                traces[run_index] = record.trace
    return _columns(model, start, stop, v0, records, traces)


_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # chunks running with the collector paused; was it enabled before


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a chunk's runs pile up their records.

    Runs make no reference cycles (refcounting frees everything), but the records they
    keep are many small lists, and each full collection then walks every object of the
    process: about a tenth of a chunk's time on a small scenario. Chunks running at once
    in threads share one count, so the collector is enabled again (if it was) only when
    the last of them ends.
    """
    with _gc_lock:
        if _gc_pauses[0] == 0:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


def _ragged(lists: list[list[Any]], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(x) for x in lists), np.int64, len(lists))
    offsets = np.zeros(len(lists) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = [item for x in lists for item in x]
    return np.asarray(flat, dtype=dtype), offsets


def _columns(model: Model, start: int, stop: int, v0: np.ndarray, records: list[RunRecord],
             traces: dict[int, list[dict[str, Any]]]) -> ChunkResult:
    n = len(records)
    n_out, n_ind = len(model.outcomes), len(model.indicators)
    cols: dict[str, np.ndarray] = {
        "run": np.arange(start, stop, dtype=np.int64),
        "params": v0[:, [p.slot for p in model.parameters]] if model.parameters
        else np.zeros((n, 0)),
        "outcome_time": np.array([r.outcome_times for r in records], float).reshape(n, n_out),
        "indicator_time": np.array([r.indicator_times for r in records],
                                   float).reshape(n, n_ind),
        "final_state": np.array([r.final_state for r in records], float).reshape(
            n, len(model.state)),
        "counts": np.array([r.counts for r in records], np.int32).reshape(
            n, len(model.options)),
        "n_events": np.fromiter((len(r.event_options) for r in records), np.int32, n),
        "lapsed": np.fromiter((r.lapsed for r in records), np.int32, n),
        "end_time": np.fromiter((r.end_time for r in records), float, n),
    }
    ragged = {
        "rung_path": _ragged([r.rung_path for r in records], np.int16),
        "rung_times": _ragged([r.rung_times for r in records], np.float64),
        "event_options": _ragged([r.event_options for r in records], np.int16),
        "event_times": _ragged([r.event_times for r in records], np.float64),
    }
    # per-run digests (what run_digest gives each record) make the results table's
    # digest independent of chunking
    cols["digest"] = chunk_digests(
        [cols["params"], cols["outcome_time"], cols["indicator_time"], cols["final_state"],
         ragged["event_times"],
         np.stack([cols["lapsed"].astype(np.float64), cols["end_time"]], axis=1)],
        [cols["counts"], ragged["rung_path"], ragged["event_options"]], n)
    histograms = _grid_histograms(model, records)
    return ChunkResult(variant=model.variant, start=start, stop=stop, columns=cols,
                       ragged=ragged, histograms=histograms, traces=traces)


def _grid_histograms(model: Model, records: list[RunRecord]) -> list[np.ndarray]:
    """Per state variable, how many runs are in each bin at each grid time.

    A run's grid rows are run-length encoded (a state row and how many consecutive grid
    times it covers), so each segment adds 1 to its bin over a range of grid times: a
    +1 where the range starts and a -1 where it ends, summed up over the grid times.
    """
    n_state = len(model.state)
    state_rows = np.array([row for r in records for row, _ in r.grid], float)
    counts = np.fromiter((count for r in records for _, count in r.grid), np.int64)
    first = (np.cumsum(counts) - counts) % GRID_POINTS  # each segment's first grid index
    state_rows = state_rows.reshape(len(counts), n_state)
    histograms = []
    for j, edges in enumerate(state_bin_edges(model)):
        n_bins = len(edges) - 1
        bins = np.clip(np.searchsorted(edges, state_rows[:, j], side="right") - 1, 0,
                       n_bins - 1)
        size = (GRID_POINTS + 1) * n_bins
        diff = (np.bincount(first * n_bins + bins, minlength=size)
                - np.bincount((first + counts) * n_bins + bins, minlength=size))
        histograms.append(np.cumsum(diff.reshape(GRID_POINTS + 1, n_bins),
                                    axis=0)[:GRID_POINTS].astype(np.int64))
    return histograms
