"""``geosim run`` and ``geosim batch``: simulate scenarios and write results."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from simulator.cli._common import (
    ENGINE_HELP,
    EXECUTOR_OPTION,
    SCHEDULER_OPTION,
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
from simulator.cli._run_state import announce_resume, finished_run, warn_if_busy
from simulator.cli._tables import headline_table
from simulator.cli.validate_cmd import scenario_files
from simulator.errors import GeosimError, ResultsError, ScenarioError
from simulator.results.ownership import expand_out, guard_output_file

if TYPE_CHECKING:
    from simulator.analysis.rows import OutcomeConfidence
    from simulator.results.results import Results

BATCH_INDEX_FORMAT = 1


def _variants(variant: list[str] | None, all_variants: bool) -> list[str] | str | None:
    if all_variants:
        return "all"
    return variant or None


def _maybe_report(results: Results, report: Path | None, *, force: bool) -> None:
    if report is None:
        return
    from simulator.report import build_report

    build_report([results], guard_output_file(report, kind="report", force=force))


@app.command("run")
@handle_errors
def run_command(
    *,
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    variant: list[str] | None = typer.Option(None, "--variant", "-v",
                                             help="Variant to run (repeatable)."),
    all_variants: bool = typer.Option(False, "--all-variants", help="Run every variant."),
    runs: int = typer.Option(10_000, "--runs", "-n", min=1, help="Runs per variant."),
    precision: float | None = typer.Option(
        None, "--precision", min=0.0005, max=0.5,
        help="Adaptive: run until every 95% half-width is at most this (e.g. 0.01)."),
    max_runs: int = typer.Option(200_000, "--max-runs", help="Cap for --precision."),
    seed: int = typer.Option(0, "--seed", "-s", min=0, help="Root random seed."),
    workers: int | None = WORKERS_OPTION,
    executor: str = EXECUTOR_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
    engine: str = typer.Option("simpy", "--engine", "-e", help=ENGINE_HELP,
                               callback=engine_name),
    chunk_size: int | None = typer.Option(None, "--chunk-size", min=1,
                                          help="Runs per chunk (results do not depend on it)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Results directory."),
    force: bool = typer.Option(
        False, "--force",
        help="Replace results geosim wrote in --out (never files it did not write), and "
             "overwrite a --report file that is not a geosim report."),
    resume: bool = typer.Option(
        False, "--resume",
        help="Insist on continuing a partial run in --out (repeating the command resumes "
             "anyway; this makes it an error when there is nothing to resume)."),
    report: Path | None = typer.Option(None, "--report", help="Also write an HTML report."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or table."),
) -> None:
    """Simulate one scenario; print the headline table; write results (and a report).

    Run again on a folder that already holds the same finished run, it shows those
    results instead of simulating again; an interrupted run is resumed.
    """
    from simulator.runner.runner import run

    out = expand_out(out or Path("results") / scenario.stem)
    if report is not None:
        report = guard_output_file(report, kind="report", force=force)
    if resume and not ((out / "run.json").exists() and not (out / "manifest.json").exists()):
        state = "is complete" if (out / "manifest.json").exists() else "holds no partial run"
        raise ResultsError(f"nothing to resume: {out} {state}")
    chosen = _variants(variant, all_variants)
    finished = None if force else finished_run(out, scenario, chosen, runs=runs, seed=seed,
                                                precision=precision, max_runs=max_runs,
                                                engine=engine)
    if finished is not None:
        err_console.print(f"{out} already holds this finished run (same scenario file, "
                          "variants, runs, seed and engine; finished "
                          f"{finished.manifest['finished']})"
                          ": showing its results. Use --force to simulate again.",
                          markup=False)
        results = finished
    else:
        warn_if_busy(scenario)
        if engine == "compiled":
            from simulator.engine.compiled_cache import kernel_cached
            if not kernel_cached():
                err_console.print("First use of the compiled engine on this machine: "
                                  "compiling it (about 40 s, once).", markup=False)
        with progress_bar(f"{scenario.stem}", enabled=not (quiet or as_json)) as bar:
            results = run(scenario, variants=chosen, runs=runs, precision=precision,
                          max_runs=max_runs, seed=seed, workers=workers, executor=executor,
                          scheduler=scheduler, out=out, force=force, chunk_size=chunk_size,
                          progress=announce_resume(out, bar), command=command_line(),
                          engine=engine)
    _maybe_report(results, report, force=force)
    levels = _confidence(results)
    if as_json:
        print_json({"results": str(results.path), "digest": results.digest,
                    **results.summary, "confidence": levels})
    elif not quiet:
        rows = [{**row, "confidence": levels[row["variant"]][row["outcome"]]["level"]}
                for row in results.headline_rows()]
        console.print(headline_table(f"{results.manifest['scenario_title']} — "
                                     f"{results.runs:,} runs, seed {results.seed}",
                                     rows, console.width))
        from simulator.analysis.confidence import METHOD

        console.print(f"How confidence is derived: {METHOD}.", markup=False)
        console.print(f"results: {results.path}" + (f"   report: {report}" if report else ""),
                      markup=False)


def _confidence(results: Results) -> dict[str, dict[str, OutcomeConfidence]]:
    """Per variant and outcome, the confidence level beside the ICD 203 likelihood."""
    from simulator.analysis.confidence import confidence

    return {variant: confidence(results, variant) for variant in results.variants}


def _slug(path: Path) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "_", path.stem)


def output_names(files: list[Path]) -> dict[Path, str]:
    """A distinct output folder name per scenario file: its stem, or — when two files
    share a stem — its path relative to their common folder (``a/x.yaml`` → ``a_x``)."""
    stems: dict[str, list[Path]] = {}
    for f in files:
        stems.setdefault(_slug(f), []).append(f)
    names: dict[Path, str] = {}
    for stem, group in stems.items():
        if len(group) == 1:
            names[group[0]] = stem
            continue
        common = Path(os.path.commonpath([str(g.resolve().parent) for g in group]))
        for g in group:
            relative = g.resolve().relative_to(common).with_suffix("")
            names[g] = re.sub(r"[^a-zA-Z0-9_-]+", "_", str(relative))
    return names


@app.command("batch")
@handle_errors
def batch_command(
    *,
    paths: list[Path] | None = typer.Argument(None, help="Scenario files or folders."),
    runs: int = typer.Option(2_000, "--runs", "-n", min=1, help="Runs per variant."),
    seed: int = typer.Option(0, "--seed", "-s", min=0, help="Root random seed."),
    workers: int | None = typer.Option(None, "--workers", "-w", min=1),
    executor: str = typer.Option("process", "--executor", help="serial, process or dask."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address."),
    out: Path = typer.Option(Path("results/batch"), "--out", "-o", help="Output tree."),
    force: bool = typer.Option(False, "--force",
                               help="Replace complete results geosim wrote; overwrite an "
                                    "index.json that is not geosim's."),
    reports: bool = typer.Option(False, "--reports",
                                 help="Write a report per scenario (OUT/NAME.html)."),
    as_json: bool = typer.Option(False, "--json", help="Print the index as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    sweep: Path | None = typer.Option(None, "--sweep",
                                      help="Also run this sweep spec into OUT/SPEC-NAME."),
) -> None:
    """Run every scenario (all variants) under one output tree with an index (OUT/index.json).

    A scenario that fails (invalid, disk full, ...) is reported at the end; the others
    still run, and the index lists every scenario with its outcome."""
    if sweep is not None:
        from simulator.cli.sweep_cmd import sweep_main

        sweep_main(sweep, runs=runs, out=out / _slug(sweep), executor=executor,
                   workers=workers, scheduler=scheduler, force=force, as_json=as_json,
                   quiet=quiet)
        if not paths:
            return
    if not paths:
        raise typer.BadParameter("give scenario files or folders (or --sweep SPEC.yaml)")
    from simulator._files import atomic_write_json
    from simulator.runner.runner import run

    files = scenario_files(paths)
    names = output_names(files)
    index: list[dict[str, Any]] = []
    failed: list[tuple[Path, GeosimError]] = []
    out = expand_out(out)
    index_path = guard_output_file(out / "index.json", kind="index", force=force)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(f"cannot create {out}: {exc.strerror or exc}") from exc
    for path in files:
        target = out / names[path]
        try:
            with progress_bar(path.stem, enabled=not (quiet or as_json)) as progress:
                results = run(path, variants="all", runs=runs, seed=seed, workers=workers,
                              executor=executor, scheduler=scheduler, out=target, force=force,
                              progress=progress, command=command_line())
            if reports:
                _maybe_report(results, out / f"{names[path]}.html", force=force)
        except GeosimError as exc:
            failed.append((path, exc))
            index.append({"scenario": str(path), "ok": False, "error": str(exc)})
            continue
        index.append({"scenario": str(path), "ok": True, "results": str(target),
                      "digest": results.digest, "headline": results.headline_rows()})
        if not (quiet or as_json):
            console.print(headline_table(str(path), results.headline_rows(), console.width))
    atomic_write_json(index_path, {"tool": "geosim-batch", "format": BATCH_INDEX_FORMAT,
                                   "scenarios": index})
    if as_json:
        print_json(index)
    for path, error in failed:
        err_console.print(f"{path}: failed", markup=False)
        if isinstance(error, ScenarioError):
            for d in error.diagnostics:
                err_console.print(d.format(), markup=False)
        else:
            err_console.print(f"  {error}", markup=False)
    if not quiet and not as_json:
        console.print(f"index: {out / 'index.json'} ({len(files) - len(failed)} ok, "
                      f"{len(failed)} failed)", markup=False)
    raise typer.Exit(1 if failed else 0)
