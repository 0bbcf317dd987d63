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

from simulator.errors import Diagnostic, ScenarioError
from simulator.model._context import BASELINE, _suggest
from simulator.model._inputs import InputsCompiler
from simulator.model._options import OptionsCompiler
from simulator.model._outcomes import OutcomesCompiler
from simulator.model._rows import row_sizes
from simulator.model.absorbing import absorbing_checks
from simulator.model.model import (
    Model,
)
from simulator.scenario.expressions import (
    CompiledExpression,
    Symbols,
)
from simulator.scenario.schema import (
    Scenario,
)

__all__ = ["BASELINE", "check_scenario", "compile_model"]


class _Compiler(InputsCompiler, OptionsCompiler, OutcomesCompiler):
    """One compilation of one variant: inputs, then options, then outcomes."""

    def compile(self) -> Model:
        scenario = self.scenario
        horizon = self.horizon = self._horizon()
        self._time_step()

        slot_names: list[str] = ["t"]
        params = self._parameters(slot_names)
        # inline random rates become hidden parameters; their slots follow the counters
        self.hidden = []
        pending, ladder = self._state(slot_names)
        counters = {ref: len(slot_names) + i for i, ref in enumerate(self.scenario.option_refs)}
        slot_names.extend(f"count({ref})" for ref in self.scenario.option_refs)
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
            for name, o in sorted(scenario.outcomes.items())
        )
        indicators = tuple(
            self._predicate(("indicators", name), i.when, i.label or name, False,
                            i.description, "", name)
            for name, i in sorted(scenario.indicators.items())
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
            scenario_id=scenario.id,
            title=scenario.title,
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
            row_sizes=row_sizes(self.scenario, self.rows, actors, horizon, self.absorbing),
            copula=self._copula(params),
            option_watchers=_watchers(len(slot_names), [(o.when, o.rate) for o in options]),
            predicate_watchers=_watchers(
                len(slot_names), [(p.when, None) for p in outcomes + indicators]
            ),
        )


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
