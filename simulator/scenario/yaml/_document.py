"""A scenario file's parse: the loaded document, its positions, and the entry points.

:func:`parse_partial` is the one parse boundary: whatever PyYAML (or a bug here) raises
becomes a diagnostic, so callers only ever see diagnostics. :func:`load_yaml` and
:func:`load_yaml_file` raise them together as one :class:`~simulator.errors.ScenarioError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import yaml

from simulator.errors import Diagnostic, KeyPath, ScenarioError
from simulator.scenario.yaml._builder import MAX_DEPTH, _Builder, _Stop
from simulator.scenario.yaml._source import decode_source, read_limited
from simulator.scenario.yaml._syntax import syntax_diagnostic


@dataclass(frozen=True)
class YamlDocument:
    """A loaded scenario file: plain data plus where each value came from.

    ``value_positions`` maps a key path to the 1-based (line, column) of the value
    node; ``key_positions`` maps a mapping entry's path to its key token. Paths of
    scalars that were written quoted (or as ``|``/``>`` block text), i.e. not plain,
    are in ``quoted_paths`` so later stages can tell ``"0.3"`` from ``0.3``.
    """

    file: str
    data: dict[str, Any]
    value_positions: dict[KeyPath, tuple[int, int]]
    key_positions: dict[KeyPath, tuple[int, int]]
    quoted_paths: frozenset[KeyPath] = frozenset()

    def position(self, path: KeyPath) -> tuple[int, int]:
        """Best position for ``path``: its value, else its longest known prefix."""
        path = tuple(path)
        for end in range(len(path), -1, -1):
            found = self.value_positions.get(path[:end])
            if found is not None:
                return found
        return (1, 1)

    def key_position(self, path: KeyPath) -> tuple[int, int]:
        """Position of the key token for ``path`` if it has one, else :meth:`position`."""
        found = self.key_positions.get(tuple(path))
        return found if found is not None else self.position(path)


def load_yaml(source: bytes | str, *, file: str = "<scenario>") -> YamlDocument:
    """Parse scenario YAML from bytes or text; raise :class:`ScenarioError` on any problem."""
    return _build(decode_source(source, file=file), file)


@dataclass(frozen=True)
class PartialParse:
    """What one parse of checked text gave: the document if one was built (possibly with
    non-fatal problems such as a duplicate key, which leave the data usable), every
    problem, and whether a YAML syntax error cut the parse short."""

    document: YamlDocument | None
    diagnostics: list[Diagnostic]
    syntax_error: bool


def load_yaml_file(path: str | os.PathLike[str]) -> YamlDocument:
    """Read and parse a scenario file, never reading more than ``MAX_BYTES + 1`` bytes."""
    return load_yaml(read_limited(path), file=str(path))


def _build(text: str, file: str) -> YamlDocument:
    parsed = parse_partial(text, file)
    if parsed.diagnostics or parsed.document is None:
        raise ScenarioError(parsed.diagnostics)
    return parsed.document


def parse_partial(text: str, file: str = "<scenario>") -> PartialParse:
    """Parse checked text (see :func:`decode_source`) without raising for bad input."""
    builder = _Builder(file)
    syntax_error = False
    # The one parse boundary: whatever PyYAML (or a bug here) raises becomes a
    # diagnostic, so callers only ever see diagnostics.
    try:
        builder.run(text)
    except _Stop:
        builder.stopped = True
    except yaml.YAMLError as exc:
        builder = _earlier_fatal_problem(exc, text, builder) or builder
        if not builder.stopped:
            builder.diagnostics.append(syntax_diagnostic(exc, text, file))
            syntax_error = True
    except Exception as exc:
        builder.stopped = True
        builder.diagnostics.append(
            Diagnostic(
                f"could not read the file as YAML ({type(exc).__name__}: {exc})",
                file=file,
                hint="this is unexpected; please report it together with the file",
            )
        )
    if not builder.diagnostics and builder.documents == 0:
        builder.diagnostics.append(builder.empty_file())
    usable = (not builder.stopped and not syntax_error and builder.root_is_mapping
              and isinstance(builder.root, dict))
    document = YamlDocument(
        file=file,
        data=builder.root,
        value_positions=builder.value_positions,
        key_positions=builder.key_positions,
        quoted_paths=frozenset(builder.quoted),
    ) if usable else None
    return PartialParse(document, builder.diagnostics, syntax_error)


def _earlier_fatal_problem(exc: yaml.YAMLError, text: str, builder: _Builder) -> _Builder | None:
    """A builder that stopped on a problem of ours found before ``exc``'s position.

    A parser reads ahead of the events it has handed over, and may fail on a limit of
    its own before we see the events that break ours: libyaml (PyYAML 6.0.4 and newer)
    refuses 1,000 levels of `[` while scanning ahead, before it has produced the 65th
    level's event. Re-reading only the text before the failure, a parse of that prefix
    shows whether one of our fatal problems (nesting too deep, a second document) comes
    first; it then is the one to report, whatever the library's own limits are.
    """
    mark = getattr(exc, "problem_mark", None)
    index = getattr(mark, "index", None)
    if not isinstance(index, int) or index <= 0:
        return None
    # Each further level takes at least one character: when the text the parser read
    # ahead is too short to reach our limit, there is nothing to find (and a large
    # file with, say, an unclosed quote is not read twice).
    if index - builder.read_up_to < MAX_DEPTH + 1 - len(builder.stack):
        return None
    prefix_builder = _Builder(builder.file)
    try:
        prefix_builder.run(text[:index])
    except _Stop:
        prefix_builder.stopped = True
        return prefix_builder
    except yaml.YAMLError:
        # The cut may end mid-construct; only a stop of our own counts.
        return None
    return None
