"""The engines side by side: runs per second per core, the NumPy and compiled engines'
ratios to the SimPy engine, the SimPy engine's ratio to a hand-written SimPy model, the
cost of the random numbers and of the parameters, and an end-to-end run with results
written::

    .venv/bin/python benchmarks/bench_engines.py                 # per-core figures
    .venv/bin/python benchmarks/bench_engines.py --scenarios flagship --end-to-end 1000000
    .venv/bin/python benchmarks/bench_engines.py --engine numpy --end-to-end 100000

Per-core figures are CPU time of alternated repeats in this process (the ratios hold
when the machine is busy; absolute figures do not). The end-to-end run is ``simulator.run``
in a fresh subprocess: wall time, CPU time and the peak of the summed resident memory of
the process and its workers (sampled from /proc every 0.2 s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simulator  # noqa: E402
from simulator.engine.batch import simulate_chunk  # noqa: E402
from simulator.engine.compiled_engine import simulate_chunk_compiled  # noqa: E402
from simulator.engine.fast_ppf import fast_initial_vectors  # noqa: E402
from simulator.engine.pcg_numba import blocks  # noqa: E402
from simulator.engine.streams import RowLayout  # noqa: E402
from simulator.engine.vector_engine import (  # noqa: E402
    VectorChunk,
    simulate_chunk_vectorised,
)
from simulator.engine.vector_output import chunk_result  # noqa: E402
from simulator.engine.vector_support import ChunkDraws  # noqa: E402

SCENARIOS = {"mini": ROOT / "tests" / "data" / "mini.yaml",
             "flagship": ROOT / "scenarios" / "us_mexico_cartels.yaml",
             "border": ROOT / "scenarios" / "border_drone_escalation.yaml"}


def _cpu(fn: Any) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def per_core(name: str, simpy_runs: int, numpy_runs: int, repeats: int) -> dict[str, float]:
    model = simulator.compile_model(simulator.load_scenario(SCENARIOS[name]))
    layout = RowLayout(model.row_sizes)
    simpy_s, numpy_s, draws_s, overflow = [], [], [], []
    compiled_s, compiled_draws_s, params_s = [], [], []
    simulate_chunk_compiled(model, 0, 0, 10, 0)  # load (or compile) the kernel first
    for k in range(repeats):  # alternated, so that a burst of load hits both
        simpy_s.append(_cpu(lambda k=k: simulate_chunk(model, k, 0, simpy_runs, 0)) / simpy_runs)

        def vector(k: int = k) -> None:
            chunk = VectorChunk(model, k, 0, numpy_runs)
            chunk.run()
            chunk_result(chunk, 0)
            overflow.append(chunk.draws.n_streams / numpy_runs)

        numpy_s.append(_cpu(vector) / numpy_runs)
        draws_s.append(_cpu(lambda k=k: ChunkDraws(k, 0, numpy_runs, layout)) / numpy_runs)
        compiled_s.append(_cpu(lambda k=k: simulate_chunk_compiled(model, k, 0, numpy_runs, 0))
                          / numpy_runs)
        block = blocks(k, 0, numpy_runs, layout.total)
        compiled_draws_s.append(_cpu(lambda k=k: blocks(k, 0, numpy_runs, layout.total))
                                / numpy_runs)
        params_s.append(_cpu(lambda b=block: fast_initial_vectors(
            model, lambda row: b[:, layout.offsets[row]], numpy_runs)) / numpy_runs)
    out = {"simpy_runs_per_s": 1 / statistics.median(simpy_s),
           "numpy_runs_per_s": 1 / statistics.median(numpy_s),
           "numpy_us_per_run": 1e6 * statistics.median(numpy_s),
           "block_draws_us_per_run": 1e6 * statistics.median(draws_s),
           "overflow_streams_per_run": statistics.median(overflow),
           "compiled_runs_per_s": 1 / statistics.median(compiled_s),
           "compiled_us_per_run": 1e6 * statistics.median(compiled_s),
           "compiled_blocks_us_per_run": 1e6 * statistics.median(compiled_draws_s),
           "compiled_params_us_per_run": 1e6 * statistics.median(params_s)}
    out["numpy_over_simpy"] = out["numpy_runs_per_s"] / out["simpy_runs_per_s"]
    out["compiled_over_simpy"] = out["compiled_runs_per_s"] / out["simpy_runs_per_s"]
    return out


def small_variants(name: str, runs_per_variant: int, variants: int) -> dict[str, float]:
    """Many small variants (a Sobol' design's shape): one chunk per variant, per core."""
    model = simulator.compile_model(simulator.load_scenario(SCENARIOS[name]))
    simpy_s, numpy_s, compiled_s = [], [], []
    simulate_chunk_compiled(model, 0, 0, 10, 0)
    for k in range(variants):  # alternated; the seed stands in for the variant
        simpy_s.append(_cpu(lambda k=k: simulate_chunk(model, k, 0, runs_per_variant, 0)))
        numpy_s.append(_cpu(lambda k=k: simulate_chunk_vectorised(model, k, 0,
                                                                   runs_per_variant, 0)))
        compiled_s.append(_cpu(lambda k=k: simulate_chunk_compiled(model, k, 0,
                                                                   runs_per_variant, 0)))
    total = runs_per_variant * variants
    out = {"simpy_runs_per_s": total / sum(simpy_s), "numpy_runs_per_s": total / sum(numpy_s),
           "compiled_runs_per_s": total / sum(compiled_s)}
    out["numpy_over_simpy"] = out["numpy_runs_per_s"] / out["simpy_runs_per_s"]
    out["compiled_over_simpy"] = out["compiled_runs_per_s"] / out["simpy_runs_per_s"]
    return out


def yardstick(runs: int, repeats: int) -> dict[str, float]:
    """The SimPy engine against the hand-written SimPy model of mini.yaml."""
    import handwritten_mini as hand  # benchmarks/ is on sys.path when run as a script

    model = simulator.compile_model(simulator.load_scenario(SCENARIOS["mini"]))
    engine, handwritten = [], []
    for k in range(repeats):
        engine.append(_cpu(lambda k=k: simulate_chunk(model, k, 0, runs, 0)) / runs)
        handwritten.append(_cpu(lambda k=k: hand.simulate(runs, seed=k)) / runs)
    e, h = statistics.median(engine), statistics.median(handwritten)
    return {"engine_runs_per_s": 1 / e, "handwritten_runs_per_s": 1 / h,
            "engine_over_handwritten": h / e}


_E2E = """
import json, os, sys, threading, time
import simulator

def _pss(pid):  # proportional set size: shared pages split between their sharers
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0

def tree():  # this process and all its descendants (the forkserver and the workers)
    parents = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(pid)] = (int(fields[1]), int(fields[11]) + int(fields[12]),
                                 int(fields[21]) * os.sysconf("SC_PAGE_SIZE"), _pss(pid))
        except (OSError, IndexError, ValueError):
            pass
    mine, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        p = frontier.pop()
        kids = [c for c, v in parents.items() if v[0] == p and c not in mine]
        mine.update(kids)
        frontier += kids
    return {p: parents[p][1:] for p in mine if p in parents}

peak, peak_pss, ticks, stop = [0], [0], {}, threading.Event()
def sample():
    while not stop.is_set():
        seen = tree()
        peak[0] = max(peak[0], sum(rss for _, rss, _ in seen.values()))
        peak_pss[0] = max(peak_pss[0], sum(pss for _, _, pss in seen.values()))
        for p, (cpu, _, _) in seen.items():
            ticks[p] = cpu
        stop.wait(0.2)
threading.Thread(target=sample, daemon=True).start()
t = time.perf_counter()
r = simulator.run(sys.argv[1], runs=int(sys.argv[2]), workers=int(sys.argv[3]),
                  engine=sys.argv[4], out=sys.argv[5], force=True, seed=1)
wall = time.perf_counter() - t
stop.set()
cpu = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "runs": r.runs,
                  "peak_mb": peak[0] / 2**20, "peak_pss_mb": peak_pss[0] / 2**20}))
"""


def end_to_end(name: str, runs: int, workers: int, engine: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", _E2E, str(SCENARIOS[name]), str(runs),
                               str(workers), engine, str(Path(tmp) / "out")],
                              capture_output=True, text=True, check=True, cwd=ROOT)
    out: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    out["runs_per_s"] = runs / out["wall_s"]
    out["runs_per_cpu_s"] = runs / out["cpu_s"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=["mini", "flagship"])
    parser.add_argument("--simpy-runs", type=int, default=1000)
    parser.add_argument("--numpy-runs", type=int, default=25_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--end-to-end", type=int, default=0, metavar="RUNS")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", default="compiled", help="engine of the end-to-end run")
    parser.add_argument("--small", type=int, default=100, metavar="RUNS",
                        help="runs per variant of the many-small-variants figure (0: skip)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    for name in args.scenarios:
        r = per_core(name, args.simpy_runs, args.numpy_runs, args.repeats)
        print(f"{name}: SimPy {r['simpy_runs_per_s']:,.0f} runs/s, NumPy "
              f"{r['numpy_runs_per_s']:,.0f} runs/s per core = {r['numpy_over_simpy']:.1f}× "
              f"SimPy; NumPy {r['numpy_us_per_run']:.1f} µs/run, of which the random "
              f"blocks {r['block_draws_us_per_run']:.1f} µs (+ "
              f"{r['overflow_streams_per_run']:.2f} overflow streams per run)")
        print(f"{name}: compiled {r['compiled_runs_per_s']:,.0f} runs/s per core = "
              f"{r['compiled_over_simpy']:.1f}× SimPy; {r['compiled_us_per_run']:.1f} µs/run, "
              f"of which the random blocks {r['compiled_blocks_us_per_run']:.2f} µs and the "
              f"parameters {r['compiled_params_us_per_run']:.2f} µs")
        if args.small:
            v = small_variants(name, args.small, 2 * args.repeats)
            print(f"{name}, {args.small} runs per variant (a Sobol' design's shape): SimPy "
                  f"{v['simpy_runs_per_s']:,.0f} runs/s, NumPy {v['numpy_runs_per_s']:,.0f} "
                  f"runs/s per core = {v['numpy_over_simpy']:.1f}× SimPy, compiled "
                  f"{v['compiled_runs_per_s']:,.0f} runs/s = {v['compiled_over_simpy']:.1f}×")
    y = yardstick(args.simpy_runs, args.repeats)
    print(f"mini: SimPy engine {y['engine_runs_per_s']:,.0f} runs/s, hand-written SimPy "
          f"{y['handwritten_runs_per_s']:,.0f} runs/s: the engine is "
          f"{y['engine_over_handwritten']:.2f}× the hand-written model")
    if args.end_to_end:
        for name in args.scenarios:
            e = end_to_end(name, args.end_to_end, args.workers, args.engine)
            print(f"{name}: {args.end_to_end:,} runs on {args.engine}, {args.workers} workers, "
                  f"results written: {e['wall_s']:.1f} s = {e['runs_per_s']:,.0f} runs/s "
                  f"(CPU {e['cpu_s']:.1f} s = {e['runs_per_cpu_s']:,.0f} runs per CPU-second); "
                  f"peak memory of all processes {e['peak_pss_mb']:.0f} MB (proportional set "
                  f"size; {e['peak_mb']:.0f} MB summing resident sets, which counts shared "
                  "pages once per process)")


if __name__ == "__main__":
    main()
