"""The flagship's discovery boxes keep no bound that fails its own one-sided test (``slow``).

Each reported bound is re-tested here from the raw per-run table, independently of
``simulator.analysis.discovery``: the runs within every other condition but beyond this
bound must reach the outcome less often than the box's runs, by a one-sided
two-proportion z of at least 3. A longer lead time can never make a strike likelier, so
``strike_lead_time`` must carry no lower bound.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.discovery import discover
from simulator.results.results import Results
from simulator.runner.runner import run

pytestmark = pytest.mark.slow

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "us_mexico_cartels.yaml"


def _z(inside: np.ndarray, excluded: np.ndarray) -> float:
    n1, n2 = len(inside), len(excluded)
    p1, p2 = inside.mean(), excluded.mean()
    pooled = (inside.sum() + excluded.sum()) / (n1 + n2)
    return float((p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)))


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return run(FLAGSHIP, runs=10_000, seed=0, executor="serial",
               out=tmp_path_factory.mktemp("flagship") / "r", force=True)


@pytest.mark.parametrize("outcome", ["us_strike"])
def test_every_bound_passes_its_one_sided_test(flagship: Results, outcome: str) -> None:
    rows = discover(flagship, outcome)
    table = flagship.to_pandas(["variant", f"outcome.{outcome}"]
                               + [f"param.{p}" for p in _parameters(rows)])
    table = table[table["variant"] == "baseline"]
    y = table[f"outcome.{outcome}"].to_numpy(float)
    remaining = np.ones(len(y), bool)
    for row in rows:
        conds = row["conditions"]
        x = {c["parameter"]: table[f"param.{c['parameter']}"].to_numpy(float) for c in conds}

        def within(c: dict[str, object], v: np.ndarray) -> np.ndarray:
            lo = -np.inf if c["lower"] is None else c["lower"]
            hi = np.inf if c["upper"] is None else c["upper"]
            return (v >= lo) & (v <= hi)  # type: ignore[operator]

        inside = remaining & np.all([within(c, x[c["parameter"]]) for c in conds], axis=0)
        assert inside.sum() == row["runs"]
        for c in conds:
            others = remaining & np.all([within(o, x[o["parameter"]]) for o in conds
                                         if o is not c] or [np.ones(len(y), bool)], axis=0)
            v = x[c["parameter"]]
            for side, bound in (("lower", c["lower"]), ("upper", c["upper"])):
                if bound is None:
                    continue
                beyond = others & ((v < bound) if side == "lower" else (v > bound))
                z = _z(y[inside], y[beyond])
                assert z >= 3, (c["parameter"], side, bound, z)
                assert z == pytest.approx(c[f"{side}_z"], abs=1e-9)
            if c["parameter"] == "strike_lead_time":
                assert c["lower"] is None  # a longer lead time cannot raise the chance
        remaining &= ~inside


def _parameters(rows: list[dict[str, object]]) -> list[str]:
    return sorted({c["parameter"] for r in rows for c in r["conditions"]})  # type: ignore[attr-defined,index]
