"""One run of the SimPy engine: its state, reset for each run, and its life cycle (the
per-event callbacks are in :mod:`.hot_path`).

Every source of events is a SimPy event with a callback (the end of the horizon,
clock ticks, the hazard alarm, triggers, scheduled options, each actor's decisions):
a callback costs less than resuming a process, and the order of events is SimPy's
(time, priority, creation). See ``docs/engine-semantics.md`` for what a run means.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from itertools import count
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import Event

from simulator.engine.absorption import cap_error, simpy_absorbed, simpy_still_possible
from simulator.engine.guards import RECENT, runaway_error
from simulator.engine.hot_path import (
    CAUSES,
    END_PRIORITY,
    SOURCE_PRIORITY,
    at,
    build_hot_path,
)
from simulator.engine.run_record import RunRecord
from simulator.engine.streams import Streams
from simulator.errors import RunError

if TYPE_CHECKING:
    from simulator.engine.simpy_engine import SimPyEngine

INF = math.inf
NAN = math.nan
_log = math.log


class SimPyRun:
    """The mutable state of a run, reused run after run by one engine (one run at a time).

    Its hot-path closures are built once; each run resets the state they share in
    place (or rebinds it, for the lists a run's record keeps), so runs never share
    state and a run costs no closure building.
    """

    def __init__(self, engine: SimPyEngine) -> None:
        self.e = engine
        self.m = engine.model
        n_opt = len(engine.keys)
        self.v: list[float] = []
        self.fired_once = [False] * n_opt
        # next-reaction bookkeeping per option (used for hazards only)
        self.budget = [0.0] * n_opt
        self.lam = [0.0] * n_opt
        self.last = [0.0] * n_opt
        self.due = [INF] * n_opt
        self.reached = [NAN] * len(engine.pred_fns)
        self.n_grid = len(engine.grid)
        ladder = self.m.ladder
        self.ladder_slot = ladder.slot if ladder else -1
        self.run_index = 0
        self.env = simpy.Environment()
        self.core = build_hot_path(self)

    # ------------------------------------------------------------------ lifecycle

    def execute(self, run_index: int, v0: list[float], streams: Streams,
                trace: bool) -> RunRecord:
        e, core = self.e, self.core
        self.run_index = run_index
        v = self.v
        v[:] = v0
        e.constants.extend(v)  # this run's constant sub-expressions, once
        e.tick_constants.extend(v)
        self.uniform = uniform = streams.uniform
        self.env = env = self._fresh_environment()
        self.done = False
        n_opt = len(self.fired_once)
        self.fired_once[:] = [False] * n_opt
        self.budget[:] = self.lam[:] = self.last[:] = [0.0] * n_opt
        self.due[:] = [INF] * n_opt
        self.reached[:] = [NAN] * len(self.reached)
        self.lapsed = 0
        self.grid_rows: list[tuple[list[float], int]] = []
        self.grid_next = 0
        # time of the next grid snapshot still to record (INF when all are recorded)
        self.grid_due = e.grid[0] if e.grid else INF
        ladder = self.ladder_slot >= 0
        self.rung_path = [int(v[self.ladder_slot])] if ladder else []
        self.rung_times = [0.0] if ladder else []
        self.event_options: list[int] = []
        self.event_times: list[float] = []
        self.trace: list[dict[str, Any]] | None = [] if trace else None
        # for `until absorbed`: triggers created and not yet due, scheduled options to come
        self.pending_triggers = 0
        self.scheduled_left = 0
        core["reset"]()
        self.end = env.event()
        absorbing = self.m.absorbing
        at(env, self.m.horizon_days, END_PRIORITY,
           self.cap_reached if absorbing else self.finish)
        priority = self._source_priorities()
        self.check_predicates(range(len(e.pred_fns)), 0.0)
        if not self.done:
            scheduled = core["scheduled"]
            for i, day, source in e.scheduled:
                at(env, day, priority[source], scheduled, i)
            self.scheduled_left = len(e.scheduled)
            for wake, (source, every) in zip(core["wakes"], e.decider_timing, strict=True):
                at(env, every, priority[source], wake, priority[source])
            if e.t_options or e.t_predicates:
                core["start_clock"]()
            budget, clock_row = self.budget, e.clock_row
            for i in e.hazards:
                budget[i] = -_log(1.0 - uniform(clock_row[i]))
            core["rearm"](e.hazards, 0.0)
            if absorbing:
                self._run_until_absorbed()
            else:
                env.run(until=self.end)
        end_time = env.now
        self.snapshot(INF)
        record = self._record(end_time)
        # SimPy's event heap: nothing left in it will ever be processed, and its events
        # refer back to the environment (a cycle the garbage collector would have to find)
        env._queue.clear()
        return record

    def _fresh_environment(self) -> simpy.Environment:
        """The run's environment, as new: time 0, nothing scheduled.

        One environment serves every run of the engine: a new one per run would be
        cyclic garbage (SimPy binds its methods to it), left for the garbage collector.
        """
        env = self.env
        env._now = 0  # what Environment() starts from
        env._queue.clear()
        env._eid = count()
        env._active_proc = None
        return env

    def _source_priorities(self) -> list[int]:
        """Each same-time source's priority in this run (by its index in ``e.sources``)."""
        n = len(self.e.sources)
        if not n:
            return []
        uniform, row = self.uniform, self.e.order_row
        keys = [uniform(row) for _ in range(n)]
        ranks = sorted(range(n), key=keys.__getitem__)
        out = [0] * n
        for rank, k in enumerate(ranks):
            out[k] = SOURCE_PRIORITY + rank
        return out

    def _run_until_absorbed(self) -> None:
        """Process events until a terminal outcome or until nothing more can happen."""
        env = self.env
        while not self.done:
            if simpy_absorbed(self):
                self.finish()
                return
            env.step()

    def cap_reached(self, _event: Event) -> None:
        if not self.done:
            raise cap_error(self.m, self.run_index, simpy_still_possible(self))

    def finish(self, _event: Event | None = None) -> None:
        if not self.done:
            self.done = True
            self.end.succeed()

    def _record(self, end_time: float) -> RunRecord:
        v, e = self.v, self.e
        n_out = e.n_outcomes
        reached = self.reached
        record = RunRecord(
            run=self.run_index,
            outcome_times=reached[:n_out],
            indicator_times=reached[n_out:],
            final_state=[v[s] for s in e.state_slots],
            counts=[int(v[s]) for s in e.counter_slot],
            rung_path=self.rung_path,
            rung_times=self.rung_times,
            event_options=self.event_options,
            event_times=self.event_times,
            lapsed=self.lapsed,
            end_time=end_time,
            grid=self.grid_rows,
            trace=self.trace,
        )
        return record

    # ------------------------------------------------------------------ helpers

    def finite(self, value: float, what: str, owner: str) -> float:
        """A weight or chance: negative counts as 0; NaN and infinity stop the run."""
        if value != value or value == INF:
            raise RunError(f"the {what} of `{owner}` is {value} at day {self.env.now:g} of run "
                           f"{self.run_index}; it must be a finite number (check its "
                           "expression for a division by zero or an overflow)")
        return value if value > 0.0 else 0.0

    def lapse(self, i: int, why: str) -> None:
        self.lapsed += 1
        if self.trace is not None:
            self.trace.append({"t": self.env.now, "option": self.e.keys[i], "cause": "lapsed",
                               "source": why, "changes": None})

    def trace_firing(self, i: int, cause: int, source: int | None, now: float,
                     changes: dict[str, list[float]]) -> None:
        keys = self.e.keys
        self.trace.append({"t": now, "option": keys[i],  # type: ignore[union-attr]
                           "cause": CAUSES[cause],
                           "source": keys[source] if source is not None else None,
                           "changes": changes})

    def too_many_events(self, i: int, now: float) -> None:
        raise runaway_error(self.m, self.run_index, self.e.max_events,
                            [*self.event_options[-RECENT:], i],
                            [*self.event_times[-RECENT:], now], now)

    def rate_error(self, i: int, lam: float, now: float) -> None:
        raise RunError(f"the rate of `{self.e.keys[i]}` is {lam} at day {now:g} of run "
                       f"{self.run_index}; rates must be finite (check its expression "
                       "for a division by zero or an overflow)")

    def delay_error(self, source: int, delay: float) -> None:
        raise RunError(f"a trigger delay in `{self.e.keys[source]}` is {delay} "
                       f"days in run {self.run_index}; delays must be finite")

    def check_predicates(self, indices: Any, now: float) -> None:
        v = self.v
        reached = self.reached
        pred_fns = self.e.pred_fns
        for k in indices:
            if reached[k] != reached[k] and pred_fns[k](v):  # NaN: not yet reached
                self.reach(k, now)

    def reach(self, k: int, now: float) -> None:
        """Predicate ``k`` holds for the first time (at ``now``)."""
        self.reached[k] = now
        if self.trace is not None:
            kind = "outcome" if k < self.e.n_outcomes else "indicator"
            self.trace.append({"t": now, kind: self.m.predicates[k].name, "cause": kind,
                               "source": None, "changes": None})
        if self.e.terminal[k]:
            self.finish()

    def snapshot(self, until: float) -> None:
        """Record the current state at every grid time before ``until`` not yet recorded."""
        grid, first = self.e.grid, self.grid_next
        g = bisect_left(grid, until, first)  # the grid times before `until`
        if g > first:
            v = self.v
            self.grid_rows.append(([v[s] for s in self.e.state_slots], g - first))
        self.grid_next = g
        self.grid_due = grid[g] if g < self.n_grid else INF
