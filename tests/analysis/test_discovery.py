"""PRIM recovers a threshold known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.discovery import discover, prim_boxes
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
