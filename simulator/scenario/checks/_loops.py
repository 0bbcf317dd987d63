"""Trigger loops that never let time move on.

If option A triggers B and B triggers A, both with no delay and a certain chance, a
run fires them again and again at the same instant: the simulation clock never
advances. Such a loop ends only if a `when` condition turns false on the way (for
example a ladder that reaches its top) or an option on it is `once: true`.

A loop with nothing that can stop it is an error; one whose options have conditions
is a warning (the conditions may or may not stop it). Delays above zero or chances
below one make a loop finite and are left to the run-time pilot check.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.errors import Diagnostic, KeyPath
from simulator.scenario.expressions import Boolean, ExpressionError, Number, parse_expression
from simulator.scenario.quantities import QuantityError, parse_duration
from simulator.scenario.schema import Scenario, TriggerEffect


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    path: KeyPath


def _no_delay(text: str) -> bool:
    try:
        q = parse_duration(text)
    except QuantityError:
        return False
    return q.is_constant and float(q.distribution.median) <= 0


def _certain(text: str) -> bool:
    try:
        tree = parse_expression(text)
    except ExpressionError:
        return False
    return isinstance(tree, Number) and tree.value >= 1


def _always(text: str) -> bool:
    try:
        tree = parse_expression(text)
    except ExpressionError:
        return False
    return isinstance(tree, Boolean) and tree.value


def _edges(scenario: Scenario) -> dict[str, list[_Edge]]:
    graph: dict[str, list[_Edge]] = {}
    for actor_id, actor in scenario.actors.items():
        for option_id, option in actor.options.items():
            ref = f"{actor_id}.{option_id}"
            for i, effect in enumerate(option.effects):
                if (isinstance(effect, TriggerEffect) and scenario.option(effect.trigger)
                        and _no_delay(effect.after) and _certain(effect.chance)):
                    path = ("actors", actor_id, "options", option_id, "effects", i, "trigger")
                    graph.setdefault(ref, []).append(_Edge(ref, effect.trigger, path))
    return graph


def _cycles(graph: dict[str, list[_Edge]]) -> list[list[_Edge]]:
    """One cycle per group of options that reach each other (iterative DFS)."""
    found: list[list[_Edge]] = []
    covered: set[str] = set()
    for start in sorted(graph):
        if start in covered:
            continue
        # depth-first search for a path from start back to start
        stack: list[tuple[str, list[_Edge]]] = [(start, [])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for edge in graph.get(node, []):
                if edge.target == start:
                    cycle = [*trail, edge]
                    found.append(cycle)
                    covered.update(e.source for e in cycle)
                    stack.clear()
                    break
                if edge.target not in seen:
                    seen.add(edge.target)
                    stack.append((edge.target, [*trail, edge]))
    return found


def loop_checks(scenario: Scenario) -> list[Diagnostic]:
    """Zero-delay, certain trigger cycles: an error unless a condition may stop them."""
    out = []
    for cycle in _cycles(_edges(scenario)):
        refs = [e.source for e in cycle]
        options = [scenario.option(ref) for ref in refs]
        if any(o is not None and o.once for o in options):
            continue
        conditional = [r for r, o in zip(refs, options, strict=True)
                       if o is not None and not _always(o.when)]
        chain = " → ".join(f"`{r}`" for r in [*refs, refs[0]])
        fix = ("give a trigger a delay (`after: 1 day`) or a chance below 1, or make one "
               "of these options `once: true`")
        if conditional:
            out.append(Diagnostic(
                f"these options trigger each other with no delay: {chain}; unless their "
                "conditions stop it, the clock stops at the moment the loop starts",
                path=cycle[0].path, severity="warning", found=chain,
                hint=f"check that the `when` of {', '.join(f'`{r}`' for r in conditional)} "
                     f"turns false inside the loop, or {fix}"))
        else:
            out.append(Diagnostic(
                f"these options trigger each other with no delay and for certain: {chain}; "
                "once one fires, the run repeats them forever at the same moment",
                path=cycle[0].path, found=chain, expected="a delay, a chance below 1, a "
                "`when` condition or `once: true` somewhere on the loop", hint=fix))
    return out
