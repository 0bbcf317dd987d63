"""Analysis commands: compare, sensitivity, discover, paths, signposts, stories.

Each takes a results directory (a finished ``geosim run``) or a scenario file (then it
runs the scenario first, into a temporary directory unless ``--out`` is given), calls
:mod:`simulator.analysis` and prints a Rich table, or the rows as JSON with ``--json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from simulator.cli._common import (
    ENGINE_HELP,
    EXECUTOR_OPTION,
    WORKERS_OPTION,
    app,
    command_line,
    console,
    engine_name,
    err_console,
    handle_errors,
    print_json,
)
from simulator.cli._progress import progress_bar
from simulator.cli._tables import distinct_labels, fit_table, pct, pp, pp_interval
from simulator.errors import ResultsError

if TYPE_CHECKING:
    from simulator.analysis.rows import GivenDataRow, SignpostRow, SobolRow
    from simulator.results.results import Results


def _load(path: Path, *, runs: int, seed: int, variants: list[str] | str | None,
          workers: int | None, executor: str, out: Path | None, quiet: bool) -> Results:
    """A results directory as is, or a scenario file run now.

    ``out`` keeps the results of the run; it never replaces anything (a complete
    results directory there is refused: pass it as the source instead).
    """
    from simulator.results.results import Results
    from simulator.runner.runner import run

    if path.is_dir():
        return Results(path)
    if not path.exists():
        raise ResultsError(f"{path} is neither a results directory nor a scenario file")
    with progress_bar(path.stem, enabled=not quiet) as progress:
        return run(path, variants=variants, runs=runs, seed=seed, workers=workers,
                   executor=executor, out=out, force=False, progress=progress,
                   command=command_line())


def _split(names: str | None) -> list[str] | None:
    return [n.strip() for n in names.split(",") if n.strip()] if names else None


def _named(row: GivenDataRow | SobolRow) -> str:
    """A parameter's label with its id, which tells apart parameters labelled alike."""
    label, name = row.get("label") or "", row["parameter"]
    return f"{label} ({name})" if label and label != name else name


RUNS = typer.Option(5_000, "--runs", "-n", min=1, help="Runs per variant (scenario input).")
SEED = typer.Option(0, "--seed", "-s", min=0, help="Root random seed (scenario input).")
WORKERS = WORKERS_OPTION
EXECUTOR = EXECUTOR_OPTION
OUT = typer.Option(None, "--out", "-o",
                   help="Keep the results of a scenario run here (a new folder; never "
                        "replaces existing results).")
JSON = typer.Option(False, "--json", help="Print the rows as JSON.")
VARIANT = typer.Option("baseline", "--variant", "-v", help="Variant to analyse.")
SOURCE = typer.Argument(..., help="Results directory or scenario YAML file.")


@app.command("compare")
@handle_errors
def compare_command(
    *,
    source: Path = SOURCE,
    variants: str | None = typer.Option(None, "--variants",
                                        help="Comma-separated variants (default: all)."),
    baseline: str = typer.Option("baseline", "--baseline", help="Reference variant."),
    runs: int = RUNS, seed: int = SEED, workers: int | None = WORKERS,
    executor: str = EXECUTOR, out: Path | None = OUT, as_json: bool = JSON,
) -> None:
    """Paired differences of each variant against the baseline (common random numbers)."""
    from simulator.analysis.compare import compare_variants

    chosen = _split(variants)
    to_run: list[str] | str = "all" if chosen is None else [baseline, *chosen]
    results = _load(source, runs=runs, seed=seed, variants=to_run, workers=workers,
                    executor=executor, out=out, quiet=as_json)
    rows = compare_variants(results, baseline=baseline, variants=chosen)
    if as_json:
        print_json(rows)
        return
    labels = distinct_labels([r["label"] or r["outcome"] for r in rows],
                             [r["outcome"] for r in rows], [r["variant"] for r in rows])
    console.print(fit_table(
        f"Variants against {baseline} — {results.runs:,} paired runs; differences in "
        "percentage points (pp)",
        ["outcome", baseline, "variant", "difference", "95% interval"],
        [[label, pct(r["p_base"]), pct(r["p_variant"]), pp(r["diff"]),
          pp_interval(*r["ci95"])] for r, label in zip(rows, labels, strict=True)],
        groups=[r["variant"] for r in rows]))


@app.command("sensitivity")
@handle_errors
def sensitivity_command(
    *,
    source: Path = SOURCE,
    outcome: str | None = typer.Option(None, "--outcome", help="Outcome (default: all)."),
    method: str = typer.Option("tornado", "--method",
                               help="tornado, given-data (from results) or sobol."),
    runs: int | None = typer.Option(None, "--runs", "-n", min=1,
                                    help="Runs per setting (tornado, default 1,000), per "
                                         "point (sobol, default 100), or per variant when a "
                                         "scenario is run for given-data (default 1,000)."),
    samples: int | None = typer.Option(None, "--samples", min=2,
                                       help="Sobol' base sample (power of 2; default: the "
                                            "largest that fits --budget)."),
    budget: int = typer.Option(500_000, "--budget", min=1,  # = sobol.SOBOL_BUDGET
                               help="Sobol': most runs to spend, samples × (parameters + 2) "
                                    "× --runs."),
    variant: str = VARIANT, seed: int = SEED, workers: int | None = WORKERS,
    executor: str = EXECUTOR, top: int = typer.Option(10, "--top", help="Rows per outcome."),
    engine: str | None = typer.Option(
        None, "--engine", "-e", callback=engine_name,
        help=ENGINE_HELP + " Default: numpy at 1,000 runs per setting or point and more, "
                           "simpy below (tornado and sobol)."),
    as_json: bool = JSON,
) -> None:
    """Which parameters matter: tornado swings, given-data indices or Sobol' indices."""
    from simulator.analysis import sensitivity as sens
    from simulator.analysis import sobol

    if runs is None:
        runs = sobol.SOBOL_RUNS_PER_POINT if method == "sobol" else 1_000
    if method == "given-data":
        results = _load(source, runs=runs, seed=seed, variants=[variant], workers=workers,
                        executor=executor, out=None, quiet=as_json)
        data = sens.global_indices(results, variant)
        if outcome is not None:
            if outcome not in data:
                raise ResultsError(f"unknown outcome `{outcome}` (outcomes: {', '.join(data)})")
            data = {outcome: data[outcome]}
        if as_json:
            print_json(data)
            return
        for o, given in data.items():
            console.print(fit_table(f"Given-data sensitivity — {o}",
                                    ["parameter", "index", "95% interval", "rank corr."],
                                    [[_named(r), f"{r['index']:.3f}",
                                      "—" if r["ci95"] is None else
                                      f"{r['ci95'][0]:.3f} … {r['ci95'][1]:.3f}",
                                      "—" if r["correlation"] is None
                                      else f"{r['correlation']:+.2f}"]
                                     for r in given[:top]]))
        return
    if source.is_dir():
        raise ResultsError(f"--method {method} runs the scenario: give a scenario file, "
                           f"not a results directory (or use --method given-data)")
    if method == "tornado":
        with progress_bar("tornado", enabled=not as_json) as progress:
            swings = sens.tornado(source, outcome=outcome, runs=runs, seed=seed,
                                workers=workers, executor=executor, progress=progress,
                                engine=engine)
        if as_json:
            print_json(swings)
            return
        for o in dict.fromkeys(r["outcome"] for r in swings):
            block = [r for r in swings if r["outcome"] == o][:top]
            labels = distinct_labels([r["label"] for r in block],
                                     [r["parameter"] for r in block])
            console.print(fit_table(
                f"Tornado — {block[0]['outcome_label']} (others at their medians: "
                f"{pct(block[0]['p_median'])}); swing in percentage points (pp)",
                ["parameter", "p10 → p90", "P at p10", "P at p90", "swing"],
                [[label, f"{r['low_text']} → {r['high_text']}", pct(r["p_low"]),
                  pct(r["p_high"]), pp(r["swing"], sign=False)]
                 for r, label in zip(block, labels, strict=True)], text_columns=2))
        return
    if method == "sobol":
        if outcome is None:
            raise typer.BadParameter("--method sobol needs --outcome", param_hint="--outcome")
        import warnings

        with warnings.catch_warnings(), progress_bar("sobol", enabled=not as_json) as bar:
            warnings.simplefilter("ignore", sobol.WideIntervalWarning)  # printed below
            indices = sobol.sobol_indices(source, outcome=outcome, n=samples, budget=budget,
                                          runs_per_point=runs, seed=seed, workers=workers,
                                          executor=executor, progress=bar, engine=engine)
        message = sobol.wide_interval_message(indices)
        if message:
            err_console.print(f"warning: {message}", markup=False)
        if as_json:
            print_json(indices)
            return
        console.print(fit_table(f"Sobol' indices — {outcome}",
                                ["parameter", "first order (95%)", "total order (95%)"],
                                [[_named(r), _with_ci(r["first_order"], r["first_order_ci95"]),
                                  _with_ci(r["total_order"], r["total_order_ci95"])]
                                 for r in indices[:top]]))
        return
    raise typer.BadParameter("use tornado, given-data or sobol", param_hint="--method")


def _with_ci(value: float, ci: list[float] | None) -> str:
    return f"{value:.3f}" + ("" if ci is None else f" ({ci[0]:.2f} … {ci[1]:.2f})")


@app.command("discover")
@handle_errors
def discover_command(
    *,
    source: Path = SOURCE,
    outcome: str = typer.Option(..., "--outcome", help="Outcome to explain."),
    variant: str = VARIANT,
    min_coverage: float = typer.Option(0.5, "--min-coverage", min=0.0, max=1.0,
                                       help="Least share of the outcome's runs a box holds."),
    runs: int = RUNS, seed: int = SEED, workers: int | None = WORKERS,
    executor: str = EXECUTOR, as_json: bool = JSON,
) -> None:
    """Conditions under which an outcome becomes likely (PRIM), in plain sentences."""
    from simulator.analysis.discovery import discover

    results = _load(source, runs=runs, seed=seed, variants=[variant], workers=workers,
                    executor=executor, out=None, quiet=as_json)
    rows = discover(results, outcome, variant, min_coverage=min_coverage)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"No parameter ranges make “{outcome}” clearly more likely.",
                      markup=False)
    for r in rows:
        console.print(r["sentence"], markup=False)
    if rows:
        console.print(rows[0]["test"], markup=False, style="dim")


@app.command("paths")
@handle_errors
def paths_command(
    source: Path = SOURCE, variant: str = VARIANT,
    top: int = typer.Option(10, "--top", help="Sequences to show."),
    runs: int = RUNS, seed: int = SEED, workers: int | None = WORKERS,
    executor: str = EXECUTOR, as_json: bool = JSON,
) -> None:
    """Escalation paths: top rung sequences, per outcome, and where paths diverge."""
    from simulator.analysis.paths import escalation_paths

    results = _load(source, runs=runs, seed=seed, variants=[variant], workers=workers,
                    executor=executor, out=None, quiet=as_json)
    data = escalation_paths(results, variant, top=top)
    if as_json:
        print_json(data)
        return
    console.print(fit_table("Top rung sequences", ["path", "runs", "share"],
                            [[" → ".join(s["labels"]), f"{s['count']:,}", pct(s["share"])]
                             for s in data["top_sequences"]]))
    for info in data["by_outcome"].values():
        rows: list[list[str]] = [[" → ".join(s["labels"]), f"{s['count']:,}",
                                  pct(s["share"])] for s in info["option_sequences"][:3]]
        console.print(fit_table(f"Paths to “{info['label']}” ({info['runs']:,} runs)",
                                ["events", "runs", "share"], rows))


@app.command("signposts")
@handle_errors
def signposts_command(
    source: Path = SOURCE, variant: str = VARIANT,
    outcome: str | None = typer.Option(None, "--outcome", help="Only this outcome."),
    runs: int = RUNS, seed: int = SEED, workers: int | None = WORKERS,
    executor: str = EXECUTOR, as_json: bool = JSON,
) -> None:
    """What to watch: how much each indicator raises an outcome's chance, and how early."""
    from simulator.analysis.signposts import signposts

    results = _load(source, runs=runs, seed=seed, variants=[variant], workers=workers,
                    executor=executor, out=None, quiet=as_json)
    rows = signposts(results, variant)
    if outcome is not None:
        if outcome not in {r["outcome"] for r in rows}:
            raise ResultsError(f"unknown outcome `{outcome}`")
        rows = [r for r in rows if r["outcome"] == outcome]
    if as_json:
        print_json(rows)
        return

    def lr(r: SignpostRow) -> str:
        return "—" if r["likelihood_ratio"] is None else f"{r['likelihood_ratio']:.2f}"

    def lead(r: SignpostRow) -> str:
        return "—" if r["lead_time"] is None else f"{r['lead_time']['median']:.0f} d"

    def interval(r: SignpostRow) -> str:
        ci = r["lr_ci95"]
        return "—" if ci is None else f"{ci[0]:.2f}–{ci[1]:.2f}"

    def mark(r: SignpostRow) -> str:
        return lr(r) + ("*" if r["consequence_sightings"] else "")

    console.print(fit_table(
        "Signposts (seen before the outcome; LR matched at the outcome's time)",
        ["indicator", "P if seen", "P if not", "LR", "95% CI", "lead"],
        [[r["indicator_label"], pct(r["p_if_seen"]), pct(r["p_if_not_seen"]), mark(r),
          interval(r), lead(r)] for r in rows],
        groups=[r["outcome_label"] for r in rows]))
    flagged = [r for r in rows if r["consequence_sightings"]]
    if flagged:
        console.print("* sightings made by an event that can also bring the outcome later "
                      "were set aside as consequences, not warnings:", markup=False)
        for r in flagged:
            console.print(f"  {r['indicator_label']} → {r['outcome_label']}: "
                          f"{r['consequence_sightings']} set aside (caused by "
                          f"{', '.join(r['shared_causes'])})", markup=False)


@app.command("stories")
@handle_errors
def stories_command(
    source: Path = SOURCE, variant: str = VARIANT,
    per_outcome: int = typer.Option(2, "--per-outcome", min=1, help="Stories per outcome."),
    runs: int = RUNS, seed: int = SEED, workers: int | None = WORKERS,
    executor: str = EXECUTOR, as_json: bool = JSON,
) -> None:
    """Sample runs told as dated events, for each outcome (from the traced runs)."""
    from simulator.analysis.stories import stories

    results = _load(source, runs=runs, seed=seed, variants=[variant], workers=workers,
                    executor=executor, out=None, quiet=as_json)
    data = stories(results, variant, per_outcome=per_outcome)
    if as_json:
        print_json(data)
        return
    for items in data.values():
        for s in items:
            if s["run"] is None:
                console.print(f"\n{s['label']}: {s['note']}", markup=False)
                continue
            console.print(f"\n{s['label']} — run {s['run']}", markup=False, style="bold")
            for e in s["events"]:
                console.print(f"  {e['text']}", markup=False)
