"""Small results directories for the report tests (simulated once per session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import simulator
from simulator.results.results import Results

EVIL = ('<script>alert(1)</script> <img src=x onerror=alert(1)> </script> '
        'javascript:alert(1) &amp; "q" \'s')

#: a Plotly hover-template placeholder and a right-to-left override in one label
SPOOF = "%{x} %{customdata[0]} \u202eright to left"

MINI = """\
id: mini
title: Mini crisis
as_of: 2026-01-05
horizon: 1 year
description: A tiny scenario for the report tests.
parameters:
  strike_rate: {value: 1% to 5% per month, assumption: true, note: a guess}
  backlash: {value: 0.5 to 0.9, assumption: true}
state:
  cooperation: {initial: 0.7, min: 0, max: 1, label: Cooperation}
ladder:
  initial: pressure
  rungs: [{id: calm}, {id: pressure}, {id: covert}, {id: strike}]
  thresholds: {sovereignty: {below: strike, label: Sovereignty line}}
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
  us_strike: {when: escalation >= strike, label: US strike}
  collapse: {when: cooperation < 0.3, terminal: true, label: Collapse of cooperation}
indicators:
  surveil_seen: {when: fired(us.surveil), label: Surveillance flights}
variants:
  dovish: {label: Dovish White House, parameters: {strike_rate: 0.1% to 1% per month}}
"""

BARE = """\
id: bare
title: Bare
as_of: 2026-01-05
horizon: 90 days
actors:
  a:
    options:
      act: {rate: 2 per month, effects: []}
outcomes:
  acted: {when: fired(a.act)}
"""


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def evil_scenario() -> tuple[str, str]:
    e = _yaml_str(EVIL)
    scenario = f"""\
id: evil
title: {_yaml_str("Evil " + EVIL)}
as_of: 2026-01-05
horizon: 180 days
description: {e}
key_assumptions:
  - {{text: {e}, evidence: [claim-one]}}
parameters:
  rate: {{value: 1% to 5% per month, label: {e}, note: {e}, evidence: [claim-one]}}
state:
  mood: {{initial: 0.5, min: 0, max: 1, label: {e}, description: {e}}}
ladder:
  initial: low
  rungs: [{{id: low, label: {e}}}, {{id: high, label: {_yaml_str("high " + EVIL)}}}]
  thresholds: {{line: {{below: high, label: {e}}}}}
actors:
  x:
    label: {e}
    options:
      push:
        label: {e}
        rate: rate
        evidence: [claim-one]
        effects: [{{escalate: 1}}, {{add: {{mood: -0.1}}}}]
outcomes:
  bad: {{when: escalation >= high, label: {e}, description: {e}}}
  odd: {{when: mood < 0.45, label: {_yaml_str(SPOOF)}}}
indicators:
  seen: {{when: fired(x.push), label: {e}}}
variants:
  other:
    label: {_yaml_str("Other " + EVIL)}
    description: {e}
    parameters: {{rate: 1% to 2% per month}}
"""
    register = f"""\
sources:
  doc-one: {{headline: {e}, outlet: {e}, published: 2026-01}}
claims:
  claim-one:
    source: [{e}, doc-one]
    kind: {e}
    actors: [x]
    text: {e}
"""
    return scenario, register


def _run(tmp: Path, name: str, text: str, runs: int, register: str | None = None) -> Results:
    folder = tmp / name
    folder.mkdir()
    (folder / f"{name}.yaml").write_text(text)
    if register is not None:
        (folder / "seeds").mkdir()
        (folder / "seeds" / "evidence.yaml").write_text(register)
    return simulator.run(folder / f"{name}.yaml", variants="all", runs=runs,
                         out=folder / "results", executor="serial", seed=7,
                         command=f"geosim run {name}.yaml --all-variants -n {runs}")


@pytest.fixture(scope="session")
def mini_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return _run(tmp_path_factory.mktemp("report"), "mini", MINI, 2000)


@pytest.fixture(scope="session")
def bare_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return _run(tmp_path_factory.mktemp("report"), "bare", BARE, 300)


@pytest.fixture(scope="session")
def evil_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    scenario, register = evil_scenario()
    return _run(tmp_path_factory.mktemp("report"), "evil", scenario, 600, register)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for every browser test of the session."""
    from tests.report.chromium import launch

    yield from launch()
