"""``geosim explain``: one run re-simulated, linked event to event, and a counterfactual."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.analysis.explain import explain
from simulator.cli.app import app
from simulator.results.results import Results

ROOT = Path(__file__).resolve().parents[2]
INDIA = ROOT / "scenarios" / "india_pakistan_attack.yaml"
RUNS = 40


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    out = tmp_path_factory.mktemp("explain") / "results"
    result = CliRunner().invoke(app, ["run", str(INDIA), "-n", str(RUNS), "-s", "3",
                                      "--executor", "serial", "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return Results(out)


def _reaching(results: Results, outcome: str) -> list[int]:
    df = results.to_pandas()
    hits = df[(df["variant"] == "baseline") & df[f"outcome.{outcome}"]]
    return sorted(int(r) for r in hits["run"])


def test_every_run_is_reproduced_and_its_draws_placed(results: Results) -> None:
    df = results.to_pandas()
    for run in (0, 1, RUNS - 1):  # traced or not: any run can be explained
        report = explain(results, "baseline", run, disable="militants.second_attack")
        assert report["reproduced"], run
        row = df[(df["variant"] == "baseline") & (df["run"] == run)].iloc[0]
        for d in report["draws"]:
            assert d["value"] == pytest.approx(float(row[f"param.{d['parameter']}"]))
            assert d["percentile"] is None or 0 < d["percentile"] <= 1
        for outcome, t in report["outcomes"].items():
            assert (t is not None) == bool(row[f"outcome.{outcome}"]), (run, outcome)


def test_links_follow_triggers_and_chains_end_at_the_outcome(results: Results) -> None:
    runs = _reaching(results, "pakistani_retaliation")
    assert runs, "no run of the fixture reaches retaliation; raise RUNS"
    report = explain(results, "baseline", runs[0])
    retaliations = [e for e in report["events"] if e["option"] == "pakistan_military.retaliate"]
    assert retaliations[0]["link"] == "triggered"
    assert retaliations[0]["by"] == "india_government.limited_strike"
    chain = report["chains"]["pakistani_retaliation"]
    assert chain[-2:] == ["india_government.limited_strike", "pakistan_military.retaliate"]


def test_counterfactual_keeps_common_random_numbers(results: Results) -> None:
    """Removing the strike removes everything that can only follow it; removing an option
    that never fired in the run changes nothing at all (same random numbers)."""
    run = _reaching(results, "indian_strike")[0]
    report = explain(results, "baseline", run, disable="india_government.limited_strike")
    cf = report["counterfactual"]["outcomes"]
    assert cf["indian_strike"]["actual"] is not None
    for outcome in ("indian_strike", "pakistani_retaliation", "sustained_exchange", "ceasefire"):
        assert cf[outcome]["without"] is None, outcome
    quiet = [e["option"] for e in report["events"]]
    unused = "militants.second_attack"
    if unused not in quiet:
        same = explain(results, "baseline", run, disable=unused)["counterfactual"]["outcomes"]
        for outcome, row in same.items():
            assert row["without"] == row["actual"], outcome


def test_cli_prints_the_story_and_reports_bad_input(results: Results) -> None:
    runner = CliRunner()
    run = _reaching(results, "indian_strike")[0]
    ok = runner.invoke(app, ["explain", str(results.path), "--run", str(run)])
    assert ok.exit_code == 0, ok.output
    assert "reproduced exactly" in ok.output
    assert "Chains to each outcome reached" in ok.output
    assert "without" in ok.output
    as_json = runner.invoke(app, ["explain", str(results.path), "--run", str(run), "--json"])
    assert json.loads(as_json.stdout)["run"] == run
    bad = runner.invoke(app, ["explain", str(results.path), "--run", "0",
                              "--without", "india_government.limited_strik"])
    assert bad.exit_code == 1
    assert "did you mean `india_government.limited_strike`?" in bad.output
    assert "Traceback" not in bad.output
    missing = runner.invoke(app, ["explain", str(results.path), "--run", str(RUNS + 5)])
    assert missing.exit_code == 1
    assert "not in the results" in missing.output


SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_explain_works_on_every_scenario(tmp_path: Path, path: Path) -> None:
    out = tmp_path / "results"
    ran = CliRunner().invoke(app, ["run", str(path), "-n", "4", "--executor", "serial",
                                   "-o", str(out), "--quiet"])
    assert ran.exit_code == 0, ran.output
    results = Results(out)
    for run in range(4):
        report = explain(results, "baseline", run)
        assert report["reproduced"], (path.name, run)
        for e in report["events"]:  # every link points at an earlier event of the run
            if e["by_i"] is not None:
                assert e["by_i"] < e["i"], (path.name, run, e["text"])


def test_stories_say_why_and_how_typical(results: Results) -> None:
    from simulator.analysis.stories import stories

    told = stories(results, "baseline")
    real = [s for runs in told.values() for s in runs if s["run"] is not None]
    assert real, "no traced run reaches any outcome; raise RUNS"
    for story in real:
        assert 1 <= story["same_path"] <= story["traced_reaching"]
    whys = [e["why"] for s in real for e in s["events"] if "why" in e]
    assert whys
    assert all(w.split()[0] in {"enabled", "rate"} for w in whys)  # triggers are told already
