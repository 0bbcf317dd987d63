"""``run()``: simulate a scenario's variants in chunks and write a results directory.

A run is a pure function of (scenario, root seed, run index); chunks are index ranges,
so results — and the digest in the manifest — are identical for any number of workers,
any chunk size and any executor. Chunks already on disk from an interrupted run with
the same settings are not computed again.
"""

from __future__ import annotations

import hashlib
import math
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from simulator._files import atomic_write_bytes, atomic_write_json, atomic_write_with
from simulator._version import __version__
from simulator.engine.batch import ChunkResult, state_bin_edges, time_grid
from simulator.engine.registry import DEFAULT_ENGINE, get_engine
from simulator.engine.streams import normalise_seed
from simulator.errors import ResultsError, RunError, ScenarioError, UsageError
from simulator.loading import read_scenario
from simulator.model.compile import BASELINE, compile_model
from simulator.model.model import Model
from simulator.results.contract import SCHEMA_VERSION, Manifest
from simulator.results.integrity import CHECKED_FILES, file_record, overall_digest, table_digests
from simulator.results.ownership import FORMAT, expand_out
from simulator.results.results import Results
from simulator.results.summary import max_half_width, summarise_tallies
from simulator.runner.chunk_files import ChunkDir
from simulator.runner.executors import (
    Executor,
    ProcessExecutor,
    SerialExecutor,
    check_executor_name,
    make_executor,
)
from simulator.runner.store import ResultsStore
from simulator.runner.tasks import ChunkTask, run_and_write_task
from simulator.scenario.checks import limit_diagnostics
from simulator.scenario.schema import Scenario

ProgressCallback = Callable[[int, int], None]
SPLIT_BELOW_RANGES = 8
"""With fewer run ranges than this, each variant of a range is its own task."""
ADAPTIVE_CHUNK = 1000
ADAPTIVE_ROUND = 4  # chunks between two checks of the precision target
TRACE_EVERY = 500
MAX_RUNS = 100_000_000  # runs per variant: about a CPU-day at 1 ms per run
ChunkKey = tuple[str, int, int]


class ChunkRanges(Sequence[tuple[int, int]]):
    """The run ranges ``[a, b)`` of ``size`` runs covering ``[0, total)``, computed lazily
    (a list of them for 10¹² runs would not fit in memory)."""

    def __init__(self, total: int, size: int) -> None:
        self.total, self.size = total, size

    def __len__(self) -> int:
        return -(-self.total // self.size)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        a = index * self.size
        return (a, min(a + self.size, self.total))


def check_counts(runs: int, precision: float | None, max_runs: int,
                 chunk_size: int | None) -> None:
    """Run counts within :data:`MAX_RUNS`, checked before any work."""
    if precision is not None:
        if not 1 <= max_runs <= MAX_RUNS:
            raise UsageError(f"--max-runs must be between 1 and {MAX_RUNS:,} (got {max_runs:,})")
    elif not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"--runs must be between 1 and {MAX_RUNS:,} per variant "
                         f"(got {runs:,}); for more precision use --precision")
    if chunk_size is not None and chunk_size < 1:
        raise UsageError(f"--chunk-size must be at least 1 (got {chunk_size})")


def resolve_scenario(scenario: str | Path | Scenario) -> tuple[Scenario, str, str]:
    """(scenario, path or '', SHA-256 of the file or of the scenario's JSON)."""
    if isinstance(scenario, Scenario):
        beyond = limit_diagnostics(scenario)
        if beyond:
            raise ScenarioError(beyond)
        digest = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
        return scenario, "", digest
    loaded = read_scenario(scenario)
    if not loaded.ok or loaded.scenario is None:
        raise ScenarioError(loaded.diagnostics)
    return loaded.scenario, str(scenario), loaded.sha256


def resolve_variants(scenario: Scenario, variants: Sequence[str] | str | None) -> list[str]:
    """``None`` → baseline; ``"all"`` → baseline and every variant; else the names given."""
    if variants is None:
        return [BASELINE]
    if variants == "all":
        return [BASELINE, *sorted(scenario.variants)]
    names = [variants] if isinstance(variants, str) else list(variants)
    for name in names:
        if name != BASELINE and name not in scenario.variants:
            known = ", ".join([BASELINE, *sorted(scenario.variants)])
            raise ScenarioError([_variant_diag(name, known)])
    ordered = [BASELINE] + [n for n in names if n != BASELINE] if BASELINE in names else names
    return list(dict.fromkeys(ordered))


def _variant_diag(name: str, known: str) -> Any:
    from simulator.errors import Diagnostic

    return Diagnostic(f"unknown variant `{name}`", expected=f"one of {known}", found=name,
                      hint="list the variants with `geosim validate --json`")


def default_chunk_size(runs: int, engine: str = DEFAULT_ENGINE) -> int:
    """About 16 chunks (enough to balance a laptop's cores), 50 to 2,000 runs each; for
    the NumPy engine about 8 chunks of 1,000 to 25,000 runs (its cost per step is shared
    by the runs of a chunk; 25,000 keeps a worker's memory near 300 MB); for the compiled
    engine about 16 chunks of 1,000 to 10,000 runs (a chunk's fixed costs stay a small
    share, and a worker's memory near 400 MB: 10⁶ flagship runs peak at 800 MB in all).

    It depends on the number of runs and the engine only, so a partial run can be
    resumed with a different number of workers or on a cluster.
    """
    if engine == "numpy":
        return max(1000, min(25_000, math.ceil(runs / 8)))
    if engine == "compiled":
        return max(1000, min(10_000, math.ceil(runs / 16)))
    return max(50, min(2000, math.ceil(runs / 16)))


def run(
    scenario: str | Path | Scenario,
    *,
    variants: Sequence[str] | str | None = None,
    runs: int = 10_000,
    precision: float | None = None,
    max_runs: int = 200_000,
    seed: int | None = 0,
    workers: int | None = None,
    executor: str | Executor = "process",
    scheduler: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    chunk_size: int | None = None,
    trace_every: int = TRACE_EVERY,
    progress: ProgressCallback | None = None,
    command: str = "",
    engine: str = DEFAULT_ENGINE,
) -> Results:
    """Simulate ``scenario`` and return its :class:`Results` (also written to ``out``).

    ``precision`` switches to adaptive mode: rounds of 4 chunks of 1,000 runs are added
    until every outcome's 95 % interval half-width is at most ``precision`` (or
    ``max_runs`` is reached); the decision is taken after complete rounds of a fixed
    size, so the number of runs does not depend on the workers or the executor.
    ``engine`` names the simulation engine (see :mod:`simulator.engine.registry`); it
    is part of what a run is, so results of different engines never mix in one store.
    """
    check_counts(runs, precision, max_runs, chunk_size)
    if isinstance(executor, str):
        check_executor_name(executor)
    get_engine(engine)  # an unknown name fails before anything is written
    scen, path, sha = resolve_scenario(scenario)
    names = resolve_variants(scen, variants)
    models = {v: compile_model(scen, v) for v in names}
    root = normalise_seed(seed)
    total = max_runs if precision is not None else runs
    size = chunk_size or (ADAPTIVE_CHUNK if precision is not None
                          else default_chunk_size(runs, engine))
    target = expand_out(Path(out)) if out is not None else Path(
        tempfile.mkdtemp(prefix="geosim-"))
    spec = {"scenario_sha256": sha, "variants": names, "seed": root, "runs": runs,
            "precision": precision, "max_runs": max_runs if precision is not None else None,
            "chunk_size": size, "engine": engine, "trace_every": trace_every}
    store = ResultsStore(target, command=command)
    done = store.open(spec, force=force)
    if engine == "compiled" and executor == "process":
        from simulator.engine.compiled_cache import kernel_cached
        if not kernel_cached():
            # compiled here, once: the worker processes then load it from disk instead
            # of each compiling it at the same time
            from simulator.engine.compiled_engine import warm_up
            warm_up(models[names[0]])
    try:
        exe = executor if not isinstance(executor, str) else make_executor(
            executor, workers=workers, scheduler=scheduler)
        started = datetime.now(UTC)
        t0 = time.perf_counter()
        ranges = ChunkRanges(total, size)
        progress_total = total * len(names)
        finished = sum(b - a for v, a, b in done)
        if progress:
            progress(finished, progress_total)
        # workers on this machine write their chunks themselves (no data sent back)
        local = isinstance(exe, SerialExecutor | ProcessExecutor)
        job = _Job(store, exe, models, scen, sha, root, names, done, trace_every, engine,
                   progress, progress_total, store.chunk_dir if local else None)
        try:
            if precision is None:
                _run_ranges(job, ranges, finished)
                used = runs
            else:
                used = _run_adaptive(job, ranges, precision, finished)
        finally:
            if isinstance(executor, str):
                exe.close()
        _finalise(job, path=path, runs=used, chunk_size=size, started=started,
                  seconds=time.perf_counter() - t0, command=command)
    finally:
        store.close()
    return Results.written(target)


@dataclass(frozen=True)
class _Job:
    """What every step of one ``run`` call shares: where chunks go, how they are
    computed, and whom to tell about progress."""

    store: ResultsStore
    executor: Executor
    models: dict[str, Model]
    scenario: Scenario
    key: str  # the scenario's SHA-256: part of every task's identity
    root_seed: int
    variants: list[str]
    done: set[ChunkKey]  # chunks already in the store (a resumed run)
    trace_every: int
    engine: str
    progress: ProgressCallback | None
    total: int  # runs over all variants, for progress
    chunk_dir: ChunkDir | None = None  # given to tasks whose workers write chunks here


def _submit(job: _Job, tasks: Iterator[ChunkTask], finished: int) -> int:
    for chunks in job.executor.map_unordered(run_and_write_task, tasks):
        for chunk in chunks:
            if isinstance(chunk, ChunkResult):  # computed where it could not be written
                job.store.write_chunk(job.models[chunk.variant], chunk)
            job.store.chunk_written((chunk.variant, chunk.start, chunk.stop))
            finished += chunk.runs
        if job.progress:
            job.progress(finished, job.total)
    return finished


def _tasks(job: _Job, ranges: Sequence[tuple[int, int]]) -> Iterator[ChunkTask]:
    # Few ranges (a short run of many variants, such as a sensitivity study's settings):
    # one task per variant, so that the work spreads over the workers and progress is
    # reported as it goes. Results do not depend on how variants are grouped into tasks.
    split = len(ranges) < SPLIT_BELOW_RANGES
    for a, b in ranges:
        missing = tuple(v for v in job.variants if (v, a, b) not in job.done)
        groups = [(v,) for v in missing] if split else [missing] if missing else []
        for group in groups:
            # the compiled models travel with the task (they pickle): no recompiling
            yield ChunkTask(job.scenario, job.key, group, job.root_seed, a, b,
                            job.trace_every, job.engine, tuple(job.models[v] for v in group),
                            job.chunk_dir)


def _run_ranges(job: _Job, ranges: Sequence[tuple[int, int]], finished: int) -> int:
    return _submit(job, _tasks(job, ranges), finished)


def _run_adaptive(job: _Job, ranges: Sequence[tuple[int, int]], precision: float,
                  finished: int) -> int:
    # the stopping rule is checked after a fixed number of chunks, never after "as many
    # chunks as workers": the number of runs must not depend on the hardware
    round_size = ADAPTIVE_ROUND
    used = 0
    for start in range(0, len(ranges), round_size):
        batch = ranges[start:start + round_size]
        finished = _run_ranges(job, batch, finished)
        used = batch[-1][1]
        if max_half_width(_counts(job.store, job.models, used)) <= precision:
            break
    # chunks beyond the stopping point (from an earlier, longer attempt) are not results
    job.store.discard_from(used)
    return used


def _counts(store: ResultsStore, models: dict[str, Model],
            used: int) -> dict[str, dict[str, tuple[int, int]]]:
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for variant, model in models.items():
        reached = np.zeros(len(model.outcomes), np.int64)
        n = 0
        for path in store.chunk_paths(variant):
            if int(path.stem.rsplit("_", 2)[1]) >= used:
                continue
            cols = [f"outcome.{o.name}" for o in model.outcomes]
            table = store.chunk_table(path, cols)
            n += table.num_rows
            reached += np.array([int(table.column(c).to_numpy().sum()) for c in cols], np.int64)
        counts[variant] = {o.name: (int(reached[j]), n) for j, o in enumerate(model.outcomes)}
    return counts


def _finalise(job: _Job, *, path: str, runs: int, chunk_size: int, started: datetime,
              seconds: float, command: str) -> None:
    store, models, scen, names = job.store, job.models, job.scenario, job.variants
    sha, root, engine, exe = job.key, job.root_seed, job.engine, job.executor
    present = set(store.completed())
    for v in names:
        for a, b in ChunkRanges(runs, chunk_size):
            if (v, a, b) not in present:
                raise RunError("a chunk is missing after the run", variant=v, runs=(a, b))
    root_dir = store.root
    store.write_runs_table(names)
    first = models[names[0]]
    histograms, tallies = store.merged_aggregates(names, len(first.state))
    summary = summarise_tallies(tallies, models, {
        "id": scen.id, "title": scen.title, "as_of": scen.as_of.isoformat(),
        "horizon_days": first.horizon_days})
    atomic_write_json(root_dir / "summary.json", summary)
    arrays: dict[str, np.ndarray] = {"grid": np.asarray(time_grid(first.horizon_days))}
    for j, edges in enumerate(state_bin_edges(first)):
        arrays[f"edges.{first.state[j].name}"] = edges
    for variant in names:
        for j, hist in enumerate(histograms[variant]):
            arrays[f"hist.{variant}.{first.state[j].name}"] = hist
    atomic_write_with(root_dir / "timeline.npz", lambda p: np.savez_compressed(p, **arrays))  # type: ignore[arg-type]
    atomic_write_bytes(root_dir / "traces.json", store.merged_traces(names))
    # the digests are read back from runs.parquet itself (two small columns): they
    # vouch for the file as written
    digests, rows = table_digests(root_dir / "runs.parquet", names)
    runs_file = store.runs_file or file_record(root_dir / "runs.parquet")
    for v, n in rows.items():
        if n != runs:
            raise RunError(f"runs.parquet holds {n} runs instead of {runs}", variant=v)
    overall = overall_digest(digests)
    files = {name: runs_file if name == "runs.parquet" else file_record(root_dir / name)
             for name in CHECKED_FILES}
    import numpy
    import simpy

    manifest: Manifest = {
        "schema_version": SCHEMA_VERSION, "tool": "geosim", "format": FORMAT,
        "version": __version__, "scenario_id": scen.id,
        "scenario_title": scen.title, "scenario_file": path, "scenario_sha256": sha,
        "variants": names, "seed": root, "runs": runs, "chunk_size": chunk_size,
        "engine": engine, "executor": exe.name, "workers": exe.workers,
        "python": platform.python_version(), "numpy": numpy.__version__,
        "simpy": simpy.__version__, "platform": sys.platform, "command": command,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3), "digest": overall, "variant_digests": digests,
        "files": files,
        "scenario": scen.model_dump(mode="json", by_alias=True),
    }
    atomic_write_json(root_dir / "manifest.json", manifest)
    store.finish()


__all__ = ["ResultsError", "run"]
