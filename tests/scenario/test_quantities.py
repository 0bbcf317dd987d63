"""Quantities and distributions: exact conversions, interval fits, sampling, errors."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.scenario.quantities import (
    DAYS_PER,
    Quantity,
    QuantityError,
    derived,
    infer_kind,
    looks_like_quantity,
    parse_duration,
    parse_quantity,
    parse_rate,
    per_period_probability_to_hazard,
)
from simulator.scenario.quantities import distributions as d

MONTH = 365.25 / 12
YEAR = 365.25
REL = 1e-6


def draw(dist: d.Distribution, seed: int, n: int) -> np.ndarray:
    """``n`` draws as the engines make them: ``ppf`` of uniforms from a seeded stream."""
    return np.asarray(dist.ppf(np.random.default_rng(seed).random(n)), dtype=np.float64)


def const(q: Quantity) -> float:
    assert q.is_constant
    return q.distribution.median


# ----------------------------------------------------------------- exact conversions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3% per month", -math.log(0.97) / MONTH),
        ("1 in 20 per year", -math.log(0.95) / YEAR),
        ("2 per year", 2 / YEAR),
        ("1 per 2 years", 1 / (2 * YEAR)),
        ("3 %/mo", -math.log(0.97) / MONTH),
        ("5 per week", 5 / 7),
        ("10% per 2 weeks", -math.log(0.9) / 14),
        ("0 per day", 0.0),
        ("1 per 12 hours", 2.0),
    ],
)
def test_rate_conversions_are_exact(text: str, expected: float) -> None:
    q = parse_rate(text)
    assert q.kind == "rate"
    assert const(q) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize(
    ("text", "days", "unit"),
    [
        ("30 days", 30.0, "days"),
        ("6 weeks", 42.0, "weeks"),
        ("1.5 years", 1.5 * YEAR, "years"),
        ("3 months", 3 * MONTH, "months"),
        ("1 Year", YEAR, "years"),
        ("2wk", 14.0, "weeks"),
        ("36 hours", 1.5, "hours"),
        ("0 days", 0.0, "days"),
    ],
)
def test_durations_in_days(text: str, days: float, unit: str) -> None:
    q = parse_duration(text)
    assert const(q) == pytest.approx(days, rel=1e-12)
    assert q.display_unit == unit
    assert q.to_display(days) == pytest.approx(float(text.split()[0].rstrip("wk")), rel=1e-12)


def test_days_per_table() -> None:
    assert DAYS_PER["month"] == DAYS_PER["months"] == DAYS_PER["mo"] == 365.25 / 12
    assert DAYS_PER["year"] == DAYS_PER["yr"] == 365.25
    assert DAYS_PER["week"] == DAYS_PER["wk"] == 7.0
    assert DAYS_PER["day"] == DAYS_PER["d"] == 1.0


@pytest.mark.parametrize("p", [0.0, 1e-9, 0.03, 0.5, 0.99])
@pytest.mark.parametrize("period", [1.0, 7.0, MONTH, YEAR])
def test_constant_hazard_reproduces_per_period_probability(p: float, period: float) -> None:
    # reference case 2: P(fired by T) = p and P(fired by 2T) = 1 − (1 − p)²
    lam = per_period_probability_to_hazard(p, period)
    assert isinstance(lam, float)
    assert -math.expm1(-lam * period) == pytest.approx(p, rel=1e-12, abs=1e-300)
    assert -math.expm1(-2 * lam * period) == pytest.approx(1 - (1 - p) ** 2, rel=1e-12)


def test_hazard_helper_is_vectorised() -> None:
    p = np.array([0.01, 0.1, 0.5])
    lam = per_period_probability_to_hazard(p, 30.0)
    np.testing.assert_allclose(lam, -np.log1p(-p) / 30.0, rtol=1e-15)
    with pytest.raises(ValueError, match="period_days"):
        per_period_probability_to_hazard(0.1, 0.0)


def test_display_scale_of_a_probability_rate() -> None:
    q = parse_rate("3% per month")
    assert q.display_unit == "per month"
    assert q.display_scale == MONTH
    # displayed value is the hazard per month; 1 − exp(−h) recovers the 3 %
    assert -math.expm1(-q.to_display(const(q))) == pytest.approx(0.03, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("0.3", "real", 0.3),
        ("-2", "real", -2.0),
        ("1e-3", "real", 1e-3),
        ("30%", "probability", 0.3),
        ("2.5 %", "probability", 0.025),
        ("1 in 20", "probability", 0.05),
        ("7 days to 1 week", "duration", 7.0),
        ("0.4 to 0.4", "probability", 0.4),
        ("constant(30%)", "probability", 0.3),
    ],
)
def test_constants_and_inferred_kinds(text: str, kind: str, value: float) -> None:
    q = parse_quantity(text)
    assert q.kind == kind
    assert infer_kind(text) == kind
    assert const(q) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "kind", "family"),
    [
        ("0.5 to 0.9", "probability", "beta"),
        ("0.5% to 4%", "probability", "beta"),
        ("1 in 50 to 1 in 10", "probability", "beta"),
        ("3 to 8", "positive", "lognormal"),
        ("-1 to 4", "real", "normal"),
        ("2 to 6 weeks", "duration", "lognormal"),
        ("0.5% to 4% per month", "rate", "lognormal"),
        ("beta(2, 5)", "probability", "beta"),
        ("normal(0, 1)", "real", "normal"),
        ("uniform(0.2, 0.4)", "real", "uniform"),
        ("lognormal(10, 0.5)", "positive", "lognormal"),
        ("gamma(2, 3)", "positive", "gamma"),
        ("pert(1, 2, 6) weeks", "duration", "pert"),
        ("beta(2, 60) per month", "rate", "transformed"),
    ],
)
def test_family_selection(text: str, kind: str, family: str) -> None:
    q = parse_quantity(text)
    assert (q.kind, q.distribution.family) == (kind, family)
    assert isinstance(q.distribution, d.Distribution)
    assert "90% interval" in q.distribution.describe()


def test_numbers_as_values() -> None:
    assert parse_quantity(0.3).text == "0.3"
    assert const(parse_quantity(0.3, "probability")) == 0.3
    assert const(parse_quantity(5)) == 5.0
    with pytest.raises(QuantityError, match="write `30 days`"):
        parse_duration(30)
    with pytest.raises(QuantityError, match=r"write `2 per year` or `3% per month`"):
        parse_rate(2)
    with pytest.raises(QuantityError, match="bool"):
        parse_quantity(True)


# ----------------------------------------------------------------- interval fits


def _assert_endpoints(dist: d.Distribution, lo: float, hi: float) -> None:
    q05, q95 = dist.ppf(np.array([0.05, 0.95]))
    assert q05 == pytest.approx(lo, rel=REL)
    assert q95 == pytest.approx(hi, rel=REL)


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0.001, 0.01), (0.9, 0.999), (0.01, 0.99), (0.5, 0.9), (0.2, 0.21), (1e-6, 0.5), (0.3, 0.7)],
)
def test_beta_fit_endpoints(lo: float, hi: float) -> None:
    beta = derived.beta_from_interval(lo, hi)
    _assert_endpoints(beta, lo, hi)
    # also relative on 1 − p, which matters near 1
    one_minus = 1 - beta.ppf(np.array([0.05, 0.95]))
    np.testing.assert_allclose(one_minus, [1 - lo, 1 - hi], rtol=1e-6)


def test_beta_fit_impossible() -> None:
    with pytest.raises(ValueError, match="0 < lo < hi < 1"):
        derived.beta_from_interval(0.0, 0.5)
    with pytest.raises(ValueError, match="0 < lo < hi < 1"):
        derived.beta_from_interval(0.6, 0.5)


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("0.5 to 0.9", 0.5, 0.9),
        ("0.1% to 1%", 0.001, 0.01),
        ("90% to 99.9%", 0.9, 0.999),
        ("1% to 99%", 0.01, 0.99),
        ("3 to 8", 3.0, 8.0),
        ("-1 to 4", -1.0, 4.0),
        ("2 to 6 weeks", 14.0, 42.0),
        ("1 week to 3 months", 7.0, 3 * MONTH),
        ("2 to 5 per year", 2 / YEAR, 5 / YEAR),
    ],
)
def test_interval_fits_hit_endpoints(text: str, lo: float, hi: float) -> None:
    _assert_endpoints(parse_quantity(text).distribution, lo, hi)


def test_probability_rate_interval_fits_converted_endpoints() -> None:
    q = parse_quantity("0.5% to 4% per month")
    lo, hi = -math.log(0.995) / MONTH, -math.log(0.96) / MONTH
    _assert_endpoints(q.distribution, lo, hi)
    assert isinstance(q.distribution, d.LogNormal)


def test_transformed_probability_family_rate() -> None:
    q = parse_quantity("beta(2, 60) per month")
    base = d.Beta(2, 60)
    u = np.array([0.05, 0.5, 0.95])
    np.testing.assert_allclose(q.distribution.ppf(u), -np.log1p(-base.ppf(u)) / MONTH)
    np.testing.assert_allclose(q.distribution.cdf(q.distribution.ppf(u)), u, rtol=1e-9)
    # closed-form mean matches numerical integration over the quantile function
    generic = derived.Transformed(base, lambda p: -np.log1p(-np.asarray(p)) / MONTH, "h")
    assert q.distribution.mean == pytest.approx(generic.mean, rel=1e-7)
    np.testing.assert_allclose(generic.cdf(generic.ppf(u)), u, rtol=1e-9)


# ----------------------------------------------------------------- families


FAMILIES: list[d.Distribution] = [
    d.Beta(2.0, 5.0),
    d.LogNormal(0.3, 0.7),
    d.Normal(1.0, 2.0),
    d.Uniform(-1.0, 3.0),
    d.Triangular(0.0, 1.0, 4.0),
    d.Pert(0.0, 1.0, 4.0),
    d.Gamma(2.0, 3.0),
    derived.Transformed(d.Beta(2, 5), derived.PeriodProbabilityToHazard(30.0), "hazard"),
    derived.scale(d.Beta(2, 5), 7.0),
]


@pytest.mark.parametrize("dist", FAMILIES, ids=lambda x: x.family)
def test_family_cdf_inverts_ppf_and_mean(dist: d.Distribution) -> None:
    q = np.linspace(0.01, 0.99, 21)
    np.testing.assert_allclose(dist.cdf(dist.ppf(q)), q, rtol=1e-8, atol=1e-12)
    x = draw(dist, 7, 200_000)
    # mean within 6 standard errors of the sample mean
    assert abs(x.mean() - dist.mean) < 6 * x.std() / math.sqrt(x.size)
    lo, hi = dist.support
    assert lo <= x.min()
    assert x.max() <= hi
    assert dist.median == pytest.approx(float(dist.ppf(0.5)))
    assert pickle.loads(pickle.dumps(dist)) == dist


def test_scale_is_closed_form_and_exact() -> None:
    for dist in FAMILIES[:7]:
        scaled = derived.scale(dist, 7.0)
        # a beta has no scaled closed form on [0, 1]; it becomes a Transformed
        assert scaled.family == (dist.family if dist.family != "beta" else "transformed")
        np.testing.assert_allclose(scaled.ppf([0.1, 0.9]), 7.0 * dist.ppf([0.1, 0.9]))


def test_constant() -> None:
    c = d.Constant(2.5)
    assert np.all(draw(c, 1, 5) == 2.5)
    assert c.is_constant
    assert c.support == (2.5, 2.5)
    assert c.mean == 2.5
    assert c.describe() == "constant 2.5"
    np.testing.assert_array_equal(c.cdf([2.0, 2.5, 3.0]), [0.0, 1.0, 1.0])


@pytest.mark.parametrize(
    "make",
    [
        lambda: d.Beta(0, 1),
        lambda: d.Normal(0, 0),
        lambda: d.LogNormal(0, -1),
        lambda: d.Uniform(2, 2),
        lambda: d.Triangular(0, 5, 4),
        lambda: d.Pert(0, 1, 2, lam=0),
        lambda: d.Gamma(1, math.nan),
        lambda: derived.lognormal_from_interval(0, 1),
        lambda: derived.normal_from_interval(1, 1),
    ],
)
def test_invalid_parameters(make: object) -> None:
    with pytest.raises(ValueError, match=r"must|needs"):
        make()  # type: ignore[operator]


# ----------------------------------------------------------------- sampling


N = 200_000
# the sample quantile q̂ of level 0.05 has F(q̂) ≈ Binomial proportion: SE = sqrt(pq/n);
# 5 SE keeps the false-alarm rate of the whole table below 1e-5
TOL = 5 * math.sqrt(0.05 * 0.95 / N)


@pytest.mark.parametrize(
    "text", ["0.5 to 0.9", "0.1% to 1%", "2 to 6 weeks", "-1 to 4", "0.5% to 4% per month"]
)
def test_sampled_percentiles_match_interval(text: str) -> None:
    dist = parse_quantity(text).distribution
    x = draw(dist, 20260105, N)
    assert x.shape == (N,)
    assert x.dtype == np.float64
    q05, q95 = np.quantile(x, [0.05, 0.95])
    assert abs(float(dist.cdf(q05)) - 0.05) < TOL
    assert abs(float(dist.cdf(q95)) - 0.95) < TOL


@pytest.mark.parametrize("dist", [*FAMILIES, d.Constant(1.0)], ids=lambda x: x.family)
def test_draws_are_one_per_uniform_reproducible_and_monotone(dist: d.Distribution) -> None:
    u = np.random.default_rng(42).random(1000)
    a, b = np.asarray(dist.ppf(u)), np.asarray(dist.ppf(u.copy()))
    assert a.shape == (1000,)
    np.testing.assert_array_equal(a, b)
    # inverse transform: a larger uniform never gives a smaller draw
    assert np.all(np.diff(a[np.argsort(u)]) >= 0)


def test_common_random_numbers_preserve_ranks() -> None:
    narrow = parse_quantity("0.5% to 4% per month").distribution
    wide = parse_quantity("0.2% to 10% per month").distribution
    beta = parse_quantity("20% to 60%").distribution
    pert = parse_quantity("pert(1%, 3%, 8%) per month").distribution
    draws = [draw(x, 99, 5000) for x in (narrow, wide, beta, pert)]
    ranks = [np.argsort(x, kind="stable") for x in draws]
    for r in ranks[1:]:
        np.testing.assert_array_equal(r, ranks[0])


# ----------------------------------------------------------------- errors

BAD = [
    # text, kind, message fragment, column
    ("5% to 2%", None, "lower end is above", 7),
    ("150%", None, "cannot exceed 100%", 1),
    ("-1 per year", None, "rate cannot be negative", 1),
    ("3% per fortnite", None, "expected a time unit", 8),
    ("beta(0, 1)", None, "must be > 0", 6),
    ("normall(0,1)", None, "unknown distribution", 1),
    ("2 weeks to 3", None, "mixed units", 12),
    ("1 in 0", None, "must be positive", 6),
    ("nan", None, "NaN", 1),
    ("100% per month", None, "infinite hazard", 1),
    ("", None, "empty", 1),
    ("   ", None, "empty", 1),
    ("1" * 600, None, "too long", 501),
    ("5 to 10%", None, "mixed notation", 1),
    ("1_000", None, "unexpected", 2),
    ("3-4", None, "unexpected `-4`", 2),
    ("beta(1)", None, "takes 2 arguments", 1),
    ("beta(1, 2", None, "expected `,` or `)`", 10),
    ("30% per", None, "time unit", 8),
    ("0.3 0.4", None, "unexpected", 5),
    ("1e400", None, "too large", 1),
    ("0 to 6 weeks", None, "above 0", 1),
    ("uniform(3, 1)", None, "lo < hi", 1),
    ("pert(1, 5, 3)", None, "mode", 1),
    ("normal(0, -1)", None, "sd must be > 0", 11),
    ("lognormal(0, 1)", None, "median must be > 0", 11),
    ("beta(2, 3) to 4", None, "unexpected `to`", 12),
    ("2 per 0 years", None, "period must be positive", 7),
    ("inf", None, "NaN and infinity", 1),
    ("x * 2", None, "unexpected character", 3),
    ("30 dayz", None, "unexpected `dayz`", 4),
    ("normal(0.5, 0.1) per month", None, "outside", 1),
    ("beta(2, 3) weeks", None, "not of durations", 1),
    ("3 weeks per month", None, "no time unit", 3),
    ("1 in", None, "expected a number", 5),
    ("0 to 1", None, "0 < lo < hi < 1", 1),
    ("beta(2%, 3)", None, "plain number", 6),
    ("1.5", "probability", "cannot exceed 100%", 1),
    ("-0.1", "probability", "cannot be negative", 1),
    ("30", "duration", "needs a unit", 3),
    ("2", "rate", "needs `per", 2),
    ("3% per month", "probability", "no `per`", 4),
    ("normal(0.5, 0.1)", "probability", "outside", 1),
    ("-3", "positive", "cannot be negative", 1),
    ("-2 days", "duration", "cannot be negative", 1),
    ("0.3", "weight", "unknown kind", 1),
]


@pytest.mark.parametrize(("text", "kind", "fragment", "column"), BAD)
def test_bad_inputs(text: str, kind: str | None, fragment: str, column: int) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(text, kind)  # type: ignore[arg-type]
    err = info.value
    assert fragment in err.message
    assert err.column == column
    assert err.expected
    assert not looks_like_quantity(text) or kind is not None


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("5% to 2%", "write the smaller value first"),
        ("150%", "a probability cannot exceed 100%"),
        ("3% per fortnite", "did you mean `per fortnight`?"),
        ("3% per mnth", "did you mean `per month`?"),
        ("normall(0,1)", "did you mean `normal`?"),
        ("30 dayz", "did you mean `days`?"),
        ("2 weeks to 3", "write `2 to 3 weeks`"),
        ("3-4", "`a to b`"),
    ],
)
def test_hints(text: str, hint: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(text)
    assert hint in (info.value.hint or "")
    assert hint in str(info.value)


def test_looks_like_quantity() -> None:
    for text in ["30%", "2 to 6 weeks", "beta(2, 5)", "1 in 3 per year", "0.3"]:
        assert looks_like_quantity(text)
    for text in ["strike_rate * 2", "max(a, b)", "x", "1 + 2", "escalation >= strike"]:
        assert not looks_like_quantity(text)


# ----------------------------------------------------------------- fuzzing

_PIECES = ["0", "0.3", "1", "-2", "5", "1e3", "1e-9", "%", " ", "to", "per", "in", "month",
           "weeks", "d", "yr", "beta(", "pert(", "normal(", "lognormal(", "uniform(",
           "gamma(", ",", ")", "/", "nan", "1 in 0", "100%", "x"]  # fmt: skip
_FUZZ = settings(
    max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@_FUZZ
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map(" ".join), st.sampled_from(
    [None, "probability", "rate", "duration", "positive", "real"]))  # fmt: skip
def test_fuzz_token_soup(text: str, kind: str | None) -> None:
    _parse_or_quantity_error(text, kind)


@_FUZZ
@given(st.text(max_size=40))
def test_fuzz_arbitrary_text(text: str) -> None:
    _parse_or_quantity_error(text, None)


@_FUZZ
@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers())
def test_fuzz_numbers(value: float | int) -> None:
    _parse_or_quantity_error(value, None)


def _parse_or_quantity_error(value: str | float | int, kind: str | None) -> None:
    try:
        q = parse_quantity(value, kind)  # type: ignore[arg-type]
    except QuantityError as err:
        column = err.column
        assert column >= 1
        return
    assert isinstance(q, Quantity)
    x = draw(q.distribution, 0, 16)
    assert x.shape == (16,)
    assert np.all(np.isfinite(x))
    if q.kind == "probability":
        assert np.all((x >= 0) & (x <= 1))
    if q.kind in ("rate", "duration", "positive"):
        assert np.all(x >= 0)
