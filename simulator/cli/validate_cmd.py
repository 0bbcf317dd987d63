"""``geosim validate``: check scenario files and print errors like a compiler."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.cli._common import app, console, err_console, handle_errors, print_json


def scenario_files(paths: list[Path]) -> list[Path]:
    """Files named, and *.yaml / *.yml files inside folders named (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")
                            and p.is_file())
        else:
            found.append(path)
    return found


@app.command("validate")
@handle_errors
def validate_command(
    paths: list[Path] = typer.Argument(..., help="Scenario files or folders."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    strict: bool = typer.Option(
        False, "--strict",
        help="Treat warnings (such as numbers without provenance) as errors."),
) -> None:
    """Check scenario files; exit 0 when all are valid, 1 otherwise."""
    files = scenario_files(paths)
    if not files:
        err_console.print("no scenario files found", markup=False)
        raise typer.Exit(1)
    from simulator.loading import read_scenario

    results = [read_scenario(p) for p in files]
    if strict:
        results = [r.strict() for r in results]
    if as_json:
        print_json([{
            "file": r.path, "valid": r.ok,
            "scenario": r.scenario.id if r.scenario else None,
            "variants": sorted(r.scenario.variants) if r.scenario else [],
            "diagnostics": [d.to_dict() for d in r.diagnostics],
        } for r in results])
    else:
        for r in results:
            for d in r.diagnostics:
                if d.severity == "error" or not quiet:
                    err_console.print(d.format(), markup=False)
            if r.ok and not quiet:
                warnings = sum(d.severity == "warning" for d in r.diagnostics)
                extra = f" ({warnings} warning{'s' * (warnings != 1)})" if warnings else ""
                console.print(f"{r.path}: ok{extra}", markup=False)
        bad = sum(not r.ok for r in results)
        if bad and not quiet:
            err_console.print(f"{bad} of {len(results)} file(s) invalid", markup=False)
    raise typer.Exit(0 if all(r.ok for r in results) else 1)
