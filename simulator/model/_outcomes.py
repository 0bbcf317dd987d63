"""Compiling outcomes and indicators, and the checks that need the whole scenario:
names a variant refers to, and warnings about parameters and outcomes nothing uses.
"""

from __future__ import annotations

from simulator.errors import KeyPath
from simulator.model._context import BASELINE, CompilerBase, _suggest
from simulator.model.model import (
    Assign,
    OptionSpec,
    ParameterSpec,
    PredicateSpec,
)
from simulator.scenario.expressions import (
    ExpressionError,
    compile_expression,
    names_in,
)
from simulator.scenario.schema import (
    AddEffect,
    SetEffect,
    TriggerEffect,
)


class OutcomesCompiler(CompilerBase):
    """What a run is scored on, and cross checks."""

    def _predicate(self, path: KeyPath, when: str, label: str, terminal: bool,
                   description: str, resolution: str, name: str) -> PredicateSpec:
        expr = self.expression((*path, "when"), when, self.symbols, "bool")
        return PredicateSpec(name=name, label=label,
                             when=expr or compile_expression("false", self.symbols),
                             terminal=terminal, description=description, resolution=resolution)

    def _variant_references(self) -> None:
        scenario = self.scenario
        for vname, variant in sorted(scenario.variants.items()):
            if vname == BASELINE:
                self.error(("variants", vname), "`baseline` is the scenario itself",
                           hint="give the variant another name")
            base: KeyPath = ("variants", vname)
            for name in variant.parameters:
                if name not in scenario.parameters:
                    self.error((*base, "parameters", name), f"unknown parameter `{name}`",
                               hint=_suggest(name, sorted(scenario.parameters)))
            for name in variant.state:
                if name not in scenario.state:
                    self.error((*base, "state", name), f"unknown state variable `{name}`",
                               hint=_suggest(name, sorted(scenario.state)))
            for ref in variant.options:
                if scenario.option(ref) is None:
                    self.error((*base, "options", ref), f"unknown option `{ref}`",
                               hint=_suggest(ref, scenario.option_refs))
            rung_ids = [r.id for r in scenario.ladder.rungs] if scenario.ladder else []
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
        used = self._names_used()
        for p in params:
            if p.name not in used:
                self.warn(("parameters", p.name), f"parameter `{p.name}` is never used",
                          hint="use it in a rate, weight, chance or condition, or remove it")
        self._static_outcome_warnings(options, outcomes)

    def _names_used(self) -> set[str]:
        """Every name some expression of the scenario mentions (before folding)."""
        used: set[str] = set()
        texts = [o.when for o in self.scenario.outcomes.values()]
        texts += [i.when for i in self.scenario.indicators.values()]
        texts += [v.initial for v in self.scenario.state.values()]
        for actor in self.scenario.actors.values():
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
        return used

    def _static_outcome_warnings(self, options: tuple[OptionSpec, ...],
                                 outcomes: tuple[PredicateSpec, ...]) -> None:
        """Warn about outcomes that read only slots no option ever writes."""
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

