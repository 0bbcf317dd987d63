"""Forecast benchmarks: freezing, record size, scoring, and a class-sized track record.

    .venv/bin/python benchmarks/bench_forecast.py [--runs N] [--forecasts F]

Runs the flagship scenario (every variant, N runs each, serial) into a temporary
folder, then prints the median time (of 3) to freeze it, the record's size, the time to
read and score it against a resolution file, and the time to pool F synthetic
one-outcome forecasts into a track record and write its page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simulator  # noqa: E402
from simulator.forecast.collect import Pair  # noqa: E402
from simulator.forecast.record import build_record, read_record, write_record  # noqa: E402
from simulator.forecast.resolution import load_checked, parse_resolution  # noqa: E402
from simulator.forecast.scores import score  # noqa: E402
from simulator.forecast.template import resolution_template  # noqa: E402
from simulator.forecast.track import track_record  # noqa: E402
from simulator.report.track_page import write_track_page  # noqa: E402
from simulator.results.results import Results  # noqa: E402


def _median(fn: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--forecasts", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = simulator.run(ROOT / "scenarios" / "us_mexico_cartels.yaml", variants="all",
                                runs=args.runs, out=folder / "results", executor="serial")
        loaded = Results(results.path)
        print(f"flagship: {len(loaded.variants)} variants × {args.runs:,} runs")
        print(f"freeze (build the record):   {_median(lambda: build_record(loaded)):.2f} s")
        record = build_record(loaded)
        path = folder / "f.forecast.json"
        write_record(record, path)
        print(f"record size:                 {path.stat().st_size / 1e3:,.0f} kB")
        resolution = folder / "r.yaml"
        resolution.write_text(resolution_template(record).replace(
            "    status:\n", '    status: "no"\n').replace(
            "resolved_on: ", "resolved_on: 2027-02-01 #"))
        print("read + check + score:        "
              f"{_median(lambda: score(read_record(path), load_checked(resolution, read_record(path)).resolution)):.3f} s")  # noqa: E501
        pairs = []
        one = parse_resolution("resolved_on: 2027-02-01\nambiguous: exclude\n"
                               "outcomes: {x: {status: \"no\"}}\n")
        for i in range(args.forecasts):
            small = {**record, "outcomes": {"x": record["outcomes"][next(iter(
                record["outcomes"]))]}, "indicators": {}, "id": f"f{i}",
                "variants": {"baseline": {**record["variants"]["baseline"], "indicators": {},
                                          "outcomes": {"x": {"probability": (i % 100) / 100,
                                                             "ci95": [0, 1], "by_day": [0.0]}}}}}
            pairs.append(Pair(Path(f"f{i}"), small, one))
        elapsed = _median(lambda: write_track_page(track_record(pairs), folder / "t.html"))
        print(f"track record of {args.forecasts:,} forecasts + page: {elapsed:.3f} s")


if __name__ == "__main__":
    main()
