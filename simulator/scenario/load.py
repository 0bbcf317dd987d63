"""Load a scenario file: safe YAML → structure (pydantic) → meaning (compile) → evidence.

Every stage reports *all* its problems, each placed at file:line:column with the key
path, what was expected, what was found and a hint. A later stage runs only when the
earlier one succeeded (meaning cannot be checked on a broken structure).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import types
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel

from simulator.errors import Diagnostic, KeyPath, ScenarioError
from simulator.scenario.provenance import cited_in_provenance, provenance_diagnostics
from simulator.scenario.schema import Scenario
from simulator.scenario.yaml_loader import (
    YamlDocument,
    load_yaml,
    load_yaml_file,
    read_limited,
)

EVIDENCE_REGISTER = Path("seeds") / "evidence.yaml"


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario with where it came from and what the checks said about it."""

    path: str
    sha256: str
    scenario: Scenario | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not any(
            d.severity == "error" for d in self.diagnostics
        )

    def strict(self) -> ScenarioFile:
        """The same file with every warning made an error (``geosim validate --strict``)."""
        return replace(self, diagnostics=[
            replace(d, severity="error") if d.severity == "warning" else d
            for d in self.diagnostics])


# --------------------------------------------------------------------------- pydantic errors


def _data_path(data: Any, loc: tuple[Any, ...]) -> KeyPath:
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


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names (aliases) of the model found at ``loc``, for "did you mean" hints."""
    current: list[Any] = [Scenario]
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


def _schema_diagnostics(doc: YamlDocument, error: pydantic.ValidationError) -> list[Diagnostic]:
    out = []
    bad_keys: set[KeyPath] = set()
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _data_path(doc.data, loc)
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
            allowed = _allowed_keys(loc[:-1])
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


# --------------------------------------------------------------------------- compile diagnostics


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _source_position(lines: list[str], line: int, col: int, value: str,
                     offset: int) -> tuple[int, int] | None:
    """Where character ``offset`` (0-based) of a scalar's value stands in the source.

    Folded, literal and multi-line plain scalars lose line breaks and indentation, so
    the value's characters are matched one by one against the source from the value's
    start, skipping what YAML removed (white space, a block indicator line, a quote).
    """
    if line <= 0 or not value:
        return None
    i, j = line - 1, col - 1
    first = lines[i][j:].lstrip() if i < len(lines) else ""
    if first[:1] in ("|", ">"):  # a block scalar's text starts on the next line
        i, j = i + 1, 0
    for k, ch in enumerate(value):
        if ch.isspace():
            continue
        while i < len(lines):
            found = lines[i].find(ch, j)
            gap = lines[i][j:found] if found >= 0 else lines[i][j:]
            if found >= 0 and (not gap.strip() or gap.strip() in ("'", '"')):
                if k >= offset:
                    return i + 1, found + 1
                j = found + 1
                break
            i, j = i + 1, 0
        else:
            return None
    return None


def _place(doc: YamlDocument, diag: Diagnostic, lines: list[str]) -> Diagnostic:
    """Give a path-only diagnostic from the compiler its file position."""
    line, col = doc.position(diag.path)
    value = _value_at(doc.data, diag.path)
    if isinstance(value, str) and lines:
        exact = _source_position(lines, line, col, value, max(diag.column, 1) - 1)
        if exact is not None:
            return replace(diag, file=doc.file, line=exact[0], column=exact[1])
    if diag.path in doc.quoted_paths:
        col += 1  # skip the opening quote
    return replace(diag, file=doc.file, line=line, column=col + max(diag.column, 1) - 1)


# --------------------------------------------------------------------------- evidence


def find_evidence_registers(scenario_path: Path, scenario: Scenario) -> list[Path]:
    """The evidence registers a scenario cites: those it names, else the nearest
    seeds/evidence.yaml in its folder or a parent folder (none when there is none)."""
    named = scenario.evidence_register
    if named:
        names = [named] if isinstance(named, str) else list(named)
        return [(scenario_path.parent / n).resolve() for n in names]
    for folder in [scenario_path.parent.resolve(), *scenario_path.parent.resolve().parents]:
        candidate = folder / EVIDENCE_REGISTER
        if candidate.is_file():
            return [candidate]
    return []


def find_evidence_register(scenario_path: Path, scenario: Scenario) -> Path | None:
    """The first evidence register a scenario cites (see :func:`find_evidence_registers`)."""
    registers = find_evidence_registers(scenario_path, scenario)
    return registers[0] if registers else None


def load_evidence(path: Path) -> dict[str, dict[str, Any]]:
    """Claims of an evidence register by id (raises ScenarioError if the register is bad)."""
    try:
        doc = load_yaml_file(path)
    except ScenarioError as exc:
        if any("at the top level" in d.message for d in exc.diagnostics):
            raise ScenarioError(Diagnostic(
                "an evidence register needs a `claims:` mapping at the top level",
                file=str(path), line=1, column=1,
                hint="see seeds/README.md for the format")) from None
        raise
    claims = doc.data.get("claims")
    if not isinstance(claims, dict):
        raise ScenarioError(Diagnostic("an evidence register needs a `claims:` mapping",
                                       file=str(path), line=1, column=1))
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in claims.items()}


def _display_path(register: Path, scenario_path: Path) -> str:
    """The register's path as the user would write it: relative to the scenario file."""
    try:
        return os.path.relpath(register, scenario_path.resolve().parent)
    except ValueError:
        return str(register)


def _cited(scenario: Scenario) -> list[tuple[KeyPath, str]]:
    cited: list[tuple[KeyPath, str]] = cited_in_provenance(scenario)
    for i, assumption in enumerate(scenario.key_assumptions):
        cited += [(("key_assumptions", i, "evidence", j), e)
                  for j, e in enumerate(assumption.evidence)]
    for name, p in scenario.parameters.items():
        cited += [(("parameters", name, "evidence", j), e) for j, e in enumerate(p.evidence)]
    for actor_id, actor in scenario.actors.items():
        for option_id, option in actor.options.items():
            cited += [(("actors", actor_id, "options", option_id, "evidence", j), e)
                      for j, e in enumerate(option.evidence)]
    return cited


def _evidence_diagnostics(doc: YamlDocument, scenario: Scenario, path: Path,
                          registers: list[Path], claims: dict[str, Any]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not registers:
        return out
    where = " or ".join(_display_path(r, path) for r in registers)
    known = sorted(claims)
    for key_path, claim in _cited(scenario):
        if claim not in claims:
            close = difflib.get_close_matches(claim, known, n=1, cutoff=0.6)
            line, col = doc.position(key_path)
            out.append(Diagnostic(
                f"unknown evidence id `{claim}`", file=doc.file, line=line, column=col,
                path=key_path, expected=f"a claim id from {where}",
                found=claim, hint=f"did you mean `{close[0]}`?" if close
                else "add the claim to the register or fix the id"))
    return out


# --------------------------------------------------------------------------- entry points


def check_document(doc: YamlDocument, path: Path, sha256: str,
                   source: str = "") -> ScenarioFile:
    """Run every check on a loaded YAML document."""
    from simulator.model.compile import check_scenario  # compile sits one stage later

    try:
        scenario = Scenario.model_validate(doc.data)
    except pydantic.ValidationError as exc:
        return ScenarioFile(str(path), sha256, None, _schema_diagnostics(doc, exc))
    from simulator.scenario.limits import limit_diagnostics

    lines = source.splitlines()
    limits = limit_diagnostics(scenario, doc.file)
    if limits:  # beyond the size limits: compiling could already exhaust memory
        return ScenarioFile(str(path), sha256, None, [_place(doc, d, lines) for d in limits])
    diagnostics = [_place(doc, d, lines) for d in check_scenario(scenario)]
    registers = find_evidence_registers(path, scenario)
    claims: dict[str, dict[str, Any]] = {}
    readable: list[Path] = []
    for i, register in enumerate(registers):
        if register.is_file():
            try:
                claims.update(load_evidence(register))
                readable.append(register)
            except ScenarioError as exc:
                diagnostics += exc.diagnostics
        else:
            key: KeyPath = ("evidence_register",)
            if isinstance(scenario.evidence_register, list):
                key = ("evidence_register", i)
            line, col = doc.position(key)
            diagnostics.append(Diagnostic(
                "the evidence register does not exist", file=doc.file, line=line, column=col,
                path=key, found=str(register),
                hint="fix the path (it is relative to the scenario file)"))
    diagnostics += _evidence_diagnostics(doc, scenario, path, readable if claims else [],
                                         claims)
    if not registers and _cited(scenario):
        diagnostics.append(Diagnostic(
            "evidence ids are cited but no evidence register was found, so they were not "
            "checked", file=doc.file, line=1, column=1, severity="warning",
            hint=f"put the register at {EVIDENCE_REGISTER} in this folder or a parent, or "
                 "name it with `evidence_register:`"))
    diagnostics += provenance_diagnostics(scenario, doc.file, doc.position)
    diagnostics.sort(key=lambda d: (d.line, d.column, d.severity != "error", d.message))
    return ScenarioFile(str(path), sha256, scenario, diagnostics, claims)


def read_scenario(path: str | os.PathLike[str]) -> ScenarioFile:
    """Load and check one scenario file; never raises for bad input (see ``diagnostics``)."""
    p = Path(path)
    try:
        raw = read_limited(p)  # read once: hashed and parsed from the same bytes
        doc = load_yaml(raw, file=str(p))
    except ScenarioError as exc:
        return ScenarioFile(str(p), "", None, exc.diagnostics)
    source = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return check_document(doc, p, hashlib.sha256(raw).hexdigest(), source)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load a scenario file; raise :class:`ScenarioError` with every problem found."""
    result = read_scenario(path)
    if not result.ok or result.scenario is None:
        raise ScenarioError(result.diagnostics)
    return result.scenario
