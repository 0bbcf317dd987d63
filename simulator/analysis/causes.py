"""Which options can cause both an indicator and, later, an outcome (a *shared cause*).

Read from the scenario's structure, not from the runs. An option *touches* a condition
(an indicator's or outcome's ``when``) when the condition names it in ``fired()`` or
``count()``, or names a state variable (or the ladder variable) that one of the option's
effects changes. An option's *reach* is itself plus every option its triggers can start,
transitively. An option X *leads to* outcome O when an option it triggers (directly or
not) touches O. X is a shared cause of (indicator I, outcome O) when it touches I, I does
not name X itself, and X leads to O or is triggered (directly or not) by an option that
does. An event X can then make I seen at once, as a side effect, while it — or the event
that triggered it — brings O later: a sighting of I made by that event is a consequence,
not a warning of O. The set is over-inclusive (a curb triggered for another reason is
set aside too), which errs on the side of not crediting an indicator. An indicator that
names X (`fired(x)`) observes the cause itself, which is a genuine warning; and when X
touches both at once, O comes at the moment of the sighting, which never counts anyway.
"""

from __future__ import annotations

import re

from simulator.scenario.schema import (
    AddEffect,
    DeescalateEffect,
    EscalateEffect,
    Scenario,
    SetEffect,
    TriggerEffect,
)

_CALL = re.compile(r"\b(?:fired|count)\(\s*([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\s*\)")
_NAME = re.compile(r"(?<![\w.])([a-z_][a-z0-9_]*)(?![\w.(])")


def _changed(scenario: Scenario) -> dict[str, set[str]]:
    """Option ref → variables its effects change."""
    ladder = scenario.ladder.variable if scenario.ladder else None
    out: dict[str, set[str]] = {}
    for ref in scenario.option_refs:
        option = scenario.option(ref)
        assert option is not None
        names: set[str] = set()
        for effect in option.effects:
            if isinstance(effect, AddEffect):
                names |= set(effect.add)
            elif isinstance(effect, SetEffect):
                names |= set(effect.set_)
            elif isinstance(effect, EscalateEffect | DeescalateEffect) and ladder:
                names.add(ladder)
        out[ref] = names
    return out


def _triggers(scenario: Scenario) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for ref in scenario.option_refs:
        option = scenario.option(ref)
        assert option is not None
        out[ref] = {e.trigger for e in option.effects if isinstance(e, TriggerEffect)}
    return out


def touching(scenario: Scenario, condition: str) -> set[str]:
    """Options whose firing can change whether ``condition`` holds (module docstring)."""
    refs = set(_CALL.findall(condition))
    variables = set(scenario.state) | ({scenario.ladder.variable} if scenario.ladder else set())
    names = {n for n in _NAME.findall(_CALL.sub(" ", condition)) if n in variables}
    changed = _changed(scenario)
    return refs | {ref for ref, vars_ in changed.items() if vars_ & names}


def reach(scenario: Scenario) -> dict[str, set[str]]:
    """Option ref → itself and every option its triggers can start, transitively."""
    edges = _triggers(scenario)
    out: dict[str, set[str]] = {}
    for start in edges:
        seen, stack = {start}, [start]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        out[start] = seen
    return out


def leading_to(scenario: Scenario, outcome_when: str) -> set[str]:
    """Options whose triggers (directly or not) can start an option that touches the
    outcome: an event of one of them can bring the outcome *later*."""
    touches_o = touching(scenario, outcome_when)
    return {ref for ref, reached in reach(scenario).items() if (reached - {ref}) & touches_o}


def shared_causes(scenario: Scenario, indicator_when: str, outcome_when: str) -> list[str]:
    """Options that can make the indicator seen now, as a side effect, and bring the
    outcome later, sorted. An option the indicator names itself (``fired(x)``) is not
    among them: seeing that event *is* seeing the cause, a genuine warning."""
    named = set(_CALL.findall(indicator_when))
    leaders = leading_to(scenario, outcome_when)
    reached = reach(scenario)
    # the leaders and what they trigger: a curb triggered by a strike that also brings a
    # backlash makes its sightings consequences of that strike too
    candidates = leaders.union(*(reached[ref] for ref in leaders))
    return sorted((touching(scenario, indicator_when) - named) & candidates)
