"""When a run under `horizon: until absorbed` is over: nothing more can happen.

A run is *absorbed* at the first moment (day 0 included) after which no event is
possible: a terminal outcome is reached, or

* no hazard is armed (each is disabled, spent if `once`, or has a rate of 0),
* no trigger is pending (created and not yet due),
* no scheduled option is still to come, and
* no deciding actor has an option it could choose (enabled, its `when` holds, not spent
  if `once`, weight above 0).

Nothing can then change the state, since the compiler refuses `t` in what decides
whether something can happen (:mod:`simulator.model.absorbing`). The run's end time is
that moment: the time of the last event (a firing or a lapse), or 0. A run still going
at the cap is an error: it stops the simulation instead of biasing "eventually" towards
"never". Both engines share these rules and this module's message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.errors import RunError
from simulator.model.model import Model

if TYPE_CHECKING:
    from simulator.engine.simpy_run import SimPyRun
    from simulator.engine.vector_engine import VectorChunk

INF = float("inf")
DAYS_PER_YEAR = 365.25
MAX_NAMED = 6  # what is still possible: at most this many named in the message


def cap_error(model: Model, run_index: int, still: list[str]) -> RunError:
    """The error of a run that reached the cap of `until absorbed` without settling."""
    cap = model.horizon_days
    years = f" ({cap / DAYS_PER_YEAR:.4g} years)" if cap >= DAYS_PER_YEAR else ""
    named = ", ".join(still[:MAX_NAMED]) + (f" and {len(still) - MAX_NAMED} more"
                                            if len(still) > MAX_NAMED else "")
    return RunError(
        f"run {run_index} was still going at the cap of its `until absorbed` horizon, day "
        f"{cap:g}{years}; still possible: {named or 'nothing (an event due at the cap)'}. "
        "Raise the cap (`horizon: until absorbed, at most 500 years`) if runs settle "
        "slowly, or check for an option that can fire forever: a repeatable hazard whose "
        "`when` never turns false, or a decision option that always has weight")


# ------------------------------------------------------------------ SimPy engine (one run)


def simpy_still_possible(run: SimPyRun) -> list[str]:
    """What can still happen in one SimPy run (empty: the run is absorbed)."""
    m, v = run.m, run.v
    still = [f"`{m.options[i].key}` (rate {run.lam[i]:.3g} per day)"
             for i in run.e.hazards if run.due[i] < INF]
    if run.pending_triggers:
        still.append(f"{run.pending_triggers} pending trigger(s)")
    if run.scheduled_left:
        still.append(f"{run.scheduled_left} scheduled option(s)")
    for actor in m.actors:
        if actor.every_days is None:
            continue
        for i in actor.decision_options:
            o = m.options[i]
            if (o.enabled and not (o.once and run.fired_once[i]) and o.when.fn(v)
                    and o.weight is not None
                    and run.finite(float(o.weight.fn(v)), "weight", o.key) > 0.0):
                still.append(f"`{o.key}` (a decision of `{actor.name}`)")
    return still


def simpy_absorbed(run: SimPyRun) -> bool:
    """Whether nothing more can happen in this run (cheap tests first)."""
    if run.pending_triggers or run.scheduled_left:
        return False
    due = run.due
    for i in run.e.hazards:
        if due[i] < INF:
            return False
    return not simpy_still_possible(run)


# ------------------------------------------------------------------ NumPy engine (a chunk)


def vector_quiet(chunk: VectorChunk, runs: np.ndarray) -> np.ndarray:
    """Per run of ``runs`` (none of them done): True where nothing more can happen."""
    quiet = np.ones(len(runs), bool)
    if chunk.due.shape[0]:
        quiet &= np.isinf(chunk.due[:, runs]).all(axis=0)
    if chunk.q_due.shape[1]:
        quiet &= np.isinf(chunk.q_due[runs]).all(axis=1)
    for k, (kind, _i) in enumerate(chunk.sources):
        if kind == "scheduled":
            quiet &= np.isinf(chunk.src_time[runs, k])
    for actor in chunk.m.actors:
        if actor.every_days is None or not quiet.any():
            continue
        for i in actor.decision_options:
            o = chunk.opts[i]
            if not o.enabled or o.weight is None:
                continue
            sel = np.flatnonzero(quiet)
            r = runs[sel]
            ok = chunk._may_fire(o, r)
            if ok.any():
                w = chunk._finite(o.weight(chunk.V, r[ok]), r[ok], chunk.V[0, r[ok]],
                                  "weight", o.key)
                quiet[sel[np.flatnonzero(ok)[w > 0.0]]] = False
    return quiet


def vector_absorb(chunk: VectorChunk, runs: np.ndarray) -> None:
    """End the runs of ``runs`` in which nothing more can happen, at their current time."""
    runs = runs[~chunk.done[runs]]
    if not runs.size:
        return
    settled = runs[vector_quiet(chunk, runs)]
    chunk.done[settled] = True
    chunk.end_time[settled] = chunk.V[0, settled]


def vector_cap_error(chunk: VectorChunk, run: int) -> RunError:
    """:func:`cap_error` for run ``run`` (an index within the chunk)."""
    still: list[str] = []
    r = np.array([run])
    for c, i in enumerate(chunk.hazard_options):
        if np.isfinite(chunk.due[c, run]):
            still.append(f"`{chunk.opts[i].key}` (rate {chunk.lam[c, run]:.3g} per day)")
    pending = int(np.isfinite(chunk.q_due[run]).sum()) if chunk.q_due.shape[1] else 0
    if pending:
        still.append(f"{pending} pending trigger(s)")
    scheduled = sum(1 for k, (kind, _i) in enumerate(chunk.sources)
                    if kind == "scheduled" and np.isfinite(chunk.src_time[run, k]))
    if scheduled:
        still.append(f"{scheduled} scheduled option(s)")
    for actor in chunk.m.actors:
        if actor.every_days is None:
            continue
        for i in actor.decision_options:
            o: Any = chunk.opts[i]
            if (o.enabled and o.weight is not None and chunk._may_fire(o, r)[0]
                    and float(o.weight(chunk.V, r)[0]) > 0.0):
                still.append(f"`{o.key}` (a decision of `{actor.name}`)")
    return cap_error(chunk.m, chunk.start + run, still)
