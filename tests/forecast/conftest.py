"""Forecast fixtures: a hand-made forecast record, and the tutorial scenario run once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import simulator
from simulator.forecast.record import FORMAT, MARKER, record_id
from simulator.results.results import Results

REPO = Path(__file__).resolve().parents[2]


def make_record(outcomes: dict[str, float], *, variants: tuple[str, ...] = ("baseline",),
                by_day: dict[str, list[float]] | None = None,
                as_of: str = "2026-01-05", horizon_end: str = "2026-01-15") -> dict[str, Any]:
    """A forecast record written by hand: each outcome's probability, the same in every
    variant; ``by_day`` the chance by the end of each day (default: all on day 0)."""
    days = 11  # 2026-01-05 … 2026-01-15
    by_day = by_day or {}
    record: dict[str, Any] = {
        MARKER: FORMAT,
        "scenario": {"id": "hand", "title": "Hand-made", "sha256": "0" * 64, "file": None,
                     "text": "", "text_source": "manifest"},
        "as_of": as_of, "horizon": "10 days", "horizon_days": 10.0, "horizon_end": horizon_end,
        "seed": 0, "runs": 100, "engine": "simpy", "versions": {},
        "results": {"digest": "d" * 64, "command": None},
        "outcomes": {n: {"label": n.upper(), "description": "", "when": "true",
                         "resolution": f"{n} happens", "sha256": "x"} for n in outcomes},
        "indicators": {},
        "variants": {v: {"label": v, "description": "", "runs": 100, "digest": None,
                         "indicators": {},
                         "outcomes": {n: {"probability": p, "ci95": [p, p], "reached": 0,
                                          "runs": 100,
                                          "by_day": by_day.get(n, [p] * days)}
                                      for n, p in outcomes.items()}}
                     for v in variants},
    }
    record["id"] = record_id(record)
    return record


@pytest.fixture(scope="session")
def tutorial_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """scenarios/tutorial_minimal.yaml, both variants, 300 runs, run once per session."""
    folder = tmp_path_factory.mktemp("forecast")
    return simulator.run(REPO / "scenarios" / "tutorial_minimal.yaml", variants="all",
                         runs=300, out=folder / "results", executor="serial", seed=11,
                         command="geosim run tutorial_minimal.yaml")
