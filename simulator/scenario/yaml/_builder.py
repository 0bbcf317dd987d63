"""PyYAML events → plain data with source positions, refusing what is unsafe or surprising.

Scenario files are written by people who are not programmers, so this module does
two jobs: it refuses everything in YAML that is dangerous or surprising, and it turns
every failure into one :class:`~simulator.errors.ScenarioError` whose diagnostics say
where (file:line:column and key path), what was expected, what was found, and what to
do about it.

Design choices, and why:

* PyYAML's constructors are never used. We read PyYAML's *event* stream and build
  plain ``dict``/``list``/``str``/``None`` data ourselves with an explicit stack. This
  means no object construction from tags (``!!python/object`` cannot run code), no
  alias expansion (alias bombs cannot blow up memory), no recursion (a 100,000-deep
  ``[[[[`` document cannot raise ``RecursionError``), and no YAML 1.1 type guessing
  (``no``, ``on``, ``1:30``, ``1.10`` and ``2026-01-05`` stay text; the pydantic
  stage decides types and explains its decisions).
* The nesting limit is enforced while events stream in. PyYAML's scanner and parser
  (both the C ``libyaml`` one and the pure-Python one) are state machines that produce
  events lazily, and their look-ahead is bounded by the YAML rule that a possible
  "simple key" goes stale after one line or 1024 characters. So stopping at the 65th
  level bounds the work no matter how deep the input goes (counted in the tests; timed
  in ``benchmarks/bench_loader.py``). A parser may fail on a limit of its own within
  that look-ahead (libyaml in PyYAML 6.0.4 refuses 1,000 levels); the text before its
  failure is then re-read, so our located message still wins. A separate bracket
  pre-scan is not needed (and a cheap one could not tell a ``[`` inside ``'don't [``
  plain text from a real one).
* Syntax errors are recognised by their type and marks, not their wording, in
  :mod:`simulator.scenario.yaml._syntax`; the bytes are checked before PyYAML sees the
  text, in :mod:`simulator.scenario.yaml._source`.
"""

from __future__ import annotations

from typing import Any, Final

import yaml

from simulator.errors import Diagnostic, KeyPath
from simulator.scenario.yaml._syntax import ANCHOR_HINT, TAG_HINT, mark_position

MAX_DEPTH: Final = 64

# A file with hundreds of aliases or tags would otherwise drown the one message that
# matters; after this many problems we stop reading and say so.
MAX_DIAGNOSTICS: Final = 50

# The C parser is ~50x faster; both produce the same events. Tests swap this to check
# that the pure-Python fallback behaves the same.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Plain (unquoted) scalars that mean "no value". Everything else stays text.
_NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})

_MINIMAL_SCENARIO: Final = (
    "a scenario is a mapping of keys; start with something like "
    "`id: my-scenario`, `title: My scenario`, `as_of: 2026-01-05`, `horizon: 1 year`, "
    "each on its own line"
)


# ----------------------------------------------------------------- events to data


class _Frame:
    """One open mapping or sequence while building data from events."""

    __slots__ = ("awaiting_value", "container", "first_lines", "is_key", "is_map", "key", "path")

    def __init__(
        self, container: dict[str, Any] | list[Any], path: KeyPath | None, *, is_key: bool
    ) -> None:
        self.container = container
        # None means "do not record": inside a duplicate value, a complex key, or a
        # top level that is not a mapping. We still build it to find further problems.
        self.path = path
        self.is_map = isinstance(container, dict)
        self.is_key = is_key
        self.awaiting_value = False
        self.key: str | None = None
        self.first_lines: dict[str, int] = {}


class _Stop(Exception):
    """Internal: a fatal problem was recorded; stop reading events."""


def _describe_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def _kind(cls: type) -> str:
    return "a mapping" if cls is yaml.MappingStartEvent else "a list"


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self.value_positions: dict[KeyPath, tuple[int, int]] = {}
        self.key_positions: dict[KeyPath, tuple[int, int]] = {}
        self.quoted: set[KeyPath] = set()
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.root_is_mapping = False
        self.documents = 0
        self.stopped = False
        # Index just past the last event handled: what the parser had handed over.
        self.read_up_to = 0

    def add(self, diagnostic: Diagnostic, *, fatal: bool = False) -> None:
        self.diagnostics.append(diagnostic)
        if fatal:
            raise _Stop
        if len(self.diagnostics) >= MAX_DIAGNOSTICS:
            self.diagnostics.append(
                Diagnostic(
                    f"stopped reading after {MAX_DIAGNOSTICS} problems",
                    file=self.file,
                    line=diagnostic.line,
                    column=diagnostic.column,
                    hint="fix the problems above and load the file again",
                )
            )
            raise _Stop

    def diag(self, message: str, pos: tuple[int, int], **details: Any) -> Diagnostic:
        return Diagnostic(message, file=self.file, line=pos[0], column=pos[1], **details)

    def run(self, text: str) -> None:
        events = yaml.parse(text, Loader=_LOADER)
        try:
            for event in events:
                self.read_up_to = event.end_mark.index  # type: ignore[union-attr]
                self.handle(event)
        finally:
            # Closing the generator disposes of the parser (frees libyaml's memory)
            # even when we stop early. (Typed as Iterator; it is a generator.)
            close = getattr(events, "close", None)
            if close is not None:
                close()

    def handle(self, event: Any) -> None:
        cls = type(event)
        if cls is yaml.ScalarEvent:
            self.scalar(event)
        elif cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
            self.start_collection(event, cls)
        elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
            frame = self.stack.pop()
            if frame.is_key:
                # The complex key has been read (and refused); its value is discarded.
                parent = self.stack[-1]
                parent.key = None
                parent.awaiting_value = True
        elif cls is yaml.AliasEvent:
            pos = mark_position(event.start_mark)
            path = self.current_path()
            self.add(
                self.diag(
                    f"anchors and aliases are not supported (found alias `*{event.anchor}`)",
                    pos,
                    path=path or (),
                    expected="a written-out value",
                    found=f"alias `*{event.anchor}`",
                    hint=ANCHOR_HINT,
                )
            )
            self.place_scalar(None, pos, quoted=False)
        elif cls is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self.add(
                    self.diag(
                        "a second document starts here; one scenario per file",
                        mark_position(event.start_mark),
                        expected="one YAML document",
                        found="a second document (`---`)",
                        hint="remove this `---` line, or move what follows it into its own file",
                    ),
                    fatal=True,
                )
        # StreamStart/StreamEnd/DocumentEnd carry nothing we need.

    # -- helpers

    def current_path(self) -> KeyPath | None:
        """Path the next node will get (None when it is not recorded)."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.path is None:
            return None
        if top.is_map:
            if not top.awaiting_value or top.key is None:
                return None
            return (*top.path, top.key)
        return (*top.path, len(top.container))

    def check_properties(self, event: Any, pos: tuple[int, int]) -> None:
        path = self.current_path() or ()
        if event.anchor is not None:
            self.add(
                self.diag(
                    f"anchors and aliases are not supported (found anchor `&{event.anchor}`)",
                    pos,
                    path=path,
                    expected="a plain value",
                    found=f"anchor `&{event.anchor}`",
                    hint=ANCHOR_HINT,
                )
            )
        if event.tag is not None:
            tag = _describe_tag(event.tag)
            self.add(
                self.diag(
                    f"tags are not allowed (found `{tag}`)",
                    pos,
                    path=path,
                    expected="a plain value",
                    found=f"tag `{tag}`",
                    hint=TAG_HINT,
                )
            )

    def take_key(self, top: _Frame, key: str | None, pos: tuple[int, int]) -> None:
        top.awaiting_value = True
        top.key = None
        if key is None:
            return
        if key == "":
            self.add(
                self.diag(
                    "a key is missing before `:`",
                    pos,
                    path=top.path or (),
                    expected="a key such as `title:`",
                    found="an empty key",
                    hint="write a name before the colon, e.g. `title: ...`",
                )
            )
            return
        first = top.first_lines.get(key)
        if first is not None:
            path = (*top.path, key) if top.path is not None else ()
            self.add(
                self.diag(
                    f"duplicate key `{key}` (first defined at line {first})",
                    pos,
                    path=path,
                    expected="each key once in a mapping",
                    found=f"`{key}` again (first at line {first}, again at line {pos[0]})",
                    hint="remove one of the two entries, or merge them into one",
                )
            )
            return
        top.first_lines[key] = pos[0]
        top.key = key
        if top.path is not None:
            self.key_positions[(*top.path, key)] = pos

    def scalar(self, event: Any) -> None:
        pos = mark_position(event.start_mark)
        if event.anchor is not None or event.tag is not None:
            self.check_properties(event, pos)
        value: str = event.value
        # libyaml reports plain style as "", the Python parser as None.
        plain = not event.style
        if self.stack:
            top = self.stack[-1]
            if top.is_map and not top.awaiting_value:
                # Keys are always text, exactly as written: `1`, `no`, `null` stay text.
                self.take_key(top, value, pos)
                return
        self.place_scalar(None if plain and value in _NULLS else value, pos, quoted=not plain)

    def place_scalar(self, value: str | None, pos: tuple[int, int], *, quoted: bool) -> None:
        if not self.stack:
            self.set_root(value, pos, quoted=quoted)
            return
        top = self.stack[-1]
        if top.is_map and not top.awaiting_value:
            # An alias used as a key; already reported.
            self.take_key(top, None, pos)
            return
        path = self.current_path()
        self.attach(top, value)
        if path is not None:
            self.value_positions[path] = pos
            if quoted:
                self.quoted.add(path)

    def attach(self, top: _Frame, value: Any) -> None:
        container = top.container
        if isinstance(container, dict):
            key = top.key
            top.awaiting_value = False
            top.key = None
            if key is not None:
                container[key] = value
        else:
            container.append(value)

    def start_collection(self, event: Any, cls: type) -> None:
        pos = mark_position(event.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            self.add(
                self.diag(
                    f"nesting deeper than {MAX_DEPTH} levels",
                    pos,
                    path=self.current_path() or (),
                    expected=f"at most {MAX_DEPTH} levels of nested mappings and lists",
                    found=f"a {MAX_DEPTH + 1}th level here",
                    hint="a scenario needs only a few levels; look for unclosed `[` or "
                    "`{`, or indentation that keeps growing",
                ),
                fatal=True,
            )
        if event.anchor is not None or event.tag is not None:
            self.check_properties(event, pos)
        container: dict[str, Any] | list[Any] = {} if cls is yaml.MappingStartEvent else []
        if not self.stack:
            self.set_root(container, pos, quoted=False, kind=cls)
            self.stack.append(_Frame(container, () if self.root_is_mapping else None, is_key=False))
            return
        top = self.stack[-1]
        if top.is_map and not top.awaiting_value:
            self.add(
                self.diag(
                    f"a key must be plain text, found {_kind(cls)}",
                    pos,
                    path=top.path or (),
                    expected="a key such as `title:`",
                    found=f"{_kind(cls)} used as a key",
                    hint="write keys as simple names like `strike_rate:`; `? ...` and "
                    "`[...]:` or `{...}:` keys are not supported",
                )
            )
            self.stack.append(_Frame(container, None, is_key=True))
            return
        path = self.current_path()
        self.attach(top, container)
        if path is not None:
            self.value_positions[path] = pos
        self.stack.append(_Frame(container, path, is_key=False))

    def set_root(
        self, value: Any, pos: tuple[int, int], *, quoted: bool, kind: type | None = None
    ) -> None:
        self.root = value
        if kind is yaml.MappingStartEvent:
            self.root_is_mapping = True
            self.value_positions[()] = pos
            return
        if kind is None and value is None and not quoted:
            # Only `---`, `~` or `null`: nothing a student would call content.
            self.add(self.empty_file(pos))
            return
        if kind is not None:
            found = "a list"
        else:
            shown = value if len(value) <= 40 else value[:37] + "..."
            found = f"the text `{shown}`"
        self.add(
            self.diag(
                f"expected a mapping of keys like `id:`, `title:` at the top level, found {found}",
                pos,
                expected="a mapping of keys like `id:`, `title:`",
                found=found,
                hint=_MINIMAL_SCENARIO,
            )
        )

    def empty_file(self, pos: tuple[int, int] = (0, 0)) -> Diagnostic:
        return self.diag(
            "the file is empty",
            pos,
            expected="a scenario (a mapping of keys)",
            found="no content (only blank lines or comments)",
            hint=_MINIMAL_SCENARIO,
        )
