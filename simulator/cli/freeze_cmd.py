"""``geosim freeze`` and ``geosim resolve-template``: issue a forecast, then resolve it."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.cli._common import app, console, handle_errors, print_json


@app.command("freeze")
@handle_errors
def freeze_command(
    results_dir: Path = typer.Argument(..., metavar="RESULTS_DIR",
                                       help="Results directory written by `run`."),
    output: Path | None = typer.Option(
        None, "-o", "--output",
        help="Forecast file to write (default: forecasts/<id>.forecast.json)."),
    as_json: bool = typer.Option(False, "--json", help="Print the id and path as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
) -> None:
    """Freeze results into an immutable forecast record (never overwritten)."""
    from simulator.forecast.record import SUFFIX, build_record, write_record
    from simulator.results.results import Results

    record = build_record(Results(results_dir))
    # not inside the results directory: `run --force` replaces that directory whole
    path = output if output is not None else Path("forecasts") / f"{record['id']}{SUFFIX}"
    written = write_record(record, path)
    if as_json:
        print_json({"id": record["id"], "path": str(path), "written": written})
    elif not quiet:
        what = "frozen" if written else "already frozen, unchanged"
        console.print(f"forecast {record['id']}: {path} ({what}); horizon ends "
                      f"{record['horizon_end']}", markup=False, soft_wrap=True)


@app.command("resolve-template")
@handle_errors
def resolve_template_command(
    forecast: Path = typer.Argument(..., metavar="FORECAST",
                                    help="Forecast record written by `freeze`."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Resolution file to write (default: print it)."),
) -> None:
    """Write a resolution file to fill in: every outcome listed with its resolution text."""
    import sys

    from simulator.forecast.record import read_record
    from simulator.forecast.template import resolution_template

    text = resolution_template(read_record(forecast))
    if output is None:
        sys.stdout.write(text)
        return
    from simulator.errors import ResultsError

    try:
        with output.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise ResultsError(f"{output} already exists; it may hold resolutions — choose "
                           "another file") from None
    except OSError as exc:
        raise ResultsError(f"cannot write {output}: {exc.strerror or exc}") from None
    console.print(f"resolution template: {output}", markup=False, soft_wrap=True)
