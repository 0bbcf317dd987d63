"""Distribution families for scenario parameters, in canonical units.

Every family is a frozen dataclass implementing :class:`Distribution`. Units are
whatever the caller put in; :mod:`simulator.scenario.quantities` always builds them in
canonical units (probabilities in [0, 1], rates as hazard per day, durations in days).

Sampling is **always by inverse transform**: ``sample(rng, n)`` draws ``u =
rng.random(n)`` (one vectorised call) and returns ``ppf(u)``. Every family, even
:class:`Constant`, consumes exactly ``n`` uniforms, so

* a run's draw is a deterministic function of its Generator state;
* with common random numbers, the *same* uniforms map monotonically to values: when a
  variant widens or shifts a parameter's interval, each run's draw moves monotonically
  and the ranks of the draws across runs are unchanged. Variant comparisons therefore
  measure the change of the parameter, not a reshuffle of the randomness.

Fitting helpers turn a 90 % interval (5th and 95th percentiles) into a family:
:func:`beta_from_interval`, :func:`lognormal_from_interval`, :func:`normal_from_interval`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from scipy import special

Array = npt.NDArray[np.float64]

__all__ = [
    "Beta",
    "Constant",
    "Distribution",
    "Gamma",
    "LinearScale",
    "LogNormal",
    "Normal",
    "PeriodProbabilityToHazard",
    "Pert",
    "Transformed",
    "Triangular",
    "Uniform",
    "beta_from_interval",
    "lognormal_from_interval",
    "normal_from_interval",
    "scale",
]


@runtime_checkable
class Distribution(Protocol):
    """What the rest of geosim may rely on; every family below implements it."""

    @property
    def family(self) -> str: ...
    def sample(self, rng: np.random.Generator, n: int) -> Array: ...
    def ppf(self, q: npt.ArrayLike) -> Array: ...
    def cdf(self, x: npt.ArrayLike) -> Array: ...
    @property
    def median(self) -> float: ...
    @property
    def mean(self) -> float: ...
    @property
    def support(self) -> tuple[float, float]: ...
    @property
    def is_constant(self) -> bool: ...
    def describe(self) -> str: ...


def _fmt(x: float) -> str:
    """Three significant digits, no exponent for everyday magnitudes."""
    return f"{x:.3g}"


def _f(x: float, name: str) -> float:
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return value


def _uniforms(rng: np.random.Generator, n: int) -> Array:
    # rng.random is in [0, 1); an exact 0 would map to -inf for unbounded families.
    # 2**-54 lies below the smallest non-zero draw (2**-53), so order is preserved.
    u = rng.random(n)
    u[u == 0.0] = 2.0**-54
    return u


class _InverseTransform:
    """Shared behaviour: sampling by inverse transform, median, describe."""

    family: str

    def ppf(self, q: npt.ArrayLike) -> Array:  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """``n`` draws as float64 of shape (n,), by ``ppf(rng.random(n))``."""
        return np.asarray(self.ppf(_uniforms(rng, n)), dtype=np.float64).reshape(n)

    @property
    def median(self) -> float:
        return float(self.ppf(0.5))

    @property
    def is_constant(self) -> bool:
        return False

    def _params(self) -> str:  # pragma: no cover - overridden
        return self.family

    def describe(self) -> str:
        lo, hi = self.ppf(np.array([0.05, 0.95]))
        return f"{self._params()}; 90% interval {_fmt(lo)} to {_fmt(hi)}"


@dataclass(frozen=True)
class Constant(_InverseTransform):
    """A fixed value (still consumes its uniforms, to keep random streams aligned)."""

    value: float
    family = "constant"

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _f(self.value, "value"))

    def ppf(self, q: npt.ArrayLike) -> Array:
        return np.full(np.shape(q), self.value, dtype=np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        return (np.asarray(x, dtype=np.float64) >= self.value).astype(np.float64)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    @property
    def is_constant(self) -> bool:
        return True

    def describe(self) -> str:
        return f"constant {_fmt(self.value)}"


@dataclass(frozen=True)
class Beta(_InverseTransform):
    """Beta(a, b) on [0, 1]."""

    a: float
    b: float
    family = "beta"

    def __post_init__(self) -> None:
        for name in ("a", "b"):
            value = _f(getattr(self, name), name)
            if value <= 0:
                raise ValueError(f"beta parameter {name} must be > 0, got {value:g}")
            object.__setattr__(self, name, value)

    def ppf(self, q: npt.ArrayLike) -> Array:
        return np.asarray(special.betaincinv(self.a, self.b, q), dtype=np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        return np.asarray(special.betainc(self.a, self.b, np.clip(x, 0.0, 1.0)), np.float64)

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def _params(self) -> str:
        return f"beta(α={_fmt(self.a)}, β={_fmt(self.b)})"


@dataclass(frozen=True)
class LogNormal(_InverseTransform):
    """exp(N(mu, sigma)): ``mu`` and ``sigma`` are the mean and sd of the log."""

    mu: float
    sigma: float
    family = "lognormal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu", _f(self.mu, "mu"))
        sigma = _f(self.sigma, "sigma")
        if sigma <= 0:
            raise ValueError(f"lognormal sigma must be > 0, got {sigma:g}")
        object.__setattr__(self, "sigma", sigma)

    def ppf(self, q: npt.ArrayLike) -> Array:
        return np.asarray(np.exp(self.mu + self.sigma * special.ndtri(q)), dtype=np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(x, 0.0)) - self.mu) / self.sigma
        return np.asarray(special.ndtr(z), dtype=np.float64)

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def _params(self) -> str:
        return f"lognormal(median={_fmt(math.exp(self.mu))}, σ(log)={_fmt(self.sigma)})"


@dataclass(frozen=True)
class Normal(_InverseTransform):
    """Normal(mu, sd)."""

    mu: float
    sd: float
    family = "normal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu", _f(self.mu, "mu"))
        sd = _f(self.sd, "sd")
        if sd <= 0:
            raise ValueError(f"normal sd must be > 0, got {sd:g}")
        object.__setattr__(self, "sd", sd)

    def ppf(self, q: npt.ArrayLike) -> Array:
        return np.asarray(self.mu + self.sd * special.ndtri(q), dtype=np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        z = (np.asarray(x, dtype=np.float64) - self.mu) / self.sd
        return np.asarray(special.ndtr(z), dtype=np.float64)

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def support(self) -> tuple[float, float]:
        return (-math.inf, math.inf)

    def _params(self) -> str:
        return f"normal(μ={_fmt(self.mu)}, sd={_fmt(self.sd)})"


def _check_range(lo: float, hi: float, family: str) -> tuple[float, float]:
    lo, hi = _f(lo, "lo"), _f(hi, "hi")
    if not lo < hi:
        raise ValueError(f"{family} needs lo < hi, got lo={lo:g}, hi={hi:g}")
    return lo, hi


@dataclass(frozen=True)
class Uniform(_InverseTransform):
    """Uniform on [lo, hi]."""

    lo: float
    hi: float
    family = "uniform"

    def __post_init__(self) -> None:
        lo, hi = _check_range(self.lo, self.hi, "uniform")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    def ppf(self, q: npt.ArrayLike) -> Array:
        return np.asarray(self.lo + np.asarray(q, np.float64) * (self.hi - self.lo), np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(np.clip((x - self.lo) / (self.hi - self.lo), 0.0, 1.0), np.float64)

    @property
    def mean(self) -> float:
        return (self.lo + self.hi) / 2

    @property
    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _params(self) -> str:
        return f"uniform({_fmt(self.lo)}, {_fmt(self.hi)})"


def _check_three(lo: float, mode: float, hi: float, family: str) -> tuple[float, float, float]:
    lo, hi = _check_range(lo, hi, family)
    mode = _f(mode, "mode")
    if not lo <= mode <= hi:
        raise ValueError(f"{family} needs lo ≤ mode ≤ hi, got {lo:g}, {mode:g}, {hi:g}")
    return lo, mode, hi


@dataclass(frozen=True)
class Triangular(_InverseTransform):
    """Triangular on [lo, hi] with peak at ``mode``."""

    lo: float
    mode: float
    hi: float
    family = "triangular"

    def __post_init__(self) -> None:
        for name, value in zip(
            ("lo", "mode", "hi"),
            _check_three(self.lo, self.mode, self.hi, "triangular"),
            strict=True,
        ):
            object.__setattr__(self, name, value)

    def ppf(self, q: npt.ArrayLike) -> Array:
        q = np.clip(np.asarray(q, dtype=np.float64), 0.0, 1.0)
        width = self.hi - self.lo
        c = (self.mode - self.lo) / width
        left = self.lo + np.sqrt(q * width * (self.mode - self.lo))
        right = self.hi - np.sqrt((1 - q) * width * (self.hi - self.mode))
        return np.asarray(np.where(q < c, left, right), dtype=np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        x = np.clip(np.asarray(x, dtype=np.float64), self.lo, self.hi)
        width = self.hi - self.lo
        with np.errstate(divide="ignore", invalid="ignore"):
            left = (x - self.lo) ** 2 / (width * (self.mode - self.lo))
            right = 1 - (self.hi - x) ** 2 / (width * (self.hi - self.mode))
        return np.asarray(np.where(x <= self.mode, np.nan_to_num(left), right), np.float64)

    @property
    def mean(self) -> float:
        return (self.lo + self.mode + self.hi) / 3

    @property
    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _params(self) -> str:
        return f"triangular({_fmt(self.lo)}, {_fmt(self.mode)}, {_fmt(self.hi)})"


@dataclass(frozen=True)
class Pert(_InverseTransform):
    """(Modified) PERT: a beta on [lo, hi] with mode ``mode``; ``lam`` sets peakedness."""

    lo: float
    mode: float
    hi: float
    lam: float = 4.0
    family = "pert"

    def __post_init__(self) -> None:
        for name, value in zip(
            ("lo", "mode", "hi"), _check_three(self.lo, self.mode, self.hi, "pert"), strict=True
        ):
            object.__setattr__(self, name, value)
        lam = _f(self.lam, "lam")
        if lam <= 0:
            raise ValueError(f"pert lam must be > 0, got {lam:g}")
        object.__setattr__(self, "lam", lam)

    @property
    def _ab(self) -> tuple[float, float]:
        width = self.hi - self.lo
        a = 1 + self.lam * (self.mode - self.lo) / width
        return a, 1 + self.lam * (self.hi - self.mode) / width

    def ppf(self, q: npt.ArrayLike) -> Array:
        a, b = self._ab
        return np.asarray(self.lo + (self.hi - self.lo) * special.betaincinv(a, b, q), np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        a, b = self._ab
        z = np.clip((np.asarray(x, np.float64) - self.lo) / (self.hi - self.lo), 0.0, 1.0)
        return np.asarray(special.betainc(a, b, z), dtype=np.float64)

    @property
    def mean(self) -> float:
        return (self.lo + self.lam * self.mode + self.hi) / (self.lam + 2)

    @property
    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _params(self) -> str:
        return f"pert({_fmt(self.lo)}, {_fmt(self.mode)}, {_fmt(self.hi)})"


@dataclass(frozen=True)
class Gamma(_InverseTransform):
    """Gamma with ``shape`` k and ``scale`` θ (mean kθ)."""

    shape: float
    scale: float
    family = "gamma"

    def __post_init__(self) -> None:
        for name in ("shape", "scale"):
            value = _f(getattr(self, name), name)
            if value <= 0:
                raise ValueError(f"gamma {name} must be > 0, got {value:g}")
            object.__setattr__(self, name, value)

    def ppf(self, q: npt.ArrayLike) -> Array:
        return np.asarray(self.scale * special.gammaincinv(self.shape, q), dtype=np.float64)

    def cdf(self, x: npt.ArrayLike) -> Array:
        x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
        return np.asarray(special.gammainc(self.shape, x / self.scale), dtype=np.float64)

    @property
    def mean(self) -> float:
        return self.shape * self.scale

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def _params(self) -> str:
        return f"gamma(shape={_fmt(self.shape)}, scale={_fmt(self.scale)})"


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
