"""The SimPy engine's per-event hot path: firing, re-arming hazards, and the callbacks
of every event source (hazard alarm, trigger, scheduled option, decision, clock tick).

They are closures built once per run rather than methods because they run at every
event: what they use is bound once (cell variables) instead of being looked up on the
run and the engine at every call.
"""

from __future__ import annotations

import math
from heapq import heappush
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import Event

from simulator.engine.guards import checked_chance

if TYPE_CHECKING:
    from simulator.engine.simpy_run import SimPyRun

INF = math.inf
_new_event = object.__new__
_log = math.log  # a module global: one lookup on the hot path instead of two
_floor = math.floor

# a safety net against unit slips (a rate per day meant per year): no run of a sensible
# scenario comes near it, and a runaway run stops with a clear error instead of hanging
MAX_EVENTS = 200_000

# cause codes recorded with each event
HAZARD, DECISION, SCHEDULED, TRIGGERED = 0, 1, 2, 3
CAUSES = ("hazard", "decision", "scheduled", "triggered")

# SimPy event priorities at equal times (smaller first; see docs/engine-semantics.md)
END_PRIORITY, TICK_PRIORITY, HAZARD_PRIORITY, SOURCE_PRIORITY = -1, 0, 1, 2
# (HAZARD_PRIORITY is SimPy's NORMAL, a Timeout's: hazard alarms and triggers share it)


def at(env: simpy.Environment, delay: float, priority: int, callback: Any,
       value: Any = None) -> Event:
    """A timeout with an explicit priority among events due at the same time: what
    ``Timeout`` and ``Environment.schedule`` do, without their checks (``delay`` is
    never negative) and calls."""
    event = _new_event(Event)
    event.env = env
    event.callbacks = [callback]
    event._ok = True  # what Timeout does: the event succeeds when it is processed
    event._value = value
    queue: list[Any] = env._queue
    heappush(queue, (env._now + delay, priority, next(env._eid), event))
    return event


# One function on purpose (its complexity is that of the closures it defines): the
# closures share cell variables bound once per engine, which is what makes the hot
# path cheap; split into functions, every call would look its state up again.
def build_hot_path(run: SimPyRun) -> dict[str, Any]:  # noqa: C901
    """The closures of a reusable run (see the module docstring), built once per engine.

    ``reset`` rebinds, at the start of each run, what the run replaces rather than
    resets in place: its environment, its random streams and the lists its record keeps.
    """
    v, e = run.v, run.e
    budget, lam, last, due = run.budget, run.lam, run.last, run.due
    when_fn, rate_const, rate_fn, once = e.when_fn, e.rate_const, e.rate_fn, e.once
    counter_slot, effects_of, after_fire = e.counter_slot, e.effects, e.after_fire
    is_hazard, clock_row, pred_fns, enabled = e.is_hazard, e.clock_row, e.pred_fns, e.enabled
    keys, max_events, refresh = e.keys, e.max_events, e.refresh
    fired_once, reached = run.fired_once, run.reached
    all_hazards = tuple(e.hazards)
    # per option: its `when` (None: always), `once`, constant rate (None: evaluate) and rate
    hazard_spec = [(when_fn[i], once[i], rate_const[i], rate_fn[i]) for i in range(len(once))]
    ladder_slot = run.ladder_slot
    finite, reach, lapse = run.finite, run.reach, run.lapse
    # rebound per run by reset()
    env: simpy.Environment = run.env
    uniform: Any = None
    trace: list[dict[str, Any]] | None = None
    event_options: list[int] = []
    event_times: list[float] = []
    rung_path: list[int] = []
    rung_times: list[float] = []
    alarm_event: Event | None = None
    alarm_time, alarm_option = INF, -1
    tick_count = 1

    def reset() -> None:
        nonlocal env, uniform, trace, event_options, event_times, rung_path, rung_times, \
            alarm_event, alarm_time, alarm_option
        env, uniform, trace = run.env, run.uniform, run.trace
        event_options, event_times = run.event_options, run.event_times
        rung_path, rung_times = run.rung_path, run.rung_times
        alarm_event, alarm_time, alarm_option = None, INF, -1

    def fire(i: int, cause: int, source: int | None, now: float) -> None:
        """Fire option ``i``: record it, apply its effects, re-check what it touched."""
        if run.grid_due < now:
            run.snapshot(now)
        if len(event_options) >= max_events:
            run.too_many_events(i, now)
        event_options.append(i)
        event_times.append(now)
        fired_once[i] = True
        v[counter_slot[i]] += 1.0
        effects = effects_of[i]
        if effects:
            apply(i, cause, source, effects, now)
        elif trace is not None:
            run.trace_firing(i, cause, source, now, {})
        for slot, refresh_fn in refresh[i]:  # tick slots that read what it wrote
            v[slot] = refresh_fn(v)
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

    def apply(i: int, cause: int, source: int | None, effects: tuple[Any, ...],
              now: float) -> None:
        """Apply option ``i``'s effects in order (and trace the firing when tracing)."""
        changes: dict[str, list[float]] | None = {} if trace is not None else None
        for effect in effects:
            if effect[0] == 0:
                _, slot, const, value_fn, add, lo, hi, integer = effect
                old = v[slot]
                value = const if value_fn is None else float(value_fn(v))
                new = old + value if add else value
                if new < lo:
                    new = lo
                elif new > hi:
                    new = hi
                if integer:
                    new = float(_floor(new + 0.5))  # halves go up, not to even
                if new != old:
                    v[slot] = new
                    if changes is not None:
                        changes.setdefault(run.m.slot_names[slot], [old, new])[1] = new
                    if slot == ladder_slot:
                        rung_path.append(int(new))
                        rung_times.append(now)
            else:
                schedule_trigger(effect, i)
        if changes is not None:
            run.trace_firing(i, cause, source, now, changes)

    def schedule_trigger(effect: tuple[Any, ...], source: int) -> None:
        _, target, row, chance_fn, delay_fn, dist, fixed_delay, spec = effect
        u_chance = uniform(row)
        u_delay = uniform(row)
        chance = float(chance_fn(v))
        if not 0.0 <= chance <= 1.0:  # an error, never clamped (rounding aside)
            chance = checked_chance(chance, spec, keys[source], env.now, run.run_index)
        if u_chance >= chance:
            return
        if delay_fn is not None:
            delay = float(delay_fn(v))
            if delay != delay or delay == INF:
                run.delay_error(source, delay)
        elif fixed_delay is not None:
            delay = fixed_delay
        else:
            delay = float(dist.ppf(u_delay))
        at(env, delay if delay > 0.0 else 0.0, HAZARD_PRIORITY, triggered, (target, source))
        run.pending_triggers += 1

    def rearm(hazards: Any, now: float) -> None:
        """Refresh the given hazards at ``now``, then (re)set the alarm for the soonest.

        Refreshing spends the budget used since the last refresh at the old rate, then
        recomputes the rate and the time the rest of the budget runs out (``due``).
        Only the refreshed hazards are compared with the alarm already set (the others
        kept their times), unless the alarm's own hazard became later: then all are.
        """
        nonlocal alarm_event, alarm_time, alarm_option
        rescan = False
        # the soonest so far: the alarm set, unless one of these hazards comes sooner
        # (if the alarm's own hazard became later, all hazards are scanned below)
        soonest, best = alarm_time, alarm_option
        for i in hazards:
            when, once_i, rate, rate_of = hazard_spec[i]
            old_rate = lam[i]
            if old_rate > 0.0:
                left = budget[i] - old_rate * (now - last[i])
                budget[i] = left if left > 0.0 else 0.0
            last[i] = now
            if (once_i and fired_once[i]) or (when is not None and not when(v)):
                lam[i] = 0.0
                d = INF
            else:
                if rate is None:
                    rate = float(rate_of(v))
                    if rate == INF or rate != rate:
                        run.rate_error(i, rate, now)
                    if not rate > 0.0:
                        rate = 0.0  # a negative rate means the option cannot happen now
                lam[i] = rate
                d = now + budget[i] / rate if rate > 0.0 else INF
            due[i] = d
            if i == alarm_option and d > alarm_time:
                rescan = True
            elif d < soonest or (d == soonest and i < best):
                soonest, best = d, i
        if rescan:
            # a plain scan beats min()/index(), whose generic compares are slow; the
            # first in option order wins among equal times
            soonest, best = INF, -1
            for i in all_hazards:
                if due[i] < soonest:
                    soonest, best = due[i], i
        if soonest == alarm_time and best == alarm_option:
            return  # the alarm already set is still right: no new Timeout
        alarm_option, alarm_time = best, soonest
        if soonest < INF:
            delay = soonest - now
            alarm_event = at(env, delay if delay > 0.0 else 0.0, HAZARD_PRIORITY, alarm)
        else:
            alarm_event = None

    def alarm(event: Event) -> None:
        # an alarm that is not the latest one set was superseded and does nothing
        if event is alarm_event and not run.done:
            now = v[0] = env.now
            fire(alarm_option, HAZARD, None, now)

    def triggered(event: Event) -> None:
        run.pending_triggers -= 1
        if run.done:
            return
        target, source = event._value
        now = v[0] = env.now
        when = when_fn[target]
        if enabled[target] and (when is None or when(v)) and not (
                once[target] and fired_once[target]):
            fire(target, TRIGGERED, source, now)
        else:
            lapse(target, f"triggered by {keys[source]}")

    def scheduled(event: Event) -> None:
        run.scheduled_left -= 1
        if run.done:
            return
        i = event._value
        now = v[0] = env.now
        when = when_fn[i]
        if (when is None or when(v)) and not (once[i] and fired_once[i]):
            fire(i, SCHEDULED, None, now)
        else:
            lapse(i, "scheduled")

    def decider(every: float, row: int, name: str, idle_const: float | None,
                idle_fn: Any, choices: tuple[Any, ...]) -> Any:
        """The wake-up of one deciding actor: every ``every`` days (first at ``every``)
        while the run lasts; its event's value is its priority in this run."""
        weights = [0.0] * len(choices)

        def wake(event: Event) -> None:
            if run.done:
                return
            now = v[0] = env.now
            total = idle_const if idle_const is not None else \
                finite(float(idle_fn(v)), "idle weight", name)
            for n, (i, once_i, when, w_const, w_fn, key) in enumerate(choices):
                w = 0.0
                if not (once_i and fired_once[i]) and (when is None or when(v)):
                    w = w_const if w_const is not None else finite(float(w_fn(v)), "weight", key)
                weights[n] = w
                total += w
            u = uniform(row)
            if total > 0.0:
                target = u * total
                acc = 0.0
                for n, w in enumerate(weights):
                    acc += w
                    if target < acc and w > 0.0:
                        fire(choices[n][0], DECISION, None, now)
                        break
            if not run.done:
                at(env, every, event._value, wake, event._value)

        return wake

    step = run.m.time_step_days
    t_preds, t_hazards = tuple(e.t_predicates), tuple(e.t_options)

    def tick(_event: Event) -> None:
        """Re-evaluate what reads ``t`` every time step (nothing else changes, nothing fires)."""
        nonlocal tick_count
        if run.done:
            return
        now = v[0] = env.now
        if t_preds:
            run.check_predicates(t_preds, now)
            if run.done:
                return
        rearm(t_hazards, now)
        tick_count += 1
        # exact multiples of the step: no drift from adding it up
        next_time = tick_count * step - now
        at(env, next_time if next_time > 0.0 else 0.0, TICK_PRIORITY, tick)

    def start_clock() -> None:
        nonlocal tick_count
        tick_count = 1
        at(env, step, TICK_PRIORITY, tick)

    return {"fire": fire, "rearm": rearm, "scheduled": scheduled, "reset": reset,
            "start_clock": start_clock,
            "wakes": [decider(*d) for d in e.deciders]}
