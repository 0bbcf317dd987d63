"""``geosim bench``: how fast a scenario runs, and which options fire most."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from simulator.cli._common import ENGINE_HELP, app, console, engine_name, handle_errors, print_json
from simulator.cli._tables import fit_table

BASELINE = "baseline"

BUSY = 100  # firings per run above which an option is flagged (as `run`'s pilot does)


@app.command("bench")
@handle_errors
def bench_command(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    variant: str = typer.Option(BASELINE, "--variant", "-v", help="Variant to time."),
    runs: int = typer.Option(1000, "--runs", "-n", min=1, help="Runs to time (one core)."),
    seed: int = typer.Option(0, "--seed", "-s", min=0, help="Root random seed."),
    engine: str = typer.Option("simpy", "--engine", "-e", help=ENGINE_HELP,
                               callback=engine_name),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Time a scenario on one core and list the options that fire most per run."""
    from simulator.engine.profile import profile_model
    from simulator.model.compile import compile_model
    from simulator.runner.runner import resolve_scenario

    scen, _, _ = resolve_scenario(scenario)
    result = profile_model(compile_model(scen, variant), runs=runs, seed=seed, engine=engine)
    if as_json:
        print_json({**asdict(result), "runs_per_second": result.runs_per_second})
        return
    console.print(f"{scenario}: {result.runs_per_second:,.0f} runs/s on one core with the "
                  f"{engine} engine "
                  f"({result.runs:,} runs in {result.cpu_seconds:.2f} s of CPU), "
                  f"{result.events_per_run:.1f} events per run", markup=False)
    rows = [[load.key + ("  ← per day? check its units" if load.per_run > BUSY else ""),
             load.mode, f"{load.per_run:,.2f}", f"{load.share_of_runs:.0%}"]
            for load in result.busiest]
    table = fit_table("Options that fire most", ["option", "mode", "per run", "runs with it"],
                      rows, words_columns=[1])
    console.print(table)
