"""Quantity text → distribution in canonical units.

Canonical units: a **probability** is in [0, 1]; a **rate** is a hazard per day; a
**duration** is in days; **positive** and **real** quantities have no unit.

Grammar (case-insensitive, whitespace-tolerant, at most 500 characters)::

    quantity := body [ ("per" | "/") [number] unit ]
    body     := term [ "to" term ] | family "(" value { "," value } ")" [unit]
    term     := value [unit]
    value    := number ["%"] | number "in" number          (`1 in 20` = 0.05)
    family   := constant | beta | pert | triangular | uniform | normal | lognormal | gamma
    unit     := hour | day | week | fortnight | month | quarter | year   (+ plurals, h d wk mo yr)

Families: ``constant(x)``, ``beta(a, b)``, ``pert(lo, mode, hi)``,
``triangular(lo, mode, hi)``, ``uniform(lo, hi)``, ``normal(mu, sd)``,
``lognormal(median, sigma)`` (sigma = sd of the log, unitless), ``gamma(shape, scale)``.
Value arguments may be written as percentages or ``1 in N``; ``beta``'s and ``gamma``'s
shape and ``lognormal``'s sigma are plain numbers. All value arguments of one family, and
both ends of an interval, must use the same notation (``5 to 10%`` is rejected: it is
too easily meant as ``5% to 10%``).

``a to b`` is a 90 % interval (5th and 95th percentiles): probability → beta,
rate / duration / positive → lognormal, real → normal; ``a to a`` is a constant.

Rates: a value written as a probability (``%``, ``1 in N``, or ``beta(...)``) per period
T days becomes the hazard per day λ = −ln(1 − p)/T, exactly, so that P(fires within T)
= p. A plain number is a count: ``2 per year`` = 2/365.25 per day. For an interval such
as ``0.5% to 4% per month`` both endpoints are converted exactly and a lognormal is
fitted to the converted endpoints: the map p ↦ λ is increasing, so the 5th/95th
percentiles of the hazard are exactly the converted endpoints. A family of probabilities
per period becomes a :class:`~.distributions.Transformed` of that family.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from simulator.errors import TextError

from . import distributions as d

QuantityKind = Literal["probability", "rate", "duration", "positive", "real"]
KINDS: tuple[str, ...] = get_args(QuantityKind)
MAX_LENGTH = 500

_UNIT_DAYS = {
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "fortnight": 14.0,
    "month": 365.25 / 12,
    "quarter": 365.25 / 4,
    "year": 365.25,
}
_UNIT_ALIASES = {
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "d": "day",
    "w": "week",
    "wk": "week",
    "wks": "week",
    "mo": "month",
    "mos": "month",
    "y": "year",
    "yr": "year",
    "yrs": "year",
}
_UNIT_NAMES = {**{u: u for u in _UNIT_DAYS}, **{u + "s": u for u in _UNIT_DAYS}, **_UNIT_ALIASES}
#: Days in one of each unit word (singular, plural and abbreviations).
DAYS_PER: dict[str, float] = {name: _UNIT_DAYS[unit] for name, unit in _UNIT_NAMES.items()}

_FAMILIES = ("constant", "beta", "pert", "triangular", "uniform", "normal", "lognormal", "gamma")
# per family: the argument names, and which of them are values (scaled by units, may be %)
_SIGNATURES = {
    "constant": (("x",), (0,)),
    "beta": (("a", "b"), ()),
    "pert": (("lo", "mode", "hi"), (0, 1, 2)),
    "triangular": (("lo", "mode", "hi"), (0, 1, 2)),
    "uniform": (("lo", "hi"), (0, 1)),
    "normal": (("mu", "sd"), (0, 1)),
    "lognormal": (("median", "sigma"), (0,)),
    "gamma": (("shape", "scale"), (1,)),
}
_RATE_HINT = "write `2 per year` or `3% per month`"


class QuantityError(TextError):
    """A quantity text is invalid; ``column`` is 1-based inside the text."""

    def __str__(self) -> str:
        text = f"{self.message} (column {self.column})"
        return f"{text}; hint: {self.hint}" if self.hint else text


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


# ---------------------------------------------------------------- tokens and parse tree

_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<num>[+\-−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+\-−]?\d+)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z_0-9]*)|(?P<sym>[%(),/])"
)


@dataclass(frozen=True)
class _Tok:
    kind: str  # "num" | "word" | "sym" | "end"
    text: str
    col: int  # 1-based


@dataclass(frozen=True)
class _Val:
    value: float
    notation: str  # "plain" | "percent" | "odds"
    col: int
    text: str


@dataclass(frozen=True)
class _Term:
    val: _Val
    unit: str | None  # canonical unit name
    unit_col: int


@dataclass(frozen=True)
class _Parsed:
    terms: list[_Term]  # one or two (interval); empty for a family
    family: str | None
    args: list[_Val]
    family_col: int
    family_unit: str | None
    per_days: float | None  # period T in days
    per_label: str | None
    per_col: int


def _err(
    msg: str,
    col: int,
    expected: str | None = None,
    found: str | None = None,
    hint: str | None = None,
) -> QuantityError:
    return QuantityError(msg, column=col, expected=expected, found=found, hint=hint)


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _suggest_unit(word: str) -> str | None:
    near = _suggest(word, list(_UNIT_NAMES))
    # `dayz` is closer to `day` than to `days` by ratio, but the writer meant a plural
    if near and len(word) > len(near) and near + "s" in _UNIT_NAMES:
        return near + "s"
    return near


def _tokenize(text: str) -> list[_Tok]:
    toks, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _err(
                f"unexpected character `{text[pos]}`",
                pos + 1,
                "a number, `%`, `to`, `per`, a unit or a distribution",
                repr(text[pos]),
            )
        if m.lastgroup != "ws":
            toks.append(_Tok(str(m.lastgroup), m.group(), pos + 1))
        pos = m.end()
    toks.append(_Tok("end", "", len(text) + 1))
    return toks


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks, self.i = _tokenize(text), 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def _is_word(self, *words: str) -> bool:
        return self.tok.kind == "word" and self.tok.text.lower() in words

    def _number(self, what: str = "a number") -> tuple[float, _Tok]:
        tok = self.tok
        if tok.kind != "num":
            if tok.kind == "word" and tok.text.lower() in ("nan", "inf", "infinity"):
                raise _err(
                    "NaN and infinity are not allowed",
                    tok.col,
                    what,
                    tok.text,
                    "write a finite number",
                )
            found = tok.text or "end of text"
            raise _err(f"expected {what}, found `{found}`", tok.col, what, found)
        value = float(tok.text.replace("−", "-"))
        if not math.isfinite(value):
            raise _err("number too large", tok.col, "a finite number", tok.text)
        self.i += 1
        return value, tok

    def value(self) -> _Val:
        value, tok = self._number()
        if self.tok.kind == "sym" and self.tok.text == "%":
            self.i += 1
            return _Val(value / 100, "percent", tok.col, tok.text + "%")
        if self._is_word("in"):
            self.i += 1
            n, ntok = self._number("a number N, as in `1 in N`")
            if n <= 0:
                raise _err(
                    "the N in `k in N` must be positive",
                    ntok.col,
                    "N > 0",
                    ntok.text,
                    "write e.g. `1 in 20`",
                )
            return _Val(value / n, "odds", tok.col, f"{tok.text} in {ntok.text}")
        return _Val(value, "plain", tok.col, tok.text)

    def unit(self) -> tuple[str | None, int]:
        tok = self.tok
        if tok.kind == "word" and tok.text.lower() in _UNIT_NAMES:
            self.i += 1
            return _UNIT_NAMES[tok.text.lower()], tok.col
        return None, tok.col

    def parse(self) -> _Parsed:
        terms: list[_Term] = []
        family: str | None = None
        args: list[_Val] = []
        fam_col, fam_unit = 1, None
        start = self.tok
        if start.kind == "word" and start.text.lower() not in ("nan", "inf", "infinity"):
            family, args, fam_unit = self._family()
            fam_col = start.col
        else:
            terms.append(_Term(self.value(), *self.unit()))
            if self._is_word("to"):
                self.i += 1
                terms.append(_Term(self.value(), *self.unit()))
        per_days, per_label, per_col = None, None, self.tok.col
        if self._is_word("per") or (self.tok.kind == "sym" and self.tok.text == "/"):
            self.i += 1
            count, label = 1.0, ""
            if self.tok.kind == "num":
                count, ctok = self._number()
                if count <= 0:
                    raise _err("the period must be positive", ctok.col, "a number > 0", ctok.text)
                label = f"{ctok.text} "
            unit, ucol = self.unit()
            if unit is None:
                found = self.tok.text or "end of text"
                near = _suggest_unit(found) if self.tok.kind == "word" else None
                hint = f"did you mean `per {near}`?" if near else "write e.g. `per month`"
                raise _err(
                    f"expected a time unit after `per`, found `{found}`",
                    ucol,
                    "day, week, month or year",
                    found,
                    hint,
                )
            per_days = count * _UNIT_DAYS[unit]
            per_label = f"per {label}{unit}{'s' if label else ''}"
        if self.tok.kind != "end":
            self._trailing(bool(terms) and len(terms) == 1)
        return _Parsed(terms, family, args, fam_col, fam_unit, per_days, per_label, per_col)

    def _family(self) -> tuple[str, list[_Val], str | None]:
        tok = self.tok
        name = tok.text.lower()
        if name not in _FAMILIES:
            near = _suggest(name, _FAMILIES)
            hint = f"did you mean `{near}`?" if near else "known: " + ", ".join(_FAMILIES)
            raise _err(
                f"unknown distribution `{tok.text}`"
                if near
                else f"expected a number, found `{tok.text}`",
                tok.col,
                "a number or a distribution such as beta(a, b)",
                tok.text,
                hint,
            )
        self.i += 1
        if not (self.tok.kind == "sym" and self.tok.text == "("):
            raise _err(
                f"expected `(` after `{name}`",
                self.tok.col,
                "(",
                self.tok.text or "end of text",
                f"write e.g. `{name}(…)`",
            )
        self.i += 1
        args = [self.value()]
        while self.tok.kind == "sym" and self.tok.text == ",":
            self.i += 1
            args.append(self.value())
        if not (self.tok.kind == "sym" and self.tok.text == ")"):
            found = self.tok.text or "end of text"
            raise _err(f"expected `,` or `)`, found `{found}`", self.tok.col, "`,` or `)`", found)
        self.i += 1
        names = _SIGNATURES[name][0]
        if len(args) != len(names):
            raise _err(
                f"{name} takes {len(names)} arguments ({', '.join(names)}), got {len(args)}",
                tok.col,
                f"{name}({', '.join(names)})",
                f"{len(args)} arguments",
            )
        unit, _ = self.unit()
        return name, args, unit

    def _trailing(self, single: bool) -> None:
        tok, hint = self.tok, None
        word = tok.text.lower()
        if tok.kind == "word" and word == "to":
            hint = "an interval joins two numbers, e.g. `0.2 to 0.6`, not distributions"
        elif tok.kind == "word" and word not in _UNIT_NAMES:
            near = _suggest_unit(word) or _suggest(word, ["to", "per"])
            hint = f"did you mean `{near}`?" if near else None
        elif tok.kind == "num" and single:
            hint = "write an interval as `a to b`"
        found = tok.text
        raise _err(f"unexpected `{found}`", tok.col, "`to`, `per`, a unit or the end", found, hint)


# ---------------------------------------------------------------- meaning


def _plural(unit: str) -> str:
    return unit + "s"


def _infer(p: _Parsed) -> QuantityKind:
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
            return d.beta_from_interval(lo, hi)
        if fit == "lognormal":
            return d.lognormal_from_interval(lo, hi)
        return d.normal_from_interval(lo, hi)
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


def _resolve(p: _Parsed, kind: QuantityKind, text: str) -> Quantity:
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
    vals = [t.val for t in p.terms] or [p.args[i] for i in _SIGNATURES[str(p.family)][1]]
    prob = _check_notation(vals) or p.family == "beta"
    unit: str | None = None
    scale = 1.0
    if kind == "probability":
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
            unit, scale = "%", 100.0
    elif kind in ("real", "positive"):
        lo = 0.0 if kind == "positive" else -math.inf
        if kind == "positive":
            for v in vals:
                if v.value < 0 and not p.family:
                    raise _err(
                        "a positive quantity cannot be negative", v.col, "a value ≥ 0", v.text
                    )
        if p.family:
            dist = _build_family(p)
            _check_support(dist, p, lo, math.inf, "0 and above", "use lognormal or gamma")
        elif len(p.terms) == 2:
            fit = "lognormal" if kind == "positive" else "normal"
            dist = _interval(p, vals[0].value, vals[1].value, fit)
        else:
            dist = d.Constant(vals[0].value)
    elif kind == "duration":
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
                base,
                p,
                0,
                math.inf,
                "0 and above",
                "use lognormal, gamma, pert, triangular or uniform",
            )
            dist = d.scale(base, _UNIT_DAYS[unit])
        else:
            unit = str(p.terms[-1].unit)
            days = [t.val.value * _UNIT_DAYS[str(t.unit or unit)] for t in p.terms]
            for t in p.terms:
                if t.val.value < 0:
                    raise _err(
                        "a duration cannot be negative", t.val.col, "a value ≥ 0", t.val.text
                    )
            if len(days) == 2:
                dist = _interval(p, days[0], days[1], "lognormal")
            else:
                dist = d.Constant(days[0])
        scale, unit = 1 / _UNIT_DAYS[unit], _plural(unit)
    else:  # rate
        period = float(p.per_days or 1.0)
        unit, scale = p.per_label, period
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
                fwd = d.PeriodProbabilityToHazard(period)
                dist = d.Transformed(base, fwd, f"hazard per day from probability {unit}")
            else:
                _check_support(base, p, 0, math.inf, "0 and above", "use lognormal or gamma")
                dist = d.scale(base, 1 / period)
        else:
            conv = d.PeriodProbabilityToHazard(period) if prob else d.LinearScale(1 / period)
            hazards = [float(conv(v.value)) for v in vals]
            if len(hazards) == 2:
                dist = _interval(p, hazards[0], hazards[1], "lognormal")
            else:
                dist = d.Constant(hazards[0])
    return Quantity(text, kind, dist, unit, scale)


def _finite_check(q: Quantity) -> Quantity:
    with np.errstate(all="ignore"):
        probe = q.distribution.ppf(np.array([0.05, 0.5, 0.95]))
    if not np.all(np.isfinite(probe)):
        raise _err("numbers too large or too small to use", 1, "moderate numbers", q.text)
    return q


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
            quantity = _resolve(parsed, kind or _infer(parsed), text)
    except (OverflowError, ZeroDivisionError, FloatingPointError) as exc:
        raise _err(f"numbers too large or too small to use ({exc})", 1) from None
    except ValueError as exc:
        if isinstance(exc, QuantityError):
            raise
        raise _err(str(exc), 1, found=text) from None
    return _finite_check(quantity)


def parse_duration(value: str | float | int) -> Quantity:
    """A duration in days (``30 days``, ``2 to 6 weeks``); a bare number is an error."""
    return parse_quantity(value, "duration")


def parse_rate(value: str | float | int) -> Quantity:
    """A rate as hazard per day (``2 per year``, ``3% per month``); needs `per <unit>`."""
    return parse_quantity(value, "rate")


def infer_kind(text: str | float | int) -> QuantityKind:
    """The kind :func:`parse_quantity` would infer; raises QuantityError on bad text."""
    return _infer(_parse(_text_of(text)))


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
    hazard = d.PeriodProbabilityToHazard(float(period_days))(p)
    return float(hazard) if np.ndim(p) == 0 else hazard
