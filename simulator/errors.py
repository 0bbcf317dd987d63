"""The one error tree of geosim.

Every failure a user can cause or meet is a :class:`GeosimError`, so callers can
catch at any level::

    GeosimError                 root; never raised itself
    ├── ScenarioError           a scenario file is unreadable or invalid (exit code 1)
    ├── ResultsError            a results directory is missing, corrupt, foreign or
    │                           incompatible, or a file geosim will not overwrite (exit 1)
    ├── UsageError              a request that cannot be carried out as given (exit code 2)
    ├── RunError                a simulation failed while running (exit code 3)
    └── TextError               a quantity or expression that cannot be read (exit code 1)

:class:`TextError` is normally internal: quantity and expression parsers raise it with
a column inside the text, and the compiler turns it into a Diagnostic.

Anything that is not a :class:`GeosimError` is a bug in geosim: the command line reports
it as an internal error with its own exit code (:data:`INTERNAL_ERROR_EXIT`), never as
a user mistake.

A :class:`ScenarioError` carries every :class:`Diagnostic` found in a file, not only
the first, each naming the place (file:line:column and the key path), what was
expected, what was found, and a hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
INTERNAL_ERROR_EXIT = 4  # exit code of an unexpected exception: a bug in geosim
KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """Render a key path the way a user sees it in YAML: ``actors.us.options[0].rate``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a scenario file.

    ``line`` and ``column`` are 1-based; 0 means "the whole file" (for example a file
    that is too large to read).
    """

    message: str
    file: str = "<scenario>"
    line: int = 0
    column: int = 0
    path: KeyPath = ()
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    severity: Severity = "error"

    @property
    def location(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    def format(self) -> str:
        """One compiler-style line plus indented details."""
        where = f" at `{format_key_path(self.path)}`" if self.path else ""
        lines = [f"{self.location}: {self.severity}{where}: {self.message}"]
        if self.expected is not None:
            lines.append(f"    expected: {self.expected}")
        if self.found is not None:
            lines.append(f"    found:    {self.found}")
        if self.hint:
            lines.append(f"    hint:     {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": format_key_path(self.path),
            "severity": self.severity,
            "message": self.message,
            "expected": self.expected,
            "found": self.found,
            "hint": self.hint,
        }


class GeosimError(Exception):
    """Root of every error geosim raises on purpose."""

    exit_code = 3


class ScenarioError(GeosimError):
    """A scenario file could not be loaded; holds every diagnostic found."""

    exit_code = 1

    def __init__(self, diagnostics: Sequence[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = sorted(
            diagnostics, key=lambda d: (d.file, d.line, d.column, d.message)
        )
        super().__init__(self.format())

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def format(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)


class ResultsError(GeosimError):
    """A results directory is missing, corrupt, or incompatible with the request."""

    exit_code = 1


class UsageError(GeosimError):
    """A request that cannot be carried out as given (a bad option value or combination)."""

    exit_code = 2


class RunError(GeosimError):
    """A simulation failed at run time (for example a worker crashed).

    ``variant`` and ``runs`` (a half-open run range) name the chunk that failed, when
    one did.
    """

    exit_code = 3

    def __init__(self, message: str, *, variant: str | None = None,
                 runs: tuple[int, int] | None = None) -> None:
        where = []
        if variant is not None:
            where.append(f"variant `{variant}`")
        if runs is not None:
            where.append(f"runs {runs[0]}–{runs[1] - 1}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)
        self.variant = variant
        self.runs = runs

    def __reduce__(self) -> tuple[object, ...]:
        # crosses process boundaries (worker → client) with its chunk, without re-wording
        return (_restore_run_error, (type(self), str(self), self.variant, self.runs))


def _restore_run_error(cls: type[RunError], text: str, variant: str | None,
                       runs: tuple[int, int] | None) -> RunError:
    error = cls.__new__(cls)
    Exception.__init__(error, text)
    error.variant, error.runs = variant, runs
    return error


class TextError(GeosimError):
    """A piece of scenario text (a quantity or an expression) that cannot be accepted.

    ``column`` is 1-based within the text; the loader adds file, line and key path.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        column: int = 1,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.column = max(1, int(column))
        self.expected = expected
        self.found = found
        self.hint = hint




class GeosimWarning(UserWarning):
    """Something the user should know that did not stop the command (a chunk set aside)."""
