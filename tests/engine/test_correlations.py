"""Correlated parameters: a Gaussian copula that keeps each parameter's distribution.

Statistical checks: 3 z-checks at a family-wise false-alarm rate of 1e-4 → |z| < 4.0.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import simulator

Z_MAX = 4.0
RUNS = 20_000

SCENARIO = """\
id: corr
title: Correlated parameters
as_of: 2026-01-01
horizon: 30 days
parameters:
  a: {value: 0.2 to 0.6, assumption: true, note: test}
  b: {value: 1% to 5% per month, assumption: true, note: test}
  c: {value: 2 to 8, assumption: true, note: test}
correlations:
  - {between: [a, b], rho: 0.8, note: same driver}
state:
  x: {initial: 0, min: 0, max: 1}
actors:
  n:
    options:
      go: {rate: b * (1 + a + c), once: true, effects: [{set: {x: 1}}]}
outcomes:
  gone: {when: x >= 1}
"""


def _params(tmp_path: Path, text: str = SCENARIO) -> np.ndarray:
    path = tmp_path / "corr.yaml"
    path.write_text(text)
    model = simulator.compile_model(simulator.load_scenario(path))
    from simulator.engine.batch import initial_vectors
    from simulator.engine.streams import RowLayout, Streams

    layout = RowLayout(model.row_sizes)
    streams = [Streams(3, i, layout) for i in range(RUNS)]
    v = initial_vectors(model, lambda row: np.array([s.first(row) for s in streams]), RUNS)
    return v[:, [p.slot for p in model.parameters]]


def test_rank_correlation_follows_rho_and_marginals_are_kept(tmp_path: Path) -> None:
    draws = _params(tmp_path)
    a, b, c = draws.T
    rank_ab = stats.spearmanr(a, b).statistic
    expected = 6 / math.pi * math.asin(0.8 / 2)
    # the SE of Spearman's rho under dependence ≈ (1 - r²)/sqrt(n); generous enough
    se = (1 - expected**2) / math.sqrt(RUNS)
    assert abs(rank_ab - expected) / se < Z_MAX
    assert abs(stats.spearmanr(a, c).statistic) * math.sqrt(RUNS) < Z_MAX  # independent
    # each marginal keeps its 90 % interval: P(a < 0.2) = 5 %
    p_low = float((a < 0.2).mean())
    assert abs(p_low - 0.05) / math.sqrt(0.05 * 0.95 / RUNS) < Z_MAX


def test_same_draws_without_correlation_for_uninvolved_parameters(tmp_path: Path) -> None:
    correlated = _params(tmp_path)
    independent = _params(tmp_path, SCENARIO.replace("correlations:\n  - {between: [a, b], "
                                                     "rho: 0.8, note: same driver}\n", ""))
    # the first member (a) keeps its draws up to Φ(Φ⁻¹(u)) rounding, the outsider (c)
    # exactly; b moves towards a
    np.testing.assert_allclose(correlated[:, 0], independent[:, 0], rtol=1e-9)
    np.testing.assert_array_equal(correlated[:, 2], independent[:, 2])
    assert not np.array_equal(correlated[:, 1], independent[:, 1])


@pytest.mark.parametrize(("block", "message"), [
    ("  - {between: [a, zz], rho: 0.5}\n", "unknown parameter `zz`"),
    ("  - {between: [a, a], rho: 0.5}\n", "correlated with itself"),
    ("  - {between: [b, a], rho: 0.1}\n", "given twice"),
    ("  - {between: [a, c], rho: 0.9}\n  - {between: [b, c], rho: -0.9}\n",
     "cannot all hold at once"),
    ("  - {between: [a, c], rho: 1.0}\n", "less than 1"),
])
def test_bad_correlations_are_explained(tmp_path: Path, block: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO.replace("note: same driver}\n", "note: same driver}\n" + block))
    result = simulator.read_scenario(path)
    assert not result.ok
    assert any(message in d.message for d in result.diagnostics), [
        d.format() for d in result.diagnostics]
