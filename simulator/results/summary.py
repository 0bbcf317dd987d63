"""Summaries of a runs table: per variant, per outcome, per indicator and per rung.

Computed from the table one piece at a time (a chunk of one variant, or a row group of
runs.parquet, which is the same thing), so memory grows with the few columns kept —
reached outcome and indicator times — not with the whole table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from simulator.model.model import Model
from simulator.results.contract import (
    SCHEMA_VERSION,
    HeadlineRow,
    Proportion,
    ScenarioHeader,
    Summary,
    VariantSummary,
)
from simulator.results.stats import icd203_word, quantiles, wilson_interval


def proportion(reached: int, runs: int, times: np.ndarray | None = None) -> Proportion:
    """The summary of one event: probability, Wilson 95 % interval, ICD 203 word, timing."""
    lo, hi = wilson_interval(reached, runs)
    p = reached / runs if runs else 0.0
    out: Proportion = {"probability": p, "ci95": [lo, hi], "runs": runs,
                           "reached": reached, "words": icd203_word(p)}
    if times is not None:
        p10, median, p90 = quantiles(times)
        out["time_to_event"] = {"p10": p10, "median": median, "p90": p90}
    return out


def _numpy(values: Any) -> np.ndarray:
    """A column (or array) of fixed-width numbers without nulls as a NumPy view of its
    buffer. ``to_numpy`` would do the same but imports pandas (half a second and tens
    of megabytes in a worker process that never needs it)."""
    import pyarrow as pa

    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    kind = array.type
    if array.null_count or not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return np.asarray(array.to_numpy(zero_copy_only=False))
    dtype = np.dtype(kind.to_pandas_dtype())
    data = array.buffers()[1]
    return np.frombuffer(data, dtype, count=len(array), offset=array.offset * dtype.itemsize)


class _Tally:
    """Running totals for one variant: counts, sums, and the times of reached events.

    Only reached times are kept (for the time-to-event quantiles), so memory grows with
    how often outcomes happen, not with the whole table.
    """

    def __init__(self, model: Model) -> None:
        self.runs = 0
        self.events = 0
        self.lapsed = 0
        self.times: dict[str, list[np.ndarray]] = {
            c: [] for c in [*(f"outcome_time.{o.name}" for o in model.outcomes),
                            *(f"indicator_time.{i.name}" for i in model.indicators)]}
        n_rungs = len(model.ladder.rungs) if model.ladder else 0
        self.rungs = np.zeros(n_rungs, np.int64)

    def add(self, table: Any) -> None:
        self.runs += table.num_rows
        self.events += int(_numpy(table.column("n_events")).sum())
        self.lapsed += int(_numpy(table.column("lapsed")).sum())
        for c, parts in self.times.items():
            values = _numpy(table.column(c))
            parts.append(values[np.isfinite(values)])
        if self.rungs.size:
            col = table.column("rung_path").combine_chunks()
            values = _numpy(col.flatten())
            offsets = _numpy(col.offsets)
            # every path starts with the initial rung, so none is empty; a rung is
            # reached by climbing to it (above the start) or descending to it (below)
            top = np.maximum.reduceat(values, offsets[:-1])
            bottom = np.minimum.reduceat(values, offsets[:-1])
            start = values[offsets[:-1]]
            for r in range(self.rungs.size):
                self.rungs[r] += int(np.where(r >= start, top >= r, bottom <= r).sum())

    def reached(self, column: str) -> np.ndarray:
        parts = self.times[column]
        return np.concatenate(parts) if parts else np.zeros(0)

    def state(self) -> dict[str, np.ndarray]:
        """The totals as arrays (to be stored, then :meth:`absorb` ed elsewhere)."""
        return {"runs": np.array([self.runs, self.events, self.lapsed], np.int64),
                "rungs": self.rungs.copy(),
                **{f"times.{c}": self.reached(c) for c in self.times}}

    def absorb(self, state: Mapping[str, np.ndarray]) -> None:
        """Add the totals of a :meth:`state` (of the runs that follow these)."""
        runs, events, lapsed = (int(x) for x in state["runs"])
        self.runs += runs
        self.events += events
        self.lapsed += lapsed
        self.rungs += state["rungs"]
        for c, parts in self.times.items():
            parts.append(state[f"times.{c}"])


def summary_columns(models: dict[str, Model]) -> list[str]:
    """The columns of the runs table a summary reads."""
    first = _Tally(next(iter(models.values())))
    return ["variant", "n_events", "lapsed", "rung_path", *first.times]


def summarise(runs_path: Path, models: dict[str, Model],
              scenario: ScenarioHeader) -> Summary:
    """The summary.json payload for a complete runs table, read one row group at a time."""
    wanted = summary_columns(models)
    pf = pq.ParquetFile(runs_path)

    def pieces() -> Iterable[tuple[str, Any]]:
        for g in range(pf.num_row_groups):
            table = pf.read_row_group(g, columns=wanted)
            yield table.column("variant")[0].as_py(), table

    return summarise_tables(pieces(), models, scenario)


def summarise_tables(pieces: Iterable[tuple[str, Any]], models: dict[str, Model],
                     scenario: ScenarioHeader) -> Summary:
    """The summary.json payload from ``(variant, table)`` pieces of the runs table in
    table order (each holding at least the :func:`summary_columns`)."""
    tallies = {v: _Tally(m) for v, m in models.items()}
    for variant, table in pieces:
        tallies[variant].add(table)
    return _summary(tallies, models, scenario)


def chunk_tally(model: Model, table: Any) -> dict[str, np.ndarray]:
    """The part of the summary a piece of the runs table holds (its runs, sums, rung
    counts and reached times), as arrays to be stored and merged by
    :func:`summarise_tallies`."""
    tally = _Tally(model)
    tally.add(table)
    return tally.state()


def summarise_tallies(pieces: Iterable[tuple[str, Mapping[str, np.ndarray]]],
                      models: dict[str, Model], scenario: ScenarioHeader) -> Summary:
    """The summary.json payload from ``(variant, chunk_tally(...))`` pieces in table
    order: the same as :func:`summarise_tables` of the pieces' tables."""
    tallies = {v: _Tally(m) for v, m in models.items()}
    for variant, state in pieces:
        tallies[variant].absorb(state)
    return _summary(tallies, models, scenario)


def _summary(tallies: dict[str, _Tally], models: dict[str, Model],
             scenario: ScenarioHeader) -> Summary:
    variants: dict[str, VariantSummary] = {}
    for name, model in models.items():
        tally = tallies[name]
        n = tally.runs
        entry: VariantSummary = {"runs": n, "outcomes": {}, "indicators": {}, "rungs": {},
                                 "events_per_run": 0.0, "lapsed_per_run": 0.0}
        for o in model.outcomes:
            times = tally.reached(f"outcome_time.{o.name}")
            entry["outcomes"][o.name] = {"label": o.label, "terminal": o.terminal,
                                         **proportion(times.size, n, times)}
        for i in model.indicators:
            times = tally.reached(f"indicator_time.{i.name}")
            entry["indicators"][i.name] = {"label": i.label,
                                           **proportion(times.size, n, times)}
        if model.ladder is not None:
            for r, rung in enumerate(model.ladder.rungs):
                entry["rungs"][rung] = {"label": model.ladder.labels[r],
                                        **proportion(int(tally.rungs[r]), n)}
        entry["events_per_run"] = tally.events / n if n else 0.0
        entry["lapsed_per_run"] = tally.lapsed / n if n else 0.0
        variants[name] = entry
    return {"schema_version": SCHEMA_VERSION, "variants": variants,
            "headline": headline(variants, models), "scenario": scenario}


def headline(variants: dict[str, VariantSummary],
             models: dict[str, Model]) -> list[HeadlineRow]:
    """Rows of the headline table: variant × outcome."""
    rows: list[HeadlineRow] = []
    for vname, entry in variants.items():
        for oname, o in entry["outcomes"].items():
            rows.append({"variant": vname, "outcome": oname, "label": o["label"],
                         "probability": o["probability"], "ci95": o["ci95"],
                         "words": o["words"], "runs": o["runs"]})
    return rows


def max_half_width(summary_counts: dict[str, dict[str, tuple[int, int]]]) -> float:
    """Largest 95 % half-width over variants and outcomes, from (reached, runs) counts."""
    widest = 0.0
    for per_outcome in summary_counts.values():
        for reached, runs in per_outcome.values():
            lo, hi = wilson_interval(reached, runs)
            widest = max(widest, (hi - lo) / 2)
    return widest
