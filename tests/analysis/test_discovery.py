"""PRIM recovers boxes known by construction and keeps only bounds that pass their own test."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.discovery import (
    _Bounds,
    _choose,
    _excluded_by_side,
    _paste,
    _peel,
    _simplify,
    discover,
    prim_boxes,
    side_test,
)
from simulator.errors import ResultsError
from simulator.results.results import Results


def test_recovers_threshold(threshold_results: Results) -> None:
    boxes = discover(threshold_results, "went")
    assert boxes
    top = boxes[0]
    (cond,) = top["conditions"]
    assert cond["parameter"] == "thr"
    assert cond["upper"] is None
    # uniform draws: the nearest draws to 0.6 lie ~1/2000 apart
    assert cond["lower"] == pytest.approx(0.6, abs=0.01)
    assert top["density"] == 1.0
    assert top["coverage"] > 0.97
    assert top["sentence"].startswith("When Threshold draw is at least 0.6")
    assert "“It went” happens in 100% of runs" in top["sentence"]
    # how strong the bound is: no run below it reaches the outcome, with its z
    assert cond["lower_outside_rate"] == 0.0
    assert cond["lower_z"] > 30
    assert cond["upper_z"] is None
    assert f"(runs below it: 0%, z = {cond['lower_z']:.1f})" in top["sentence"]
    assert "one-sided two-proportion z-test, z ≥ 3" in top["test"]


def test_unknown_outcome(threshold_results: Results) -> None:
    with pytest.raises(ResultsError, match="did you mean `went`"):
        discover(threshold_results, "wnt")


def test_two_dimensional_box() -> None:
    # y = 1 iff x0 > 0.5 and x1 < 0.3 (in a 4-dimensional unit cube)
    rng = np.random.default_rng(11)
    x = rng.uniform(size=(4000, 4))
    y = ((x[:, 0] > 0.5) & (x[:, 1] < 0.3)).astype(float)
    (box, *_) = prim_boxes(x, y, min_coverage=0.8)
    assert box["lower"][0] == pytest.approx(0.5, abs=0.03)
    assert box["upper"][1] == pytest.approx(0.3, abs=0.03)
    assert np.isinf(box["lower"][2])
    assert np.isinf(box["upper"][3])
    assert box["density"] > 0.95
    assert box["coverage"] > 0.9


def test_nothing_to_find() -> None:
    assert prim_boxes(np.zeros((10, 2)), np.zeros(10)) == []
    rng = np.random.default_rng(2)
    x = rng.uniform(size=(2000, 3))
    y = (rng.uniform(size=2000) < 0.3).astype(float)
    assert prim_boxes(x, y) == []  # pure noise: no significant condition survives


def _monotone_data(seed: int, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """y happens with chance 0.3 when x0 < 0.3, else 0.1; x1 and x2 do nothing.

    A lower bound on x0 can only be noise: the chance is the same all the way down.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 3))
    y = (rng.uniform(size=n) < np.where(x[:, 0] < 0.3, 0.3, 0.1)).astype(float)
    return x, y


def _two_sided_z(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, j: int) -> float:
    """Both sides of j's range tested together: the box against every run only j excludes."""
    bounds = _Bounds(x, lo, hi)
    rows = bounds.others(j)
    inside = bounds.inside()
    return side_test(y, inside, rows[~inside[rows]])["z"]


def test_spurious_lower_bound_is_released() -> None:
    # Peeling and pasting often leave a lower bound on x0 that comes from noise alone; its
    # strong upper side made the two sides pass a joint test. Tested on its own, the lower
    # side fails, and no reported box keeps it. (Measured over 300 other seeds: 0 boxes with
    # a lower bound on x0, so a correct implementation fails this on under ~1 % of seeds.)
    reproduced = 0
    for seed in range(20):
        x, y = _monotone_data(seed)
        lo0, hi0 = x.min(axis=0), x.max(axis=0)
        traj, stats = _peel(x, y, lo0, hi0, 0.05, 100)
        lo, hi = _paste(x, y, *_choose(traj, stats, int(y.sum()), 0.5), 0.05)
        if lo[0] > lo0[0] and _two_sided_z(x, y, lo, hi, 0) >= 3:
            bounds = _Bounds(x, lo, hi)
            lower_alone = side_test(y, bounds.inside(),
                                    _excluded_by_side(x, lo, hi, bounds, 0, side=0))
            assert lower_alone["z"] < 3
            reproduced += 1
        for box in prim_boxes(x, y):
            assert np.isinf(box["lower"][0]), f"seed {seed}: lower bound {box['lower'][0]}"
            tested = np.concatenate([box["lower_z"], box["upper_z"]])
            assert np.all(tested[np.isfinite(tested)] >= 3)
    assert reproduced >= 3  # the situation the one-sided test exists for does arise


def test_weak_side_of_a_range_is_released_strong_side_kept() -> None:
    # a hand-made box x0 in [0.05, 0.3] on data where only the upper bound matters: the runs
    # below 0.05 reach the outcome as often as those inside
    x, y = _monotone_data(1, n=20_000)
    lo, hi = x.min(axis=0), x.max(axis=0)
    lo_box, hi_box = lo.copy(), hi.copy()
    lo_box[0], hi_box[0] = 0.05, 0.3
    assert _two_sided_z(x, y, lo_box, hi_box, 0) > 10  # together the sides look strong
    new_lo, new_hi = _simplify(x, y, lo_box, hi_box, lo, hi, z_min=3.0, max_conditions=4)
    assert new_lo[0] == lo[0]  # released
    assert new_hi[0] == 0.3  # kept


def test_every_reported_bound_passes_its_test() -> None:
    # y = 1 iff x0 > 0.5 and x1 < 0.3, then 10 % of labels flipped: both bounds are real
    rng = np.random.default_rng(4)
    x = rng.uniform(size=(3000, 4))
    y = ((x[:, 0] > 0.5) & (x[:, 1] < 0.3)).astype(float)
    flip = rng.uniform(size=3000) < 0.1
    y[flip] = 1 - y[flip]
    (box, *_) = prim_boxes(x, y)
    assert np.isfinite(box["lower"][0])
    assert np.isfinite(box["upper"][1])
    assert box["lower_z"][0] >= 3
    assert box["upper_z"][1] >= 3
    assert np.isnan(box["upper_z"][0]) or box["upper_z"][0] >= 3
    for side in ("lower", "upper"):
        finite = np.isfinite(box[side])
        assert np.array_equal(np.isfinite(box[f"{side}_z"]), finite)
        assert np.all(box[f"{side}_outside_rate"][finite] < box["density"])


def test_too_many_conditions_release_the_weakest_parameter() -> None:
    # y = 1 iff x0 > 0.5 and x1 < 0.3: x1's bound excludes more outcome-free runs, so it
    # is the stronger; allowed one condition, the box keeps x1 alone
    rng = np.random.default_rng(11)
    x = rng.uniform(size=(4000, 4))
    y = ((x[:, 0] > 0.5) & (x[:, 1] < 0.3)).astype(float)
    (two, *_) = prim_boxes(x, y, min_coverage=0.8)
    assert two["upper_z"][1] > two["lower_z"][0]
    (one, *_) = prim_boxes(x, y, min_coverage=0.8, max_conditions=1)
    restricted = [j for j in range(4) if np.isfinite(one["lower"][j])
                  or np.isfinite(one["upper"][j])]
    assert restricted == [1]
    assert one["upper_z"][1] >= 3
