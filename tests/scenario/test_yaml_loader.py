"""Tests for the safe YAML loader: every bad input becomes one ScenarioError with a
position, and good input keeps every scalar as text with correct positions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.errors import Diagnostic, ScenarioError
from simulator.scenario.yaml import (
    MAX_BYTES,
    MAX_DEPTH,
    YamlDocument,
    _builder,
    _syntax,
    load_yaml,
    load_yaml_file,
)

MIB = 1024 * 1024

# Both parsers are exercised: libyaml is what runs in practice, the pure-Python one is
# the fallback when PyYAML was built without libyaml.
LOADERS: list[Any] = [yaml.SafeLoader]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.insert(0, yaml.CSafeLoader)
LOADER_IDS = ["libyaml" if loader.__name__.startswith("C") else "python" for loader in LOADERS]


@contextmanager
def using_loader(loader: Any) -> Iterator[None]:
    saved = _builder._LOADER
    _builder._LOADER = loader
    try:
        yield
    finally:
        _builder._LOADER = saved


@pytest.fixture(params=LOADERS, ids=LOADER_IDS)
def loader(request: pytest.FixtureRequest) -> Iterator[Any]:
    with using_loader(request.param):
        yield request.param


SCENARIO = """\
# yaml-language-server: $schema=../simulator/data/scenario.schema.json
id: us-mexico-cartels-2026
title: "US–Mexico: cartel strikes"
as_of: 2026-01-05
horizon: 1 year
key_assumptions:
  - text: Cooperation holds unless provoked
    evidence: [claim-1, claim-2]
parameters:
  strike_rate:
    value: 0.5% to 4% per month
    kind: rate
    assumption: true
    note: one-line rationale
  simple_one: 30%
state:
  cooperation: {initial: 0.7, min: 0, max: 1, label: Cooperation}
ladder:
  variable: escalation
  initial: pressure
  rungs:
    - {id: cooperation, label: Cooperation}
    - {id: pressure, label: Pressure}
actors:
  us_executive:
    label: US executive
    decides: {every: 1 month, idle_weight: 1}
    options:
      unilateral_strike:
        when: escalation >= covert and cooperation < 0.6
        rate: strike_rate * (1 + cartel_drones)
        once: true
        effects:
          - set: {escalation: strike}
          - add: {cooperation: -0.3}
          - trigger: mexican_public.nationalist_backlash
            after: 2 to 6 weeks
description: |
  Multi-line text
  kept as written.
"""


def _billion_laughs() -> bytes:
    lines = ['lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def _nested_mappings(levels: int) -> bytes:
    # `levels` mappings, the root included: k0 holds the 2nd level, ... and the last
    # one holds `leaf: 1`.
    lines = [f"{'  ' * i}k{i}:" for i in range(levels - 1)]
    lines.append(f"{'  ' * (levels - 1)}leaf: 1")
    return ("\n".join(lines) + "\n").encode()


# (id, input, expected (line, column), fragment of the message)
BAD_INPUTS: list[tuple[str, bytes, tuple[int, int], str]] = [
    ("unclosed double quote", b'id: x\ntitle: "abc\nfoo: 1\n', (2, 8), "never closed"),
    ("unclosed single quote", b"id: x\ntitle: 'abc\n", (2, 8), "never closed"),
    ("unclosed bracket", b"id: x\nlist: [1, 2\nfoo: 3\n", (2, 7), "`[` opened here is not closed"),
    ("unclosed brace", b"id: x\nm: {a: 1\nfoo: 3\n", (2, 4), "`{` opened here is not closed"),
    ("indentation too deep", b"id: x\nparams:\n  a: 1\n   b: 2\n", (4, 5), "unexpected `:`"),
    ("indentation dedent", b"id: x\nparams:\n    a: 1\n  b: 2\n", (4, 3), "bad indentation"),
    ("colon without space", b"id: x\ntitle: a: b\n", (2, 9), "unexpected `:`"),
    ("missing colon", b"id: x\nfoo\nbar: 1\n", (2, 1), "no `:` after the key"),
    ("tab indentation", b"id: x\nparams:\n\ta: 1\n", (3, 1), "tab character used for indentation"),
    ("tab after spaces", b"id: x\np:\n  a: 1\n\tb: 2\n", (4, 1), "tab character used"),
    (
        "duplicate key",
        b"id: x\ntitle: a\nb: 2\ntitle: c\n",
        (4, 1),
        "duplicate key `title` (first defined at line 2)",
    ),
    ("alias bomb", _billion_laughs(), (1, 6), "anchors and aliases are not supported"),
    ("anchor and alias", b"a: &x 1\nb: *x\n", (1, 4), "anchors and aliases are not supported"),
    ("alias only", b"b: *x\n", (1, 4), "found alias `*x`"),
    ("deep flow nesting", b"a: " + b"[" * 100_000, (1, 67), "nesting deeper than 64 levels"),
    ("deep flow top level", b"[" * 100_000, (1, 65), "nesting deeper than 64 levels"),
    (
        "deep block nesting",
        b"a:\n" + b"- " * 100_000 + b"x\n",
        (2, 127),
        "nesting deeper than 64 levels",
    ),
    (
        "65 nested mappings",
        _nested_mappings(MAX_DEPTH + 1),
        (65, 129),
        "nesting deeper than 64 levels",
    ),
    ("not UTF-8", b"id: x\ntitle: caf\xe9\n", (2, 11), "\\xE9"),
    ("not UTF-8 after accents", "id: é\nt: ü".encode() + b"\xff", (2, 5), "\\xFF"),
    ("UTF-16 with BOM", "id: x\ntitle: y\n".encode("utf-16"), (0, 0), "the file is UTF-16"),
    ("UTF-16 no BOM", "id: x\ntitle: y\n".encode("utf-16-le"), (0, 0), "the file is UTF-16"),
    ("UTF-32 with BOM", "id: x\n".encode("utf-32"), (0, 0), "the file is UTF-32"),
    ("2 MiB file", b"a: " + b"x" * (2 * MIB), (0, 0), "file is 2.0 MiB; the limit is 1 MiB"),
    (
        "python tag",
        b'run: !!python/object/apply:os.system ["ls"]\n',
        (1, 6),
        "tags are not allowed (found `!!python/object/apply:os.system`)",
    ),
    ("custom tag", b"a: !custom x\n", (1, 4), "tags are not allowed (found `!custom`)"),
    ("str tag", b"a: !!str 1\n", (1, 4), "tags are not allowed"),
    ("undefined tag handle", b"a: !x!y z\n", (1, 4), "tags are not allowed"),
    ("empty file", b"", (0, 0), "the file is empty"),
    ("comments only", b"# just a comment\n\n   # another\n", (0, 0), "the file is empty"),
    ("document marker only", b"---\n", (2, 1), "the file is empty"),
    (
        "list at top level",
        b"- id: x\n- title: y\n",
        (1, 1),
        "expected a mapping of keys like `id:`, `title:` at the top level, found a list",
    ),
    ("scalar at top level", b"hello world\n", (1, 1), "found the text `hello world`"),
    ("two documents", b"id: x\n---\nid: y\n", (2, 1), "one scenario per file"),
    ("complex key", b"? [a, b]\n: 1\n", (1, 3), "a key must be plain text, found a list"),
    ("mapping as key", b"{a: 1}: 2\n", (1, 1), "a key must be plain text, found a mapping"),
    ("empty key", b": 1\n", (1, 1), "a key is missing before `:`"),
    ("NUL byte", b"id: x\ntitle: a\x00b\n", (2, 9), "NUL byte"),
    ("control character", b"id: x\ntitle: a\x1bb\n", (2, 9), "control character U+001B"),
    ("at sign", b"id: @handle\n", (1, 5), "the character `@` cannot start a value"),
    ("bad escape", b'id: "a\\qb"\n', (1, 7), "unknown escape sequence"),
    ("list item after key", b"a: - b\n", (1, 4), "a list item `- ` cannot start here"),
]


@pytest.mark.parametrize(
    ("source", "position", "fragment"),
    [pytest.param(source, pos, frag, id=name) for name, source, pos, frag in BAD_INPUTS],
)
def test_bad_input_is_one_scenario_error(
    loader: Any, source: bytes, position: tuple[int, int], fragment: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_yaml(source, file="bad.yaml")

    diagnostics = caught.value.diagnostics
    assert diagnostics
    matching = [d for d in diagnostics if fragment in d.message]
    assert matching, caught.value.format()
    assert (matching[0].line, matching[0].column) == position, caught.value.format()
    for diagnostic in diagnostics:
        assert diagnostic.file == "bad.yaml"
        assert diagnostic.severity == "error"
        assert diagnostic.hint, diagnostic.format()
    assert caught.value.format()  # renders without error


def test_bad_input_table_is_large_enough() -> None:
    assert len(BAD_INPUTS) >= 22


def test_yaml_hints_for_common_mistakes() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_yaml("id: x\ntitle: a: b\n")
    assert "is a `:` missing a space after it, or is the indentation off?" in str(
        caught.value.diagnostics[0].hint
    )
    with pytest.raises(ScenarioError) as caught:
        load_yaml("a: &x 1\n")
    assert caught.value.diagnostics[0].hint == (
        "anchors and aliases are not supported; write the value out"
    )
    with pytest.raises(ScenarioError) as caught:
        load_yaml("a: 1\n\t\n")
    assert "tab" in caught.value.diagnostics[0].message


def test_duplicate_key_in_nested_mapping_has_path() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_yaml("a:\n  b: 1\n  c: 2\n  b: 3\n")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.path == ("a", "b")
    assert (diagnostic.line, diagnostic.column) == (4, 3)
    assert "first defined at line 2" in diagnostic.message
    assert "line 4" in str(diagnostic.found)


def test_all_problems_are_reported_together() -> None:
    text = "a: 1\na: 2\nb: !!str x\nc: *z\n"
    with pytest.raises(ScenarioError) as caught:
        load_yaml(text)
    positions = [(d.line, d.column) for d in caught.value.diagnostics]
    assert positions == [(2, 1), (3, 4), (4, 4)]


def test_alias_bomb_is_capped_not_expanded() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_yaml(_billion_laughs())
    diagnostics = caught.value.diagnostics
    assert len(diagnostics) <= _builder.MAX_DIAGNOSTICS + 1
    assert any("stopped reading" in d.message for d in diagnostics)


def test_2_mib_file_on_disk_reports_real_size(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (2 * MIB))
    with pytest.raises(ScenarioError) as caught:
        load_yaml_file(path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == "file is 2.0 MiB; the limit is 1 MiB"
    assert diagnostic.file == str(path)
    assert diagnostic.line == 0


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_device_is_refused_without_reading() -> None:
    # /dev/zero never ends: like a pipe or a socket it is not a regular file, and is
    # refused before anything is read.
    with pytest.raises(ScenarioError) as caught:
        load_yaml_file("/dev/zero")
    assert "not a regular file" in caught.value.diagnostics[0].message


def test_file_exactly_at_limit_is_accepted() -> None:
    head = b"a: "
    source = head + b"x" * (MAX_BYTES - len(head))
    assert len(source) == MAX_BYTES
    assert load_yaml(source).data == {"a": "x" * (MAX_BYTES - len(head))}
    with pytest.raises(ScenarioError, match="1,048,577 bytes"):
        load_yaml(source + b"x")


def test_missing_file_is_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_yaml_file(tmp_path / "nope.yaml")
    assert "cannot read the file" in caught.value.diagnostics[0].message


def test_unexpected_exception_becomes_scenario_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Iterator[Any]:
        raise RuntimeError("boom")
        yield  # pragma: no cover - makes this a generator like yaml.parse

    monkeypatch.setattr(_builder.yaml, "parse", broken)
    with pytest.raises(ScenarioError, match="RuntimeError: boom"):
        load_yaml("a: 1\n")


def test_reader_error_is_positioned() -> None:
    error = yaml.reader.ReaderError("<s>", 6, 7, "utf-8", "special characters are not allowed")
    diagnostic = _syntax.syntax_diagnostic(error, "a: 1\nb: \x07", "f.yaml")
    assert isinstance(diagnostic, Diagnostic)
    assert (diagnostic.line, diagnostic.column) == (2, 2)


# ------------------------------------------------------------------ good input


def test_scenario_loads_with_positions(loader: Any) -> None:
    doc = load_yaml(SCENARIO, file="s.yaml")
    assert isinstance(doc, YamlDocument)
    assert doc.file == "s.yaml"
    assert doc.data["id"] == "us-mexico-cartels-2026"
    assert doc.data["as_of"] == "2026-01-05"
    assert doc.data["parameters"]["strike_rate"]["assumption"] == "true"
    assert doc.data["description"] == "Multi-line text\nkept as written.\n"
    effects = doc.data["actors"]["us_executive"]["options"]["unilateral_strike"]["effects"]
    assert effects[1] == {"add": {"cooperation": "-0.3"}}

    assert doc.value_positions[()] == (2, 1)
    assert doc.value_positions[("id",)] == (2, 5)
    assert doc.key_positions[("id",)] == (2, 1)
    assert doc.value_positions[("parameters", "strike_rate", "value")] == (11, 12)
    assert doc.key_positions[("parameters", "strike_rate", "value")] == (11, 5)
    assert doc.value_positions[("key_assumptions", 0)] == (7, 5)
    assert doc.value_positions[("key_assumptions", 0, "evidence", 1)] == (8, 25)
    assert doc.value_positions[("ladder", "rungs", 1, "id")] == (23, 12)
    path = ("actors", "us_executive", "options", "unilateral_strike", "effects", 2, "after")
    assert doc.value_positions[path] == (37, 20)
    assert doc.key_positions[path] == (37, 13)
    assert doc.value_positions[("state", "cooperation", "max")] == (17, 44)


def test_position_falls_back_to_longest_known_prefix() -> None:
    doc = load_yaml("a:\n  b: [1, 2]\n")
    assert doc.position(("a", "b", 1)) == (2, 10)
    assert doc.position(("a", "b", 7, "x")) == (2, 6)
    assert doc.position(("zzz",)) == (1, 1)
    assert doc.position(()) == (1, 1)
    assert doc.key_position(("a", "b")) == (2, 3)
    assert doc.key_position(("a", "b", 0)) == (2, 7)  # no key: value position


def test_scalars_stay_text(loader: Any) -> None:
    doc = load_yaml(
        "a: no\nb: on\nc: 1:30\nd: 1.10\ne: 0x1F\nf: 2026-01-05\ng: yes\nh: 1e3\n"
        "i: .inf\nj: true\nk: 007\n"
    )
    assert doc.data == {
        "a": "no",
        "b": "on",
        "c": "1:30",
        "d": "1.10",
        "e": "0x1F",
        "f": "2026-01-05",
        "g": "yes",
        "h": "1e3",
        "i": ".inf",
        "j": "true",
        "k": "007",
    }


def test_nulls_only_from_plain_scalars(loader: Any) -> None:
    doc = load_yaml('a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: "null"\ng: ""\nh: nULL\ni: [~, ]\n')
    assert doc.data == {
        "a": None,
        "b": None,
        "c": None,
        "d": None,
        "e": None,
        "f": "null",
        "g": "",
        "h": "nULL",
        "i": [None],
    }


def test_keys_are_always_text(loader: Any) -> None:
    doc = load_yaml("1: a\nno: b\non: c\nnull: d\n~: e\n'quoted': f\n2026-01-05: g\n")
    assert list(doc.data) == ["1", "no", "on", "null", "~", "quoted", "2026-01-05"]


def test_quoted_paths(loader: Any) -> None:
    doc = load_yaml('a: "0.3"\nb: 0.3\nc: [\'x\', y]\nd: |\n  text\ne: {f: "1"}\n')
    assert doc.quoted_paths == frozenset({("a",), ("c", 0), ("d",), ("e", "f")})
    assert doc.data["a"] == doc.data["b"] == "0.3"


def test_utf8_bom_is_accepted() -> None:
    doc = load_yaml(b"\xef\xbb\xbfid: x\ntitle: y\n")
    assert doc.data == {"id": "x", "title": "y"}
    assert doc.value_positions[("id",)] == (1, 5)
    assert load_yaml("\ufeffid: x\n").data == {"id": "x"}


def test_crlf_line_endings(loader: Any) -> None:
    doc = load_yaml(b"id: x\r\nlist:\r\n  - a\r\n  - 'b'\r\ntext: |\r\n  one\r\n  two\r\n")
    assert doc.data == {"id": "x", "list": ["a", "b"], "text": "one\ntwo\n"}
    assert doc.value_positions[("list", 1)] == (4, 5)
    assert doc.value_positions[("text",)] == (5, 7)


def test_non_ascii_columns_count_characters(loader: Any) -> None:
    doc = load_yaml("tïtlé: «ß»\nb: [é, ü]\n")
    assert doc.value_positions[("tïtlé",)] == (1, 8)
    assert doc.value_positions[("b", 1)] == (2, 8)
    with pytest.raises(ScenarioError) as caught:
        load_yaml("é: ü\nb: 'ö\n")
    assert (caught.value.diagnostics[0].line, caught.value.diagnostics[0].column) == (2, 4)


def test_64_levels_are_allowed(loader: Any) -> None:
    doc = load_yaml(_nested_mappings(MAX_DEPTH))
    node: Any = doc.data
    for level in range(MAX_DEPTH - 1):
        node = node[f"k{level}"]
    assert node == {"leaf": "1"}


@pytest.mark.parametrize(
    "source",
    [b"a: " + b"[" * 100_000, b"a:\n" + b"- " * 100_000 + b"x\n", b"{a: " * 100_000],
    ids=["flow lists", "block lists", "flow mappings"],
)
def test_deep_nesting_stops_after_a_bounded_number_of_events(
    loader: Any, source: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The work done on a hostile file is bounded by events read, not by its depth:
    # counted, not timed, so a busy machine cannot make this flaky.
    handled = 0
    original = _builder._Builder.handle

    def counting(self: Any, event: Any) -> None:
        nonlocal handled
        handled += 1
        original(self, event)

    monkeypatch.setattr(_builder._Builder, "handle", counting)
    with pytest.raises(ScenarioError) as caught:
        load_yaml(source)
    assert "nesting deeper than 64 levels" in caught.value.diagnostics[0].message
    # 64 levels need about 2 events each; twice that covers both parsers and the
    # re-read of the text before a parser's own error.
    assert handled <= 4 * MAX_DEPTH + 10, handled


def test_parser_limits_never_hide_our_nesting_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # A parser that fails on a limit of its own while reading ahead (as libyaml does at
    # 1,000 levels since PyYAML 6.0.4) must still yield our located nesting error.
    real_parse = yaml.parse

    def parse_with_own_limit(text: str, Loader: Any) -> Any:
        if len(text) > 500:
            mark = yaml.Mark("<s>", 500, 0, 500, None, None)
            raise yaml.scanner.ScannerError(
                "while growing", mark, "a message in words geosim has never seen", mark
            )
        return real_parse(text, Loader=Loader)

    monkeypatch.setattr(yaml, "parse", parse_with_own_limit)
    with pytest.raises(ScenarioError) as caught:
        load_yaml(b"a: " + b"[" * 100_000)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.column) == (1, 67)
    assert "nesting deeper than 64 levels" in diagnostic.message


@pytest.mark.parametrize(
    ("problem", "context"),
    [("found unexpected end of stream", "while scanning a quoted scalar"), ("", None)],
)
def test_errors_are_recognised_without_their_wording(
    monkeypatch: pytest.MonkeyPatch, problem: str, context: str | None
) -> None:
    # The cause is read from the error's type and marks; any wording (another
    # language, another release) gives the same message.
    text = 'id: x\ntitle: "abc\n'

    def parse_in_other_words(text: str, Loader: Any) -> Any:
        opened = yaml.Mark("<s>", 13, 1, 7, None, None)
        end = yaml.Mark("<s>", len(text), 2, 0, None, None)
        raise yaml.scanner.ScannerError(context, opened, problem or "ошибка", end)

    monkeypatch.setattr(yaml, "parse", parse_in_other_words)
    with pytest.raises(ScenarioError) as caught:
        load_yaml(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.column) == (2, 8)
    assert "the quote \" opened here is never closed" in diagnostic.message


def test_load_yaml_file_uses_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    doc = load_yaml_file(path)
    assert doc.file == str(path)
    assert doc.data["title"] == "US–Mexico: cartel strikes"
    (tmp_path / "bad.yaml").write_bytes(b"a: [1\n")
    with pytest.raises(ScenarioError) as caught:
        load_yaml_file(str(tmp_path / "bad.yaml"))
    assert caught.value.diagnostics[0].file == str(tmp_path / "bad.yaml")


def test_document_end_marker_is_fine() -> None:
    assert load_yaml("---\na: 1\n...\n").data == {"a": "1"}


def test_one_mib_file_loads() -> None:
    parts = ["id: big\ntitle: Big\nparameters:\n"]
    size = len(parts[0])
    i = 0
    while size < MAX_BYTES - 300:
        part = (
            f"  p{i}:\n    value: 0.5% to 4% per month\n    kind: rate\n"
            f'    label: "Parameter {i}"\n    evidence: [claim-{i}, claim-{i + 1}]\n'
        )
        parts.append(part)
        size += len(part)
        i += 1
    source = "".join(parts).encode()
    assert len(source) <= MAX_BYTES
    doc = load_yaml(source)
    # How long this takes is measured in benchmarks/bench_loader.py, not asserted here.
    assert len(doc.data["parameters"]) == i


# ------------------------------------------------------------------- properties


def _load_or_error(source: bytes | str) -> None:
    """Only YamlDocument or ScenarioError may come out; anything else fails the test."""
    result: YamlDocument | ScenarioError
    try:
        result = load_yaml(source)
    except ScenarioError as exc:
        result = exc
    if isinstance(result, ScenarioError):
        assert result.diagnostics
        assert result.format()
    else:
        assert isinstance(result.data, dict)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.binary(max_size=400), loader_index=st.integers(0, len(LOADERS) - 1))
def test_random_bytes_never_crash(source: bytes, loader_index: int) -> None:
    with using_loader(LOADERS[loader_index]):
        _load_or_error(source)


_SCENARIO_LINES = SCENARIO.splitlines(keepends=True)
_MUTATION = st.tuples(
    st.sampled_from(
        [
            "delete_char",
            "duplicate_char",
            "swap_chars",
            "insert_char",
            "delete_line",
            "duplicate_line",
            "swap_lines",
        ]
    ),
    st.integers(0, len(SCENARIO) - 1),
    st.integers(0, len(SCENARIO) - 1),
    st.sampled_from(list(" \t\n:-[]{}'\"#&*!|>?,%@`~\x00é")),
)


def _mutate(text: str, mutation: tuple[str, int, int, str]) -> str:
    kind, a, b, char = mutation
    if kind.endswith("_line"):
        lines = text.splitlines(keepends=True) or [""]
        a %= len(lines)
        b %= len(lines)
        if kind == "delete_line":
            del lines[a]
        elif kind == "duplicate_line":
            lines.insert(a, lines[a])
        else:
            lines[a], lines[b] = lines[b], lines[a]
        return "".join(lines)
    if kind == "swap_chars":
        if not text:
            return text
        chars = list(text)
        a %= len(chars)
        b %= len(chars)
        chars[a], chars[b] = chars[b], chars[a]
        return "".join(chars)
    a %= len(text) + 1
    if kind == "delete_char":
        return text[:a] + text[a + 1 :]
    if kind == "duplicate_char":
        return text[:a] + text[a : a + 1] + text[a:]
    return text[:a] + char + text[a:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutations=st.lists(_MUTATION, min_size=1, max_size=6),
    loader_index=st.integers(0, len(LOADERS) - 1),
    as_bytes=st.booleans(),
)
def test_mutated_scenario_never_crashes(
    mutations: list[tuple[str, int, int, str]], loader_index: int, as_bytes: bool
) -> None:
    text = SCENARIO
    for mutation in mutations:
        text = _mutate(text, mutation)
    with using_loader(LOADERS[loader_index]):
        _load_or_error(text.encode("utf-8", "surrogatepass") if as_bytes else text)


def test_unmutated_scenario_loads() -> None:
    assert len(_SCENARIO_LINES) > 30
    load_yaml(SCENARIO)
