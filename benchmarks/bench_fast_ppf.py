"""Parameter set-up cost: scipy quantiles against the compiled ones.

    .venv/bin/python benchmarks/bench_fast_ppf.py [--runs N] [--repeats K]

Prints, for the flagship scenario, CPU µs per run of ``batch.initial_vectors`` and of
``fast_ppf.fast_initial_vectors`` over one chunk of N runs (after a warm-up call that
builds the tables and loads the compiled code; the median of K repeats), and ns per
value of the Beta quantile for a few shapes, scipy against compiled. The uniforms are
drawn beforehand, so only the set-up itself is timed. CPU time, because the machine
may be shared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scipy import special  # noqa: E402

from simulator.engine.batch import initial_vectors  # noqa: E402
from simulator.engine.fast_ppf import beta_ppf, fast_initial_vectors  # noqa: E402
from simulator.loading import load_scenario  # noqa: E402
from simulator.model.compile import compile_model  # noqa: E402

FLAGSHIP = ROOT / "scenarios" / "us_mexico_cartels.yaml"


def cpu_median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = args.runs
    model = compile_model(load_scenario(FLAGSHIP))
    rows: dict[int, np.ndarray] = {}

    def first(row: int) -> np.ndarray:
        if row not in rows:
            rows[row] = np.random.default_rng(row).random(n)
        return rows[row]

    for fn in (initial_vectors, fast_initial_vectors):  # warm-up: tables, compiled code
        fn(model, first, n)
    slow = cpu_median(lambda: initial_vectors(model, first, n), args.repeats)
    fast = cpu_median(lambda: fast_initial_vectors(model, first, n), args.repeats)
    print(f"flagship set-up, {n:,} runs ({len(model.parameters)} parameters):")
    print(f"  batch.initial_vectors      : {slow / n * 1e6:7.2f} µs/run (CPU)")
    print(f"  fast_initial_vectors       : {fast / n * 1e6:7.2f} µs/run (CPU)"
          f"   ×{slow / fast:.1f}")
    u = np.random.default_rng(0).random(n)
    print(f"Beta quantile, {n:,} values:")
    for a, b in [(4.775, 15.56), (49.7, 2.36), (8.0, 8.0), (0.5, 30.0), (1000.0, 1000.0)]:
        beta_ppf(a, b, u[:10])
        ours = cpu_median(lambda a=a, b=b: beta_ppf(a, b, u), args.repeats)
        ref = cpu_median(lambda a=a, b=b: special.betaincinv(a, b, u), args.repeats)
        print(f"  Beta({a:g}, {b:g}): compiled {ours / n * 1e9:6.0f} ns/value, "
              f"scipy {ref / n * 1e9:6.0f} ns/value")


if __name__ == "__main__":
    main()
