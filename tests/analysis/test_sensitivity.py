"""Sensitivity: given-data indices (Ishigami, one driver), tornado and Sobol' indices."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis._common import constant_text, format_value
from simulator.analysis.sensitivity import (
    first_order_given_data,
    global_indices,
    sensitivity_engine,
    spearman,
    tornado,
)
from simulator.analysis.sobol import WideIntervalWarning, sobol_indices, sobol_samples
from simulator.errors import ResultsError, UsageError
from simulator.results.results import Results
from simulator.scenario.quantities import parse_quantity


def test_ishigami_first_order_indices() -> None:
    # Ishigami (a = 7, b = 0.1): S1 = 0.3139, S2 = 0.4424, S3 = 0 in closed form
    rng = np.random.default_rng(3)
    x = rng.uniform(-np.pi, np.pi, size=(3, 20_000))
    y = np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0])
    s = [first_order_given_data(xi, y, n_boot=50, seed=1) for xi in x]
    assert s[0]["index"] == pytest.approx(0.3139, abs=0.03)
    assert s[1]["index"] == pytest.approx(0.4424, abs=0.03)
    assert abs(s[2]["index"]) < 0.02
    for r in s:
        lo, hi = r["ci95"]
        assert lo < r["index"] < hi
        assert hi - lo < 0.05


def test_given_data_index_of_pure_noise_is_near_zero() -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(size=4000)
    y = (rng.uniform(size=4000) < 0.3).astype(float)
    r = first_order_given_data(x, y, n_boot=100)
    # bias-corrected: ~N(0, 0.003); uncorrected it would be ~(B-1)/n ≈ 0.008
    assert abs(r["index"]) < 0.012
    assert r["ci95"][0] < 0 < r["ci95"][1] or abs(r["ci95"][0]) < 0.01


def test_global_indices_one_driver(one_driver_results: Results) -> None:
    rows = global_indices(one_driver_results, n_boot=100)["hit"]
    assert next(r["parameter"] for r in rows) == "driver"
    driver = rows[0]
    assert driver["label"] == "Driver rate"
    assert driver["index"] > 0.15
    assert driver["correlation"] > 0.3
    for r in rows[1:]:
        assert abs(r["index"]) < 0.02  # noise only: sd ~0.005
        assert abs(r["correlation"]) < 0.08  # ~N(0, 0.018): |z| < 4.5
    assert driver["index"] > 10 * max(abs(r["index"]) for r in rows[1:])


def test_spearman_constant_is_none() -> None:
    assert spearman(np.ones(5), np.arange(5.0)) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("1% to 5% per month", "rate"), ("2 to 6 weeks", "duration"), ("0.2 to 0.8", "probability"),
    ("1 to 5", "positive"), ("normal(0, 1)", "real")])
def test_constant_text_round_trips(text: str, kind: str) -> None:
    q = parse_quantity(text)
    assert q.kind == kind
    value = float(q.distribution.ppf(np.array([0.3]))[0])
    back = parse_quantity(constant_text(q, value))
    assert back.is_constant
    assert float(back.distribution.ppf(np.array([0.5]))[0]) == pytest.approx(value, rel=1e-12)


def test_format_value_uses_author_units() -> None:
    q = parse_quantity("1% to 5% per month")
    h = -math.log(1 - 0.021) / (365.25 / 12)
    assert format_value(q, h) == "2.1 % per month"
    assert format_value(parse_quantity("2 per year"), 3 / 365.25) == "3 per year"
    assert format_value(parse_quantity("2 to 6 weeks"), 21.0) == "3 weeks"
    assert format_value(parse_quantity("10% to 40%"), 0.25) == "25 %"


@pytest.mark.parametrize("engine", ["simpy", "numpy", "compiled"])
def test_tornado_one_driver(scenario_dir: Path, engine: str) -> None:
    rows = tornado(scenario_dir / "one_driver.yaml", runs=600, seed=2, executor="serial",
                   engine=engine)
    assert next(r["parameter"] for r in rows) == "driver"
    top = rows[0]
    assert top["outcome"] == "hit"
    assert top["label"] == "Driver rate"
    # at a constant hazard h the chance within a year is 1 − exp(−h · 365.25)
    for p_key, v_key in (("p_low", "low_value"), ("p_high", "high_value")):
        expected = 1 - math.exp(-top[v_key] * 365.25)
        se = math.sqrt(expected * (1 - expected) / 600)
        assert abs(top[p_key] - expected) / se < 4.5  # false alarm ~1e-5
    assert top["swing"] > 0.3
    assert top["low_text"].endswith("% per month")
    for r in rows[1:]:
        # common random numbers: parameters the outcome never reads change nothing
        assert r["swing"] == 0.0
        assert r["p_low"] == r["p_high"] == top["p_median"]
    assert {r["parameter"] for r in rows} == {"driver", "idle", "delay"}
    assert rows[-1]["high_text"].endswith("weeks") or rows[-2]["high_text"].endswith("weeks")


def test_sensitivity_engine_defaults_to_the_compiled_engine() -> None:
    # per-run cost with a few ms per variant: it beats SimPy at every design size
    assert sensitivity_engine() == "compiled"
    assert sensitivity_engine(None) == "compiled"
    assert sensitivity_engine("numpy") == "numpy"
    assert sensitivity_engine("simpy") == "simpy"


def test_tornado_unknown_outcome(scenario_dir: Path) -> None:
    with pytest.raises(ResultsError, match="unknown outcome"):
        tornado(scenario_dir / "one_driver.yaml", outcome="nope", runs=10, executor="serial")


def test_sobol_one_driver(scenario_dir: Path) -> None:
    # 8 × (3 + 2) = 40 points × 150 runs: the driver carries nearly all the variance
    with pytest.warns(WideIntervalWarning, match=r"8 samples × 5 points × 150 runs = 6,000"):
        rows = sobol_indices(scenario_dir / "one_driver.yaml", outcome="hit", n=8,
                             runs_per_point=150, seed=4, executor="serial", n_resamples=100)
    by = {r["parameter"]: r for r in rows}
    assert rows[0]["parameter"] == "driver"
    assert by["driver"]["total_order"] > 0.7
    assert by["driver"]["first_order"] > 0.5
    for name in ("idle", "delay"):
        # common random numbers: these parameters change no outcome at all
        assert by[name]["total_order"] == pytest.approx(0.0, abs=1e-9)
        assert abs(by[name]["first_order"]) < 0.25
    assert by["driver"]["points"] == 40
    assert by["driver"]["runs"] == 6000
    # 8 samples cannot pin the driver down: its interval is wide, and flagged
    lo, hi = by["driver"]["first_order_ci95"]
    assert hi - lo > 0.2
    assert by["driver"]["wide"]
    for name in ("idle", "delay"):  # no interval: they change nothing, not a lack of runs
        assert by[name]["total_order_ci95"] is None or not by[name]["wide"]
    with pytest.raises(UsageError, match="power of 2"):
        sobol_indices(scenario_dir / "one_driver.yaml", outcome="hit", n=6)


def test_sobol_samples_fit_the_budget() -> None:
    # n·(d + 2)·runs_per_point ≤ budget, n the largest power of 2
    assert sobol_samples(2, 500_000, 100) == 1024  # 409,600 runs
    assert sobol_samples(28, 500_000, 100) == 128  # 384,000 runs
    assert sobol_samples(5, 358_400, 100) == 512  # exactly the budget
    assert sobol_samples(5, 358_399, 100) == 256
    with pytest.raises(UsageError, match="at least 1,400 runs"):
        sobol_samples(5, 1_399, 100)
