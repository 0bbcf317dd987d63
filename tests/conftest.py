"""Shared fixtures: small scenarios written to temporary folders."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

MINI = textwrap.dedent("""\
    id: mini
    title: Mini crisis
    as_of: 2026-01-05
    horizon: 1 year
    parameters:
      strike_rate: {value: 1% to 5% per month, assumption: true, note: test}
      backlash: {value: 0.5 to 0.9, assumption: true, note: test}
    state:
      cooperation: {initial: 0.7, min: 0, max: 1}
    ladder:
      initial: pressure
      rungs: [{id: calm}, {id: pressure}, {id: covert}, {id: strike}]
      thresholds: {sovereignty: {below: strike}}
    actors:
      us:
        decides: {every: 1 month, idle_weight: 2}
        options:
          surveil: {weight: 1, effects: [{escalate: 1}, {add: {cooperation: -0.05}}]}
          strike:
            when: escalation >= covert
            rate: strike_rate * (2 - cooperation)
            once: true
            effects:
              - set: {escalation: strike}
              - trigger: mx.backlash
                after: 2 to 6 weeks
                chance: backlash
      mx:
        options:
          backlash: {effects: [{add: {cooperation: -0.3}}]}
          calm_down: {rate: 2 per year, effects: [{deescalate: 1}]}
    outcomes:
      us_strike: {when: escalation >= strike}
      collapse: {when: cooperation < 0.3, terminal: true}
    indicators:
      surveil_seen: {when: fired(us.surveil)}
    variants:
      dovish: {parameters: {strike_rate: 0.1% to 1% per month}}
""")


@pytest.fixture
def mini_path(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI)
    return path
