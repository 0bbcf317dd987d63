"""The engines agree on the flagship and the border scenario, as statistics.

The engines run on different seeds (independent samples): every outcome and indicator
probability is compared with a two-proportion z-test and the reach times with a
two-sample KS test (the median time among them). Each scenario's checks form one family
with a family-wise false-alarm rate of 1e-3 (Bonferroni: each check passes when
p > 1e-3 / K; see tests/engine/_compare.py). With 2,500 SimPy runs and 20,000 NumPy (or
compiled) runs a difference of 3 points in a probability near 0.2 gives |z| ≈ 3.6, and of 5 points
|z| ≈ 6: detected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator

from ._compare import compare

SCENARIOS = Path(__file__).parents[2] / "scenarios"


@pytest.mark.parametrize("name", ["us_mexico_cartels", "border_drone_escalation"])
def test_numpy_engine_matches_simpy(name: str, tmp_path: Path) -> None:
    path = SCENARIOS / f"{name}.yaml"
    simpy = simulator.run(path, runs=2500, seed=101, executor="serial", engine="simpy",
                          out=tmp_path / "simpy", trace_every=0)
    vector = simulator.run(path, runs=20_000, seed=202, executor="serial", engine="numpy",
                           out=tmp_path / "numpy", trace_every=0)
    assert simpy.manifest["engine"] == "simpy"
    assert vector.manifest["engine"] == "numpy"
    assert compare(simpy, vector) == []


@pytest.mark.parametrize("name", ["us_mexico_cartels", "border_drone_escalation"])
def test_compiled_engine_matches_simpy(name: str, tmp_path: Path) -> None:
    path = SCENARIOS / f"{name}.yaml"
    simpy = simulator.run(path, runs=2500, seed=101, executor="serial", engine="simpy",
                          out=tmp_path / "simpy", trace_every=0)
    compiled = simulator.run(path, runs=20_000, seed=303, executor="serial",
                             engine="compiled", out=tmp_path / "compiled", trace_every=0)
    assert compiled.manifest["engine"] == "compiled"
    assert compare(simpy, compiled) == []
