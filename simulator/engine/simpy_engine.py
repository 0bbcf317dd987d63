"""The SimPy discrete-event engine: one run of a compiled model.

Semantics (engine-independent; the conformance tests check them):

* Time is continuous, in days, from 0 to the horizon; a run covers [0, horizon).
* Hazard options fire as Poisson processes with their current rate while enabled. Each
  hazard option owns a unit-exponential "budget" drawn from its clock row; it fires
  when its integrated hazard reaches the budget (the next-reaction method). Rates and
  conditions are re-evaluated after every state change that touches what they read, so
  the race between hazards is exact for piecewise-constant rates (memorylessness). A
  rate that reads ``t`` is treated as constant between events.
* Deciding actors wake every ``every`` days (first at ``every``) and pick at most one
  enabled option with probability ∝ weight, against the idle weight.
* Scheduled options fire at their day if enabled; triggered ones when a trigger effect
  comes due, if their ``when`` holds then — otherwise they *lapse* (recorded).
* ``once`` options fire at most once. Effects apply in order; values are clamped.
* After every firing, outcomes and indicators are checked (first passage); a terminal
  outcome ends the run.
* Conditions and rates that read ``t`` are re-evaluated at every event and, between
  events, every ``time_step`` days (default horizon/100): a gate such as ``t > 10``
  opens at most one step late, and a rate that grows with ``t`` is integrated as a
  step function of that resolution.
* Simultaneous events resolve in scheduling order (SimPy's FIFO for equal times): at
  day 0, scheduled options in option order, then deciding actors in actor order;
  zero-delay triggers run after the event that caused them, in effect order.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import simpy

from simulator.engine.streams import Streams
from simulator.errors import RunError
from simulator.model.model import Assign, Model, OptionSpec, Trigger

INF = math.inf
NAN = math.nan

# a safety net against unit slips (a rate per day meant per year): no run of a sensible
# scenario comes near it, and a runaway run stops with a clear error instead of hanging
MAX_EVENTS = 200_000

# cause codes recorded with each event
HAZARD, DECISION, SCHEDULED, TRIGGERED = 0, 1, 2, 3
CAUSES = ("hazard", "decision", "scheduled", "triggered")


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


class SimPyEngine:
    """Runs one compiled model; reuse one instance for many runs of that model."""

    name = "simpy"

    def __init__(self, model: Model, grid: list[float]) -> None:
        self.model = model
        self.grid = grid
        self.state_slots = [s.slot for s in model.state]
        self.hazards = [o.index for o in model.options if o.mode == "hazard" and o.enabled]
        self.is_hazard = [o.mode == "hazard" and o.enabled for o in model.options]
        reads_t = [0 in o.when.slots or (o.rate is not None and 0 in o.rate.slots)
                   for o in model.options]
        self.t_options = [i for i in self.hazards if reads_t[i]]
        preds = model.predicates
        self.n_outcomes = len(model.outcomes)
        self.t_predicates = [i for i, p in enumerate(preds) if 0 in p.when.slots]
        # What a firing of option i can change is known in advance (its counter and the
        # slots its effects write), so the predicates and hazards to re-check after it
        # are precomputed: no set building on the hot path. Re-checking one whose inputs
        # kept their value is harmless (first passage; a hazard re-armed at the same rate).
        self.after_fire: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        for option in model.options:
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
        self.env = simpy.Environment()
        self.done = False
        n_opt = len(self.m.options)
        self.fired_once = [False] * n_opt
        self.budget = [0.0] * n_opt
        self.lam = [0.0] * n_opt
        self.last = [0.0] * n_opt
        self.due = [INF] * n_opt
        self.alarm_version = 0
        self.alarm_time = INF
        self.alarm_option = -1
        preds = self.m.predicates
        self.reached = [NAN] * len(preds)
        self.n_reached = 0
        self.event_options: list[int] = []
        self.event_times: list[float] = []
        self.lapsed = 0
        self.grid_rows: list[list[float]] = []
        self.grid_next = 0
        self.n_grid = len(engine.grid)
        ladder = self.m.ladder
        self.ladder_slot = ladder.slot if ladder else -1
        self.rung_path = [int(self.v[self.ladder_slot])] if ladder else []
        self.rung_times = [0.0] if ladder else []
        self.trace: list[dict[str, Any]] | None = [] if trace else None

    # ------------------------------------------------------------------ lifecycle

    def execute(self) -> RunRecord:
        env, m = self.env, self.m
        self.end = env.event()
        env.timeout(m.horizon_days).callbacks.append(self._finish)
        self._check_predicates(range(len(m.predicates)), 0.0)
        if not self.done:
            for option in m.options:
                if option.enabled and option.mode == "scheduled" and option.at_day is not None \
                        and 0 <= option.at_day < m.horizon_days:
                    ev = env.timeout(option.at_day, option.index)
                    ev.callbacks.append(self._scheduled)
            for actor in m.actors:
                if actor.every_days is not None and actor.decision_options:
                    env.process(self._decisions(actor))
            if self.e.t_options or self.e.t_predicates:
                env.process(self._clock())
            for i in self.e.hazards:
                self.budget[i] = -math.log(1.0 - self.streams.uniform(m.options[i].clock_row))
                self._refresh_hazard(i, 0.0)
            self._arm(0.0)
            env.run(until=self.end)
        end_time = env.now
        self._snapshot(INF)
        return self._record(end_time)

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
        record.digest = hashlib.blake2b(repr((
            self.params, record.outcome_times, record.indicator_times, record.final_state,
            record.counts,
            record.rung_path, record.event_options, record.event_times, record.lapsed,
            end_time)).encode(), digest_size=16).digest()
        return record

    # ------------------------------------------------------------------ event sources

    def _decisions(self, actor: Any) -> Any:
        env, m, v = self.env, self.m, self.v
        row = actor.decide_row
        every = actor.every_days
        options = [m.options[i] for i in actor.decision_options if m.options[i].enabled]
        while not self.done:
            yield env.timeout(every)
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
            u = self.streams.uniform(row)
            if total <= 0.0:
                continue
            target = u * total
            acc = 0.0
            for option, w in zip(options, weights, strict=True):
                acc += w
                if target < acc and w > 0.0:
                    self._fire(option, DECISION, None, env.now)
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
            yield env.timeout(max(0.0, k * step - env.now))
            if self.done:
                return
            now = self.v[0] = env.now
            if preds:
                self._check_predicates(preds, now)
                if self.done:
                    return
            for i in hazards:
                self._refresh_hazard(i, now)
            self._arm(now)

    def _scheduled(self, event: simpy.Event) -> None:
        if self.done:
            return
        option = self.m.options[int(event.value)]  # type: ignore[arg-type]
        now = self.v[0] = self.env.now
        if option.when(self.v) and not (option.once and self.fired_once[option.index]):
            self._fire(option, SCHEDULED, None, now)
        else:
            self._lapse(option, "scheduled")

    def _alarm(self, event: simpy.Event) -> None:
        if self.done or event.value != self.alarm_version:
            return  # superseded: the state changed after this alarm was set
        now = self.v[0] = self.env.now
        self._fire(self.m.options[self.alarm_option], HAZARD, None, now)

    def _triggered(self, event: simpy.Event) -> None:
        if self.done:
            return
        target, source = event.value  # type: ignore[misc]
        option = self.m.options[target]
        now = self.v[0] = self.env.now
        if option.enabled and option.when(self.v) and not (
                option.once and self.fired_once[target]):
            self._fire(option, TRIGGERED, source, now)
        else:
            self._lapse(option, f"triggered by {self.m.options[source].key}")

    # ------------------------------------------------------------------ firing

    def _fire(self, option: OptionSpec, cause: int, source: int | None, now: float) -> None:
        v, m = self.v, self.m
        if self.grid_next < self.n_grid and self.e.grid[self.grid_next] < now:
            self._snapshot(now)
        i = option.index
        if len(self.event_options) >= MAX_EVENTS:
            raise RunError(f"run {self.run_index} passed {MAX_EVENTS:,} events by day {now:g} "
                           f"(the last: `{option.key}`); a rate is probably in the wrong unit "
                           "(expression rates are per day)")
        self.event_options.append(i)
        self.event_times.append(now)
        self.fired_once[i] = True
        v[option.counter_slot] += 1.0
        changes: dict[str, list[float]] | None = {} if self.trace is not None else None
        for effect in option.effects:
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
        if self.trace is not None:
            self.trace.append({"t": now, "option": option.key, "cause": CAUSES[cause],
                               "source": m.options[source].key if source is not None else None,
                               "changes": changes})
        self._after_change(i, now)

    def _schedule_trigger(self, effect: Trigger, source: int, now: float) -> None:
        u_chance = self.streams.uniform(effect.row)
        u_delay = self.streams.uniform(effect.row)
        chance = self._finite(float(effect.chance.fn(self.v)), "trigger chance",
                              self.m.options[source].key)
        if u_chance >= chance:  # a chance above 1 always triggers
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

    def _lapse(self, option: OptionSpec, why: str) -> None:
        self.lapsed += 1
        if self.trace is not None:
            self.trace.append({"t": self.env.now, "option": option.key, "cause": "lapsed",
                               "source": why, "changes": None})

    def _after_change(self, fired: int, now: float) -> None:
        preds, hazards = self.e.after_fire[fired]
        if preds:
            self._check_predicates(preds, now)
            if self.done:
                return
        if self.e.is_hazard[fired]:
            # it fired: its budget is spent; a fresh one comes from its own clock row
            self.budget[fired] = -math.log(
                1.0 - self.streams.uniform(self.m.options[fired].clock_row))
            self.lam[fired] = 0.0
            self.last[fired] = now
        refresh = self._refresh_hazard
        for i in hazards:
            refresh(i, now)
        self._arm(now)

    def _refresh_hazard(self, i: int, now: float) -> None:
        # spend the budget used since the last refresh, then recompute the rate
        lam = self.lam[i]
        if lam > 0.0:
            left = self.budget[i] - lam * (now - self.last[i])
            self.budget[i] = left if left > 0.0 else 0.0
        self.last[i] = now
        option = self.m.options[i]
        v = self.v
        if (option.once and self.fired_once[i]) or not option.when.fn(v):
            lam = 0.0
        else:
            lam = float(option.rate.fn(v))  # type: ignore[union-attr]
            if lam == INF or lam != lam:
                raise RunError(f"the rate of `{option.key}` is {lam} at day {now:g} of run "
                               f"{self.run_index}; rates must be finite (check its expression "
                               "for a division by zero or an overflow)")
            if not lam > 0.0:
                lam = 0.0  # a negative rate means the option cannot happen now
        self.lam[i] = lam
        self.due[i] = now + self.budget[i] / lam if lam > 0.0 else INF

    def _arm(self, now: float) -> None:
        due = self.due
        soonest, best = INF, -1
        for i in self.e.hazards:
            if due[i] < soonest:
                soonest, best = due[i], i
        if soonest == self.alarm_time and best == self.alarm_option:
            return
        self.alarm_option = best
        self.alarm_version += 1
        self.alarm_time = soonest
        if soonest < INF:
            ev = self.env.timeout(max(0.0, soonest - now), self.alarm_version)
            ev.callbacks.append(self._alarm)

    def _check_predicates(self, indices: Any, now: float) -> None:
        v = self.v
        reached = self.reached
        preds = self.m.predicates
        for k in indices:
            if reached[k] != reached[k] and preds[k].when.fn(v):  # NaN: not yet reached
                reached[k] = now
                if self.trace is not None:
                    kind = "outcome" if k < self.e.n_outcomes else "indicator"
                    self.trace.append({"t": now, kind: preds[k].name, "cause": kind,
                                       "source": None, "changes": None})
                if preds[k].terminal:
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
