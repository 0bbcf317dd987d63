"""Static checks of meaning that need the whole scenario: kinds and trigger loops.

Run on a validated :class:`Scenario`, after (and besides) the compiler's own checks;
every diagnostic carries the key path and the column inside the value, and the loader
places it at file:line:column.

* **Kinds** (:mod:`._kinds`): a `rate` must be a rate, a `chance` a probability, an
  `after` a duration. A parameter written `1 to 4 months` (a duration) used as a rate
  would otherwise be read as 1 to 4 events *per day*; a parameter `1.5` used as a
  chance would stop every run. A rate built from plain numbers only is read as
  a hazard per day: allowed, with a warning.
* **Loops**: options that trigger each other with no delay and certain chance run
  forever at one instant unless a condition or `once` stops them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from simulator.errors import Diagnostic, KeyPath
from simulator.scenario.checks._kinds import KIND_WORDS, Kind, Typed, kind_of
from simulator.scenario.checks._ranges import Interval, range_of
from simulator.scenario.expressions import ExpressionError, Name, Number, parse_expression
from simulator.scenario.quantities import (
    Quantity,
    QuantityError,
    looks_like_quantity,
    parse_quantity,
)
from simulator.scenario.schema import Option, Scenario, TriggerEffect

_QUANTITY_KIND: dict[str, Kind] = {
    "probability": "probability", "rate": "rate", "duration": "duration",
    "positive": "number", "real": "number",
}  # fmt: skip
_UNIT_WORD = re.compile(
    r"\s*\b(hours?|days?|weeks?|fortnights?|months?|quarters?|years?|h|d|wk|wks|mo|mos|y|yr|yrs)"
    r"\s*$", re.IGNORECASE)
_RATE_UNIT = re.compile(r"\bper\b|\bin\s+\d", re.IGNORECASE)


@dataclass
class _Context:
    scenario: Scenario
    names: dict[str, Kind]
    quantities: dict[str, Quantity]
    ranges: dict[str, Interval]


def _parameter_quantities(scenario: Scenario) -> dict[str, Quantity]:
    out = {}
    for name, p in scenario.parameters.items():
        try:
            out[name] = parse_quantity(p.value, kind=p.kind)
        except QuantityError:
            continue  # the compiler reports it
    return out


def _context(scenario: Scenario) -> _Context:
    quantities = _parameter_quantities(scenario)
    names: dict[str, Kind] = {n: _QUANTITY_KIND[q.kind] for n, q in quantities.items()}
    # `t` is left a plain number: `0.001 * t` is a rate that grows with time (its
    # coefficient is per day per day), and a coefficient's units are not written
    if scenario.ladder is not None:
        names[scenario.ladder.variable] = "count"
        names.update({r.id: "count" for r in scenario.ladder.rungs})
    for name in scenario.state:
        names[name] = "number"
    return _Context(scenario, names, quantities, _ranges(scenario, quantities))


def _ranges(scenario: Scenario, quantities: dict[str, Quantity]) -> dict[str, Interval]:
    """Every value each name can take (see :mod:`._ranges`)."""
    inf = float("inf")
    out: dict[str, Interval] = {n: q.distribution.support for n, q in quantities.items()}
    out["t"] = (0.0, inf)
    for name, var in scenario.state.items():
        out[name] = (var.min if var.min is not None else -inf,
                     var.max if var.max is not None else inf)
    if scenario.ladder is not None:
        out[scenario.ladder.variable] = (0.0, float(len(scenario.ladder.rungs) - 1))
        out.update({r.id: (float(i), float(i)) for i, r in enumerate(scenario.ladder.rungs)})
    return out


def _tree(text: str) -> object | None:
    try:
        return parse_expression(text)
    except ExpressionError:
        return None  # the compiler reports it


# --------------------------------------------------------------------------- kinds


def _with_per(text: str) -> str | None:
    """`1 to 4 month` → `1 to 4 per month`: the likely meant rate."""
    match = _UNIT_WORD.search(text)
    if match is None:
        return None
    return f"{text[: match.start()].rstrip()} per {match.group(1)}"


def _described(ctx: _Context, typed: Typed) -> str:
    source = typed.source
    if source is not None and source.id in ctx.quantities:
        return f"`{source.id}` is {KIND_WORDS[typed.kind]} (`{ctx.quantities[source.id].text}`)"
    if source is not None:
        return f"`{source.id}` is {KIND_WORDS[typed.kind]}"
    return f"this is {KIND_WORDS[typed.kind]}"


def _rate_fix(ctx: _Context, typed: Typed) -> str:
    source = typed.source
    quantity = ctx.quantities.get(source.id) if source is not None else None
    if typed.kind == "duration":
        fixed = _with_per(quantity.text) if quantity is not None else None
        if fixed and source is not None:
            return (f"if `{source.id}` counts events per period, write it `{fixed}`; "
                    f"if it is a mean waiting time, use `1 / {source.id}`")
        return "a duration d becomes a rate as `1 / d` (once per d, on average)"
    if typed.kind == "probability":
        text = quantity.text if quantity is not None else "30%"
        return (f"add the period the probability is for: `{text} per month` "
                "(or per year, ...)")
    if typed.kind == "count":
        return "multiply by a rate parameter: `count(...) * base_rate`"
    return "write a rate with `per`, such as `2 per year` or `3% per month`"


def _rate_check(ctx: _Context, path: KeyPath, text: str) -> Iterator[Diagnostic]:
    if looks_like_quantity(text) or _RATE_UNIT.search(text):
        return  # a rate quantity: parsed as one by the compiler
    try:
        float(text)
        return  # a bare number: the compiler asks for a unit
    except ValueError:
        pass
    tree = _tree(text)
    if tree is None:
        return
    typed = kind_of(tree, ctx.names)  # type: ignore[arg-type]
    if typed.kind in ("rate", "mixed", "bool"):
        return
    column = typed.source.col if typed.source is not None else 1
    if typed.kind == "number":
        yield Diagnostic(
            "this rate has no unit, so it is read as a hazard per day", path=path,
            severity="warning", found=text,
            expected="a rate: a parameter written with `per` (`1% to 4% per month`), "
                     "or an expression using one",
            hint="multiply by a rate parameter (`base_rate: 2 per month`) or divide by a "
                 "duration parameter; a plain number here means per day")
        return
    yield Diagnostic(
        f"{_described(ctx, typed)}, but a `rate` must be a rate (events per period)",
        path=path, column=column, expected="a rate, such as `1 to 4 per month`",
        found=text, hint=_rate_fix(ctx, typed))


def _chance_check(ctx: _Context, path: KeyPath, text: str) -> Iterator[Diagnostic]:
    tree = _tree(text)
    if tree is None:
        return
    typed = kind_of(tree, ctx.names)  # type: ignore[arg-type]
    column = typed.source.col if typed.source is not None else 1
    if typed.kind in ("rate", "duration", "count"):
        yield Diagnostic(
            f"{_described(ctx, typed)}, but a `chance` is a probability between 0 and 1",
            path=path, column=column, expected="a probability such as `0.3` or `30%`",
            found=text, hint="use a probability parameter (`0.5 to 0.9`, `30%`)")
        return
    if isinstance(tree, Name) and tree.id in ctx.quantities:
        yield from _probability_range(ctx, path, tree, "chance")
        return
    if isinstance(tree, Number):
        return  # a constant: the compiler's error
    lo, hi = range_of(tree, ctx.ranges)  # type: ignore[arg-type]
    if lo >= 0 and hi <= 1:
        return
    reach = (f"as high as {hi:g}" if hi > 1 else "") + (" and " if hi > 1 and lo < 0 else "") \
        + (f"as low as {lo:g}" if lo < 0 else "")
    yield Diagnostic(
        f"this chance can be {reach} for some values of the names in it; a run in which "
        "it leaves [0, 1] stops with an error (it is never clamped)", path=path,
        severity="warning",
        expected="a probability in [0, 1]", found=text,
        hint="check the arithmetic, or bound it explicitly with `clip(..., 0, 1)`")


def _probability_range(ctx: _Context, path: KeyPath, name: Name,
                       field: str) -> Iterator[Diagnostic]:
    """A parameter used as a probability must stay inside [0, 1]."""
    quantity = ctx.quantities[name.id]
    lo, hi = quantity.distribution.support
    if lo >= 0 and hi <= 1:
        return
    if quantity.is_constant:
        value = float(quantity.distribution.median)
        message = (f"`{name.id}` is {value:g}, but a `{field}` is a probability between 0 "
                   "and 1")
        hint = (f"write it as a probability such as `{value / 100:g}` or `{value:g}%`"
                if 1 < value <= 100 else "write a probability such as `0.3` or `30%`")
    else:
        message = (f"`{name.id}` (`{quantity.text}`) can be drawn outside [0, 1], but a "
                   f"`{field}` is a probability")
        hint = ("write it as a probability interval such as `20% to 60%` (a beta "
                "distribution), or `beta(a, b)`")
    yield Diagnostic(message, path=path, column=name.col, expected="a probability in [0, 1]",
                     found=quantity.text, hint=hint)


def _after_check(ctx: _Context, path: KeyPath, text: str) -> Iterator[Diagnostic]:
    if looks_like_quantity(text) or not any(ch.isalpha() for ch in text):
        return  # a duration quantity: parsed as one by the compiler
    tree = _tree(text)
    if tree is None:
        return
    typed = kind_of(tree, ctx.names)  # type: ignore[arg-type]
    if typed.kind in ("rate", "probability", "count"):
        hint = ("a rate r becomes a mean delay as `1 / r`" if typed.kind == "rate"
                else "use a duration parameter (`2 to 6 weeks`) or write `3 days`")
        yield Diagnostic(
            f"{_described(ctx, typed)}, but `after` is a delay (a duration)", path=path,
            column=typed.source.col if typed.source else 1,
            expected="a duration such as `3 days` or a duration parameter", found=text,
            hint=hint)


def _variant_kinds(ctx: _Context) -> Iterator[Diagnostic]:
    for vname, variant in ctx.scenario.variants.items():
        for name, text in variant.parameters.items():
            base = ctx.quantities.get(name)
            p = ctx.scenario.parameters.get(name)
            if base is None or p is None:
                continue
            try:
                other = parse_quantity(text, kind=p.kind)
            except QuantityError:
                continue
            if other.kind != base.kind and {other.kind, base.kind} != {"positive", "real"}:
                yield Diagnostic(
                    f"the variant makes `{name}` {KIND_WORDS[_QUANTITY_KIND[other.kind]]}, "
                    f"but the scenario has {KIND_WORDS[_QUANTITY_KIND[base.kind]]} "
                    f"(`{base.text}`)", path=("variants", vname, "parameters", name),
                    expected=f"{base.kind} like `{base.text}`", found=text,
                    hint="write the replacement in the same kind and units")


def _option_fields(scenario: Scenario) -> Iterator[tuple[str, KeyPath, Option]]:
    for actor_id, actor in scenario.actors.items():
        for option_id, option in actor.options.items():
            yield f"{actor_id}.{option_id}", ("actors", actor_id, "options", option_id), option


def kind_checks(scenario: Scenario) -> list[Diagnostic]:
    """Every `rate`, `chance` and `after` checked against the kind it must have."""
    ctx = _context(scenario)
    out: list[Diagnostic] = []
    for _ref, path, option in _option_fields(scenario):
        if option.rate is not None:
            out += _rate_check(ctx, (*path, "rate"), option.rate)
        for i, effect in enumerate(option.effects):
            if isinstance(effect, TriggerEffect):
                epath = (*path, "effects", i)
                out += _chance_check(ctx, (*epath, "chance"), effect.chance)
                out += _after_check(ctx, (*epath, "after"), effect.after)
    for vname, variant in scenario.variants.items():
        for ref, override in variant.options.items():
            if override.rate is not None:
                out += _rate_check(ctx, ("variants", vname, "options", ref, "rate"),
                                   override.rate)
    out += _variant_kinds(ctx)
    return out


def static_checks(scenario: Scenario, *, quiet: bool = False) -> list[Diagnostic]:
    """Kind checks and trigger-loop checks; ``quiet`` drops warnings (errors elsewhere)."""
    from simulator.scenario.checks._loops import loop_checks

    found = kind_checks(scenario) + loop_checks(scenario)
    if quiet:
        found = [d for d in found if d.severity == "error"]
    return found
