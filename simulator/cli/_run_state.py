"""What `geosim run` says before it simulates: a finished run, a resumed one, a slow one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.cli._common import err_console
from simulator.errors import RunError

if TYPE_CHECKING:
    from simulator.results.results import Results
    from simulator.runner.runner import ProgressCallback


def finished_run(out: Path, scenario: Path, variants: list[str] | str | None, *, runs: int,
                 seed: int, precision: float | None, max_runs: int,
                 engine: str = "simpy") -> Results | None:
    """The results in ``out`` if they are a finished run of exactly this request, else None.

    "Exactly" means the same scenario file contents, variants, number of runs (or
    precision target), seed and engine: the run would give the same numbers again.
    """
    spec_path = out / "run.json"
    if not (out / "manifest.json").is_file() or not spec_path.is_file():
        return None
    from simulator.results.results import Results
    from simulator.runner.runner import normalise_seed, resolve_scenario, resolve_variants

    try:
        old: dict[str, Any] = json.loads(spec_path.read_text())
    except (OSError, ValueError):
        return None  # not ours to judge: the run itself reports a damaged folder
    scen, _, sha = resolve_scenario(scenario)
    wanted = {"scenario_sha256": sha, "variants": resolve_variants(scen, variants),
              "seed": normalise_seed(seed), "runs": runs, "precision": precision,
              "max_runs": max_runs if precision is not None else None, "engine": engine}
    if any(old.get(key) != value for key, value in wanted.items()):
        return None
    return Results(out)


def announce_resume(out: Path, inner: ProgressCallback | None) -> ProgressCallback:
    """A progress callback that first says how much of a resumed run was already done."""
    first = True

    def update(done: int, total: int) -> None:
        nonlocal first
        if first and done > 0:
            err_console.print(f"resuming the interrupted run in {out}: {done:,} of "
                              f"{total:,} runs ({done / total:.0%}) were already done",
                              markup=False)
        first = False
        if inner is not None:
            inner(done, total)

    return update


def warn_if_busy(scenario: Path) -> None:
    """Warn, before a long run, about options that fire implausibly often in a pilot of
    the baseline (variants change how much, rarely the units)."""
    from simulator.runner.pilot import pilot_warnings
    from simulator.runner.runner import resolve_scenario

    scen, _, _ = resolve_scenario(scenario)
    try:
        found = pilot_warnings(scen)
    except RunError:
        return  # the run itself meets the same failure and reports it with its runs
    for busy in found:
        err_console.print(f"warning: {busy.message}\n    hint: {busy.hint}", markup=False)
