"""Compiling actors and their options: when each option can fire, its rate, weight or
scheduled time, and the variant's changes to it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from simulator.errors import KeyPath
from simulator.model._context import INF
from simulator.model._effects import EffectsCompiler
from simulator.model.model import (
    ActorSpec,
    LadderSpec,
    OptionSpec,
    ParameterSpec,
)
from simulator.scenario.expressions import (
    CompiledExpression,
    Symbols,
    compile_expression,
)
from simulator.scenario.quantities import (
    looks_like_quantity,
    parse_duration,
    parse_rate,
)

_RATE_UNIT = re.compile(r"\bper\b|\bin\s+\d", re.IGNORECASE)


class OptionsCompiler(EffectsCompiler):
    """Actors, their decisions and their options."""

    def _actors(
        self, counters: dict[str, int], ladder: LadderSpec | None
    ) -> tuple[tuple[OptionSpec, ...], tuple[ActorSpec, ...]]:
        refs = self.scenario.option_refs
        index = {ref: i for i, ref in enumerate(refs)}
        overrides = self.variant.options if self.variant else {}
        options: list[OptionSpec] = []
        for ref in refs:
            options.append(self._option(ref, overrides.get(ref), index, counters, ladder))
        actors = []
        for actor_id, actor in sorted(self.scenario.actors.items()):
            mine = tuple(index[f"{actor_id}.{o}"] for o in sorted(actor.options))
            every = idle = None
            if actor.decides is not None:
                path: KeyPath = ("actors", actor_id, "decides")
                q = self.quantity((*path, "every"), actor.decides.every, parse_duration)
                if q is not None:
                    every = float(q.distribution.median)
                    if not q.is_constant or every <= 0:
                        self.error((*path, "every"), "the decision cadence must be one "
                                   "positive duration", found=actor.decides.every,
                                   hint="write for example `1 month`")
                idle = self.expression((*path, "idle_weight"), actor.decides.idle_weight,
                                       self.symbols, "number")
            decision = tuple(i for i in mine if options[i].mode == "decision")
            if actor.decides is not None and not decision:
                self.warn(("actors", actor_id, "decides"),
                          "the actor decides but none of its options has a `weight`")
            actors.append(ActorSpec(
                name=actor_id, label=actor.label or actor_id, every_days=every,
                idle_weight=idle, options=mine, decision_options=decision,
                decide_row=self.rows[f"decide:{actor_id}"],
            ))
        return tuple(options), tuple(actors)

    def _option(self, ref: str, override: Any, index: dict[str, int], counters: dict[str, int],
                ladder: LadderSpec | None) -> OptionSpec:
        """One option, ``actor.option``, with the variant's ``override`` of it if any."""
        actor_id, _, name = ref.partition(".")
        actor = self.scenario.actors[actor_id]
        option = actor.options[name]
        decides = actor.decides is not None
        path: KeyPath = ("actors", actor_id, "options", name)
        vpath: KeyPath = ("variants", self.variant_name, "options", ref)

        def pick(field: str) -> tuple[str | None, KeyPath]:
            if override is not None and getattr(override, field) is not None:
                return getattr(override, field), (*vpath, field)
            return getattr(option, field), (*path, field)

        when_text, when_path = pick("when")
        when = self.expression(when_path, when_text or "true", self.symbols, "bool")
        rate = weight = None
        at_day = None
        rate_text, rate_path = pick("rate")
        weight_text, weight_path = pick("weight")
        if override is not None:
            # a variant changes how much, not how an option fires: a rate on a decision
            # option (or a weight on a hazard) would silently do nothing
            for field, wanted in (("rate", "hazard"), ("weight", "decision")):
                if getattr(override, field) is not None and option.mode != wanted:
                    self.error((*vpath, field), f"`{ref}` has no `{field}` to change: it is "
                               f"a {option.mode} option",
                               hint=f"a variant may change the {field} of a {wanted} option; "
                               "change this option's `when`, or its `enabled`")
        if rate_text is not None:
            rate = self._rate(ref, rate_path, rate_text)
        if weight_text is not None:
            if not decides:
                self.error(weight_path, f"`{ref}` has a weight but actor `{actor_id}` does not "
                           "decide", hint=f"add `decides: {{every: 1 month}}` to `{actor_id}`, "
                           "or give the option a `rate` instead")
            weight = self.expression(weight_path, weight_text, self.symbols, "number")
            if weight is not None and weight.constant is not None and not (
                    0 <= float(weight.constant) < INF):
                self.error(weight_path, f"this weight is always {float(weight.constant):g}",
                           expected="a finite weight, zero or more", found=weight_text,
                           hint="weights are relative chances at each decision")
        if option.at is not None:
            at_day = self._at((*path, "at"), option.at)
        effects = self._effects(ref, path, option, index, ladder)
        enabled = not (override is not None and override.enabled is False)
        return OptionSpec(
            index=index[ref], key=ref, actor=actor_id, name=name, label=option.label or name,
            description=option.description, mode=option.mode, enabled=enabled,
            when=when or compile_expression("true", self.symbols), rate=rate, weight=weight,
            at_day=at_day, once=option.once, effects=effects, counter_slot=counters[ref],
            clock_row=self.rows[f"clock:{ref}"], evidence=option.evidence,
        )

    def _rate(self, ref: str, path: KeyPath, text: str) -> CompiledExpression | None:
        if looks_like_quantity(text) or _RATE_UNIT.search(text):
            q = self.quantity(path, text, parse_rate)
            if q is None:
                return None
            if q.is_constant:
                return compile_expression(repr(float(q.distribution.median)), self.symbols)
            # a random inline rate is a hidden parameter drawn once per run
            slot = len(self.slot_names)
            hidden_name = f"{ref}.rate"
            self.slot_names.append(hidden_name)
            self.hidden.append(ParameterSpec(
                name=hidden_name, slot=slot, row=self.rows[f"inline:{ref}"], quantity=q,
                label=f"rate of {ref}", evidence=(), assumption=False, note="", hidden=True,
            ))
            symbols = Symbols(variables={**self.symbols.variables, "_inline": slot},
                              constants=self.symbols.constants, counters=self.symbols.counters)
            return compile_expression("_inline", symbols)
        try:
            float(text)
        except ValueError:
            expr = self.expression(path, text, self.symbols, "number")
            if expr is not None and expr.constant is not None and not (
                    0 <= float(expr.constant) < INF):
                value = float(expr.constant)
                self.error(path, f"this rate is always {value:g}" + (
                           ": a rate cannot be negative" if value < 0 else ""),
                           expected="a finite hazard per day, zero or more", found=text,
                           hint="check the arithmetic (division by zero, a sign)")
            return expr
        self.error(path, "a rate needs a unit", found=text,
                   expected="a rate such as `2 per year` or `3% per month`, or an expression",
                   hint=f"write `{text} per day` if you mean a hazard per day")
        return None

    def _at(self, path: KeyPath, text: str) -> float | None:
        day: float
        try:
            day = float((date.fromisoformat(text.strip()) - self.scenario.as_of).days)
        except ValueError:
            q = self.quantity(path, text, parse_duration)
            if q is None:
                return None
            if not q.is_constant:
                self.error(path, "a scheduled time must be one date or one delay, not a range",
                           found=text, hint="write a date such as `2026-11-03` or `30 days`")
                return None
            day = float(q.distribution.median)
        if not 0 <= day <= self.horizon:
            self.warn(path, f"scheduled at day {day:g}, outside the horizon (0 to "
                      f"{self.horizon:g} days): it never fires")
        return float(day)

