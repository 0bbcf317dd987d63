"""Scalar helpers that mirror numpy's IEEE-754 behaviour, so that the scalar and the
vectorised evaluators agree element by element.

``x / 0`` is ``±inf`` (``nan`` for ``0 / 0``), ``x % 0`` is ``nan``, ``log(0)`` is
``-inf``, ``log(<0)`` and ``sqrt(<0)`` are ``nan``, overflowing ``**`` and ``exp`` give
``inf``, a negative base to a fractional power is ``nan``, and ``min``/``max``/``clip``
propagate ``nan``. Plain Python would raise ``ZeroDivisionError``/``OverflowError`` or
return a complex number instead. The two paths agree bit for bit except that numpy's own
``power``/``exp``/``log`` kernels may round the last bit differently from the C library's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_INF = math.inf
_NAN = math.nan


# ---------------------------------------------------------------------------
# Scalar helpers that mirror numpy's IEEE behaviour (see module docstring).
# Each tries the plain Python operation first: on the common path that costs one
# ``try`` block, which is free in Python 3.11.
# ---------------------------------------------------------------------------


def _div(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0:  # nan / 0 and 0 / 0 are nan, as in numpy
            return _NAN
        # The sign of a zero divisor counts: 1 / -0.0 is -inf in numpy.
        return math.copysign(_INF, x) * math.copysign(1.0, y)


def _mod(x: float, y: float) -> float:
    # Python's float % and numpy's remainder share the sign-of-divisor convention;
    # they differ only for a zero divisor (Python raises, numpy gives nan).
    try:
        return x % y
    except ZeroDivisionError:
        return _NAN


def _is_odd_integer(y: float) -> bool:
    y = float(y)
    return y.is_integer() and y % 2 == 1


def _pow(x: float, y: float) -> float:
    """C's ``pow`` (what numpy's array-by-array ``power`` computes), without exceptions."""
    try:
        r = x**y
    except ZeroDivisionError:  # 0 ** negative: ±inf, signed only for odd whole powers
        return math.copysign(_INF, x) if _is_odd_integer(y) else _INF
    except OverflowError:
        if x < 0 and not float(y).is_integer():
            return _NAN  # Python overflowed on its way to a complex result
        return -_INF if x < 0 and _is_odd_integer(y) else _INF
    if type(r) is complex:  # (-8) ** (1/3): Python goes complex, C and numpy give nan
        return _NAN
    return r


def _vpow(x: Any, y: Any) -> Any:
    """Vectorised ``**``. Both sides are materialised as full, real-strided arrays
    because numpy shortcuts a scalar (or zero-stride) exponent — ``x ** 0.5`` becomes
    ``sqrt(x)``, which gives nan for -inf and -0.0 for -0.0 — and then disagrees with
    C's ``pow``, which the scalar path follows."""
    xa, ya = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return np.power(np.array(xa), np.array(ya))


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)  # math.log(inf) is inf
    if x == 0:
        return -_INF
    return _NAN  # negative or nan


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else _NAN  # nan fails `>= 0` too


def _min2(a: float, b: float) -> float:
    # Like np.minimum: nan if either side is nan (Python's min depends on order).
    return a if a < b else (b if a == a else a)


def _max2(a: float, b: float) -> float:
    return a if a > b else (b if a == a else a)


def _clip(x: float, lo: float, hi: float) -> float:
    # np.clip is minimum(maximum(x, lo), hi); so is this, including lo > hi → hi.
    return _min2(_max2(x, lo), hi)

