"""Turn pydantic's structure errors into diagnostics a student can act on.

Each error is placed at its key path (a location inside pydantic's tagged unions is
mapped onto keys that exist in the file), with what was expected, what was found and
a hint: a "did you mean" for misspelt keys, the YAML 1.1 boolean trap, a quoting hint
for expressions cut by a comma, the opposite effect for a negative `escalate`.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from simulator.errors import Diagnostic, KeyPath
from simulator.scenario.schema import Scenario
from simulator.scenario.yaml import YamlDocument


def data_path(data: Any, loc: tuple[Any, ...]) -> KeyPath:
    """Map a pydantic error location onto keys that exist in the data.

    Locations may hold union tags and shorthand field names that are not in the YAML;
    the longest matching walk wins.
    """
    best: KeyPath = ()

    def walk(node: Any, rest: tuple[Any, ...], path: KeyPath) -> None:
        nonlocal best
        if len(path) > len(best):
            best = path
        if not rest:
            return
        head, tail = rest[0], rest[1:]
        in_dict = isinstance(node, dict) and isinstance(head, str) and head in node
        in_list = isinstance(node, list) and isinstance(head, int) and 0 <= head < len(node)
        if in_dict or in_list:
            walk(node[head], tail, (*path, head))
        walk(node, tail, path)  # the location part is not in the data (a tag): skip it

    walk(data, tuple(p for p in loc if p != "[key]"), ())
    return best


def _unwrap(tp: Any) -> list[Any]:
    """The concrete types inside Annotated/Optional/Union."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _unwrap(arg)]
    return [tp]


def _allowed_keys(loc: tuple[Any, ...], model: type[BaseModel] = Scenario) -> list[str]:
    """Field names (aliases) of the model found at ``loc``, for "did you mean" hints."""
    current: list[Any] = [model]
    for part in loc:
        current = [following for tp in current for t in _unwrap(tp)
                   for following in _step(t, part)]
    keys: list[str] = []
    for tp in current:
        for t in _unwrap(tp):
            if isinstance(t, type) and issubclass(t, BaseModel):
                keys += [info.alias or name for name, info in t.model_fields.items()]
    return sorted(set(keys))


def _step(t: Any, part: Any) -> list[Any]:
    """The types one location ``part`` further down from the type ``t``."""
    origin = typing.get_origin(t)
    if isinstance(t, type) and issubclass(t, BaseModel):
        following = [info.annotation for name, info in t.model_fields.items()
                     if part in (name, info.alias)]
        if isinstance(part, str) and part not in t.model_fields:
            following.append(t)  # a union tag: stay on the model
        return following
    if origin is dict:
        return [typing.get_args(t)[1]]
    if origin in (tuple, list):
        return [typing.get_args(t)[0]]
    return []


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_HINTS = {
    "dict_type": "indent `key: value` lines under this key (a mapping), not a list or text",
    "model_type": "indent `key: value` lines under this key (a mapping), not a list or text",
    "float_parsing": "write a number such as `0.5`",
    "int_parsing": "write a whole number such as `2`",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD, for example `2026-01-05`",
    "date_parsing": "write the date as YYYY-MM-DD, for example `2026-01-05`",
    "tuple_type": "write a list: `[a, b]` or one `- item` per line",
    "greater_than_equal": "use a larger number",
    "less_than_equal": "use a smaller number",
    "too_short": "add more entries",
}

_EXPECTED = {
    "string_type": "text",
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "date_from_datetime_parsing": "a date written YYYY-MM-DD",
    "date_parsing": "a date written YYYY-MM-DD",
    "date_type": "a date written YYYY-MM-DD",
    "dict_type": "a mapping of keys to values",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "finite_number": "a finite number",
}


@dataclass
class _Draft:
    """A diagnostic being worded: each kind of error rewrites the parts it knows better."""

    message: str
    expected: str | None
    found: str | None
    hint: str | None
    position: tuple[int, int]


@dataclass(frozen=True)
class _Error:
    """One pydantic error, its path in the data, the document it points into, and the
    model the data was validated against."""

    doc: YamlDocument
    err: dict[str, Any]
    path: KeyPath
    model: type[BaseModel]

    @property
    def loc(self) -> tuple[Any, ...]:
        return tuple(self.err["loc"])

    @property
    def kind(self) -> str:
        return str(self.err["type"])

    @property
    def input(self) -> Any:
        return self.err.get("input")


def schema_diagnostics(doc: YamlDocument, errors: list[tuple[dict[str, Any], KeyPath]],
                       model: type[BaseModel] = Scenario) -> list[Diagnostic]:
    """Diagnostics for pydantic errors, each given with its path in ``doc.data``.

    ``model`` is the pydantic model ``doc.data`` was validated against (a scenario, or
    another file geosim reads the same way, such as a sweep spec or a resolution file).
    """
    out = []
    bad_keys: set[KeyPath] = set()
    for err, path in errors:
        if path in bad_keys:
            continue  # the key itself is wrong; its value's problems are noise
        error = _Error(doc, err, path, model)
        draft = _Draft(
            message=err["msg"].removeprefix("Value error, "),
            expected=_EXPECTED.get(error.kind),
            found=_describe(error.input),
            hint=_HINTS.get(error.kind),
            position=doc.position(path),
        )
        reword = _rewording(error, draft.message)
        if reword is not None:
            reword(error, draft)
        if reword is _bad_identifier and "[key]" in error.loc:
            bad_keys.add(path)
        line, col = draft.position
        out.append(Diagnostic(draft.message, file=doc.file, line=line, column=col, path=path,
                              expected=draft.expected, found=draft.found, hint=draft.hint))
    return out


def _rewording(error: _Error, message: str) -> Callable[[_Error, _Draft], None] | None:
    """How to reword this kind of error, if geosim words it better than pydantic."""
    kind, given, path = error.kind, error.input, error.path
    if kind in _REWORDINGS:
        return _REWORDINGS[kind]
    if kind == "bool_type" or "true or false" in message:
        return _boolean
    if kind in ("string_too_long", "too_long") and isinstance(given, str):
        return _too_long
    if given is None and kind.endswith("_type"):
        return _no_value
    if kind == "effect_kind":
        return _effect_kind
    if kind in ("greater_than_equal", "less_than_equal") and path[-1:] in (
            ("escalate",), ("deescalate",)):
        return _rungs
    if kind == "value_error" and isinstance(given, dict):
        return _mapping_rule
    return None


def _unknown_key(error: _Error, draft: _Draft) -> None:
    key = str(error.loc[-1])
    allowed = _allowed_keys(error.loc[:-1], error.model)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    draft.message = f"unknown key `{key}`"
    draft.expected = "one of " + ", ".join(f"`{k}`" for k in allowed) if allowed else None
    draft.found = f"`{key}`"
    draft.hint = f"did you mean `{close[0]}`?" if close else "remove it or check the spelling"
    draft.position = error.doc.key_position(error.path)


def _missing(error: _Error, draft: _Draft) -> None:
    key = str(error.loc[-1])
    draft.message = f"missing required key `{key}`"
    draft.found = None
    draft.hint = f"add `{key}:` here"


def _bad_identifier(error: _Error, draft: _Draft) -> None:
    pattern = str(error.err.get("ctx", {}).get("pattern", ""))
    if "\\." in pattern:
        draft.expected = "an option reference `actor.option` in lowercase letters, digits, _"
        draft.hint = "write it as `actor.option`, e.g. `mexican_public.backlash`"
    elif "_-" in pattern:
        draft.expected = "lowercase letters, digits, `-` and `_`"
    else:
        draft.expected = "a name of lowercase letters, digits and `_`, not starting with a digit"
    draft.message = "not a valid identifier"
    draft.hint = draft.hint or "for example `us_executive` or `strike_rate`"
    if "[key]" in error.loc:
        draft.position = error.doc.key_position(error.path)
        if any(ch in str(error.loc[-2]) for ch in "() "):
            draft.hint = ("inside `{ ... }` a comma separates entries, so an expression "
                          "with commas was cut in two; quote it: "
                          "`set: {escalation: \"max(escalation, strike)\"}`")


def _boolean(error: _Error, draft: _Draft) -> None:
    draft.expected = "true or false"
    draft.hint = ("YAML 1.1 reads `yes`/`no`/`on`/`off` as booleans; "
                  "geosim wants `true` or `false`")


def _too_long(error: _Error, draft: _Draft) -> None:
    limit = error.err.get("ctx", {}).get("max_length")
    draft.message = f"this text is longer than {limit:,} characters"
    draft.found = f"{len(str(error.err.get('input', ''))):,} characters"
    draft.hint = "shorten it; long explanations belong in `description` or `note`"


def _no_value(error: _Error, draft: _Draft) -> None:
    draft.message = "a value is missing here"
    draft.hint = "write a value after the `:`, or remove the key"


def _effect_kind(error: _Error, draft: _Draft) -> None:
    draft.expected = "`set:`, `add:`, `escalate:`, `deescalate:` or `trigger:`"
    given = error.input
    keys = ", ".join(f"`{k}`" for k in given) if isinstance(given, dict) else ""
    if keys:
        draft.found = f"keys {keys}"
    draft.hint = (f"{keys or 'this'} is not an effect; start the effect with one of the "
                  "expected keys, e.g. `- add: {cooperation: -0.1}`")


def _rungs(error: _Error, draft: _Draft) -> None:
    key = str(error.path[-1])
    draft.hint = _direction_hint(key, error.input)
    draft.message = f"`{key}` is a number of rungs, 1 to 100"


def _mapping_rule(error: _Error, draft: _Draft) -> None:
    draft.found = None  # the message says what is wrong with the mapping
    if "one of rate, weight or at" in draft.message:
        draft.hint = "keep one of them; use `trigger` from another option for the rest"
    elif "greater than max" in draft.message:
        draft.hint = "swap `min` and `max`"


#: Kinds of error reworded whatever their input or message (checked first).
_REWORDINGS: dict[str, Callable[[_Error, _Draft], None]] = {
    "extra_forbidden": _unknown_key,
    "missing": _missing,
    "string_pattern_mismatch": _bad_identifier,
}


def _direction_hint(key: str, value: Any) -> str:
    """`escalate: -1` means one rung down: say how to write that."""
    other = "deescalate" if key == "escalate" else "escalate"
    try:
        steps = int(value)
    except (TypeError, ValueError):
        steps = 0
    if steps < 0:
        return (f"`{key}` counts rungs and is 1 or more; to move the other way write "
                f"`{other}: {-steps}`")
    if steps == 0:
        return "moving zero rungs does nothing; remove the effect"
    return "there cannot be more than 100 rungs to move"
