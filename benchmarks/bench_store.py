"""Cost of the results pipeline (everything but simulation) per run, at up to 10^6 runs.

One real flagship chunk is simulated once on the NumPy engine (about 10 s; cached with
``--cache``), then copies of it with shifted run ranges go through the same steps as
``simulator.run``: pickling a chunk (what shipping it from a Dask worker costs; local
workers write their chunks and send back a receipt), writing the chunk files (done by
the worker that simulated it), the parent's part as each chunk comes in (runs.parquet
grows), every step of the finalisation (runs.parquet, summary, timeline, traces, table
digests, file records, manifest), then loading the results as ``run`` returns them.
Each stage is timed (CPU and wall) and its peak RSS recorded::

    .venv/bin/python benchmarks/bench_store.py                      # 10^6 runs, 40 chunks
    .venv/bin/python benchmarks/bench_store.py --runs 200000 --cache /tmp/chunk.pkl

Figures are µs per run; "peak MB" is the process's high-water mark during the stage
(reset before each stage through /proc/self/clear_refs where Linux allows it).
"""

from __future__ import annotations

import argparse
import copy
import pickle
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "us_mexico_cartels.yaml"
CHUNK = 25_000


def _hwm_mb() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_hwm() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


class Stages:
    """Per-stage CPU and wall seconds and peak RSS."""

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.rows: list[tuple[str, float, float, float]] = []
        self.inner: list[list[Any]] = []  # stages inside a timed stage: [name, cpu, wall, MB]

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        _reset_hwm()
        c0, w0 = time.process_time(), time.perf_counter()
        yield
        self.rows.append((name, time.process_time() - c0, time.perf_counter() - w0, _hwm_mb()))

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        """Time every call of ``owner.attr`` (summed) as the stage ``name``."""
        inner = getattr(owner, attr)
        slot = [name, 0.0, 0.0, 0.0]
        self.inner.append(slot)

        def timed(*args: Any, **kwargs: Any) -> Any:
            _reset_hwm()
            c0, w0 = time.process_time(), time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                slot[1] += time.process_time() - c0
                slot[2] += time.perf_counter() - w0
                slot[3] = max(slot[3], _hwm_mb())

        setattr(owner, attr, timed)

    def report(self) -> None:
        n = self.runs
        print(f"{'stage':<28} {'CPU µs/run':>11} {'wall µs/run':>12} {'CPU s':>7} "
              f"{'peak MB':>8}")
        for name, cpu, wall, peak in self.rows:
            print(f"{name:<28} {cpu / n * 1e6:>11.2f} {wall / n * 1e6:>12.2f} {cpu:>7.2f} "
                  f"{peak:>8.0f}")
            for sub, s_cpu, s_wall, s_peak in self.inner:
                mine = (name.startswith("write_chunk") if sub.startswith("  ")
                        else name.startswith("_finalise"))
                if mine and any((s_cpu, s_wall)):
                    print(f"  {sub.strip():<26} {s_cpu / n * 1e6:>11.2f} "
                          f"{s_wall / n * 1e6:>12.2f} {s_cpu:>7.2f} {s_peak:>8.0f}")
        cpu = sum(r[1] for r in self.rows)
        wall = sum(r[2] for r in self.rows)
        print(f"{'total':<28} {cpu / n * 1e6:>11.2f} {wall / n * 1e6:>12.2f} {cpu:>7.2f} "
              f"{max(r[3] for r in self.rows):>8.0f}")


def real_chunk(cache: Path | None) -> Any:
    """One flagship chunk of 25,000 runs (seed 1), simulated or read from ``cache``."""
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    from simulator.engine.vector_engine import simulate_chunk_vectorised

    chunk = simulate_chunk_vectorised(_model(), 1, 0, CHUNK)
    if cache is not None:
        cache.write_bytes(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
    return chunk


def _model() -> Any:
    from simulator.loading import read_scenario
    from simulator.model.compile import compile_model

    loaded = read_scenario(FLAGSHIP)
    assert loaded.scenario is not None
    return compile_model(loaded.scenario, "baseline")


def sliced(chunk: Any, runs: int) -> Any:
    """The first ``runs`` runs of ``chunk`` (histograms kept whole: only their cost counts)."""
    if runs >= chunk.runs:
        return chunk
    out = copy.copy(chunk)
    out.stop = chunk.start + runs
    out.columns = {k: v[:runs] for k, v in chunk.columns.items()}
    out.ragged = {k: (values[:offsets[runs]], offsets[:runs + 1])
                  for k, (values, offsets) in chunk.ragged.items()}
    out.traces = {k: t for k, t in chunk.traces.items() if k < out.stop}
    return out


def shifted(chunk: Any, start: int) -> Any:
    """``chunk`` as if it held runs ``[start, start + runs)`` (same data otherwise)."""
    out = copy.copy(chunk)
    out.start, out.stop = start, start + chunk.runs
    out.columns = {**chunk.columns, "run": np.arange(out.start, out.stop, dtype=np.int64)}
    out.traces = {k + start - chunk.start: t for k, t in chunk.traces.items()}
    return out


def measure(runs: int, cache: Path | None, keep: Path | None, size: int) -> None:
    from simulator.results.results import Results
    from simulator.runner import runner as run_mod
    from simulator.runner.executors import SerialExecutor
    from simulator.runner.store import ResultsStore

    model = _model()
    base = sliced(real_chunk(cache), size)
    stages = Stages(runs)
    blob = b""
    with stages.stage("pickle ChunkResult (dumps)"):
        for _ in range(runs // size):
            blob = pickle.dumps([base], protocol=pickle.HIGHEST_PROTOCOL)
    with stages.stage("unpickle ChunkResult (loads)"):
        for _ in range(runs // size):
            pickle.loads(blob)
    print(f"one pickled chunk: {len(blob) / 2**20:.1f} MB for {size:,} runs "
          f"({len(blob) / size:.0f} bytes per run)")
    del blob
    with tempfile.TemporaryDirectory(prefix="geosim-bench-store-") as tmp:
        out = keep or Path(tmp) / "r"
        names = ["baseline"]
        store = ResultsStore(out)
        spec = {"scenario_sha256": "bench", "variants": names, "seed": 1, "runs": runs,
                "precision": None, "max_runs": None, "chunk_size": size, "engine": "numpy",
                "trace_every": 500}
        store.open(spec, force=True)
        try:
            _instrument_chunks(stages)
            joining = hasattr(store, "chunk_written")
            keys = [("baseline", start, start + size) for start in range(0, runs, size)]
            with stages.stage("write_chunk (worker)"):
                for _, start, _ in keys:
                    store.write_chunk(model, shifted(base, start))
            if joining:  # what the parent does as each chunk comes in (as _submit does)
                with stages.stage("chunk_written (parent)"):
                    for key in keys:
                        store.chunk_written(key)
            job = run_mod._Job(store, SerialExecutor(), {"baseline": model}, _scenario(),
                               "bench", 1, names, set(), 500, "numpy", None, runs)
            _instrument(stages, run_mod, store)
            with stages.stage("_finalise (all)"):
                run_mod._finalise(job, path=str(FLAGSHIP), runs=runs, chunk_size=size,
                                  started=datetime.now(UTC), seconds=0.0, command="")
        finally:
            store.close()
        written = getattr(Results, "written", None)
        with stages.stage("Results (as run returns it)"):
            written(out) if written is not None else Results(out)
        size_mb = (out / "runs.parquet").stat().st_size / 2**20
    print(f"runs: {runs:,}   runs.parquet: {size_mb:.0f} MB")
    stages.report()


def _instrument_chunks(stages: Stages) -> None:
    """Time the steps of writing a chunk (names indented: they belong to write_chunk)."""
    from simulator.runner import chunk_files

    for attr in ("chunk_table", "chunk_tally", "_write_npz", "_traces_bytes", "_write_file",
                 "_write_table", "atomic_write_json"):
        if hasattr(chunk_files, attr):
            stages.wrap(chunk_files, attr, "  " + attr)


def _instrument(stages: Stages, run_mod: Any, store: Any) -> None:
    """Time the steps ``_finalise`` calls, where it calls them."""
    for attr in ("write_runs_table", "merged_histograms", "merged_aggregates", "merged_traces",
                 "finish"):
        if hasattr(store, attr):
            stages.wrap(store, attr, f"store.{attr}")
    for attr in ("summarise", "summarise_tables", "summarise_tallies", "table_digests",
                 "file_record",
                 "atomic_write_json", "atomic_write_with", "atomic_write_bytes"):
        if hasattr(run_mod, attr):
            stages.wrap(run_mod, attr, attr)


def _scenario() -> Any:
    from simulator.loading import read_scenario

    loaded = read_scenario(FLAGSHIP)
    return loaded.scenario


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1_000_000,
                        help="a multiple of 25,000 (default 10^6)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="pickle of the simulated chunk (written if absent)")
    parser.add_argument("--chunk-size", type=int, default=CHUNK,
                        help="runs per chunk, at most 25,000 (default 25,000)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the results here instead of a temporary folder")
    args = parser.parse_args(argv)
    if not 0 < args.chunk_size <= CHUNK or args.runs % args.chunk_size:
        sys.exit(f"--chunk-size must be at most {CHUNK:,} and divide --runs")
    measure(args.runs, args.cache, args.keep, args.chunk_size)


if __name__ == "__main__":
    main()
