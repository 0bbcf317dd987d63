"""Provenance of every number in a scenario: where it comes from, or that nobody knows.

A *number* is a field whose text holds a numeric literal: a parameter's value, a state
variable's initial value, a correlation, an option's `when` (thresholds), `rate`,
`weight` or `at`, an effect's amount, a trigger's `after` (delay) and `chance`, an
actor's decision cadence and idle weight, a variant's replacement values, and the
thresholds inside outcome and indicator conditions. Inside a formula the literals 0 and
1 are structure (`1 - nationalism`, a yes/no switch), not numbers; on its own a 1 is a
number (`weight: 1` is a judgement relative to the other weights).

Each number gets one provenance:

* ``evidence`` — claim ids from the evidence register;
* ``assumption`` — the modeller's judgement, with the reason written down;
* ``definition`` — a threshold inside an outcome's or indicator's condition, which maps
  its written resolution criteria onto the model's scale;
* ``unsourced`` — none of the above.

Where provenance is looked up: a parameter, state variable or correlation carries its own
``evidence`` / ``assumption`` + ``note``. Options, actors and variants carry
``provenance:`` — one entry for all their numbers, or a mapping from a key (a field name,
``effects``, ``triggers``, a variable or parameter name, an ``actor.option``, or ``all``)
to an entry. An entry is a list of claim ids or a sentence giving the assumption's reason.
The most specific key wins; an option marked ``assumption: true`` with a ``note`` makes
its remaining numbers assumptions. Finally, a scenario-level ``provenance:`` table maps
dotted key paths (``actors.us.options.strike``) to entries and covers every number under
a path that is still unsourced (the longest matching path wins).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from simulator.errors import Diagnostic, KeyPath
from simulator.scenario.schema import (
    Actor,
    AddEffect,
    Option,
    Scenario,
    SetEffect,
    TriggerEffect,
)

Source = Literal["evidence", "assumption", "definition", "unsourced"]

_LITERAL = re.compile(r"(?<![\w.])(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNIT_WORDS = frozenset({
    "day", "days", "d", "week", "weeks", "w", "month", "months", "mo", "year", "years", "y",
    "yr", "yrs", "hour", "hours", "h", "per", "in", "to", "a", "an", "every",
})


_DEFAULTS = {"idle_weight": "0", "after": "0 days", "chance": "1"}


@dataclass(frozen=True)
class NumberProvenance:
    """One number of a scenario and where it comes from."""

    path: KeyPath          # where the number is written
    text: str              # the value as written
    role: str              # parameter, initial state, threshold, rate, weight, effect size, ...
    source: Source
    evidence: tuple[str, ...] = ()
    reason: str = ""       # the assumption's reason, or the definition's label
    element: KeyPath = ()  # the parameter/option/variant/... the number belongs to

    def to_dict(self) -> dict[str, Any]:
        from simulator.errors import format_key_path

        return {"path": format_key_path(self.path), "value": self.text, "role": self.role,
                "source": self.source, "evidence": list(self.evidence),
                "reason": self.reason}


def carries_number(text: str) -> bool:
    """True when the field's text holds a number that needs provenance (module docstring)."""
    values = [float(m.group(0)) for m in _LITERAL.finditer(text)]
    if not values:
        return False
    if any(v not in (0.0, 1.0) for v in values):
        return True
    words = {w.lower() for w in _WORD.findall(text)}
    return not (words - _UNIT_WORDS)  # a bare constant, perhaps with units


def _spec(entry: Any) -> tuple[Source, tuple[str, ...], str]:
    if isinstance(entry, str):
        return ("assumption", (), entry) if entry.strip() else ("unsourced", (), "")
    ids = tuple(str(e) for e in entry)
    return ("evidence", ids, "") if ids else ("unsourced", (), "")


def _lookup(provenance: Any, keys: list[str]) -> tuple[Source, tuple[str, ...], str] | None:
    """The entry of the most specific key that is present (``all`` last)."""
    if provenance is None:
        return None
    if not isinstance(provenance, Mapping):
        return _spec(provenance)
    for key in [*keys, "all"]:
        if key in provenance:
            return _spec(provenance[key])
    return None


def _own(evidence: tuple[str, ...], assumption: bool,
         note: str) -> tuple[Source, tuple[str, ...], str]:
    """Provenance of an element that carries ``evidence`` / ``assumption`` + ``note``."""
    if evidence:
        return "evidence", tuple(evidence), ""
    if assumption and note.strip():
        return "assumption", (), note.strip()
    return "unsourced", (), ""


def _entry(path: KeyPath, text: str, role: str, found: tuple[Source, tuple[str, ...], str],
           element: KeyPath) -> NumberProvenance:
    source, ids, reason = found
    return NumberProvenance(path, text, role, source, ids, reason, element)


_Found = tuple[Source, tuple[str, ...], str]
_UNSOURCED: _Found = ("unsourced", (), "")


def _option_numbers(scenario: Scenario) -> Iterator[NumberProvenance]:
    for actor_id, actor in scenario.actors.items():
        base: KeyPath = ("actors", actor_id)
        yield from _decision_numbers(actor, base)
        for option_id, option in actor.options.items():
            yield from _one_option_numbers(option, (*base, "options", option_id))


def _decision_numbers(actor: Actor, base: KeyPath) -> Iterator[NumberProvenance]:
    """An actor's decision cadence and idle weight."""
    if actor.decides is None:
        return
    for field, role in (("every", "cadence"), ("idle_weight", "weight")):
        text = str(getattr(actor.decides, field))
        # the default idle weight (0) is not a claim; compared by value, so a
        # scenario stored with its defaults written out counts the same
        if (field == "every" or text != _DEFAULTS["idle_weight"]) and carries_number(text):
            yield _entry((*base, "decides", field), text, role,
                         _lookup(actor.provenance, [field]) or _UNSOURCED, base)


def _one_option_numbers(option: Option, element: KeyPath) -> Iterator[NumberProvenance]:
    """An option's timing fields and its effects' numbers."""
    fallback: _Found = (("assumption", (), option.note.strip())
                        if option.assumption and option.note.strip() else _UNSOURCED)
    fields = (("when", "threshold"), ("rate", "rate"), ("weight", "weight"), ("at", "schedule"))
    for field, role in fields:
        value = getattr(option, field)
        if value is not None and carries_number(str(value)):
            yield _entry((*element, field), str(value), role,
                         _lookup(option.provenance, [field]) or fallback, element)
    for i, effect in enumerate(option.effects):
        yield from _effect_numbers(option, effect, (*element, "effects", i), element, fallback)


def _effect_numbers(option: Option, effect: Any, where: KeyPath, element: KeyPath,
                    fallback: _Found) -> Iterator[NumberProvenance]:
    """Amounts of a `set`/`add` effect; a trigger's delay and chance unless default."""
    if isinstance(effect, AddEffect | SetEffect):
        key = "add" if isinstance(effect, AddEffect) else "set"
        amounts = effect.add if isinstance(effect, AddEffect) else effect.set_
        for var, amount in amounts.items():
            if carries_number(amount):
                yield _entry((*where, key, var), amount, "effect size",
                             _lookup(option.provenance, [var, "effects"]) or fallback, element)
    elif isinstance(effect, TriggerEffect):
        for field, role in (("after", "delay"), ("chance", "chance")):
            if str(getattr(effect, field)) == _DEFAULTS[field]:
                continue  # the default (no delay, certain) is not a claim
            text = str(getattr(effect, field))
            if carries_number(text):
                yield _entry((*where, field), text, role,
                             _lookup(option.provenance, [field, "triggers", "effects"])
                             or fallback, element)


def _variant_numbers(scenario: Scenario) -> Iterator[NumberProvenance]:
    unsourced: tuple[Source, tuple[str, ...], str] = ("unsourced", (), "")
    for name, variant in scenario.variants.items():
        element: KeyPath = ("variants", name)
        for section, values in (("parameters", variant.parameters), ("state", variant.state)):
            for key, text in values.items():
                if carries_number(text):
                    yield _entry((*element, section, key), text, "variant value",
                                 _lookup(variant.provenance, [key]) or unsourced, element)
        for ref, override in variant.options.items():
            for field in ("when", "rate", "weight"):
                value = getattr(override, field)
                if value is not None and carries_number(value):
                    yield _entry((*element, "options", ref, field), value, "variant value",
                                 _lookup(variant.provenance, [ref, field]) or unsourced,
                                 element)


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


def _from_table(scenario: Scenario, n: NumberProvenance) -> NumberProvenance:
    """An unsourced number takes the scenario-level ``provenance`` entry of the longest
    key path that contains it."""
    if n.source != "unsourced" or not scenario.provenance:
        return n
    for end in range(len(n.path), 0, -1):
        entry = scenario.provenance.get(_dotted(n.path[:end]))
        if entry is not None:
            source, ids, reason = _spec(entry)
            return NumberProvenance(n.path, n.text, n.role, source, ids, reason, n.element)
    return n


def table_keys_unused(scenario: Scenario) -> list[str]:
    """Keys of the scenario-level ``provenance`` table that name nothing in the scenario
    (usually a typo); a key naming a part without numbers is fine."""
    data = scenario.model_dump(by_alias=True, exclude={"provenance"})
    missing = []
    for key in scenario.provenance:
        node: Any = data
        for part in key.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list | tuple) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                missing.append(key)
                break
    return missing


def number_provenance(scenario: Scenario) -> list[NumberProvenance]:
    """Every number of the scenario with its provenance, in file order of the sections."""
    return [_from_table(scenario, n) for n in _numbers(scenario)]


def _numbers(scenario: Scenario) -> list[NumberProvenance]:
    out: list[NumberProvenance] = []
    for name, p in scenario.parameters.items():
        out.append(_entry(("parameters", name, "value"), p.value, "parameter",
                          _own(p.evidence, p.assumption, p.note), ("parameters", name)))
    for i, c in enumerate(scenario.correlations):
        out.append(_entry(("correlations", i, "rho"), f"{c.rho:g}", "correlation",
                          _own(c.evidence, c.assumption, c.note), ("correlations", i)))
    for name, s in scenario.state.items():
        if carries_number(s.initial):
            out.append(_entry(("state", name, "initial"), s.initial, "initial state",
                              _own(s.evidence, s.assumption, s.note), ("state", name)))
    out += _option_numbers(scenario)
    for section, items in (("outcomes", scenario.outcomes), ("indicators", scenario.indicators)):
        for name, item in items.items():
            if carries_number(item.when):
                text = getattr(item, "resolution", "") or item.description
                found: tuple[Source, tuple[str, ...], str] = (
                    ("definition", (), item.label or name) if text.strip()
                    else ("unsourced", (), ""))
                out.append(_entry((section, name, "when"), item.when, "definition threshold",
                                  found, (section, name)))
    out += _variant_numbers(scenario)
    return out


def provenance_keys(scenario: Scenario) -> Iterator[tuple[KeyPath, set[str], set[str]]]:
    """(element path, keys written in its ``provenance`` mapping, keys that match a number).

    Lets the loader flag a key that applies to nothing (usually a typo).
    """
    by_element: dict[KeyPath, set[str]] = {}
    for n in number_provenance(scenario):
        keys = by_element.setdefault(n.element, {"all"})
        keys.update(_keys_matching(n.element, n.path[len(n.element):]))
    for actor_id, actor in scenario.actors.items():
        elements: list[tuple[KeyPath, Any]] = [(("actors", actor_id), actor.provenance)]
        elements += [(("actors", actor_id, "options", o), opt.provenance)
                     for o, opt in actor.options.items()]
        for path, prov in elements:
            if isinstance(prov, Mapping):
                yield path, set(prov), by_element.get(path, set())
    for name, variant in scenario.variants.items():
        if isinstance(variant.provenance, Mapping):
            yield ("variants", name), set(variant.provenance), by_element.get(
                ("variants", name), set())


def _keys_matching(element: KeyPath, tail: KeyPath) -> set[str]:
    """The ``provenance`` keys of ``element`` that cover the number at ``element + tail``."""
    if element[0] == "actors" and tail and tail[0] == "decides":
        return {str(tail[1])}
    if element[0] == "actors":
        if tail[0] != "effects":
            return {str(tail[0])}
        if tail[-1] in ("after", "chance"):
            return {"effects", "triggers", str(tail[-1])}
        return {"effects", str(tail[-1])}
    if element[0] == "variants":
        return {str(tail[1]), str(tail[2])} if tail[0] == "options" else {str(tail[1])}
    return set()


def cited_in_provenance(scenario: Scenario) -> list[tuple[KeyPath, str]]:
    """Claim ids cited in ``provenance:`` and in state variables, with their key paths."""
    cited: list[tuple[KeyPath, str]] = []

    def walk(path: KeyPath, prov: Any) -> None:
        if prov is None or isinstance(prov, str):
            return
        if isinstance(prov, Mapping):
            for key, entry in prov.items():
                if not isinstance(entry, str):
                    cited.extend(((*path, key, j), e) for j, e in enumerate(entry))
            return
        cited.extend(((*path, j), e) for j, e in enumerate(prov))

    for actor_id, actor in scenario.actors.items():
        walk(("actors", actor_id, "provenance"), actor.provenance)
        for option_id, option in actor.options.items():
            walk(("actors", actor_id, "options", option_id, "provenance"), option.provenance)
    for name, variant in scenario.variants.items():
        walk(("variants", name, "provenance"), variant.provenance)
    walk(("provenance",), scenario.provenance)
    for name, s in scenario.state.items():
        cited.extend((("state", name, "evidence", j), e) for j, e in enumerate(s.evidence))
    for i, c in enumerate(scenario.correlations):
        cited.extend((("correlations", i, "evidence", j), e) for j, e in enumerate(c.evidence))
    return cited


def provenance_diagnostics(scenario: Scenario, file: str,
                           position: Any) -> list[Diagnostic]:
    """Warnings: one per element with unsourced numbers, one per provenance key that
    matches no number. ``position(path)`` gives (line, column) of a key path's value."""
    from simulator.errors import format_key_path

    out: list[Diagnostic] = []
    pending: dict[KeyPath, list[NumberProvenance]] = {}
    for n in number_provenance(scenario):
        if n.source == "unsourced":
            pending.setdefault(n.element, []).append(n)
    for element, numbers in pending.items():
        first = numbers[0]
        line, col = position(first.path)
        listed = ", ".join(
            f"{format_key_path(n.path[len(element):])} `{n.text}`" for n in numbers[:6])
        more = f" and {len(numbers) - 6} more" if len(numbers) > 6 else ""
        section = element[0]
        if section in ("parameters", "state", "correlations"):
            hint = ("add `evidence: [claim-id]`, or `assumption: true` with a `note` that "
                    "says why the number is what it is")
        elif section in ("outcomes", "indicators"):
            hint = "write the `resolution` (or `description`) the threshold stands for"
        else:
            hint = ("add `provenance:` here: `[claim-id, ...]`, or a sentence saying why it "
                    "is an assumption; a mapping (`{rate: [claim-id], effects: \"...\"}`) "
                    "sources fields separately — see docs/scenario-guide.md, Provenance")
        out.append(Diagnostic(
            f"{len(numbers)} number{'s' * (len(numbers) != 1)} without provenance: "
            f"{listed}{more}", file=file, line=line, column=col, path=first.path,
            expected="evidence or a stated assumption for every number",
            found="no provenance", hint=hint, severity="warning"))
    for key in table_keys_unused(scenario):
        line, col = position(("provenance", key))
        out.append(Diagnostic(
            f"provenance key `{key}` names nothing in this scenario", file=file, line=line,
            column=col,
            path=("provenance", key), expected="the dotted key path of a number or of "
            "the part holding it, e.g. `actors.us.options.strike`", found=f"`{key}`",
            hint="check the spelling, or remove the key", severity="warning"))
    for element, written, matching in provenance_keys(scenario):
        for key in sorted(written - matching):
            line, col = position((*element, "provenance", key))
            out.append(Diagnostic(
                f"provenance key `{key}` matches no number here", file=file, line=line,
                column=col, path=(*element, "provenance", key),
                expected="one of " + ", ".join(f"`{k}`" for k in sorted(matching)),
                found=f"`{key}`", hint="check the spelling, or remove the key",
                severity="warning"))
    return out
