"""Every bad resolution file gives a located error (file:line:column, key path, hint)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.errors import Diagnostic, ScenarioError, format_key_path
from simulator.forecast.resolution import check_against, json_schema, parse_resolution
from simulator.forecast.template import resolution_template
from tests.forecast.conftest import REPO, make_record

RECORD = make_record({"us_strike": 0.3, "arrest": 0.1}, variants=("baseline", "hawk"))

GOOD = """\
resolved_on: 2026-02-01
ambiguous: exclude
outcomes:
  us_strike: {status: "yes", date: 2026-01-09}
  arrest: {status: "no"}
"""


def problems(text: str) -> list[Diagnostic]:
    """All diagnostics for ``text``, from parsing or from the check against RECORD."""
    try:
        rf = parse_resolution(text, file="res.yaml")
    except ScenarioError as exc:
        return exc.diagnostics
    return check_against(rf, RECORD)


def only(text: str) -> Diagnostic:
    found = problems(text)
    assert len(found) == 1, [d.format() for d in found]
    assert found[0].file == "res.yaml"
    return found[0]


def test_good_file_has_no_problems() -> None:
    assert problems(GOOD) == []


def test_unknown_outcome_is_located_with_a_suggestion() -> None:
    d = only(GOOD.replace("  arrest:", "  arest:"))
    assert (d.line, d.column) == (5, 3)
    assert format_key_path(d.path) == "outcomes.arest"
    assert "unknown outcome" in d.message
    assert "`arrest`" in (d.hint or "")


def test_yes_without_date() -> None:
    d = only(GOOD.replace(', date: 2026-01-09', ''))
    assert (d.line, format_key_path(d.path)) == (4, "outcomes.us_strike.status")
    assert "without a date" in d.message


@pytest.mark.parametrize(("day", "hint"), [("2026-01-20", "resolve it `no`"),
                                       ("2025-12-31", "annulled")])
def test_date_outside_the_horizon(day: str, hint: str) -> None:
    text = GOOD.replace("2026-01-09", day)
    d = only(text)
    assert (d.line, d.column) == (4, text.splitlines()[3].index(day) + 1)
    assert format_key_path(d.path) == "outcomes.us_strike.date"
    assert "outside the forecast's horizon" in d.message
    assert hint in (d.hint or "")
    assert d.expected == "a date from 2026-01-05 to 2026-01-15"


def test_date_after_resolved_on() -> None:
    d = only(GOOD.replace("resolved_on: 2026-02-01", "resolved_on: 2026-01-08"))
    assert format_key_path(d.path) == "outcomes.us_strike.date"
    assert "after `resolved_on`" in d.message


def test_duplicate_key() -> None:
    d = only(GOOD + '  us_strike: {status: "no"}\n')
    assert (d.line, d.column) == (6, 3)
    assert "duplicate key `us_strike`" in d.message


def test_status_typo_suggests_the_status() -> None:
    d = only(GOOD.replace('status: "no"', "status: noo"))
    assert (d.line, d.column) == (5, 20)
    assert format_key_path(d.path) == "outcomes.arrest.status"
    assert d.expected == "one of yes, no, ambiguous, annulled"
    assert d.hint == "did you mean `no`?"


def test_all_problems_are_reported_at_once() -> None:
    bad = GOOD.replace("  arrest:", "  arest:").replace(", date: 2026-01-09", "")
    bad += "variants: {dove: {premise_held: false}}\nreferences: {nope: []}\n"
    paths = sorted(format_key_path(d.path) for d in problems(bad))
    assert paths == ["outcomes.arest", "outcomes.us_strike.status", "references.nope",
                     "variants.dove"]


def test_shape_errors_are_located() -> None:
    bad = """\
resolved_on: 2026-02-31
ambigous: half
outcomes:
  us_strike: {status: "yes", date: 2026-01-09, sauces: [x]}
references:
  us_strike: [{source: m, probability: 1.5}]
variants: {hawk: {premise_held: no}}
"""
    found = {format_key_path(d.path): d for d in problems(bad)}
    assert set(found) == {"resolved_on", "ambigous", "ambiguous", "outcomes.us_strike.sauces",
                          "references.us_strike[0].probability", "variants.hawk.premise_held"}
    assert (found["resolved_on"].line, found["resolved_on"].column) == (1, 14)
    assert found["ambigous"].hint == "did you mean `ambiguous`?"
    assert "ambiguous: exclude" in (found["ambiguous"].hint or "")  # missing: say what to add
    assert found["outcomes.us_strike.sauces"].hint == "did you mean `sources`?"
    assert found["references.us_strike[0].probability"].line == 6
    assert found["variants.hawk.premise_held"].expected == "true or false"


def test_wrong_forecast_id() -> None:
    d = only("forecast: other-123\n" + GOOD)
    assert (d.line, d.column, d.path) == (1, 11, ("forecast",))
    assert RECORD["id"] in (d.expected or "")


def test_empty_file_speaks_of_resolution_files() -> None:
    d = only("# nothing\n")
    assert "resolution file" in (d.hint or "")
    assert "scenario" not in (d.hint or "")


def test_template_is_a_valid_resolution_with_every_outcome_pending() -> None:
    text = resolution_template(RECORD)
    rf = parse_resolution(text, file="template.yaml")
    assert check_against(rf, RECORD) == []
    assert sorted(rf.resolution.outcomes) == ["arrest", "us_strike"]
    assert all(r.status is None for r in rf.resolution.outcomes.values())
    assert "# US_STRIKE: us_strike happens" in text  # the resolution text, as a comment
    assert rf.resolution.variants["hawk"].premise_held is False


def test_template_keeps_hostile_text_inside_comments() -> None:
    record = make_record({"a": 0.5})
    record["outcomes"]["a"]["resolution"] = ("line one\nstatus: \"yes\"\n  - injected: 1"
                                             "\u2028b: 1\x85c: 2\rd: 3")
    rf = parse_resolution(resolution_template(record))
    assert rf.resolution.outcomes["a"].status is None


def test_committed_json_schema_is_current() -> None:
    committed = json.loads((REPO / "simulator" / "data" / "resolution.schema.json").read_text())
    assert committed == json_schema()



def test_editors_accept_good_files_and_flag_a_status_typo(tmp_path: Path) -> None:
    """check-jsonschema reads YAML 1.2 like yaml-language-server: it stands in for an editor."""
    checker = Path(sys.executable).with_name("check-jsonschema")
    if not checker.exists():  # pragma: no cover - the dev extra installs it
        pytest.fail("check-jsonschema is missing: install the dev extra")
    schema = REPO / "simulator" / "data" / "resolution.schema.json"
    good, template, typo = tmp_path / "good.yaml", tmp_path / "t.yaml", tmp_path / "typo.yaml"
    good.write_text(GOOD + "references: {us_strike: [{source: m, probability: 0.2}]}\n")
    template.write_text(resolution_template(RECORD))
    typo.write_text(GOOD.replace('status: "no"', "status: noo"))

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(checker), "--schemafile", str(schema), str(path)],
                              capture_output=True, text=True, check=False)

    assert run(good).returncode == 0, run(good).stdout
    assert run(template).returncode == 0, run(template).stdout
    flagged = run(typo)
    assert flagged.returncode == 1
    assert "$.outcomes.arrest.status" in flagged.stdout
