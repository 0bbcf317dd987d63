"""Turn PyYAML's syntax errors into diagnostics a non-programmer can act on.

PyYAML has two parsers — the C ``libyaml`` one and the pure-Python one — and their
error *texts* differ between each other and between releases (PyYAML 6.0.4's libyaml
words many messages differently from the Python parser, and adds errors of its own).
So the cause of an error is recognised from what is stable: the exception's type and
the characters at its two marks (``problem_mark``: where parsing failed;
``context_mark``: where the construct that failed began). For example, a
:class:`yaml.ParserError` whose construct began at a ``[`` is an unclosed flow list,
whatever either parser calls it. The library's own text is shown only in the
catch-all message, as a detail, never used to decide anything.
"""

from __future__ import annotations

import re
from typing import Any, Final

import yaml

from simulator.errors import Diagnostic

__all__ = [
    "ANCHOR_HINT",
    "SAVE_AS_UTF8",
    "TAG_HINT",
    "line_col",
    "mark_position",
    "syntax_diagnostic",
]

SAVE_AS_UTF8: Final = "save it as UTF-8 (in most editors: Save As / Save with Encoding → UTF-8)"
ANCHOR_HINT: Final = "anchors and aliases are not supported; write the value out"
TAG_HINT: Final = (
    "tags are not allowed; remove the `!...` part and write the plain value "
    "(the scenario schema decides what type each value has)"
)

# YAML line breaks, as PyYAML counts them for its marks; our own positions must agree.
_LINE_BREAK: Final = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_QUOTES: Final = frozenset("\"'")
_FLOW_OPENERS: Final = {"[": "]", "{": "}"}


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character ``index``, counting breaks as PyYAML does."""
    line = 1
    line_start = 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line += 1
        line_start = match.end()
    return line, index - line_start + 1


def mark_position(mark: Any) -> tuple[int, int]:
    """1-based (line, column) of a PyYAML mark (PyYAML counts from 0, editors from 1)."""
    return (mark.line + 1, mark.column + 1)


def _char_at(text: str, mark: Any) -> str:
    """The character a mark points at; ``""`` at the end of the text or without a mark."""
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 <= index < len(text):
        return text[index]
    return ""


def syntax_diagnostic(exc: yaml.YAMLError, text: str, file: str) -> Diagnostic:
    """A diagnostic for a PyYAML error, reworded where the cause is recognisable."""
    if isinstance(exc, yaml.reader.ReaderError):
        # Not expected (characters are checked first), but keep a position if we can.
        line, column = line_col(text, min(max(exc.position, 0), len(text)))
        return Diagnostic(
            f"the file cannot be read: {exc.reason}",
            file=file,
            line=line,
            column=column,
            hint=SAVE_AS_UTF8,
        )
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return Diagnostic(f"YAML error: {exc}", file=file)
    return _Diagnosis(exc, text, file).diagnose()


class _Diagnosis:
    """The facts about one marked error that decide its message."""

    def __init__(self, exc: yaml.MarkedYAMLError, text: str, file: str) -> None:
        self.exc = exc
        self.text = text
        self.file = file
        self.scanning = isinstance(exc, yaml.scanner.ScannerError)
        self.parsing = isinstance(exc, yaml.parser.ParserError)
        pmark, cmark = exc.problem_mark, exc.context_mark
        assert pmark is not None  # checked by syntax_diagnostic
        self.pindex: int = pmark.index
        self.ppos = mark_position(pmark)
        self.pchar = _char_at(text, pmark)
        # Both parsers sometimes give a context mark at the very problem; that says
        # nothing about where a construct began, so treat it as no context.
        has_context = cmark is not None and cmark.index != pmark.index
        self.cpos = mark_position(cmark) if has_context else self.ppos
        self.cchar = _char_at(text, cmark) if has_context else ""
        self.found_at = f"line {self.ppos[0]}, column {self.ppos[1]}"

    def make(self, message: str, pos: tuple[int, int], **details: Any) -> Diagnostic:
        return Diagnostic(message, file=self.file, line=pos[0], column=pos[1], **details)

    def diagnose(self) -> Diagnostic:
        for rule in (
            self.tab,
            self.quoted,
            self.flow,
            self.colon,
            self.list_item,
            self.tag_or_anchor,
            self.simple_key,
            self.indentation,
            self.bad_start,
        ):
            found = rule()
            if found is not None:
                return found
        return self.unrecognised()

    # Each rule returns a diagnostic when the error is of its kind, else None.

    def tab(self) -> Diagnostic | None:
        if self.pchar != "\t":
            return None
        return self.make(
            "tab character used for indentation; YAML needs spaces",
            self.ppos,
            expected="spaces",
            found="a tab character",
            hint="replace the tab with spaces (most editors can be set to insert spaces "
            "when Tab is pressed)",
        )

    def quoted(self) -> Diagnostic | None:
        if not (self.scanning and self.cchar in _QUOTES):
            return None
        # libyaml points at the backslash of a bad escape, the Python parser at the
        # letter after it; point at the backslash either way.
        if self.pchar == "\\" or (self.pindex > 0 and self.text[self.pindex - 1] == "\\"):
            pos = self.ppos if self.pchar == "\\" else (self.ppos[0], max(self.ppos[1] - 1, 1))
            letter_index = self.pindex + 1 if self.pchar == "\\" else self.pindex
            letter = self.text[letter_index : letter_index + 1]
            return self.make(
                "unknown escape sequence in double-quoted text",
                pos,
                expected='an escape such as `\\n`, `\\"` or `\\\\`',
                found=f"`\\{letter}`" if letter.strip() else "a lone `\\`",
                hint="use single quotes, where `\\` has no special meaning, or write a "
                "backslash as `\\\\`",
            )
        quote = self.cchar
        where = "the end of the file" if not self.pchar else self.found_at
        return self.make(
            f"the quote {quote} opened here is never closed",
            self.cpos,
            expected=f"a closing {quote}",
            found=f"no closing quote before {where}",
            hint=f'add the closing {quote}; inside double quotes write a quote as `\\"`, '
            "inside single quotes as `''`",
        )

    def flow(self) -> Diagnostic | None:
        if not (self.parsing and self.cchar in _FLOW_OPENERS):
            return None
        opener, closer = self.cchar, _FLOW_OPENERS[self.cchar]
        return self.make(
            f"the `{opener}` opened here is not closed where expected",
            self.cpos,
            expected=f"`,` or `{closer}`",
            found=f"something else at {self.found_at}",
            hint=f"close it with `{closer}`, and separate items with `, `; "
            "text containing `,`, `[`, `]`, `{` or `}` must be in quotes",
        )

    def colon(self) -> Diagnostic | None:
        if self.pchar != ":":
            return None
        if self.scanning:
            return self.make(
                "unexpected `:` here",
                self.ppos,
                expected="`key: value` with one key per line",
                found="a second `:` or a key at the wrong indentation",
                hint="is a `:` missing a space after it, or is the indentation off? "
                "Text that itself contains `: ` must be put in quotes",
            )
        return self.make(
            "a key is missing before `:`",
            self.ppos,
            expected="`key: value`",
            found="`:` with nothing before it",
            hint="write a name before the colon, e.g. `title: ...`, or check the indentation",
        )

    def list_item(self) -> Diagnostic | None:
        if not (self.scanning and self.pchar == "-"):
            return None
        return self.make(
            "a list item `- ` cannot start here",
            self.ppos,
            expected="each `- item` on its own line",
            found="`-` after a key on the same line",
            hint="put the list on the lines below the key, one `- item` per line, indented "
            "by the same number of spaces",
        )

    def tag_or_anchor(self) -> Diagnostic | None:
        if "!" in (self.pchar, self.cchar):
            return self.make(
                "tags are not allowed", self.ppos, found=self._problem_text(), hint=TAG_HINT
            )
        if self.cchar in ("&", "*"):
            return self.make(
                "anchors and aliases are not supported",
                self.cpos,
                found=self._problem_text(),
                hint=ANCHOR_HINT + "; a value starting with `*` or `&` must be in quotes",
            )
        return None

    def simple_key(self) -> Diagnostic | None:
        # A scanner error whose construct began on an earlier line: a would-be key
        # ran past its line without the `:` that makes it a key.
        if not (self.scanning and self.cchar and self.cpos[0] < self.ppos[0]):
            return None
        return self.make(
            "this line has no `:` after the key",
            self.cpos,
            expected="`key: value`",
            found=f"no `:` before {self.found_at}",
            hint="write `key: value` with a space after the colon, or check the "
            "indentation of this line and the next",
        )

    def indentation(self) -> Diagnostic | None:
        # A parser error inside a block collection: a token the enclosing mapping or
        # list cannot take, which in practice is text at the wrong column.
        if not self.parsing:
            return None
        return self.make(
            "bad indentation: this line does not line up with the lines above it",
            self.ppos,
            expected="keys of one mapping (and `-` items of one list) in the same column",
            found=f"text at column {self.ppos[1]}",
            hint="indent with spaces so that keys at the same level start in the same "
            "column; the mistake may also be on the line above",
        )

    def bad_start(self) -> Diagnostic | None:
        # The scanner stopped at a character with no construct around it: one of YAML's
        # reserved indicators (`@`, backtick, `%` mid-line) starting a value.
        if not (self.scanning and not self.cchar and self.pchar.strip()):
            return None
        return self.make(
            f"the character `{self.pchar}` cannot start a value",
            self.ppos,
            expected="a plain value",
            found=f"`{self.pchar}`",
            hint='put the whole value in quotes, e.g. `"@handle"`',
        )

    def unrecognised(self) -> Diagnostic:
        exc = self.exc
        where = f" ({exc.context} at line {self.cpos[0]})" if exc.context and self.cchar else ""
        return self.make(
            f"YAML syntax error: {self._problem_text()}{where}",
            self.ppos,
            hint="the real mistake is often on the line above; check indentation, colons "
            "and quotes",
        )

    def _problem_text(self) -> str:
        problem = self.exc.problem or "the text cannot be read as YAML"
        return problem.removeprefix("found ")
