"""The command line never overwrites what it did not write, refuses damaged results, and
never disguises a bug as a user mistake (fault injection, one scenario per test)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simulator
from simulator.cli.app import app
from simulator.errors import INTERNAL_ERROR_EXIT, GeosimError, TextError, UsageError

runner = CliRunner()
BATCH = ["-n", "30", "--executor", "serial", "-q"]
RUN = [*BATCH, "--chunk-size", "10"]


def _run(scenario: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["run", str(scenario), *RUN, "-o", str(out), *extra])


@pytest.fixture
def results(mini_path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "r"
    assert _run(mini_path, out, "--all-variants").exit_code == 0
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".geosim-lock"}


# ------------------------------------------------------------------ overwriting


def test_analysis_out_never_deletes_results_or_notes(mini_path: Path, results: Path) -> None:
    (results / "my_notes.md").write_text("notes")
    before = _snapshot(results)
    outcome = runner.invoke(app, ["compare", str(mini_path), "-n", "30", "--executor",
                                  "serial", "--out", str(results)])
    assert outcome.exit_code == 1
    assert "already holds complete results" in outcome.output
    assert _snapshot(results) == before


@pytest.mark.parametrize("target", ["scenario", "inside-results", "results-file"])
def test_report_refuses_files_it_did_not_write(mini_path: Path, results: Path,
                                               target: str) -> None:
    path = {"scenario": mini_path, "inside-results": results / "page.html",
            "results-file": results / "summary.json"}[target]
    before = path.read_bytes() if path.exists() else None
    outcome = runner.invoke(app, ["report", str(results), "-o", str(path), "-q"])
    assert outcome.exit_code == 1
    assert str(path) in outcome.output
    assert (path.read_bytes() if path.exists() else None) == before
    simulator.Results(results)  # still intact and verified


def test_report_overwrites_its_own_report_and_others_only_with_force(
        results: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    refused = runner.invoke(app, ["report", str(results), "-o", str(notes), "-q"])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert notes.read_text() == "my notes"
    forced = runner.invoke(app, ["report", str(results), "-o", str(notes), "-q", "--force"])
    assert forced.exit_code == 0, forced.output
    again = runner.invoke(app, ["report", str(results), "-o", str(notes), "-q"])
    assert again.exit_code == 0, again.output  # now it is a geosim report


def test_run_report_refuses_a_user_file_before_simulating(mini_path: Path,
                                                          tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    outcome = _run(mini_path, tmp_path / "r", "--report", str(notes))
    assert outcome.exit_code == 1
    assert notes.read_text() == "my notes"
    assert not (tmp_path / "r").exists()


def test_batch_and_sweep_refuse_a_user_index(mini_path: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "index.json").write_text('{"my": "index"}')
    batch = runner.invoke(app, ["batch", str(mini_path), *BATCH, "-o", str(tree)])
    assert batch.exit_code == 1
    assert "not a geosim index" in batch.output
    spec = tmp_path / "sweep.yaml"
    spec.write_text(json.dumps({
        "scenario": str(mini_path), "design": "grid", "points": 2, "runs": 20,
        "parameters": {"strike_rate": {"low": "1% per month", "high": "2% per month"}}}))
    sweep = runner.invoke(app, ["sweep", str(spec), "-o", str(tree), "--executor", "serial",
                                "-q"])
    assert sweep.exit_code == 1
    assert "not a geosim index" in sweep.output
    assert (tree / "index.json").read_text() == '{"my": "index"}'
    assert sorted(p.name for p in tree.iterdir()) == ["index.json"]


# ------------------------------------------------------------------ damaged results


@pytest.mark.parametrize("command", ["report", "compare", "signposts", "stories"])
def test_results_mixed_with_another_run_are_refused(mini_path: Path, results: Path,
                                                    tmp_path: Path, command: str) -> None:
    other = tmp_path / "seed2"
    assert _run(mini_path, other, "--all-variants", "-s", "2").exit_code == 0
    shutil.copyfile(other / "runs.parquet", results / "runs.parquet")
    args = [command, str(results)] + (["-o", str(tmp_path / "x.html")]
                                      if command == "report" else [])
    outcome = runner.invoke(app, args)
    assert outcome.exit_code == 1
    assert "runs.parquet is not the file these results were written with" in outcome.output
    assert not (tmp_path / "x.html").exists()


def test_garbage_timeline_gives_an_error_naming_it(results: Path, tmp_path: Path) -> None:
    (results / "timeline.npz").write_bytes(b"garbage")
    outcome = runner.invoke(app, ["report", str(results), "-o", str(tmp_path / "x.html")])
    assert outcome.exit_code == 1
    assert "timeline.npz" in outcome.output
    assert "Traceback" not in outcome.output


# ------------------------------------------------------------------ bounds and options


@pytest.mark.parametrize(("args", "message"), [
    (["-n", "1000000000000"], "--runs must be between 1 and"),
    (["--precision", "0.05", "--max-runs", "0"], "--max-runs must be between 1 and"),
    (["--executor", "bogus", "--workers", "1"], "unknown executor 'bogus'"),
])
def test_impossible_requests_are_usage_errors(mini_path: Path, tmp_path: Path,
                                              args: list[str], message: str) -> None:
    outcome = runner.invoke(app, ["run", str(mini_path), "-o", str(tmp_path / "r"), *args])
    assert outcome.exit_code == 2
    assert message in outcome.output
    assert not (tmp_path / "r").exists()


def test_out_tilde_is_the_home_folder(mini_path: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".bashrc").write_text("# mine")
    outcome = runner.invoke(app, ["run", str(mini_path), *RUN, "--out", "~"])
    assert outcome.exit_code == 1  # the home folder is not empty and not geosim's: refused
    assert not (tmp_path / "~").exists()
    outcome = runner.invoke(app, ["run", str(mini_path), *RUN, "--out", "~/r"])
    assert outcome.exit_code == 0, outcome.output
    assert (tmp_path / "home" / "r" / "manifest.json").exists()


def test_batch_goes_on_after_a_full_disk(mini_path: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The first scenario meets ENOSPC; the second still runs and the index lists both."""
    import simulator.runner.store as store

    real = store.ResultsStore.write_runs_table
    calls: list[Path] = []

    def first_disk_full(self: store.ResultsStore, variants: list[str]) -> None:
        calls.append(self.root)
        if len(calls) == 1:
            raise simulator.ResultsError(f"cannot write {self.root / 'runs.parquet'}: "
                                         f"{os.strerror(28)}")
        real(self, variants)

    monkeypatch.setattr(store.ResultsStore, "write_runs_table", first_disk_full)
    folder = tmp_path / "scen"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.yaml").write_text(mini_path.read_text())
    out = tmp_path / "tree"
    outcome = runner.invoke(app, ["batch", str(folder), *BATCH, "-o", str(out)])
    assert outcome.exit_code == 1
    index = json.loads((out / "index.json").read_text())
    assert [e["ok"] for e in index["scenarios"]] == [False, True]
    assert "No space left on device" in index["scenarios"][0]["error"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="mounting a small tmpfs needs root")
def test_a_really_full_disk_is_a_clear_error(mini_path: Path, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        proc = subprocess.run([sys.executable, "-m", "simulator", "batch", str(mini_path),
                               "-n", "2000", "--executor", "serial", "-o", str(disk / "t"),
                               "-q"], capture_output=True, text=True, timeout=300,
                              check=False)
    finally:
        subprocess.run(["umount", str(disk)], check=False)
    assert proc.returncode == 1, proc.stderr
    assert "No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr


@pytest.mark.parametrize(("old", "new", "where"), [
    ("horizon: 1 year", "horizon: 1000000000 years", "error at `horizon`: the horizon is"),
    ("decides: {every: 1 month", "decides: {every: 0.001 days",
     "error at `actors.us.decides.every`: `us` would decide"),
])
def test_scenarios_beyond_the_size_limits_are_located_errors(
        mini_path: Path, tmp_path: Path, old: str, new: str, where: str) -> None:
    text = mini_path.read_text()
    assert old in text
    mini_path.write_text(text.replace(old, new))
    line = next(i for i, t in enumerate(mini_path.read_text().splitlines(), 1) if new in t)
    checked = runner.invoke(app, ["validate", str(mini_path)])
    assert checked.exit_code == 1
    assert f"{mini_path}:{line}:" in checked.output
    assert where in checked.output
    ran = _run(mini_path, tmp_path / "r")
    assert ran.exit_code == 1
    assert where in ran.output
    assert not (tmp_path / "r").exists()


def test_validate_refuses_a_fifo_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    outcome = runner.invoke(app, ["validate", str(fifo)])
    assert outcome.exit_code == 1
    assert "not a regular file" in outcome.output


# ------------------------------------------------------------------ the error boundary


def test_error_tree() -> None:
    assert issubclass(UsageError, GeosimError)
    assert issubclass(TextError, GeosimError)
    assert not issubclass(TextError, ValueError)


def test_a_bug_is_an_internal_error_not_a_usage_error(results: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import simulator.analysis.compare as compare

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("unsupported operand type(s)")

    monkeypatch.setattr(compare, "compare_variants", broken)
    outcome = runner.invoke(app, ["compare", str(results)])
    assert outcome.exit_code == INTERNAL_ERROR_EXIT
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("internal error: TypeError: unsupported operand")
    assert "--debug" in lines[0]
    monkeypatch.setattr(compare, "compare_variants", lambda *a, **k: (_ for _ in ()).throw(
        ValueError("a bug, not a usage error")))
    outcome = runner.invoke(app, ["compare", str(results)])
    assert outcome.exit_code == INTERNAL_ERROR_EXIT


def test_a_bug_in_an_analysis_fails_the_report(results: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import simulator.report.change_mind as sections

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("injected")

    monkeypatch.setattr(sections, "signposts", broken)
    outcome = runner.invoke(app, ["report", str(results), "-o", str(tmp_path / "x.html")])
    assert outcome.exit_code == INTERNAL_ERROR_EXIT
    assert not (tmp_path / "x.html").exists()


def test_a_run_error_names_the_variant_and_runs(tmp_path: Path) -> None:
    scenario = tmp_path / "inf.yaml"
    scenario.write_text(
        "id: inf\ntitle: Infinite rate\nas_of: 2026-01-01\nhorizon: 1 year\n"
        "state: {x: {initial: 0, min: 0, max: 1}}\n"
        "actors:\n  a:\n    options:\n"
        "      saturate: {rate: 2 per year, once: true, effects: [{set: {x: 1}}]}\n"
        "      blowup: {rate: 0.01 / (1 - x)}\n"
        "outcomes: {done: {when: x >= 1}}\n")
    outcome = runner.invoke(app, ["run", str(scenario), *RUN, "-o", str(tmp_path / "o")])
    assert outcome.exit_code == 3
    assert "(variant `baseline`, runs 0–9)" in outcome.output
