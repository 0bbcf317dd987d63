"""What-if in one line: a scenario with a few values changed, run against its baseline.

``--set NAME=VALUE`` replaces a parameter's value or a state variable's initial value,
written in the scenario's own quantity syntax (``strike_rate="1% to 5% per month"``).
The changes become one in-memory variant of the scenario, so the runner gives it common
random numbers with the baseline (run *i* of both shares every draw the change leaves
alone) and :func:`simulator.analysis.compare.compare_variants` pairs them run by run.
The scenario file is never modified.

A bad name or value is reported with the same checks, messages and did-you-mean hints
as the same mistake in a variant of the scenario file, located at the ``--set``
argument instead of a line of the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.errors import Diagnostic, ScenarioError
from simulator.scenario.schema import LABEL_MAX, Scenario, Variant

WHAT_IF = "what_if"


@dataclass(frozen=True)
class Setting:
    """One ``--set NAME=VALUE``: ``target`` is ``parameters`` or ``state``."""

    name: str
    value: str
    target: str
    argument: str  # the argument as typed, for error locations


def _where(argument: str) -> str:
    return f"--set {argument}"


def parse_settings(scenario: Scenario, arguments: Sequence[str]
                   ) -> tuple[list[Setting], list[Diagnostic]]:
    """Split and check ``NAME=VALUE`` arguments against the scenario's names.

    Returns the usable settings and the problems: a missing ``=``, an empty name or
    value, a name that is neither a parameter nor a state variable (with the closest
    known name), or the same name set twice.
    """
    problems: list[Diagnostic] = []
    settings: list[Setting] = []
    seen: set[str] = set()
    known = sorted({*scenario.parameters, *scenario.state})
    for argument in arguments:
        name, sep, value = argument.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            problems.append(Diagnostic(
                "a what-if setting must be NAME=VALUE", file=_where(argument),
                expected="a parameter or state variable, `=`, and a value in the scenario's "
                         "quantity syntax", found=argument,
                hint='for example --set strike_rate="1% to 5% per month"'))
            continue
        if name in scenario.parameters:
            target = "parameters"
        elif name in scenario.state:
            target = "state"
        else:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            problems.append(Diagnostic(
                f"unknown parameter or state variable `{name}`", file=_where(argument),
                path=(name,), expected="a parameter or state variable of the scenario",
                found=name, hint=f"did you mean `{close[0]}`?" if close
                else "known: " + ", ".join(known)))
            continue
        if name in seen:
            problems.append(Diagnostic(
                f"`{name}` is set more than once", file=_where(argument), path=(name,),
                hint="keep one --set per name"))
            continue
        seen.add(name)
        settings.append(Setting(name, value, target, argument))
    return settings, problems


def variant_name(scenario: Scenario) -> str:
    """``what_if``, or ``what_if_2``, ... if the scenario already has a variant of that name."""
    name, i = WHAT_IF, 1
    while name in scenario.variants:
        i += 1
        name = f"{WHAT_IF}_{i}"
    return name


def what_if_scenario(scenario: Scenario, arguments: Sequence[str]) -> tuple[Scenario, str]:
    """The scenario with one extra variant holding the settings, and that variant's name.

    Raises :class:`ScenarioError` (every problem at once) when a name or value is bad;
    values are checked exactly as a variant's values in a scenario file are.
    """
    from simulator.model.compile import check_scenario  # compile sits one stage later

    settings, problems = parse_settings(scenario, arguments)
    name = variant_name(scenario)
    label = "what if " + ", ".join(f"{s.name} = {s.value}" for s in settings)
    if len(label) > LABEL_MAX:  # labels are length-limited; the description keeps it all
        label = label[: LABEL_MAX - 1] + "…"
    variant = Variant.model_validate({
        "label": label,
        "description": "Set on the command line with geosim what-if: "
        + ", ".join(f"{s.name} = {s.value}" for s in settings) + ".",
        "parameters": {s.name: s.value for s in settings if s.target == "parameters"},
        "state": {s.name: s.value for s in settings if s.target == "state"},
        "provenance": "What-if set on the command line; the user's own assumption.",
    })
    changed = scenario.model_copy(update={"variants": {**scenario.variants, name: variant}})
    by_key = {(s.target, s.name): s for s in settings}
    for d in check_scenario(changed):
        if d.severity != "error":
            continue
        key = tuple(str(k) for k in d.path[2:4]) if d.path[:2] == ("variants", name) else ()
        setting = by_key.get((key[0], key[1])) if len(key) == 2 else None
        if setting is None:
            # a problem the settings did not cause belongs to the file (already checked)
            continue
        problems.append(Diagnostic(
            d.message, file=_where(setting.argument), path=(setting.name,),
            expected=d.expected, found=d.found, hint=d.hint))
    if problems or not settings:
        raise ScenarioError(problems or [Diagnostic(
            "nothing to change", file="--set", hint="give at least one --set NAME=VALUE")])
    return changed, name
