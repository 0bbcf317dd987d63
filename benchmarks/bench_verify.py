"""What verifying a results directory on load costs, and what a run's integrity records cost.

    .venv/bin/python benchmarks/bench_verify.py RESULTS_DIR [--repeats K]

Loads ``RESULTS_DIR`` with :class:`simulator.Results` K times and prints the median wall
and CPU time of the whole load, and of its two checks on their own: the SHA-256 of every
data file (against ``manifest.json``) and the per-variant digests recomputed from the
``digest`` column of ``runs.parquet``. Make a directory to measure with, for example::

    geosim run tests/data/mini.yaml --all-variants -n 50000 -o /tmp/big
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from simulator.results.integrity import CHECKED_FILES, verify_digests, verify_files
from simulator.results.results import Results


def _measure(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    folder: Path = args.results
    first = Results(folder)
    size = sum((folder / name).stat().st_size for name in CHECKED_FILES)
    rows = first.runs * len(first.variants)
    print(f"{folder}: {rows:,} rows, {size / 1e6:.1f} MB of data files")
    checks = {
        "Results() (all checks)": lambda: Results(folder),
        "file hashes": lambda: verify_files(folder, first.manifest["files"]),
        "run digests": lambda: verify_digests(folder, first.manifest),
    }
    for name, fn in checks.items():
        wall, cpu = _measure(fn, args.repeats)
        print(f"  {name:<24} {wall * 1e3:8.1f} ms wall  {cpu * 1e3:8.1f} ms CPU  "
              f"({size / 1e6 / max(wall, 1e-9):,.0f} MB/s)")


if __name__ == "__main__":
    main()
