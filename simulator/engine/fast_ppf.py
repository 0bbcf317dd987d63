"""Fast, accurate quantile functions for drawing a chunk's parameters.

``fast_ppf(distribution, u)`` gives the same values as ``distribution.ppf(u)`` —
bit for bit for the families whose ``ppf`` is already cheap (closed form or ``ndtri``),
and within ~1e-13 relative for Beta, Pert and Gamma (and transforms of them), whose
scipy inverses (``betaincinv``, ``gammaincinv``) cost ~3 µs per value.

For those three, a numba-compiled solver finds ``x`` with ``I_x(a, b) = u`` (Beta) or
``P(k, x) = u`` (Gamma). Everything happens in a transformed coordinate ``g`` where the
tails are nearly straight lines, which keeps every value accurate in relative terms from
u = 5e-324 up to 1 − 1.1e-16:

* Beta: ``g = logit(x)``, so both ``x`` and ``1 − x`` stay exact near 0 and near 1;
* Gamma: ``g = log(x)``.

The equation solved is ``log I(g) = log u`` below the median and
``log(1 − I(g)) = log(1 − u)`` above it (each is nearly linear in ``g`` in its own tail).
A table per distribution, built once with scipy at knots spaced uniformly in
``asinh(logit(u))``, gives a cubic-Hermite starting point good to ~1e-9; one Halley step
on a numba implementation of the regularised incomplete beta (continued fraction, modified
Lentz, on whichever side of the mode converges) or gamma (series below ``a + 1``,
continued fraction above) then finishes it. Beyond the table (where the quantile
underflows) the start is the tail's leading-order asymptote, exact there. Every
evaluation narrows a bracket, and a step that leaves it falls back to bisection.

``fast_initial_vectors`` is :func:`simulator.engine.batch.initial_vectors` through
``fast_ppf``: same contract, same layout, same copula.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from simulator.engine.batch import correlate
from simulator.model.model import Model
from simulator.scenario.quantities.derived import Transformed
from simulator.scenario.quantities.distributions import Beta, Distribution, Gamma, Pert

Array = npt.NDArray[np.float64]

__all__ = ["beta_ppf", "fast_initial_vectors", "fast_ppf", "gamma_ppf"]

KNOTS = 2048
# knots are uniform in w = asinh(s / _S_SCALE) with s = logit(u): dense where u is
# central, about one knot per unit of log u far in the tails
_S_SCALE = 1.0
_S_MIN = -700.0  # u = 1e-304: below it the tail asymptotes take over
_S_MAX = 36.8  # logit of the largest double below 1 is 36.74
# table knots stop where the quantile (or its complement) falls below this: scipy's
# values are no longer relatively accurate there, and the asymptote takes over
_TABLE_FLOOR = 1e-280
_FPMIN = 1e-300
_CF_EPS = 1e-16
_MAX_TERMS = 100_000  # series/continued-fraction terms (shape 1e6 needs ~3,000)
_MAX_STEPS = 100
_HALLEY_STEPS = 20  # after this many, plain bisection
_STEP_TOL = 1e-6  # |Δg| after which one more Halley step leaves error ~ (Δg)³

# parameter-vector layout passed to the kernels (one float64 array per distribution)
_A, _B, _LOG_NORM, _W0, _INV_H, _S_LO, _S_HI, _G_BOUND, _TOL = range(9)


# --- regularised incomplete beta ------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _beta_cf(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) = x^a (1−x)^b / (a B(a, b)) · cf.

    Converges fast for x < (a + 1)/(a + b + 2); modified Lentz.
    """
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _FPMIN:
        d = _FPMIN
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_TERMS):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = 1.0 + aa / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = 1.0 + aa / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _CF_EPS:
            break
    return h


@numba.njit(cache=True, nogil=True)
def _beta_eval(p: Array, g: float, lower: bool, log_t: float) -> tuple[float, float, float]:
    """h(g) and its first two derivatives; h increases in g and is 0 at the quantile.

    ``lower``: h = log I_x(a, b) − log u; otherwise h = log(1 − u) − log(1 − I_x(a, b)),
    with x = expit(g) and log t the log of u or of 1 − u.
    """
    a, b, log_beta = p[_A], p[_B], p[_LOG_NORM]
    if g < 0.0:
        e = math.exp(g)
        x = e / (1.0 + e)
        y = 1.0 / (1.0 + e)
        log_y = -math.log1p(e)
        log_x = g + log_y
    else:
        e = math.exp(-g)
        x = 1.0 / (1.0 + e)
        y = e / (1.0 + e)
        log_x = -math.log1p(e)
        log_y = -g + log_x
    log_dens = a * log_x + b * log_y - log_beta  # log dI/dg = log(x^a y^b / B)
    curv = a * y - b * x  # d log(dI/dg) / dg
    if x * (a + b + 2.0) < a + 1.0:
        cf = _beta_cf(a, b, x)
        log_i = log_dens - math.log(a) + math.log(cf)
        if lower:
            r = a / cf  # (dI/dg) / I
            return log_i - log_t, r, r * curv - r * r
        log_j = math.log1p(-math.exp(log_i))
    else:
        cf = _beta_cf(b, a, y)
        log_j = log_dens - math.log(b) + math.log(cf)
        if not lower:
            r = b / cf  # −(dJ/dg) / J with J = 1 − I
            return log_t - log_j, r, r * curv + r * r
        log_i = math.log1p(-math.exp(log_j))
        r = math.exp(log_dens - log_i)
        return log_i - log_t, r, r * curv - r * r
    r = math.exp(log_dens - log_j)
    return log_t - log_j, r, r * curv + r * r


# --- regularised incomplete gamma -----------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _gamma_series(a: float, x: float) -> float:
    """S with P(a, x) = x^a e^−x / Γ(a + 1) · S; converges fast for x < a + 1."""
    term = 1.0
    total = 1.0
    ap = a
    for _ in range(_MAX_TERMS):
        ap += 1.0
        term *= x / ap
        total += term
        if term < total * _CF_EPS:
            break
    return total


@numba.njit(cache=True, nogil=True)
def _gamma_cf(a: float, x: float) -> float:
    """C with Q(a, x) = x^a e^−x / Γ(a) · C; converges fast for x > a + 1 (Lentz)."""
    bb = x + 1.0 - a
    c = 1.0 / _FPMIN
    d = 1.0 / bb
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        bb += 2.0
        d = an * d + bb
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = bb + an / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _CF_EPS:
            break
    return h


@numba.njit(cache=True, nogil=True)
def _gamma_eval(p: Array, g: float, lower: bool, log_t: float) -> tuple[float, float, float]:
    """As :func:`_beta_eval` for the gamma's P(a, x) with x = exp(g)."""
    a, log_gamma_a = p[_A], p[_LOG_NORM]
    x = math.exp(g)
    log_dens = a * g - x - log_gamma_a  # log dP/dg = log(x^a e^−x / Γ(a))
    curv = a - x
    if x < a + 1.0:
        s = _gamma_series(a, x)
        log_i = log_dens - math.log(a) + math.log(s)
        if lower:
            r = a / s
            return log_i - log_t, r, r * curv - r * r
        log_j = math.log1p(-math.exp(log_i))
    else:
        cf = _gamma_cf(a, x)
        log_j = log_dens + math.log(cf)
        if not lower:
            r = 1.0 / cf
            return log_t - log_j, r, r * curv + r * r
        log_i = math.log1p(-math.exp(log_j))
        r = math.exp(log_dens - log_i)
        return log_i - log_t, r, r * curv - r * r
    r = math.exp(log_dens - log_j)
    return log_t - log_j, r, r * curv + r * r


# --- the solver -----------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _start(p: Array, knots_g: Array, knots_dg: Array, s: float, log_u: float,
           log_v: float, is_beta: bool) -> float:
    """Starting g: cubic Hermite on the table, or the tail asymptote beyond it."""
    # beyond the table the quantile is below its first knot (above its last): the
    # asymptote is exact where the table stops for underflow, a start elsewhere
    if s < p[_S_LO]:
        a = p[_A]
        if is_beta:  # I ≈ x^a / (a B) as x → 0
            return min((log_u + math.log(a) + p[_LOG_NORM]) / a, knots_g[0])
        return min((log_u + math.lgamma(a + 1.0)) / a, knots_g[0])  # P ≈ x^a / Γ(a + 1)
    if s > p[_S_HI]:
        if is_beta:  # 1 − I ≈ (1 − x)^b / (b B) as x → 1
            b = p[_B]
            return max(-(log_v + math.log(b) + p[_LOG_NORM]) / b, knots_g[-1])
        x = -log_v  # Q ≈ x^(a−1) e^−x / Γ(a): first step of its fixed point
        x = -log_v + (p[_A] - 1.0) * math.log(max(x, 1.0)) - p[_LOG_NORM]
        return max(math.log(max(x, 1e-300)), knots_g[-1])
    pos = (math.asinh(s / _S_SCALE) - p[_W0]) * p[_INV_H]
    n = knots_g.size
    i = min(max(int(pos), 0), n - 2)
    t = pos - i
    t2, t3 = t * t, t * t * t
    return ((2.0 * t3 - 3.0 * t2 + 1.0) * knots_g[i] + (t3 - 2.0 * t2 + t) * knots_dg[i]
            + (-2.0 * t3 + 3.0 * t2) * knots_g[i + 1] + (t3 - t2) * knots_dg[i + 1])


@numba.njit(cache=True, nogil=True)
def _solve(p: Array, knots_g: Array, knots_dg: Array, u: float, is_beta: bool) -> float:
    """g at the quantile u (0 < u < 1): Halley steps inside a shrinking bracket."""
    log_u = math.log(u)
    log_v = math.log1p(-u)
    s = log_u - log_v
    lower = u <= 0.5
    log_t = log_u if lower else log_v
    g = _start(p, knots_g, knots_dg, s, log_u, log_v, is_beta)
    lo, hi = -p[_G_BOUND], p[_G_BOUND]
    g = min(max(g, lo), hi) if math.isfinite(g) else 0.0
    tol = p[_TOL]
    for step in range(_MAX_STEPS):
        if is_beta:
            h, d1, d2 = _beta_eval(p, g, lower, log_t)
        else:
            h, d1, d2 = _gamma_eval(p, g, lower, log_t)
        if h == 0.0:
            return g
        if h < 0.0:
            lo = g
        else:
            hi = g
        nxt = math.nan
        if step < _HALLEY_STEPS and d1 > 0.0 and math.isfinite(h):
            newton = h / d1
            denom = 1.0 - 0.5 * newton * d2 / d1
            nxt = g - newton / denom if denom > 0.5 else g - newton
            if abs(nxt - g) <= tol and lo <= nxt <= hi:
                return nxt
        if not lo < nxt < hi:  # also when nxt is nan
            nxt = 0.5 * (lo + hi)
            if hi - lo <= tol:
                return nxt
        g = nxt
    return g


@numba.njit(cache=True, nogil=True)
def _beta_kernel(u: Array, p: Array, knots_g: Array, knots_dg: Array, out: Array) -> None:
    for k in range(u.size):
        q = u[k]
        if q > 0.0 and q < 1.0:
            g = _solve(p, knots_g, knots_dg, q, True)
            if g < 0.0:
                e = math.exp(g)
                out[k] = e / (1.0 + e)
            else:
                out[k] = 1.0 / (1.0 + math.exp(-g))
        elif q == 0.0:
            out[k] = 0.0
        elif q == 1.0:
            out[k] = 1.0
        else:
            out[k] = math.nan


@numba.njit(cache=True, nogil=True)
def _gamma_kernel(u: Array, p: Array, knots_g: Array, knots_dg: Array, out: Array) -> None:
    for k in range(u.size):
        q = u[k]
        if q > 0.0 and q < 1.0:
            out[k] = math.exp(_solve(p, knots_g, knots_dg, q, False))
        elif q == 0.0:
            out[k] = 0.0
        elif q == 1.0:
            out[k] = math.inf
        else:
            out[k] = math.nan


# --- tables (built once per shape with scipy) ------------------------------------------


@dataclass(frozen=True)
class _Table:
    params: Array
    knots_g: Array
    knots_dg: Array


def _knots(s_lo: float, s_hi: float) -> tuple[Array, float, float]:
    w0, w1 = math.asinh(s_lo / _S_SCALE), math.asinh(s_hi / _S_SCALE)
    w = np.linspace(w0, w1, KNOTS)
    return w, w0, (KNOTS - 1) / (w1 - w0)


def _logit_range(p_low: float, p_high: float) -> tuple[float, float]:
    """The s range where the quantile stays above the floor at both ends."""
    s_lo = math.log(p_low) - math.log1p(-p_low) if p_low > 0.0 else _S_MIN
    s_hi = math.log1p(-p_high) - math.log(p_high) if p_high > 0.0 else _S_MAX
    return max(s_lo, _S_MIN), min(s_hi, _S_MAX)


def _stirling_tail(x: float) -> float:
    """log Γ(x) − [(x − ½) log x − x + ½ log 2π] for x ≥ 10, to ~1e-17."""
    r = 1.0 / (x * x)
    series = (1 / 12 - r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r * (
        1 / 1188 - r * (691 / 360360 - r / 156))))))
    return series / x


def _log_beta(a: float, b: float) -> float:
    """log B(a, b) to ~1e-15 absolute.

    ``lgamma(a) + lgamma(b) − lgamma(a + b)`` (and scipy's ``betaln``, ~1e-12 off for
    a = 0.05, b = 1000) loses digits to cancellation when a + b is large; x^a makes that
    error 1/a times larger in the quantile. Stirling's series written with ``log1p``
    keeps the large terms apart.
    """
    a, b = min(a, b), max(a, b)
    if b < 10.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    # log Γ(b) − log Γ(a + b), both from Stirling's series
    diff = (-(b - 0.5) * math.log1p(a / b) - a * math.log(a + b) + a
            + _stirling_tail(b) - _stirling_tail(a + b))
    if a < 10.0:
        return math.lgamma(a) + diff
    return (0.5 * math.log(2 * math.pi) + (a - 0.5) * math.log(a) - a + _stirling_tail(a)
            + diff)


@functools.lru_cache(maxsize=256)
def _beta_table(a: float, b: float) -> _Table:
    from scipy import special

    s_lo, s_hi = _logit_range(float(special.betainc(a, b, _TABLE_FLOOR)),
                              float(special.betainc(b, a, _TABLE_FLOOR)))
    w, w0, inv_h = _knots(s_lo, s_hi)
    s = _S_SCALE * np.sinh(w)
    u, v = special.expit(s), special.expit(-s)
    log_u, log_v = -np.logaddexp(0.0, -s), -np.logaddexp(0.0, s)
    # each side from the scipy call that is accurate for it, the other by complement
    x_low = special.betaincinv(a, b, u)
    y_high = special.betaincinv(b, a, v)
    low = u <= 0.5
    log_x = np.where(low, np.log(x_low), np.log1p(-y_high))
    log_y = np.where(low, np.log1p(-x_low), np.log(y_high))
    log_beta = _log_beta(a, b)
    log_dens = a * log_x + b * log_y - log_beta
    dg_ds = np.exp(log_u + log_v - log_dens)
    dg_dw = dg_ds * _S_SCALE * np.cosh(w) / inv_h  # per knot interval
    # g is at most a few tail-lengths beyond the asymptote at the smallest uniform
    bound = 2.0 * (800.0 + abs(log_beta) + abs(math.log(a)) + abs(math.log(b))) / min(a, b)
    tol = _STEP_TOL * min(1.0, math.sqrt(1.0 / a + 1.0 / b))
    params = np.array([a, b, log_beta, w0, inv_h, s_lo, s_hi, bound + 50.0, tol])
    return _Table(params, np.ascontiguousarray(log_x - log_y), np.ascontiguousarray(dg_dw))


@functools.lru_cache(maxsize=256)
def _gamma_table(shape: float) -> _Table:
    from scipy import special

    a = shape
    s_lo, s_hi = _logit_range(float(special.gammainc(a, _TABLE_FLOOR)), 0.0)
    w, w0, inv_h = _knots(s_lo, s_hi)
    s = _S_SCALE * np.sinh(w)
    u, v = special.expit(s), special.expit(-s)
    log_u, log_v = -np.logaddexp(0.0, -s), -np.logaddexp(0.0, s)
    x = np.where(u <= 0.5, special.gammaincinv(a, u), special.gammainccinv(a, v))
    g = np.log(x)
    log_gamma = float(special.gammaln(a))
    log_dens = a * g - x - log_gamma
    dg_dw = np.exp(log_u + log_v - log_dens) * _S_SCALE * np.cosh(w) / inv_h
    bound = 2.0 * (800.0 + abs(math.lgamma(a + 1.0))) / a + 2.0 * math.log(a + 800.0) + 50.0
    tol = _STEP_TOL * min(1.0, math.sqrt(1.0 / a))
    params = np.array([a, 0.0, log_gamma, w0, inv_h, s_lo, s_hi, bound, tol])
    return _Table(params, np.ascontiguousarray(g), np.ascontiguousarray(dg_dw))


# --- plain-Python front ---------------------------------------------------------------


def _run(kernel: Callable[..., None], table: _Table, u: npt.ArrayLike) -> Array:
    q = np.asarray(u, dtype=np.float64)
    flat = np.ascontiguousarray(q.reshape(-1))
    out = np.empty_like(flat)
    kernel(flat, table.params, table.knots_g, table.knots_dg, out)
    return out.reshape(q.shape)


def beta_ppf(a: float, b: float, u: npt.ArrayLike) -> Array:
    """Quantiles of Beta(a, b) at ``u``: ``scipy.special.betaincinv(a, b, u)``."""
    return _run(_beta_kernel, _beta_table(float(a), float(b)), u)


def gamma_ppf(shape: float, u: npt.ArrayLike) -> Array:
    """Quantiles of Gamma(shape, scale 1) at ``u``: ``scipy.special.gammaincinv``."""
    return _run(_gamma_kernel, _gamma_table(float(shape)), u)


def fast_ppf(distribution: Distribution, u: npt.ArrayLike) -> Array:
    """``distribution.ppf(u)``, compiled for Beta, Pert, Gamma and transforms of them."""
    if isinstance(distribution, Beta):
        return beta_ppf(distribution.a, distribution.b, u)
    if isinstance(distribution, Pert):
        a, b = distribution._ab
        width = distribution.hi - distribution.lo
        return np.asarray(distribution.lo + width * beta_ppf(a, b, u), np.float64)
    if isinstance(distribution, Gamma):
        return np.asarray(distribution.scale * gamma_ppf(distribution.shape, u), np.float64)
    if isinstance(distribution, Transformed) and _is_fast(distribution.base):
        return np.asarray(distribution.forward(fast_ppf(distribution.base, u)), np.float64)
    return distribution.ppf(u)


def _is_fast(distribution: Distribution) -> bool:
    if isinstance(distribution, Transformed):
        return _is_fast(distribution.base)
    return isinstance(distribution, (Beta, Pert, Gamma))


def fast_initial_vectors(model: Model, first: Callable[[int], np.ndarray], n: int) -> np.ndarray:
    """:func:`simulator.engine.batch.initial_vectors` with its quantiles from ``fast_ppf``.

    The starting vector ``v`` of every run in a chunk, shape (runs, slots);
    ``first(row)`` gives every run's first number of ``row`` (shape ``(n,)``).
    """
    v = np.zeros((model.n_slots, n))
    uniforms = np.array([first(p.row) for p in model.parameters],
                        dtype=float).reshape(len(model.parameters), n).T
    if model.copula is not None:
        uniforms = correlate(uniforms, model.copula.members, model.copula.cholesky)
    for j, p in enumerate(model.parameters):
        v[p.slot] = fast_ppf(p.quantity.distribution, uniforms[:, j])
    for spec in model.state:
        if spec.initial_quantity is not None:
            dist = spec.initial_quantity.distribution
            if dist.is_constant:
                v[spec.slot] = dist.median
            else:
                v[spec.slot] = fast_ppf(dist, first(spec.row))
        elif spec.initial_expression is not None:
            v[spec.slot] = spec.initial_expression.evaluate_array(v)
        v[spec.slot] = np.clip(v[spec.slot], spec.lo, spec.hi)
    return v.T.copy()
