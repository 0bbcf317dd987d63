"""Reading expression text before and after Python's parser: characters the language
never accepts (with what the writer probably meant), balanced parentheses, and Python's
syntax errors reworded for someone who does not write Python.
"""

from __future__ import annotations

import re

from simulator.scenario.expressions._tree import MAX_DEPTH, MAX_LENGTH, ExpressionError

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
_KEYWORDS = {"and", "or", "not", "if", "else", "in", "is", "lambda", "for"}


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

