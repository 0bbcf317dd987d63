"""The quantity language's entry points: text (or a number) → :class:`Quantity`."""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from simulator.scenario.quantities import derived
from simulator.scenario.quantities._meaning import Quantity, finite_check, infer, resolve
from simulator.scenario.quantities._syntax import (
    KINDS,
    MAX_LENGTH,
    QuantityError,
    QuantityKind,
    _err,
    _Parsed,
    _Parser,
)


def _text_of(value: str | float | int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _err(
            f"expected a number or quantity text, found {type(value).__name__}",
            1,
            "a number or quantity text",
            repr(value),
        )
    return value if isinstance(value, str) else str(value)


def _parse(text: str) -> _Parsed:
    if len(text) > MAX_LENGTH:
        raise _err(
            f"quantity text too long ({len(text)} characters; at most {MAX_LENGTH})",
            MAX_LENGTH + 1,
            f"at most {MAX_LENGTH} characters",
            f"{len(text)}",
        )
    if not text.strip():
        raise _err("empty quantity", 1, "a number or quantity such as `30%`", "nothing")
    return _Parser(text).parse()


def parse_quantity(value: str | float | int, kind: QuantityKind | None = None) -> Quantity:
    """Parse quantity text (or a number) into a :class:`Quantity` in canonical units.

    ``kind`` None infers it: `per` → rate; a time unit → duration; `%`, `1 in N` or
    `beta(...)` → probability; an interval within [0, 1] → probability; a positive
    interval, `lognormal(...)` or `gamma(...)` → positive; anything else → real.
    """
    return _parse_quantity_cached(value, kind)


# Quantities are frozen and a pure function of their text: a scenario's variants parse
# the same texts again (and fitting a beta to an interval is costly).
@functools.lru_cache(maxsize=8192, typed=True)
def _parse_quantity_cached(value: str | float | int, kind: QuantityKind | None) -> Quantity:
    """See :func:`parse_quantity`."""
    if kind is not None and kind not in KINDS:
        raise _err(f"unknown kind `{kind}`", 1, " | ".join(KINDS), str(kind))
    text = _text_of(value)
    parsed = _parse(text)
    try:
        with np.errstate(all="ignore"):
            quantity = resolve(parsed, kind or infer(parsed), text)
    except (OverflowError, ZeroDivisionError, FloatingPointError) as exc:
        raise _err(f"numbers too large or too small to use ({exc})", 1) from None
    except ValueError as exc:
        if isinstance(exc, QuantityError):
            raise
        raise _err(str(exc), 1, found=text) from None
    return finite_check(quantity)


def parse_duration(value: str | float | int) -> Quantity:
    """A duration in days (``30 days``, ``2 to 6 weeks``); a bare number is an error."""
    return parse_quantity(value, "duration")


def parse_rate(value: str | float | int) -> Quantity:
    """A rate as hazard per day (``2 per year``, ``3% per month``); needs `per <unit>`."""
    return parse_quantity(value, "rate")


def infer_kind(text: str | float | int) -> QuantityKind:
    """The kind :func:`parse_quantity` would infer; raises QuantityError on bad text."""
    return infer(_parse(_text_of(text)))


def looks_like_quantity(text: str | float | int) -> bool:
    """True if the text parses as a quantity (so it is not an expression)."""
    try:
        parse_quantity(text)
    except QuantityError:
        return False
    return True


def per_period_probability_to_hazard(
    p: float | npt.ArrayLike, period_days: float
) -> float | npt.NDArray[np.float64]:
    """λ = −ln(1 − p)/T: hazard per day with P(fires within T days) = p, exactly."""
    if not period_days > 0:
        raise ValueError(f"period_days must be > 0, got {period_days!r}")
    hazard = derived.PeriodProbabilityToHazard(float(period_days))(p)
    return float(hazard) if np.ndim(p) == 0 else hazard
