"""Smoke tests for the teaching scenarios: each runs, reports and keeps its own register.

Strict validation and a zero-unsourced audit are checked for every shipped scenario in
test_flagship_coverage.py; here each teaching scenario is run end to end with a few runs
(a smoke test: nothing here is a statistical claim about the crisis).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from simulator import load_scenario
from simulator.cli.app import app
from simulator.scenario.load import find_evidence_registers

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ["taiwan_quarantine", "baltic_hybrid", "india_pakistan_attack"]
KINDS = {"reported-fact", "official-statement", "analyst-assessment", "unnamed-source-report",
         "historical-analogue", "reference-forecast"}


@pytest.mark.parametrize("name", TEACHING)
def test_teaching_scenario_runs_and_reports(tmp_path: Path, name: str) -> None:
    path = ROOT / "scenarios" / f"{name}.yaml"
    scenario = load_scenario(path)
    out, html = tmp_path / "out", tmp_path / "report.html"
    result = CliRunner().invoke(app, ["run", str(path), "-n", "50", "--executor", "serial",
                                      "-o", str(out), "--quiet", "--report", str(html)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    baseline = summary["variants"]["baseline"]
    assert baseline["runs"] == 50
    assert set(baseline["outcomes"]) == set(scenario.outcomes)
    assert any(o["reached"] > 0 for o in baseline["outcomes"].values())
    # a unit slip (a bare number read as a daily hazard) shows as hundreds of events a run
    assert 1 <= baseline["events_per_run"] <= 300, baseline["events_per_run"]
    text = html.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html")
    assert scenario.outcomes[sorted(scenario.outcomes)[0]].label.split()[0] in text
    assert "docs/reading-the-report.md" in text  # the report points to the reading guide


@pytest.mark.parametrize("name", TEACHING)
def test_teaching_scenario_has_its_own_complete_register(name: str) -> None:
    path = ROOT / "scenarios" / f"{name}.yaml"
    scenario = load_scenario(path)
    registers = find_evidence_registers(path, scenario)
    assert [r.name for r in registers] == [f"{name.replace('_attack', '')}.evidence.yaml"]
    doc = yaml.safe_load(registers[0].read_text(encoding="utf-8"))
    sources, claims = doc["sources"], doc["claims"]
    assert len(claims) >= 8
    for claim_id, claim in claims.items():
        assert claim["source"] in sources, claim_id
        assert claim["kind"] in KINDS, claim_id
        assert claim["actors"], claim_id
        assert claim["text"].strip(), claim_id
        if claim["kind"] == "historical-analogue":
            assert str(claim.get("date", "")).strip(), claim_id
            assert claim.get("shows"), claim_id
    # variants for the main choices, scoreable outcomes and observable signposts
    assert len(scenario.variants) >= 4
    assert len(scenario.indicators) >= 5
    for outcome_id, outcome in scenario.outcomes.items():
        assert "by " in outcome.resolution, outcome_id  # by when
        assert "Does not count" in outcome.resolution, outcome_id


GLOSSARY_TERMS = ("Hazard", "ICD 203 words", "Confidence", "Common random numbers",
                  "Indicator (signpost)", "Likelihood ratio", "Sensitivity index")


def test_glossary_defines_the_report_words() -> None:
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for term in GLOSSARY_TERMS:
        assert f"**{term}" in glossary, term
    guide = (ROOT / "docs" / "reading-the-report.md").read_text(encoding="utf-8")
    assert "(glossary.md)" in guide


def test_key_assumption_names_the_variant_that_breaks_it(tmp_path: Path) -> None:
    from simulator.loading import read_scenario

    source = (ROOT / "scenarios" / "india_pakistan_attack.yaml").read_text(encoding="utf-8")
    register = (ROOT / "seeds" / "india_pakistan.evidence.yaml").as_posix()
    bad = tmp_path / "bad.yaml"
    bad.write_text(source.replace("broken_by: india_restraint", "broken_by: india_restrain")
                   .replace("../seeds/india_pakistan.evidence.yaml", register),
                   encoding="utf-8")
    result = read_scenario(bad)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert len(errors) == 1, [d.format() for d in result.diagnostics]
    assert errors[0].message == "unknown variant `india_restrain`"
    assert errors[0].hint == "did you mean `india_restraint`?"
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1)
                if "broken_by: india_restrain" in text)
    assert errors[0].line == line


def test_report_shows_what_changes_when_a_key_assumption_fails(tmp_path: Path) -> None:
    path = ROOT / "scenarios" / "india_pakistan_attack.yaml"
    html = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["run", str(path), "-v", "baseline", "-v", "india_restraint",
                                      "-n", "60", "--executor", "serial", "-o",
                                      str(tmp_path / "o"), "--quiet", "--report", str(html)])
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    # without any strike, the strike outcome cannot happen: the largest clear change
    assert "If it fails (variant “India chooses coercive diplomacy only”): Indian strike" in text
    assert "→ 0.0%" in text
