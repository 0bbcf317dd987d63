"""Checking: resolve names against :class:`Symbols`, enforce the number/condition type
rules with hints, and build the parts bottom-up with :mod:`._builders`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from simulator.scenario.expressions._builders import (
    binary,
    call,
    compare,
    conditional,
    logical,
    unary,
)
from simulator.scenario.expressions._part import Part, const_part, fired_part, slot_part
from simulator.scenario.expressions._syntax import _snippet
from simulator.scenario.expressions._tree import (
    FUNCTIONS,
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
    ValueType,
)


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



_TYPE_WORD = {"number": "a number", "bool": "a condition (true/false)"}
TO_NUMBER_HINT = "to turn a condition into a number write `1 if condition else 0`"


class _Checker:
    """Resolves names, checks types and builds closures for one expression."""

    def __init__(self, text: str, symbols: Symbols) -> None:
        self.text = text
        self.symbols = symbols

    def snippet(self, node: ExprNode) -> str:
        return _snippet(self.text, node.col, node.end)

    def need(self, node: ExprNode, got: ValueType, want: ValueType, role: str) -> None:
        """Raise unless ``got == want``; ``role`` says who wanted it, e.g. "`and`"."""
        if got == want:
            return
        piece = self.snippet(node)
        if want == "bool":
            hint = f"did you mean `{piece} > 0`?"
        else:
            hint = TO_NUMBER_HINT
        raise ExpressionError(
            f"{role} needs {_TYPE_WORD[want]}, but `{piece}` is {_TYPE_WORD[got]}",
            column=node.col, expected=_TYPE_WORD[want], found=piece, hint=hint,
        )  # fmt: skip

    def check(self, node: ExprNode) -> tuple[ValueType, Part]:
        if isinstance(node, Number):
            return "number", const_part(node.value)
        if isinstance(node, Boolean):
            return "bool", const_part(node.value)
        if isinstance(node, Name):
            return "number", self.name(node)
        if isinstance(node, Unary):
            t, p = self.check(node.operand)
            want: ValueType = "bool" if node.op == "not" else "number"
            self.need(node.operand, t, want, f"`{node.op}`")
            return want, unary(node.op, p)
        if isinstance(node, Binary):
            (tl, pl), (tr, pr) = self.check(node.left), self.check(node.right)
            self.need(node.left, tl, "number", f"`{node.op}`")
            self.need(node.right, tr, "number", f"`{node.op}`")
            return "number", binary(node.op, pl, pr)
        if isinstance(node, Logical):
            parts = []
            for value in node.values:
                t, p = self.check(value)
                self.need(value, t, "bool", f"`{node.op}`")
                parts.append(p)
            return "bool", logical(node.op, parts)
        if isinstance(node, Compare):
            return "bool", self.compare(node)
        if isinstance(node, Conditional):
            tc, pc = self.check(node.cond)
            self.need(node.cond, tc, "bool", "the condition after `if`")
            (ta, pa), (tb, pb) = self.check(node.then), self.check(node.other)
            if ta != tb:
                raise ExpressionError(
                    "both results of `a if condition else b` must be numbers, "
                    "or both conditions",
                    column=node.other.col, expected=_TYPE_WORD[ta],
                    found=f"`{self.snippet(node.other)}` is {_TYPE_WORD[tb]}",
                    hint=TO_NUMBER_HINT if ta == "number" else None,
                )  # fmt: skip
            return ta, conditional(pc, pa, pb)
        if isinstance(node, Call):
            return self.call(node)
        # A Ref outside fired/count cannot come out of the parser; be safe anyway.
        raise ExpressionError("`actor.option` is only allowed inside fired() or count()",
                              column=node.col)  # fmt: skip

    def name(self, node: Name) -> Part:
        slot = self.symbols.variables.get(node.id)
        if slot is not None:
            return slot_part(slot)
        value = self.symbols.constants.get(node.id)
        if value is not None:
            return const_part(value)
        raise self.unknown_name(node)

    def unknown_name(self, node: Name) -> ExpressionError:
        s = self.symbols
        if node.id in FUNCTIONS:
            return ExpressionError(
                f"`{node.id}` is a function", column=node.col, found=node.id,
                hint=f"call it with values in parentheses: `{FUNCTIONS[node.id][2]}`",
            )  # fmt: skip
        known = [*s.variables, *s.constants]
        lower = {k.lower(): k for k in known}
        close = [lower[node.id.lower()]] if node.id.lower() in lower else []
        close = close or difflib.get_close_matches(node.id, [*known, *FUNCTIONS], n=3)
        kinds = sorted({s.kinds[k] for k in known if k in s.kinds})
        if not kinds:
            kinds = ["variable"] * bool(s.variables) + ["constant"] * bool(s.constants)
        expected = (", ".join(f"a {k}" for k in kinds) or "a known name") + " or a number"
        return ExpressionError(
            f"unknown name `{node.id}`",
            column=node.col,
            expected=expected,
            found=node.id,
            hint=_did_you_mean(close),
        )

    def compare(self, node: Compare) -> Part:
        checked = [self.check(o) for o in node.operands]
        pairs = []
        for k, op in enumerate(node.ops):
            (ta, pa), (tb, pb) = checked[k], checked[k + 1]
            a, b = node.operands[k], node.operands[k + 1]
            if op in ("==", "!="):
                if ta != tb:
                    raise ExpressionError(
                        f"`{op}` compares a condition with a number",
                        column=b.col if ta == "number" else a.col,
                        found=f"`{self.snippet(a)}` {op} `{self.snippet(b)}`",
                        hint="compare numbers with numbers, or conditions with conditions",
                    )
            else:
                self.need(a, ta, "number", f"`{op}`")
                self.need(b, tb, "number", f"`{op}`")
            pairs.append(compare(op, pa, pb))
        return pairs[0] if len(pairs) == 1 else logical("and", pairs)

    def call(self, node: Call) -> tuple[ValueType, Part]:
        if node.func in ("fired", "count"):
            ref = node.args[0]
            assert isinstance(ref, Ref)  # guaranteed by the parser
            slot = self.symbols.counters.get(ref.key)
            if slot is None:
                close = difflib.get_close_matches(ref.key, list(self.symbols.counters), n=3)
                raise ExpressionError(
                    f"unknown option `{ref.key}`", column=ref.col,
                    expected="an option written `actor.option`", found=ref.key,
                    hint=_did_you_mean(close),
                )  # fmt: skip
            if node.func == "fired":
                return "bool", fired_part(slot)
            return "number", slot_part(slot)
        parts = []
        for arg in node.args:
            t, p = self.check(arg)
            self.need(arg, t, "number", f"{node.func}()")
            parts.append(p)
        return "number", call(node.func, parts)


def _did_you_mean(close: Sequence[str]) -> str | None:
    if not close:
        return None
    names = [f"`{c}`" for c in close]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"did you mean {listed}?"


def check(tree: ExprNode, text: str, symbols: Symbols) -> tuple[ValueType, Part]:
    """Resolve names, check types and build the closures for a parsed expression;
    ``text`` is the normalised source the tree's columns refer to."""
    return _Checker(text, symbols).check(tree)
