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
from typing import Any

from pydantic import BaseModel

from simulator.errors import Diagnostic, KeyPath
from simulator.scenario.schema import Scenario
from simulator.scenario.yaml_loader import YamlDocument


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
        following: list[Any] = []
        for tp in current:
            for t in _unwrap(tp):
                origin = typing.get_origin(t)
                if isinstance(t, type) and issubclass(t, BaseModel):
                    for name, info in t.model_fields.items():
                        if part in (name, info.alias):
                            following.append(info.annotation)
                    if isinstance(part, str) and part not in t.model_fields:
                        following.append(t)  # a union tag: stay on the model
                elif origin is dict:
                    following.append(typing.get_args(t)[1])
                elif origin in (tuple, list):
                    following.append(typing.get_args(t)[0])
        current = following
    keys: list[str] = []
    for tp in current:
        for t in _unwrap(tp):
            if isinstance(t, type) and issubclass(t, BaseModel):
                keys += [info.alias or name for name, info in t.model_fields.items()]
    return sorted(set(keys))


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


def schema_diagnostics(doc: YamlDocument, errors: list[tuple[dict[str, Any], KeyPath]],
                       model: type[BaseModel] = Scenario) -> list[Diagnostic]:
    """Diagnostics for pydantic errors, each given with its path in ``doc.data``.

    ``model`` is the pydantic model ``doc.data`` was validated against (a scenario, or
    another file geosim reads the same way, such as a sweep spec or a resolution file).
    """
    out = []
    bad_keys: set[KeyPath] = set()
    for err, path in errors:
        loc = tuple(err["loc"])
        if path in bad_keys:
            continue  # the key itself is wrong; its value's problems are noise
        kind = err["type"]
        found: str | None = _describe(err.get("input"))
        expected = _EXPECTED.get(kind)
        hint: str | None = _HINTS.get(kind)
        found_text: str | None = found
        message = err["msg"].removeprefix("Value error, ")
        line, col = doc.position(path)
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(loc[:-1], model)
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            message = f"unknown key `{key}`"
            expected = "one of " + ", ".join(f"`{k}`" for k in allowed) if allowed else None
            found = f"`{key}`"
            hint = f"did you mean `{close[0]}`?" if close else "remove it or check the spelling"
            line, col = doc.key_position(path)
        elif kind == "missing":
            key = str(loc[-1])
            message = f"missing required key `{key}`"
            found_text = None
            hint = f"add `{key}:` here"
        elif kind == "string_pattern_mismatch":
            pattern = str(err.get("ctx", {}).get("pattern", ""))
            if "\\." in pattern:
                expected = "an option reference `actor.option` in lowercase letters, digits, _"
                hint = "write it as `actor.option`, e.g. `mexican_public.backlash`"
            elif "_-" in pattern:
                expected = "lowercase letters, digits, `-` and `_`"
            else:
                expected = "a name of lowercase letters, digits and `_`, not starting with a digit"
            message = "not a valid identifier"
            hint = hint or "for example `us_executive` or `strike_rate`"
            if "[key]" in loc:
                bad_keys.add(path)
                line, col = doc.key_position(path)
                if any(ch in str(loc[-2]) for ch in "() "):
                    hint = ("inside `{ ... }` a comma separates entries, so an expression "
                            "with commas was cut in two; quote it: "
                            "`set: {escalation: \"max(escalation, strike)\"}`")
        elif kind == "bool_type" or "true or false" in message:
            expected = "true or false"
            hint = ("YAML 1.1 reads `yes`/`no`/`on`/`off` as booleans; "
                    "geosim wants `true` or `false`")
        elif kind in ("string_too_long", "too_long") and isinstance(err.get("input"), str):
            limit = err.get("ctx", {}).get("max_length")
            message = f"this text is longer than {limit:,} characters"
            found = f"{len(str(err.get('input', ''))):,} characters"
            hint = "shorten it; long explanations belong in `description` or `note`"
        elif err.get("input") is None and kind.endswith("_type"):
            message = "a value is missing here"
            hint = "write a value after the `:`, or remove the key"
        elif kind == "effect_kind":
            expected = "`set:`, `add:`, `escalate:`, `deescalate:` or `trigger:`"
            given = err.get("input")
            keys = ", ".join(f"`{k}`" for k in given) if isinstance(given, dict) else ""
            if keys:
                found = f"keys {keys}"
            hint = (f"{keys or 'this'} is not an effect; start the effect with one of the "
                    "expected keys, e.g. `- add: {cooperation: -0.1}`")
        elif kind in ("greater_than_equal", "less_than_equal") and path[-1:] in (
                ("escalate",), ("deescalate",)):
            hint = _direction_hint(str(path[-1]), err.get("input"))
            message = f"`{path[-1]}` is a number of rungs, 1 to 100"
        elif kind == "value_error" and isinstance(err.get("input"), dict):
            found = None  # the message says what is wrong with the mapping
            if "one of rate, weight or at" in message:
                hint = "keep one of them; use `trigger` from another option for the rest"
            elif "greater than max" in message:
                hint = "swap `min` and `max`"
        if kind != "missing":
            found_text = found
        out.append(Diagnostic(message, file=doc.file, line=line, column=col, path=path,
                              expected=expected, found=found_text, hint=hint))
    return out




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
