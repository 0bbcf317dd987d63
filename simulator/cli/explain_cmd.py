"""``geosim explain``: one run told as a causal chain, its draws, and one counterfactual."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from simulator.cli._common import app, console, handle_errors, print_json

if TYPE_CHECKING:
    from simulator.analysis.rows import Explanation

MAX_LINES = 80  # event lines printed; the JSON has them all


def _day(t: float | None) -> str:
    return "—" if t is None else f"day {int(t)}"


def _print(report: Explanation) -> None:
    say = console.print
    labels = report["outcome_labels"]
    state = ("reproduced exactly from the stored seed" if report["reproduced"] else
             "NOT identical to the stored run (results written by another engine "
             "version?): read with care")
    say(f"Run {report['run']} of `{report['variant']}` (seed {report['seed']}) — {state}",
        markup=False)
    say("\nEvents, each with the earlier event that led to it:", markup=False)
    events = report["events"]
    for line in events[:MAX_LINES]:
        say(f"  {line['text']}", markup=False)
    if len(events) > MAX_LINES:
        say(f"  … and {len(events) - MAX_LINES} more events (--json lists them all).",
            markup=False)
    reached = {o: t for o, t in report["outcomes"].items() if t is not None}
    say("\nChains to each outcome reached:" if reached else "\nNo outcome is reached in "
        "this run.", markup=False)
    names = {e["option"]: e["text"].split(" — ", 1)[1].split(";")[0] for e in events}
    for outcome, t in sorted(reached.items(), key=lambda kv: kv[1]):
        chain = " → ".join(names.get(ref, ref) for ref in report["chains"].get(outcome, []))
        say(f"  {labels[outcome]} ({_day(t)}): {chain or 'no earlier event'}", markup=False)
    say("\nWhere this run's draws fall among all runs of the variant:", markup=False)
    for d in report["draws"]:
        pct = "fixed" if d["percentile"] is None else f"{d['percentile']:.0%} percentile"
        say(f"  {d['parameter']} = {d['shown']} ({pct})", markup=False)
    cf = report["counterfactual"]
    if cf is None:
        return
    say(f"\nThe same run (same random numbers) without “{cf['label']}”:", markup=False)
    for outcome, row in cf["outcomes"].items():
        if row["actual"] is None and row["without"] is None:
            continue
        say(f"  {labels[outcome]}: {_day(row['actual'])} in this run, "
            f"{_day(row['without'])} without it", markup=False)


@app.command("explain")
@handle_errors
def explain_command(
    results_dir: Path = typer.Argument(..., help="Results directory written by `run`."),
    variant: str = typer.Option("baseline", "--variant", "-v", help="Variant of the run."),
    run: int = typer.Option(..., "--run", "-r", min=0, help="Run index."),
    without: str | None = typer.Option(
        None, "--without",
        help="Option (actor.option) to disable for the counterfactual (default: the "
             "first link of the chain to the earliest outcome reached)."),
    as_json: bool = typer.Option(False, "--json", help="Print everything as JSON."),
) -> None:
    """Tell one run as a causal chain, show where its parameter draws fall, and rerun it
    with one option disabled."""
    from simulator.analysis.explain import explain
    from simulator.results.results import Results

    report = explain(Results(results_dir), variant, run, disable=without)
    if as_json:
        print_json(report)
    else:
        _print(report)
