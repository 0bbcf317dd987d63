"""Compiling the inputs: the horizon and time step, parameters and their correlations,
state variables with their initial values, and the escalation ladder.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np

from simulator.errors import KeyPath
from simulator.model._context import INF, CompilerBase, _suggest
from simulator.model.model import (
    CopulaSpec,
    LadderSpec,
    ParameterSpec,
    StateSpec,
)
from simulator.scenario.expressions import (
    compile_expression,
)
from simulator.scenario.horizon import DEFAULT_CAP, EXAMPLES, read_horizon
from simulator.scenario.quantities import (
    looks_like_quantity,
    parse_duration,
    parse_quantity,
)


class InputsCompiler(CompilerBase):
    """The parts of a model a run starts from."""

    def _horizon(self) -> float:
        """The horizon in days (for `until absorbed`, the cap); sets ``self.absorbing``."""
        text = self.scenario.horizon
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

    def _time_step(self) -> None:
        """Days between clock ticks: a hundredth of the horizon unless the scenario says."""
        self.time_step = self.horizon / 100 if self.horizon > 0 else 1.0
        if self.scenario.time_step is not None:
            step_q = self.quantity(("time_step",), self.scenario.time_step, parse_duration)
            if step_q is not None:
                step = float(step_q.distribution.median)
                if not step_q.is_constant or not step > 0:
                    self.error(("time_step",), "the time step must be one positive duration",
                               found=self.scenario.time_step, hint="write for example `1 day`")
                elif self.horizon > 0 and step < self.horizon / 100_000:
                    self.error(("time_step",), "the time step is too small: more than "
                               "100,000 steps over the horizon",
                               found=self.scenario.time_step,
                               hint="a step of a day or an hour is precise enough")
                else:
                    self.time_step = float(step_q.distribution.median)

    def _parameters(self, slot_names: list[str]) -> tuple[ParameterSpec, ...]:
        specs = []
        overrides = self.variant.parameters if self.variant else {}
        for name, p in sorted(self.scenario.parameters.items()):
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
        for name in sorted(self.scenario.state):
            if name in self.scenario.parameters:
                self.error(("state", name), f"`{name}` is both a parameter and a state variable",
                           hint="rename one of them")
            pending.append((name, self.scenario.state[name], len(slot_names)))
            slot_names.append(name)
        ladder = None
        lad = self.scenario.ladder
        if lad is not None:
            rung_ids = [r.id for r in lad.rungs]
            seen: set[str] = set()
            for i, rung in enumerate(lad.rungs):
                if rung.id in seen:
                    self.error(("ladder", "rungs", i, "id"), f"rung `{rung.id}` appears twice")
                seen.add(rung.id)
                if rung.id in self.scenario.parameters or rung.id in self.scenario.state:
                    self.error(("ladder", "rungs", i, "id"),
                               f"rung id `{rung.id}` is also a parameter or state variable",
                               hint="rung ids are names in expressions; rename one")
            if lad.variable in self.scenario.state or lad.variable in self.scenario.parameters:
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
                            f"`{v}`" in d.message for v in self.scenario.state):
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
        if self.scenario.ladder is not None:
            lad = self.scenario.ladder
            slot = self.variables[lad.variable]
            const = compile_expression(str(float(self.ladder_initial)), self.param_symbols)
            specs.append(StateSpec(
                name=lad.variable, slot=slot, row=-1, label="Escalation ladder", lo=0.0,
                hi=float(len(lad.rungs) - 1), initial_quantity=None,
                initial_expression=const, is_ladder=True,
            ))
        return tuple(specs)


    def _copula(self, params: tuple[ParameterSpec, ...]) -> CopulaSpec | None:
        """The correlation structure of the parameters, checked for consistency."""
        if not self.scenario.correlations:
            return None
        position = {p.name: i for i, p in enumerate(params)}
        members: list[str] = []
        pairs: dict[tuple[str, str], float] = {}
        for k, corr in enumerate(self.scenario.correlations):
            path: KeyPath = ("correlations", k)
            a, b = corr.between
            bad = [n for n in (a, b) if n not in self.scenario.parameters]
            for name in bad:
                self.error((*path, "between"), f"unknown parameter `{name}`", found=name,
                           hint=_suggest(name, sorted(self.scenario.parameters)))
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

