"""The NumPy engine's output: a finished chunk as the columnar chunk result (columns,
per-run lists, histograms, digests) and the sampled runs' traces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.engine.batch import GRID_POINTS, ChunkResult, sampled_for_trace, time_grid
from simulator.engine.simpy_engine import SimPyEngine
from simulator.engine.streams import RowLayout, Streams
from simulator.engine.vector_support import vector_digest

if TYPE_CHECKING:
    from simulator.engine.vector_engine import VectorChunk


def chunk_result(ch: VectorChunk, trace_every: int) -> ChunkResult:
    m, n = ch.m, ch.n
    n_out = len(m.outcomes)
    params = (ch.v0[:, [p.slot for p in m.parameters]] if m.parameters
              else np.zeros((n, 0)))
    cols: dict[str, np.ndarray] = {
        "run": np.arange(ch.start, ch.stop, dtype=np.int64),
        "params": params,
        "outcome_time": np.ascontiguousarray(ch.reached[:n_out].T),
        "indicator_time": np.ascontiguousarray(ch.reached[n_out:].T),
        "final_state": ch.V[ch.state_slots].T.copy().reshape(n, len(m.state)),
        "counts": ch.V[[o.counter_slot for o in m.options]].T.astype(np.int32).reshape(
            n, len(m.options)),
        "n_events": ch.n_events.astype(np.int32),
        "lapsed": ch.lapsed.astype(np.int32),
        "end_time": ch.end_time.copy(),
    }
    event_options, event_times = _ragged(ch.events, n)
    rung_path, rung_times = _ragged(ch.rungs, n)
    ragged = {
        "rung_path": (rung_path[0].astype(np.int16), rung_path[1]),
        "rung_times": rung_times,
        "event_options": (event_options[0].astype(np.int16), event_options[1]),
        "event_times": event_times,
    }
    cols["digest"] = vector_digest(
        [params, cols["outcome_time"], cols["indicator_time"], cols["final_state"],
         np.stack([cols["lapsed"].astype(float), cols["end_time"]], axis=1), cols["counts"]],
        [event_times, event_options, rung_path], n)
    hist = [np.cumsum(d, axis=0)[:GRID_POINTS] for d in ch.hist_diff]
    return ChunkResult(variant=m.variant, start=ch.start, stop=ch.stop, columns=cols,
                       ragged=ragged, histograms=hist, traces=sampled_traces(ch, trace_every))

def sampled_traces(ch: VectorChunk, trace_every: int) -> dict[int, list[dict[str, Any]]]:
    """Sampled runs' event traces, from the same runs re-run on the SimPy engine."""
    keep = [r for r in range(ch.start, ch.stop) if sampled_for_trace(r, trace_every)]
    if not keep:
        return {}
    engine = SimPyEngine(ch.m, time_grid(ch.m.horizon_days))
    layout = RowLayout(ch.m.row_sizes)
    traces = {}
    for r in keep:
        record = engine.run(r, ch.v0[r - ch.start].tolist(),
                            Streams(ch.draws.root, r, layout), trace=True)
        traces[r] = record.trace or []
    return traces


def _ragged(log: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n: int
            ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Per-run lists from a log of (runs, values, times): flat arrays plus offsets."""
    if log:
        runs = np.concatenate([x[0] for x in log])
        values = np.concatenate([x[1] for x in log])
        times = np.concatenate([x[2] for x in log]).astype(np.float64)
    else:
        runs, values, times = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    order = np.argsort(runs, kind="stable")  # stable: each run's entries stay in time order
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(runs, minlength=n), out=offsets[1:])
    return (values[order], offsets), (times[order], offsets)
