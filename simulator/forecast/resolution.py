"""Resolution files: what actually happened, checked like scenario files.

A resolution file is YAML, read with the same safe loader as scenarios (so every value
has a file:line:column), validated by pydantic for its shape and then checked against
the forecast it resolves: unknown outcomes, a `yes` without a date, a date outside the
horizon, a mismatched forecast id. Every problem is reported at once as a located
:class:`~simulator.errors.Diagnostic` inside one :class:`~simulator.errors.ScenarioError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from simulator.errors import Diagnostic, KeyPath, ScenarioError
from simulator.scenario.schema import YamlBool
from simulator.scenario.schema_errors import schema_diagnostics
from simulator.scenario.yaml import YamlDocument, load_yaml, read_limited

STATUSES = ("yes", "no", "ambiguous", "annulled")
Status = Literal["yes", "no", "ambiguous", "annulled"]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]

_FILE_HINT = ("a resolution file is a mapping of keys; start with `resolved_on: 2027-01-10`, "
              "`ambiguous: exclude` and `outcomes:` — `geosim resolve-template FORECAST` "
              "writes one for you")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Resolved(_Model):
    """What happened to one outcome or indicator."""

    status: Status | None = Field(
        default=None,
        description="yes, no, ambiguous or annulled; empty while not yet known (pending).")
    date: dt.date | None = Field(
        default=None, description="The day it happened (required for yes), YYYY-MM-DD.")
    sources: tuple[str, ...] = Field(default=(), description="Where the resolution is documented.")
    note: str = Field(default="", description="Anything a reader should know.")


class VariantPremise(_Model):
    """Whether a variant's premise (its policy or counterfactual) came true."""

    premise_held: YamlBool = Field(
        default=True, description="false: the variant did not happen, so it is not scored.")


class Reference(_Model):
    """Another forecast of the same outcome to compare against."""

    source: str = Field(min_length=1, description="Who made it (a market, a panel, a model).")
    date: dt.date | None = Field(default=None, description="When it was made, YYYY-MM-DD.")
    probability: Probability = Field(description="Its probability that the outcome happens.")


class Resolution(_Model):
    """A resolution file: the outcomes of one forecast as they turned out."""

    forecast: str | None = Field(
        default=None, description="Id of the forecast resolved (optional for a single one).")
    resolved_on: dt.date = Field(description="The date these resolutions were written down.")
    ambiguous: Literal["exclude", "half"] = Field(
        description="How ambiguous outcomes are scored: left out, or counted as 0.5.")
    outcomes: dict[str, Resolved] = Field(default_factory=dict, description="Outcome → result.")
    indicators: dict[str, Resolved] = Field(
        default_factory=dict, description="Indicator → result.")
    variants: dict[str, VariantPremise] = Field(
        default_factory=dict, description="Variant → whether its premise held.")
    references: dict[str, tuple[Reference, ...]] = Field(
        default_factory=dict, description="Outcome → reference forecasts.")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of resolution files (for editors)."""
    schema = Resolution.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "geosim resolution file"
    return schema


@dataclass(frozen=True)
class ResolutionFile:
    """A checked resolution file and where it came from."""

    path: str
    resolution: Resolution
    document: YamlDocument


# --------------------------------------------------------------------------- shape


_MISSING_HINTS = {
    "resolved_on": "add `resolved_on: YYYY-MM-DD`, the date you resolve on",
    "ambiguous": "declare before scoring how ambiguous outcomes count: "
                 "`ambiguous: exclude` or `ambiguous: half`",
    "probability": "add `probability: 0.2`",
    "source": "name who made the reference forecast",
}


def _shape_diagnostics(doc: YamlDocument, error: pydantic.ValidationError) -> list[Diagnostic]:
    """pydantic's errors worded as for scenario files, then in a resolution file's terms."""
    errors = [(dict(e), tuple(p for p in e["loc"] if isinstance(p, str | int)))
              for e in error.errors(include_url=False)]
    placed = schema_diagnostics(doc, errors, Resolution)
    if len(placed) != len(errors):  # an error set aside as noise: keep the general wording
        return placed
    return [_in_resolution_terms(err, path, d)
            for (err, path), d in zip(errors, placed, strict=True)]


def _in_resolution_terms(err: dict[str, Any], path: KeyPath, d: Diagnostic) -> Diagnostic:
    """Hints that speak about resolution files (statuses, probabilities, dates)."""
    kind = str(err["type"])
    if kind == "missing":
        key = str(err["loc"][-1])
        return replace(d, hint=_MISSING_HINTS.get(key, f"add `{key}:`"))
    if kind == "literal_error" and path and path[-1] == "status":
        close = difflib.get_close_matches(str(err.get("input")).lower(), STATUSES, n=1,
                                          cutoff=0.5)
        return replace(d, message="not a status", expected="one of " + ", ".join(STATUSES),
                       hint=(f"did you mean `{close[0]}`?" if close else
                             "leave it empty while the outcome is not yet known"))
    if kind == "literal_error" and path == ("ambiguous",):
        return replace(d, message="not a way to score ambiguous outcomes",
                       expected="`exclude` or `half`",
                       hint="`exclude` leaves them out; `half` counts them as 0.5")
    if kind.startswith("date"):
        return replace(d, expected="a date written YYYY-MM-DD",
                       hint="write the date as YYYY-MM-DD, for example `2027-01-10`")
    if d.expected == "true or false":
        return replace(d, hint="write `premise_held: false` when the variant did not happen")
    if kind in ("greater_than_equal", "less_than_equal", "float_parsing"):
        return replace(d, message="not a probability", expected="a number between 0 and 1",
                       hint="a probability such as `0.2` (20 %)")
    return d


def _reword(diagnostic: Diagnostic) -> Diagnostic:
    """The YAML loader's whole-file messages talk about scenarios; say resolution file."""
    if diagnostic.hint and diagnostic.hint.startswith("a scenario is a mapping"):
        expected = (diagnostic.expected or "").replace("a scenario", "a resolution file")
        return replace(diagnostic, hint=_FILE_HINT, expected=expected or None)
    return diagnostic


def parse_resolution(source: bytes | str, *, file: str = "<resolution>") -> ResolutionFile:
    """Parse and shape-check a resolution file; raise ScenarioError with every problem."""
    try:
        doc = load_yaml(source, file=file)
    except ScenarioError as exc:
        raise ScenarioError([_reword(d) for d in exc.diagnostics]) from None
    try:
        resolution = Resolution.model_validate(doc.data)
    except pydantic.ValidationError as exc:
        raise ScenarioError(_shape_diagnostics(doc, exc)) from None
    return ResolutionFile(file, resolution, doc)


def read_resolution(path: str | Path) -> ResolutionFile:
    """Read a resolution file from disk (at most 1 MiB, like scenarios)."""
    try:
        raw = read_limited(path)
    except ScenarioError as exc:
        raise ScenarioError([_reword(d) for d in exc.diagnostics]) from None
    return parse_resolution(raw, file=str(path))


# --------------------------------------------------------------------------- meaning


def _unknown(doc: YamlDocument, path: KeyPath, name: str, known: list[str],
             what: str) -> Diagnostic:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    line, col = doc.key_position(path)
    return Diagnostic(
        f"unknown {what} `{name}`", file=doc.file, line=line, column=col, path=path,
        expected=f"one of the forecast's {what}s: " + (", ".join(f"`{k}`" for k in known)
                                                        or "(none)"),
        found=f"`{name}`",
        hint=f"did you mean `{close[0]}`?" if close else
        f"remove it; the forecast has no {what} of this name")


def check_against(rf: ResolutionFile, record: dict[str, Any]) -> list[Diagnostic]:
    """Everything wrong with ``rf`` as a resolution of the forecast ``record``."""
    res, doc = rf.resolution, rf.document
    out: list[Diagnostic] = []

    def at(path: KeyPath, message: str, **details: Any) -> None:
        line, col = doc.position(path)
        out.append(Diagnostic(message, file=doc.file, line=line, column=col, path=path,
                              **details))

    as_of = dt.date.fromisoformat(record["as_of"])
    end = dt.date.fromisoformat(record["horizon_end"])
    if res.forecast is not None and res.forecast != record["id"]:
        at(("forecast",), "this file resolves another forecast",
           expected=f"`{record['id']}`", found=f"`{res.forecast}`",
           hint="check which forecast this file belongs to, or remove `forecast:` when "
                "scoring a single forecast")
    if res.resolved_on < as_of:
        at(("resolved_on",), "resolved before the forecast was issued",
           expected=f"a date on or after {as_of} (the forecast's as_of)",
           found=str(res.resolved_on), hint="write the date you are resolving on")
    for kind, what in (("outcomes", "outcome"), ("indicators", "indicator")):
        known = sorted(record[kind])
        for name, r in getattr(res, kind).items():
            path: KeyPath = (kind, name)
            if name not in record[kind]:
                out.append(_unknown(doc, path, name, known, what))
                continue
            if r.status == "yes" and r.date is None:
                at((*path, "status"), f"`{name}` resolved yes without a date",
                   expected="`date: YYYY-MM-DD`, the day it happened",
                   found="no `date:`",
                   hint="add the date so the forecast's timing can be scored (PIT)")
            if r.date is not None and r.status == "no":
                at((*path, "date"), "a date is given for an outcome that did not happen",
                   expected="no `date:` with status no", found=str(r.date),
                   hint="remove the date, or set `status: \"yes\"` if it happened")
            if r.date is not None and not as_of <= r.date <= end:
                at((*path, "date"), "the date is outside the forecast's horizon",
                   expected=f"a date from {as_of} to {end}", found=str(r.date),
                   hint="an event after the horizon ends does not count: resolve it `no`"
                   if r.date > end else "an event before as_of was not forecast: the outcome "
                   "should be `annulled`")
            elif r.date is not None and r.date > res.resolved_on:
                at((*path, "date"), "the date is after `resolved_on`",
                   expected=f"a date on or before {res.resolved_on}", found=str(r.date),
                   hint="an outcome cannot be known before it happens; check both dates")
    for name in res.variants:
        if name not in record["variants"]:
            out.append(_unknown(doc, ("variants", name), name, sorted(record["variants"]),
                                "variant"))
    for name in res.references:
        if name not in record["outcomes"]:
            out.append(_unknown(doc, ("references", name), name, sorted(record["outcomes"]),
                                "outcome"))
    return out


def load_checked(path: str | Path, record: dict[str, Any]) -> ResolutionFile:
    """Read ``path`` and check it against ``record``; raise ScenarioError on any problem."""
    rf = read_resolution(path)
    problems = check_against(rf, record)
    if problems:
        raise ScenarioError(problems)
    return rf
