"""How far an expression can go: interval arithmetic over the scenario's names.

Each name has a range — a parameter its distribution's support, a bounded state
variable its [min, max], the ladder position its rungs, ``t`` the horizon — and the
range of an expression follows by interval arithmetic. The result contains every value
the expression can take (it may be wider: ``x * (1 - x)`` is seen as [0, 1], not
[0, 0.25]), so it can prove that a `chance` stays inside [0, 1] and can only *suspect*
that it leaves it: that is reported as a warning, never an error.
"""

from __future__ import annotations

import math

from simulator.scenario.expressions import (
    Binary,
    Call,
    Conditional,
    ExprNode,
    Name,
    Number,
    Unary,
)

Interval = tuple[float, float]
INF = math.inf
_ANY: Interval = (-INF, INF)


def _products(a: Interval, b: Interval) -> Interval:
    values = [x * y for x in a for y in b if not (math.isinf(x) and y == 0)
              and not (math.isinf(y) and x == 0)]
    values += [0.0] if len(values) < 4 else []
    return (min(values), max(values))


def _quotient(a: Interval, b: Interval) -> Interval:
    lo, hi = b
    if lo <= 0 <= hi:
        return _ANY  # the divisor can be zero
    return _products(a, (1 / hi, 1 / lo))


def _binary(op: str, a: Interval, b: Interval) -> Interval:
    if op == "+":
        return (a[0] + b[0], a[1] + b[1])
    if op == "-":
        return (a[0] - b[1], a[1] - b[0])
    if op == "*":
        return _products(a, b)
    if op == "/":
        return _quotient(a, b)
    return _ANY  # powers and remainders: not worth bounding here


def range_of(node: ExprNode, names: dict[str, Interval]) -> Interval:
    """An interval that holds every value ``node`` can take (conditions count as 0/1)."""
    if isinstance(node, Number):
        return (node.value, node.value)
    if isinstance(node, Name):
        return names.get(node.id, _ANY)
    if isinstance(node, Unary):
        inner = range_of(node.operand, names)
        return (-inner[1], -inner[0]) if node.op == "-" else inner if node.op == "+" else (0, 1)
    if isinstance(node, Binary):
        return _binary(node.op, range_of(node.left, names), range_of(node.right, names))
    if isinstance(node, Conditional):
        a, b = range_of(node.then, names), range_of(node.other, names)
        return (min(a[0], b[0]), max(a[1], b[1]))
    if isinstance(node, Call):
        return _call(node.func, [range_of(a, names) for a in node.args])
    return (0.0, 1.0)  # a condition used as a number


def _call(func: str, args: list[Interval]) -> Interval:
    """The range of a function call, from the ranges of its arguments."""
    if func == "min" and args:
        return (min(a[0] for a in args), min(a[1] for a in args))
    if func == "max" and args:
        return (max(a[0] for a in args), max(a[1] for a in args))
    if func == "clip" and len(args) == 3:
        x, floor, ceiling = args
        return (max(min(x[0], ceiling[1]), floor[0]), min(max(x[1], floor[0]), ceiling[1]))
    if func == "count":
        return (0.0, INF)
    if func == "exp" and args:
        return (math.exp(min(args[0][0], 700)), math.exp(min(args[0][1], 700)))
    if func == "abs" and args:
        lo, hi = args[0]
        return (0.0 if lo <= 0 <= hi else min(abs(lo), abs(hi)), max(abs(lo), abs(hi)))
    if func == "fired":
        return (0.0, 1.0)
    return _ANY
