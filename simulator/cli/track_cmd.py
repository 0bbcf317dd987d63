"""``geosim track-record``: a folder of forecasts and resolutions → one table, one page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from simulator.cli._common import app, console, err_console, handle_errors, print_json


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _print_track(track: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title="Forecast track record", title_justify="left", pad_edge=False)
    # ids are copied into other commands: folded onto two lines when narrow, never cut
    table.add_column("forecast", overflow="fold")
    table.add_column("as of", no_wrap=True, min_width=10)
    table.add_column("resolved", min_width=10)
    for col in ("scored", "pending", "Brier", "skill"):
        table.add_column(col, justify="right", no_wrap=True, min_width=len(col))
    for r in track["forecasts"]:
        if r["resolved"]:
            table.add_row(r["forecast"], r["as_of"], r["resolved_on"], str(r["n"]),
                          str(r["pending"]), _num(r["brier"]), _num(r["skill_half"], 2))
        else:
            table.add_row(r["forecast"], r["as_of"], "no resolution file", "", "", "", "")
    console.print(table)
    console.print("Brier: mean over the scored outcomes (0 is perfect); skill: against always "
                  "saying 50% (above 0 is better)", markup=False, soft_wrap=True)
    p = track["pooled"]
    if p["n"]:
        console.print(f"pooled: {p['n']} scored outcome(s), mean Brier {p['brier']:.3f} = "
                      f"reliability {p['reliability']:.4f} (chance level "
                      f"{p['chance_reliability']:.4f}) − resolution {p['resolution']:.4f} + "
                      f"uncertainty {p['uncertainty']:.4f} + within-bin "
                      f"{p['within_bin']:.4f}", markup=False, soft_wrap=True)
    if track["warning"]:
        err_console.print(f"warning: {track['warning']}", markup=False, soft_wrap=True)


@app.command("track-record")
@handle_errors
def track_record_command(
    folder: Path = typer.Argument(..., metavar="FOLDER",
                                  help="Folder with forecast records and resolution files."),
    output: Path | None = typer.Option(None, "-o", "--output",
                                       help="Also write the HTML page here."),
    as_json: bool = typer.Option(False, "--json", help="Print the track record as JSON."),
) -> None:
    """Score every forecast in a folder; pool them: calibration and Murphy decomposition."""
    from simulator.forecast.collect import load_records, pair, scan_folder
    from simulator.forecast.track import track_record

    record_paths, resolution_paths = scan_folder(folder)
    if not record_paths:
        from simulator.errors import ResultsError

        raise ResultsError(f"no forecast records (*.forecast.json) under {folder}; write them "
                         "with `geosim freeze`")
    pairs = pair(load_records(record_paths), resolution_paths, require_all=False)
    track = track_record(pairs)
    if output is not None:
        from simulator.report.track_page import write_track_page

        write_track_page(track, output)
    if as_json:
        print_json(track)
        return
    _print_track(track)
    if output is not None:
        console.print(f"track record page: {output}", markup=False, soft_wrap=True)
