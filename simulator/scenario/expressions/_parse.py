"""Parsing: text → Python's own parser in ``eval`` mode → a whitelist of node types
copied into the immutable tree of :mod:`._tree`; and the names a tree mentions.

User text is never passed to ``eval``/``exec``/``compile``; the parser only builds a tree,
and anything outside the whitelist is refused with an :class:`ExpressionError` that names
the construct and the 1-based column.
"""

from __future__ import annotations

import ast
import difflib
from functools import lru_cache
from typing import Literal

from simulator.scenario.expressions._syntax import _prescan, _snippet, _syntax_error
from simulator.scenario.expressions._tree import (
    _BOOL_NAMES,
    _FUNCTION_LIST,
    FUNCTIONS,
    MAX_DEPTH,
    Binary,
    Boolean,
    Call,
    Compare,
    Conditional,
    ExpressionError,
    ExprNode,
    Logical,
    Name,
    Number,
    Ref,
    Unary,
    _walk,
)

_NAMED_CONSTRUCTS: dict[type, str] = {
    ast.Lambda: "`lambda` (an inline function)",
    ast.NamedExpr: "`:=` (assignment)",
    ast.Starred: "`*` before a value (unpacking)",
    ast.Tuple: "a list of values separated by commas",
    ast.Subscript: "indexing with `[...]`",
    ast.GeneratorExp: "a `for` loop",
    ast.ListComp: "a `for` loop",
    ast.SetComp: "a `for` loop",
    ast.DictComp: "a `for` loop",
    ast.Await: "`await`",
    ast.JoinedStr: "text in quotes",
    ast.Slice: "a slice",
}
_UNARY_OPS: dict[type, Literal["not", "-", "+"]] = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+"}
_BINOPS: dict[type, Literal["+", "-", "*", "/", "%", "**"]] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%", ast.Pow: "**"
}  # fmt: skip
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_FUNC_HINTS = {
    "ln": "use `log` (the natural logarithm)",
    "pow": "write `a ** b`",
    "if": "write `a if condition else b`",
}


class _Converter:
    """Copies a whitelisted Python ``ast`` tree into :data:`ExprNode`."""

    def __init__(self, text: str, shift: int) -> None:
        self.text = text  # the full (normalised) text, for snippets
        self.shift = shift  # columns removed from the front before parsing

    def span(self, node: ast.AST) -> tuple[int, int]:
        col = getattr(node, "col_offset", 0) + 1 + self.shift
        end = getattr(node, "end_col_offset", None)
        return col, (end + 1 + self.shift) if end is not None else col + 1

    def fail(self, node: ast.AST, message: str, hint: str | None = None) -> ExpressionError:
        col, end = self.span(node)
        return ExpressionError(message, column=col, found=_snippet(self.text, col, end), hint=hint)

    def op_column(self, left: ast.AST, right: ast.AST) -> int:
        """Column of the first non-blank character between two operands."""
        start = self.span(left)[1]
        stop = self.span(right)[0]
        gap = self.text[start - 1 : stop - 1]
        return start + (len(gap) - len(gap.lstrip()))

    def convert(self, node: ast.AST, depth: int = 0) -> ExprNode:
        if depth > MAX_DEPTH:
            raise self.fail(
                node,
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                hint="split it using intermediate parameters or state variables",
            )
        col, end = self.span(node)
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self.constant(node, col, end)
        if isinstance(node, ast.Name):
            if node.id in _BOOL_NAMES:
                return Boolean(_BOOL_NAMES[node.id], col, end)
            return Name(node.id, col, end)
        if isinstance(node, ast.UnaryOp):
            uop = _UNARY_OPS.get(type(node.op))
            if uop is None:
                raise self.fail(node, "this operator is not allowed", hint="use `not`")
            return Unary(uop, self.convert(node.operand, d), col, end)
        if isinstance(node, ast.BinOp):
            return self.binary(node, col, end, d)
        if isinstance(node, ast.BoolOp):
            lop: Literal["and", "or"] = "and" if isinstance(node.op, ast.And) else "or"
            return Logical(lop, tuple(self.convert(v, d) for v in node.values), col, end)
        if isinstance(node, ast.Compare):
            return self.compare(node, col, end, d)
        if isinstance(node, ast.IfExp):
            return Conditional(
                self.convert(node.test, d),
                self.convert(node.body, d),
                self.convert(node.orelse, d),
                col,
                end,
            )
        if isinstance(node, ast.Call):
            return self.call(node, col, end, d)
        if isinstance(node, ast.Attribute):
            dotted = _snippet(self.text, col, end)
            raise self.fail(
                node,
                f"`{dotted}` can only be used inside fired(...) or count(...)",
                hint=f"write `fired({dotted})` for “has happened” "
                f"or `count({dotted})` for how many times",
            )
        what = _NAMED_CONSTRUCTS.get(type(node), f"`{type(node).__name__}`")
        raise self.fail(node, f"{what} is not allowed in an expression")

    def binary(self, node: ast.BinOp, col: int, end: int, d: int) -> ExprNode:
        bop = _BINOPS.get(type(node.op))
        if bop is None:
            opcol = self.op_column(node.left, node.right)
            symbol = _snippet(self.text, opcol, opcol + 2).split(" ")[0]
            hint = "use `/` to divide" if symbol == "//" else "use `**` for powers"
            raise ExpressionError(
                f"`{symbol}` is not an operator here", column=opcol, found=symbol, hint=hint
            )
        return Binary(
            bop,
            self.convert(node.left, d),
            self.convert(node.right, d),
            col,
            end,
        )

    def compare(self, node: ast.Compare, col: int, end: int, d: int) -> ExprNode:
        cops: list[str] = []
        prev = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            sym = _CMPOPS.get(type(op))
            if sym is None:
                opcol = self.op_column(prev, right)
                raise ExpressionError(
                    "`in` and `is` are not allowed", column=opcol,
                    found=_snippet(self.text, opcol, opcol + 6).split(" ")[0],
                    hint="compare numbers with `==`, `<`, `>=`, ...",
                )  # fmt: skip
            cops.append(sym)
            prev = right
        operands = (node.left, *node.comparators)
        return Compare(tuple(cops), tuple(self.convert(o, d) for o in operands), col, end)

    def constant(self, node: ast.Constant, col: int, end: int) -> ExprNode:
        value = node.value
        if isinstance(value, bool):
            return Boolean(value, col, end)
        if isinstance(value, int | float):
            try:
                return Number(float(value), col, end)
            except OverflowError:
                raise self.fail(node, "this number is too large") from None
        if isinstance(value, str | bytes):
            raise self.fail(node, "text in quotes is not allowed")
        if isinstance(value, complex):
            raise self.fail(node, "complex numbers are not allowed", hint="write `2 * x`, not `2j`")
        raise self.fail(node, f"`{_snippet(self.text, col, end)}` is not allowed in an expression")

    def call(self, node: ast.Call, col: int, end: int, d: int) -> ExprNode:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node.func, f"only these functions can be called: {_FUNCTION_LIST}")
        name = node.func.id
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            hint = _FUNC_HINTS.get(name) or (
                f"did you mean `{close[0]}`?" if close else f"available: {_FUNCTION_LIST}"
            )
            raise ExpressionError(
                f"unknown function `{name}`", column=col, found=name,
                expected=f"one of {_FUNCTION_LIST}", hint=hint,
            )  # fmt: skip
        lo, hi, usage = FUNCTIONS[name]
        if node.keywords:
            kw = node.keywords[0]
            raise self.fail(
                kw,
                "named arguments are not allowed",
                hint=f"give the values in order: `{usage}`",
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "`*` before a value (unpacking) is not allowed")
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            wanted = f"exactly {lo}" if lo == hi else f"at least {lo}"
            raise ExpressionError(
                f"{name}() takes {wanted} value{'s' if lo > 1 else ''}, got {n}",
                column=col, expected=usage, found=_snippet(self.text, col, end),
            )  # fmt: skip
        if name in ("fired", "count"):
            arg = node.args[0]
            if (
                isinstance(arg, ast.Attribute)
                and isinstance(arg.value, ast.Name)
                and arg.value.id not in _BOOL_NAMES
            ):
                acol, aend = self.span(arg)
                return Call(name, (Ref(arg.value.id, arg.attr, acol, aend),), col, end)
            raise self.fail(
                arg, f"{name}() takes an option written `actor.option`",
                hint=f"for example `{name}(us_executive.unilateral_strike)`",
            )  # fmt: skip
        return Call(name, tuple(self.convert(a, d) for a in node.args), col, end)


@lru_cache(maxsize=4096)
def _parse(text: str) -> ExprNode:
    norm = _prescan(text)
    body = norm.lstrip()
    shift = len(norm) - len(body)  # Python rejects leading blanks as an indent
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as err:
        if err.offset:
            err.offset += shift
        if err.end_offset:
            err.end_offset += shift
        raise _syntax_error(norm, err) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ExpressionError(
            "the expression is too complex to read", hint="split it into simpler parts"
        ) from None
    return _Converter(norm, shift).convert(tree.body)


def parse_expression(text: str) -> ExprNode:
    """Parse expression text into an immutable :data:`ExprNode` tree.

    Raises :class:`ExpressionError` for anything outside the language; never raises
    any other exception for a ``str`` argument. Names are not resolved here.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"expected expression text, found {type(text).__name__}")
    return _parse(text)

def _tree_of(text: str | int | float | bool | ExprNode) -> ExprNode | None:
    if isinstance(text, bool | int | float):
        return None
    if isinstance(text, str):
        return parse_expression(text)
    return text


def names_in(text: str | int | float | bool | ExprNode) -> set[str]:
    """Free names an expression mentions (not ``true``/``false``, functions, or the
    ``actor.option`` arguments of fired/count — see :func:`refs_in`). Names are
    collected before folding, so ``x and false`` still uses ``x``."""
    tree = _tree_of(text)
    return {n.id for n in _walk(tree) if isinstance(n, Name)} if tree is not None else set()


def refs_in(text: str | int | float | bool | ExprNode) -> set[str]:
    """The ``actor.option`` keys an expression passes to fired/count."""
    tree = _tree_of(text)
    return {n.key for n in _walk(tree) if isinstance(n, Ref)} if tree is not None else set()

