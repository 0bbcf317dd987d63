"""``geosim what-if``: change one assumption, see what moves, on common random numbers."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from simulator.cli._common import (
    EXECUTOR_OPTION,
    WORKERS_OPTION,
    app,
    command_line,
    console,
    handle_errors,
    print_json,
)
from simulator.cli._progress import progress_bar
from simulator.errors import ScenarioError

if TYPE_CHECKING:
    from simulator.analysis.rows import CompareRow


def _pct(p: float) -> str:
    return f"{p:.1%}"


def _table(title: str, rows: list[CompareRow]) -> Table:
    table = Table(title=title, title_justify="left", pad_edge=False)
    table.add_column("outcome", no_wrap=True, overflow="ellipsis",
                     max_width=max(16, console.width - 64))
    for name in ("baseline", "what-if", "difference", "95% interval"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in rows:
        table.add_row(r["label"], _pct(r["p_base"]), _pct(r["p_variant"]), f"{r['diff']:+.1%}",
                      f"{r['ci95'][0]:+.1%}…{r['ci95'][1]:+.1%}")
    return table


@app.command("what-if")
@handle_errors
def what_if_command(
    *,
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    settings: list[str] = typer.Option(
        ..., "--set",
        help='NAME=VALUE in the scenario\'s quantity syntax, e.g. --set '
             'strike_rate="1% to 5% per month" (repeatable; parameters or state variables).'),
    runs: int = typer.Option(5_000, "--runs", "-n", min=1, help="Runs for each side."),
    seed: int = typer.Option(0, "--seed", "-s", min=0, help="Root random seed."),
    workers: int | None = WORKERS_OPTION,
    executor: str = EXECUTOR_OPTION,
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Keep the results here (default: a temporary folder, "
                                  "removed afterwards)."),
    force: bool = typer.Option(False, "--force", help="Overwrite complete results in --out."),
    report: Path | None = typer.Option(None, "--report", help="Also write an HTML report."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """Run the scenario with some values changed against its baseline, on common random
    numbers, and print the paired differences with 95% intervals."""
    from simulator.analysis.compare import compare_variants
    from simulator.analysis.whatif import what_if_scenario
    from simulator.loading import read_scenario
    from simulator.results.ownership import expand_out, guard_output_file
    from simulator.runner.runner import run

    if report is not None:  # refused before any run: only a geosim report is overwritten
        report = guard_output_file(report, kind="report", force=force)
    out = expand_out(out) if out is not None else None
    loaded = read_scenario(scenario)
    if not loaded.ok or loaded.scenario is None:
        raise ScenarioError(loaded.diagnostics)
    changed, name = what_if_scenario(loaded.scenario, settings)
    # a folder this command made is removed afterwards; one the user named is kept
    target = out if out is not None else Path(tempfile.mkdtemp(prefix="geosim-what-if-"))
    try:
        with progress_bar(f"{scenario.stem} what-if", enabled=not as_json) as progress:
            results = run(changed, variants=["baseline", name], runs=runs, seed=seed,
                          workers=workers, executor=executor, out=target, force=force,
                          progress=progress, command=command_line())
        rows = compare_variants(results, variants=[name])
        if report is not None:
            from simulator.report import build_report

            build_report([results], report)
    finally:
        if out is None:
            shutil.rmtree(target, ignore_errors=True)
    if as_json:
        print_json({"scenario": str(scenario), "variant": name,
                    "settings": settings, "runs": runs, "seed": seed, "rows": rows})
        return
    console.print(_table(f"{changed.variants[name].label} — {runs:,} paired runs, seed {seed}",
                         rows))
    console.print("Paired on common random numbers: run i of both sides shares every "
                  "draw the change leaves alone.", markup=False)
    if report is not None:
        console.print(f"report: {report}", markup=False)
