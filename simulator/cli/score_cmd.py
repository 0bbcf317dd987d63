"""``geosim score``: score forecasts against what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from simulator.cli._common import app, console, handle_errors, print_json


def _pct(p: float | None) -> str:
    return "—" if p is None else f"{p:.1%}"


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _print_scores(result: dict[str, Any]) -> None:
    from rich.table import Table

    state = "horizon passed" if result["horizon_passed"] else (
        f"horizon ends {result['horizon_end']}: only settled outcomes are scored")
    console.print(f"{result['title']} — forecast {result['forecast']}, resolved "
                  f"{result['resolved_on']} ({state})", markup=False, soft_wrap=True)
    for vname, v in result["variants"].items():
        table = Table(title=f"variant {vname}", title_justify="left", pad_edge=False)
        for col, justify in (("outcome", "left"), ("forecast", "right"),
                             ("happened", "left"), ("Brier", "right"), ("log score", "right"),
                             ("PIT", "right"), ("references (Brier)", "left")):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for name, e in v["outcomes"].items():
            status = e["status"] + (f" {e['date']}" if e["date"] else "")
            refs = ", ".join(f"{s} {r['probability']:.0%} ({r['brier']:.3f})"
                             for s, r in e.get("references", {}).items())
            table.add_row(e["label"] or name, _pct(e["probability"]), status,
                          _num(e["brier"]), _num(e["log_score"], 2), _pct(e.get("pit")),
                          refs)
        console.print(table)
        if v["n"]:
            skill = v["skill"]
            parts = [f"mean Brier {v['brier']:.3f} over {v['n']} outcome(s)",
                     f"skill vs 50 %: {_num(skill['half'], 2)}",
                     f"vs base rate {v['base_rate']:.0%}: {_num(skill['base_rate'], 2)}"]
            parts += [f"vs {s}: {_num(r['skill'], 2)} ({r['n']} outcome(s))"
                      for s, r in v["references"].items()]
            console.print("  " + "; ".join(parts), markup=False, soft_wrap=True)
        if v["pending"]:
            console.print("  pending: " + ", ".join(v["pending"]), markup=False, soft_wrap=True)
        if v["excluded"]:
            console.print("  excluded (annulled or ambiguous): " + ", ".join(v["excluded"]),
                          markup=False, soft_wrap=True)
    if result["not_scored"]:
        console.print("not scored (premise did not hold): " + ", ".join(result["not_scored"]),
                      markup=False, soft_wrap=True)


@app.command("score")
@handle_errors
def score_command(
    forecasts: list[Path] = typer.Argument(..., metavar="FORECAST...",
                                           help="Forecast records written by `freeze`."),
    resolutions: list[Path] = typer.Option(..., "--resolutions", "-r",
                                           help="Resolution files (repeatable)."),
    as_json: bool = typer.Option(False, "--json",
                                 help="Print the scores as JSON (a list for several)."),
    save: bool = typer.Option(False, "--save", help="Also save <id>.score.json in the "
                              "results directory each forecast was frozen from, so "
                              "`geosim report` of those results shows a score card."),
) -> None:
    """Score forecasts: Brier and log scores, skill against references, PIT values."""
    from simulator.forecast.collect import load_records, pair, save_score
    from simulator.forecast.scores import score

    pairs = pair(load_records(forecasts), resolutions, require_all=True)
    results = []
    for p in pairs:
        assert p.resolution is not None  # require_all
        results.append(score(p.record, p.resolution.resolution))
    if as_json:
        print_json(results[0] if len(results) == 1 else results)
    else:
        for result in results:
            _print_scores(result)
    if save:  # after printing: a results directory that moved must not hide the scores
        for p, result in zip(pairs, results, strict=True):
            saved = save_score(p.record, result)
            if not as_json:
                console.print(f"scores saved: {saved}", markup=False, soft_wrap=True)
