"""Scenario expressions: parse safely, check, and compile to fast callables.

Fields such as ``when``, ``rate``, ``weight``, ``chance``, effect values and state
initial values hold small expressions written by analysts, not programmers::

    escalation >= covert and cooperation < 0.6
    strike_rate * (1 + cartel_drones)
    0.5 if nationalism > 0.6 else 0.2
    count(cartels.drone_attack) >= 2

Pipeline: text → :func:`parse_expression` (Python's own parser in ``eval`` mode, then a
whitelist of node types copied into our small immutable tree, :data:`ExprNode`) →
:func:`compile_expression` (name resolution against :class:`Symbols`, type checking,
constant folding, closures built in :mod:`._expr_compile`).

User text is never passed to ``eval``/``exec``/``compile``, and no generated string is
either; the parser only builds a tree, and anything outside the whitelist is refused
with an :class:`ExpressionError` that names the construct and the 1-based column.

Numbers follow IEEE semantics identically on the scalar and the vectorised path:
``x / 0`` is ``±inf``, ``0 / 0``, ``log(-1)`` and ``sqrt(-1)`` are ``nan``, ``log(0)`` is
``-inf``, overflow gives ``inf`` (see :mod:`._expr_compile`).
"""

from __future__ import annotations

import ast
import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from simulator.errors import TextError

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Binary",
    "Boolean",
    "Call",
    "Compare",
    "CompiledExpression",
    "Conditional",
    "ExprNode",
    "ExpressionError",
    "Logical",
    "Name",
    "Number",
    "Ref",
    "Symbols",
    "Unary",
    "ValueType",
    "compile_expression",
    "names_in",
    "parse_expression",
    "refs_in",
]

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

# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

# Characters that are never valid, with what the writer probably meant.
_BAD_CHARS: dict[str, tuple[str, str | None]] = {
    "&": ("`&` is not an operator here", "use `and` to join conditions"),
    "|": ("`|` is not an operator here", "use `or` to join conditions"),
    "^": ("`^` is not an operator here", "use `**` for powers, e.g. `x ** 2`"),
    "~": ("`~` is not an operator here", "use `not` to negate a condition"),
    "!": ("`!` is not an operator here", "use `not` to negate a condition; `!=` means ≠"),
    "[": ("square brackets (indexing like `v[0]`, or lists) are not allowed", None),
    "]": ("square brackets (indexing like `v[0]`, or lists) are not allowed", None),
    "{": ("curly braces are not allowed", None),
    "}": ("curly braces are not allowed", None),
    "'": ("text in quotes is not allowed", "names and rung ids are written without quotes"),
    '"': ("text in quotes is not allowed", "names and rung ids are written without quotes"),
    "#": ("`#` is not allowed in an expression", "a YAML comment needs a space before `#`"),
    ";": ("`;` is not allowed: write one expression only", None),
    "@": ("`@` is not an operator here", "use `*` to multiply"),
    "\\": ("`\\` is not allowed in an expression", None),
}
_UNICODE_HINTS = {
    "≥": ">=", "≤": "<=", "≠": "!=", "×": "*", "·": "*", "÷": "/",
    "−": "-", "–": "-", "—": "-", "²": "** 2", "‘": "no quotes", "’": "no quotes",
    "“": "no quotes", "”": "no quotes", "\u00a0": "an ordinary space",
}  # fmt: skip
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
_KEYWORDS = {"and", "or", "not", "if", "else", "in", "is", "lambda", "for"}
_FUNC_HINTS = {
    "ln": "use `log` (the natural logarithm)",
    "pow": "write `a ** b`",
    "if": "write `a if condition else b`",
}


def _snippet(text: str, col: int, end: int | None = None) -> str:
    """The source between two 1-based columns, shortened for messages."""
    piece = text[col - 1 : (end - 1) if end else None].strip()
    return piece if len(piece) <= 40 else piece[:37] + "..."


def _prescan(text: str) -> str:
    """Reject what the Python parser would misread or report badly; return the text
    with line breaks turned into spaces (so a YAML block scalar works and every
    position is one column of one line)."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})",
            hint="split it using intermediate parameters or state variables",
        )
    if not text.strip():
        raise ExpressionError("empty expression", expected="a number, a name or a formula")
    dunder = re.search(r"(?<![\w.])__\w*", text)
    if dunder:  # Python internals such as __import__ are never scenario names
        raise ExpressionError(
            f"`{dunder.group()}` is not allowed: names never start with `__`",
            column=dunder.start() + 1, found=dunder.group(),
        )  # fmt: skip
    depth = 0
    opened: list[int] = []
    for i, ch in enumerate(text):
        col = i + 1
        if ord(ch) > 126 or (ord(ch) < 32 and ch not in "\t\n\r"):
            hint = _UNICODE_HINTS.get(ch)
            raise ExpressionError(
                f"unexpected character {ch!r} (U+{ord(ch):04X})",
                column=col,
                found=ch,
                hint=f"write {hint}" if hint else "expressions use plain ASCII characters only",
            )
        if ch in _BAD_CHARS and not (ch == "!" and text[i + 1 : i + 2] == "="):
            message, hint = _BAD_CHARS[ch]
            if ch in "&|" and text[i + 1 : i + 2] == ch:  # C-style && and ||
                message = message.replace(ch, ch * 2)
                ch *= 2
            raise ExpressionError(message, column=col, found=ch, hint=hint)
        if ch == "(":
            depth += 1
            opened.append(col)
            if depth > MAX_DEPTH:
                raise ExpressionError(
                    f"too many nested parentheses (more than {MAX_DEPTH})", column=col
                )
        elif ch == ")":
            if not opened:
                raise ExpressionError(
                    "unbalanced parenthesis: this `)` has no matching `(`", column=col, found=")"
                )
            depth -= 1
            opened.pop()
    if opened:
        raise ExpressionError(
            "unbalanced parenthesis: this `(` is never closed", column=opened[-1], found="("
        )
    return text.replace("\r", " ").replace("\n", " ")


def _syntax_error(text: str, err: SyntaxError) -> ExpressionError:
    """Reword Python's syntax error for someone who does not write Python."""
    # `=` on its own (not part of ==, <=, >=, !=): assignment or a reversed operator.
    eq = re.search(r"(?<![=<>!:])=(?!=)", text)
    if eq:
        col = eq.start() + 1
        after = text[eq.end() : eq.end() + 1]
        if after in "<>" and after:
            return ExpressionError(
                f"`={after}` is not an operator", column=col, found=f"={after}",
                hint=f"write `{after}=`",
            )  # fmt: skip
        return ExpressionError(
            "`=` is assignment; to compare use `==`", column=col, found="=",
            hint="for example `escalation == strike`",
        )  # fmt: skip
    m = re.search(r"\b(AND|OR|NOT|And|Or|Not)\b", text)
    if m:
        return ExpressionError(
            f"`{m.group()}` must be written in lowercase: `{m.group().lower()}`",
            column=m.start() + 1, found=m.group(),
        )  # fmt: skip
    m = re.search(r"\d\s*%(?=\s*($|[)<>=,*/+]|and\b|or\b|if\b|else\b))", text)
    if m:
        return ExpressionError(
            "`%` means remainder here, not percent", column=m.end(), found="%",
            hint="write a percentage as a fraction: 30% is 0.3",
        )  # fmt: skip
    if "<>" in text:
        return ExpressionError(
            "`<>` is not an operator", column=text.index("<>") + 1, hint="use `!=`"
        )
    msg = err.msg or ""
    col = err.offset or 0
    if col <= 0 or col > len(text.rstrip()):
        last = text.rstrip()[-1:]
        return ExpressionError(
            "the expression ends too early",
            column=len(text.rstrip()) + 1,
            hint=f"something is missing after `{last}`" if last else None,
        )
    found = _snippet(text, col, err.end_offset if (err.end_offset or 0) > col else col + 1)
    before = re.search(r"([\w.]+|\))\s+$", text[: col - 1])
    after_tok = re.match(r"[\w.]+|\(", text[col - 1 :])
    if before and after_tok and not (_KEYWORDS & {before.group(1), after_tok.group()}):
        return ExpressionError(
            "two values stand next to each other with nothing between them",
            column=col, found=f"{before.group(1)} {after_tok.group()}",
            hint="put an operator (+, -, *, /, and, or, ...) between them",
        )  # fmt: skip
    if "decimal literal" in msg:
        num = re.match(r"([\d.]+)(\w*)", text[col - 1 :])
        return ExpressionError(
            "a number is directly followed by letters", column=col,
            found=num.group() if num else found,
            hint=f"to multiply write `{num.group(1)} * {num.group(2)}`" if num else None,
        )  # fmt: skip
    if "forgot a comma" in msg:
        return ExpressionError(
            "two values stand next to each other with nothing between them", column=col,
            found=found,
            hint="put an operator (+, -, *, /, and, or, ...) between them, "
            "or a comma between function arguments",
        )  # fmt: skip
    if "expected 'else'" in msg:
        return ExpressionError(
            "`if` needs an `else`", column=col, found=found,
            hint="write `a if condition else b`",
        )  # fmt: skip
    return ExpressionError(
        "this is not a valid expression", column=col, found=found,
        hint="check the operators and parentheses around this point",
    )  # fmt: skip


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
        if isinstance(node, ast.BoolOp):
            lop: Literal["and", "or"] = "and" if isinstance(node.op, ast.And) else "or"
            return Logical(lop, tuple(self.convert(v, d) for v in node.values), col, end)
        if isinstance(node, ast.Compare):
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


# ---------------------------------------------------------------------------
# Compiling: name resolution, type checking, folding, closures
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Symbols:
    """What names mean. Slots index one flat vector ``v`` of floats holding everything
    an expression can read.

    A name in both ``variables`` and ``constants`` resolves to the variable; the
    scenario loader is expected to reject such collisions before compiling.
    """

    variables: Mapping[str, int]
    """name → slot: parameters, state variables, the ladder variable, ``t``."""
    constants: Mapping[str, float]
    """name → value: rung ids (their index) and any other named constants."""
    counters: Mapping[str, int]
    """``"actor.option"`` → slot holding how many times that option has fired."""
    kinds: Mapping[str, str] = field(default_factory=dict)
    """Optional: name → what it is ("parameter", "state variable", "rung", ...), for hints."""


@dataclass(frozen=True)
class CompiledExpression:
    """A checked expression, ready to evaluate.

    ``expr(v)`` evaluates on a Python list of floats; ``expr.fn(v)`` is the same closure
    without the method call (~60 ns cheaper) for the engine's hot loop.
    ``evaluate_array(V)`` takes ``V`` of shape ``(n_slots, n_runs)`` and returns a
    fresh ``(n_runs,)`` array of float64 (``type == "number"``) or bool.
    """

    text: str
    type: ValueType
    slots: frozenset[int]
    """Slots of ``v`` the folded expression reads: re-evaluate only when one changes."""
    constant: float | bool | None
    """The folded value when the expression reads no slot, else ``None``."""
    fn: Callable[[Sequence[float]], Any] = field(repr=False, compare=False)
    vector_fn: Callable[[np.ndarray], np.ndarray] = field(repr=False, compare=False)
    tree: ExprNode | None = field(default=None, repr=False, compare=False)
    ir: tuple[Any, ...] = field(default=("const", 0.0), repr=False, compare=False)
    """The frozen intermediate form both evaluators are built from (slots, constants,
    operators as nested tuples): it is what pickles, and what a vectorised engine reads."""

    def __reduce__(self) -> tuple[Any, ...]:
        # closures do not pickle: ship the intermediate form and rebuild them
        return (_rebuild, (self.text, self.type, self.slots, self.constant, self.ir))

    def __call__(self, v: Sequence[float]) -> float | bool:
        return self.fn(v)

    def evaluate_array(self, v: np.ndarray) -> np.ndarray:
        return self.vector_fn(v)


def _literal(value: int | float | bool) -> tuple[str, ValueType, float | bool]:
    """A number or bool that YAML already parsed (``rate: 0.5``, ``when: true``)."""
    if isinstance(value, bool):
        return ("true" if value else "false"), "bool", value
    number = float(value)
    if math.isnan(number):
        raise ExpressionError("not a number (nan) is not allowed", found="nan")
    return repr(value), "number", number


# Timing (CPython 3.11.7, this container, `timeit`, best of 3 × 1e6 calls, including
# ~30 ns for timeit's own lambda): through `expr.fn(v)` —
#   `t > 180`                                      ~50 ns
#   `fired(a.b)`                                   ~50 ns
#   `2 * (1 - nationalism)`                        ~75 ns
#   `0.5 if nationalism > 0.6 else 0.2`            ~115 ns
#   `escalation >= covert and cooperation < 0.6`   ~190 ns
#   `strike_rate * (1 + cartel_drones)`            ~190 ns
#   `clip(x + 0.1, 0, 1)`                          ~180 ns
# `expr(v)` adds ~60–120 ns of method-call overhead. evaluate_array over 10,000 runs:
# 3–15 µs. Compiling `escalation >= covert and cooperation < 0.6` takes ~35 µs.
def compile_expression(
    text: str | int | float | bool, symbols: Symbols, *, want: ValueType | None = None
) -> CompiledExpression:
    """Parse, resolve, type-check, fold and compile one expression.

    ``want="bool"`` (conditions: ``when``) refuses a number, ``want="number"`` (rates,
    weights, chances, values) refuses a condition; both with a hint. Raises only
    :class:`ExpressionError` for user mistakes.
    """
    # Imported here because _expr_compile builds on this module's node classes.
    from simulator.scenario import _expr_compile as cg

    tree: ExprNode | None = None
    if isinstance(text, bool | int | float):
        source, vtype, value = _literal(text)
        part = cg.const_part(value)
    elif isinstance(text, str):
        source = text
        tree = parse_expression(text)
        vtype, part = cg.check(tree, _prescan(text), symbols)
    else:
        raise ExpressionError(f"expected an expression, found {type(text).__name__}")
    if want is not None and vtype != want:
        piece = source.strip()
        if want == "bool":
            raise ExpressionError(
                "a condition must be true or false, but this is a number",
                expected="a condition such as `x > 0`", found=piece,
                hint=f"did you mean `{piece} > 0`?",
            )  # fmt: skip
        raise ExpressionError(
            "a number is needed here, but this is a condition (true or false)",
            expected="a number", found=piece,
            hint=f"write `1 if {piece} else 0`" if len(piece) < 60 else cg.TO_NUMBER_HINT,
        )  # fmt: skip
    constant = part.value if part.is_const else None
    return CompiledExpression(
        text=source,
        type=vtype,
        slots=part.slots,
        constant=constant,
        fn=part.scalar,
        vector_fn=cg.finish_vector(part, vtype == "bool"),
        tree=tree,
        ir=part.ir,
    )


def _rebuild(text: str, vtype: ValueType, slots: frozenset[int], constant: float | bool | None,
             ir: tuple[Any, ...]) -> CompiledExpression:
    """Unpickle a :class:`CompiledExpression` from its intermediate form."""
    from simulator.scenario import _expr_compile as cg

    part = cg.build_part(ir)
    return CompiledExpression(text=text, type=vtype, slots=slots, constant=constant,
                              fn=part.scalar, vector_fn=cg.finish_vector(part, vtype == "bool"),
                              ir=ir)
