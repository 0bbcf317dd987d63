"""One run of the SimPy engine: its state, its event sources and the per-event hot path.

Every source of events is a SimPy event with a callback (the end of the horizon,
clock ticks, the hazard alarm, triggers, scheduled options, each actor's decisions):
a callback costs less than resuming a process, and the order of events is SimPy's
(time, priority, creation). See ``docs/engine-semantics.md`` for what a run means.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import Event

from simulator.engine.hot_path import (
    CAUSES,
    END_PRIORITY,
    SOURCE_PRIORITY,
    at,
    build_hot_path,
)
from simulator.engine.run_record import RunRecord, run_digest
from simulator.engine.streams import Streams
from simulator.errors import RunError

if TYPE_CHECKING:
    from simulator.engine.simpy_engine import SimPyEngine

INF = math.inf
NAN = math.nan
_log = math.log


class SimPyRun:
    """The mutable state of one run (kept out of the engine so runs never share state)."""

    def __init__(self, engine: SimPyEngine, run_index: int, v0: list[float],
                 streams: Streams, trace: bool) -> None:
        self.e = engine
        self.m = engine.model
        self.run_index = run_index
        self.v = v = list(v0)
        self.params = [v0[s] for s in engine.param_slots]
        engine.constants.extend(v)  # this run's constant sub-expressions, once
        self.streams = streams
        self.uniform = streams.uniform  # bound once: called at every hazard firing
        self.env = simpy.Environment()
        self.done = False
        n_opt = len(engine.keys)
        self.fired_once = [False] * n_opt
        # next-reaction bookkeeping per option (used for hazards only)
        self.budget = [0.0] * n_opt
        self.lam = [0.0] * n_opt
        self.last = [0.0] * n_opt
        self.due = [INF] * n_opt
        self.reached = [NAN] * len(engine.pred_fns)
        self.event_options: list[int] = []
        self.event_times: list[float] = []
        self.lapsed = 0
        self.grid_rows: list[tuple[list[float], int]] = []
        self.grid_next = 0
        self.n_grid = len(engine.grid)
        # time of the next grid snapshot still to record (INF when all are recorded)
        self.grid_due = engine.grid[0] if engine.grid else INF
        ladder = self.m.ladder
        self.ladder_slot = ladder.slot if ladder else -1
        self.rung_path = [int(v[self.ladder_slot])] if ladder else []
        self.rung_times = [0.0] if ladder else []
        self.trace: list[dict[str, Any]] | None = [] if trace else None
        self.core: dict[str, Any] = {}

    # ------------------------------------------------------------------ lifecycle

    def execute(self) -> RunRecord:
        env, e = self.env, self.e
        self.end = env.event()
        at(env, self.m.horizon_days, END_PRIORITY, self.finish)
        priority = self._source_priorities()
        self.core = core = build_hot_path(self)
        self.check_predicates(range(len(e.pred_fns)), 0.0)
        if not self.done:
            scheduled = core["scheduled"]
            for i, day in e.scheduled:
                at(env, day, priority[e.sources.index(("scheduled", i))], scheduled, i)
            for decider in e.deciders:
                core["start_decisions"](decider, priority[e.sources.index(("decide",
                                                                           decider[0]))])
            if e.t_options or e.t_predicates:
                core["start_clock"]()
            uniform, budget, clock_row = self.uniform, self.budget, e.clock_row
            for i in e.hazards:
                budget[i] = -_log(1.0 - uniform(clock_row[i]))
            core["rearm"](e.hazards, 0.0)
            env.run(until=self.end)
        end_time = env.now
        self.snapshot(INF)
        record = self._record(end_time)
        self._release()
        return record

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
        release = self.core.get("release")
        if release is not None:
            release()
        self.core = {}

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
        # a per-run digest makes the results table's digest independent of chunking
        record.digest = run_digest(
            (self.params, record.outcome_times, record.indicator_times,
             record.final_state, record.event_times, [record.lapsed, end_time]),
            (record.counts, record.rung_path, record.event_options))
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
        raise RunError(f"run {self.run_index} passed {self.e.max_events:,} events by day {now:g} "
                       f"(the last: `{self.e.keys[i]}`); a rate is probably in the "
                       "wrong unit (expression rates are per day)")

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
        grid, g, n = self.e.grid, self.grid_next, self.n_grid
        first = g
        while g < n and grid[g] < until:
            g += 1
        if g > first:
            v = self.v
            self.grid_rows.append(([v[s] for s in self.e.state_slots], g - first))
        self.grid_next = g
        self.grid_due = grid[g] if g < n else INF
