"""``geosim report``: write the HTML report of one or more results directories."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from simulator.cli._common import app, console, handle_errors


@app.command("report")
@handle_errors
def report_command(
    results_dirs: list[Path] = typer.Argument(..., metavar="RESULTS_DIR...",
                                              help="Results directories written by `run`."),
    output: Path = typer.Option(..., "-o", "--output", help="The HTML file to write."),
    title: str | None = typer.Option(None, "--title", help="Title of the report."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
    force: bool = typer.Option(False, "--force",
                               help="Overwrite OUTPUT even if it is not a geosim report."),
) -> None:
    """Write one self-contained, offline HTML report of the results."""
    from simulator.report import build_report
    from simulator.results.ownership import guard_output_file
    from simulator.results.results import Results

    output = guard_output_file(output, kind="report", force=force)
    loaded = [Results(path) for path in results_dirs]
    started = time.perf_counter()
    path = build_report(loaded, output, title=title)
    if not quiet:
        size = path.stat().st_size / 1e6
        console.print(f"report: {path} ({size:.1f} MB, {time.perf_counter() - started:.1f} s)",
                      markup=False)
