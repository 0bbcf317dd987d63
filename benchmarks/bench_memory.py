"""Peak memory of ``simulator.run`` at growing run counts: is it bounded?

Each size runs in a fresh subprocess (so high-water marks do not carry over) that
reports ``ru_maxrss`` of itself (the parent: runner, store, merge, summaries) and of its
children (the worker processes), plus the per-run table's size on disk and in memory::

    .venv/bin/python benchmarks/bench_memory.py                    # 10^4, 10^5, 10^6 runs
    .venv/bin/python benchmarks/bench_memory.py --sizes 10000 100000 --workers 2
    .venv/bin/python benchmarks/bench_memory.py --scenario scenarios/us_mexico_cartels.yaml

Bounded memory means the parent's peak stays flat while ``runs.parquet`` (and the table
it would be in memory) grows linearly with the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "tests" / "data" / "mini.yaml"
FLAGSHIP = ROOT / "scenarios" / "us_mexico_cartels.yaml"


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class _WorkerSampler(threading.Thread):
    """Samples the peak RSS (VmHWM) of every descendant process (Linux /proc)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.wait(0.25):
            for pid in _descendants(me):
                self.peak_kib = max(self.peak_kib, _hwm_kib(pid))


def child(args: argparse.Namespace) -> None:
    """One measurement, in this (fresh) process; prints one JSON line."""
    import pyarrow.parquet as pq

    import simulator

    kib = 1024.0  # ru_maxrss is in KiB on Linux (bytes on macOS)
    scale = 1024.0 * 1024.0 if sys.platform == "darwin" else kib
    imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    sampler = _WorkerSampler()
    if os.path.isdir("/proc"):
        sampler.start()
    out = Path(args.out)
    t0 = time.perf_counter()
    results = simulator.run(args.scenario, runs=args.child, seed=0, executor=args.executor,
                            workers=args.workers, out=out, force=True)
    seconds = time.perf_counter() - t0
    sampler.stop.set()
    try:  # reap the forkserver so the pool workers' peaks reach RUSAGE_CHILDREN
        from multiprocessing import forkserver

        forkserver._forkserver._stop()  # type: ignore[attr-defined]
    except Exception:
        pass
    meta = pq.ParquetFile(out / "runs.parquet").metadata
    in_memory = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
    rows = meta.num_rows
    print(json.dumps({
        "runs": rows,
        "seconds": round(seconds, 2),
        "runs_per_s": round(rows / seconds, 1),
        "imports_mb": round(imported, 1),
        "parent_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, 1),
        "children_mb": round(max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale,
                                 sampler.peak_kib / kib), 1),
        "parquet_mb": round((out / "runs.parquet").stat().st_size / 2**20, 2),
        "table_mb": round(in_memory / 2**20, 1),
        "digest": results.digest[:16],
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--scenario", type=Path, default=None,
                        help="default: the flagship if it validates, else the mini scenario")
    parser.add_argument("--executor", default="process")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print JSON lines only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    scenario = args.scenario or _default_scenario()
    if not args.json:
        print(f"scenario: {scenario}   executor: {args.executor}   "
              f"workers: {args.workers or os.cpu_count()}")
        print(f"{'runs':>10} {'seconds':>8} {'runs/s':>8} {'imports MB':>10} "
              f"{'parent MB':>10} {'workers MB':>11} {'parquet MB':>11} {'table MB':>9}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="geosim-mem-") as tmp:
            cmd = [sys.executable, __file__, "--child", str(size), "--out", f"{tmp}/r",
                   "--scenario", str(scenario), "--executor", args.executor]
            if args.workers:
                cmd += ["--workers", str(args.workers)]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
            if done.returncode != 0:
                sys.exit(f"size {size} failed:\n{done.stderr}")
            row = json.loads(done.stdout.strip().splitlines()[-1])
        if args.json:
            print(json.dumps(row))
        else:
            print(f"{row['runs']:>10,} {row['seconds']:>8.1f} {row['runs_per_s']:>8,.0f} "
                  f"{row['imports_mb']:>10.1f} {row['parent_mb']:>10.1f} "
                  f"{row['children_mb']:>11.1f} {row['parquet_mb']:>11.2f} "
                  f"{row['table_mb']:>9.1f}", flush=True)


def _default_scenario() -> Path:
    if FLAGSHIP.exists():
        import simulator

        if simulator.read_scenario(FLAGSHIP).ok:
            return FLAGSHIP
    return DEFAULT_SCENARIO


if __name__ == "__main__":
    main()
