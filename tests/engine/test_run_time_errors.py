"""Run-time errors that name the mistake: a chance that leaves [0, 1] (never clamped),
and a runaway run told apart as a zero-delay trigger loop or a rate in the wrong unit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import simulator
from simulator.engine.guards import trigger_cycle

ENGINES = pytest.mark.parametrize("engine", ["simpy", "numpy", "compiled"])

CHANCE = """\
id: chances
title: Chances
as_of: 2026-01-01
horizon: 100 days
parameters:
  boost: {value: 0.5 to 0.9, assumption: true, note: test}
state:
  tension: {initial: 0, min: 0, max: 10}
actors:
  nature:
    options:
      spark:
        rate: 1 per week
        effects:
          - add: {tension: 1}
          - trigger: nature.flare
            after: 1 day
            chance: CHANCE
      flare: {}
outcomes:
  flared: {when: count(nature.flare) > 0}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


def _run(tmp_path: Path, text: str, engine: str, runs: int = 20) -> simulator.Results:
    return simulator.run(_write(tmp_path, text), runs=runs, executor="serial",
                         out=tmp_path / "o", engine=engine, seed=7, force=True)


@ENGINES
@pytest.mark.parametrize(("expression", "found"), [
    ("boost * tension", r"is 1\.\d+"),        # above 1 once tension reaches 2
    ("boost - tension / 2", r"is -\d"),       # below 0 once tension reaches 2
])
def test_a_chance_outside_0_1_stops_the_run_naming_option_and_key(
        tmp_path: Path, engine: str, expression: str, found: str) -> None:
    text = CHANCE.replace("CHANCE", expression)
    with pytest.raises(simulator.RunError) as caught:
        _run(tmp_path, text, engine)
    message = str(caught.value)
    assert f"the chance `{expression}` of a trigger of `nature.spark`" in message
    assert "`actors.nature.options.spark.effects[1].chance`" in message
    assert "does not clamp" in message
    assert "clip(" in message
    assert re.search(found, message), message


@ENGINES
def test_a_chance_inside_0_1_runs(tmp_path: Path, engine: str) -> None:
    # the same expression bounded explicitly: no error, and the trigger does fire
    text = CHANCE.replace("CHANCE", "clip(boost * tension, 0, 1)")
    results = _run(tmp_path, text, engine, runs=50)
    assert 0.0 < results.probability("flared") <= 1.0


@ENGINES
def test_a_chance_that_is_not_a_number_is_an_error_too(tmp_path: Path, engine: str) -> None:
    text = CHANCE.replace("CHANCE", "boost / (tension - tension)")
    with pytest.raises(simulator.RunError, match=r"is (?:nan|inf) at day .*division by zero"):
        _run(tmp_path, text, engine)


LOOP = """\
id: loop
title: Loop
as_of: 2026-01-01
horizon: 100 days
state:
  heat: {initial: 0, min: 0, max: 5}
actors:
  a:
    options:
      start: {at: 10 days, effects: [{trigger: a.ping}]}
      ping: {when: heat >= 0, effects: [{trigger: b.pong}, {trigger: a.aside}]}
      aside: {}
  b:
    options:
      pong: {when: heat >= 0, effects: [{add: {heat: 1}}, {trigger: a.ping}]}
outcomes:
  hot: {when: heat >= 5}
"""


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    # the cap itself is what is diagnosed; a lower one keeps the NumPy engine (one step
    # per event) from stepping 200,000 times
    from simulator.engine import compiled_engine, simpy_engine, vector_engine

    for module in (simpy_engine, vector_engine, compiled_engine):
        monkeypatch.setattr(module, "MAX_EVENTS", 2_000)


@ENGINES
def test_a_zero_delay_loop_is_named_as_one(tmp_path: Path, engine: str,
                                           small_cap: None) -> None:
    # the conditions cannot stop it (heat >= 0 always holds): the clock stops at day 10
    with pytest.raises(simulator.RunError) as caught:
        _run(tmp_path, LOOP, engine, runs=1)
    message = str(caught.value)
    assert "passed 2,000 events, and the clock stopped at day 10" in message
    chain = "`a.ping` → `b.pong` → `a.ping`"
    assert f"trigger each other with no delay, over and over: {chain}" in message
    assert "wrong unit" not in message
    assert "after: 1 day" in message  # the fix


def test_the_run_time_cycle_matches_the_static_one(tmp_path: Path) -> None:
    # the static check names the same loop in the same order (here as a warning: the
    # options have conditions)
    result = simulator.read_scenario(_write(tmp_path, LOOP))
    static = [d for d in result.diagnostics if "trigger each other" in d.message]
    assert static
    assert "`a.ping` → `b.pong` → `a.ping`" in static[0].message
    assert result.scenario is not None
    model = simulator.compile_model(result.scenario)
    keys = [o.key for o in model.options]
    fired = [keys.index(k) for k in ("a.ping", "b.pong", "a.aside")] * 3
    assert [keys[i] for i in trigger_cycle(model, fired)] == ["a.ping", "b.pong"]


@ENGINES
def test_a_hazard_firing_too_often_is_still_a_unit_slip(tmp_path: Path, engine: str,
                                                         small_cap: None) -> None:
    text = CHANCE.replace("CHANCE", "0.5").replace("1 per week", "1e9 per day")
    with pytest.raises(simulator.RunError, match=r"passed 2,000 events by day .*wrong unit"):
        _run(tmp_path, text, engine, runs=1)


@pytest.mark.parametrize(("expression", "warned"), [
    ("boost * tension", True),
    ("tension", True),                      # a state variable bounded by [0, 10]
    ("clip(boost * tension, 0, 1)", False),
    ("boost", False),                       # a probability parameter
])
def test_validate_warns_about_chances_that_may_leave_0_1(tmp_path: Path, expression: str,
                                                         warned: bool) -> None:
    result = simulator.read_scenario(_write(tmp_path, CHANCE.replace("CHANCE", expression)))
    assert result.ok
    found = [d for d in result.diagnostics if "this chance can be" in d.message]
    assert bool(found) == warned, [d.format() for d in result.diagnostics]
    if warned:
        assert "stops with an error" in found[0].message
        assert found[0].path == ("actors", "nature", "options", "spark", "effects", 1,
                                 "chance")
