"""The hand-written SimPy model in benchmarks/ (the SimPy engine's speed yardstick)
simulates the same thing as geosim: its outcome and indicator probabilities match the
engine's. Three two-proportion z-tests, family-wise false-alarm rate 1e-3 (each passes
when |z| < z(1e-3 / 6) = 3.59)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
from scipy import stats

import simulator
from simulator.engine.vector_engine import simulate_chunk_vectorised

ROOT = Path(__file__).parents[2]
Z_MAX = float(stats.norm.isf(1e-3 / 6))


def _handwritten() -> object:
    spec = importlib.util.spec_from_file_location("handwritten_mini",
                                                  ROOT / "benchmarks" / "handwritten_mini.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_handwritten_mini_matches_geosim() -> None:
    hand = np.array(_handwritten().simulate(8000, seed=3))  # type: ignore[attr-defined]
    model = simulator.compile_model(simulator.load_scenario(ROOT / "tests/data/mini.yaml"))
    chunk = simulate_chunk_vectorised(model, 3, 0, 40_000, trace_every=0)
    names = [o.name for o in model.outcomes]
    ours = {f"outcome {n}": chunk.columns["outcome_time"][:, j] for j, n in enumerate(names)}
    ours["indicator surveil_seen"] = chunk.columns["indicator_time"][:, 0]
    theirs = {"outcome us_strike": hand[:, 0], "outcome collapse": hand[:, 1],
              "indicator surveil_seen": hand[:, 2]}
    for name, a in theirs.items():
        b = ours[name]
        pa, pb = np.mean(~np.isnan(a)), np.mean(~np.isnan(b))
        pooled = (pa * a.size + pb * b.size) / (a.size + b.size)
        z = (pa - pb) / math.sqrt(pooled * (1 - pooled) * (1 / a.size + 1 / b.size))
        assert abs(z) < Z_MAX, f"{name}: hand-written {pa:.4f}, geosim {pb:.4f}, z = {z:+.2f}"
