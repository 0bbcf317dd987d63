"""A quantity's meaning: its kind, its distribution in canonical units, its display unit.

Canonical units: a **probability** is in [0, 1]; a **rate** is a hazard per day; a
**duration** is in days; **positive** and **real** quantities have no unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.scenario.quantities import derived
from simulator.scenario.quantities import distributions as d
from simulator.scenario.quantities._syntax import (
    _RATE_HINT,
    _SIGNATURES,
    _UNIT_DAYS,
    QuantityKind,
    _err,
    _Parsed,
    _Val,
)


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity; ``distribution`` is in canonical units.

    ``display_scale`` converts canonical values to the unit the user wrote
    (``display_unit``): days → weeks for ``2 to 6 weeks``; hazard per day → hazard per
    period for rates (for a count rate this is the count per period; for a rate written
    as a probability p per period it is −ln(1 − p), so p = 1 − exp(−display value));
    probability → percent (scale 100, unit ``"%"``) when written with ``%``.
    """

    text: str
    kind: QuantityKind
    distribution: d.Distribution
    display_unit: str | None = None
    display_scale: float = 1.0

    @property
    def is_constant(self) -> bool:
        return self.distribution.is_constant

    def to_display(self, canonical: float | npt.ArrayLike) -> float | npt.NDArray[np.float64]:
        if np.ndim(canonical) == 0:
            return float(canonical) * self.display_scale  # type: ignore[arg-type]
        return np.asarray(canonical, dtype=np.float64) * self.display_scale


def _plural(unit: str) -> str:
    return unit + "s"


def infer(p: _Parsed) -> QuantityKind:
    if p.per_days is not None:
        return "rate"
    if any(t.unit for t in p.terms) or p.family_unit:
        return "duration"
    vals = [t.val for t in p.terms] or [p.args[i] for i in _SIGNATURES[str(p.family)][1]]
    if any(v.notation != "plain" for v in vals):
        return "probability"
    numbers = [v.value for v in vals]
    if p.family == "beta" or (len(p.terms) == 2 and all(0 <= x <= 1 for x in numbers)):
        return "probability"
    if len(p.terms) == 2 and numbers[0] > 0:
        return "positive"
    if p.family in ("lognormal", "gamma"):
        return "positive"
    return "real"


def _check_notation(vals: list[_Val]) -> bool:
    """True when the values are written as probabilities; mixing notations is an error."""
    prob = [v.notation != "plain" for v in vals]
    if any(prob) and not all(prob):
        bad = vals[prob.index(False)]
        raise _err(
            "mixed notation: write every value as a percentage (or `1 in N`), or none",
            bad.col,
            "a percentage",
            bad.text,
            f"write `{bad.text}%` if you meant a percentage",
        )
    return any(prob)


def _check_probability(v: _Val) -> None:
    if v.value > 1:
        raise _err(
            "a probability cannot exceed 100%",
            v.col,
            "a value from 0 to 1 (0% to 100%)",
            v.text,
            "a probability cannot exceed 100%; for other numbers set `kind: real`",
        )
    if v.value < 0:
        raise _err("a probability cannot be negative", v.col, "a value from 0 to 1", v.text)


def _build_family(p: _Parsed) -> d.Distribution:
    name = str(p.family)
    names, value_idx = _SIGNATURES[name]
    for i, v in enumerate(p.args):
        if i not in value_idx and v.notation != "plain":
            raise _err(f"{name}'s {names[i]} is a plain number", v.col, "a plain number", v.text)
    x = [v.value for v in p.args]
    try:
        if name == "lognormal":
            if x[0] <= 0:
                raise ValueError("lognormal median must be > 0")
            return d.LogNormal(math.log(x[0]), x[1])
        cls = {
            "constant": d.Constant,
            "beta": d.Beta,
            "pert": d.Pert,
            "uniform": d.Uniform,
            "triangular": d.Triangular,
            "normal": d.Normal,
            "gamma": d.Gamma,
        }[name]
        dist: d.Distribution = cls(*x)
        return dist
    except ValueError as exc:
        col = p.family_col
        if name in ("beta", "normal", "gamma", "lognormal"):  # point at the bad parameter
            bad = [i for i, v in enumerate(x) if v <= 0 and (name != "normal" or i == 1)]
            col = p.args[bad[0]].col if bad else col
        raise _err(
            f"invalid {name}: {exc}",
            col,
            f"{name}({', '.join(names)})",
            ", ".join(v.text for v in p.args),
        ) from None


def _interval(p: _Parsed, lo: float, hi: float, fit: str) -> d.Distribution:
    t_lo, t_hi = p.terms
    if lo > hi:
        raise _err(
            "the interval's lower end is above its upper end",
            t_hi.val.col,
            f"a value ≥ {t_lo.val.text}",
            t_hi.val.text,
            "write the smaller value first",
        )
    if lo == hi:
        return d.Constant(lo)
    if fit == "lognormal" and lo <= 0:
        raise _err(
            "a 90% interval of a positive quantity needs a lower end above 0",
            t_lo.val.col,
            "a value > 0",
            t_lo.val.text,
            "write e.g. `0.1 to 5`, or use `uniform(0, …)`",
        )
    try:
        if fit == "beta":
            return derived.beta_from_interval(lo, hi)
        if fit == "lognormal":
            return derived.lognormal_from_interval(lo, hi)
        return derived.normal_from_interval(lo, hi)
    except ValueError as exc:
        hint = "use `uniform(lo, hi)` or `pert(lo, mode, hi)` to include 0% or 100%"
        raise _err(
            str(exc),
            t_lo.val.col,
            "a 90% interval strictly inside 0 and 1" if fit == "beta" else "a valid interval",
            _terms_text(p),
            hint,
        ) from None


def _terms_text(p: _Parsed) -> str:
    return " to ".join(t.val.text for t in p.terms)


def _check_support(
    dist: d.Distribution, p: _Parsed, lo: float, hi: float, what: str, hint: str
) -> None:
    s_lo, s_hi = dist.support
    if s_lo < lo or s_hi > hi:
        raise _err(
            f"{p.family}(…) can produce values outside {what}",
            p.family_col,
            what,
            dist.describe(),
            hint,
        )


#: What resolving gives: the distribution in canonical units, the unit the user wrote,
#: and the factor from canonical values to that unit.
_Resolved = tuple[d.Distribution, str | None, float]


def resolve(p: _Parsed, kind: QuantityKind, text: str) -> Quantity:
    """The quantity ``p`` means as a ``kind``; raises QuantityError when it cannot be one."""
    _check_form(p, kind, text)
    vals = [t.val for t in p.terms] or [p.args[i] for i in _SIGNATURES[str(p.family)][1]]
    prob = _check_notation(vals) or p.family == "beta"
    if kind == "probability":
        dist, unit, scale = _probability(p, vals)
    elif kind in ("real", "positive"):
        dist, unit, scale = _unitless(p, vals, kind)
    elif kind == "duration":
        dist, unit, scale = _duration(p, vals, prob, text)
    else:
        dist, unit, scale = _rate(p, vals, prob)
    return Quantity(text, kind, dist, unit, scale)


def _check_form(p: _Parsed, kind: QuantityKind, text: str) -> None:
    """`per` only for rates, a time unit only for durations, and both ends with a unit."""
    has_unit = any(t.unit for t in p.terms) or p.family_unit is not None
    if kind != "rate" and p.per_days is not None:
        raise _err(
            f"a {kind} has no `per`",
            p.per_col,
            f"a {kind}",
            text,
            "set `kind: rate` or remove `per …`",
        )
    if kind == "rate" and p.per_days is None:
        raise _err(
            "a rate needs `per <unit>`", p.per_col, "`per day|week|month|year`", text, _RATE_HINT
        )
    if kind == "duration" and not has_unit:
        raise _err(
            "a duration needs a unit",
            p.per_col,
            "a unit such as `days`",
            text,
            "write `30 days` or `6 weeks`",
        )
    if kind != "duration" and has_unit:
        col = next((t.unit_col for t in p.terms if t.unit), p.family_col)
        hint = _RATE_HINT if kind == "rate" else "set `kind: duration` or remove the unit"
        raise _err(f"a {kind} takes no time unit here", col, f"a {kind}", text, hint)
    if len(p.terms) == 2 and p.terms[0].unit is not None and p.terms[1].unit is None:
        raise _err(
            "mixed units: the upper end has no unit",
            p.terms[1].val.col,
            "a unit",
            p.terms[1].val.text,
            f"write `{p.terms[0].val.text} to {p.terms[1].val.text} "
            f"{_plural(str(p.terms[0].unit))}`",
        )


def _probability(p: _Parsed, vals: list[_Val]) -> _Resolved:
    """A probability in [0, 1]; shown in percent when written with `%`."""
    for v in vals:
        _check_probability(v)
    if p.family:
        dist = _build_family(p)
        _check_support(dist, p, 0, 1, "0 to 1", "use beta(a, b) or pert(lo, mode, hi)")
    elif len(p.terms) == 2:
        dist = _interval(p, vals[0].value, vals[1].value, "beta")
    else:
        dist = d.Constant(vals[0].value)
    if any(v.notation == "percent" for v in vals):
        return dist, "%", 100.0
    return dist, None, 1.0


def _unitless(p: _Parsed, vals: list[_Val], kind: QuantityKind) -> _Resolved:
    """A real number, or a positive one (0 and above)."""
    lo = 0.0 if kind == "positive" else -math.inf
    if kind == "positive":
        for v in vals:
            if v.value < 0 and not p.family:
                raise _err("a positive quantity cannot be negative", v.col, "a value ≥ 0", v.text)
    if p.family:
        dist = _build_family(p)
        _check_support(dist, p, lo, math.inf, "0 and above", "use lognormal or gamma")
    elif len(p.terms) == 2:
        fit = "lognormal" if kind == "positive" else "normal"
        dist = _interval(p, vals[0].value, vals[1].value, fit)
    else:
        dist = d.Constant(vals[0].value)
    return dist, None, 1.0


def _duration(p: _Parsed, vals: list[_Val], prob: bool, text: str) -> _Resolved:
    """A duration in days; shown in the unit written last (`2 to 6 weeks` → weeks)."""
    if p.family == "beta":
        raise _err(
            "beta is a distribution of probabilities, not of durations",
            p.family_col,
            "a duration",
            text,
            "use lognormal, gamma, pert, triangular or uniform",
        )
    if prob:
        v = next(v for v in vals if v.notation != "plain")
        raise _err("a duration is a number with a unit", v.col, "e.g. `30 days`", v.text)
    if p.family:
        unit = str(p.family_unit)
        base = _build_family(p)
        _check_support(
            base, p, 0, math.inf, "0 and above", "use lognormal, gamma, pert, triangular or uniform"
        )
        dist = derived.scale(base, _UNIT_DAYS[unit])
    else:
        unit = str(p.terms[-1].unit)
        days = [t.val.value * _UNIT_DAYS[str(t.unit or unit)] for t in p.terms]
        for t in p.terms:
            if t.val.value < 0:
                raise _err("a duration cannot be negative", t.val.col, "a value ≥ 0", t.val.text)
        if len(days) == 2:
            dist = _interval(p, days[0], days[1], "lognormal")
        else:
            dist = d.Constant(days[0])
    return dist, _plural(unit), 1 / _UNIT_DAYS[unit]


def _rate(p: _Parsed, vals: list[_Val], prob: bool) -> _Resolved:
    """A hazard per day, from a count or a probability per period; shown per period."""
    period = float(p.per_days or 1.0)
    unit = p.per_label
    for v in vals:
        if v.value < 0:
            raise _err("a rate cannot be negative", v.col, "a value ≥ 0", v.text, _RATE_HINT)
        if prob and v.value >= 1:
            _check_probability(v)
            raise _err(
                "a probability of 100% per period is an infinite hazard",
                v.col,
                "a probability below 100%",
                v.text,
                "use a probability below 100%, e.g. `99% per month`",
            )
    if p.family:
        base = _build_family(p)
        if prob:
            _check_support(base, p, 0, 1, "0 to 1", "use beta(a, b) or pert(lo, mode, hi)")
            fwd = derived.PeriodProbabilityToHazard(period)
            dist: d.Distribution = derived.Transformed(
                base, fwd, f"hazard per day from probability {unit}"
            )
        else:
            _check_support(base, p, 0, math.inf, "0 and above", "use lognormal or gamma")
            dist = derived.scale(base, 1 / period)
    else:
        conv: derived.PeriodProbabilityToHazard | derived.LinearScale = (
            derived.PeriodProbabilityToHazard(period) if prob else derived.LinearScale(1 / period)
        )
        hazards = [float(conv(v.value)) for v in vals]
        if len(hazards) == 2:
            dist = _interval(p, hazards[0], hazards[1], "lognormal")
        else:
            dist = d.Constant(hazards[0])
    return dist, unit, period


def finite_check(q: Quantity) -> Quantity:
    with np.errstate(all="ignore"):
        probe = q.distribution.ppf(np.array([0.05, 0.5, 0.95]))
    if not np.all(np.isfinite(probe)):
        raise _err("numbers too large or too small to use", 1, "moderate numbers", q.text)
    return q
