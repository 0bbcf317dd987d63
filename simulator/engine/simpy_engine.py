"""The SimPy discrete-event engine: one run of a compiled model.

It implements the semantics contract in ``docs/engine-semantics.md`` (the conformance
suite checks it on every engine). Same-time events are ordered by SimPy's event
priority: the end of the horizon first, then clock ticks, then hazards and triggers,
then scheduled options and decisions by the run's random source priority.

This module prepares what every run of a model shares (flat per-option tables, the
closures with per-run constants hoisted, what to re-check after each firing); the
run itself is :class:`simulator.engine.simpy_run.SimPyRun`.
"""

from __future__ import annotations

import math
from typing import Any

from simulator.engine.hot_path import (
    CAUSES,
    END_PRIORITY,
    MAX_EVENTS,
    SOURCE_PRIORITY,
    TICK_PRIORITY,
)
from simulator.engine.run_constants import RunConstants, ScalarFn, TickConstants
from simulator.engine.run_record import RunRecord, run_digest
from simulator.engine.simpy_run import SimPyRun
from simulator.engine.streams import Streams
from simulator.model.model import ORDER_ROW, Assign, Model, same_time_sources
from simulator.scenario.expressions import CompiledExpression

__all__ = ["CAUSES", "END_PRIORITY", "MAX_EVENTS", "SOURCE_PRIORITY", "TICK_PRIORITY",
           "RunRecord", "SimPyEngine", "run_digest", "source_priorities"]

INF = math.inf


def source_priorities(model: Model, streams: Streams) -> dict[tuple[str, int], int]:
    """Each same-time source's priority in this run: SOURCE_PRIORITY + its random rank."""
    sources = same_time_sources(model)
    if not sources:
        return {}
    row = model.row_names.index(ORDER_ROW)
    keys = [streams.uniform(row) for _ in sources]
    ranks = sorted(range(len(sources)), key=keys.__getitem__)
    return {sources[k]: SOURCE_PRIORITY + rank for rank, k in enumerate(ranks)}


def _positive_constant(expr: CompiledExpression | None) -> float | None:
    """A weight or rate folded to a finite number, as used (negative counts as 0); None
    when it must be evaluated (and checked) at run time."""
    if expr is None:
        return None
    c = expr.constant
    if c is None or isinstance(c, bool) or not math.isfinite(float(c)):
        return None
    return float(c) if float(c) > 0.0 else 0.0


class SimPyEngine:
    """Runs one compiled model; reuse one instance for many runs of that model."""

    name = "simpy"

    def __init__(self, model: Model, grid: list[float]) -> None:
        self.model = model
        self.grid = grid
        self.max_events = MAX_EVENTS  # read when the engine is made (tests lower it)
        self.constants = consts = RunConstants(model)
        fn = consts.fn
        self.state_slots = [s.slot for s in model.state]
        self.param_slots = [p.slot for p in model.parameters]
        options = model.options
        self.keys = [o.key for o in options]
        self.enabled = [o.enabled for o in options]
        self.hazards = [o.index for o in options if o.mode == "hazard" and o.enabled]
        self.is_hazard = [o.mode == "hazard" and o.enabled for o in options]
        reads_t = [0 in o.when.slots or (o.rate is not None and 0 in o.rate.slots)
                   for o in options]
        self.t_options = [i for i in self.hazards if reads_t[i]]
        preds = model.predicates
        self.n_outcomes = len(model.outcomes)
        self.t_predicates = [i for i, p in enumerate(preds) if 0 in p.when.slots]
        self.after_fire = [self._after_fire(o.index) for o in options]
        # Hot-path views of the options and predicates, as flat per-index lists (one list
        # index instead of attribute chains per event). A `when` folded to true needs no
        # call (None); a rate folded to a positive finite number is used as is (anything
        # else is evaluated and checked at every refresh).
        self.when_fn: list[ScalarFn | None] = [
            None if o.when.constant is True else fn(o.when) for o in options]
        self.once = [o.once for o in options]
        self.rate_fn = [fn(o.rate) if o.rate is not None else None for o in options]
        self.rate_const: list[float | None] = []
        for o in options:
            c = _positive_constant(o.rate)
            self.rate_const.append(c if c is not None and c > 0.0 else None)
        self.counter_slot = [o.counter_slot for o in options]
        self.clock_row = [o.clock_row for o in options]
        self.effects = [tuple(self._effect(e) for e in o.effects) for o in options]
        self.pred_fns = [fn(p.when) for p in preds]
        self.terminal = [p.terminal for p in preds]
        # the same-time sources, and who decides what (see SimPyRun.execute)
        self.sources = same_time_sources(model)
        self.order_row = model.row_names.index(ORDER_ROW) if self.sources else -1
        sources = {source: k for k, source in enumerate(self.sources)}
        self.scheduled = [(o.index, o.at_day, sources[("scheduled", o.index)]) for o in options
                          if o.enabled and o.mode == "scheduled" and o.at_day is not None
                          and 0 <= o.at_day < model.horizon_days]
        self.deciders: list[tuple[Any, ...]] = []
        self.decider_timing: list[tuple[int, float]] = []  # (source index, every days)
        for k, actor in enumerate(model.actors):
            if actor.every_days is None or not actor.decision_options:
                continue
            choices = tuple(
                (i, self.once[i], self.when_fn[i], _positive_constant(options[i].weight),
                 fn(options[i].weight), options[i].key)  # type: ignore[arg-type]
                for i in actor.decision_options if options[i].enabled)
            idle = actor.idle_weight
            self.deciders.append((actor.every_days, actor.decide_row, actor.name,
                                  _positive_constant(idle) if idle is not None else 0.0,
                                  fn(idle) if idle is not None else None, choices))
            self.decider_timing.append((sources[("decide", k)], actor.every_days))
        # What a clock tick re-evaluates keeps its parts that do not read `t` in slots,
        # refreshed after the firings that change them (built last: every per-run
        # constant is known by now, and the tick slots come after theirs)
        self.tick_constants = ticks = TickConstants(model, consts)
        for i in self.t_options:
            o = options[i]
            if o.when.constant is not True:
                self.when_fn[i] = ticks.fn(o.when)
            self.rate_fn[i] = ticks.fn(o.rate) if o.rate is not None else None
        for k in self.t_predicates:
            self.pred_fns[k] = ticks.fn(preds[k].when)
        self.refresh = [ticks.refresh_after(o.index) for o in options]
        self._run: SimPyRun | None = None

    def _after_fire(self, index: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """What a firing of option ``index`` can change: the predicates and hazards to re-check.

        Its counter and the slots its effects write are known in advance, so nothing is
        computed on the hot path. Re-checking one whose inputs kept their value is
        harmless (first passage; a hazard re-armed at the same rate).
        """
        model = self.model
        option = model.options[index]
        written = {option.counter_slot}
        written.update(e.slot for e in option.effects if isinstance(e, Assign))
        preds_hit = set(self.t_predicates)
        hazards_hit = set(self.t_options)
        for slot in written:
            preds_hit.update(model.predicate_watchers[slot])
            hazards_hit.update(i for i in model.option_watchers[slot] if self.is_hazard[i])
        if self.is_hazard[index]:
            hazards_hit.add(index)
        return tuple(sorted(preds_hit)), tuple(sorted(hazards_hit))

    def _effect(self, effect: Any) -> tuple[Any, ...]:
        """One effect as a flat tuple for the hot path (tag 0: assign, 1: trigger)."""
        fn = self.constants.fn
        if isinstance(effect, Assign):
            c = effect.value.constant
            const = float(c) if c is not None else None
            return (0, effect.slot, const, None if const is not None else fn(effect.value),
                    effect.add, effect.lo, effect.hi, effect.integer)
        dist = effect.delay.distribution if effect.delay is not None else None
        fixed_delay = float(dist.median) if dist is not None and dist.is_constant else None
        return (1, effect.target, effect.row, fn(effect.chance),
                fn(effect.delay_expr) if effect.delay_expr is not None else None,
                dist, fixed_delay, effect)

    # ------------------------------------------------------------------ one run

    def run(self, run_index: int, v0: list[float], streams: Streams,
            trace: bool = False) -> RunRecord:
        if self._run is None:
            self._run = SimPyRun(self)
        return self._run.execute(run_index, v0, streams, trace)
