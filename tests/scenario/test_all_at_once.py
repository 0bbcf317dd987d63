"""One validate run reports every independent mistake, across stages, without cascades.

The stages are YAML syntax → structure → quantities and expressions → names → kinds
and loops. ``data/ten_mistakes.yaml`` holds ten mistakes, at least one per stage; each
must be reported once, at its place, and nothing else may be reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.errors import format_key_path
from simulator.loading import read_scenario

TEN = Path(__file__).parent / "data" / "ten_mistakes.yaml"

# (line, key path, a fragment of the message, a fragment of the hint)
EXPECTED = [
    (5, "", "unexpected `:`", "quotes"),                                   # YAML syntax
    (10, "parameters.backlash.value", "mixed notation", "`5%`"),           # quantity
    (18, "ladder.thresholds.sovereignty.below", "unknown rung", "`strike`"),  # name
    (23, "actors.us.options.surveil.effects[0].escalate", "number of rungs",
     "`deescalate: 1`"),                                                   # structure
    (26, "actors.us.options.strike.rate", "unknown name `coperation`", "`cooperation`"),
    (27, "actors.us.options.strike.once", "true or false", "YAML 1.1"),    # structure
    (30, "actors.us.options.strike.effects[1].trigger", "unknown option", "`mx.backlash`"),
    (34, "actors.mx.options.backlash.rate", "is a duration", "`1 to 4 per month`"),  # kind
    (35, "actors.mx.options.calm_down.rat", "unknown key `rat`", "`rate`"),  # structure
    (36, "actors.mx.options.protest.effects[0].chance", "`spill` is 1.5", "`1.5%`"),  # range
]


def _about_this(message: str) -> bool:
    """Provenance warnings (numbers without a source) are checked elsewhere; a parameter
    left unused by a substitution below is not what these tests are about."""
    return "without provenance" not in message and "never used" not in message


def test_ten_mistakes_are_reported_in_one_run() -> None:
    result = read_scenario(TEN)
    got = [(d.line, format_key_path(d.path), d.message, d.hint or "", d.severity)
           for d in result.diagnostics if _about_this(d.message)]
    rendered = "\n".join(d.format() for d in result.diagnostics)
    assert len(got) == len(EXPECTED), rendered
    for (line, path, message, hint, severity), (e_line, e_path, e_message, e_hint) in zip(
            got, EXPECTED, strict=True):
        assert (line, path, severity) == (e_line, e_path, "error"), rendered
        assert e_message in message, rendered
        assert e_hint in hint, rendered
    assert not result.ok


def test_validate_command_prints_all_ten() -> None:
    outcome = CliRunner().invoke(app, ["validate", str(TEN)])
    assert outcome.exit_code == 1
    assert outcome.output.count(": error") == len(EXPECTED), outcome.output
    assert "Traceback" not in outcome.output


def _diagnostics(tmp_path: Path, text: str) -> list[tuple[int, str, str, str]]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return [(d.line, format_key_path(d.path), d.severity, d.message)
            for d in read_scenario(path).diagnostics if _about_this(d.message)]


BASE = """\
id: s
title: S
as_of: 2026-01-05
horizon: 1 year
parameters:
  base_rate: {value: 1% to 4% per month, assumption: true}
  gap: {value: 2 to 6 weeks, assumption: true}
  odds: {value: 20% to 60%, assumption: true}
state:
  tension: {initial: 0.2, min: 0, max: 1}
actors:
  a:
    options:
      push:
        rate: RATE
        effects:
          - add: {tension: 0.1}
          - trigger: a.react
            after: AFTER
            chance: CHANCE
      react: {effects: [{add: {tension: 0.2}}]}
outcomes:
  high: {when: tension > 0.5}
"""


def _base(rate: str = "base_rate", after: str = "gap", chance: str = "odds") -> str:
    return BASE.replace("RATE", rate).replace("AFTER", after).replace("CHANCE", chance)


def test_base_is_valid(tmp_path: Path) -> None:
    assert _diagnostics(tmp_path, _base()) == []


@pytest.mark.parametrize(
    ("field", "text", "line", "fragment"),
    [
        ("rate", "odds", 15, "`odds` is a probability"),
        ("rate", "gap * 2", 15, "`gap` is a duration"),
        ("chance", "base_rate", 20, "`base_rate` is a rate"),
        ("chance", "gap", 20, "`gap` is a duration"),
        ("after", "base_rate", 19, "`base_rate` is a rate"),
        ("after", "odds", 19, "`odds` is a probability"),
    ],
)
def test_a_value_of_the_wrong_kind_is_an_error(tmp_path: Path, field: str, text: str,
                                               line: int, fragment: str) -> None:
    found = _diagnostics(tmp_path, _base(**{field: text}))
    assert len(found) == 1, found
    got_line, path, severity, message = found[0]
    assert (got_line, path.rsplit(".", 1)[-1], severity) == (line, field, "error"), found
    assert fragment in message


@pytest.mark.parametrize("rate", ["base_rate * (1 - tension)", "1 / gap", "base_rate + 0.001",
                                  "base_rate * odds", "base_rate if tension > 0.5 else 0"])
def test_rates_that_are_rates_pass(tmp_path: Path, rate: str) -> None:
    assert _diagnostics(tmp_path, _base(rate=rate)) == []


def test_a_rate_without_any_unit_is_a_warning(tmp_path: Path) -> None:
    found = _diagnostics(tmp_path, _base(rate="0.01 * tension"))
    assert [(line, sev) for line, _, sev, _ in found] == [(15, "warning")], found
    assert "hazard per day" in found[0][3]


def test_a_chance_drawn_outside_zero_one_is_an_error(tmp_path: Path) -> None:
    text = _base(chance="spread").replace(
        "state:", "  spread: {value: 0.5 to 2, assumption: true}\nstate:")
    found = _diagnostics(tmp_path, text)
    assert [(p, sev) for _, p, sev, _ in found] == [
        ("actors.a.options.push.effects[1].chance", "error")], found
    assert "outside [0, 1]" in found[0][3]


def test_variant_that_changes_a_parameter_s_kind_is_an_error(tmp_path: Path) -> None:
    text = _base() + "variants:\n  v: {parameters: {base_rate: 2 to 6 weeks}}\n"
    found = _diagnostics(tmp_path, text)
    assert [(p, sev) for _, p, sev, _ in found] == [("variants.v.parameters.base_rate",
                                                     "error")], found


def test_list_items_after_a_removed_one_keep_their_lines(tmp_path: Path) -> None:
    # effect 0 is refused (structure); effect 1 has an unknown name (meaning): it must
    # still be reported on its own line, not shifted onto effect 0's
    text = _base().replace("- add: {tension: 0.1}", "- escalate: 0").replace(
        "chance: odds", "chance: oddz")
    found = _diagnostics(tmp_path, text)
    assert [(line, p) for line, p, _, _ in found] == [
        (17, "actors.a.options.push.effects[0].escalate"),
        (20, "actors.a.options.push.effects[1].chance")], found


def test_a_syntax_error_does_not_hide_later_errors_nor_cause_missing_keys(
        tmp_path: Path) -> None:
    # the broken line holds a required key (`when`): "missing `when`" would be a cascade
    text = _base(chance="oddz").replace("high: {when: tension > 0.5}",
                                        "high:\n    when: tension: > 0.5")
    found = _diagnostics(tmp_path, text)
    assert [(line, sev) for line, _, sev, _ in found] == [(20, "error"), (24, "error")], found
    assert "unknown name `oddz`" in found[0][3]


def test_a_removed_option_causes_no_unknown_option_error(tmp_path: Path) -> None:
    # `react` is refused as a whole (rate and weight); the trigger naming it is fine
    text = _base().replace("react: {effects:", "react: {rate: 1 per year, weight: 1, effects:")
    found = _diagnostics(tmp_path, text)
    assert [(line, p) for line, p, _, _ in found] == [(21, "actors.a.options.react")], found


LOOP = """\
id: loop
title: Loop
as_of: 2026-01-05
horizon: 1 year
state:
  tension: {initial: 0.2, min: 0, max: 1}
actors:
  a:
    options:
      start: {rate: 2 per year, effects: [{trigger: a.ping}]}
      ping: {effects: [{add: {tension: 0.1}}, {trigger: a.pong}]}
      pong: {effects: [{trigger: a.ping, after: 0 days}]}
outcomes:
  high: {when: tension > 0.5}
"""


def test_zero_delay_trigger_loop_is_an_error(tmp_path: Path) -> None:
    found = _diagnostics(tmp_path, LOOP)
    assert [(line, sev) for line, _, sev, _ in found] == [(11, "error")], found
    assert "`a.ping` → `a.pong` → `a.ping`" in found[0][3]


@pytest.mark.parametrize(("old", "new", "severities"), [
    ("after: 0 days", "after: 1 day", []),                       # a delay: time moves on
    ("{trigger: a.pong}", "{trigger: a.pong, chance: 0.5}", []),   # ends by chance
    ("pong: {effects:", "pong: {once: true, effects:", []),       # once
    ("pong: {effects:", "pong: {when: tension < 0.5, effects:", ["warning"]),
])
def test_what_stops_a_loop(tmp_path: Path, old: str, new: str,
                           severities: list[str]) -> None:
    text = LOOP.replace(old, new)
    assert text != LOOP
    assert [s for _, _, s, _ in _diagnostics(tmp_path, text)] == severities


@pytest.mark.parametrize(("chance", "warned"), [
    ("odds * 1.5", True),                  # a probability in [0, 1] times 1.5 can reach 1.5
    ("odds - tension", True),              # can go below 0
    ("odds * (1 - tension)", False),       # stays inside [0, 1]
    ("clip(odds * 1.5, 0, 1)", False),     # bounded explicitly
    ("0.2 + 0.5 * tension", False),        # tension is bounded to [0, 1]
])
def test_a_chance_expression_that_can_leave_zero_one_is_a_warning(
        tmp_path: Path, chance: str, warned: bool) -> None:
    found = _diagnostics(tmp_path, _base(chance=chance))
    expected = [(20, "actors.a.options.push.effects[1].chance", "warning")] if warned else []
    assert [(line, p, sev) for line, p, sev, _ in found] == expected, found
