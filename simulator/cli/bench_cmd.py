"""``geosim bench``: how fast a scenario runs, and which options fire most."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from simulator.cli._common import app, console, handle_errors, print_json

BASELINE = "baseline"

BUSY = 100  # firings per run above which an option is flagged as a likely unit slip


@app.command("bench")
@handle_errors
def bench_command(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    variant: str = typer.Option(BASELINE, "--variant", "-v", help="Variant to time."),
    runs: int = typer.Option(1000, "--runs", "-n", min=1, help="Runs to time (one core)."),
    seed: int = typer.Option(0, "--seed", "-s", min=0, help="Root random seed."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Time a scenario on one core and list the options that fire most per run."""
    from simulator.engine.profile import profile_model
    from simulator.model.compile import compile_model
    from simulator.runner.runner import resolve_scenario

    scen, _, _ = resolve_scenario(scenario)
    result = profile_model(compile_model(scen, variant), runs=runs, seed=seed)
    if as_json:
        print_json({**asdict(result), "runs_per_second": result.runs_per_second})
        return
    console.print(f"{scenario}: {result.runs_per_second:,.0f} runs/s on one core "
                  f"({result.runs:,} runs in {result.cpu_seconds:.2f} s of CPU), "
                  f"{result.events_per_run:.1f} events per run", markup=False)
    table = Table(title="Options that fire most", title_justify="left", pad_edge=False)
    for name, justify in (("option", "left"), ("mode", "left"), ("per run", "right"),
                          ("runs with it", "right")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for load in result.busiest:
        flag = "  ← per day? check its units" if load.per_run > BUSY else ""
        table.add_row(load.key + flag, load.mode, f"{load.per_run:,.2f}",
                      f"{load.share_of_runs:.0%}")
    console.print(table)
