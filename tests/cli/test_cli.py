"""Command-line wiring: exit codes, messages without tracebacks, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from simulator.cli.app import app

runner = CliRunner()


def test_run_prints_headline_and_writes_results(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = runner.invoke(app, ["run", str(mini_path), "--all-variants", "-n", "200",
                                 "--executor", "serial", "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists()
    result = runner.invoke(app, ["run", str(mini_path), "-n", "200", "--executor", "serial",
                                 "-o", str(out), "--json"])
    assert result.exit_code == 1  # complete results are not overwritten without --force
    assert "--force" in result.output
    result = runner.invoke(app, ["run", str(mini_path), "-n", "200", "--executor", "serial",
                                 "-o", str(out), "--json", "--force"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["variants"]["baseline"]["outcomes"]["us_strike"]["runs"] == 200
    assert len(payload["digest"]) == 64


def test_run_bad_scenario_exit_1_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitel: y\n")
    proc = subprocess.run([sys.executable, "-m", "simulator", "run", str(bad), "-o",
                           str(tmp_path / "o")], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{bad}:2:1: error" in proc.stderr
    assert "did you mean `title`?" in proc.stderr


def test_usage_error_exit_2(mini_path: Path) -> None:
    result = runner.invoke(app, ["run", str(mini_path), "--runs", "0"])
    assert result.exit_code == 2


def test_unknown_variant_exit_1(mini_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(mini_path), "--variant", "nope", "-n", "10",
                                 "--executor", "serial", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "unknown variant `nope`" in result.output


def test_batch_reports_failures_at_the_end(mini_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "scen"
    folder.mkdir()
    (folder / "a.yaml").write_text(mini_path.read_text())
    (folder / "b.yaml").write_text("id: broken\n")
    out = tmp_path / "tree"
    result = runner.invoke(app, ["batch", str(folder), "-n", "100", "--executor", "serial",
                                 "-o", str(out), "--quiet"])
    assert result.exit_code == 1
    index = json.loads((out / "index.json").read_text())
    assert index["tool"] == "geosim-batch"
    assert [(e["scenario"].endswith("a.yaml"), e["ok"]) for e in index["scenarios"]] == [
        (True, True), (False, False)]
    assert (out / "a" / "manifest.json").exists()
    assert "b.yaml: failed" in result.output


def test_schema_command_matches_committed_file(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0
    committed = Path(__file__).parents[2] / "simulator" / "data" / "scenario.schema.json"
    assert json.loads(target.read_text()) == json.loads(committed.read_text()), (
        "regenerate with: geosim schema -o simulator/data/scenario.schema.json")


def test_debug_shows_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n")
    proc = subprocess.run([sys.executable, "-m", "simulator", "--debug", "run", str(bad)],
                          capture_output=True, text=True, check=False)
    assert "Traceback" in proc.stderr


def test_batch_keeps_same_named_files_apart(mini_path: Path, tmp_path: Path) -> None:
    for folder, seed_id in (("a", "mini-a"), ("b", "mini-b")):
        (tmp_path / "scen" / folder).mkdir(parents=True)
        text = mini_path.read_text().replace("id: mini", f"id: {seed_id}")
        (tmp_path / "scen" / folder / "x.yaml").write_text(text)
    out = tmp_path / "tree"
    result = runner.invoke(app, ["batch", str(tmp_path / "scen"), "-n", "50", "--executor",
                                 "serial", "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    index = json.loads((out / "index.json").read_text())
    targets = {Path(e["results"]).name for e in index["scenarios"]}
    assert targets == {"a_x", "b_x"}
    ids = {json.loads((out / t / "manifest.json").read_text())["scenario_id"] for t in targets}
    assert ids == {"mini-a", "mini-b"}


def test_force_never_deletes_a_folder_that_is_not_geosim_results(mini_path: Path,
                                                                 tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    for extra in ([], ["--force"]):
        result = runner.invoke(app, ["run", str(mini_path), "-n", "20", "--executor", "serial",
                                     "-o", str(precious), *extra])
        assert result.exit_code == 1
        assert "was not created by geosim" in result.output
        assert "--force" not in result.output
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_damaged_results_exit_1_without_traceback(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert runner.invoke(app, ["run", str(mini_path), "-n", "50", "--executor", "serial",
                               "-o", str(out), "--quiet"]).exit_code == 0
    runs = out / "runs.parquet"
    runs.write_bytes(runs.read_bytes()[:200])  # truncated
    for command in (["compare", str(out)], ["signposts", str(out)],
                    ["report", str(out), "-o", str(tmp_path / "x.html")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["scenario"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = runner.invoke(app, ["compare", str(out)])
    assert result.exit_code == 1
    assert "damaged" in result.output


def test_resume_flag_needs_a_partial_run(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = runner.invoke(app, ["run", str(mini_path), "-n", "50", "--executor", "serial",
                                 "-o", str(out), "--resume"])
    assert result.exit_code == 1
    assert "nothing to resume" in result.output
    assert runner.invoke(app, ["run", str(mini_path), "-n", "50", "--executor", "serial",
                               "-o", str(out), "--quiet"]).exit_code == 0
    (out / "manifest.json").unlink()  # as if the run had died before finishing
    result = runner.invoke(app, ["run", str(mini_path), "-n", "50", "--executor", "serial",
                                 "-o", str(out), "--resume", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists()
