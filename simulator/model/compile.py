"""Compile a validated :class:`Scenario` (and one of its variants) into a :class:`Model`.

Compiling is also where meaning is checked: every quantity is parsed, every expression
is parsed and type-checked against the names the scenario defines, every reference
(trigger targets, rungs, variant targets) is resolved. Problems are collected, not
raised one by one, as :class:`Diagnostic` objects that carry the key path and the
column *inside the value*; the loader turns them into file:line:column.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from simulator.errors import Diagnostic, KeyPath, ScenarioError, TextError, format_key_path
from simulator.model.absorbing import absorbing_checks
from simulator.model.model import (
    ORDER_ROW,
    ActorSpec,
    Assign,
    CopulaSpec,
    Effect,
    LadderSpec,
    Model,
    OptionSpec,
    ParameterSpec,
    PredicateSpec,
    StateSpec,
    Trigger,
)
from simulator.scenario.expressions import (
    CompiledExpression,
    ExpressionError,
    Symbols,
    compile_expression,
    names_in,
)
from simulator.scenario.horizon import DEFAULT_CAP, EXAMPLES, read_horizon
from simulator.scenario.quantities import (
    Quantity,
    QuantityError,
    looks_like_quantity,
    parse_duration,
    parse_quantity,
    parse_rate,
)
from simulator.scenario.schema import (
    AddEffect,
    DeescalateEffect,
    EscalateEffect,
    Option,
    Scenario,
    SetEffect,
    TriggerEffect,
)

BASELINE = "baseline"
ABSORBING_DECISION_ROW = 1024  # numbers reserved per decision row under `until absorbed`
INF = float("inf")
_RATE_UNIT = re.compile(r"\bper\b|\bin\s+\d", re.IGNORECASE)


def _suggest(name: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def row_names(scenario: Scenario) -> tuple[str, ...]:
    """The random rows, laid out from the scenario's structure alone (see model.py)."""
    rows = [f"param:{p}" for p in sorted(scenario.parameters)]
    refs = scenario.option_refs
    rows += [f"inline:{ref}" for ref in refs]
    rows += [f"init:{s}" for s in sorted(scenario.state)]
    rows += [f"clock:{ref}" for ref in refs]
    for ref in refs:
        option = scenario.option(ref)
        assert option is not None
        rows += [
            f"trigger:{ref}:{i}"
            for i, effect in enumerate(option.effects)
            if isinstance(effect, TriggerEffect)
        ]
    rows += [f"decide:{a}" for a in sorted(scenario.actors)]
    # last, so that adding it left every other row's numbers where they were
    rows.append(ORDER_ROW)
    return tuple(rows)


class _Compiler:
    def __init__(self, scenario: Scenario, variant: str) -> None:
        self.s = scenario
        self.variant_name = variant
        self.diags: list[Diagnostic] = []
        self.rows = {name: i for i, name in enumerate(row_names(scenario))}
        self.variant = scenario.variants.get(variant) if variant != BASELINE else None

    # ------------------------------------------------------------------ diagnostics

    def error(self, path: KeyPath, message: str, *, column: int = 1, **kw: Any) -> None:
        self.diags.append(Diagnostic(message, path=path, column=column, **kw))

    def warn(self, path: KeyPath, message: str, **kw: Any) -> None:
        self.diags.append(Diagnostic(message, path=path, severity="warning", **kw))

    def _from(self, path: KeyPath, exc: TextError) -> None:
        self.error(path, exc.message, column=exc.column, expected=exc.expected,
                   found=exc.found, hint=exc.hint)

    def quantity(
        self, path: KeyPath, text: str, parse: Callable[[str], Quantity]
    ) -> Quantity | None:
        try:
            return parse(text)
        except QuantityError as exc:
            self._from(path, exc)
            return None

    def expression(
        self, path: KeyPath, text: str, symbols: Symbols, want: str
    ) -> CompiledExpression | None:
        try:
            return compile_expression(text, symbols, want=want)  # type: ignore[arg-type]
        except ExpressionError as exc:
            self._from(path, exc)
            return None

    # ------------------------------------------------------------------ parts

    def compile(self) -> Model:
        s = self.s
        horizon = self.horizon = self._horizon()
        self.time_step = horizon / 100 if horizon > 0 else 1.0
        if s.time_step is not None:
            step_q = self.quantity(("time_step",), s.time_step, parse_duration)
            if step_q is not None:
                step = float(step_q.distribution.median)
                if not step_q.is_constant or not step > 0:
                    self.error(("time_step",), "the time step must be one positive duration",
                               found=s.time_step, hint="write for example `1 day`")
                elif horizon > 0 and step < horizon / 100_000:
                    self.error(("time_step",), "the time step is too small: more than "
                               "100,000 steps over the horizon", found=s.time_step,
                               hint="a step of a day or an hour is precise enough")
                else:
                    self.time_step = float(step_q.distribution.median)

        slot_names: list[str] = ["t"]
        params = self._parameters(slot_names)
        # inline random rates become hidden parameters; their slots follow the counters
        self.hidden: list[ParameterSpec] = []
        pending, ladder = self._state(slot_names)
        counters = {ref: len(slot_names) + i for i, ref in enumerate(self.s.option_refs)}
        slot_names.extend(f"count({ref})" for ref in self.s.option_refs)
        self.variables = {name: i for i, name in enumerate(slot_names) if name != "t" and
                          not name.startswith("count(")}
        self.variables["t"] = 0
        constants = {rung: float(i) for i, rung in enumerate(ladder.rungs)} if ladder else {}
        self.symbols = Symbols(variables=dict(self.variables), constants=constants,
                               counters=counters)
        self.param_symbols = Symbols(
            variables={p.name: p.slot for p in params}, constants=constants, counters={}
        )
        self.slot_names = slot_names
        state = self._state_initials(pending)
        options, actors = self._actors(counters, ladder)
        outcomes = tuple(
            self._predicate(("outcomes", name), o.when, o.label or name, o.terminal,
                            o.description, o.resolution, name)
            for name, o in sorted(s.outcomes.items())
        )
        indicators = tuple(
            self._predicate(("indicators", name), i.when, i.label or name, False,
                            i.description, "", name)
            for name, i in sorted(s.indicators.items())
        )
        self._variant_references()
        self._warnings(params, options, outcomes)
        if self.absorbing:
            self.diags += absorbing_checks(options, actors, outcomes, indicators)
        errors = [d for d in self.diags if d.severity == "error"]
        if errors:
            raise ScenarioError(self.diags)
        all_params = params + tuple(self.hidden)
        return Model(
            scenario_id=s.id,
            title=s.title,
            variant=self.variant_name,
            horizon_days=horizon,
            absorbing=self.absorbing,
            time_step_days=self.time_step,
            slot_names=tuple(slot_names),
            parameters=all_params,
            state=state,
            ladder=ladder,
            options=options,
            actors=actors,
            outcomes=outcomes,
            indicators=indicators,
            n_rows=len(self.rows),
            row_names=tuple(self.rows),
            row_sizes=self._row_sizes(actors),
            copula=self._copula(params),
            option_watchers=self._watchers(len(slot_names), [(o.when, o.rate) for o in options]),
            predicate_watchers=self._watchers(
                len(slot_names), [(p.when, None) for p in outcomes + indicators]
            ),
        )

    def _horizon(self) -> float:
        """The horizon in days (for `until absorbed`, the cap); sets ``self.absorbing``."""
        text = self.s.horizon
        written = read_horizon(text)
        self.absorbing = written.absorbing
        example = "`1 year`, or `until absorbed, at most 50 years`"
        if written.problem is not None:
            self.error(("horizon",), written.problem, found=text, expected=EXAMPLES,
                       hint="`until absorbed` runs until nothing more can happen; the cap "
                            f"(default {DEFAULT_CAP}) stops a run that never settles")
            return 0.0
        what = "the cap of the horizon" if written.absorbing else "the horizon"
        horizon_q = self.quantity(("horizon",), written.duration, parse_duration)
        if horizon_q is None:
            return 0.0
        if not horizon_q.is_constant:
            self.error(("horizon",), f"{what} must be a single duration, not a range",
                       found=text, hint=f"write for example {example}")
            return 0.0
        horizon = float(horizon_q.distribution.median)
        if horizon <= 0:
            self.error(("horizon",), f"{what} must be longer than zero", found=text,
                       hint=f"write for example {example}")
        return horizon

    def _parameters(self, slot_names: list[str]) -> tuple[ParameterSpec, ...]:
        specs = []
        overrides = self.variant.parameters if self.variant else {}
        for name, p in sorted(self.s.parameters.items()):
            text = overrides.get(name, p.value)
            path: KeyPath = (
                ("variants", self.variant_name, "parameters", name)
                if name in overrides else ("parameters", name, "value")
            )
            q = self.quantity(path, text, functools.partial(parse_quantity, kind=p.kind))
            if q is None:
                slot_names.append(name)  # still a known name: no cascade of "unknown name"
                continue
            specs.append(ParameterSpec(
                name=name, slot=len(slot_names), row=self.rows[f"param:{name}"], quantity=q,
                label=p.label or name, evidence=p.evidence, assumption=p.assumption,
                note=p.note,
            ))
            slot_names.append(name)
        return tuple(specs)

    def _state(
        self, slot_names: list[str]
    ) -> tuple[list[tuple[str, Any, int]], LadderSpec | None]:
        pending = []
        for name in sorted(self.s.state):
            if name in self.s.parameters:
                self.error(("state", name), f"`{name}` is both a parameter and a state variable",
                           hint="rename one of them")
            pending.append((name, self.s.state[name], len(slot_names)))
            slot_names.append(name)
        ladder = None
        lad = self.s.ladder
        if lad is not None:
            rung_ids = [r.id for r in lad.rungs]
            seen: set[str] = set()
            for i, rung in enumerate(lad.rungs):
                if rung.id in seen:
                    self.error(("ladder", "rungs", i, "id"), f"rung `{rung.id}` appears twice")
                seen.add(rung.id)
                if rung.id in self.s.parameters or rung.id in self.s.state:
                    self.error(("ladder", "rungs", i, "id"),
                               f"rung id `{rung.id}` is also a parameter or state variable",
                               hint="rung ids are names in expressions; rename one")
            if lad.variable in self.s.state or lad.variable in self.s.parameters:
                self.error(("ladder", "variable"),
                           f"`{lad.variable}` is already a parameter or state variable")
            initial = (self.variant.ladder_initial if self.variant and
                       self.variant.ladder_initial else lad.initial)
            from_variant = bool(self.variant and self.variant.ladder_initial)
            if initial not in rung_ids and not from_variant:
                self.error(("ladder", "initial"), f"unknown rung `{initial}`",
                           expected="one of " + ", ".join(rung_ids), found=initial,
                           hint=_suggest(initial, rung_ids))
            thresholds = []
            for name, th in sorted(lad.thresholds.items()):
                if th.below not in rung_ids:
                    self.error(("ladder", "thresholds", name, "below"),
                               f"unknown rung `{th.below}`", expected="a rung id",
                               found=th.below, hint=_suggest(th.below, rung_ids))
                else:
                    thresholds.append((name, rung_ids.index(th.below), th.label or name))
            ladder = LadderSpec(
                slot=len(slot_names), variable=lad.variable, rungs=tuple(rung_ids),
                labels=tuple(r.label or r.id for r in lad.rungs), thresholds=tuple(thresholds),
            )
            self.ladder_initial = rung_ids.index(initial) if initial in rung_ids else 0
            slot_names.append(lad.variable)
        return pending, ladder

    def _state_initials(self, pending: Any) -> tuple[StateSpec, ...]:
        specs = []
        overrides = self.variant.state if self.variant else {}
        for name, var, slot in pending:
            text = overrides.get(name, var.initial)
            path: KeyPath = (("variants", self.variant_name, "state", name)
                             if name in overrides else ("state", name, "initial"))
            lo = var.min if var.min is not None else -INF
            hi = var.max if var.max is not None else INF
            quantity = expression = None
            if looks_like_quantity(text):
                quantity = self.quantity(path, text, parse_quantity)
                if quantity is not None and quantity.is_constant:
                    value = float(quantity.distribution.median)
                    if not lo <= value <= hi:
                        self.error(path, f"initial value {value:g} is outside the bounds "
                                   f"[{lo:g}, {hi:g}]", hint="change the value or the bounds")
            else:
                before = len(self.diags)
                expression = self.expression(path, text, self.param_symbols, "number")
                for k in range(before, len(self.diags)):
                    d = self.diags[k]
                    if d.message.startswith("unknown name") and any(
                            f"`{v}`" in d.message for v in self.s.state):
                        self.diags[k] = replace(d, hint="an initial value may use parameters "
                                                "only, not other state variables")
                if expression is not None and expression.constant is not None and not (
                        lo <= float(expression.constant) <= hi):
                    self.error(path, f"initial value {float(expression.constant):g} is "
                               f"outside the bounds [{lo:g}, {hi:g}]",
                               hint="change the value or the bounds")
            specs.append(StateSpec(
                name=name, slot=slot, row=self.rows[f"init:{name}"], label=var.label or name,
                lo=lo, hi=hi, initial_quantity=quantity, initial_expression=expression,
            ))
        if self.s.ladder is not None:
            lad = self.s.ladder
            slot = self.variables[lad.variable]
            const = compile_expression(str(float(self.ladder_initial)), self.param_symbols)
            specs.append(StateSpec(
                name=lad.variable, slot=slot, row=-1, label="Escalation ladder", lo=0.0,
                hi=float(len(lad.rungs) - 1), initial_quantity=None,
                initial_expression=const, is_ladder=True,
            ))
        return tuple(specs)

    # ------------------------------------------------------------------ actors and options

    def _actors(
        self, counters: dict[str, int], ladder: LadderSpec | None
    ) -> tuple[tuple[OptionSpec, ...], tuple[ActorSpec, ...]]:
        refs = self.s.option_refs
        index = {ref: i for i, ref in enumerate(refs)}
        overrides = self.variant.options if self.variant else {}
        options: list[OptionSpec] = []
        for ref in refs:
            actor_id, _, name = ref.partition(".")
            actor = self.s.actors[actor_id]
            option = actor.options[name]
            options.append(self._option(ref, actor_id, name, option, actor.decides is not None,
                                        overrides.get(ref), index, counters, ladder))
        actors = []
        for actor_id, actor in sorted(self.s.actors.items()):
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

    def _option(self, ref: str, actor_id: str, name: str, option: Option, decides: bool,
                override: Any, index: dict[str, int], counters: dict[str, int],
                ladder: LadderSpec | None) -> OptionSpec:
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
            day = float((date.fromisoformat(text.strip()) - self.s.as_of).days)
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

    def _effects(self, ref: str, path: KeyPath, option: Option, index: dict[str, int],
                 ladder: LadderSpec | None) -> tuple[Effect, ...]:
        out: list[Effect] = []
        state = self.s.state
        for i, effect in enumerate(option.effects):
            epath = (*path, "effects", i)
            if isinstance(effect, SetEffect | AddEffect):
                is_set = isinstance(effect, SetEffect)
                items = effect.set_ if isinstance(effect, SetEffect) else effect.add
                key = "set" if is_set else "add"
                for var, value in items.items():
                    vpath = (*epath, key, var)
                    if ladder is not None and var == ladder.variable:
                        expr = self.expression(vpath, value, self.symbols, "number")
                        if expr:
                            out.append(Assign(ladder.slot, expr, not is_set, 0.0,
                                              float(len(ladder.rungs) - 1), True))
                        continue
                    if var not in state:
                        known = sorted(state) + ([ladder.variable] if ladder else [])
                        what = ("a parameter (parameters are fixed within a run)"
                                if var in self.s.parameters else "not a state variable")
                        hint = (_suggest(var, known) if var not in self.s.parameters else
                                "a parameter is drawn once per run; to change it during "
                                "a run, make it a state variable")
                        self.error(vpath, f"`{var}` is {what}",
                                   expected="one of " + ", ".join(known), found=var,
                                   hint=hint)
                        continue
                    expr = self.expression(vpath, value, self.symbols, "number")
                    sv = state[var]
                    if expr:
                        out.append(Assign(self.variables[var], expr, not is_set,
                                          sv.min if sv.min is not None else -INF,
                                          sv.max if sv.max is not None else INF, False))
            elif isinstance(effect, EscalateEffect | DeescalateEffect):
                if ladder is None:
                    self.error(epath, "this scenario has no ladder to move",
                               hint="add a `ladder:` section or remove the effect")
                    continue
                steps = (effect.escalate if isinstance(effect, EscalateEffect)
                         else -effect.deescalate)
                out.append(Assign(ladder.slot, compile_expression(repr(float(steps)),
                                  self.symbols), True, 0.0, float(len(ladder.rungs) - 1), True))
            elif isinstance(effect, TriggerEffect):
                if effect.trigger not in index:
                    actor_id = effect.trigger.partition(".")[0]
                    same_actor = [k for k in index if k.startswith(actor_id + ".")]
                    hint = _suggest(effect.trigger, list(index)) or (
                        f"`{actor_id}` has " + ", ".join(f"`{k}`" for k in same_actor)
                        if same_actor else f"there is no actor `{actor_id}`; actors are "
                        + ", ".join(f"`{a}`" for a in sorted(self.s.actors)))
                    self.error((*epath, "trigger"), f"unknown option `{effect.trigger}`",
                               expected="an option written `actor.option`",
                               found=effect.trigger, hint=hint)
                    continue
                delay, delay_expr = self._delay((*epath, "after"), effect.after)
                chance = self.expression((*epath, "chance"), effect.chance, self.symbols,
                                         "number")
                if chance is not None and chance.constant is not None and not (
                        0 <= float(chance.constant) <= 1):
                    self.error((*epath, "chance"), "a chance is a probability between 0 "
                               "and 1", found=effect.chance, hint="write for example `0.3` "
                               "or `30%`")
                if (delay is not None or delay_expr is not None) and chance is not None:
                    out.append(Trigger(index[effect.trigger], delay, chance,
                                       self.rows[f"trigger:{ref}:{i}"], delay_expr,
                                       format_key_path((*epath, "chance"))))
        return tuple(out)

    def _delay(self, path: KeyPath,
               text: str) -> tuple[Quantity | None, CompiledExpression | None]:
        """A trigger delay: a duration (`2 to 6 weeks`) or an expression in days."""
        if looks_like_quantity(text) or not any(ch.isalpha() for ch in text):
            before = len(self.diags)
            quantity = self.quantity(path, text, parse_duration)
            if quantity is None and len(self.diags) > before:
                self.diags[-1] = replace(self.diags[-1], hint="write a delay such as `3 days`, "
                                         "`2 to 6 weeks`, or the name of a duration parameter")
            return quantity, None
        before = len(self.diags)
        expr = self.expression(path, text, self.symbols, "number")
        if expr is None and len(self.diags) > before:
            d = self.diags[-1]
            self.diags[-1] = replace(d, hint=(d.hint + "; " if d.hint else "") + (
                "a delay is a duration such as `3 days` or `2 to 6 weeks`, or the name "
                "of a duration parameter"))
        if expr is not None and expr.constant is not None and not (
                0 <= float(expr.constant) < INF):
            self.error(path, f"this delay is always {float(expr.constant):g} days",
                       expected="a delay of zero days or more", found=text)
        return None, expr

    def _predicate(self, path: KeyPath, when: str, label: str, terminal: bool,
                   description: str, resolution: str, name: str) -> PredicateSpec:
        expr = self.expression((*path, "when"), when, self.symbols, "bool")
        return PredicateSpec(name=name, label=label,
                             when=expr or compile_expression("false", self.symbols),
                             terminal=terminal, description=description, resolution=resolution)

    # ------------------------------------------------------------------ cross checks

    def _variant_references(self) -> None:
        s = self.s
        for vname, variant in sorted(s.variants.items()):
            if vname == BASELINE:
                self.error(("variants", vname), "`baseline` is the scenario itself",
                           hint="give the variant another name")
            base: KeyPath = ("variants", vname)
            for name in variant.parameters:
                if name not in s.parameters:
                    self.error((*base, "parameters", name), f"unknown parameter `{name}`",
                               hint=_suggest(name, sorted(s.parameters)))
            for name in variant.state:
                if name not in s.state:
                    self.error((*base, "state", name), f"unknown state variable `{name}`",
                               hint=_suggest(name, sorted(s.state)))
            for ref in variant.options:
                if s.option(ref) is None:
                    self.error((*base, "options", ref), f"unknown option `{ref}`",
                               hint=_suggest(ref, s.option_refs))
            rung_ids = [r.id for r in s.ladder.rungs] if s.ladder else []
            if variant.ladder_initial is not None and variant.ladder_initial not in rung_ids:
                self.error((*base, "ladder_initial"),
                           f"unknown rung `{variant.ladder_initial}`",
                           expected="one of " + ", ".join(rung_ids) if rung_ids else "a ladder",
                           found=variant.ladder_initial,
                           hint=_suggest(variant.ladder_initial, rung_ids)
                           or "choose one of the ladder's rung ids")

    def _warnings(self, params: tuple[ParameterSpec, ...], options: tuple[OptionSpec, ...],
                  outcomes: tuple[PredicateSpec, ...]) -> None:
        if self.variant_name != BASELINE or any(d.severity == "error" for d in self.diags):
            return  # warnings about usage are noise next to errors in the same text
        used: set[str] = set()
        texts = [o.when for o in self.s.outcomes.values()]
        texts += [i.when for i in self.s.indicators.values()]
        texts += [v.initial for v in self.s.state.values()]
        for actor in self.s.actors.values():
            if actor.decides:
                texts.append(actor.decides.idle_weight)
            for opt in actor.options.values():
                texts += [t for t in (opt.when, opt.rate, opt.weight) if t]
                for eff in opt.effects:
                    if isinstance(eff, SetEffect | AddEffect):
                        texts += list((eff.set_ if isinstance(eff, SetEffect)
                                       else eff.add).values())
                    elif isinstance(eff, TriggerEffect):
                        texts += [eff.chance, eff.after]
        for text in texts:
            try:
                used |= names_in(text)
            except ExpressionError:
                continue
        for p in params:
            if p.name not in used:
                self.warn(("parameters", p.name), f"parameter `{p.name}` is never used",
                          hint="use it in a rate, weight, chance or condition, or remove it")
        written = {0}  # t always changes
        for o in options:
            written.add(o.counter_slot)
            for e in o.effects:
                if isinstance(e, Assign):
                    written.add(e.slot)
        for outcome in outcomes:
            if outcome.when.constant is None and not (outcome.when.slots & written):
                self.warn(("outcomes", outcome.name),
                          f"nothing in the scenario changes what outcome `{outcome.name}` "
                          "depends on, so it can only hold from the start",
                          hint="check its `when` against the options' effects")

    def _copula(self, params: tuple[ParameterSpec, ...]) -> CopulaSpec | None:
        """The correlation structure of the parameters, checked for consistency."""
        if not self.s.correlations:
            return None
        position = {p.name: i for i, p in enumerate(params)}
        members: list[str] = []
        pairs: dict[tuple[str, str], float] = {}
        for k, corr in enumerate(self.s.correlations):
            path: KeyPath = ("correlations", k)
            a, b = corr.between
            bad = [n for n in (a, b) if n not in self.s.parameters]
            for name in bad:
                self.error((*path, "between"), f"unknown parameter `{name}`", found=name,
                           hint=_suggest(name, sorted(self.s.parameters)))
            if bad:
                continue
            if a == b:
                self.error((*path, "between"), f"`{a}` is correlated with itself",
                           hint="name two different parameters")
                continue
            key = (min(a, b), max(a, b))
            if key in pairs:
                self.error(path, f"the correlation of `{a}` and `{b}` is given twice",
                           hint="keep one of them")
                continue
            pairs[key] = corr.rho
            members += [n for n in key if n not in members]
        if not pairs or any(n not in position for n in members):
            return None  # errors above, or a parameter that failed to parse
        members.sort()
        matrix = np.eye(len(members))
        for (a, b), rho in pairs.items():
            i, j = members.index(a), members.index(b)
            matrix[i, j] = matrix[j, i] = rho
        try:
            lower = np.linalg.cholesky(matrix)
        except np.linalg.LinAlgError:
            self.error(("correlations",), "these correlations cannot all hold at once (their "
                       "matrix is not positive definite)",
                       hint="weaken some of them: for example a and b, and b and c, strongly "
                       "correlated force a and c to be correlated too")
            return None
        return CopulaSpec(members=tuple(position[n] for n in members),
                          cholesky=tuple(tuple(float(x) for x in row) for row in lower))

    def _row_sizes(self, actors: tuple[ActorSpec, ...]) -> tuple[int, ...]:
        """Numbers reserved per row (more come from the row's own generator if needed).

        Sizes follow the structure only: a decision row holds one number per decision
        over the horizon (cadence and horizon are not variant-specific).
        """
        decisions = {f"decide:{a.name}": int(self.horizon // a.every_days) + 1
                     for a in actors if a.every_days}
        if self.absorbing:  # most runs end long before the cap: reserve a first stretch
            decisions = {row: min(size, ABSORBING_DECISION_ROW)
                         for row, size in decisions.items()}
        # one priority number per same-time source: deciding actors and scheduled options
        scheduled = [self.s.option(ref) for ref in self.s.option_refs]
        n_sources = sum(1 for a in self.s.actors.values() if a.decides is not None) + sum(
            1 for o in scheduled if o is not None and o.mode == "scheduled")
        sizes = []
        for name in self.rows:
            kind = name.partition(":")[0]
            if kind in ("param", "inline", "init"):
                sizes.append(1)
            elif kind == "decide":
                sizes.append(decisions.get(name, 0))
            elif name == ORDER_ROW:
                sizes.append(n_sources)
            else:
                sizes.append(4)  # clocks and triggers: a few firings per run is typical
        return tuple(sizes)

    @staticmethod
    def _watchers(
        n_slots: int, exprs: list[tuple[CompiledExpression, CompiledExpression | None]]
    ) -> tuple[tuple[int, ...], ...]:
        watchers: list[list[int]] = [[] for _ in range(n_slots)]
        for i, pair in enumerate(exprs):
            slots: set[int] = set()
            for expr in pair:
                if expr is not None:
                    slots |= expr.slots
            for slot in sorted(slots):
                watchers[slot].append(i)
        return tuple(tuple(w) for w in watchers)


def compile_model(scenario: Scenario, variant: str = BASELINE) -> Model:
    """Compile one variant of a scenario; raises :class:`ScenarioError` on any error.

    The diagnostics carry key paths but no file positions; :func:`load_scenario` adds
    those when the scenario came from a file.
    """
    if variant != BASELINE and variant not in scenario.variants:
        raise ScenarioError(Diagnostic(
            f"unknown variant `{variant}`", path=("variants",),
            expected="baseline or one of " + ", ".join(sorted(scenario.variants)) or "baseline",
            found=variant, hint=_suggest(variant, sorted(scenario.variants)),
        ))
    return _Compiler(scenario, variant).compile()


def check_scenario(scenario: Scenario) -> list[Diagnostic]:
    """Compile the baseline and every variant; return every diagnostic (errors and warnings)."""
    found: list[Diagnostic] = []
    for variant in [BASELINE, *sorted(scenario.variants)]:
        compiler = _Compiler(scenario, variant)
        with contextlib.suppress(ScenarioError):
            compiler.compile()
        for d in compiler.diags:
            if d not in found:
                found.append(d)
    return found + _key_assumption_diagnostics(scenario)


def _key_assumption_diagnostics(scenario: Scenario) -> list[Diagnostic]:
    """A key assumption's ``broken_by`` must name a variant of the scenario."""
    out = []
    known = sorted(scenario.variants)
    for i, assumption in enumerate(scenario.key_assumptions):
        name = assumption.broken_by
        if name is None or name in scenario.variants:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        out.append(Diagnostic(
            f"unknown variant `{name}`", path=("key_assumptions", i, "broken_by"),
            expected="a variant of this scenario", found=name,
            hint=f"did you mean `{close[0]}`?" if close
            else "known: " + (", ".join(known) or "none; add the variant under `variants:`")))
    return out
