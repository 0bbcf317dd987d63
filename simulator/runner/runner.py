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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from simulator.engine.batch import state_bin_edges, time_grid
from simulator.engine.streams import normalise_seed
from simulator.errors import GeosimError, ResultsError, RunError, ScenarioError
from simulator.model.compile import BASELINE, compile_model
from simulator.model.model import Model
from simulator.results.results import Results
from simulator.results.summary import max_half_width, summarise
from simulator.runner.executors import Executor, make_executor
from simulator.runner.store import ResultsStore, _atomic_with, atomic_write_json
from simulator.runner.tasks import ChunkTask, run_task
from simulator.scenario.load import read_scenario
from simulator.scenario.schema import Scenario

ProgressCallback = Callable[[int, int], None]
SPLIT_BELOW_RANGES = 8
"""With fewer run ranges than this, each variant of a range is its own task."""
ADAPTIVE_CHUNK = 1000
ADAPTIVE_ROUND = 4  # chunks between two checks of the precision target
TRACE_EVERY = 500


def _version() -> str:
    from simulator import __version__

    return __version__


def resolve_scenario(scenario: str | Path | Scenario) -> tuple[Scenario, str, str]:
    """(scenario, path or '', SHA-256 of the file or of the scenario's JSON)."""
    if isinstance(scenario, Scenario):
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


def default_chunk_size(runs: int) -> int:
    """About 16 chunks (enough to balance a laptop's cores), 50 to 2,000 runs each.

    It depends on the number of runs only, so a partial run can be resumed with a
    different number of workers or on a cluster.
    """
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
) -> Results:
    """Simulate ``scenario`` and return its :class:`Results` (also written to ``out``).

    ``precision`` switches to adaptive mode: rounds of 4 chunks of 1,000 runs are added
    until every outcome's 95 % interval half-width is at most ``precision`` (or
    ``max_runs`` is reached); the decision is taken after complete rounds of a fixed
    size, so the number of runs does not depend on the workers or the executor.
    """
    scen, path, sha = resolve_scenario(scenario)
    names = resolve_variants(scen, variants)
    models = {v: compile_model(scen, v) for v in names}
    root = normalise_seed(seed)
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    exe = executor if not isinstance(executor, str) else make_executor(
        executor, workers=workers, scheduler=scheduler)
    total = max_runs if precision is not None else runs
    size = chunk_size or (ADAPTIVE_CHUNK if precision is not None
                          else default_chunk_size(runs))
    target = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="geosim-"))
    spec = {"scenario_sha256": sha, "variants": names, "seed": root, "runs": runs,
            "precision": precision, "max_runs": max_runs if precision is not None else None,
            "chunk_size": size, "engine": "simpy", "trace_every": trace_every}
    store = ResultsStore(target)
    done = store.prepare(spec, force=force)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    key = sha
    ranges = [(a, min(a + size, total)) for a in range(0, total, size)]
    progress_total = total * len(names)
    finished = sum(b - a for v, a, b in done)
    if progress:
        progress(finished, progress_total)
    try:
        if precision is None:
            _run_ranges(exe, store, models, scen, key, root, ranges, names, done, trace_every,
                        progress, progress_total, finished)
            used = runs
        else:
            used = _run_adaptive(exe, store, models, scen, key, root, ranges, names, done,
                                 trace_every, precision, progress, progress_total, finished)
    except GeosimError:
        raise
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a worker died or a chunk failed
        raise RunError(f"the simulation failed: {type(exc).__name__}: {exc}") from exc
    finally:
        if isinstance(executor, str):
            exe.close()
    _finalise(store, models, scen, path, sha, names, root, used, size, exe, started,
              time.perf_counter() - t0, command)
    return Results(target)


def _submit(exe: Executor, store: ResultsStore, models: dict[str, Model], tasks: list[ChunkTask],
            progress: ProgressCallback | None, total: int, finished: int) -> int:
    for chunks in exe.map_unordered(run_task, tasks):
        for chunk in chunks:
            store.write_chunk(models[chunk.variant], chunk)
            finished += chunk.runs
        if progress:
            progress(finished, total)
    return finished


def _tasks(scen: Scenario, key: str, root: int, ranges: list[tuple[int, int]], names: list[str],
           done: set[tuple[str, int, int]], trace_every: int) -> list[ChunkTask]:
    # Few ranges (a short run of many variants, such as a sensitivity study's settings):
    # one task per variant, so that the work spreads over the workers and progress is
    # reported as it goes. Results do not depend on how variants are grouped into tasks.
    split = len(ranges) < SPLIT_BELOW_RANGES
    tasks = []
    for a, b in ranges:
        missing = tuple(v for v in names if (v, a, b) not in done)
        groups = [(v,) for v in missing] if split else [missing] if missing else []
        tasks += [ChunkTask(scen, key, group, root, a, b, trace_every) for group in groups]
    return tasks


def _run_ranges(exe: Executor, store: ResultsStore, models: dict[str, Model], scen: Scenario,
                key: str, root: int, ranges: list[tuple[int, int]], names: list[str],
                done: set[tuple[str, int, int]], trace_every: int,
                progress: ProgressCallback | None, total: int, finished: int) -> int:
    tasks = _tasks(scen, key, root, ranges, names, done, trace_every)
    return _submit(exe, store, models, tasks, progress, total, finished)


def _run_adaptive(exe: Executor, store: ResultsStore, models: dict[str, Model], scen: Scenario,
                  key: str, root: int, ranges: list[tuple[int, int]], names: list[str],
                  done: set[tuple[str, int, int]], trace_every: int, precision: float,
                  progress: ProgressCallback | None, total: int, finished: int) -> int:
    # the stopping rule is checked after a fixed number of chunks, never after "as many
    # chunks as workers": the number of runs must not depend on the hardware
    round_size = ADAPTIVE_ROUND
    used = 0
    for start in range(0, len(ranges), round_size):
        batch = ranges[start:start + round_size]
        finished = _run_ranges(exe, store, models, scen, key, root, batch, names, done,
                               trace_every, progress, total, finished)
        used = batch[-1][1]
        if max_half_width(_counts(store, models, used)) <= precision:
            break
    # chunks beyond the stopping point (from an earlier, longer attempt) are not results
    for path in list(store.chunks.glob("*.parquet")):
        if int(path.stem.rsplit("_", 2)[1]) >= used:
            for suffix in (".parquet", ".npz", ".json"):
                path.with_suffix(suffix).unlink(missing_ok=True)
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
            table = pq.read_table(path, columns=cols)
            n += table.num_rows
            reached += np.array([int(table.column(c).to_numpy().sum()) for c in cols], np.int64)
        counts[variant] = {o.name: (int(reached[j]), n) for j, o in enumerate(model.outcomes)}
    return counts


def _digests(runs_path: Path, names: list[str]) -> dict[str, str]:
    hashes = {v: hashlib.sha256() for v in names}
    pf = pq.ParquetFile(runs_path)
    for g in range(pf.num_row_groups):
        table = pf.read_row_group(g, columns=["variant", "digest"])
        variant = table.column("variant")[0].as_py()
        hashes[variant].update(b"".join(table.column("digest").to_pylist()))
    return {v: h.hexdigest() for v, h in hashes.items()}


def _finalise(store: ResultsStore, models: dict[str, Model], scen: Scenario, path: str, sha: str,
              names: list[str], root: int, runs: int, chunk_size: int, exe: Executor,
              started: datetime, seconds: float, command: str) -> None:
    missing = []
    for v in names:
        present = {int(p.stem.rsplit("_", 2)[1]) for p in store.chunk_paths(v)}
        missing += [(v, a) for a in range(0, runs, chunk_size) if a not in present]
    if missing:
        raise RunError(f"{len(missing)} chunks are missing after the run (first: {missing[0]})")
    root_dir = store.root
    store.write_runs_table(names)
    summary = summarise(root_dir / "runs.parquet", models)
    first = models[names[0]]
    summary["scenario"] = {"id": scen.id, "title": scen.title, "as_of": scen.as_of.isoformat(),
                           "horizon_days": first.horizon_days}
    atomic_write_json(root_dir / "summary.json", summary)
    arrays: dict[str, np.ndarray] = {"grid": np.asarray(time_grid(first.horizon_days))}
    for j, edges in enumerate(state_bin_edges(first)):
        arrays[f"edges.{first.state[j].name}"] = edges
    for variant in names:
        for j, hist in enumerate(store.merged_histograms(variant, len(first.state))):
            arrays[f"hist.{variant}.{first.state[j].name}"] = hist
    _atomic_with(root_dir / "timeline.npz", lambda p: np.savez_compressed(p, **arrays))  # type: ignore[arg-type]
    atomic_write_json(root_dir / "traces.json", store.merged_traces(names))
    digests = _digests(root_dir / "runs.parquet", names)
    overall = hashlib.sha256("".join(digests[v] for v in sorted(digests)).encode()).hexdigest()
    import numpy
    import simpy

    manifest = {
        "tool": "geosim", "version": _version(), "scenario_id": scen.id,
        "scenario_title": scen.title, "scenario_file": path, "scenario_sha256": sha,
        "variants": names, "seed": root, "runs": runs, "chunk_size": chunk_size,
        "engine": "simpy", "executor": exe.name, "workers": exe.workers,
        "python": platform.python_version(), "numpy": numpy.__version__,
        "simpy": simpy.__version__, "platform": sys.platform, "command": command,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3), "digest": overall, "variant_digests": digests,
        "scenario": scen.model_dump(mode="json", by_alias=True),
    }
    atomic_write_json(root_dir / "manifest.json", manifest)
    store.finish()


__all__ = ["ResultsError", "run"]
