"""The vectorised NumPy engine: every run of a chunk advances together.

Each step of the loop takes every live run to its own next event and handles that one
event, for all runs at once: NumPy operations over the runs whose next event is of the
same kind (a clock tick, a hazard option, a due trigger, a decision or a scheduled
option). It implements the same semantics contract as the SimPy engine
(``docs/engine-semantics.md``) with the same random numbers for the same purposes, so
a run's parameters are identical in both engines and most runs come out identical too
(they can differ when floating-point rounding of a hazard's integrated budget decides
a tie); the engines are compared statistically, and digests are per engine.

Sampled event traces are produced by re-running the sampled runs on the SimPy engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.engine.absorption import vector_absorb, vector_cap_error
from simulator.engine.batch import (
    GRID_POINTS,
    ChunkResult,
    initial_vectors,
    state_bin_edges,
    time_grid,
)
from simulator.engine.guards import RECENT, runaway_error
from simulator.engine.simpy_engine import MAX_EVENTS, SimPyEngine
from simulator.engine.streams import RowLayout
from simulator.engine.vector_effects import assign, trigger
from simulator.engine.vector_output import chunk_result
from simulator.engine.vector_support import ChunkDraws, SubsetExpression
from simulator.errors import RunError
from simulator.model.model import ORDER_ROW, Assign, Model, same_time_sources

INF = np.inf


class _Option:
    """One option's hot-path view: its expressions compiled for subsets of runs."""

    def __init__(self, model: Model, index: int, hazard_column: int) -> None:
        o = model.options[index]
        self.index, self.key, self.once, self.enabled = index, o.key, o.once, o.enabled
        self.counter = o.counter_slot
        self.clock_row = o.clock_row
        self.column = hazard_column  # its column in the hazard arrays, or -1
        self.when = None if o.when.constant is True else SubsetExpression(o.when)
        self.rate = SubsetExpression(o.rate) if o.rate is not None else None
        self.weight = SubsetExpression(o.weight) if o.weight is not None else None
        self.effects: list[tuple[Any, ...]] = []
        for e in o.effects:
            if isinstance(e, Assign):
                self.effects.append(("assign", e, SubsetExpression(e.value)))
            else:
                self.effects.append(("trigger", e, SubsetExpression(e.chance),
                                     SubsetExpression(e.delay_expr) if e.delay_expr else None))


class VectorChunk:
    """The state of all runs ``[start, stop)`` of one model while they are simulated."""

    def __init__(self, model: Model, root_seed: int, start: int, stop: int) -> None:
        self.m, self.start, self.stop = model, start, stop
        n = self.n = stop - start
        self.horizon = model.horizon_days
        self.grid = np.asarray(time_grid(model.horizon_days))
        self.draws = ChunkDraws(root_seed, start, stop, RowLayout(model.row_sizes))
        self.v0 = initial_vectors(model, self.draws.first, n)
        self.V = np.ascontiguousarray(self.v0.T)  # (slots, runs)
        # what a firing touches, shared with the SimPy engine (one source of truth)
        probe = SimPyEngine(model, [])
        self.after_fire = probe.after_fire
        self.t_predicates, self.t_options = probe.t_predicates, probe.t_options
        hazards = probe.hazards
        self.hazard_options = hazards
        column = {i: c for c, i in enumerate(hazards)}
        self.opts = [_Option(model, o.index, column.get(o.index, -1)) for o in model.options]
        # after a firing of option i (row i) or a clock tick (the last row): which
        # predicates and which hazard columns to re-check
        n_opt = len(model.options)
        self.check_pred = np.zeros((n_opt + 1, len(model.predicates)), bool)
        self.check_hazard = np.zeros((n_opt + 1, len(hazards)), bool)
        for i, (preds, hz) in enumerate([*probe.after_fire,
                                         (tuple(probe.t_predicates), tuple(probe.t_options))]):
            self.check_pred[i, list(preds)] = True
            self.check_hazard[i, [column[j] for j in hz]] = True
        self.hazard_column = np.array([o.column for o in self.opts] + [-1], np.int64)
        self.tick_row = n_opt
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.before: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.preds = [SubsetExpression(p.when) for p in model.predicates]
        self.terminal = [p.terminal for p in model.predicates]
        h = len(hazards)
        # per hazard column and run (hazard-major: one column's runs are contiguous)
        self.budget, self.lam = np.zeros((h, n)), np.zeros((h, n))
        self.last, self.due = np.zeros((h, n)), np.full((h, n), INF)
        self.reached = np.full((len(model.predicates), n), np.nan)  # (predicate, run)
        self.done = np.zeros(n, bool)
        self.end_time = np.full(n, self.horizon)
        self.lapsed = np.zeros(n, np.int64)
        self.n_events = np.zeros(n, np.int64)
        self._sources(model)
        # pending triggers: due time, creation number (FIFO at equal times), target, source
        self.q_due = np.full((n, 0), INF)
        self.q_seq = np.zeros((n, 0), np.int64)
        self.q_target = np.zeros((n, 0), np.int64)
        self.q_source = np.zeros((n, 0), np.int64)
        self.q_count = np.zeros(n, np.int64)
        self.q_min = np.full(n, INF)  # per run: the soonest pending trigger
        self.ticking = bool(self.t_options or self.t_predicates)
        self.next_tick = np.full(n, model.time_step_days if self.ticking else INF)
        self.tick_k = np.ones(n, np.int64)
        # logs: (runs, values, times) per firing, sorted by run at the end
        self.events: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        ladder = model.ladder
        self.ladder_slot = ladder.slot if ladder else -1
        self.rungs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if ladder:
            self.rungs.append((np.arange(n), self.V[ladder.slot].astype(np.int64),
                               np.zeros(n)))
        self.state_slots = [s.slot for s in model.state]
        self.edges = state_bin_edges(model)
        self.hist_diff = [np.zeros((GRID_POINTS + 1, len(e) - 1), np.int64) for e in self.edges]
        # per state variable: flat (grid point, bin) indices where a held value starts
        # and stops counting
        self.held: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in self.edges]
        # each state variable's current histogram bin per run, updated where it changes:
        # a firing's "state held until now" is then a gather, not a search
        self.state_index = {slot: j for j, slot in enumerate(self.state_slots)}
        self.bins = np.zeros((len(self.state_slots), n), np.int64)
        for j, slot in enumerate(self.state_slots):
            self.bins[j] = self._bin(j, self.V[slot])
        self.grid_next = np.zeros(n, np.int64)

    def _sources(self, model: Model) -> None:
        """Scheduled options and deciding actors: next time and this run's priority rank."""
        sources = same_time_sources(model)
        self.sources = sources
        n, s = self.n, len(sources)
        self.src_time = np.full((n, s), INF)
        self.src_rank = np.zeros((n, s), np.int64)
        self.s_min = np.full(n, INF)  # per run: the soonest source
        if not s:
            return
        row = model.row_names.index(ORDER_ROW)
        everyone = np.arange(n)
        keys = np.stack([self.draws.draw(row, everyone) for _ in sources], axis=1)
        self.src_rank[everyone[:, None], np.argsort(keys, axis=1, kind="stable")] = np.arange(s)
        for k, (kind, i) in enumerate(sources):
            if kind == "decide":
                actor = model.actors[i]
                if actor.every_days is not None and actor.decision_options:
                    self.src_time[:, k] = actor.every_days
            else:
                o = model.options[i]
                if o.enabled and o.at_day is not None and 0 <= o.at_day < self.horizon:
                    self.src_time[:, k] = o.at_day
        self.s_min = self.src_time.min(axis=1)

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        with np.errstate(all="ignore"):
            everyone = np.arange(self.n)
            self._check_predicates(range(len(self.preds)), everyone, np.zeros(self.n))
            alive = everyone[~self.done]
            for i in self.hazard_options:
                o = self.opts[i]
                self.budget[o.column, alive] = -np.log1p(-self.draws.draw(o.clock_row, alive))
            self._rearm(self.hazard_options, alive, np.zeros(len(alive)))
            if self.m.absorbing:
                vector_absorb(self, alive)
            while self._step():
                pass
        self._finish_grid()

    def _step(self) -> bool:
        """Take every live run to its next event and handle it; False when none is left.

        The next times are minima over whole arrays (contiguous, no copies of the live
        runs' rows); runs that are over get an infinite time.
        """
        n = self.n
        t = self.next_tick.copy()
        if self.due.shape[0]:
            h_time = self.due.min(axis=0)
            np.minimum(t, h_time, out=t)
        else:
            h_time = np.full(n, INF)
        q_time, s_time = self.q_min, self.s_min  # kept up to date where they change
        np.minimum(t, q_time, out=t)
        np.minimum(t, s_time, out=t)
        t[self.done] = INF
        over = (t >= self.horizon) & ~self.done
        if self.m.absorbing and over.any():  # the safety cap: an error when reached
            raise vector_cap_error(self, int(np.flatnonzero(over)[0]))
        self.done |= over  # end_time stays the horizon
        live = np.flatnonzero(~self.done)
        if not live.size:
            return False
        t, h_time, q_time, k_time = t[live], h_time[live], q_time[live], self.next_tick[live]
        self.V[0, live] = t
        # same time: the clock first, then hazards, then triggers, then sources by rank
        is_tick = k_time == t
        is_hazard = ~is_tick & (h_time == t)
        is_trigger = ~is_tick & ~is_hazard & (q_time == t)
        is_source = ~(is_tick | is_hazard | is_trigger)
        if is_tick.any():
            self._tick(live[is_tick], t[is_tick])
        if is_hazard.any():
            runs, th = live[is_hazard], t[is_hazard]
            which = self.due[:, runs].argmin(axis=0)  # the first in option order among ties
            for c in np.unique(which):
                sel = which == c
                self._fire(self.hazard_options[c], runs[sel], th[sel], 0)
        if is_trigger.any():
            self._pop_triggers(live[is_trigger], t[is_trigger])
        if is_source.any():
            self._sources_due(live[is_source], t[is_source])
        self._settle()
        if self.m.absorbing:
            vector_absorb(self, live)
        return True

    def _tick(self, runs: np.ndarray, t: np.ndarray) -> None:
        """Re-evaluate what reads ``t`` (nothing fires); the next tick is a step later."""
        k = self.tick_k[runs] + 1
        self.tick_k[runs] = k
        # the same arithmetic as the SimPy engine's clock: now + (k·step − now)
        self.next_tick[runs] = t + np.maximum(0.0, k * self.m.time_step_days - t)
        self.pending.append((runs, np.full(len(runs), self.tick_row), t))

    def _pop_triggers(self, runs: np.ndarray, t: np.ndarray) -> None:
        due = self.q_due[runs]
        first = np.where(due == t[:, None], self.q_seq[runs], np.iinfo(np.int64).max)
        slot = first.argmin(axis=1)
        target = self.q_target[runs, slot]
        self.q_due[runs, slot] = INF
        self.q_min[runs] = self.q_due[runs].min(axis=1)
        for i in np.unique(target):
            sel = target == i
            r, tt = runs[sel], t[sel]
            o = self.opts[i]
            ok = self._may_fire(o, r) & o.enabled
            self.lapsed[r[~ok]] += 1
            if ok.any():
                self._fire(int(i), r[ok], tt[ok], 3)

    def _sources_due(self, runs: np.ndarray, t: np.ndarray) -> None:
        times = self.src_time[runs]
        tie = np.where(times == t[:, None], self.src_rank[runs], np.iinfo(np.int64).max)
        which = tie.argmin(axis=1)
        for k in np.unique(which):
            sel = which == k
            r, tt = runs[sel], t[sel]
            kind, i = self.sources[k]
            if kind == "scheduled":
                self.src_time[r, k] = INF
                ok = self._may_fire(self.opts[i], r)
                self.lapsed[r[~ok]] += 1
                if ok.any():
                    self._fire(i, r[ok], tt[ok], 2)
            else:
                actor = self.m.actors[i]
                self.src_time[r, k] = tt + (actor.every_days or 0.0)
                self._decide(i, r, tt)
        self.s_min[runs] = self.src_time[runs].min(axis=1)

    def _may_fire(self, o: _Option, runs: np.ndarray) -> np.ndarray:
        """Whether ``o`` is enabled in each of ``runs``: not spent (``once``), ``when`` holds
        (evaluated only where it is not spent)."""
        if not o.once:
            return o.when(self.V, runs) if o.when is not None else np.ones(len(runs), bool)
        ok = self.V[o.counter].take(runs) <= 0
        if o.when is not None and ok.any():
            if ok.all():
                return o.when(self.V, runs)
            ok[ok] = o.when(self.V, runs[ok])
        return ok

    # ------------------------------------------------------------------ decisions

    def _decide(self, a: int, runs: np.ndarray, t: np.ndarray) -> None:
        actor = self.m.actors[a]
        n = len(runs)
        total = np.zeros(n)
        if actor.idle_weight is not None:
            total = self._finite(SubsetExpression(actor.idle_weight)(self.V, runs), runs, t,
                                 "idle weight", actor.name)
        options = [i for i in actor.decision_options if self.opts[i].enabled]
        weights = []
        for i in options:
            o = self.opts[i]
            ok = self._may_fire(o, runs)
            w = np.zeros(n)
            if ok.any() and o.weight is not None:
                w[ok] = self._finite(o.weight(self.V, runs[ok]), runs[ok], t[ok], "weight", o.key)
            weights.append(w)
            total = total + w
        u = self.draws.draw(actor.decide_row, runs)
        target = u * total
        chosen = np.full(n, -1)
        acc = np.zeros(n)
        for i, w in zip(options, weights, strict=True):
            acc = acc + w
            hit = (chosen < 0) & (target < acc) & (w > 0.0) & (total > 0.0)
            chosen[hit] = i
        for i in np.unique(chosen[chosen >= 0]):
            sel = chosen == i
            self._fire(int(i), runs[sel], t[sel], 1)

    def _finite(self, value: np.ndarray, runs: np.ndarray, t: np.ndarray, what: str,
                owner: str) -> np.ndarray:
        """A weight or chance: negative counts as 0; NaN and +infinity stop the run."""
        bad = np.isnan(value) | (value == INF)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise RunError(f"the {what} of `{owner}` is {value[j]} at day {t[j]:g} of run "
                           f"{self.start + int(runs[j])}; it must be a finite number (check "
                           "its expression for a division by zero or an overflow)")
        return np.where(value > 0.0, value, 0.0)

    # ------------------------------------------------------------------ firing

    def _fire(self, i: int, runs: np.ndarray, t: np.ndarray, cause: int) -> None:
        """Fire option ``i`` in ``runs`` at times ``t``: record, apply, re-check."""
        o = self.opts[i]
        count = self.n_events[runs]
        if (count >= MAX_EVENTS).any():
            j = int(np.flatnonzero(count >= MAX_EVENTS)[0])
            raise self._runaway(int(runs[j]), i, float(t[j]))
        self.n_events[runs] = count + 1
        # the state held until now: recorded on the grid when the step settles
        self.before.append((runs, t, self.bins.take(runs, axis=1)))
        self.events.append((runs, np.full(len(runs), i, np.int64), t))
        counter = self.V[o.counter]
        counter[runs] = counter.take(runs) + 1.0
        for effect in o.effects:
            if effect[0] == "assign":
                assign(self, effect[1], effect[2], runs, t)
            else:
                trigger(self, i, effect[1], effect[2], effect[3], runs, t)
        self.pending.append((runs, np.full(len(runs), i), t))

    def _settle(self) -> None:
        """After this step's firings and ticks: re-check what they touched, once per
        predicate and hazard for all runs together (each run had one event, so the order
        within a run is that of the SimPy engine: predicates, a fresh budget, re-arming)."""
        if self.before:
            self._snapshot(np.concatenate([b[0] for b in self.before]),
                           np.concatenate([b[1] for b in self.before]),
                           np.concatenate([b[2] for b in self.before], axis=1))
            self.before.clear()
        if not self.pending:
            return
        runs = np.concatenate([p[0] for p in self.pending])
        which = np.concatenate([p[1] for p in self.pending])
        t = np.concatenate([p[2] for p in self.pending])
        self.pending.clear()
        need = self.check_pred[which]
        for k in np.flatnonzero(need.any(axis=0)):
            sel = need[:, k]
            self._check_predicates((k,), runs[sel], t[sel])
        keep = ~self.done[runs]
        runs, which, t = runs[keep], which[keep], t[keep]
        column = self.hazard_column[which]
        for c in np.unique(column[column >= 0]):  # fired: a fresh budget from its clock row
            sel = column == c
            r = runs[sel]
            row = self.opts[self.hazard_options[c]].clock_row
            self.budget[c][r] = -np.log1p(-self.draws.draw(row, r))
            self.lam[c][r] = 0.0
            self.last[c][r] = t[sel]
        need = self.check_hazard[which]
        for c in np.flatnonzero(need.any(axis=0)):
            sel = need[:, c]
            self._rearm((self.hazard_options[c],), runs[sel], t[sel])

    def _runaway(self, run: int, i: int, now: float) -> RunError:
        """The error of run ``run`` (within the chunk) passing the event cap at firing ``i``."""
        options: list[int] = [i]
        times: list[float] = [now]
        for runs, which, at in reversed(self.events):  # the log, newest last
            hit = np.flatnonzero(runs == run)
            if hit.size:
                options.append(int(which[hit[-1]]))
                times.append(float(at[hit[-1]]))
                if len(options) > RECENT:
                    break
        return runaway_error(self.m, self.start + run, MAX_EVENTS, options[::-1], times[::-1],
                             now)

    def _rearm(self, hazards: Any, runs: np.ndarray, t: np.ndarray) -> None:
        """Spend each hazard's budget at its old rate up to ``t``, then set rate and due."""
        V = self.V
        for i in hazards:
            o = self.opts[i]
            c = o.column
            lam_c, budget_c, last_c = self.lam[c], self.budget[c], self.last[c]
            lam, old = lam_c.take(runs), budget_c.take(runs)
            left = old - lam * (t - last_c.take(runs))
            budget = np.where(lam > 0.0, np.where(left > 0.0, left, 0.0), old)
            budget_c[runs] = budget
            last_c[runs] = t
            on = self._may_fire(o, runs)
            if o.rate is None or not on.any():
                rate = np.zeros(len(runs))
            elif on.all():
                rate = o.rate(V, runs)
            else:  # a disabled hazard's rate is never used: evaluate it where enabled only
                rate = np.zeros(len(runs))
                rate[on] = o.rate(V, runs[on])
            bad = on & (np.isnan(rate) | (rate == INF))
            if bad.any():
                j = int(np.flatnonzero(bad)[0])
                raise RunError(f"the rate of `{o.key}` is {rate[j]} at day {t[j]:g} of run "
                               f"{self.start + int(runs[j])}; rates must be finite (check its "
                               "expression for a division by zero or an overflow)")
            rate = np.where(on & (rate > 0.0), rate, 0.0)
            lam_c[runs] = rate
            self.due[c][runs] = np.where(rate > 0.0, t + budget / np.where(rate > 0, rate, 1.0),
                                         INF)

    def _check_predicates(self, indices: Any, runs: np.ndarray, t: np.ndarray) -> None:
        for k in indices:
            reached = self.reached[k]
            hit = np.isnan(reached.take(runs))
            if not hit.any():
                continue
            if hit.all():  # first passage: evaluated where not yet reached only
                hit = self.preds[k](self.V, runs)
            else:
                hit[hit] = self.preds[k](self.V, runs[hit])
            if hit.any():
                reached[runs[hit]] = t[hit]
                if self.terminal[k]:
                    self.done[runs[hit]] = True
                    self.end_time[runs[hit]] = t[hit]

    # ------------------------------------------------------------------ timeline

    def _bin(self, j: int, values: np.ndarray) -> np.ndarray:
        """The histogram bins of state variable ``j``'s ``values``."""
        edges = self.edges[j]
        return np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)

    def _snapshot(self, runs: np.ndarray, t: np.ndarray, state: np.ndarray) -> None:
        """``state`` (histogram bins, state variables × runs) held over grid times from the
        last recorded one up to (not at) ``t``."""
        upto = np.searchsorted(self.grid, t, side="left")
        gap = upto > self.grid_next[runs]
        if gap.any():
            r = runs[gap]
            self._hold(state[:, gap], self.grid_next[r], upto[gap])
            self.grid_next[r] = upto[gap]

    def _hold(self, state: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        for j, edges in enumerate(self.edges):
            bins = state[j]
            width = len(edges) - 1  # counted once at the end, with bincount
            self.held[j].append((lo * width + bins, hi * width + bins))

    def _finish_grid(self) -> None:
        runs = np.flatnonzero(self.grid_next < GRID_POINTS)
        self._hold(self.bins[:, runs], self.grid_next[runs],
                   np.full(len(runs), GRID_POINTS))
        for diff, held in zip(self.hist_diff, self.held, strict=True):
            if held:
                size = diff.size
                diff += np.bincount(np.concatenate([h[0] for h in held]),
                                    minlength=size).reshape(diff.shape)
                diff -= np.bincount(np.concatenate([h[1] for h in held]),
                                    minlength=size).reshape(diff.shape)
            held.clear()

def simulate_chunk_vectorised(model: Model, root_seed: int, start: int, stop: int,
                              trace_every: int = 500) -> ChunkResult:
    """Run ``[start, stop)`` of ``model`` on the NumPy engine; a pure function of its arguments."""
    chunk = VectorChunk(model, root_seed, start, stop)
    chunk.run()
    return chunk_result(chunk, trace_every)
