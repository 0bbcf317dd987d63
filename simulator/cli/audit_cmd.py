"""``geosim audit``: every number of a scenario with where it comes from."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from simulator.cli._common import app, console, err_console, handle_errors, print_json
from simulator.errors import ScenarioError, format_key_path

SOURCES = ("evidence", "assumption", "definition", "unsourced")


@app.command("audit")
@handle_errors
def audit_command(
    scenario: Path = typer.Argument(..., help="Scenario file."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    strict: bool = typer.Option(False, "--strict",
                                help="Exit 1 when any number is unsourced."),
    unsourced_only: bool = typer.Option(False, "--unsourced", help="List unsourced numbers only."),
) -> None:
    """List every number in a scenario with its provenance and count the unsourced."""
    from simulator.loading import read_scenario
    from simulator.scenario.provenance import number_provenance

    result = read_scenario(scenario)
    if result.scenario is None:
        raise ScenarioError(result.diagnostics)
    numbers = number_provenance(result.scenario)
    counts: Counter[str] = Counter(n.source for n in numbers)
    by_role: dict[str, Counter[str]] = {}
    for n in numbers:
        by_role.setdefault(n.role, Counter())[n.source] += 1
    shown = [n for n in numbers if n.source == "unsourced" or not unsourced_only]
    if as_json:
        print_json({
            "file": str(scenario), "scenario": result.scenario.id,
            "numbers": len(numbers), "unsourced": counts["unsourced"],
            "by_source": {s: counts[s] for s in SOURCES},
            "by_role": {role: {s: c[s] for s in SOURCES} for role, c in by_role.items()},
            "entries": [n.to_dict() for n in shown],
        })
    else:
        for n in shown:
            if n.source == "evidence":
                why = ", ".join(n.evidence)
            elif n.source in ("assumption", "definition"):
                why = n.reason
            else:
                why = "—"
            console.print(f"{n.source.upper():<11} {format_key_path(n.path)} = {n.text}\n"
                          f"            {n.role}: {why}", markup=False, soft_wrap=True)
        summary = ", ".join(f"{counts[s]} {s}" for s in SOURCES)
        console.print(f"{result.scenario.id}: {len(numbers)} numbers — {summary}", markup=False,
                      soft_wrap=True)
        if counts["unsourced"]:
            err_console.print("unsourced numbers: give them `evidence`, or mark them as "
                              "assumptions with a reason (docs/scenario-guide.md, Provenance)",
                              markup=False)
    raise typer.Exit(1 if strict and counts["unsourced"] else 0)
