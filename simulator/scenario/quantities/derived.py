"""Distributions derived from the families: monotone transforms, scaling, interval fits.

Fitting helpers turn a 90 % interval (5th and 95th percentiles) into a family:
:func:`beta_from_interval`, :func:`lognormal_from_interval`, :func:`normal_from_interval`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from simulator.scenario.quantities.distributions import (
    Array,
    Beta,
    Constant,
    Distribution,
    Gamma,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
    _check_range,
    _f,
    _fmt,
    _InverseTransform,
)

__all__ = [
    "LinearScale",
    "PeriodProbabilityToHazard",
    "Transformed",
    "beta_from_interval",
    "lognormal_from_interval",
    "normal_from_interval",
    "scale",
]


# Monotone maps for Transformed: small dataclasses (not lambdas) so that compiled models
# pickle to worker processes, and with an exact inverse so that cdf needs no search.


@dataclass(frozen=True)
class LinearScale:
    """x ↦ factor·x (factor > 0), e.g. weeks → days or count per year → hazard per day."""

    factor: float

    def __call__(self, x: npt.ArrayLike) -> Array:
        return np.asarray(np.asarray(x, np.float64) * self.factor, dtype=np.float64)

    def inverse(self, y: npt.ArrayLike) -> Array:
        return np.asarray(np.asarray(y, np.float64) / self.factor, dtype=np.float64)


@dataclass(frozen=True)
class PeriodProbabilityToHazard:
    """p per period T (days) ↦ hazard per day λ = −ln(1 − p)/T, so P(fires within T) = p."""

    period_days: float

    def __call__(self, p: npt.ArrayLike) -> Array:
        with np.errstate(divide="ignore"):
            return np.asarray(-np.log1p(-np.asarray(p, np.float64)) / self.period_days, np.float64)

    def inverse(self, hazard: npt.ArrayLike) -> Array:
        return np.asarray(-np.expm1(-np.asarray(hazard, np.float64) * self.period_days), np.float64)


@dataclass(frozen=True)
class Transformed(_InverseTransform):
    """``forward(X)`` for X ~ ``base`` and a monotone *increasing* ``forward``.

    Quantiles map through: ppf = forward ∘ base.ppf, so sampling stays an inverse
    transform of the same uniforms. ``forward`` may offer ``inverse`` (used by cdf);
    otherwise cdf is found by bisection on the quantile.
    """

    base: Distribution
    forward: Callable[[Any], Any]
    label: str
    family = "transformed"

    def ppf(self, q: npt.ArrayLike) -> Array:
        return np.asarray(self.forward(self.base.ppf(q)), dtype=np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        inverse = getattr(self.forward, "inverse", None)
        if inverse is not None:
            return self.base.cdf(inverse(x))
        x = np.asarray(x, dtype=np.float64)
        lo, hi = np.zeros_like(x), np.ones_like(x)
        for _ in range(60):  # 2**-60 is below float64 resolution of q
            mid = (lo + hi) / 2
            below = self.ppf(mid) <= x
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return np.asarray((lo + hi) / 2, dtype=np.float64)

    @property
    def mean(self) -> float:
        if isinstance(self.forward, LinearScale):
            return self.forward.factor * self.base.mean
        if isinstance(self.forward, PeriodProbabilityToHazard) and isinstance(self.base, Beta):
            # E[−ln(1 − p)] = ψ(a + b) − ψ(b) for p ~ Beta(a, b)
            a, b = self.base.a, self.base.b
            return float(special.digamma(a + b) - special.digamma(b)) / self.forward.period_days
        from scipy import integrate  # only for this rare case; heavy to import

        value, _ = integrate.quad(lambda q: float(self.ppf(q)), 0.0, 1.0, limit=200)
        return float(value)

    @property
    def support(self) -> tuple[float, float]:
        lo, hi = self.base.support
        with np.errstate(all="ignore"):
            return (float(self.forward(lo)), float(self.forward(hi)))

    @property
    def is_constant(self) -> bool:
        return self.base.is_constant

    def _params(self) -> str:
        base = getattr(self.base, "_params", self.base.describe)()
        return f"{self.label} of {base}"


def scale(dist: Distribution, factor: float) -> Distribution:
    """``factor·X`` (factor > 0), in closed form where the family allows it."""
    if not (math.isfinite(factor) and factor > 0):
        raise ValueError(f"scale factor must be finite and > 0, got {factor!r}")
    if factor == 1.0:
        return dist
    if isinstance(dist, Constant):
        return Constant(dist.value * factor)
    if isinstance(dist, LogNormal):
        return LogNormal(dist.mu + math.log(factor), dist.sigma)
    if isinstance(dist, Normal):
        return Normal(dist.mu * factor, dist.sd * factor)
    if isinstance(dist, Uniform):
        return Uniform(dist.lo * factor, dist.hi * factor)
    if isinstance(dist, Triangular):
        return Triangular(dist.lo * factor, dist.mode * factor, dist.hi * factor)
    if isinstance(dist, Pert):
        return Pert(dist.lo * factor, dist.mode * factor, dist.hi * factor, dist.lam)
    if isinstance(dist, Gamma):
        return Gamma(dist.shape, dist.scale * factor)
    return Transformed(dist, LinearScale(factor), f"×{_fmt(factor)}")


def _z(coverage: float) -> float:
    if not 0 < coverage < 1:
        raise ValueError(f"coverage must be in (0, 1), got {coverage!r}")
    return float(special.ndtri(0.5 + coverage / 2))


def lognormal_from_interval(lo: float, hi: float, coverage: float = 0.90) -> LogNormal:
    """Lognormal whose central ``coverage`` interval is [lo, hi] (needs 0 < lo < hi)."""
    lo, hi = _f(lo, "lo"), _f(hi, "hi")
    if not 0 < lo < hi:
        raise ValueError(f"a lognormal interval needs 0 < lo < hi, got {lo:g} to {hi:g}")
    log_lo, log_hi = math.log(lo), math.log(hi)
    return LogNormal((log_lo + log_hi) / 2, (log_hi - log_lo) / (2 * _z(coverage)))


def normal_from_interval(lo: float, hi: float, coverage: float = 0.90) -> Normal:
    """Normal whose central ``coverage`` interval is [lo, hi] (needs lo < hi)."""
    lo, hi = _check_range(lo, hi, "a normal interval")
    # halve before subtracting so that hi − lo cannot overflow for huge endpoints
    sd = (hi / 2 - lo / 2) / _z(coverage)
    return Normal(lo / 2 + hi / 2, sd)


def _beta_logit_quantiles(log_ab: Array, qs: tuple[float, float]) -> Array:
    a, b = np.exp(np.clip(log_ab, -40.0, 40.0))
    q = np.array(qs)
    # p from the lower tail and 1 − p from the mirrored beta, each accurate in its own
    # tail, so the logit keeps full precision for intervals near 0 and near 1
    p = special.betaincinv(a, b, q)
    one_minus_p = special.betaincinv(b, a, 1 - q)
    return np.asarray(np.log(p) - np.log(one_minus_p), dtype=np.float64)


def _beta_starts(lo: float, hi: float, z: float) -> list[Array]:
    # moment matching with the mean at the logit midpoint, then a ladder of
    # concentrations around the same mean in case the first start does not converge
    logit_mid = (special.logit(lo) + special.logit(hi)) / 2
    m = float(special.expit(logit_mid))
    sd = (hi - lo) / (2 * z)
    nu = m * (1 - m) / sd**2 - 1
    concentrations = [nu] if nu > 0 else []
    concentrations += [0.5, 2.0, 10.0, 100.0, 1e4, 1e6]
    return [np.log(np.array([m * c, (1 - m) * c])) for c in concentrations]


@functools.lru_cache(maxsize=4096)  # a scenario's variants fit the same intervals again
def beta_from_interval(lo: float, hi: float, coverage: float = 0.90) -> Beta:
    """Beta whose 5th/95th percentiles (for coverage 0.90) are ``lo``/``hi``.

    Solves on log-parameters with the quantiles compared on the logit scale, which
    keeps the problem well conditioned for lo near 0 and hi near 1. The fit is
    verified to 1e-6 relative on p and on 1 − p; ValueError if that is impossible.
    """
    lo, hi = _f(lo, "lo"), _f(hi, "hi")
    if not 0 < lo < hi < 1:
        raise ValueError(f"a beta 90% interval needs 0 < lo < hi < 1, got {lo:g} to {hi:g}")
    z = _z(coverage)
    qs = ((1 - coverage) / 2, (1 + coverage) / 2)
    target = np.array([special.logit(lo), special.logit(hi)])

    def residual(x: Array) -> Array:
        out = _beta_logit_quantiles(x, qs) - target
        return np.where(np.isfinite(out), out, 1e6)

    def verified(a: float, b: float) -> bool:
        p = special.betaincinv(a, b, np.array(qs))
        one_minus = special.betaincinv(b, a, 1 - np.array(qs))
        want, want_c = np.array([lo, hi]), np.array([1 - lo, 1 - hi])
        return bool(
            np.all(np.abs(p - want) <= 1e-6 * want)
            and np.all(np.abs(one_minus - want_c) <= 1e-6 * want_c)
        )

    from scipy import optimize  # imported here: costly to import, and only beta fits use it

    with np.errstate(all="ignore"):
        for start in _beta_starts(lo, hi, z):
            if not np.all(np.isfinite(start)):
                continue
            sol = optimize.root(residual, start, method="hybr", options={"xtol": 1e-14})
            a, b = (float(v) for v in np.exp(sol.x))
            if math.isfinite(a) and math.isfinite(b) and a > 0 and b > 0 and verified(a, b):
                return Beta(a, b)
    raise ValueError(
        f"no beta distribution has the 90% interval {lo:g} to {hi:g} within 1e-6; "
        "the interval may be too narrow — write a single number or widen it"
    )
