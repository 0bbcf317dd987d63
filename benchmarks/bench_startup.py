"""Start-up benchmark: what the light commands cost before and while they work.

    .venv/bin/python benchmarks/bench_startup.py [--repeats K]

Runs ``geosim --help``, ``geosim validate`` on the flagship and ``geosim new`` as a
user would (the installed ``geosim`` command, a new process each time) and prints the
median wall time and CPU time (user + system) of K runs, and how many modules each
imports. Other load on the machine stretches wall time; CPU time is steadier.
Targets on an idle machine: ``--help`` under 0.3 s, ``validate`` of the flagship
under 1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GEOSIM = Path(sys.executable).with_name("geosim")
FLAGSHIP = ROOT / "scenarios" / "us_mexico_cartels.yaml"

COUNT_MODULES = (
    "import runpy, sys\n"
    "sys.argv = ['geosim', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('simulator', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write(f'MODULES {len(sys.modules)}\\n')\n"
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(args: list[str], repeats: int, cwd: Path) -> tuple[float, float, int]:
    """Median wall seconds, median CPU seconds, and modules imported, for ``geosim args``."""
    walls, cpus = [], []
    for _ in range(repeats):
        cpu_before = _children_cpu()
        started = time.perf_counter()
        subprocess.run([str(GEOSIM), *args], cwd=cwd, capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        cpus.append(_children_cpu() - cpu_before)
    counted = subprocess.run(
        [sys.executable, "-c", COUNT_MODULES, *args], cwd=cwd, capture_output=True, text=True,
        check=False,
    )
    modules = next(
        (int(line.split()[1]) for line in counted.stderr.splitlines()
         if line.startswith("MODULES ")),
        -1,
    )
    return statistics.median(walls), statistics.median(cpus), modules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"median of {args.repeats} runs")
    with tempfile.TemporaryDirectory() as folder:
        cases = {
            "geosim --help": ["--help"],
            "geosim validate <flagship>": ["validate", str(FLAGSHIP)],
            "geosim new (into a temp dir)": ["new", "probe", "--dir", folder, ],
        }
        print(f"  {'command':32} {'wall':>8} {'CPU':>8} {'modules':>8}")
        for name, command in cases.items():
            if command[0] == "new":
                # `new` refuses to overwrite; each repeat writes a fresh name
                wall, cpu, modules = _measure_new(folder, args.repeats)
            else:
                wall, cpu, modules = measure(command, args.repeats, ROOT)
            print(f"  {name:32} {wall:7.3f}s {cpu:7.3f}s {modules:8d}")


def _measure_new(folder: str, repeats: int) -> tuple[float, float, int]:
    walls, cpus = [], []
    for i in range(repeats):
        cpu_before = _children_cpu()
        started = time.perf_counter()
        subprocess.run([str(GEOSIM), "new", f"probe_{i}", "--dir", folder],
                       capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        cpus.append(_children_cpu() - cpu_before)
    _, _, modules = measure(["new", "probe_count", "--dir", folder], 1, Path(folder))
    return statistics.median(walls), statistics.median(cpus), modules


if __name__ == "__main__":
    main()
