"""Per-run random blocks: numba (``pcg_numba``) against NumPy arrays (``pcg_vector``).

    .venv/bin/python benchmarks/bench_pcg_numba.py [--runs N] [--total T] [--repeats K]

Prints CPU time (``time.process_time``) per run, the best of K repeats after a warm-up
(numba compiles, or loads its cache, on the first call):
* one block of T numbers (default 332) per run over N runs (default 25,000), by
  ``pcg_numba.blocks`` (a new array each time: its first touch costs page faults),
  ``pcg_numba.fill_blocks`` into a reused array, and ``pcg_vector.spawned_uniforms``;
* one overflow stream per run, ``overflow_seed`` + 4 ``next_double``, called from a
  numba loop as a compiled engine calls them.

Figures are measurements of this machine at this moment; other load skews them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from simulator.engine.pcg_numba import (  # noqa: E402
    blocks,
    fill_blocks,
    next_double,
    overflow_seed,
    seed_words,
)
from simulator.engine.pcg_vector import spawned_uniforms  # noqa: E402

SEED = 282809669160055996200825292349374625031


# not cached: numba's cache would keep a stale copy of the pcg_numba code it inlines
@njit(nogil=True)
def _overflow_loop(root_words: np.ndarray, runs: int, draws: int) -> float:
    """One overflow stream per run (row 7), ``draws`` numbers each; returns their sum
    so that nothing is optimised away."""
    state = np.empty(4, np.uint64)
    acc = 0.0
    for run in range(runs):
        overflow_seed(root_words, run, 7, state)
        for _ in range(draws):
            acc += next_double(state)
    return acc


def best_cpu(work: Callable[[], object], repeats: int) -> float:
    """The least CPU seconds of ``repeats`` calls of ``work``."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        work()
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25_000)
    parser.add_argument("--total", type=int, default=332)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs, total = args.runs, args.total
    keys = np.arange(runs, dtype=np.uint32)[:, None]
    words = seed_words(SEED)

    # warm-up: compile (or load the cache), and check both give the same numbers
    if not np.array_equal(blocks(SEED, 0, 50, total), spawned_uniforms(SEED, keys[:50], total)):
        raise SystemExit("pcg_numba and pcg_vector disagree")
    _overflow_loop(words, 10, 4)

    numba_s = best_cpu(lambda: blocks(SEED, 0, runs, total), args.repeats)
    buffer = np.empty((runs, total))
    fill_s = best_cpu(lambda: fill_blocks(words, 0, runs, total, buffer), args.repeats)
    vector_s = best_cpu(lambda: spawned_uniforms(SEED, keys, total), args.repeats)
    overflow_s = best_cpu(lambda: _overflow_loop(words, runs, 4), args.repeats)
    us = 1e6 / runs
    print(f"{runs:,} runs, {total}-number block per run (CPU time, best of {args.repeats}):")
    print(f"  pcg_numba.blocks             {numba_s * us:8.3f} µs/run")
    print(f"  pcg_numba.fill_blocks        {fill_s * us:8.3f} µs/run (into a reused array)")
    print(f"  pcg_vector.spawned_uniforms  {vector_s * us:8.3f} µs/run"
          f"   ({vector_s / fill_s:.1f}× fill_blocks)")
    print(f"  overflow_seed + 4 next_double {overflow_s * us:7.3f} µs/run (from numba)")


if __name__ == "__main__":
    main()
