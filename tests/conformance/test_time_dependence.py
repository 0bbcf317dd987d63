"""Conditions and rates that read `t` (not one of the reference cases 1–9, but they
follow from them: a hazard enabled on [10, 60) is case 2 with a shorter exposure, and a
rate λ(t) = a·t has P(fired by H) = 1 − exp(−a·H²/2)).

Semantics checked here: conditions and rates that read `t` are re-evaluated at every
event and, between events, at every multiple of the scenario's time step (default
horizon/100 = 0.6 days here). The gate `t > 10` therefore opens at the first step after
day 10 (day 10.2), which shortens the exposure by 0.2 days: 1 − exp(−49.8/30.4375) =
0.805 instead of 0.806, far inside sampling error at 2,000 runs. The ramp is integrated
as a step function with steps of 0.6 days (left end points): its integrated hazard is
low by 0.001·60·0.6/2 = 0.018, i.e. P = 0.832 instead of 0.835, also inside sampling
error. `halfway` is reached exactly at the step that lands on day 30.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from .conftest import Z_MAX

RUNS = 2_000
MONTH = 365.25 / 12

def _z(hits: np.ndarray, p: float) -> float:
    return (hits.mean() - p) / math.sqrt(p * (1 - p) / hits.size)


@pytest.fixture
def table(run):
    return run("time_gates", runs=RUNS).to_pandas()


def test_condition_reading_t_opens_the_hazard(table):
    z = _z(table["outcome.late_fired"].to_numpy(), 1 - math.exp(-50 / MONTH))
    assert abs(z) < Z_MAX, f"z = {z:.1f}"


def test_rate_reading_t_grows(table):
    z = _z(table["outcome.ramp_fired"].to_numpy(), 1 - math.exp(-0.001 * 60**2 / 2))
    assert abs(z) < Z_MAX, f"z = {z:.1f}"


def test_outcome_reading_t_is_reached(table):
    assert (table["outcome_time.halfway"] == 30.0).all()

