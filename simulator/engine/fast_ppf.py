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

from simulator.engine.batch import initial_vectors
from simulator.model.model import Model
from simulator.scenario.quantities.derived import Transformed
from simulator.scenario.quantities.distributions import Beta, Distribution, Gamma, Pert

Array = npt.NDArray[np.float64]

__all__ = ["beta_ppf", "fast_initial_vectors", "fast_ppf", "gamma_ppf"]

KNOTS = 1024
# knots are uniform in w = asinh(s / _S_SCALE) with s = logit(u): dense where u is
# central, about one knot per unit of log u far in the tails
_S_SCALE = 1.0
_S_MIN = -700.0  # u = 1e-304: below it the tail asymptotes take over
_S_MAX = 36.8  # logit of the largest double below 1 is 36.74
# table knots stop where the quantile (or its complement) falls below this: scipy's
# values are no longer relatively accurate there, and the asymptote takes over
_TABLE_FLOOR = 1e-280
# an interval whose cubic is within this of scipy at its midpoint is used as it is:
# the error in g is the relative error of the quantile
_TRUSTED = 5e-14
_FPMIN = 1e-300
_CF_EPS = 1e-16
_MAX_TERMS = 100_000  # series/continued-fraction terms (shape 1e6 needs ~3,000)
_MAX_STEPS = 100
_HALLEY_STEPS = 20  # after this many, plain bisection
_STEP_TOL = 1e-6  # |Δg| after which one more Halley step leaves error ~ (Δg)³
_BISECT_TOL = 1e-15  # bracket width (relative to |g| when that is over 1) that ends bisection

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
def _start(p: Array, knots: Array, s: float, log_u: float,
           log_v: float, is_beta: bool) -> float:
    """Starting g from the tail asymptote (beyond the table, or where a knot failed).

    The asymptote is exact where the table stops for underflow. Beyond the table the
    quantile is also below the first knot (above the last), which caps the start.
    """
    a = p[_A]
    if s < 0.0:
        if is_beta:  # I ≈ x^a / (a B) as x → 0
            g = (log_u + math.log(a) + p[_LOG_NORM]) / a
        else:  # P ≈ x^a / Γ(a + 1)
            g = (log_u + math.lgamma(a + 1.0)) / a
        return min(g, knots[0, 0]) if s < p[_S_LO] and math.isfinite(knots[0, 0]) else g
    if is_beta:  # 1 − I ≈ (1 − x)^b / (b B) as x → 1
        b = p[_B]
        g = -(log_v + math.log(b) + p[_LOG_NORM]) / b
    else:  # Q ≈ x^(a−1) e^−x / Γ(a): first step of its fixed point
        x = -log_v + (a - 1.0) * math.log(max(-log_v, 1.0)) - p[_LOG_NORM]
        g = math.log(max(x, 1e-300))
    return max(g, knots[-1, 0]) if s > p[_S_HI] and math.isfinite(knots[-1, 0]) else g


@numba.njit(cache=True, nogil=True)
def _hermite(knots: Array, i: int, t: float) -> float:
    """Quintic Hermite between knots i and i + 1 at fraction t.

    ``knots[i]`` holds g, its first and its second derivative per interval.
    """
    t2 = t * t
    t3 = t2 * t
    t4 = t3 * t
    t5 = t4 * t
    g0, m0, k0 = knots[i, 0], knots[i, 1], knots[i, 2]
    g1, m1, k1 = knots[i + 1, 0], knots[i + 1, 1], knots[i + 1, 2]
    return ((1.0 - 10.0 * t3 + 15.0 * t4 - 6.0 * t5) * g0
            + (t - 6.0 * t3 + 8.0 * t4 - 3.0 * t5) * m0
            + 0.5 * (t2 - 3.0 * t3 + 3.0 * t4 - t5) * k0
            + (10.0 * t3 - 15.0 * t4 + 6.0 * t5) * g1
            + (-4.0 * t3 + 7.0 * t4 - 3.0 * t5) * m1
            + 0.5 * (t3 - 2.0 * t4 + t5) * k1)


@numba.njit(cache=True, nogil=True)
def _solve(p: Array, knots: Array, exact: Array, u: float,
           is_beta: bool) -> float:
    """g at the quantile u (0 < u < 1).

    Inside an interval whose interpolation was verified (``exact``), the table's value;
    otherwise Halley steps inside a shrinking bracket, from the table or the asymptote.
    """
    log_u = math.log(u)
    log_v = math.log1p(-u)
    s = log_u - log_v
    g = math.nan
    if p[_S_LO] <= s <= p[_S_HI]:
        pos = (math.asinh(s / _S_SCALE) - p[_W0]) * p[_INV_H]
        i = min(max(int(pos), 0), knots.shape[0] - 2)
        g = _hermite(knots, i, pos - i)
        if exact[i]:
            return g
    if not math.isfinite(g) or s < p[_S_LO] or s > p[_S_HI]:
        g = _start(p, knots, s, log_u, log_v, is_beta)
    lower = u <= 0.5
    log_t = log_u if lower else log_v
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
            if hi - lo <= _BISECT_TOL * max(1.0, abs(nxt)):
                return nxt
        g = nxt
    return g


@numba.njit(cache=True, nogil=True)
def _beta_kernel(u: Array, p: Array, knots: Array, exact: Array,
                 out: Array) -> None:
    for k in range(u.size):
        q = u[k]
        if q > 0.0 and q < 1.0:
            g = _solve(p, knots, exact, q, True)
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
def _gamma_kernel(u: Array, p: Array, knots: Array, exact: Array,
                  out: Array) -> None:
    for k in range(u.size):
        q = u[k]
        if q > 0.0 and q < 1.0:
            out[k] = math.exp(_solve(p, knots, exact, q, False))
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
    knots: Array  # (KNOTS, 3): g and its first two derivatives per knot interval
    exact: npt.NDArray[np.bool_]  # per interval: its interpolation is verified


def _logit_range(p_low: float, p_high: float) -> tuple[float, float]:
    """The s range where the quantile stays above the floor at both ends."""
    s_lo = math.log(p_low) - math.log1p(-p_low) if p_low > 0.0 else _S_MIN
    s_hi = math.log1p(-p_high) - math.log(p_high) if p_high > 0.0 else _S_MAX
    return max(s_lo, _S_MIN), min(s_hi, _S_MAX)


# the quintic Hermite basis at t = 1/3 and 2/3 (g0, m0, k0, g1, m1, k1)
_CHECK_T = (1.0 / 3.0, 2.0 / 3.0)


def _basis(t: float) -> Array:
    t2, t3, t4, t5 = t**2, t**3, t**4, t**5
    return np.array([1 - 10 * t3 + 15 * t4 - 6 * t5, t - 6 * t3 + 8 * t4 - 3 * t5,
                     0.5 * (t2 - 3 * t3 + 3 * t4 - t5), 10 * t3 - 15 * t4 + 6 * t5,
                     -4 * t3 + 7 * t4 - 3 * t5, 0.5 * (t3 - 2 * t4 + t5)])


def _build(quantile: Callable[[Array], tuple[Array, Array, Array]], s_lo: float,
           s_hi: float) -> tuple[Array, npt.NDArray[np.bool_], float, float]:
    """Knots and verified intervals for ``quantile(s) -> (g, dg/ds, d²g/ds²)``.

    Each interval's quintic is compared with ``quantile`` at t = 1/3 and 2/3 (where its
    error term t³(1 − t)³ is near its largest, and where errors in the end slopes show);
    intervals within _TRUSTED need no solving.
    """
    w0, w1 = math.asinh(s_lo / _S_SCALE), math.asinh(s_hi / _S_SCALE)
    w = np.linspace(w0, w1, KNOTS)
    h = (w1 - w0) / (KNOTS - 1)
    checks = [w[:-1] + t * h for t in _CHECK_T]
    s_all = _S_SCALE * np.sinh(np.concatenate([w, *checks]))
    # far in the tails a slope can overflow: such intervals are not finite, so they are
    # never trusted and their values are solved for instead
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g_all, d1_all, d2_all = quantile(s_all)
        g, g_s, g_ss = g_all[:KNOTS], d1_all[:KNOTS], d2_all[:KNOTS]
        s_w = _S_SCALE * np.cosh(w)  # ds/dw; d²s/dw² = s
        knots = np.empty((KNOTS, 3))
        knots[:, 0] = g
        knots[:, 1] = g_s * s_w * h
        knots[:, 2] = (g_ss * s_w**2 + g_s * s_all[:KNOTS]) * h * h
    exact = np.all(np.isfinite(knots[:-1]) & np.isfinite(knots[1:]), axis=1)
    ends = np.concatenate([knots[:-1], knots[1:]], axis=1)
    with np.errstate(invalid="ignore"):
        for k, t in enumerate(_CHECK_T):
            want = g_all[KNOTS + k * (KNOTS - 1):KNOTS + (k + 1) * (KNOTS - 1)]
            exact &= np.abs(ends @ _basis(t) - want) <= _TRUSTED
    return np.ascontiguousarray(knots), exact, w0, 1.0 / h


def _slopes(g_s_log: Array, log_u: Array, log_v: Array, curv: Array) -> tuple[Array, Array]:
    """dg/ds = u v / (dF/dg) and d²g/ds² = g'·[(v − u) − curv·g'], curv = d log(dF/dg)/dg."""
    g_s = np.exp(g_s_log)
    return g_s, g_s * ((np.exp(log_v) - np.exp(log_u)) - curv * g_s)


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


def _logistic_parts(s: Array) -> tuple[Array, Array, Array, Array]:
    """u = expit(s), v = 1 − u and their logs."""
    log_u, log_v = -np.logaddexp(0.0, -s), -np.logaddexp(0.0, s)
    return np.exp(log_u), np.exp(log_v), log_u, log_v


@functools.lru_cache(maxsize=256)
def _beta_table(a: float, b: float) -> _Table:
    from scipy import special

    log_beta = _log_beta(a, b)

    def quantile(s: Array) -> tuple[Array, Array, Array]:
        u, v, log_u, log_v = _logistic_parts(s)
        # the smaller of x and 1 − x from the scipy call that is accurate for it, the
        # other by complement
        x, y = special.betaincinv(a, b, u), special.betaincinv(b, a, v)
        small_x = x <= 0.5
        with np.errstate(divide="ignore"):
            log_x = np.where(small_x, np.log(x), np.log1p(-y))
            log_y = np.where(small_x, np.log1p(-x), np.log(y))
        x = np.where(small_x, x, 1.0 - y)
        log_dens = a * log_x + b * log_y - log_beta  # log dI/dg
        g_s, g_ss = _slopes(log_u + log_v - log_dens, log_u, log_v, a * (1.0 - x) - b * x)
        return log_x - log_y, g_s, g_ss

    s_lo, s_hi = _logit_range(float(special.betainc(a, b, _TABLE_FLOOR)),
                              float(special.betainc(b, a, _TABLE_FLOOR)))
    knots, exact, w0, inv_h = _build(quantile, s_lo, s_hi)
    # g is at most a few tail-lengths beyond the asymptote at the smallest uniform
    bound = 2.0 * (800.0 + abs(log_beta) + abs(math.log(a)) + abs(math.log(b))) / min(a, b)
    tol = _STEP_TOL * min(1.0, math.sqrt(1.0 / a + 1.0 / b))
    params = np.array([a, b, log_beta, w0, inv_h, s_lo, s_hi, bound + 50.0, tol])
    return _Table(params, knots, exact)


@functools.lru_cache(maxsize=256)
def _gamma_table(shape: float) -> _Table:
    from scipy import special

    a = shape
    log_gamma = math.lgamma(a)

    def quantile(s: Array) -> tuple[Array, Array, Array]:
        u, v, log_u, log_v = _logistic_parts(s)
        x = np.where(u <= 0.5, special.gammaincinv(a, u), special.gammainccinv(a, v))
        with np.errstate(divide="ignore"):
            g = np.log(x)
        log_dens = a * g - x - log_gamma  # log dP/dg
        g_s, g_ss = _slopes(log_u + log_v - log_dens, log_u, log_v, a - x)
        return g, g_s, g_ss

    s_lo, s_hi = _logit_range(float(special.gammainc(a, _TABLE_FLOOR)), 0.0)
    knots, exact, w0, inv_h = _build(quantile, s_lo, s_hi)
    bound = 2.0 * (800.0 + abs(math.lgamma(a + 1.0))) / a + 2.0 * math.log(a + 800.0) + 50.0
    tol = _STEP_TOL * min(1.0, math.sqrt(1.0 / a))
    params = np.array([a, 0.0, log_gamma, w0, inv_h, s_lo, s_hi, bound, tol])
    return _Table(params, knots, exact)


# --- plain-Python front ---------------------------------------------------------------


def _run(kernel: Callable[..., None], table: _Table, u: npt.ArrayLike) -> Array:
    q = np.asarray(u, dtype=np.float64)
    flat = np.ascontiguousarray(q.reshape(-1))
    out = np.empty_like(flat)
    kernel(flat, table.params, table.knots, table.exact, out)
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
    return initial_vectors(model, first, n, ppf=fast_ppf)
