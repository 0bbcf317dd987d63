"""Provenance of every number: what counts as a number, how provenance is looked up,
the warnings `validate` gives, `--strict`, and `geosim audit`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.loading import read_scenario
from simulator.scenario.provenance import carries_number, number_provenance

REGISTER = """\
claims:
  fact-a: {source: s, kind: reported-fact, actors: [us], text: A fact.}
  fact-b: {source: s, kind: reported-fact, actors: [mx], text: Another fact.}
"""

SOURCED = """\
id: prov
title: Provenance
as_of: 2026-01-05
horizon: 1 year
evidence_register: register.yaml
parameters:
  strike_rate: {value: 1% to 5% per month, evidence: [fact-a]}
  backlash: {value: 0.5 to 0.9, assumption: true, note: Judged from one analogue.}
state:
  cooperation: {initial: 0.7, min: 0, max: 1, evidence: [fact-b]}
ladder:
  initial: calm
  rungs: [{id: calm}, {id: strike}]
actors:
  us:
    decides: {every: 1 month, idle_weight: 2}
    provenance: Assumed; a monthly cycle.
    options:
      surveil:
        weight: 1
        effects: [{add: {cooperation: -0.05}}]
        provenance: {weight: [fact-a], cooperation: Judgement; a small irritant.}
      strike:
        when: cooperation < 0.8
        rate: strike_rate * (2 - cooperation)
        once: true
        effects:
          - set: {escalation: strike}
          - add: {cooperation: -0.3}
          - trigger: mx.backlash
            after: 2 to 6 weeks
            chance: backlash
        provenance:
          all: [fact-a]
          effects: Judgement; a third of cooperation.
  mx:
    options:
      backlash: {effects: [{add: {cooperation: -0.3}}], assumption: true, note: Assumed.}
outcomes:
  us_strike: {when: escalation >= strike}
  collapse: {when: cooperation < 0.3, resolution: Mexico suspends all cooperation.}
variants:
  dovish:
    parameters: {strike_rate: 0.1% to 1% per month}
    provenance: A policy option, a tenth of the baseline.
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "register.yaml").write_text(REGISTER)
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("0.3", True), ("1", True), ("0", True), ("2 to 6 weeks", True), ("1 month", True),
    ("30% per year", True), ("2026-11-03", True), ("cooperation < 0.8", True),
    ("1 - nationalism", False), ("1 if escalation >= covert else 0", False),
    ("strike_rate * (1 + boost)", False), ("escalation >= strike", False),
    ("count(us.surveil) >= 2", True), ("fired(us.strike)", False),
])
def test_what_counts_as_a_number(text: str, expected: bool) -> None:
    assert carries_number(text) is expected


def test_sourced_scenario_has_no_unsourced_number(tmp_path: Path) -> None:
    result = read_scenario(write(tmp_path, SOURCED)).strict()
    assert result.ok, "\n".join(d.format() for d in result.diagnostics)
    assert result.scenario is not None
    numbers = {".".join(map(str, n.path)): n for n in number_provenance(result.scenario)}
    assert all(n.source != "unsourced" for n in numbers.values())
    # the most specific key wins: a variable beats `effects`, `effects` beats `all`
    surveil = numbers["actors.us.options.surveil.effects.0.add.cooperation"]
    assert (surveil.source, surveil.reason) == ("assumption", "Judgement; a small irritant.")
    assert numbers["actors.us.options.surveil.weight"].evidence == ("fact-a",)
    assert numbers["actors.us.options.strike.effects.1.add.cooperation"].source == "assumption"
    assert numbers["actors.us.options.strike.when"].evidence == ("fact-a",)
    assert numbers["actors.us.options.strike.effects.2.after"].source == "assumption"
    # an option marked as an assumption with a note covers its numbers
    assert numbers["actors.mx.options.backlash.effects.0.add.cooperation"].source == "assumption"
    # outcome thresholds are definitions when the outcome has resolution criteria
    assert numbers["outcomes.collapse.when"].source == "definition"
    assert "outcomes.us_strike.when" not in numbers  # no literal, no number
    assert numbers["variants.dovish.parameters.strike_rate"].source == "assumption"


@pytest.mark.parametrize(("old", "new", "where"), [
    ("    provenance: Assumed; a monthly cycle.\n", "", "actors.us.decides.every"),
    ("{value: 0.5 to 0.9, assumption: true, note: Judged from one analogue.}",
     "{value: 0.5 to 0.9, assumption: true}", "parameters.backlash"),
    ("{initial: 0.7, min: 0, max: 1, evidence: [fact-b]}", "{initial: 0.7, min: 0, max: 1}",
     "state.cooperation.initial"),
    ("    provenance: A policy option, a tenth of the baseline.\n", "",
     "variants.dovish.parameters.strike_rate"),
])
def test_a_missing_provenance_is_a_located_warning(tmp_path: Path, old: str, new: str,
                                                   where: str) -> None:
    assert old in SOURCED
    path = write(tmp_path, SOURCED.replace(old, new))
    result = read_scenario(path)
    assert result.ok  # a warning: the scenario still runs
    warnings = [d for d in result.diagnostics if d.severity == "warning"]
    assert len(warnings) == 1, [d.format() for d in warnings]
    (warning,) = warnings
    assert "without provenance" in warning.message
    assert ".".join(map(str, warning.path)).startswith(where)
    assert warning.line > 1
    assert warning.hint
    assert not result.strict().ok  # --strict makes it an error


def test_a_provenance_key_matching_nothing_is_flagged(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCED.replace("cooperation: Judgement; a small irritant.",
                                           "cooperaton: Judgement; a small irritant."))
    messages = [d.message for d in read_scenario(path).diagnostics]
    assert any("provenance key `cooperaton` matches no number" in m for m in messages)
    assert any("without provenance" in m for m in messages)


def test_unknown_claim_in_provenance_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCED.replace("weight: [fact-a]", "weight: [fact-c]"))
    errors = [d for d in read_scenario(path).diagnostics if d.severity == "error"]
    assert [e.message for e in errors] == ["unknown evidence id `fact-c`"]
    assert errors[0].hint is not None
    assert errors[0].hint.startswith("did you mean `fact-")
    assert ".".join(map(str, errors[0].path)) == "actors.us.options.surveil.provenance.weight.0"


def test_several_registers(tmp_path: Path) -> None:
    (tmp_path / "more.yaml").write_text(
        "claims:\n  fact-c: {source: s, kind: reported-fact, actors: [us], text: C.}\n")
    text = SOURCED.replace("evidence_register: register.yaml",
                           "evidence_register: [register.yaml, more.yaml]")
    ok = read_scenario(write(tmp_path, text.replace("weight: [fact-a]", "weight: [fact-c]")))
    assert ok.strict().ok, [d.format() for d in ok.diagnostics]
    missing = read_scenario(write(tmp_path, text.replace("more.yaml]", "gone.yaml]")))
    assert [d.message for d in missing.diagnostics if d.severity == "error"] == [
        "the evidence register does not exist"]


def test_validate_strict_and_audit_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    good = write(tmp_path, SOURCED)
    assert runner.invoke(app, ["validate", "--strict", str(good)]).exit_code == 0
    report = json.loads(runner.invoke(app, ["audit", str(good), "--json"]).stdout)
    assert report["unsourced"] == 0
    assert report["numbers"] == len(report["entries"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(SOURCED.replace("    provenance: Assumed; a monthly cycle.\n", ""))
    assert runner.invoke(app, ["validate", str(bad)]).exit_code == 0
    strict = runner.invoke(app, ["validate", "--strict", str(bad)])
    assert strict.exit_code == 1
    assert "without provenance" in strict.output
    audit = runner.invoke(app, ["audit", str(bad), "--json"])
    report = json.loads(audit.stdout)
    assert report["unsourced"] == 2  # decides.every and decides.idle_weight
    assert {e["path"] for e in report["entries"] if e["source"] == "unsourced"} == {
        "actors.us.decides.every", "actors.us.decides.idle_weight"}
    assert runner.invoke(app, ["audit", str(bad), "--strict"]).exit_code == 1


def test_scenario_level_table(tmp_path: Path) -> None:
    """A `provenance:` table at the top level covers unsourced numbers under a key path;
    the longest path wins, numbers with their own provenance keep it, typos are flagged."""
    text = SOURCED.replace("    provenance: Assumed; a monthly cycle.\n", "") + (
        "provenance:\n"
        "  actors: Table entry for the actors.\n"
        "  actors.us.decides.idle_weight: [fact-b]\n"
        "  actors.us.option.nope: A typo.\n")
    result = read_scenario(write(tmp_path, text))
    assert result.scenario is not None
    numbers = {".".join(map(str, n.path)): n for n in number_provenance(result.scenario)}
    assert numbers["actors.us.decides.every"].reason == "Table entry for the actors."
    assert numbers["actors.us.decides.idle_weight"].evidence == ("fact-b",)
    assert numbers["actors.us.options.surveil.weight"].evidence == ("fact-a",)  # its own
    warnings = [d for d in result.diagnostics if d.severity == "warning"]
    assert [d.message for d in warnings] == [
        "provenance key `actors.us.option.nope` names nothing in this scenario"]


def test_stored_scenario_counts_the_same_numbers(tmp_path: Path) -> None:
    """Results store the scenario with its defaults written out (`after: 0 days`,
    `chance: 1`); defaults are not claims, so the count must not change."""
    from simulator.scenario.schema import Scenario

    result = read_scenario(write(tmp_path, SOURCED.replace(
        "          - trigger: mx.backlash\n            after: 2 to 6 weeks\n",
        "          - trigger: mx.backlash\n")))
    assert result.scenario is not None
    stored = Scenario.model_validate(result.scenario.model_dump(by_alias=True))
    assert [n.to_dict() for n in number_provenance(stored)] == [
        n.to_dict() for n in number_provenance(result.scenario)]
