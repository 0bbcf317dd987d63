"""The JSON Schema of scenario files, as editors read them.

Editors (yaml-language-server in VS Code and others) validate a scenario with YAML
1.2's own types: ``0.7`` is a number and ``true`` a boolean before the schema sees it.
geosim's loader instead keeps every scalar as text and lets the pydantic models decide
(:mod:`simulator.scenario.yaml`), so a text field such as a quantity accepts a
plain ``0.7``. The schema pydantic generates says ``"type": "string"`` there; taken
literally, an editor would underline every number in a valid file.

So the generated schema is adjusted to accept exactly what the loader accepts:

* a text field accepts the numbers and booleans whose written form it would accept
  (checked against the field's own pattern, so `id: 2026` is fine and `name: 12` is
  not where names must start with a letter);
* a yes/no field accepts booleans and the text ``true``/``false``;
* a parameter or state variable written as a bare value (``strike_rate: 3% per
  month``) is accepted beside the full mapping.

Shape errors stay errors: unknown keys, missing required keys, a list where a mapping
belongs.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.scenario.schema import Scenario

__all__ = ["json_schema"]

# Written forms of YAML 1.2 numbers and booleans, to test a field's pattern against.
_INTEGER_FORMS = ("12", "0", "-3")
_NUMBER_FORMS = ("1.5", "0.25", "-2.5")
_BOOLEAN_FORMS = ("true", "false")
# Models that also accept a bare value in place of the mapping (see `_shorthand`).
_SHORTHAND_MODELS = {"Parameter": "value", "StateVariable": "initial"}
_BOOL_TEXT = ["true", "false", "True", "False", "TRUE", "FALSE"]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (draft-07 keywords plus `$defs`)."""
    schema = Scenario.model_json_schema(by_alias=True)
    _visit(schema)
    definitions = schema.get("$defs", {})
    for name, field in _SHORTHAND_MODELS.items():
        if name in definitions:
            definitions[name] = _with_shorthand(definitions[name], field)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["title"] = "geosim scenario"
    return schema


def _visit(node: Any) -> None:
    """Widen every text and yes/no sub-schema in place, recursively."""
    if isinstance(node, list):
        for child in node:
            _visit(child)
        return
    if not isinstance(node, dict):
        return
    for child in node.values():
        _visit(child)
    kind = node.get("type")
    if kind == "string" and not ({"format", "enum", "const"} & node.keys()):
        node["type"] = ["string", *_scalar_types_accepted(node.get("pattern"))]
    elif kind == "boolean":
        node.pop("type")
        node["anyOf"] = [{"type": "boolean"}, {"enum": _BOOL_TEXT}]


def _scalar_types_accepted(pattern: str | None) -> list[str]:
    """JSON types whose YAML text the loader would accept in a field of ``pattern``."""

    def fits(forms: tuple[str, ...]) -> bool:
        return pattern is None or all(re.search(pattern, form) for form in forms)

    if fits(_NUMBER_FORMS) and fits(_INTEGER_FORMS):
        accepted = ["number"]
    elif fits(_INTEGER_FORMS):
        accepted = ["integer"]
    else:
        accepted = []
    if fits(_BOOLEAN_FORMS):
        accepted.append("boolean")
    return accepted


def _with_shorthand(model_schema: dict[str, Any], field: str) -> dict[str, Any]:
    """``model_schema`` or a bare value of the type of its ``field``."""
    bare = dict(model_schema["properties"][field])
    bare.pop("description", None)
    bare.pop("title", None)
    wrapper: dict[str, Any] = {"anyOf": [model_schema, bare]}
    for key in ("title", "description"):
        if key in model_schema:
            wrapper[key] = model_schema[key]
    return wrapper
