"""Fixtures: the known-answer scenarios, run once per session (serial, fixed seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.results.results import Results
from simulator.runner.runner import run
from tests.analysis import scenarios


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("analysis-scenarios")
    for name in ("PATHS", "COMPARE", "SIGNPOSTS", "THRESHOLD", "ONE_DRIVER"):
        (d / f"{name.lower()}.yaml").write_text(getattr(scenarios, name))
    return d


def _run(scenario_dir: Path, name: str, runs: int, **kw: object) -> Results:
    return run(scenario_dir / f"{name}.yaml", runs=runs, seed=7, executor="serial",
               out=scenario_dir / f"results-{name}", force=True, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def paths_results(scenario_dir: Path) -> Results:
    return _run(scenario_dir, "paths", 600)


@pytest.fixture(scope="session")
def compare_results(scenario_dir: Path) -> Results:
    return _run(scenario_dir, "compare", 2000, variants="all")


@pytest.fixture(scope="session")
def signposts_results(scenario_dir: Path) -> Results:
    return _run(scenario_dir, "signposts", 2000, trace_every=100)


@pytest.fixture(scope="session")
def threshold_results(scenario_dir: Path) -> Results:
    return _run(scenario_dir, "threshold", 2000)


@pytest.fixture(scope="session")
def one_driver_results(scenario_dir: Path) -> Results:
    return _run(scenario_dir, "one_driver", 3000)
