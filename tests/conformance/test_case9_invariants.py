"""Case 9: invariants that hold for every scenario (exact assertions, no statistics).

* every run ends exactly once: one row per (variant, run); counts add up;
* time never decreases within a run; outcome times ≤ end_time ≤ horizon;
* scaling every rate by c and the horizon by 1/c gives the SAME sample paths with the
  same seed (budgets are unit exponentials divided by the rate), with every time divided
  by c — bit for bit when c is a power of two, to rounding otherwise;
* reordering actors, options (and parameters, state, outcomes, ...) leaves the digest
  and the whole table unchanged;
* results are identical for the serial and the process executor, 1 or 2 workers and
  any chunk size;
* the same on small random scenarios (hypothesis).
"""

from __future__ import annotations

import itertools
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator

from .conftest import scenario_path

# ----------------------------------------------------------------------------- checks


def check_invariants(results: simulator.Results, runs: int) -> pd.DataFrame:
    """Assert the structural invariants of a results directory; return its table."""
    df = results.to_pandas()
    variants = results.variants
    model = simulator.compile_model(results.scenario, variants[0])
    horizon = model.horizon_days
    keys = [o.key for o in model.options]
    terminal = [o.name for o in model.outcomes if o.terminal]

    # one row per (variant, run), runs 0..N-1 in order, nothing else
    assert len(df) == runs * len(variants)
    assert not df.duplicated(["variant", "run"]).any()
    for v in variants:
        assert df.loc[df["variant"] == v, "run"].tolist() == list(range(runs))

    for v in variants:
        sub = df[df["variant"] == v]
        summary = results.summary["variants"][v]
        assert summary["runs"] == runs
        for o in model.outcomes:
            col = sub[f"outcome.{o.name}"].to_numpy()
            t = sub[f"outcome_time.{o.name}"].to_numpy()
            np.testing.assert_array_equal(col, ~np.isnan(t))
            assert summary["outcomes"][o.name]["reached"] == int(col.sum())
            assert summary["outcomes"][o.name]["probability"] == col.mean()
        for ind in model.indicators:
            col = sub[f"indicator.{ind.name}"].to_numpy()
            assert summary["indicators"][ind.name]["reached"] == int(col.sum())

    end = df["end_time"].to_numpy()
    assert (end >= 0).all()
    assert (end <= horizon).all()
    # a run ends exactly once: at its first terminal outcome, or at the horizon
    if terminal:
        first_terminal = df[[f"outcome_time.{n}" for n in terminal]].min(axis=1).to_numpy()
    else:
        first_terminal = np.full(len(df), np.nan)
    np.testing.assert_array_equal(end, np.where(np.isnan(first_terminal), horizon,
                                                first_terminal))
    for col in [c for c in df.columns if c.startswith(("outcome_time.", "indicator_time."))]:
        t = df[col].to_numpy()
        seen = ~np.isnan(t)
        assert (t[seen] >= 0).all()
        assert (t[seen] <= end[seen]).all(), col

    counts = df[[f"count.{k}" for k in keys]].to_numpy()
    np.testing.assert_array_equal(counts.sum(axis=1), df["n_events"].to_numpy())
    for row, opts, times in zip(counts, df["event_options"], df["event_times"], strict=True):
        opts = np.asarray(opts, int)
        times = np.asarray(times, float)
        assert opts.size == times.size
        np.testing.assert_array_equal(np.bincount(opts, minlength=len(keys)), row)
        # time never decreases, and every event lies in [0, end]
        assert (np.diff(times) >= 0).all()
    for times, e in zip(df["event_times"], end, strict=True):
        if len(times):
            assert times[0] >= 0
            assert times[-1] <= e
    for o in model.options:
        if o.once:
            assert (df[f"count.{o.key}"] <= 1).all()
    if model.ladder is not None:
        top = len(model.ladder.rungs) - 1
        finals = df[f"final.{model.ladder.variable}"]
        for path, rtimes, final in zip(df["rung_path"], df["rung_times"], finals, strict=True):
            assert len(path) == len(rtimes) >= 1
            assert rtimes[0] == 0.0
            assert (np.diff(np.asarray(rtimes)) >= 0).all()
            assert path[-1] == final
            assert all(a != b for a, b in itertools.pairwise(path))
            assert all(0 <= x <= top for x in path)
    return df


def test_structure_mixed_scenario(run):
    results = run("mixed", runs=1_500, variants="all")
    df = check_invariants(results, 1_500)
    # the mixed scenario exercises everything the checks look at
    assert df["n_events"].sum() > 0
    assert df["outcome.collapse"].any()
    assert not df["outcome.collapse"].all()
    assert (df["end_time"] < 365.25).any()


# ----------------------------------------------------------------------------- scaling

_RATE = re.compile(r"rate: (\d+(?:\.\d+)?)( per )(\w+)")
_PCT_RATE = re.compile(r"rate: (\d+(?:\.\d+)?%) per (\w+)")
_HORIZON = re.compile(r"^horizon: (\d+(?:\.\d+)?) (\w+)$", re.M)


def scale_text(text: str, c: float) -> str:
    """Every literal rate × c (count rates: the count; per-period ones: the period / c)."""
    text = _RATE.sub(lambda m: f"rate: {float(m[1]) * c!r}{m[2]}{m[3]}", text)
    text = _PCT_RATE.sub(lambda m: f"rate: {m[1]} per {1 / c!r} {m[2]}", text)
    out = _HORIZON.sub(lambda m: f"horizon: {float(m[1]) / c!r} {m[2]}", text)
    assert out != text
    return out


@pytest.mark.parametrize("name", ["competing_hazards", "ladder_walk", "per_period"])
@pytest.mark.parametrize("c", [2.0, 3.0, 0.1])
def test_scaling_rates_and_horizon(run, tmp_path, name, c):
    text = scenario_path(name).read_text()
    scaled = tmp_path / f"{name}_scaled.yaml"
    scaled.write_text(scale_text(text, c))
    a = run(name, runs=400, variants="all").to_pandas()
    b = run(simulator.load_scenario(scaled), runs=400, variants="all").to_pandas()
    assert b["n_events"].sum() > 0
    # identical sample paths: same outcomes, events, rungs and counts
    same = ["variant", "run", "n_events", "lapsed", "event_options", "rung_path"]
    same += [c for c in a.columns if c.startswith(("outcome.", "count.", "final."))]
    for col in same:
        assert a[col].map(_plain).tolist() == b[col].map(_plain).tolist(), col
    # every time divided by c: exactly for a power of two, to rounding otherwise
    times = [c for c in a.columns if c.startswith("outcome_time.")] + ["end_time"]
    for col in times:
        _assert_scaled(a[col].to_numpy(), b[col].to_numpy(), c)
    for col in ("event_times", "rung_times"):
        _assert_scaled(np.concatenate([*a[col], [0.0]]), np.concatenate([*b[col], [0.0]]), c)


def _plain(x: Any) -> Any:
    return x.tolist() if isinstance(x, np.ndarray) else x


def _assert_scaled(original: np.ndarray, scaled: np.ndarray, c: float) -> None:
    if math.log2(c).is_integer():
        np.testing.assert_array_equal(scaled * c, original)
    else:
        np.testing.assert_allclose(scaled * c, original, rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------------------------- reordering


def _reverse(data: Any, depth: int = 0) -> Any:
    """Reverse the order of every mapping's keys (not of lists: effects are ordered)."""
    if isinstance(data, dict):
        return {k: _reverse(data[k], depth + 1) for k in reversed(list(data))}
    if isinstance(data, list):
        return [_reverse(x, depth + 1) for x in data]
    return data


def reversed_copy(source: Path, target: Path) -> Path:
    data = yaml.safe_load(source.read_text())
    target.write_text(yaml.safe_dump(_reverse(data), sort_keys=False, allow_unicode=True))
    return target


def test_reordering_leaves_results_unchanged(run, tmp_path):
    source = scenario_path("mixed")
    other = reversed_copy(source, tmp_path / "mixed_reversed.yaml")
    data = yaml.safe_load(other.read_text())
    assert list(data["actors"]) == ["mx", "us"]  # really reordered
    assert list(data["actors"]["mx"]["options"]) == ["calm_down", "backlash"]
    a = run("mixed", runs=600, variants="all")
    b = run(simulator.load_scenario(other), runs=600, variants="all")
    assert a.digest == b.digest
    assert a.manifest["variant_digests"] == b.manifest["variant_digests"]
    _assert_same_table(a.to_pandas(), b.to_pandas())
    assert a.summary["variants"] == b.summary["variants"]


def _assert_same_table(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype == object:
            assert [_plain(v) for v in x] == [_plain(v) for v in y], col
        else:
            np.testing.assert_array_equal(x, y, err_msg=col)  # NaN == NaN here


# ----------------------------------------------------------------------------- executors


def test_workers_and_chunking_do_not_matter(run):
    runs = 50  # chunk size 1 → 100 chunk files; keep it small
    reference = run("mixed", runs=runs, variants="all")
    table = reference.to_pandas()
    others = [
        run("mixed", runs=runs, variants="all", chunk_size=1),
        run("mixed", runs=runs, variants="all", chunk_size=7),
        run("mixed", runs=runs, variants="all", chunk_size=100),
        run("mixed", runs=runs, variants="all", executor="process", workers=2, chunk_size=7),
        run("mixed", runs=runs, variants="all", executor="process", workers=1, chunk_size=100),
    ]
    for other in others:
        assert other.digest == reference.digest, other.manifest["chunk_size"]
        _assert_same_table(table, other.to_pandas())
        assert other.summary["variants"] == reference.summary["variants"]
    # and a different seed really changes the digest
    assert run("mixed", runs=runs, variants="all", seed=1).digest != reference.digest


# ----------------------------------------------------------------------------- hypothesis

NAMES = ["alpha", "beta", "gamma"]
OPTIONS = ["o1", "o2", "o3"]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A small random scenario: 1–3 actors with hazard, decision, scheduled and
    triggered options, a state variable, a ladder, triggers with delays and chances."""
    horizon = draw(st.integers(20, 400))
    n_actors = draw(st.integers(1, 3))
    structure = [(a, OPTIONS[: draw(st.integers(1, 3))]) for a in NAMES[:n_actors]]
    refs = [f"{a}.{o}" for a, opts in structure for o in opts]
    conditions = ["true", "x > 0.3", "escalation < r3", "x < 0.8 and escalation >= r1",
                  "t > 10"]
    actors: dict[str, Any] = {}
    for actor, opts in structure:
        options: dict[str, Any] = {}
        for name in opts:
            kind = draw(st.sampled_from(["rate", "weight", "at", "triggered"]))
            option: dict[str, Any] = {}
            if kind == "rate":
                unit = draw(st.sampled_from(["month", "year"]))
                option["rate"] = f"{draw(st.integers(1, 40))} per {unit}"
            elif kind == "weight":
                option["weight"] = draw(st.sampled_from(["1", "2.5", "x", "1 + escalation"]))
            elif kind == "at":
                option["at"] = f"{draw(st.integers(0, horizon + 10))} days"
            if draw(st.booleans()):
                option["when"] = draw(st.sampled_from(conditions))
            if draw(st.booleans()):
                option["once"] = True
            effects: list[dict[str, Any]] = []
            for _ in range(draw(st.integers(0, 3))):
                effect = draw(st.sampled_from(["add", "set", "escalate", "deescalate",
                                               "trigger"]))
                if effect == "add":
                    effects.append({"add": {"x": draw(st.sampled_from([-0.3, -0.1, 0.2]))}})
                elif effect == "set":
                    effects.append({"set": {"x": draw(st.sampled_from(["0.5", "x / 2"]))}})
                elif effect in ("escalate", "deescalate"):
                    effects.append({effect: draw(st.integers(1, 2))})
                else:
                    trigger: dict[str, Any] = {"trigger": draw(st.sampled_from(refs))}
                    # positive delays: a zero-delay trigger cycle would never end
                    trigger["after"] = draw(st.sampled_from(
                        ["1 day", "3 days", "1 to 10 days", "2 weeks"]))
                    if draw(st.booleans()):
                        trigger["chance"] = draw(st.sampled_from(["0.5", "x", "0.9"]))
                    effects.append(trigger)
            if effects:
                option["effects"] = effects
            options[name] = option
        actors[actor] = {"options": options}
        if any("weight" in o for o in options.values()):
            actors[actor]["decides"] = {
                "every": f"{draw(st.integers(3, 60))} days",
                "idle_weight": draw(st.sampled_from(["0", "1", "2 * x"]))}
    outcomes = {
        "high": {"when": "escalation >= r3", "terminal": draw(st.booleans())},
        "low_x": {"when": "x < 0.2", "terminal": draw(st.booleans())},
        "busy": {"when": f"count({refs[0]}) >= 2"},
    }
    return {
        "id": "hypothesis-scenario",
        "title": "Random conformance scenario",
        "as_of": "2026-01-01",
        "horizon": f"{horizon} days",
        "state": {"x": {"initial": draw(st.sampled_from(["0.5", "0.3 to 0.7"])),
                        "min": 0, "max": 1}},
        "ladder": {"initial": "r1", "rungs": [{"id": f"r{i}"} for i in range(4)]},
        "actors": actors,
        "outcomes": outcomes,
        "indicators": {"first": {"when": f"fired({refs[-1]})"}},
        "variants": {"calm": {"ladder_initial": "r0", "state": {"x": "0.9"}}},
    }


@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_scenarios_keep_invariants(data):
    runs = 30
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "scenario.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        scenario = simulator.load_scenario(path)
        a = simulator.run(scenario, runs=runs, variants="all", seed=7, executor="serial",
                          out=root / "a")
        check_invariants(a, runs)
        # reordered keys and another chunking: the same results
        other = reversed_copy(path, root / "reversed.yaml")
        b = simulator.run(simulator.load_scenario(other), runs=runs, variants="all", seed=7,
                          executor="serial", chunk_size=7, out=root / "b")
        assert a.digest == b.digest
        _assert_same_table(a.to_pandas(), b.to_pandas())
