"""Sweep spec files: their shape (a pydantic model) and meaning, with located errors.

A sweep spec is read like a scenario file: safe YAML with positions, then the pydantic
:class:`SweepFile` (shape: keys, types, ranges), then meaning (the scenario exists, the
swept names are its parameters, the bounds parse in their parameter's units, a Sobol'
design has a power of 2 points). Every problem is reported at once, each placed at
file:line:column with the key path, what was expected, what was found and a hint.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from simulator.errors import Diagnostic, KeyPath, ScenarioError
from simulator.model.compile import BASELINE, compile_model
from simulator.runner.runner import resolve_scenario
from simulator.scenario.quantities import QuantityError, parse_quantity
from simulator.scenario.schema import Scenario
from simulator.scenario.schema_errors import data_path, schema_diagnostics
from simulator.scenario.yaml import YamlDocument, load_yaml_file

__all__ = [
    "DEFAULT_LEVELS",
    "DEFAULT_RUNS",
    "DESIGNS",
    "SCALES",
    "SweepFile",
    "SweepParameter",
    "SweepSpec",
    "load_sweep_spec",
    "parameter_kinds",
    "sweep_spec_from_dict",
]

DESIGNS = ("lhs", "sobol", "grid")
SCALES = ("linear", "log")
DEFAULT_RUNS = 1000
DEFAULT_LEVELS = 5
Bound = float | str  # a plain number (canonical units) or a quantity such as `2% per month`


@dataclass(frozen=True)
class SweepParameter:
    """One swept parameter; ``low``/``high``/``values`` are in canonical units."""

    name: str
    low: float
    high: float
    scale: str = "linear"
    levels: int | None = None
    values: tuple[float, ...] | None = None


@dataclass(frozen=True)
class SweepSpec:
    scenario: Path
    design: str
    points: int
    parameters: tuple[SweepParameter, ...]
    seed: int = 0
    runs: int = DEFAULT_RUNS
    file: str = "<sweep>"
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


# --------------------------------------------------------------------------- shape


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SweepParameterBody(_Model):
    """``{low: .., high: ..}`` (optionally ``scale``, grid ``levels``) or ``{values: [..]}``."""

    low: Bound | None = None
    high: Bound | None = None
    scale: Literal["linear", "log"] = "linear"
    levels: int | None = Field(None, ge=1)
    values: list[Bound] | None = Field(None, min_length=1)


class SweepFile(_Model):
    """The shape of a sweep spec file."""

    scenario: str
    design: Literal["lhs", "sobol", "grid"] = "lhs"
    points: int | None = Field(None, ge=1)  # a grid defaults to DEFAULT_LEVELS
    seed: int = Field(0, ge=0)
    runs: int = Field(DEFAULT_RUNS, ge=1)
    parameters: dict[str, SweepParameterBody] = Field(min_length=1)


# --------------------------------------------------------------------------- meaning


def parameter_kinds(scenario: Scenario) -> dict[str, str]:
    """The quantity kind (``rate``, ``duration``, ``probability``, …) of each parameter."""
    model = compile_model(scenario, BASELINE)
    return {p.name: p.quantity.kind for p in model.parameters if not p.hidden}


def _canonical(value: Any, kind: str) -> float:
    """A bound as a canonical number: plain numbers as given, text parsed with units."""
    if isinstance(value, bool):
        raise ValueError("expected a number or a quantity, not true/false")
    if isinstance(value, int | float):
        return float(value)
    quantity = parse_quantity(str(value), kind)  # type: ignore[arg-type]
    if not quantity.is_constant:
        raise ValueError(f"a sweep bound must be one value, not a range or distribution "
                         f"({value!r}); write e.g. `2% per month`, not `1% to 3% per month`")
    return float(quantity.distribution.median)


def _parameter(name: str, body: SweepParameterBody, kind: str,
               file: str) -> SweepParameter | list[Diagnostic]:
    where: KeyPath = ("parameters", name)
    values: tuple[float, ...] | None = None
    if body.values is None and (body.low is None or body.high is None):
        return [Diagnostic("give both low and high (or a list of values)", file=file,
                           path=where, expected="{low: .., high: ..} or {values: [..]}",
                           hint="add the missing bound")]
    bounds: list[tuple[KeyPath, Bound]] = (
        [((*where, "values", i), v) for i, v in enumerate(body.values)]
        if body.values is not None else
        [((*where, "low"), body.low), ((*where, "high"), body.high)])  # type: ignore[list-item]
    numbers: list[float] = []
    problems: list[Diagnostic] = []
    for path, bound in bounds:
        try:
            numbers.append(_canonical(bound, kind))
        except (QuantityError, ValueError) as exc:
            problems.append(Diagnostic(str(exc), file=file, path=path,
                                       expected=f"one {kind} value", found=str(bound)))
    if problems:
        return problems
    if body.values is not None:
        values = tuple(numbers)
        low, high = min(values), max(values)
    else:
        low, high = numbers
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        return [Diagnostic(f"need finite low ≤ high, got {low!r} and {high!r}", file=file,
                           path=where, hint="swap `low` and `high`" if high < low else None)]
    if body.scale == "log" and low <= 0:
        return [Diagnostic("a log scale needs low > 0", file=file, path=(*where, "scale"),
                           found=f"low = {low!r}",
                           hint="raise `low` above 0, or use `scale: linear`")]
    return SweepParameter(name, low, high, body.scale, body.levels, values)


def _meaning(spec: SweepFile, scenario_path: Path, file: str
             ) -> tuple[list[SweepParameter], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    points = spec.points
    if spec.design == "sobol" and points is not None and points & (points - 1):
        lo = 1 << (points.bit_length() - 1)
        problems.append(Diagnostic(
            "a Sobol' design needs a power of 2 points (its balance properties hold only "
            "then)", file=file, path=("points",), found=str(points),
            hint=f"use {lo} or {lo * 2} points"))
    if spec.design != "grid" and points is None:
        problems.append(Diagnostic("missing `points`", file=file, path=("points",),
                                   hint="add `points:` (how many design points in all)"))
    kinds = parameter_kinds(resolve_scenario(scenario_path)[0])
    params: list[SweepParameter] = []
    for name, body in spec.parameters.items():
        if name not in kinds:
            problems.append(Diagnostic(
                f"`{name}` is not a parameter of {scenario_path.name}", file=file,
                path=("parameters", name), expected="one of " + ", ".join(sorted(kinds))))
            continue
        param = _parameter(name, body, kinds[name], file)
        if isinstance(param, list):
            problems += param
        else:
            params.append(param)
    return params, problems


# --------------------------------------------------------------------------- entry points


def sweep_spec_from_dict(data: Any, *, base: Path = Path(), file: str = "<sweep>",
                         doc: YamlDocument | None = None) -> SweepSpec:
    """Validate a sweep spec; every problem is reported as a :class:`ScenarioError`.

    ``doc`` (the spec's YAML with positions) places each problem at its line:column;
    without it (a spec built in Python) problems carry their key paths only.
    """
    where = doc if doc is not None else YamlDocument(file, data, {}, {})
    try:
        spec = SweepFile.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = [(dict(e), data_path(data, tuple(e["loc"])))
                  for e in exc.errors(include_url=False)]
        found = [_choice_hint(d) for d in schema_diagnostics(where, errors, SweepFile)]
        raise ScenarioError(_placed(where, found, doc is not None)) from None
    scenario_path = Path(spec.scenario)
    if not scenario_path.is_absolute():
        scenario_path = base / scenario_path
    params, problems = _meaning(spec, scenario_path, file)
    if problems:
        raise ScenarioError(_placed(where, problems, doc is not None))
    return SweepSpec(scenario=scenario_path, design=spec.design,
                     points=spec.points if spec.points is not None else DEFAULT_LEVELS,
                     parameters=tuple(params), seed=spec.seed, runs=spec.runs,
                     file=file, raw=dict(data))


_CHOICES: dict[str, tuple[str, ...]] = {"design": DESIGNS, "scale": SCALES}


def _choice_hint(d: Diagnostic) -> Diagnostic:
    """``design`` and ``scale`` name one of a few choices: list them, suggest the closest."""
    choices = _CHOICES.get(str(d.path[-1])) if d.path else None
    if choices is None or not d.message.startswith("Input should be"):
        return d
    given = (d.found or "").strip("'\"")
    close = difflib.get_close_matches(given, choices, n=1, cutoff=0.5)
    return replace(d, message=f"not a {d.path[-1]}", expected=" | ".join(choices),
                   hint=f"did you mean `{close[0]}`?" if close else None)


def _placed(doc: YamlDocument, found: list[Diagnostic], located: bool) -> list[Diagnostic]:
    """Each problem at its line:column in the spec (none when the spec has no file)."""
    out = []
    for d in found:
        if d.file != doc.file:
            out.append(d)  # a problem of another file (the scenario's): already placed
        elif not located:
            out.append(replace(d, line=0, column=0))
        elif not d.line:
            out.append(replace(d, line=doc.position(d.path)[0],
                               column=doc.position(d.path)[1]))
        else:
            out.append(d)
    return out


def load_sweep_spec(path: str | Path) -> SweepSpec:
    """Read a sweep spec YAML file (safe YAML; relative paths are from its folder)."""
    path = Path(path)
    doc = load_yaml_file(path)
    return sweep_spec_from_dict(doc.data, base=path.parent, file=str(path), doc=doc)
