"""Keep checking past the first broken stage, so one validate run reports everything.

A scenario is checked in stages (YAML → structure → meaning → evidence), and a later
stage needs the earlier one's result. To report the independent problems of every
stage at once, each stage's broken parts are set aside before the next stage runs:

* **YAML**: a syntax error stops PyYAML. The line it names (with the lines indented
  under it, whose structure is now unreliable) is blanked and the text parsed again,
  up to :data:`MAX_SYNTAX_ROUNDS` times. Line numbers do not move.
* **Structure**: every value pydantic refuses is removed from a copy of the data (a
  whole entry when what is left of it cannot stand alone), and the copy validated
  again. Removing a list item shifts the items after it; :class:`Pruned` maps paths
  in the copy back to paths in the file.

Set-aside parts would cause follow-on errors ("missing key", "unknown name"); those
are recognised and dropped (:meth:`Pruned.is_cascade`), so each mistake is reported
once, where it was made.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pydantic

from simulator.errors import Diagnostic, KeyPath
from simulator.scenario.schema import Scenario
from simulator.scenario.yaml import PartialParse, parse_partial

MAX_SYNTAX_ROUNDS = 10
MAX_PRUNE_ROUNDS = 30

# Placeholders for required top-level scalars, so the rest can still be checked.
_ROOT_PLACEHOLDERS: dict[str, Any] = {
    "id": "scenario",
    "title": "Scenario",
    "as_of": date(2000, 1, 1).isoformat(),
    "horizon": "1 year",
    "actors": {"_": {"options": {"_": {}}}},
    "outcomes": {"_": {"when": "false"}},
}
_KEY_LINE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*:")


# --------------------------------------------------------------------------- YAML


@dataclass
class Recovered:
    """The result of parsing with syntax recovery."""

    parse: PartialParse
    diagnostics: list[Diagnostic]
    blanked_lines: set[int] = field(default_factory=set)
    blanked_names: set[str] = field(default_factory=set)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank(lines: list[str], number: int) -> list[int]:
    """Blank line ``number`` (1-based) and the lines indented under it; return them."""
    index = number - 1
    base = _indent(lines[index])
    blanked = [number]
    lines[index] = ""
    for j in range(index + 1, len(lines)):
        text = lines[j]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if _indent(text) <= base:
            break
        lines[j] = ""
        blanked.append(j + 1)
    return blanked


def parse_recovering(text: str, file: str) -> Recovered:
    """Parse, blanking each line a syntax error names and parsing again."""
    lines = text.split("\n")
    diagnostics: list[Diagnostic] = []
    blanked: set[int] = set()
    names: set[str] = set()
    parse = parse_partial(text, file)
    for _ in range(MAX_SYNTAX_ROUNDS):
        diagnostics += [d for d in parse.diagnostics if d not in diagnostics]
        if not parse.syntax_error:
            break
        line = parse.diagnostics[-1].line
        if not 1 <= line <= len(lines) or line in blanked or not lines[line - 1].strip():
            break
        for number in _blank_and_name(lines, line, names):
            blanked.add(number)
        parse = parse_partial("\n".join(lines), file)
        if parse.document is None and not parse.syntax_error and all(
                d.message == "the file is empty" for d in parse.diagnostics):
            break  # nothing was left after the broken lines: not a problem of its own
    else:
        diagnostics += [d for d in parse.diagnostics if d not in diagnostics]
    return Recovered(parse, diagnostics, blanked, names)


def _blank_and_name(lines: list[str], line: int, names: set[str]) -> list[int]:
    """Blank the lines and remember the keys they defined (they now look undefined)."""
    before = list(lines)
    numbers = _blank(lines, line)
    for number in numbers:
        match = _KEY_LINE.match(before[number - 1])
        if match:
            names.add(match.group(1))
    return numbers


# --------------------------------------------------------------------------- structure


@dataclass
class Pruned:
    """The validated remainder of a scenario and what was removed to get it."""

    scenario: Scenario | None
    errors: list[tuple[dict[str, Any], KeyPath]]
    """The pydantic errors to report, each with its data path in the *original* data."""
    removed: list[KeyPath] = field(default_factory=list)
    """Removed paths, in the original data's terms."""
    removed_names: set[str] = field(default_factory=set)
    """Names and `actor.option` refs that no longer exist in the remainder."""
    _deletions: list[KeyPath] = field(default_factory=list)
    """Removed paths in the terms of the data at the time of removal, in order."""

    def original_path(self, path: KeyPath) -> KeyPath:
        """Map a path in the remainder back to the file (undoing list shifts)."""
        out = list(path)
        for deleted in reversed(self._deletions):
            n = len(deleted) - 1
            index, at = deleted[-1], out[n] if len(out) > n else None
            if (isinstance(index, int) and isinstance(at, int)
                    and tuple(out[:n]) == deleted[:-1] and at >= index):
                out[n] = at + 1
        return tuple(out)

    def is_cascade(self, diagnostic: Diagnostic) -> bool:
        """True when a later stage's problem only follows from something removed here."""
        path = diagnostic.path
        if any(path[: len(r)] == r for r in self.removed):
            return True
        if diagnostic.message.startswith(("unknown ", "`")):
            text = " ".join(filter(None, (diagnostic.message, diagnostic.found)))
            quoted = set(re.findall(r"`([^`]+)`", text)) | {diagnostic.found or ""}
            for name in self.removed_names:
                if name in quoted or any(q.startswith(name + ".") for q in quoted):
                    return True
        return False


def _delete(data: Any, path: KeyPath) -> bool:
    node = data
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    if isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        del node[last]
        return True
    return False


def _names_of(data: Any, path: KeyPath) -> set[str]:
    """Names a removed entry defined: parameters, state, actors' options, rungs, ..."""
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return set()
    key = path[-1]
    if len(path) == 2 and path[0] in ("parameters", "state", "outcomes", "indicators",
                                      "variants"):
        return {str(key)}
    if len(path) == 2 and path[0] == "actors":
        options = node.get("options") if isinstance(node, dict) else None
        return {str(key)} | {f"{key}.{o}" for o in (options or {})}
    if len(path) == 4 and path[0] == "actors" and path[2] == "options":
        return {f"{path[1]}.{key}"}
    if path == ("ladder",) and isinstance(node, dict):
        rungs = node.get("rungs")
        rungs = rungs if isinstance(rungs, list) else []
        ids = {str(r.get("id")) for r in rungs if isinstance(r, dict)}
        return ids | {str(node.get("variable", "escalation"))}
    if path[:2] == ("ladder", "rungs") and len(path) == 3 and isinstance(node, dict):
        return {str(node.get("id"))}
    return set()


def _is_reported(err: dict[str, Any], path: KeyPath, removed: list[KeyPath],
                 first_round: bool) -> bool:
    if first_round:
        return True
    # a later round only sees what removals left behind: a container that lost an
    # entry (now "missing" a key, "too short", or no longer an effect) is a cascade
    return not any(r[: len(path)] == path for r in removed)


def validate_pruning(data: dict[str, Any],
                     data_path: Any) -> Pruned:
    """Validate, removing refused values until the remainder validates (or nothing is left
    to remove). ``data_path(data, loc)`` maps a pydantic location onto the data."""
    work = copy.deepcopy(data)
    result = Pruned(None, [])
    for round_number in range(MAX_PRUNE_ROUNDS):
        try:
            result.scenario = Scenario.model_validate(work)
            return result
        except pydantic.ValidationError as exc:
            errors: list[dict[str, Any]] = [dict(e) for e in exc.errors(include_url=False)]
        progress = False
        targets: list[KeyPath] = []
        for err in errors:
            path = data_path(work, tuple(err["loc"]))
            original = result.original_path(path)
            if _is_reported(err, original, result.removed, round_number == 0):
                result.errors.append((err, original))
            if err["type"] == "missing" and not path:
                key = str(err["loc"][-1]) if err["loc"] else ""
                if key in _ROOT_PLACEHOLDERS:
                    work[key] = copy.deepcopy(_ROOT_PLACEHOLDERS[key])
                    result.removed.append((key,))
                    progress = True
                continue
            if path and path not in targets:
                targets.append(path)
        # deepest first, and later list items before earlier ones, so paths stay valid
        for path in sorted(targets, key=lambda p: (len(p), p[-1] if isinstance(p[-1], int)
                                                   else -1), reverse=True):
            if any(path[: len(t)] == t for t in targets if t != path and len(t) < len(path)):
                continue  # an enclosing entry goes anyway
            names = _names_of(work, path)
            original = result.original_path(path)
            if _delete(work, path):
                result._deletions.append(path)
                result.removed.append(original)
                result.removed_names |= names
                progress = True
        if not progress:
            return result
    return result
