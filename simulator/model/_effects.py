"""Compiling an option's effects: set and add on state variables, moves on the ladder,
and triggers of other options with their delays and chances.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.errors import KeyPath, format_key_path
from simulator.model._context import INF, CompilerBase, _suggest
from simulator.model.model import (
    Assign,
    Effect,
    LadderSpec,
    Trigger,
)
from simulator.scenario.expressions import (
    CompiledExpression,
    compile_expression,
)
from simulator.scenario.quantities import (
    Quantity,
    looks_like_quantity,
    parse_duration,
)
from simulator.scenario.schema import (
    AddEffect,
    DeescalateEffect,
    EscalateEffect,
    Option,
    SetEffect,
    TriggerEffect,
)


class EffectsCompiler(CompilerBase):
    """What happens when an option fires."""

    def _effects(self, ref: str, path: KeyPath, option: Option, index: dict[str, int],
                 ladder: LadderSpec | None) -> tuple[Effect, ...]:
        out: list[Effect] = []
        state = self.scenario.state
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
                                if var in self.scenario.parameters else "not a state variable")
                        hint = (_suggest(var, known) if var not in self.scenario.parameters else
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
                        + ", ".join(f"`{a}`" for a in sorted(self.scenario.actors)))
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

