"""Events at the same moment go in the order docs/engine-semantics.md states.

1. A scheduled option and a periodic decision due at the same time go in a random
   order drawn per run. ``pick`` is enabled only once ``setup`` has fired, and the
   actor decides every 30 days (first at day 30, not day 0; the decision at day 60 is
   at the horizon and does not happen): it picks, at day 30 exactly, in the runs where
   ``setup`` (at 30 days) went first, and never otherwise.
2. A zero-delay trigger runs right after the firing that caused it, before other
   sources due at that moment: ``first`` (at 10 days) triggers ``check``, which needs
   ``second`` (also at 10 days) to have fired; it fires, at day 10 exactly, in the
   runs where ``second`` went first, and lapses otherwise.
3. Events due exactly at the horizon do not happen.
Times are checked exactly in every run. That both orders occur is statistical: with a
fair per-run order, 40 runs all alike has probability 2 × 2⁻⁴⁰ per check (false alarm).
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
    results = run(tmp_path / "order.yaml", runs=40, seed=3, executor="serial",
                  out=tmp_path / "r", force=True)
    df = results.to_pandas(["outcome.picked", "outcome.checked", "outcome.at_horizon",
                            "outcome_time.picked", "outcome_time.checked"])
    picked = df["outcome.picked"].to_numpy(bool)
    checked = df["outcome.checked"].to_numpy(bool)
    np.testing.assert_array_equal(df["outcome_time.picked"].to_numpy(float)[picked], 30.0)
    np.testing.assert_array_equal(df["outcome_time.checked"].to_numpy(float)[checked], 10.0)
    assert 0 < picked.sum() < len(df), "a decision and a scheduled option never swapped"
    assert 0 < checked.sum() < len(df), "two scheduled options never swapped"
    assert not df["outcome.at_horizon"].any()
