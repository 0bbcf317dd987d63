"""The compiled engine's per-run event loop (numba): one run after another, each a
discrete-event simulation of the semantics contract (``docs/engine-semantics.md``),
step for step what the SimPy engine does.

Same-time events are taken in the SimPy engine's order: (time, priority, creation) with
the horizon first, then the clock tick, then hazard alarms and triggers in the order
they were created, then deciding actors and scheduled options by the run's random
rank. Floating-point steps are the SimPy engine's (a due time is ``now + delay``, a
tick ``now + (k·step − now)``), so most runs come out identical to it.

A run that meets something the kernel leaves to the SimPy engine — an error to report
(a NaN rate or weight, a chance outside [0, 1], the event cap), a delay distribution
without a compiled quantile function, a queue of pending triggers past its capacity —
is marked and abandoned without a trace; the engine then runs it on the SimPy engine
(which raises the error with its message, or simulates it).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulator.engine.compiled_native import call_native
from simulator.engine.compiled_tables import (
    D_FIXED,
    D_LOGNORMAL,
    D_TRIANGULAR,
    D_UNIFORM,
    O_ARMED_RATE,
    O_COUNTER,
    O_ONCE,
)
from simulator.engine.pcg_numba import next_double, overflow_seed

OK, HANDED_OVER = 0, 1  # a run's status
QUEUE = 4096  # pending triggers a run may hold at once
ROUNDING = 1e-9  # a chance this close to [0, 1] is read as 0 or 1 (see guards.py)
_INF = math.inf

_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
      6.680131188771972e+01, -1.328068155288572e+01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
      3.754408661907416e+00)


@njit(cache=True, nogil=True, error_model="numpy")
def ndtri(p: float) -> float:
    """The standard normal quantile of ``p``: Acklam's rational approximation refined by
    one Halley step on ``erfc`` (relative error about 1e-15, as scipy's ``ndtri``)."""
    if not p > 0.0:
        return -_INF if p == 0.0 else math.nan
    if not p < 1.0:
        return _INF if p == 1.0 else math.nan
    if p < 0.02425:
        q = math.sqrt(-2.0 * math.log(p))
        x = ((((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5])
             / ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0))
    elif p <= 1.0 - 0.02425:
        q = p - 0.5
        r = q * q
        x = ((((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q
             / (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0))
    else:
        q = math.sqrt(-2.0 * math.log1p(-p))
        x = -((((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5])
              / ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0))
    e = 0.5 * math.erfc(-x / math.sqrt(2.0)) - p
    u = e * math.sqrt(2.0 * math.pi) * math.exp(x * x / 2.0)
    return x - u / (1.0 + x * u / 2.0)


@njit(cache=True, nogil=True, inline="always")
def _uniform(row: int, run_block: np.ndarray, row_pos: np.ndarray, row_offsets: np.ndarray,
             row_sizes: np.ndarray, extra: np.ndarray, extra_ready: np.ndarray,
             root_words: np.ndarray, run: int) -> float:
    """The next number of ``row``: from the run's block, then from the row's own stream."""
    pos = row_pos[row]
    row_pos[row] = pos + 1
    if pos < row_sizes[row]:
        return run_block[row_offsets[row] + pos]
    if not extra_ready[row]:
        overflow_seed(root_words, run, row, extra[row])
        extra_ready[row] = True
    return next_double(extra[row])


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _bin(edges: np.ndarray, lo: int, hi: int, x: float) -> int:
    """``clip(searchsorted(edges[lo:hi], x, "right") - 1, 0, bins - 1)``."""
    n = hi - lo
    if x != x:
        k = n
    else:
        a, b = 0, n
        while a < b:  # the number of edges <= x
            mid = (a + b) // 2
            if edges[lo + mid] <= x:
                a = mid + 1
            else:
                b = mid
        k = a
    k -= 1
    if k < 0:
        return 0
    return k if k < n - 2 else n - 2


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _rearm(which: np.ndarray, first: int, stop: int, now: float, fn: np.ndarray,
           mem: np.ndarray, hz: np.ndarray, opt_i: np.ndarray,
           hazards: np.ndarray, alarm: np.ndarray, alarm_int: np.ndarray) -> bool:
    """Refresh hazards ``which[first:stop]`` at ``now`` and re-set the alarm, as the
    SimPy engine's ``rearm``; False when a rate is NaN or infinite (an error).

    ``hz`` rows: budget, rate (per day), last refresh (day), due (day). ``alarm`` holds
    (due, event time); ``alarm_int`` (option, creation number, live, next creation
    number).
    """
    # hz[0, i] etc., not row views: a view costs two atomic reference counts per call
    rescan = False
    soonest, best = alarm[0], alarm_int[0]
    for k in range(first, stop):
        i = which[k]
        old_rate = hz[1, i]
        if old_rate > 0.0:
            left = hz[0, i] - old_rate * (now - hz[2, i])
            hz[0, i] = left if left > 0.0 else 0.0
        hz[2, i] = now
        if opt_i[i, O_ONCE] and mem[opt_i[i, O_COUNTER]] > 0.0:
            rate = -_INF
        else:
            rate = call_native(fn[opt_i[i, O_ARMED_RATE]], mem)
        if rate == -_INF:  # disabled (or a rate of -inf, which counts as 0 too)
            hz[1, i] = 0.0
            d = _INF
        else:
            if rate == _INF or rate != rate:
                return False
            if not rate > 0.0:
                rate = 0.0  # a negative rate means the option cannot happen now
            hz[1, i] = rate
            d = now + hz[0, i] / rate if rate > 0.0 else _INF
        hz[3, i] = d
        if i == alarm_int[0] and d > alarm[0]:
            rescan = True
        elif d < soonest or (d == soonest and i < best):
            soonest, best = d, i
    if rescan:
        soonest, best = _INF, -1
        for i in hazards:
            if hz[3, i] < soonest:
                soonest, best = hz[3, i], i
    if soonest == alarm[0] and best == alarm_int[0]:
        return True  # the alarm already set is still right
    alarm_int[0] = best
    alarm[0] = soonest
    if soonest < _INF:
        delay = soonest - now
        alarm[1] = now + (delay if delay > 0.0 else 0.0)
        alarm_int[1] = alarm_int[3]
        alarm_int[3] += 1
        alarm_int[2] = 1
    else:
        alarm_int[2] = 0
    return True


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _reach(ap_ptr: np.ndarray, ap_idx: np.ndarray, row: int, fn: np.ndarray,
           pred_program: np.ndarray, pred_terminal: np.ndarray, reached: np.ndarray,
           mem: np.ndarray, now: float) -> bool:
    """First passage: the predicates of ``row`` (an option, or the clock tick) not yet
    reached that hold now are reached at ``now``; True when a terminal one is."""
    done = False
    for x in range(ap_ptr[row], ap_ptr[row + 1]):
        p = ap_idx[x]
        if reached[p] != reached[p] and call_native(fn[pred_program[p]], mem) != 0.0:
            reached[p] = now
            if pred_terminal[p]:
                done = True
    return done


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _delay(kind: int, d1: float, d2: float, d3: float, u: float) -> float:
    """A trigger's delay in days from its uniform ``u`` (NaN: no compiled quantile)."""
    if kind == D_FIXED:
        return d1
    if kind == D_LOGNORMAL:
        return math.exp(d1 + d2 * ndtri(u))
    if kind == D_UNIFORM:
        return d1 + u * (d2 - d1)
    if kind == D_TRIANGULAR:
        q = min(max(u, 0.0), 1.0)
        width = d3 - d1
        if q < (d2 - d1) / width:
            return d1 + math.sqrt(q * width * (d2 - d1))
        return d3 - math.sqrt((1.0 - q) * width * (d3 - d2))
    return math.nan
