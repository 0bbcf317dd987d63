"""Benchmark: build the HTML report of 100,000 runs × 5 variants; print time and size.

    .venv/bin/python benchmarks/bench_report.py                 # simulate the case first
    .venv/bin/python benchmarks/bench_report.py RESULTS_DIR     # reuse a results directory

Without an argument, a small scenario with five variants is simulated once into
``$TMPDIR/geosim-bench-report`` (reused by later runs; pass ``--runs`` to change it).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

SCENARIO = """\
id: bench_report
title: Report benchmark
as_of: 2026-01-05
horizon: 1 year
parameters:
  strike_rate: {value: 1% to 5% per month, assumption: true, note: x}
  backlash: {value: 0.5 to 0.9, assumption: true}
  calm_rate: {value: 1 to 3 per year}
state:
  cooperation: {initial: 0.7, min: 0, max: 1}
  tension: {initial: 0.3, min: 0, max: 1}
ladder:
  initial: pressure
  rungs: [{id: calm}, {id: pressure}, {id: covert}, {id: strike}]
  thresholds: {sovereignty: {below: strike}}
actors:
  us:
    decides: {every: 1 month, idle_weight: 2}
    options:
      surveil:
        weight: 1
        effects: [{escalate: 1}, {add: {cooperation: -0.05}}, {add: {tension: 0.05}}]
      strike:
        when: escalation >= covert
        rate: strike_rate * (2 - cooperation)
        once: true
        effects:
          - set: {escalation: strike}
          - trigger: mx.backlash
            after: 2 to 6 weeks
            chance: backlash
  mx:
    options:
      backlash: {effects: [{add: {cooperation: -0.3}}, {add: {tension: 0.2}}]}
      calm_down: {rate: calm_rate, effects: [{deescalate: 1}, {add: {tension: -0.1}}]}
outcomes:
  us_strike: {when: escalation >= strike}
  collapse: {when: cooperation < 0.3, terminal: true}
  crisis: {when: tension > 0.6}
indicators:
  surveil_seen: {when: fired(us.surveil)}
  tension_high: {when: tension > 0.45}
variants:
  dovish: {parameters: {strike_rate: 0.1% to 1% per month}}
  hawkish: {parameters: {strike_rate: 3% to 10% per month}}
  patient: {parameters: {calm_rate: 3 to 6 per year}}
  brittle: {parameters: {backlash: 0.8 to 0.99}}
"""


def simulate(folder: Path, runs: int) -> Path:
    import simulator

    out = folder / f"results-{runs}"
    if (out / "manifest.json").exists():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    scenario = folder / "bench_report.yaml"
    scenario.write_text(SCENARIO)
    started = time.perf_counter()
    simulator.run(scenario, variants="all", runs=runs, out=out, force=True,
                  command=f"geosim run {scenario} --all-variants -n {runs}")
    print(f"simulated {runs:,} runs × 5 variants in {time.perf_counter() - started:.0f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", type=Path, help="reuse this results directory")
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("-o", "--out", type=Path, default=None, help="the report file")
    args = parser.parse_args()

    from simulator.report import build_report
    from simulator.results.results import Results

    folder = Path(tempfile.gettempdir()) / "geosim-bench-report"
    path = args.results or simulate(folder, args.runs)
    results = Results(path)
    out = args.out or folder / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    build_report([results], out)
    seconds = time.perf_counter() - started
    size = out.stat().st_size
    print(f"results: {path} ({results.runs:,} runs × {len(results.variants)} variants)")
    print(f"report:  {out}")
    print(f"build time: {seconds:.1f} s   file size: {size / 1e6:.2f} MB ({size:,} bytes)")


if __name__ == "__main__":
    main()
