"""Engine benchmarks: runs per second, peak memory, and engine overhead per event.

    .venv/bin/python benchmarks/bench_engine.py [--scenario PATH] [--runs N] [--repeats K]
    .venv/bin/python benchmarks/bench_engine.py --yardstick-only

Prints, for the flagship scenario (or the one given):
* the SimPy engine against the hand-written SimPy model of ``tests/data/mini.yaml``
  (``benchmarks/handwritten_mini.py``): runs/s per core of both and their ratio, from
  alternated pairs of CPU-timed chunks (the median of the pairwise ratios holds when
  the machine is busy; absolute figures do not);
* runs/s on one core (median of K repeats; wall and CPU time) and with all cores;
* peak resident memory of a run of N runs (parent and workers);
* engine overhead per event against a bare SimPy timeout loop.

Figures are measurements of this machine at this moment: other load skews wall time,
so CPU time is printed too.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simpy  # noqa: E402

import simulator  # noqa: E402
from simulator.engine.batch import simulate_chunk  # noqa: E402

FLAGSHIP = ROOT / "scenarios" / "us_mexico_cartels.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"

# one repeatable hazard with no condition and no effect: every event is pure engine work
OVERHEAD_SCENARIO = textwrap.dedent("""
    id: overhead
    title: Engine overhead probe
    as_of: 2026-01-01
    horizon: 100 days
    actors:
      nature:
        options:
          tick: {rate: 100 per day}
    outcomes:
      never: {when: "t < 0"}
""")


def one_core(path: Path, runs: int, repeats: int) -> None:
    model = simulator.compile_model(simulator.load_scenario(path))
    walls, cpus, events = [], [], 0.0
    for k in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        chunk = simulate_chunk(model, 20260105, k * runs, (k + 1) * runs)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
        events = float(chunk.columns["n_events"].mean())
    print(f"one core      : {runs / statistics.median(walls):8,.0f} runs/s wall, "
          f"{runs / statistics.median(cpus):8,.0f} runs/s CPU   "
          f"(median of {repeats} × {runs:,} runs; {events:.1f} events/run)")


def yardstick(runs: int, pairs: int) -> None:
    """The SimPy engine's throughput on mini.yaml against the hand-written SimPy model."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import handwritten_mini as hand

    model = simulator.compile_model(simulator.load_scenario(MINI))

    def cpu(fn: object) -> float:
        start = time.process_time()
        fn()  # type: ignore[operator]
        return time.process_time() - start

    engine, written, ratios = [], [], []
    for k in range(pairs):  # alternated: a burst of load hits both sides of a pair
        sides = [lambda k=k: simulate_chunk(model, k, 0, runs, trace_every=0),
                 lambda k=k: hand.simulate(runs, seed=k)]
        if k % 2:
            h, e = cpu(sides[1]), cpu(sides[0])
        else:
            e, h = cpu(sides[0]), cpu(sides[1])
        engine.append(runs / e)
        written.append(runs / h)
        ratios.append(h / e)
    quartiles = statistics.quantiles(ratios, n=4)
    print(f"yardstick     : mini.yaml, SimPy engine {statistics.median(engine):8,.0f} runs/s CPU, "
          f"hand-written SimPy {statistics.median(written):8,.0f} runs/s CPU: the engine is "
          f"{statistics.median(ratios):.2f}× the hand-written model (quartiles "
          f"{quartiles[0]:.2f}–{quartiles[2]:.2f}; {pairs} pairs × {runs:,} runs)")


def all_cores(path: Path, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        simulator.run(path, runs=runs, seed=1, out=Path(tmp) / "r", executor="process")
        dt = time.perf_counter() - t
    print(f"all cores ({os.cpu_count()}) : {runs / dt:8,.0f} runs/s wall, end to end "
          f"({runs:,} runs incl. start-up, writing and summaries)")


def peak_memory(path: Path, runs: int) -> None:
    code = (
        "import resource, sys, tempfile, simulator\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        f"    simulator.run({str(path)!r}, runs={runs}, seed=1, out=d + '/r',"
        " executor='serial')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    # serial: engine, writer and summaries in one process, so its high-water mark is the
    # whole footprint (pool workers are grandchildren of a forkserver and not counted)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split()
    print(f"peak memory   : {int(out[-1]) / 1024:8,.0f} MB for {runs:,} runs in one process")


def overhead(repeats: int) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(OVERHEAD_SCENARIO)
    model = simulator.compile_model(simulator.load_scenario(f.name))
    os.unlink(f.name)
    per_event = []
    for k in range(repeats):
        c = time.process_time()
        chunk = simulate_chunk(model, 7, k * 20, (k + 1) * 20)
        per_event.append((time.process_time() - c) / float(chunk.columns["n_events"].sum()))

    def bare(n: int) -> None:
        env = simpy.Environment()

        def proc(env: simpy.Environment) -> object:
            for _ in range(n):
                yield env.timeout(0.01)

        env.process(proc(env))
        env.run()

    bare_times = []
    for _ in range(repeats):
        c = time.process_time()
        bare(200_000)
        bare_times.append((time.process_time() - c) / 200_000)
    engine_us = statistics.median(per_event) * 1e6
    bare_us = statistics.median(bare_times) * 1e6
    print(f"per event     : {engine_us:6.2f} µs engine (hazard, re-arm, record) vs "
          f"{bare_us:.2f} µs bare SimPy timeout = {engine_us / bare_us:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=FLAGSHIP)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-runs", type=int, default=100_000)
    parser.add_argument("--yardstick-pairs", type=int, default=20)
    parser.add_argument("--yardstick-only", action="store_true")
    args = parser.parse_args()
    yardstick(500, args.yardstick_pairs)
    if args.yardstick_only:
        return
    print(f"scenario: {args.scenario}")
    one_core(args.scenario, args.runs, args.repeats)
    all_cores(args.scenario, args.runs * 5)
    overhead(args.repeats)
    peak_memory(args.scenario, args.memory_runs)
    print(f"(max RSS of this process so far: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)")


if __name__ == "__main__":
    main()
