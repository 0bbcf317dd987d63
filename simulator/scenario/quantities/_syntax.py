"""Quantity text → a parse tree: units, tokens, and the recursive-descent parser.

The grammar is in :mod:`simulator.scenario.quantities`. Errors are
:class:`QuantityError`s with a 1-based column inside the text and, where a word is
close to a known unit or family, a "did you mean".
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Literal, get_args

from simulator.errors import TextError

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
