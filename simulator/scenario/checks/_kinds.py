"""What an expression measures: its kind, worked out from the names it uses.

Every quantity has a kind — a **probability** (in [0, 1]), a **rate** (hazard per day),
a **duration** (days), a **count** (a rung position, `count(...)`), or a plain
**number** — and arithmetic combines kinds the way units combine::

    rate × number → rate          number / duration → rate (`1 / mean_delay`)
    rate × duration → number      duration / duration → number
    rate × probability → rate     1 − probability → probability

A plain number takes the kind of what it is combined with (`1.5 * strike_rate` is a
rate), so only a clash of two different kinds is "mixed". :func:`kind_of` returns the
kind and the name that decided it, so an error can point at that name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simulator.scenario.expressions import (
    Binary,
    Call,
    Compare,
    Conditional,
    ExprNode,
    Logical,
    Name,
    Number,
    Unary,
)

Kind = Literal["probability", "rate", "duration", "count", "number", "bool", "mixed"]

#: How a kind is named in messages.
KIND_WORDS: dict[str, str] = {
    "probability": "a probability",
    "rate": "a rate",
    "duration": "a duration",
    "count": "a count",
    "number": "a plain number",
    "bool": "a condition",
    "mixed": "a mix of kinds",
}


@dataclass(frozen=True)
class Typed:
    """An expression's kind and the name node that gave it (None for literals)."""

    kind: Kind
    source: Name | None = None


_NUMBER = Typed("number")
_MIXED = Typed("mixed")


def _join(parts: list[Typed]) -> Typed:
    """The kind of alternatives (`a if c else b`, `min(a, b)`, `a + b`)."""
    kinds = [p for p in parts if p.kind != "number"]
    if not kinds:
        return _NUMBER
    if all(p.kind == kinds[0].kind for p in kinds):
        return kinds[0]
    return Typed("mixed", next((p.source for p in kinds if p.source), None))


_PRODUCTS: dict[frozenset[str], Kind] = {
    frozenset({"rate", "duration"}): "number",
    frozenset({"rate", "probability"}): "rate",
    frozenset({"rate", "count"}): "rate",
    frozenset({"duration", "probability"}): "duration",
    frozenset({"duration", "count"}): "duration",
    frozenset({"probability"}): "probability",
    frozenset({"count"}): "count",
}
_QUOTIENTS: dict[tuple[str, str], Kind] = {
    ("number", "duration"): "rate",
    ("probability", "duration"): "rate",
    ("count", "duration"): "rate",
    ("number", "rate"): "duration",
    ("rate", "rate"): "number",
    ("duration", "duration"): "number",
    ("probability", "probability"): "number",
    ("count", "count"): "number",
    ("duration", "rate"): "number",
    ("rate", "probability"): "rate",
    ("duration", "probability"): "duration",
    ("probability", "count"): "probability",
}


def _binary(op: str, a: Typed, b: Typed) -> Typed:
    if op in ("+", "-", "%"):
        return _join([a, b])
    if "mixed" in (a.kind, b.kind):
        return _MIXED
    if op == "*":
        if a.kind == "number":
            return b
        if b.kind == "number":
            return a
        kind = _PRODUCTS.get(frozenset({a.kind, b.kind}))
        return Typed(kind, a.source or b.source) if kind else Typed("mixed", a.source)
    if op == "/":
        if b.kind == "number":
            return a
        kind = _QUOTIENTS.get((a.kind, b.kind))
        return Typed(kind, b.source or a.source) if kind else Typed("mixed", b.source)
    # a power: only a plain number keeps a meaning
    return _NUMBER if a.kind == "number" and b.kind == "number" else _MIXED


def kind_of(node: ExprNode, names: dict[str, Kind]) -> Typed:
    """The kind of ``node``; names not in ``names`` count as plain numbers."""
    if isinstance(node, Number):
        return _NUMBER
    if isinstance(node, Name):
        kind = names.get(node.id, "number")
        return Typed(kind, node) if kind != "number" else _NUMBER
    if isinstance(node, Unary):
        return Typed("bool") if node.op == "not" else kind_of(node.operand, names)
    if isinstance(node, Binary):
        return _binary(node.op, kind_of(node.left, names), kind_of(node.right, names))
    if isinstance(node, Conditional):
        return _join([kind_of(node.then, names), kind_of(node.other, names)])
    if isinstance(node, Call):
        if node.func == "count":
            return Typed("count")
        if node.func == "fired":
            return Typed("bool")
        if node.func in ("min", "max", "abs"):
            return _join([kind_of(a, names) for a in node.args])
        if node.func == "clip" and node.args:
            return kind_of(node.args[0], names)
        return _NUMBER
    if isinstance(node, Compare | Logical):
        return Typed("bool")
    return Typed("bool")  # true / false
