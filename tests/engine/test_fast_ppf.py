"""The compiled quantiles agree with scipy's to 1e-12 relative, tails included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import special

from simulator.engine.batch import initial_vectors
from simulator.engine.fast_ppf import beta_ppf, fast_initial_vectors, fast_ppf, gamma_ppf
from simulator.loading import load_scenario
from simulator.model.compile import compile_model
from simulator.scenario.quantities.derived import (
    LinearScale,
    PeriodProbabilityToHazard,
    Transformed,
)
from simulator.scenario.quantities.distributions import (
    Beta,
    Constant,
    Gamma,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
)

ROOT = Path(__file__).resolve().parents[2]
SHAPES = [0.05, 0.5, 1.0, 1.7, 30.0, 1000.0]
RTOL = 1e-12


def _uniforms() -> np.ndarray:
    rng = np.random.default_rng(20260105)
    return np.concatenate([
        rng.random(1500),
        10.0 ** -rng.uniform(0, 300, 300),  # lower tail down to 1e-300
        1 - 10.0 ** -rng.uniform(0, 16, 300),  # upper tail up to 1 − 1e-16
        [1e-300, 1e-12, 1 - 1e-16, 1 - 2**-53, 2**-53, 0.5, 1e-15, 1 - 1e-15],
    ])


def _rel_err(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    # below the smallest normal number relative error means nothing: compare absolutely
    scale = np.maximum(np.abs(ref), 1e-300)
    return np.asarray(np.abs(x - ref) / scale)


@pytest.mark.parametrize("b", SHAPES)
@pytest.mark.parametrize("a", SHAPES)
def test_beta_matches_scipy(a: float, b: float) -> None:
    u = _uniforms()
    x, ref = beta_ppf(a, b, u), special.betaincinv(a, b, u)
    err = _rel_err(x, ref)
    # where scipy's own value misses its round trip through betainc by more than 1e-8
    # (it does in some far tails, e.g. Beta(1.7, 0.05) below u = 1e-25), the compiled
    # value must make the round trip instead
    with np.errstate(all="ignore"):
        scipy_trip = np.abs(special.betainc(a, b, ref) - u) / u
        ours_trip = np.abs(special.betainc(a, b, x) - u) / u
    scipy_off = (scipy_trip > 1e-8) & (err > RTOL)
    assert np.all(err[~scipy_off] <= RTOL), (a, b, u[~scipy_off][np.argmax(err[~scipy_off])])
    assert np.all(ours_trip[scipy_off] <= 1e-10)
    assert scipy_off.mean() < 0.05  # the exception stays an exception


@pytest.mark.parametrize("b", SHAPES)
@pytest.mark.parametrize("a", SHAPES)
def test_beta_monotone_and_bounded(a: float, b: float) -> None:
    u = np.sort(np.concatenate([_uniforms(), np.linspace(0.0, 1.0, 5001)]))
    x = beta_ppf(a, b, u)
    assert np.all(np.diff(x) >= 0.0)
    assert np.all((x >= 0.0) & (x <= 1.0))


@pytest.mark.parametrize("a", [*SHAPES, 0.2, 4.0, 100.0])
def test_gamma_matches_scipy(a: float) -> None:
    u = _uniforms()
    x, ref = gamma_ppf(a, u), special.gammaincinv(a, u)
    assert np.all(_rel_err(x, ref) <= RTOL)
    s = np.sort(u)
    assert np.all(np.diff(gamma_ppf(a, s)) >= 0.0)


def test_bounds_and_invalid_inputs_as_scipy() -> None:
    u = np.array([0.0, 1.0, -0.1, 1.1, np.nan])
    np.testing.assert_array_equal(beta_ppf(2.0, 3.0, u), special.betaincinv(2.0, 3.0, u))
    np.testing.assert_array_equal(gamma_ppf(2.0, u), special.gammaincinv(2.0, u))


def test_shape_of_input_is_kept() -> None:
    u = np.random.default_rng(1).random((3, 4))
    assert beta_ppf(2.0, 5.0, u).shape == (3, 4)
    assert fast_ppf(Beta(2.0, 5.0), 0.25).shape == ()
    assert fast_ppf(Beta(2.0, 5.0), 0.25) == pytest.approx(special.betaincinv(2.0, 5.0, 0.25),
                                                           rel=RTOL)


COMPILED = [
    Beta(4.775, 15.56),
    Pert(-2.0, 1.0, 10.0),
    Pert(0.0, 0.0, 1.0, lam=6.0),
    Gamma(0.7, 3.0),
    Transformed(Beta(2.0, 50.0), PeriodProbabilityToHazard(365.0), "per year"),
    Transformed(Gamma(3.0, 1.0), LinearScale(7.0), "weeks"),
]
CHEAP = [Constant(3.0), LogNormal(-2.0, 0.5), Normal(1.0, 2.0), Uniform(-1.0, 4.0),
         Triangular(0.0, 1.0, 5.0)]


@pytest.mark.parametrize("dist", COMPILED, ids=lambda d: d.describe())
def test_compiled_distributions_match_their_ppf(dist: object) -> None:
    u = _uniforms()
    got, want = fast_ppf(dist, u), dist.ppf(u)  # type: ignore[attr-defined]
    if isinstance(dist, Pert):  # lo + width·x: compare on the scale of width·x
        width = dist.hi - dist.lo
        assert np.all(np.abs(got - want) <= RTOL * np.maximum(np.abs(want - dist.lo),
                                                              1e-300 * width))
    else:
        assert np.all(_rel_err(got, want) <= RTOL)


@pytest.mark.parametrize("dist", CHEAP, ids=lambda d: d.describe())
def test_other_distributions_are_their_own_ppf(dist: object) -> None:
    u = _uniforms()
    np.testing.assert_array_equal(fast_ppf(dist, u), dist.ppf(u))  # type: ignore[attr-defined]


def _uses_fast_path(dist: object) -> bool:
    while isinstance(dist, Transformed):
        dist = dist.base
    return isinstance(dist, (Beta, Pert, Gamma))


@pytest.mark.parametrize("path", ["scenarios/us_mexico_cartels.yaml", "tests/data/mini.yaml"])
def test_fast_initial_vectors_match_batch(path: str) -> None:
    model = compile_model(load_scenario(ROOT / path))
    n = 3000
    rows: dict[int, np.ndarray] = {}

    def first(row: int) -> np.ndarray:
        if row not in rows:
            rows[row] = np.random.default_rng(row).random(n)
        return rows[row]

    got, want = fast_initial_vectors(model, first, n), initial_vectors(model, first, n)
    assert got.shape == want.shape
    fast_slots = {p.slot for p in model.parameters if _uses_fast_path(p.quantity.distribution)}
    fast_slots |= {s.slot for s in model.state if s.initial_quantity is not None
                   and _uses_fast_path(s.initial_quantity.distribution)
                   and not s.initial_quantity.distribution.is_constant}
    assert fast_slots  # both scenarios draw beta parameters
    for slot in range(want.shape[1]):
        if slot in fast_slots:
            assert np.all(_rel_err(got[:, slot], want[:, slot]) <= RTOL), slot
        else:
            np.testing.assert_array_equal(got[:, slot], want[:, slot])
