"""What a scenario with `horizon: until absorbed` may not do: let time alone change things.

A run is *absorbed* when nothing more can happen: a terminal outcome is reached, or no
hazard has a positive rate, no trigger is pending, no scheduled option is still to come
and no deciding actor has an option it could choose. The state then never changes
again — unless something reads the clock `t`: a gate such as `t > 100` can open later
with nothing else happening. So under `until absorbed` the conditions, rates and weights
that decide whether something *can* happen, and the outcomes and indicators, must not
read `t` (trigger chances and delays, and effects, may: they are evaluated only when
something fires).
"""

from __future__ import annotations

from simulator.errors import Diagnostic, KeyPath
from simulator.model.model import ActorSpec, OptionSpec, PredicateSpec
from simulator.scenario.expressions import CompiledExpression

TIME_SLOT = 0


def _reads_time(expr: CompiledExpression | None) -> bool:
    return expr is not None and TIME_SLOT in expr.slots


def _diagnostic(path: KeyPath, what: str, text: str) -> Diagnostic:
    return Diagnostic(
        f"{what} reads the time `t`, but with `horizon: until absorbed` a run ends when "
        "nothing more can happen, which time alone must not change",
        path=path, expected="an expression of parameters, state and counts (no `t`)",
        found=text,
        hint="use a fixed horizon (`horizon: 5 years`), or let a scheduled option change a "
             "state variable at the date and test that variable instead of `t`")


def absorbing_checks(options: tuple[OptionSpec, ...], actors: tuple[ActorSpec, ...],
                     outcomes: tuple[PredicateSpec, ...],
                     indicators: tuple[PredicateSpec, ...]) -> list[Diagnostic]:
    """Errors for every condition, rate, weight or predicate that reads `t`."""
    out: list[Diagnostic] = []
    for o in options:
        path: KeyPath = ("actors", o.actor, "options", o.name)
        for field, expr in (("when", o.when), ("rate", o.rate), ("weight", o.weight)):
            if _reads_time(expr):
                assert expr is not None
                out.append(_diagnostic((*path, field), f"the `{field}` of `{o.key}`",
                                       expr.text))
    for a in actors:
        if _reads_time(a.idle_weight):
            assert a.idle_weight is not None
            out.append(_diagnostic(("actors", a.name, "decides", "idle_weight"),
                                   f"the idle weight of `{a.name}`", a.idle_weight.text))
    for section, predicates in (("outcomes", outcomes), ("indicators", indicators)):
        for p in predicates:
            if _reads_time(p.when):
                out.append(_diagnostic((section, p.name, "when"),
                                       f"the condition of `{p.name}`", p.when.text))
    return out
