"""``geosim sweep``: run a parameter sweep (grid, Latin hypercube or Sobol') as one batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from simulator.cli._common import (
    ENGINE_HELP,
    EXECUTOR_OPTION,
    SCHEDULER_OPTION,
    WORKERS_OPTION,
    app,
    command_line,
    console,
    engine_name,
    handle_errors,
    print_json,
)
from simulator.cli._progress import progress_bar


def sweep_table(index: dict[str, Any]) -> Table:
    """One row per point: parameter values, then each outcome's probability."""
    params = list(index["parameters"])
    outcomes = list(index["baseline"]["probabilities"])
    table = Table(title=f"{index['scenario_id']} — {index['design']} sweep, "
                        f"{index['n_points']} points × {index['runs']:,} runs, "
                        f"seed {index['seed']}", title_justify="left")
    table.add_column("point")
    for name in params:
        table.add_column(name, justify="right")
    for name in outcomes:
        table.add_column(name, justify="right")
    table.add_row("baseline", *["–"] * len(params),
                  *[f"{index['baseline']['probabilities'][o]:.1%}" for o in outcomes])
    for point in index["points"]:
        table.add_row(point["variant"], *[f"{point['parameters'][p]:.4g}" for p in params],
                      *[f"{point['probabilities'][o]:.1%}" for o in outcomes])
    return table


def sweep_main(spec_path: Path, *, runs: int | None, out: Path | None, executor: str,
               workers: int | None, scheduler: str | None, force: bool, as_json: bool,
               quiet: bool, engine: str = "compiled") -> dict[str, Any]:
    """Shared by ``geosim sweep`` and ``geosim batch --sweep``."""
    from simulator.runner.sweep import INDEX, load_sweep_spec, run_sweep

    spec = load_sweep_spec(spec_path)
    out = out or Path("results") / spec_path.stem
    with progress_bar(f"sweep {spec_path.stem}", enabled=not (quiet or as_json)) as progress:
        index = run_sweep(spec, out=out, runs=runs, executor=executor, workers=workers,
                          scheduler=scheduler, force=force, progress=progress,
                          command=command_line(), engine=engine)
    if as_json:
        print_json({"index": str(out / INDEX), **index})
    elif not quiet:
        console.print(sweep_table(index))
        console.print(f"index: {out / INDEX}   results: {out / index['results']}",
                      markup=False)
    return index


@app.command("sweep")
@handle_errors
def sweep_command(
    *,
    spec: Path = typer.Argument(..., help="Sweep spec YAML (scenario, design, points, "
                                          "parameters)."),
    runs: int | None = typer.Option(None, "--runs", "-n", min=1,
                                    help="Runs per point (default: the spec's `runs`)."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="Output tree (default: results/SPEC-NAME)."),
    workers: int | None = WORKERS_OPTION,
    executor: str = EXECUTOR_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
    engine: str = typer.Option("compiled", "--engine", "-e", help=ENGINE_HELP,
                               callback=engine_name),
    force: bool = typer.Option(False, "--force", help="Recompute complete results."),
    as_json: bool = typer.Option(False, "--json", help="Print the index as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or table."),
) -> None:
    """Run every point of a parameter sweep (as variants, on common random numbers);
    write OUT/index.json and OUT/results/. An interrupted sweep resumes when re-run."""
    sweep_main(spec, runs=runs, out=out, executor=executor, workers=workers,
               scheduler=scheduler, force=force, as_json=as_json, quiet=quiet, engine=engine)
