"""Distribution families for scenario parameters, in canonical units.

Every family is a frozen dataclass implementing :class:`Distribution`. Units are
whatever the caller put in; :mod:`simulator.scenario.quantities` always builds them in
canonical units (probabilities in [0, 1], rates as hazard per day, durations in days).

Drawing is **always by inverse transform**: the engines map their own uniforms ``u``
through ``ppf(u)``. Every family, even :class:`Constant`, takes one uniform per draw, so

* a run's draw is a deterministic function of its random stream;
* with common random numbers, the *same* uniforms map monotonically to values: when a
  variant widens or shifts a parameter's interval, each run's draw moves monotonically
  and the ranks of the draws across runs are unchanged. Variant comparisons therefore
  measure the change of the parameter, not a reshuffle of the randomness.

Distributions built from these (transforms, scaling, and fits to a 90 % interval) are in
:mod:`simulator.scenario.quantities.derived`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from scipy import special

Array = npt.NDArray[np.float64]

__all__ = [
    "Beta",
    "Constant",
    "Distribution",
    "Gamma",
    "LogNormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
]


@runtime_checkable
class Distribution(Protocol):
    """What the rest of geosim may rely on; every family below implements it."""

    @property
    def family(self) -> str: ...
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


class _InverseTransform:
    """Shared behaviour: median and describe, both from ``ppf``."""

    family: str

    def ppf(self, q: npt.ArrayLike) -> Array:  # pragma: no cover - overridden
        raise NotImplementedError

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
