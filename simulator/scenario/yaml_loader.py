"""Safe YAML loading for scenario files, with source positions for every value.

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
  :mod:`simulator.scenario._yaml_errors`.
* Everything that may be wrong about the bytes (size, encoding, control characters)
  is checked before PyYAML sees the text, so PyYAML only ever reports YAML syntax.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import Any, Final

import yaml

from simulator.errors import Diagnostic, KeyPath, ScenarioError
from simulator.scenario._yaml_errors import (
    ANCHOR_HINT,
    SAVE_AS_UTF8,
    TAG_HINT,
    line_col,
    mark_position,
    syntax_diagnostic,
)

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "PartialParse",
    "YamlDocument",
    "decode_source",
    "load_yaml",
    "load_yaml_file",
    "parse_partial",
    "read_limited",
]

MAX_BYTES: Final = 1 * 1024 * 1024
MAX_DEPTH: Final = 64

# A file with hundreds of aliases or tags would otherwise drown the one message that
# matters; after this many problems we stop reading and say so.
MAX_DIAGNOSTICS: Final = 50

_MIB: Final = 1024 * 1024

# The C parser is ~50x faster; both produce the same events. Tests swap this to check
# that the pure-Python fallback behaves the same.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Plain (unquoted) scalars that mean "no value". Everything else stays text.
_NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})

# YAML's printable set (YAML 1.1 §5.1, the same set PyYAML and libyaml enforce).
_NOT_PRINTABLE: Final = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

_MINIMAL_SCENARIO: Final = (
    "a scenario is a mapping of keys; start with something like "
    "`id: my-scenario`, `title: My scenario`, `as_of: 2026-01-05`, `horizon: 1 year`, "
    "each on its own line"
)


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


# --------------------------------------------------------------------------- public


def load_yaml(source: bytes | str, *, file: str = "<scenario>") -> YamlDocument:
    """Parse scenario YAML from bytes or text; raise :class:`ScenarioError` on any problem."""
    return _build(decode_source(source, file=file), file)


def decode_source(source: bytes | str, *, file: str = "<scenario>") -> str:
    """The checked text of a scenario (size, encoding, characters); raises ScenarioError."""
    if isinstance(source, str):
        # surrogatepass: a str may hold lone surrogates; they are reported below as
        # invalid characters, not as a crash while measuring the size.
        _check_size(len(source.encode("utf-8", "surrogatepass")), file)
        text = source[1:] if source.startswith("\ufeff") else source
    else:
        data = bytes(source)
        _check_size(len(data), file)
        text = _decode(data, file)
    _check_characters(text, file)
    return text


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


def read_limited(path: str | os.PathLike[str]) -> bytes:
    """A scenario file's bytes; refuses (ScenarioError) unreadable or too-large files
    without reading more than ``MAX_BYTES + 1`` bytes."""
    file = str(path)
    try:
        # non-blocking open: opening a FIFO for reading would otherwise wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ScenarioError(Diagnostic(
                "not a regular file (a pipe, device or socket), so it is not read",
                file=file, hint="save the scenario to a file and give that file's path"))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            data = _read_limited(handle, MAX_BYTES + 1)
            real_size = os.fstat(handle.fileno()).st_size if len(data) > MAX_BYTES else 0
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(
            Diagnostic(
                f"cannot read the file: {reason}",
                file=file,
                hint="check the path and that the file exists and is readable",
            )
        ) from None
    if len(data) > MAX_BYTES:
        # A pipe or special file reports size 0; then all we know is "more than".
        _check_size(max(real_size, len(data)), file, exact=real_size > MAX_BYTES)
    return data


# ------------------------------------------------------------------ bytes and text


def _read_limited(handle: Any, limit: int) -> bytes:
    # read(n) may return fewer bytes than asked on pipes; loop, but never past limit.
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = handle.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _human_size(size: int) -> str:
    if size < 1.05 * _MIB:
        # Near the limit "1.0 MiB" would contradict "the limit is 1 MiB"; be exact.
        return f"{size:,} bytes"
    return f"{size / _MIB:.1f} MiB"


def _check_size(size: int, file: str, *, exact: bool = True) -> None:
    if size <= MAX_BYTES:
        return
    amount = _human_size(size) if exact else f"more than {MAX_BYTES // _MIB} MiB"
    raise ScenarioError(
        Diagnostic(
            f"file is {amount}; the limit is {MAX_BYTES // _MIB} MiB",
            file=file,
            expected=f"at most {MAX_BYTES // _MIB} MiB",
            found=amount,
            hint="a scenario this large is hard to review; split it into several "
            "scenarios, or move long descriptions and evidence into separate files",
        )
    )


_WIDE_BOMS: Final = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_UTF8_BOM: Final = b"\xef\xbb\xbf"


def _wide_encoding_error(name: str, file: str) -> ScenarioError:
    return ScenarioError(
        Diagnostic(
            f"the file is {name}; save it as UTF-8",
            file=file,
            expected="UTF-8 text",
            found=f"{name} text",
            hint=SAVE_AS_UTF8,
        )
    )


def _decode(data: bytes, file: str) -> str:
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise _wide_encoding_error(name, file)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if b"\x00" in data:
        # Without a BOM, UTF-16/32 text of mostly Latin letters is full of NUL bytes.
        # A stray NUL in otherwise normal text is reported later, with its position.
        sample = data[:4096]
        nuls = sample.count(0)
        if nuls * 4 >= len(sample):
            raise _wide_encoding_error("UTF-32" if nuls * 8 >= len(sample) * 5 else "UTF-16", file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Everything before the first bad byte is valid, so it decodes and gives the
        # column in characters, as an editor shows it.
        prefix = data[: exc.start].decode("utf-8")
        line, column = line_col(prefix, len(prefix))
        bad = data[exc.start : exc.start + 1]
        raise ScenarioError(
            Diagnostic(
                f"the file is not valid UTF-8: byte \\x{bad[0]:02X} cannot appear here",
                file=file,
                line=line,
                column=column,
                expected="UTF-8 text",
                found=f"byte \\x{bad[0]:02X}",
                hint="the file was probably saved in another encoding (Windows-1252, "
                f"Latin-1, UTF-16); {SAVE_AS_UTF8}",
            )
        ) from None




def _check_characters(text: str, file: str) -> None:
    bad = _NOT_PRINTABLE.search(text)
    if bad is None:
        return
    char = bad.group()
    line, column = line_col(text, bad.start())
    if char == "\x00":
        message = "the file contains a NUL byte (\\x00)"
        hint = "a NUL byte means the file is binary, damaged, or saved as UTF-16; " + SAVE_AS_UTF8
    elif "\ud800" <= char <= "\udfff":
        message = f"the text contains an invalid character (lone surrogate U+{ord(char):04X})"
        hint = "the text was decoded wrongly before it reached geosim; " + SAVE_AS_UTF8
    else:
        message = f"control character U+{ord(char):04X} is not allowed"
        hint = (
            "delete it; it is invisible in most editors and usually comes from copying "
            "text out of a PDF, a terminal or a word processor"
        )
    raise ScenarioError(
        Diagnostic(
            message,
            file=file,
            line=line,
            column=column,
            expected="printable text",
            found=f"U+{ord(char):04X}",
            hint=hint,
        )
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
