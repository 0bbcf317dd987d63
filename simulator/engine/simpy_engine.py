"""The SimPy discrete-event engine: one run of a compiled model.

It implements the semantics contract in ``docs/engine-semantics.md`` (the conformance
suite checks it on every engine). Same-time events are ordered by SimPy's event
priority: the end of the horizon first, then clock ticks, then hazards and triggers,
then scheduled options and decisions by the run's random source priority.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from simulator.engine.absorption import cap_error, simpy_absorbed, simpy_still_possible
from simulator.engine.guards import RECENT, checked_chance, runaway_error
from simulator.engine.streams import Streams
from simulator.errors import RunError
from simulator.model.model import (
    ORDER_ROW,
    Assign,
    Model,
    OptionSpec,
    Trigger,
    same_time_sources,
)

INF = math.inf
NAN = math.nan
_log = math.log  # a module global: one lookup on the hot path instead of two

# a safety net against unit slips (a rate per day meant per year): no run of a sensible
# scenario comes near it, and a runaway run stops with a clear error instead of hanging
MAX_EVENTS = 200_000

# cause codes recorded with each event
HAZARD, DECISION, SCHEDULED, TRIGGERED = 0, 1, 2, 3
CAUSES = ("hazard", "decision", "scheduled", "triggered")

# SimPy event priorities at equal times (smaller first; see docs/engine-semantics.md)
END_PRIORITY, TICK_PRIORITY, SOURCE_PRIORITY = -1, 0, 2  # hazards and triggers: 1 (NORMAL)


def _at(env: simpy.Environment, delay: float, priority: int, value: Any = None) -> simpy.Event:
    """A timeout with an explicit priority among events due at the same time."""
    event = simpy.Event(env)
    event._ok = True  # what Timeout does: the event succeeds when it is processed
    event._value = value
    env.schedule(event, priority, delay)  # type: ignore[arg-type]  # any int orders
    return event


def source_priorities(model: Model, streams: Streams) -> dict[tuple[str, int], int]:
    """Each same-time source's priority in this run: SOURCE_PRIORITY + its random rank."""
    sources = same_time_sources(model)
    if not sources:
        return {}
    row = model.row_names.index(ORDER_ROW)
    keys = [streams.uniform(row) for _ in sources]
    ranks = sorted(range(len(sources)), key=keys.__getitem__)
    return {sources[k]: SOURCE_PRIORITY + rank for rank, k in enumerate(ranks)}


@dataclass
class RunRecord:
    """What one run produced. Times are days since the start; NaN means "never"."""

    run: int
    outcome_times: list[float]
    indicator_times: list[float]
    final_state: list[float]
    counts: list[int]
    rung_path: list[int]
    rung_times: list[float]
    event_options: list[int]
    event_times: list[float]
    lapsed: int
    end_time: float
    grid: list[list[float]]  # state snapshot at each grid time
    digest: bytes = b""
    trace: list[dict[str, Any]] | None = field(default=None)


def run_digest(floats: tuple[Sequence[float], ...], ints: tuple[Sequence[int], ...]) -> bytes:
    """A 16-byte fingerprint of a run's record: exact, platform-independent and cheap.

    Floats are hashed as little-endian IEEE doubles and integers as little-endian int64,
    each list preceded by its length so that no two records share an encoding. (A repr
    of the values would be exact too, but costs ~0.4 µs per event time.)
    """
    h = hashlib.blake2b(digest_size=16)
    for values in floats:
        h.update(len(values).to_bytes(8, "little"))
        h.update(np.asarray(values, dtype="<f8").tobytes())
    for values in ints:
        h.update(len(values).to_bytes(8, "little"))
        h.update(np.asarray(values, dtype="<i8").tobytes())
    return h.digest()


class SimPyEngine:
    """Runs one compiled model; reuse one instance for many runs of that model."""

    name = "simpy"

    def __init__(self, model: Model, grid: list[float]) -> None:
        self.model = model
        self.grid = grid
        self.state_slots = [s.slot for s in model.state]
        options = model.options
        self.hazards = [o.index for o in options if o.mode == "hazard" and o.enabled]
        self.is_hazard = [o.mode == "hazard" and o.enabled for o in options]
        reads_t = [0 in o.when.slots or (o.rate is not None and 0 in o.rate.slots)
                   for o in options]
        self.t_options = [i for i in self.hazards if reads_t[i]]
        preds = model.predicates
        self.n_outcomes = len(model.outcomes)
        self.t_predicates = [i for i, p in enumerate(preds) if 0 in p.when.slots]
        # What a firing of option i can change is known in advance (its counter and the
        # slots its effects write), so the predicates and hazards to re-check after it
        # are precomputed: no set building on the hot path. Re-checking one whose inputs
        # kept their value is harmless (first passage; a hazard re-armed at the same rate).
        self.after_fire: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        for option in options:
            written = {option.counter_slot}
            written.update(e.slot for e in option.effects if isinstance(e, Assign))
            preds_hit = set(self.t_predicates)
            hazards_hit = set(self.t_options)
            for slot in written:
                preds_hit.update(model.predicate_watchers[slot])
                hazards_hit.update(i for i in model.option_watchers[slot] if self.is_hazard[i])
            if self.is_hazard[option.index]:
                hazards_hit.add(option.index)
            self.after_fire.append((tuple(sorted(preds_hit)), tuple(sorted(hazards_hit))))
        # Hot-path views of the options and predicates, as flat per-index lists (one list
        # index instead of attribute chains per event). A `when` folded to true needs no
        # call (None); a rate folded to a positive finite number is used as is (anything
        # else is evaluated and checked at every refresh, as before).
        self.when_fn = [None if o.when.constant is True else o.when.fn for o in options]
        self.once = [o.once for o in options]
        self.rate_fn = [o.rate.fn if o.rate is not None else None for o in options]
        self.rate_const: list[float | None] = []
        for o in options:
            c = o.rate.constant if o.rate is not None else None
            ok = c is not None and not isinstance(c, bool) and 0.0 < float(c) < INF
            self.rate_const.append(float(c) if ok else None)  # type: ignore[arg-type]
        self.counter_slot = [o.counter_slot for o in options]
        self.effects = [o.effects for o in options]
        self.clock_row = [o.clock_row for o in options]
        self.pred_fns = [p.when.fn for p in preds]

    # ------------------------------------------------------------------ one run

    def run(self, run_index: int, v0: list[float], streams: Streams,
            trace: bool = False) -> RunRecord:
        return _Run(self, run_index, v0, streams, trace).execute()


class _Run:
    """The mutable state of one run (kept out of the engine so runs never share state)."""

    def __init__(self, engine: SimPyEngine, run_index: int, v0: list[float],
                 streams: Streams, trace: bool) -> None:
        self.e = engine
        self.m = engine.model
        self.run_index = run_index
        self.v = list(v0)
        self.params = [v0[p.slot] for p in engine.model.parameters]
        self.streams = streams
        self.uniform = streams.uniform  # bound once: called at every hazard firing
        self.env = simpy.Environment()
        self.done = False
        n_opt = len(self.m.options)
        self.fired_once = [False] * n_opt
        # next-reaction bookkeeping per option (used for hazards only)
        self.budget = [0.0] * n_opt
        self.lam = [0.0] * n_opt
        self.last = [0.0] * n_opt
        self.due = [INF] * n_opt
        preds = self.m.predicates
        self.reached = [NAN] * len(preds)
        self.n_reached = 0
        self.event_options: list[int] = []
        self.event_times: list[float] = []
        self.lapsed = 0
        self.grid_rows: list[list[float]] = []
        self.grid_next = 0
        self.n_grid = len(engine.grid)
        # time of the next grid snapshot still to record (INF when all are recorded)
        self.grid_due = engine.grid[0] if engine.grid else INF
        ladder = self.m.ladder
        self.ladder_slot = ladder.slot if ladder else -1
        self.rung_path = [int(self.v[self.ladder_slot])] if ladder else []
        self.rung_times = [0.0] if ladder else []
        self.trace: list[dict[str, Any]] | None = [] if trace else None
        # for `until absorbed`: triggers created and not yet due, scheduled options to come
        self.pending_triggers = 0
        self.scheduled_left = 0
        self._fire, self._rearm, self._alarm, self._release_core = self._event_core()

    # ------------------------------------------------------------------ lifecycle

    def execute(self) -> RunRecord:
        env, m = self.env, self.m
        self.end = env.event()
        _at(env, m.horizon_days, END_PRIORITY).callbacks.append(
            self._cap_reached if m.absorbing else self._finish)
        priority = source_priorities(m, self.streams)
        self._check_predicates(range(len(m.predicates)), 0.0)
        if not self.done:
            for option in m.options:
                if option.enabled and option.mode == "scheduled" and option.at_day is not None \
                        and 0 <= option.at_day < m.horizon_days:
                    ev = _at(env, option.at_day, priority[("scheduled", option.index)],
                             option.index)
                    ev.callbacks.append(self._scheduled)
                    self.scheduled_left += 1
            for k, actor in enumerate(m.actors):
                if actor.every_days is not None and actor.decision_options:
                    env.process(self._decisions(actor, priority[("decide", k)]))
            if self.e.t_options or self.e.t_predicates:
                env.process(self._clock())
            for i in self.e.hazards:
                self.budget[i] = -_log(1.0 - self.uniform(m.options[i].clock_row))
            self._rearm(self.e.hazards, 0.0)
            if m.absorbing:
                self._run_until_absorbed()
            else:
                env.run(until=self.end)
        end_time = env.now
        self._snapshot(INF)
        record = self._record(end_time)
        self._release()
        return record

    def _release(self) -> None:
        """Break this run's reference cycles so it is freed at once, not by the cyclic GC.

        Events still queued after the run (and their callbacks) refer back to the run, and
        the run refers to its hot-path closures and they to it. Left as cycles, thousands
        of dead runs pile up for the garbage collector, whose passes then cost more than
        the engine's own hot path saves.
        """
        # SimPy's event heap (a private attribute, hence the getattr): nothing left in it
        # will ever be processed, and its events' callbacks hold the run
        queue = getattr(self.env, "_queue", None)
        if queue is not None:
            queue.clear()
        self._release_core()
        self._fire = self._rearm = self._alarm = self._release_core = None

    def _run_until_absorbed(self) -> None:
        """Process events until a terminal outcome or until nothing more can happen."""
        env = self.env
        while not self.done:
            if simpy_absorbed(self):
                self._finish()
                return
            env.step()

    def _cap_reached(self, _event: simpy.Event) -> None:
        if not self.done:
            raise cap_error(self.m, self.run_index, simpy_still_possible(self))

    def _finish(self, _event: simpy.Event | None = None) -> None:
        if not self.done:
            self.done = True
            self.end.succeed()

    def _record(self, end_time: float) -> RunRecord:
        v = self.v
        n_out = self.e.n_outcomes
        record = RunRecord(
            run=self.run_index,
            outcome_times=self.reached[:n_out],
            indicator_times=self.reached[n_out:],
            final_state=[v[s] for s in self.e.state_slots],
            counts=[int(v[o.counter_slot]) for o in self.m.options],
            rung_path=self.rung_path,
            rung_times=self.rung_times,
            event_options=self.event_options,
            event_times=self.event_times,
            lapsed=self.lapsed,
            end_time=end_time,
            grid=self.grid_rows,
            trace=self.trace,
        )
        # a per-run digest makes the results table's digest independent of chunking
        record.digest = run_digest(
            (self.params, record.outcome_times, record.indicator_times, record.final_state,
             record.event_times, [record.lapsed, end_time]),
            (record.counts, record.rung_path, record.event_options))
        return record

    # ------------------------------------------------------------------ event sources

    def _decisions(self, actor: Any, priority: int) -> Any:
        env, m, v = self.env, self.m, self.v
        row = actor.decide_row
        every = actor.every_days
        options = [m.options[i] for i in actor.decision_options if m.options[i].enabled]
        while not self.done:
            yield _at(env, every, priority)
            if self.done:
                return
            v[0] = env.now
            weights = []
            total = (self._finite(float(actor.idle_weight.fn(v)), "idle weight", actor.name)
                     if actor.idle_weight else 0.0)
            for option in options:
                w = 0.0
                if not (option.once and self.fired_once[option.index]) and option.when.fn(v):
                    w = self._finite(float(option.weight.fn(v)), "weight", option.key)
                weights.append(w)
                total += w
            u = self.uniform(row)
            if total <= 0.0:
                continue
            target = u * total
            acc = 0.0
            for option, w in zip(options, weights, strict=True):
                acc += w
                if target < acc and w > 0.0:
                    self._fire(option.index, DECISION, None, env.now)
                    break

    def _finite(self, value: float, what: str, owner: str) -> float:
        """A weight or chance: negative counts as 0; NaN and infinity stop the run."""
        if value != value or value == INF:
            raise RunError(f"the {what} of `{owner}` is {value} at day {self.env.now:g} of run "
                           f"{self.run_index}; it must be a finite number (check its "
                           "expression for a division by zero or an overflow)")
        return value if value > 0.0 else 0.0

    def _clock(self) -> Any:
        """Re-evaluate what reads ``t`` every time step (nothing else changes, nothing fires)."""
        env, step = self.env, self.m.time_step_days
        preds, hazards = tuple(self.e.t_predicates), tuple(self.e.t_options)
        k = 0
        while not self.done:
            k += 1
            # exact multiples of the step: no drift from adding it up
            yield _at(env, max(0.0, k * step - env.now), TICK_PRIORITY)
            if self.done:
                return
            now = self.v[0] = env.now
            if preds:
                self._check_predicates(preds, now)
                if self.done:
                    return
            self._rearm(hazards, now)

    def _scheduled(self, event: simpy.Event) -> None:
        self.scheduled_left -= 1
        if self.done:
            return
        option = self.m.options[int(event.value)]  # type: ignore[arg-type]
        now = self.v[0] = self.env.now
        if option.when(self.v) and not (option.once and self.fired_once[option.index]):
            self._fire(option.index, SCHEDULED, None, now)
        else:
            self._lapse(option, "scheduled")

    def _triggered(self, event: simpy.Event) -> None:
        self.pending_triggers -= 1
        if self.done:
            return
        target, source = event.value  # type: ignore[misc]
        option = self.m.options[target]
        now = self.v[0] = self.env.now
        if option.enabled and option.when(self.v) and not (
                option.once and self.fired_once[target]):
            self._fire(target, TRIGGERED, source, now)
        else:
            self._lapse(option, f"triggered by {self.m.options[source].key}")

    # ------------------------------------------------------------------ firing

    def _apply(self, i: int, cause: int, source: int | None, effects: tuple[Any, ...],
               now: float) -> None:
        """Apply option ``i``'s effects in order (and trace the firing when tracing)."""
        v, m = self.v, self.m
        changes: dict[str, list[float]] | None = {} if self.trace is not None else None
        for effect in effects:
            if isinstance(effect, Assign):
                old = v[effect.slot]
                value = float(effect.value.fn(v))
                new = old + value if effect.add else value
                if new < effect.lo:
                    new = effect.lo
                elif new > effect.hi:
                    new = effect.hi
                if effect.integer:
                    new = float(math.floor(new + 0.5))  # halves go up, not to even
                if new != old:
                    v[effect.slot] = new
                    if changes is not None:
                        changes.setdefault(m.slot_names[effect.slot], [old, new])[1] = new
                    if effect.slot == self.ladder_slot:
                        self.rung_path.append(int(new))
                        self.rung_times.append(now)
            else:
                self._schedule_trigger(effect, i, now)
        if changes is not None:
            self._trace_firing(i, cause, source, now, changes)

    def _trace_firing(self, i: int, cause: int, source: int | None, now: float,
                      changes: dict[str, list[float]]) -> None:
        m = self.m
        self.trace.append({"t": now, "option": m.options[i].key,  # type: ignore[union-attr]
                           "cause": CAUSES[cause],
                           "source": m.options[source].key if source is not None else None,
                           "changes": changes})

    def _schedule_trigger(self, effect: Trigger, source: int, now: float) -> None:
        u_chance = self.uniform(effect.row)
        u_delay = self.uniform(effect.row)
        chance = float(effect.chance.fn(self.v))
        if not 0.0 <= chance <= 1.0:  # an error, never clamped (rounding aside)
            chance = checked_chance(chance, effect, self.m.options[source].key, now,
                                    self.run_index)
        if u_chance >= chance:
            return
        if effect.delay_expr is not None:
            delay = float(effect.delay_expr.fn(self.v))
            if delay != delay or delay == INF:
                raise RunError(f"a trigger delay in `{self.m.options[source].key}` is {delay} "
                               f"days in run {self.run_index}; delays must be finite")
        else:
            dist = effect.delay.distribution  # type: ignore[union-attr]
            delay = float(dist.median) if dist.is_constant else float(dist.ppf(u_delay))
        ev = self.env.timeout(max(0.0, delay), (effect.target, source))
        ev.callbacks.append(self._triggered)
        self.pending_triggers += 1

    def _lapse(self, option: OptionSpec, why: str) -> None:
        self.lapsed += 1
        if self.trace is not None:
            self.trace.append({"t": self.env.now, "option": option.key, "cause": "lapsed",
                               "source": why, "changes": None})

    def _event_core(self) -> tuple[Any, Any, Any, Any]:
        """The per-event hot path of this run: ``fire``, ``rearm`` and the ``alarm`` callback.

        They are closures rather than methods because they run at every event: what they
        use is bound once per run (cell variables) instead of being looked up on ``self``
        and the engine at every call, and a hazard firing is three calls (alarm → fire →
        rearm) instead of a chain of helpers. The one live alarm is a SimPy Timeout for
        the soonest hazard; an alarm that is not the latest one set was superseded (the
        state changed after it was set) and does nothing.
        """
        run, env, v, e = self, self.env, self.v, self.e
        budget, lam, last, due = self.budget, self.lam, self.last, self.due
        when_fn, rate_const, rate_fn, once = e.when_fn, e.rate_const, e.rate_fn, e.once
        counter_slot, effects_of, after_fire = e.counter_slot, e.effects, e.after_fire
        is_hazard, clock_row, pred_fns = e.is_hazard, e.clock_row, e.pred_fns
        fired_once, reached, uniform, trace = self.fired_once, self.reached, self.uniform, \
            self.trace
        event_options, event_times = self.event_options, self.event_times
        apply, trace_firing, reach = self._apply, self._trace_firing, self._reach
        rate_error, all_hazards = self._rate_error, tuple(e.hazards)
        alarm_event: simpy.Event | None = None
        alarm_time, alarm_option = INF, -1

        def fire(i: int, cause: int, source: int | None, now: float) -> None:
            """Fire option ``i``: record it, apply its effects, re-check what it touched."""
            if run.grid_due < now:
                run._snapshot(now)
            if len(event_options) >= MAX_EVENTS:
                run._too_many_events(i, now)
            event_options.append(i)
            event_times.append(now)
            fired_once[i] = True
            v[counter_slot[i]] += 1.0
            effects = effects_of[i]
            if effects:
                apply(i, cause, source, effects, now)
            elif trace is not None:
                trace_firing(i, cause, source, now, {})
            preds, hazards = after_fire[i]
            if preds:
                for k in preds:
                    if reached[k] != reached[k] and pred_fns[k](v):  # NaN: not yet reached
                        reach(k, now)
                if run.done:
                    return
            if is_hazard[i]:
                # it fired: its budget is spent; a fresh one comes from its own clock row
                budget[i] = -_log(1.0 - uniform(clock_row[i]))
                lam[i] = 0.0
                last[i] = now
            rearm(hazards, now)

        def rearm(hazards: Any, now: float) -> None:
            """Refresh the given hazards at ``now``, then (re)set the alarm for the soonest.

            Refreshing spends the budget used since the last refresh at the old rate, then
            recomputes the rate and the time the rest of the budget runs out (``due``).
            """
            nonlocal alarm_event, alarm_time, alarm_option
            for i in hazards:
                rate = lam[i]
                if rate > 0.0:
                    left = budget[i] - rate * (now - last[i])
                    budget[i] = left if left > 0.0 else 0.0
                last[i] = now
                when = when_fn[i]
                if (once[i] and fired_once[i]) or (when is not None and not when(v)):
                    lam[i] = 0.0
                    due[i] = INF
                    continue
                rate = rate_const[i]
                if rate is None:
                    rate = float(rate_fn[i](v))
                    if rate == INF or rate != rate:
                        rate_error(i, rate, now)
                    if not rate > 0.0:
                        rate = 0.0  # a negative rate means the option cannot happen now
                lam[i] = rate
                due[i] = now + budget[i] / rate if rate > 0.0 else INF
            # the soonest hazard (the first in option order among equal times); a plain
            # scan beats min()/index() over all options, whose generic compares are slow
            soonest, best = INF, -1
            for i in all_hazards:
                if due[i] < soonest:
                    soonest, best = due[i], i
            if soonest == alarm_time and best == alarm_option:
                return  # the alarm already set is still right: no new Timeout
            alarm_option, alarm_time = best, soonest
            if soonest < INF:
                delay = soonest - now
                alarm_event = Timeout(env, delay if delay > 0.0 else 0.0)
                alarm_event.callbacks.append(alarm)
            else:
                alarm_event = None

        def alarm(event: simpy.Event) -> None:
            if event is alarm_event and not run.done:
                now = v[0] = env.now
                fire(alarm_option, HAZARD, None, now)

        def release() -> None:
            # the closures refer to each other and to the run (see _release)
            nonlocal run, fire, rearm, alarm, alarm_event, apply, trace_firing, reach, \
                rate_error
            dead: Any = None  # the run is over: nothing calls these closures again
            run = fire = rearm = alarm = alarm_event = apply = trace_firing = reach = \
                rate_error = dead

        return fire, rearm, alarm, release

    def _too_many_events(self, i: int, now: float) -> None:
        raise runaway_error(self.m, self.run_index, MAX_EVENTS,
                            [*self.event_options[-RECENT:], i], [*self.event_times[-RECENT:], now],
                            now)

    def _rate_error(self, i: int, lam: float, now: float) -> None:
        raise RunError(f"the rate of `{self.m.options[i].key}` is {lam} at day {now:g} of run "
                       f"{self.run_index}; rates must be finite (check its expression "
                       "for a division by zero or an overflow)")

    def _check_predicates(self, indices: Any, now: float) -> None:
        v = self.v
        reached = self.reached
        pred_fns = self.e.pred_fns
        for k in indices:
            if reached[k] != reached[k] and pred_fns[k](v):  # NaN: not yet reached
                self._reach(k, now)

    def _reach(self, k: int, now: float) -> None:
        """Predicate ``k`` holds for the first time (at ``now``)."""
        self.reached[k] = now
        pred = self.m.predicates[k]
        if self.trace is not None:
            kind = "outcome" if k < self.e.n_outcomes else "indicator"
            self.trace.append({"t": now, kind: pred.name, "cause": kind,
                               "source": None, "changes": None})
        if pred.terminal:
            self._finish()

    def _snapshot(self, until: float) -> None:
        """Record the current state at every grid time before ``until`` not yet recorded."""
        v = self.v
        row = [v[s] for s in self.e.state_slots]  # shared by the rows: never mutated
        grid, rows = self.e.grid, self.grid_rows
        g = self.grid_next
        while g < self.n_grid and grid[g] < until:
            rows.append(row)
            g += 1
        self.grid_next = g
        self.grid_due = grid[g] if g < self.n_grid else INF
