"""`horizon: until absorbed`: runs end when nothing more can happen, a run still going at
the cap is an error, and what could let time alone change things is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import simulator
from simulator.scenario.horizon import DEFAULT_CAP, horizon_phrase, read_horizon

ENGINES = pytest.mark.parametrize("engine", ["simpy", "numpy", "compiled"])

BASE = """\
id: absorb
title: Absorb
as_of: 2026-01-01
horizon: HORIZON
state:
  heat: {initial: 0, min: 0, max: 3}
actors:
  nature:
    options:
      warm: {when: heat < 3, rate: 1 per month, effects: [{add: {heat: 1}}]}
      late: {at: 200 days}
  chooser:
    decides: {every: 1 week}
    options:
      cool: {when: heat >= 3, weight: WEIGHT, effects: [{set: {heat: 2.5}}]}
outcomes:
  hot: {when: heat >= 3}
"""


def _scenario(horizon: str = "until absorbed", weight: str = "0") -> str:
    return BASE.replace("HORIZON", horizon).replace("WEIGHT", weight)


def _run(tmp_path: Path, text: str, engine: str, runs: int = 200) -> simulator.Results:
    path = tmp_path / "a.yaml"
    path.write_text(text)
    return simulator.run(path, runs=runs, executor="serial", out=tmp_path / "o",
                         engine=engine, seed=3, force=True)


@ENGINES
def test_runs_end_when_nothing_more_can_happen(tmp_path: Path, engine: str) -> None:
    df = _run(tmp_path, _scenario(), engine).to_pandas()
    # `warm` switches itself off at heat 3; `cool` has no weight; `late` is due at day 200
    assert (df["count.nature.warm"] == 3).all()
    assert (df["count.nature.late"] == 1).all()
    last = np.array([max(times) for times in df["event_times"]])
    np.testing.assert_array_equal(df["end_time"].to_numpy(), np.maximum(last, 200.0))
    assert (df["outcome.hot"]).all()


@ENGINES
def test_a_run_with_nothing_possible_ends_at_day_0(tmp_path: Path, engine: str) -> None:
    text = _scenario().replace("initial: 0, min", "initial: 3, min").replace(
        "      late: {at: 200 days}\n", "")
    df = _run(tmp_path, text, engine, runs=20).to_pandas()
    assert (df["end_time"] == 0.0).all()
    assert (df["n_events"] == 0).all()


@ENGINES
def test_a_run_still_going_at_the_cap_is_an_error(tmp_path: Path, engine: str) -> None:
    # `cool` always has weight at heat 3 and `warm` then brings heat back: never absorbed
    text = _scenario("until absorbed, at most 2 years", weight="1")
    with pytest.raises(simulator.RunError) as caught:
        _run(tmp_path, text, engine, runs=5)
    message = str(caught.value)
    assert "still going at the cap of its `until absorbed` horizon, day 730.5 (2 years)" \
        in message
    assert "`nature.warm` (rate" in message or "`chooser.cool` (a decision" in message
    assert "Raise the cap" in message


def test_the_cap_is_the_length_of_the_time_grid(tmp_path: Path) -> None:
    results = _run(tmp_path, _scenario("until absorbed, at most 3 years"), "simpy", runs=5)
    assert results.summary["scenario"]["horizon_days"] == pytest.approx(3 * 365.25)
    # a forecast needs a fixed period to be scored against: freezing one is refused
    from simulator.forecast.record import build_record

    with pytest.raises(simulator.UsageError, match="fixed horizon"):
        build_record(results)


@pytest.mark.parametrize(("horizon", "where", "message"), [
    ("until forever", "horizon", "an open-ended horizon is written `until absorbed`"),
    ("until absorbed, at most 1 to 2 years", "horizon", "the cap of the horizon must be"),
])
def test_misspelt_horizons_are_located_errors(tmp_path: Path, horizon: str, where: str,
                                              message: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(_scenario(horizon))
    result = simulator.read_scenario(path)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [d.path for d in errors] == [(where,)], [d.format() for d in errors]
    assert message in errors[0].message
    assert errors[0].line == 4


def test_time_in_what_decides_absorption_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(_scenario().replace("when: heat < 3", "when: heat < 3 and t < 400")
                    .replace("hot: {when: heat >= 3}", "hot: {when: heat >= 3 or t > 90}"))
    result = simulator.read_scenario(path)
    errors = {d.path: d for d in result.diagnostics if d.severity == "error"}
    assert set(errors) == {("actors", "nature", "options", "warm", "when"),
                           ("outcomes", "hot", "when")}
    assert all("reads the time `t`" in d.message for d in errors.values())
    assert errors[("outcomes", "hot", "when")].line == 17
    # the same scenario with a fixed horizon is fine
    path.write_text(path.read_text().replace("horizon: until absorbed", "horizon: 2 years"))
    assert simulator.read_scenario(path).ok


def test_horizon_text_forms() -> None:
    assert not read_horizon("1 year").absorbing
    assert read_horizon("until absorbed").duration == DEFAULT_CAP
    assert read_horizon("Until  absorbed, at most 50 years").duration == "50 years"
    assert read_horizon("until absorbed (at most 9 months)").duration == "9 months"
    assert read_horizon("until done").problem is not None
    assert horizon_phrase("1 year") == "within 1 year"
    assert horizon_phrase("until absorbed") == "eventually"
