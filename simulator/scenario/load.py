"""Check a scenario file: safe YAML → structure (pydantic) → meaning → evidence.

The meaning stage (compiling the scenario) belongs to the model layer above this one, so
it is passed in as ``check_meaning``; the front door that supplies it is
:mod:`simulator.loading` (``read_scenario``, ``load_scenario``).

Every stage reports *all* its problems, each placed at file:line:column with the key
path, what was expected, what was found and a hint. A stage's broken parts are set
aside before the next stage runs (:mod:`.recover`), so one run reports the independent
problems of every stage, and none that only follow from another.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from simulator.errors import Diagnostic, KeyPath, ScenarioError
from simulator.scenario.provenance import cited_in_provenance, provenance_diagnostics
from simulator.scenario.recover import Pruned, Recovered, parse_recovering, validate_pruning
from simulator.scenario.schema import Scenario
from simulator.scenario.schema_errors import data_path, schema_diagnostics
from simulator.scenario.yaml import (
    YamlDocument,
    decode_source,
    load_yaml_file,
    read_limited,
)

EVIDENCE_REGISTER = Path("seeds") / "evidence.yaml"

MeaningCheck = Callable[[Scenario], list[Diagnostic]]
"""Compiles a well-formed scenario and returns every problem found (path-only positions)."""


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


def _mapping_lines(doc: YamlDocument, path: KeyPath) -> range:
    """The lines a mapping spans in the file, up to where the next entry starts."""
    first = doc.position(path)[0]
    inside = [line for p, (line, _) in doc.value_positions.items() if p[: len(path)] == path]
    last = max(inside, default=first)
    after = [line for p, (line, _) in doc.value_positions.items()
             if p[: len(path)] != path and line > last]
    return range(first, min(after, default=last + 1_000_000))


def _follows_blanked_line(doc: YamlDocument, diag: Diagnostic, recovered: Recovered) -> bool:
    """A problem that only exists because a line with a syntax error was set aside."""
    if not recovered.blanked_lines:
        return False
    if diag.message.startswith(("missing required key", "a value is missing here",
                                "List should have at least", "Dictionary should have at least")):
        span = _mapping_lines(doc, diag.path)
        return any(line in span for line in recovered.blanked_lines)
    if diag.message.startswith("unknown "):
        return any(f"`{name}`" in diag.message for name in recovered.blanked_names)
    return False


def _meaning_diagnostics(doc: YamlDocument, scenario: Scenario, pruned: Pruned,
                         source: str, check_meaning: MeaningCheck) -> list[Diagnostic]:
    """Compile checks and the static kind and loop checks, placed in the file."""
    from simulator.scenario.checks import static_checks

    lines = source.splitlines()
    found = list(check_meaning(scenario))
    errors_so_far = any(d.severity == "error" for d in found)
    found += [d for d in static_checks(scenario, quiet=errors_so_far) if d not in found]
    out = []
    for d in found:
        d = replace(d, path=pruned.original_path(d.path))
        if not pruned.is_cascade(d):
            out.append(_place(doc, d, lines))
    return out


def check_document(doc: YamlDocument, path: Path, sha256: str, source: str = "",
                   recovered: Recovered | None = None, *,
                   check_meaning: MeaningCheck) -> ScenarioFile:
    """Run every check on a loaded YAML document (``recovered``: how it was parsed)."""
    earlier = list(recovered.diagnostics) if recovered else []
    pruned = validate_pruning(doc.data, data_path)
    diagnostics = earlier + schema_diagnostics(doc, pruned.errors)
    if recovered is not None:
        diagnostics = [d for d in diagnostics if d in earlier
                       or not _follows_blanked_line(doc, d, recovered)]
    scenario = pruned.scenario
    if scenario is None:
        return ScenarioFile(str(path), sha256, None, _sorted(diagnostics))
    from simulator.scenario.checks import limit_diagnostics

    limits = limit_diagnostics(scenario, doc.file)
    if limits:  # beyond the size limits: compiling could already exhaust memory
        lines = source.splitlines()
        return ScenarioFile(str(path), sha256, None, _sorted(diagnostics + [
            _place(doc, replace(d, path=pruned.original_path(d.path)), lines) for d in limits]))
    meaning = _meaning_diagnostics(doc, scenario, pruned, source, check_meaning)
    if recovered is not None:
        meaning = [d for d in meaning if not _follows_blanked_line(doc, d, recovered)]
    diagnostics += meaning
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
    provenance = provenance_diagnostics(
        scenario, doc.file, lambda p: doc.position(pruned.original_path(p)))
    diagnostics += [d for d in (replace(d, path=pruned.original_path(d.path))
                                for d in provenance) if not pruned.is_cascade(d)]
    complete = not pruned.removed and not earlier
    return ScenarioFile(str(path), sha256, scenario if complete else None,
                        _sorted(diagnostics), claims)


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.line, d.column, d.severity != "error",
                                              d.message))


def check_scenario_file(path: str | os.PathLike[str],
                        check_meaning: MeaningCheck) -> ScenarioFile:
    """Load and check one scenario file; never raises for bad input (see ``diagnostics``).

    ``check_meaning`` compiles the scenario (see :data:`MeaningCheck`); use
    :func:`simulator.loading.read_scenario`, which supplies the compiler's checks.
    """
    p = Path(path)
    try:
        raw = read_limited(p)  # read once: hashed and parsed from the same bytes
        text = decode_source(raw, file=str(p))
    except ScenarioError as exc:
        return ScenarioFile(str(p), "", None, exc.diagnostics)
    recovered = parse_recovering(text, str(p))
    doc = recovered.parse.document
    if doc is None:
        return ScenarioFile(str(p), "", None, recovered.diagnostics)
    return check_document(doc, p, hashlib.sha256(raw).hexdigest(), text, recovered,
                          check_meaning=check_meaning)
