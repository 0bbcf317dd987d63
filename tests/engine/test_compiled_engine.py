"""The compiled engine against the SimPy engine, run by run, and its expressions (machine
code) against the scalar evaluator, value by value.

The compiled engine follows the SimPy engine step for step with the same random
numbers; only parameters (compiled quantile functions, within 1e-12 relative) and
trigger delays (compiled normal quantile, within about 1e-15) may differ in the last
digits. So the same runs should come out the same: the same firings in the same order
at the same times (to 1e-9 relative), unless a last-digit difference decides a tie —
which the tests allow in at most 2 % of runs. A semantic slip (a wrong order of
same-time events, a missed re-check, a wrong row) changes far more runs than that.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from numba import njit

import simulator
from simulator.engine.batch import simulate_chunk
from simulator.engine.compiled_engine import simulate_chunk_compiled
from simulator.engine.compiled_native import NativeCode, Programs, call_native
from simulator.scenario.expressions import build_part

ROOT = Path(__file__).parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))

DELAYS = """
id: delays
title: Trigger delays of every kind
as_of: 2026-01-05
horizon: 1 year
state:
  n: {initial: 0, min: 0, max: 1000}
  m: {initial: 0, min: 0, max: 1000000}
actors:
  a:
    options:
      poke:
        rate: 3 per month
        effects:
          - add: {n: 1}
          - {trigger: b.fixed, after: 5 days}
          - {trigger: b.spread, after: 2 to 20 days}
          - {trigger: b.even, after: "uniform(1, 9) days"}
          - {trigger: b.peak, after: "triangular(1, 3, 30) days"}
          - {trigger: b.pert, after: "pert(1, 4, 40) days"}
          - {trigger: b.gamma, after: "gamma(2, 5) days", chance: 0.5}
  b:
    options:
      fixed: {effects: [{add: {n: 1}}]}
      spread: {effects: [{add: {m: 1}}]}
      even: {when: n > 3, effects: [{add: {m: 2}}]}
      peak: {effects: [{add: {m: 3}}]}
      pert: {once: true, effects: [{add: {m: 5}}]}
      gamma: {effects: [{add: {m: 6}}]}
outcomes:
  many: {when: m > 200}
provenance: {state: Fixture value., actors: Fixture value., outcomes: Fixture threshold.}
"""


def _model(path: Path) -> simulator.Model:
    result = simulator.read_scenario(path)
    assert result.scenario is not None, result.diagnostics
    return simulator.compile_model(result.scenario)


def _assert_same_runs(path: Path, runs: int, seed: int) -> None:
    model = _model(path)
    a = simulate_chunk(model, seed, 0, runs, trace_every=0)
    b = simulate_chunk_compiled(model, seed, 0, runs, trace_every=0)
    np.testing.assert_allclose(b.columns["params"], a.columns["params"], rtol=1e-12,
                               atol=1e-300)
    ev_a, ptr_a = a.ragged["event_options"]
    ev_b, ptr_b = b.ragged["event_options"]
    t_a, t_b = a.ragged["event_times"][0], b.ragged["event_times"][0]
    same = 0
    for k in range(runs):
        oa, ob = ev_a[ptr_a[k]:ptr_a[k + 1]], ev_b[ptr_b[k]:ptr_b[k + 1]]
        if np.array_equal(oa, ob):
            same += 1
            np.testing.assert_allclose(t_b[ptr_b[k]:ptr_b[k + 1]], t_a[ptr_a[k]:ptr_a[k + 1]],
                                       rtol=1e-9)
            for name in ("counts", "final_state", "lapsed"):
                np.testing.assert_allclose(b.columns[name][k], a.columns[name][k], rtol=1e-9)
    assert same >= 0.98 * runs, f"{path.name}: {same} of {runs} runs identical"


@pytest.mark.parametrize("path", [*SHIPPED, ROOT / "tests/data/mini.yaml"],
                         ids=lambda p: p.stem)
def test_runs_match_the_simpy_engine_run_by_run(path: Path) -> None:
    _assert_same_runs(path, runs=300, seed=17)


def test_every_kind_of_trigger_delay_matches_run_by_run(tmp_path: Path) -> None:
    # pert and gamma delays have no compiled quantile: those runs go to the SimPy engine
    path = tmp_path / "delays.yaml"
    path.write_text(DELAYS, encoding="utf-8")
    _assert_same_runs(path, runs=200, seed=3)


def test_results_do_not_depend_on_chunking_and_carry_their_own_digest(tmp_path: Path) -> None:
    kw = {"runs": 3000, "seed": 3, "executor": "serial", "variants": "all",
          "engine": "compiled"}
    mini = ROOT / "tests/data/mini.yaml"
    one = simulator.run(mini, out=tmp_path / "a", chunk_size=3000, **kw)
    many = simulator.run(mini, out=tmp_path / "b", chunk_size=700, **kw)
    assert one.manifest["engine"] == "compiled"
    assert one.digest == many.digest
    numpy_engine = simulator.run(mini, out=tmp_path / "c", **{**kw, "engine": "numpy"})
    assert numpy_engine.digest != one.digest


# ------------------------------------------------------------------ expressions as machine code


@njit
def _native(address: int, mem: np.ndarray) -> float:
    return call_native(address, mem)

_SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, -3.5, 1e308, -1e308, math.inf, -math.inf, math.nan,
            1e-300, 0.5, 7.0]


def _tree(rng: np.random.Generator, kind: str, depth: int) -> tuple[object, ...]:
    """A random, well-typed intermediate form over slots 1..5."""
    leaf = depth <= 0 or rng.random() < 0.25
    if kind == "bool":
        if leaf:
            return ("fired", int(rng.integers(1, 6)))
        pick = rng.integers(0, 3)
        if pick == 0:
            op = ["<", "<=", ">", ">=", "==", "!="][rng.integers(0, 6)]
            return ("compare", op, _tree(rng, "num", depth - 1), _tree(rng, "num", depth - 1))
        if pick == 1:
            parts = tuple(_tree(rng, "bool", depth - 1) for _ in range(rng.integers(2, 4)))
            return ("logical", ["and", "or"][rng.integers(0, 2)], parts)
        return ("unary", "not", _tree(rng, "bool", depth - 1))
    if leaf:
        if rng.random() < 0.5:
            return ("slot", int(rng.integers(1, 6)))
        return ("const", float(_SPECIAL[rng.integers(0, len(_SPECIAL))]))
    pick = rng.integers(0, 5)
    if pick == 0:
        op = ["+", "-", "*", "/", "%", "**"][rng.integers(0, 6)]
        return ("binary", op, _tree(rng, "num", depth - 1), _tree(rng, "num", depth - 1))
    if pick == 1:
        return ("unary", "-", _tree(rng, "num", depth - 1))
    if pick == 2:
        return ("cond", _tree(rng, "bool", depth - 1), _tree(rng, "num", depth - 1),
                _tree(rng, "num", depth - 1))
    name = ["min", "max", "clip", "abs", "exp", "log", "sqrt"][rng.integers(0, 7)]
    n = {"clip": 3, "min": int(rng.integers(2, 4)), "max": int(rng.integers(2, 4))}.get(name, 1)
    return ("call", name, tuple(_tree(rng, "num", depth - 1) for _ in range(n)))


def test_machine_code_agrees_with_the_scalar_evaluator() -> None:
    rng = np.random.default_rng(20260101)
    programs = Programs()  # random, well-typed forms: every operator, special values
    trees = [_tree(rng, ["num", "bool"][k % 2], 4) for k in range(400)]
    ids = [programs.add(t) for t in trees]
    native = NativeCode(programs.forms)
    checked = 0
    for _ in range(25):
        v = np.array([0.0] + [float(_SPECIAL[rng.integers(0, len(_SPECIAL))]) if
                              rng.random() < 0.5 else float(rng.normal(0, 3))
                              for _ in range(5)])
        for tree, which in zip(trees, ids, strict=True):
            want = build_part(tree).scalar(v.tolist())
            got = _native(native.addresses[which], v)
            want = float(want)
            if math.isnan(want):
                assert math.isnan(got), tree
            else:
                # numpy's and the C library's exp/pow may round the last bit differently
                assert got == pytest.approx(want, rel=1e-15, abs=0.0), tree
                assert math.copysign(1.0, got) == math.copysign(1.0, want) or want == 0.0
            checked += 1
    assert checked == 10_000


def test_results_do_not_depend_on_the_executor_or_workers(tmp_path: Path) -> None:
    kw = {"runs": 3000, "seed": 4, "engine": "compiled", "chunk_size": 1000}
    mini = ROOT / "tests/data/mini.yaml"
    serial = simulator.run(mini, out=tmp_path / "a", executor="serial", **kw)
    pool = simulator.run(mini, out=tmp_path / "b", executor="process", workers=2, **kw)
    assert pool.manifest["executor"] == "process"
    assert serial.digest == pool.digest
