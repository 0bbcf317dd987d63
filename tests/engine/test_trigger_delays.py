"""Trigger delays that name a parameter or are expressions in days."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import simulator

SCENARIO = """\
id: delays
title: Delays from parameters
as_of: 2026-01-01
horizon: 1 year
parameters:
  response: {value: 5 to 20 days, assumption: true, note: test}
state:
  level: {initial: 0, min: 0, max: 10}
actors:
  a:
    options:
      start: {at: 10 days, effects: [{add: {level: 1}}, {trigger: b.react, after: response},
                                     {trigger: b.double, after: 2 * response + level}]}
  b:
    options:
      react: {effects: [{add: {level: 1}}]}
      double: {effects: [{add: {level: 1}}]}
outcomes:
  reacted: {when: fired(b.react)}
  doubled: {when: fired(b.double)}
"""


@pytest.fixture
def results(tmp_path: Path) -> simulator.Results:
    path = tmp_path / "delays.yaml"
    path.write_text(SCENARIO)
    return simulator.run(path, runs=300, seed=4, executor="serial", out=tmp_path / "r")


def test_delay_is_the_parameter_drawn_for_the_run(results: simulator.Results) -> None:
    df = results.to_pandas()
    response = df["param.response"].to_numpy()
    # exact: the trigger fires `response` days after day 10
    np.testing.assert_allclose(df["outcome_time.reacted"], 10 + response, rtol=0, atol=1e-9)
    # the expression is evaluated when the trigger happens (level is 1 by then)
    np.testing.assert_allclose(df["outcome_time.doubled"], 10 + 2 * response + 1,
                               rtol=0, atol=1e-9)
    assert 5 <= np.quantile(response, 0.5) <= 20


@pytest.mark.parametrize(("after", "message"), [
    ("0 - 3", "unexpected character `-`"),                 # arithmetic only: read as a duration
    ("abs(0) - 3", "this delay is always -3 days"),         # an expression folded to a constant
])
def test_negative_delay_is_refused(tmp_path: Path, after: str, message: str) -> None:
    path = tmp_path / "neg.yaml"
    path.write_text(SCENARIO.replace("after: response}", f"after: {after}}}"))
    result = simulator.read_scenario(path)
    assert not result.ok
    errors = [d for d in result.diagnostics if d.path[-1:] == ("after",)]
    assert errors, result.diagnostics
    assert message in errors[0].message
