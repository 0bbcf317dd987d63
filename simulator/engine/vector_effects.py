"""What a firing does in the NumPy engine, for all the runs it fires in at once: state
changes (with clamping and the ladder's path), triggers (chance, delay, the queue of
pending triggers) and the run-time check of trigger chances.

Functions of a :class:`~simulator.engine.vector_engine.VectorChunk`, which calls them
from its event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.engine.guards import checked_chance
from simulator.engine.vector_support import SubsetExpression
from simulator.errors import RunError
from simulator.model.model import Assign, Trigger

if TYPE_CHECKING:
    from simulator.engine.vector_engine import VectorChunk

INF = np.inf


def chances(ch: VectorChunk, p: np.ndarray, e: Trigger, i: int, runs: np.ndarray,
             t: np.ndarray) -> np.ndarray:
    """Trigger chances: outside [0, 1] is an error (see :mod:`.guards`), never clamped."""
    bad = ~((p >= 0.0) & (p <= 1.0))
    if bad.any():
        p = np.array(p, float)  # a copy: the expression's array may be shared
        for j in np.flatnonzero(bad):
            p[j] = checked_chance(float(p[j]), e, ch.opts[i].key, float(t[j]),
                                  ch.start + int(runs[j]))
    return p


def assign(ch: VectorChunk, e: Assign, value: SubsetExpression, runs: np.ndarray,
            t: np.ndarray) -> None:
    row = ch.V[e.slot]
    old = row.take(runs)
    new = value(ch.V, runs)
    if e.add:
        new = old + new
    new = np.where(new < e.lo, e.lo, np.where(new > e.hi, e.hi, new))
    if e.integer:
        new = np.floor(new + 0.5)  # halves go up, not to even
    changed = new != old
    row[runs] = np.where(changed, new, old)
    j = ch.state_index.get(e.slot)
    if j is not None and changed.any():
        ch.bins[j][runs[changed]] = ch._bin(j, new[changed])
    if e.slot == ch.ladder_slot and changed.any():
        ch.rungs.append((runs[changed], new[changed].astype(np.int64), t[changed]))


def trigger(ch: VectorChunk, i: int, e: Trigger, chance: SubsetExpression,
             delay_expr: SubsetExpression | None, runs: np.ndarray, t: np.ndarray) -> None:
    u_chance = ch.draws.draw(e.row, runs)
    u_delay = ch.draws.draw(e.row, runs)
    p = chances(ch, chance(ch.V, runs), e, i, runs, t)
    go = u_chance < p
    if not go.any():
        return
    runs, t, u_delay = runs[go], t[go], u_delay[go]
    if delay_expr is not None:
        delay = delay_expr(ch.V, runs)
        bad = np.isnan(delay) | np.isinf(delay)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise RunError(f"a trigger delay in `{ch.opts[i].key}` is {delay[j]} days in "
                           f"run {ch.start + int(runs[j])}; delays must be finite")
    else:
        dist = e.delay.distribution  # type: ignore[union-attr]
        delay = (np.full(len(runs), float(dist.median)) if dist.is_constant
                 else np.asarray(dist.ppf(u_delay), float))
    push(ch, runs, t + np.maximum(0.0, delay), e.target, i)


def push(ch: VectorChunk, runs: np.ndarray, due: np.ndarray, target: int, source: int) -> None:
    free = np.isinf(ch.q_due[runs])
    if free.shape[1] == 0 or not free.any(axis=1).all():
        grow = max(4, ch.q_due.shape[1])
        ch.q_due = np.concatenate([ch.q_due, np.full((ch.n, grow), INF)], axis=1)
        for name in ("q_seq", "q_target", "q_source"):
            old = getattr(ch, name)
            setattr(ch, name, np.concatenate([old, np.zeros((ch.n, grow), np.int64)], 1))
        free = np.isinf(ch.q_due[runs])
    slot = free.argmax(axis=1)
    ch.q_due[runs, slot] = due
    ch.q_min[runs] = np.minimum(ch.q_min.take(runs), due)
    ch.q_seq[runs, slot] = ch.q_count[runs]
    ch.q_count[runs] += 1
    ch.q_target[runs, slot] = target
    ch.q_source[runs, slot] = source
