"""Confidence beside likelihood: each input moves the level the way the rule says."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.analysis.confidence import confidence, describe
from simulator.results.results import Results
from simulator.runner.runner import run

# `hit` rests on an assumed rate that spans three ICD 203 bands across its range and has
# an arguable definition; `steady` rests on a sourced, narrow rate and a crisp one.
SCENARIO = """
id: confidence-known
title: Confidence known by construction
as_of: 2026-01-05
horizon: 1 year
parameters:
  wild_rate: {value: 0.05 to 3 per year, assumption: true, note: A guess.}
  firm_rate: {value: 0.9 to 1.1 per year, evidence: [firm-claim]}
actors:
  x:
    options:
      hit: {rate: wild_rate, once: true, assumption: true, note: Assumed.}
      steady: {rate: firm_rate, once: true, evidence: [firm-claim]}
outcomes:
  hit: {when: fired(x.hit), ambiguity: high, resolution: Something loosely defined.}
  steady: {when: fired(x.steady), ambiguity: low, resolution: "A dated, named act."}
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    folder = tmp_path_factory.mktemp("confidence")
    (folder / "s.yaml").write_text(SCENARIO)
    return run(folder / "s.yaml", runs=2000, seed=3, executor="serial", out=folder / "r")


def test_levels_follow_the_stated_inputs(results: Results) -> None:
    levels = confidence(results)
    hit, steady = levels["hit"], levels["steady"]
    assert hit["variance_assumption_share"] == pytest.approx(1.0)
    assert hit["band_shift"] >= 2
    assert hit["band_shift_parameter"] == "wild_rate"
    assert hit["ambiguity"] == "high"
    assert (hit["points"], hit["level"]) == (6, "low")
    # firm_rate barely varies: its fifths differ by noise only, so no band shift counts
    assert steady["band_shift"] == 0
    assert steady["driver_assumption_share"] == 0.0
    assert (steady["points"], steady["level"]) == (0, "high")
    assert "definition ambiguity low" in describe(steady)


def test_tuning_lowers_every_level(tmp_path: Path) -> None:
    path = tmp_path / "tuned.yaml"
    path.write_text(SCENARIO.replace("horizon: 1 year\n",
                                     "horizon: 1 year\ntuned_to_targets: true\n"))
    tuned = confidence(run(path, runs=400, seed=3, executor="serial", out=tmp_path / "r"))
    assert tuned["steady"]["points"] == 1
    assert tuned["steady"]["tuned"] is True
