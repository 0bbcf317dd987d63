"""The expression tree: limits, the error type, and the immutable node classes.

Every node carries its 1-based start column and exclusive end column in the text, so
that a later check can point at the part of the expression it refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from simulator.errors import TextError

MAX_LENGTH = 1000
"""Longest accepted expression text, in characters."""
MAX_DEPTH = 50
"""Deepest accepted nesting, counted both in parentheses and in operators."""

ValueType = Literal["number", "bool"]

# name -> (fewest args, most args or None, how to write it)
FUNCTIONS: Mapping[str, tuple[int, int | None, str]] = {
    "min": (2, None, "min(a, b, ...)"),
    "max": (2, None, "max(a, b, ...)"),
    "clip": (3, 3, "clip(x, lo, hi)"),
    "abs": (1, 1, "abs(x)"),
    "exp": (1, 1, "exp(x)"),
    "log": (1, 1, "log(x)"),
    "sqrt": (1, 1, "sqrt(x)"),
    "fired": (1, 1, "fired(actor.option)"),
    "count": (1, 1, "count(actor.option)"),
}
_FUNCTION_LIST = ", ".join(FUNCTIONS)
_BOOL_NAMES = {"true": True, "false": False}


class ExpressionError(TextError):
    """An expression that cannot be accepted; ``column`` is 1-based within its text.

    The scenario loader adds the file, line and key path and turns this into a
    :class:`~simulator.errors.Diagnostic`.
    """

    def __str__(self) -> str:
        text = f"column {self.column}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


# ---------------------------------------------------------------------------
# The tree. Every node carries its 1-based start column and exclusive end column.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: float
    col: int
    end: int


@dataclass(frozen=True)
class Boolean:
    value: bool
    col: int
    end: int


@dataclass(frozen=True)
class Name:
    id: str
    col: int
    end: int


@dataclass(frozen=True)
class Ref:
    """``actor.option`` — only ever the argument of ``fired``/``count``."""

    actor: str
    option: str
    col: int
    end: int

    @property
    def key(self) -> str:
        return f"{self.actor}.{self.option}"


@dataclass(frozen=True)
class Unary:
    op: Literal["not", "-", "+"]
    operand: ExprNode
    col: int
    end: int


@dataclass(frozen=True)
class Binary:
    op: Literal["+", "-", "*", "/", "%", "**"]
    left: ExprNode
    right: ExprNode
    col: int
    end: int


@dataclass(frozen=True)
class Logical:
    op: Literal["and", "or"]
    values: tuple[ExprNode, ...]
    col: int
    end: int


@dataclass(frozen=True)
class Compare:
    """A possibly chained comparison: ``operands[0] ops[0] operands[1] ops[1] ...``."""

    ops: tuple[str, ...]
    operands: tuple[ExprNode, ...]
    col: int
    end: int


@dataclass(frozen=True)
class Conditional:
    """``then if cond else other``."""

    cond: ExprNode
    then: ExprNode
    other: ExprNode
    col: int
    end: int


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[ExprNode, ...]
    col: int
    end: int


ExprNode = Number | Boolean | Name | Ref | Unary | Binary | Logical | Compare | Conditional | Call


def _walk(node: ExprNode) -> list[ExprNode]:
    out: list[ExprNode] = [node]
    for child in _children(node):
        out.extend(_walk(child))
    return out


def _children(node: ExprNode) -> tuple[ExprNode, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Logical):
        return node.values
    if isinstance(node, Compare):
        return node.operands
    if isinstance(node, Conditional):
        return (node.cond, node.then, node.other)
    if isinstance(node, Call):
        return node.args
    return ()
