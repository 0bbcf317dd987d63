"""Bad scenarios through the whole pipeline: file → YAML → schema → compile → evidence.

Each row of ``CASES`` is one mistake a policy student could make in a scenario file.
The test writes it to a file, runs :func:`read_scenario` (and, for a subset, the
``geosim validate`` command in-process and in a real subprocess) and checks that the
problem is reported at the right file:line:column, with the right key path, a message
that says what went wrong and — where one makes sense — a hint.

Rows that show a library shortcoming are marked ``xfail(strict=True)`` with the reason,
so the suite stays green until the library is fixed and then flags the fix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.errors import Diagnostic, ScenarioError, format_key_path
from simulator.loading import load_scenario, read_scenario

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024

# A small valid scenario (every construct once). Line numbers in the table refer to it.
MINI = (Path(__file__).parents[1] / "data" / "mini.yaml").read_text()

NO_LADDER = """\
id: no-ladder
title: No ladder
as_of: 2026-01-05
horizon: 1 year
state:
  tension: {initial: 0.2, min: 0, max: 1}
actors:
  a:
    options:
      push: {rate: 2 per year, effects: [{escalate: 1}, {add: {tension: 0.1}}]}
outcomes:
  high: {when: tension > 0.5}
"""

REGISTER = "claims:\n  real-claim: {text: a claim}\n  other-claim: {text: another}\n"


def edit(old: str, new: str, text: str = MINI) -> str:
    """``text`` with the one occurrence of ``old`` replaced (fails loudly on a typo)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def _billion_laughs() -> bytes:
    lines = ['lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{'abcdefghi'[i]}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Case:
    """One bad scenario and what the diagnosis must say.

    ``message`` is a fragment of the diagnostic (message, expected or found); ``hint``
    a fragment of its hint ("" = any hint, None = not checked). ``layout`` places the
    file: "flat" (tmp/bad.yaml) or "seeds" (tmp/scen/bad.yaml beside tmp/seeds/).
    ``bug``/``hint_bug``/``sole_bug`` are xfail reasons for the location, hint and
    only-this-problem checks. ``sole``: the problem is the only diagnostic.
    """

    id: str
    source: str | bytes
    line: int
    column: int
    path: str
    message: str
    hint: str | None = ""
    severity: str = "error"
    layout: str = "flat"
    cli: bool = False
    sole: bool = False
    bug: str | None = None
    hint_bug: str | None = None
    sole_bug: str | None = None


LOADER_LEVEL = [
    Case("syntax error", edit("{id: strike}]", "{id: strike}"), 12, 10, "",
         "`[` opened here is not closed", cli=True),
    Case("tab indentation", edit("  initial: pressure", "\tinitial: pressure"), 11, 1, "",
         "tab character used for indentation", cli=True),
    Case("duplicate key", MINI + "title: Again\n", MINI.count("\n") + 1, 1, "title",
         "duplicate key `title` (first defined at line 2)", cli=True),
    Case("alias bomb", _billion_laughs(), 1, 6, "lol", "anchors and aliases are not supported",
         cli=True),
    Case("100,000-deep nesting", b"a: " + b"[" * 100_000, 1, 67, "a" + "[0]" * 63,
         "nesting deeper than 64 levels", cli=True),
    Case("not UTF-8", edit("title: Mini", "title: Caf\udce9").encode(errors="surrogateescape"),
         2, 11, "", "\\xE9", cli=True),
    Case("UTF-16", MINI.encode("utf-16"), 0, 0, "", "the file is UTF-16", cli=True),
    Case("2 MiB file", (MINI + "# " + "x" * (2 * MIB) + "\n").encode(), 0, 0, "",
         "the limit is 1 MiB", cli=True),
    Case("python tag", edit("horizon: 1 year", 'horizon: !!python/object/apply:os.system ["ls"]'),
         4, 10, "horizon", "tags are not allowed (found `!!python/object/apply:os.system`)",
         cli=True),
    Case("empty file", b"", 0, 0, "", "the file is empty", cli=True),
    Case("list at top level", b"- id: x\n- title: y\n", 1, 1, "",
         "at the top level, found a list", cli=True),
]

_NO_HINT = "pydantic's message is passed through with no hint"

SCHEMA_LEVEL = [
    Case("unknown top-level key", edit("title: Mini", "titel: Mini"), 2, 1, "titel",
         "unknown key `titel`", "did you mean `title`?", cli=True),
    Case("unknown option key", edit("rate: 2 per year", "rat: 2 per year"), 31, 19,
         "actors.mx.options.calm_down.rat", "unknown key `rat`", "did you mean `rate`?",
         sole=True),
    Case("missing title", edit("title: Mini\n", ""), 1, 1, "", "missing required key `title`",
         "add `title:`", cli=True, sole=True),
    Case("missing actor options", edit("  mx:\n    options:\n", "  mx: {}\n  mx2:\n    options:\n"),
         28, 7, "actors.mx", "missing required key `options`", "add `options:`"),
    Case("list where a mapping is expected",
         edit("  cooperation: {initial: 0.7, min: 0, max: 1}", "  - cooperation"), 9, 3,
         "state", "a mapping"),
    Case("text where a number is expected", edit("min: 0, max: 1", "min: zero, max: 1"), 9, 36,
         "state.cooperation.min", "a number"),
    Case("empty title", edit("title: Mini", "title:"), 2, 7, "title", "nothing (an empty value)",
         "write a value"),
    Case("once: no (YAML 1.1 trap)", edit("once: true", "once: no"), 22, 15,
         "actors.us.options.strike.once", "true or false", "`yes`/`no`/`on`/`off`", cli=True),
    Case("terminal: yes (YAML 1.1 trap)", edit("terminal: true", "terminal: yes"), 34, 49,
         "outcomes.collapse.terminal", "true or false", "`true` or `false`"),
    Case("impossible date", edit("as_of: 2026-01-05", "as_of: 2026-13-45"), 3, 8, "as_of",
         "YYYY-MM-DD"),
    Case("bad actor identifier", edit("  mx:\n", "  Bad-Name:\n"), 28, 3, "actors.Bad-Name",
         "not a valid identifier", "us_executive"),
    Case("bad actor identifier: expected text", edit("  mx:\n", "  Bad-Name:\n"), 28, 3,
         "actors.Bad-Name", "not starting with a digit", None),
    Case("bad scenario id", edit("id: mini", "id: Mini Scenario"), 1, 5, "id",
         "lowercase letters, digits, `-` and `_`", ""),
    Case("rate and weight both",
         edit("surveil: {weight: 1,", "surveil: {weight: 1, rate: 2 per year,"),
         18, 16, "actors.us.options.surveil", "one of rate, weight or at"),
    Case("min greater than max", edit("min: 0, max: 1", "min: 1, max: 0"), 9, 16,
         "state.cooperation", "min (1) is greater than max (0)"),
    Case("effect of unknown kind", edit("[{deescalate: 1}]", "[{foo: 1}]"), 31, 47,
         "actors.mx.options.calm_down.effects[0]", "an effect must be", "`foo`"),
    Case("escalate: 0", edit("{deescalate: 1}", "{deescalate: 0}"), 31, 60,
         "actors.mx.options.calm_down.effects[0].deescalate", "a number of rungs, 1 to 100"),
    Case("ladder with one rung",
         edit("rungs: [{id: calm}, {id: pressure}, {id: covert}, {id: strike}]",
              "rungs: [{id: pressure}]"), 12, 10, "ladder.rungs", "at least 2"),
    Case("trigger: not_a_ref", edit("trigger: mx.backlash", "trigger: not_a_ref"), 25, 22,
         "actors.us.options.strike.effects[1].trigger", "`actor.option`", "actor.option"),
]

SEMANTIC = [
    Case("probability above 100%", edit("value: 0.5 to 0.9", "value: 150%"), 7, 21,
         "parameters.backlash.value", "cannot exceed 100%", "kind: real",
         sole=True),
    Case("chance: 1.5", edit("chance: backlash", "chance: 1.5"), 27, 21,
         "actors.us.options.strike.effects[1].chance", "between 0 and 1", "0.3", cli=True),
    Case("interval reversed", edit("value: 0.5 to 0.9", "value: 5% to 2%"), 7, 27,
         "parameters.backlash.value", "lower end is above its upper end",
         "smaller value first"),
    Case("negative rate parameter", edit("value: 1% to 5% per month", "value: -2 per year"), 6, 24,
         "parameters.strike_rate.value", "a rate cannot be negative", "",
         sole=True),
    Case("negative inline rate", edit("rate: 2 per year", "rate: -2 per year"), 31, 25,
         "actors.mx.options.calm_down.rate", "negative", ""),
    Case("negative percent rate", edit("rate: 2 per year", "rate: -3% per month"), 31, 25,
         "actors.mx.options.calm_down.rate", "negative", ""),
    Case("rate without unit", edit("rate: 2 per year", "rate: 0.3"), 31, 28,
         "actors.mx.options.calm_down.rate", "a rate needs `per <unit>`", "per year",
         cli=True),
    Case("rate parameter without unit",
         edit("value: 1% to 5% per month, assumption", "value: 0.3, kind: rate, assumption"),
         6, 27, "parameters.strike_rate.value", "a rate needs `per <unit>`", "per year"),
    Case("unknown name in expression",
         edit("strike_rate * (2 - cooperation)", "strike_rate * (2 - coperation)"), 21, 34,
         "actors.us.options.strike.rate", "unknown name `coperation`",
         "did you mean `cooperation`", cli=True, sole=True),
    Case("unknown name in a quoted expression",
         edit("strike_rate * (2 - cooperation)", '"strike_rate * (2 - coperation)"'), 21, 35,
         "actors.us.options.strike.rate", "unknown name `coperation`",
         "did you mean `cooperation`"),
    Case("unknown name in a folded block expression",
         edit("rate: strike_rate * (2 - cooperation)",
              "rate: >-\n          strike_rate *\n          (2 - coperation)"), 23, 16,
         "actors.us.options.strike.rate", "unknown name `coperation`"),
    Case("unknown name in a literal block expression",
         edit("rate: strike_rate * (2 - cooperation)",
              "rate: |-\n          strike_rate * (2 - coperation)"), 22, 30,
         "actors.us.options.strike.rate", "unknown name `coperation`"),
    Case("unknown name in a multi-line plain expression",
         edit("rate: strike_rate * (2 - cooperation)",
              "rate: strike_rate *\n          (2 - coperation)"), 22, 16,
         "actors.us.options.strike.rate", "unknown name `coperation`"),
    Case("unknown function",
         edit("strike_rate * (2 - cooperation)", "strike_rate * foo(cooperation)"),
         21, 29, "actors.us.options.strike.rate", "unknown function `foo`", "available",
         sole=True),
    Case("= instead of ==", edit("cooperation < 0.3", "cooperation = 0.3"), 34, 32,
         "outcomes.collapse.when", "to compare use `==`", "==", cli=True),
    Case("number as condition", edit("when: escalation >= covert", "when: 3"), 20, 15,
         "actors.us.options.strike.when", "must be true or false", "3 > 0"),
    Case("quoted number as condition", edit("when: escalation >= covert", "when: '1'"), 20, 16,
         "actors.us.options.strike.when", "must be true or false", "1 > 0"),
    Case("condition as weight", edit("surveil: {weight: 1,", "surveil: {weight: true,"), 18, 25,
         "actors.us.options.surveil.weight", "a number is needed here", "1 if true else 0"),
    Case("__import__ in expression", edit("when: escalation >= covert", "when: __import__('os')"),
         20, 15, "actors.us.options.strike.when", "`__import__` is not allowed", None),
    Case("deep parentheses", edit("when: escalation >= covert",
                                  "when: " + "(" * 200 + "1" + ")" * 200),
         20, 65, "actors.us.options.strike.when", "too many nested parentheses", None),
    Case("dotted name outside fired()", edit("when: escalation >= covert", "when: a.b.c"), 20, 15,
         "actors.us.options.strike.when", "inside fired(...)", "fired(a.b.c)"),
    Case("fired() of unknown option", edit("when: escalation >= covert", "when: fired(us.nope)"),
         20, 21, "actors.us.options.strike.when", "unknown option `us.nope`", None),
    Case("unknown ladder.initial", edit("initial: pressure", "initial: presure"), 11, 12,
         "ladder.initial", "unknown rung `presure`", "did you mean `pressure`?"),
    Case("unknown thresholds.below", edit("below: strike", "below: strik"), 13, 37,
         "ladder.thresholds.sovereignty.below", "unknown rung `strik`", "did you mean `strike`?"),
    Case("unknown rung in expression", edit(">= covert", ">= covret"), 20, 29,
         "actors.us.options.strike.when", "unknown name `covret`", "did you mean `covert`?"),
    Case("dangling trigger (typo)", edit("trigger: mx.backlash", "trigger: mx.backlas"), 25, 22,
         "actors.us.options.strike.effects[1].trigger", "unknown option `mx.backlas`",
         "did you mean `mx.backlash`?"),
    Case("dangling trigger", edit("trigger: mx.backlash", "trigger: us.nope"), 25, 22,
         "actors.us.options.strike.effects[1].trigger", "unknown option `us.nope`", "us.strike",
         cli=True),
    Case("weight without decides", edit("calm_down: {rate: 2 per year", "calm_down: {weight: 2"),
         31, 27, "actors.mx.options.calm_down.weight", "does not decide", "decides:"),
    Case("set of a parameter", edit("set: {escalation: strike}", "set: {strike_rate: 0.1}"), 24, 32,
         "actors.us.options.strike.effects[0].set.strike_rate", "is a parameter", ""),
    Case("set of an unknown variable", edit("set: {escalation: strike}", "set: {cooperatoin: 0.1}"),
         24, 32, "actors.us.options.strike.effects[0].set.cooperatoin", "not a state variable",
         "did you mean `cooperation`?"),
    Case("initial value outside bounds",
         edit("initial: 0.7, min: 0", "initial: 1.7, min: 0"), 9, 26,
         "state.cooperation.initial", "outside the bounds [0, 1]", "change the value"),
    Case("initial value uses a state variable",
         edit("initial: 0.7, min: 0", "initial: cooperation * 2, min: 0"), 9, 26,
         "state.cooperation.initial", "unknown name `cooperation`", "parameters"),
    Case("variant: unknown parameter", edit("{strike_rate: 0.1%", "{strike_rat: 0.1%"), 38, 37,
         "variants.dovish.parameters.strike_rat", "unknown parameter `strike_rat`",
         "did you mean `strike_rate`?"),
    Case("variant: unknown option",
         edit("{parameters: {strike_rate: 0.1% to 1% per month}}",
              "{options: {us.strik: {enabled: false}}}"), 38, 32,
         "variants.dovish.options.us.strik", "unknown option `us.strik`", "`us.strike`"),
    Case("variant: unknown state",
         edit("{parameters: {strike_rate: 0.1% to 1% per month}}", "{state: {cooperaton: 0.5}}"),
         38, 32, "variants.dovish.state.cooperaton", "unknown state variable",
         "did you mean `cooperation`?"),
    Case("variant: unknown ladder_initial",
         edit("{parameters: {strike_rate: 0.1% to 1% per month}}", "{ladder_initial: nowhere}"),
         38, 28, "variants.dovish.ladder_initial", "unknown rung `nowhere`", "",
         sole=True),
    Case("variant named baseline", edit("  dovish:", "  baseline:"), 38, 13, "variants.baseline",
         "`baseline` is the scenario itself", "another name"),
    Case("escalate without ladder", NO_LADDER, 10, 42, "actors.a.options.push.effects[0]",
         "no ladder", "`ladder:`", cli=True),
    Case("horizon of 0 days", edit("horizon: 1 year", "horizon: 0 days"), 4, 10, "horizon",
         "longer than zero", "1 year"),
    Case("horizon as a range", edit("horizon: 1 year", "horizon: 1 to 2 years"), 4, 10, "horizon",
         "single duration, not a range", "1 year"),
    Case("horizon 1:30", edit("horizon: 1 year", "horizon: 1:30"), 4, 11, "horizon",
         "unexpected character `:`", None),
    Case("trigger delay not a duration", edit("after: 2 to 6 weeks", "after: soon"), 26, 20,
         "actors.us.options.strike.effects[1].after", "unknown name `soon`", "weeks"),
    Case("decision cadence of zero", edit("every: 1 month", "every: 0 days"), 16, 22,
         "actors.us.decides.every", "one positive duration", "1 month"),
    Case("unknown evidence id (seeds/ beside the parent)",
         edit("assumption: true, note: x}", "evidence: [real-claim, reel-claim], note: x}"),
         6, 67, "parameters.strike_rate.evidence[1]", "unknown evidence id `reel-claim`",
         "did you mean `real-claim`?", layout="seeds", cli=True),
    Case("unknown evidence id (evidence_register:)",
         edit("title: Mini\n", "title: Mini\nevidence_register: seeds/evidence.yaml\n",
              edit("assumption: true, note: x}", "evidence: [zzz], note: x}")),
         7, 55, "parameters.strike_rate.evidence[0]", "unknown evidence id `zzz`",
         "add the claim", layout="register"),
    Case("evidence register missing",
         edit("title: Mini\n", "title: Mini\nevidence_register: nope.yaml\n"),
         3, 20, "evidence_register", "does not exist", "relative to the scenario file"),
    Case("constant rate dividing by zero", edit("rate: 2 per year", "rate: 1/0"), 31, 25,
         "actors.mx.options.calm_down.rate", "", ""),
    Case("negative rate as an expression", edit("rate: 2 per year", "rate: 0 - 0.1"), 31, 25,
         "actors.mx.options.calm_down.rate", "negative", ""),
    Case("initial value outside bounds as an expression",
         edit("initial: 0.7, min: 0", "initial: 1 + 1, min: 0"), 9, 26,
         "state.cooperation.initial", "outside the bounds", ""),
    Case("at: as a range", edit("calm_down: {rate: 2 per year", "calm_down: {at: 1 day to 1 year"),
         31, 23, "actors.mx.options.calm_down.at", "", ""),
    Case("at: outside the horizon (warning)",
         edit("calm_down: {rate: 2 per year", "calm_down: {at: 2030-01-01"), 31, 23,
         "actors.mx.options.calm_down.at", "outside the horizon", None, severity="warning",
         sole=True),
    Case("unused parameter (warning)", edit("parameters:\n", "parameters:\n  spare: 0.5\n"), 6, 10,
         "parameters.spare", "parameter `spare` is never used", "remove it", severity="warning",
         sole=True, cli=True),
    Case("unreachable outcome (warning)",
         edit("outcomes:\n", "outcomes:\n  never: {when: strike_rate > 1}\n"), 33, 10,
         "outcomes.never", "can only hold from the start", "check its `when`",
         severity="warning"),
]

CASES = LOADER_LEVEL + SCHEMA_LEVEL + SEMANTIC


def _params(cases: list[Case], bug_field: str) -> list[Any]:
    out = []
    for case in cases:
        reason = getattr(case, bug_field)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def write_case(case: Case, folder: Path) -> Path:
    """Write the case's file under ``folder`` (with an evidence register if it needs one)."""
    data = case.source.encode() if isinstance(case.source, str) else case.source
    if case.layout == "seeds":  # the nearest seeds/evidence.yaml of a parent folder
        (folder / "seeds").mkdir()
        (folder / "seeds" / "evidence.yaml").write_text(REGISTER)
        target = folder / "scen" / "bad.yaml"
        target.parent.mkdir()
    elif case.layout == "register":  # named by `evidence_register:`
        (folder / "seeds").mkdir()
        (folder / "seeds" / "evidence.yaml").write_text(REGISTER)
        target = folder / "bad.yaml"
    else:
        target = folder / "bad.yaml"
    target.write_bytes(data)
    return target


def _find(case: Case, diagnostics: list[Diagnostic]) -> Diagnostic:
    """The diagnostic at the case's key path whose text holds the fragment."""
    rendered = "\n".join(d.format() for d in diagnostics)
    candidates = [d for d in diagnostics if format_key_path(d.path) == case.path
                  and case.message in "\n".join(filter(None, (d.message, d.expected, d.found)))]
    assert candidates, f"no diagnostic at `{case.path}` mentioning {case.message!r}:\n{rendered}"
    return candidates[0]


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 45
    assert len({case.id for case in CASES}) == len(CASES)


# --------------------------------------------------------------------------- the library


@pytest.mark.parametrize("case", _params(CASES, "bug"))
def test_problem_is_placed_and_named(case: Case, tmp_path: Path) -> None:
    path = write_case(case, tmp_path)
    result = read_scenario(path)  # never raises for bad input
    diagnostic = _find(case, result.diagnostics)
    rendered = diagnostic.format()
    assert (diagnostic.line, diagnostic.column) == (case.line, case.column), rendered
    assert diagnostic.severity == case.severity, rendered
    assert diagnostic.file == str(path), rendered
    assert rendered.startswith(f"{diagnostic.location}: {case.severity}")
    for d in result.diagnostics:  # every diagnostic is placed in a real file and line
        assert d.file in (str(path), str(path.parent / "seeds" / "evidence.yaml")), d.format()
        if d.line == 0:
            assert d.column == 0, d.format()
        elif isinstance(case.source, str):
            lines = case.source.splitlines()
            assert 1 <= d.line <= len(lines), d.format()
            assert 1 <= d.column <= len(lines[d.line - 1]) + 1, d.format()
    if case.severity == "error":
        assert not result.ok
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        assert diagnostic in caught.value.diagnostics
        assert caught.value.errors
    else:
        assert result.ok, rendered
        assert result.scenario is not None
        assert load_scenario(path) == result.scenario


@pytest.mark.parametrize(
    "case", _params([c for c in CASES if c.hint is not None and not c.bug], "hint_bug")
)
def test_problem_has_a_hint(case: Case, tmp_path: Path) -> None:
    diagnostic = _find(case, read_scenario(write_case(case, tmp_path)).diagnostics)
    assert diagnostic.hint, diagnostic.format()
    assert case.hint in diagnostic.hint, diagnostic.format()


@pytest.mark.parametrize("case", _params([c for c in CASES if c.sole and not c.bug], "sole_bug"))
def test_only_the_real_problem_is_reported(case: Case, tmp_path: Path) -> None:
    diagnostics = read_scenario(write_case(case, tmp_path)).diagnostics
    assert [format_key_path(d.path) for d in diagnostics] == [case.path], "\n".join(
        d.format() for d in diagnostics)


def test_independent_errors_are_reported_together(tmp_path: Path) -> None:
    text = edit("strike_rate * (2 - cooperation)", "strike_rate * (2 - coperation)")
    text = edit("trigger: mx.backlash", "trigger: mx.backlas", text)
    text = edit("below: strike", "below: strik", text)
    path = tmp_path / "three.yaml"
    path.write_text(text)
    result = read_scenario(path)
    assert [(d.line, d.column, d.severity) for d in result.diagnostics] == [
        (13, 37, "error"), (21, 34, "error"), (25, 22, "error")]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert len(caught.value.errors) == 3
    assert caught.value.format().count(": error at `") == 3


def test_schema_errors_are_reported_together(tmp_path: Path) -> None:
    text = edit("title: Mini", "titel: Mini")
    text = edit("once: true", "once: no", text)
    text = edit("rate: 2 per year", "rat: 2 per year", text)
    path = tmp_path / "many.yaml"
    path.write_text(text)
    paths = {format_key_path(d.path) for d in read_scenario(path).diagnostics}
    assert {"titel", "actors.us.options.strike.once", "actors.mx.options.calm_down.rat"} <= paths


def test_bad_evidence_register_is_named_as_a_register(tmp_path: Path) -> None:
    (tmp_path / "register.yaml").write_text("- not a mapping\n")
    path = tmp_path / "s.yaml"
    path.write_text(edit("title: Mini\n", "title: Mini\nevidence_register: register.yaml\n"))
    (diagnostic,) = read_scenario(path).diagnostics
    assert diagnostic.file == str(tmp_path / "register.yaml")
    assert diagnostic.line == 1


def test_bad_evidence_register_message_speaks_of_claims(tmp_path: Path) -> None:
    (tmp_path / "register.yaml").write_text("- not a mapping\n")
    path = tmp_path / "s.yaml"
    path.write_text(edit("title: Mini\n", "title: Mini\nevidence_register: register.yaml\n"))
    (diagnostic,) = read_scenario(path).diagnostics
    assert "claims" in diagnostic.format()
    assert "id: my-scenario" not in diagnostic.format()


def test_valid_scenario_has_no_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI)
    result = read_scenario(path)
    assert result.ok
    assert result.diagnostics == []
    assert len(result.sha256) == 64


def test_missing_file_and_folder_are_diagnostics(tmp_path: Path) -> None:
    for path in (tmp_path / "nope.yaml", tmp_path):
        result = read_scenario(path)
        assert not result.ok
        (diagnostic,) = result.diagnostics
        assert diagnostic.file == str(path)
        assert diagnostic.hint
        with pytest.raises(ScenarioError):
            load_scenario(path)


# ----------------------------------------------------------------- geosim validate (in-process)

runner = CliRunner()


def _invoke(args: list[str]) -> Any:
    result = runner.invoke(app, args, catch_exceptions=True)
    assert "Traceback" not in result.output, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _location(case: Case, shown: str) -> str:
    return (f"{shown}:{case.line}:{case.column}: {case.severity}" if case.line
            else f"{shown}: {case.severity}")


@pytest.mark.parametrize("case", _params([c for c in CASES if c.cli], "bug"))
def test_cli_prints_compiler_style_lines(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_case(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    shown = str(path.relative_to(tmp_path))
    result = _invoke(["validate", shown])
    assert result.exit_code == (1 if case.severity == "error" else 0), result.output
    lines = result.output.splitlines()
    assert any(line.startswith(_location(case, shown)) for line in lines), result.output
    if case.hint and not case.hint_bug:
        assert "    hint:" in result.output
    if case.severity == "error":
        assert "1 of 1 file(s) invalid" in result.output
    else:
        assert f"{shown}: ok (1 warning)" in result.output


@pytest.mark.parametrize("case", _params([c for c in CASES if c.cli][:6], "bug"))
def test_cli_json_output(case: Case, tmp_path: Path) -> None:
    path = write_case(case, tmp_path)
    result = _invoke(["validate", "--json", str(path)])
    assert result.exit_code == 1
    (entry,) = json.loads(result.stdout)
    assert entry["file"] == str(path)
    assert entry["valid"] is False
    assert entry["diagnostics"]
    fields = {"file", "line", "column", "path", "severity", "message", "expected", "found", "hint"}
    for diagnostic in entry["diagnostics"]:
        assert set(diagnostic) == fields
    assert any((d["line"], d["column"], d["path"]) == (case.line, case.column, case.path)
               for d in entry["diagnostics"]), entry


def test_cli_json_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI)
    result = _invoke(["validate", "--json", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{"file": str(path), "valid": True, "scenario": "mini",
                                          "variants": ["dovish"], "diagnostics": []}]


def test_cli_exit_0_on_valid_files(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI)
    result = _invoke(["validate", str(path), *map(str, sorted(ROOT.glob("scenarios/*.yaml")))])
    assert result.exit_code == 0, result.output
    assert f"{path}: ok" in result.output


def test_cli_folder_validates_every_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "many"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.yaml").write_text(MINI)
    (folder / "sub" / "good2.yml").write_text(MINI)
    (folder / "bad.yaml").write_text(edit("title: Mini", "titel: Mini"))
    (folder / "notes.txt").write_text("not a scenario: [")
    monkeypatch.chdir(tmp_path)
    result = _invoke(["validate", "many"])
    assert result.exit_code == 1
    assert "many/good.yaml: ok" in result.output
    assert "many/sub/good2.yml: ok" in result.output
    assert "many/bad.yaml:2:1: error at `titel`" in result.output
    assert "notes.txt" not in result.output
    assert "1 of 3 file(s) invalid" in result.output
    report = json.loads(_invoke(["validate", "--json", "many"]).stdout)
    assert [entry["valid"] for entry in report] == [False, True, True]


def test_cli_quiet_prints_errors_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "warn.yaml").write_text(edit("parameters:\n", "parameters:\n  spare: 0.5\n"))
    monkeypatch.chdir(tmp_path)
    result = _invoke(["validate", "--quiet", "warn.yaml"])
    assert result.exit_code == 0
    assert result.output == ""


def test_cli_empty_folder_and_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    result = _invoke(["validate", "empty"])
    assert result.exit_code == 1
    assert "no scenario files found" in result.output
    result = _invoke(["validate", "missing.yaml"])
    assert result.exit_code == 1
    assert "missing.yaml: error: cannot read the file" in result.output


# ----------------------------------------------------------------- python -m simulator validate


def _python_m(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    environ.update(env)
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "simulator", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=120, check=False)


def test_subprocess_reports_every_loader_problem(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    expected = []
    for i, case in enumerate(c for c in LOADER_LEVEL if not c.bug):
        (folder / f"{i}").mkdir(parents=True)
        path = write_case(case, folder / f"{i}")
        expected.append(_location(case, str(path.relative_to(tmp_path))))
    proc = _python_m(["validate", "bad"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    for location in expected:
        assert any(line.startswith(location) for line in lines), (location, proc.stderr)
    assert f"{len(expected)} of {len(expected)} file(s) invalid" in proc.stderr


def test_subprocess_valid_file_exits_0(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(MINI)
    proc = _python_m(["validate", "mini.yaml"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "mini.yaml: ok\n"
    assert proc.stderr == ""


def test_subprocess_does_not_wrap_long_lines(tmp_path: Path) -> None:
    """Piped output (CI logs, editors) keeps each `file:line:col: error ...` on one line."""
    folder = tmp_path / "a_folder_with_a_rather_long_name" / "and_another_level_below_it"
    folder.mkdir(parents=True)
    path = folder / "effect_with_unknown_kind.yaml"
    path.write_text(edit("[{deescalate: 1}]", "[{foo: 1}]"))
    proc = _python_m(["validate", str(path)], tmp_path)
    assert proc.returncode == 1
    first = read_scenario(path).diagnostics[0].format().splitlines()[0]
    assert first in proc.stderr.splitlines(), proc.stderr
