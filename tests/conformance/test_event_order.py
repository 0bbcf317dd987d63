"""Events at the same moment go in the order the scenario guide states (exact checks).

1. A scheduled option and a periodic decision due at the same time: the scheduled one
   first. ``pick`` is enabled only once ``setup`` has fired, and the actor decides every
   30 days (first at day 30, not day 0): it picks at day 30 exactly when ``setup``
   (at 30 days) went first.
2. A zero-delay trigger runs after everything already due at that moment: ``first``
   (at 10 days) triggers ``check`` with no delay; ``check`` needs ``second`` (also at
   10 days, listed later) to have fired, so it fires only if it runs after ``second``.
3. Events due exactly at the horizon do not happen.
No statistics: every run must show the order (no check of K).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.runner.runner import run

ORDER = """
id: event-order
title: Order of simultaneous events
as_of: 2026-01-05
horizon: 60 days
state:
  ready: {initial: 0, min: 0, max: 1}
  seen: {initial: 0, min: 0, max: 1}
actors:
  chooser:
    decides: {every: 30 days}
    options:
      pick: {when: ready == 1, weight: 1, once: true}
  nature:
    options:
      setup: {at: 30 days, effects: [{set: {ready: 1}}]}
      first: {at: 10 days, effects: [{trigger: nature.check}]}
      second: {at: 10 days, effects: [{set: {seen: 1}}]}
      check: {when: seen == 1}
      too_late: {at: 60 days}
outcomes:
  picked: {when: fired(chooser.pick), label: Picked}
  checked: {when: fired(nature.check), label: Checked}
  at_horizon: {when: fired(nature.too_late), label: At the horizon}
"""


def test_simultaneous_events_follow_the_documented_order(tmp_path: Path) -> None:
    (tmp_path / "order.yaml").write_text(ORDER)
    results = run(tmp_path / "order.yaml", runs=20, seed=3, executor="serial",
                  out=tmp_path / "r", force=True)
    df = results.to_pandas(["outcome.picked", "outcome.checked", "outcome.at_horizon",
                            "outcome_time.picked", "outcome_time.checked"])
    assert df["outcome.picked"].all()
    np.testing.assert_array_equal(df["outcome_time.picked"].to_numpy(float), 30.0)
    assert df["outcome.checked"].all()
    np.testing.assert_array_equal(df["outcome_time.checked"].to_numpy(float), 10.0)
    assert not df["outcome.at_horizon"].any()
