"""What the vectorised engine needs besides its event loop: per-run random rows for a
whole chunk, expressions evaluated on a subset of runs, and a vectorised run digest.

The random rows are exactly those of :class:`simulator.engine.streams.Streams`: each
run's block comes from its own generator ``SeedSequence(root, spawn_key=(run,))`` and a
row that runs past its block continues from ``SeedSequence(root, spawn_key=(run, 1 + row))``.
So a run's parameter draws (and every other number, used for the same purpose) are the
same in both engines.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.engine.pcg_vector import PCGStates, pcg_states, spawned_uniforms
from simulator.engine.streams import RowLayout
from simulator.scenario.expressions import CompiledExpression, build_part

# overflow numbers drawn per stream when it is created, for every run of the chunk in one
# batch: most runs that overflow a row need only a few more. The few streams that need
# more than that continue in a second, doubling store of their own, so one long row
# neither costs a batch per number nor widens every stream's storage.
_FIRST = 16
_MAX_RUN = 2**32  # run indices are one 32-bit word of the spawn key


class ChunkDraws:
    """The uniform numbers of runs ``[start, stop)``, by row, drawn in order per run.

    Every stream is computed for all runs at once (:mod:`.pcg_vector`); overflow
    streams are created when a row first runs past its block in some run, for every
    run of the chunk at once, with their first ``_FIRST`` numbers.
    """

    def __init__(self, root_seed: int, start: int, stop: int, layout: RowLayout) -> None:
        if stop > _MAX_RUN:
            raise ValueError(f"run indices must be below {_MAX_RUN:,}")
        self.root, self.start = root_seed, start
        n = stop - start
        # (numbers, runs), C-contiguous: a row's k-th numbers of all runs are adjacent
        self.block = np.ascontiguousarray(spawned_uniforms(
            root_seed, np.arange(start, stop, dtype=np.uint32)[:, None], layout.total).T)
        self.flat = self.block.reshape(-1)
        self.n = n
        self.offsets = np.asarray(layout.offsets, np.int64)
        self.sizes = np.asarray(layout.sizes, np.int64)
        self.pos = np.zeros((len(layout.sizes), n), np.int64)  # numbers used, per row
        # overflow streams: (run, row) -> stream id; per stream its first numbers and
        # the generator state to continue from
        self.extra_id = np.full((n, len(layout.sizes)), -1, np.int64)
        self.extra = np.zeros((0, _FIRST))
        self.n_streams = 0
        self.states: PCGStates | None = None
        # streams past their first numbers: stream id -> long id; numbers so far
        self.long_of = np.zeros(0, np.int64)
        self.long = np.zeros((0, _FIRST))
        self.long_filled = np.zeros(0, np.int64)
        self.long_stream = np.zeros(0, np.int64)
        self.n_long = 0

    def first(self, row: int) -> np.ndarray:
        """Every run's first number of ``row`` (not consumed): parameter and initial draws."""
        return self.block[self.offsets[row]]

    def draw(self, row: int, runs: np.ndarray) -> np.ndarray:
        """The next number of ``row`` for each run in ``runs`` (local indices, distinct)."""
        pos = self.pos[row]
        p = pos.take(runs)
        pos[runs] = p + 1
        size = int(self.sizes[row])
        inside = p < size
        if inside.all():
            return self.flat.take((self.offsets[row] + p) * self.n + runs)
        out = np.empty(len(runs))
        out[inside] = self.flat.take((self.offsets[row] + p[inside]) * self.n + runs[inside])
        over = ~inside
        r, k = runs[over], p[over] - size
        ids = self.extra_id[r, row]
        if (ids < 0).any():
            # a row that overflows for some runs soon does for many: one batch for every
            # run without a stream for it (cheaper than many small batches)
            self._new_streams(np.flatnonzero(self.extra_id[:, row] < 0), row)
            ids = self.extra_id[r, row]
        near = k < _FIRST
        if near.all():
            out[over] = self.extra[ids, k]
        else:
            values = np.empty(len(ids))
            values[near] = self.extra[ids[near], k[near]]
            values[~near] = self._far(ids[~near], k[~near] - _FIRST)
            out[over] = values
        return out

    def _new_streams(self, runs: np.ndarray, row: int) -> None:
        keys = np.stack([self.start + runs, np.full(len(runs), 1 + row)], axis=1)
        states = pcg_states(self.root, keys.astype(np.uint32))
        numbers = states.random(_FIRST)
        first = self.n_streams
        self.n_streams += len(runs)
        if self.n_streams > len(self.extra):  # grow by doubling: amortised O(1) per stream
            room = max(2 * len(self.extra), self.n_streams, 1024)
            extra = np.zeros((room, _FIRST))
            extra[:first] = self.extra[:first]
            long_of = np.full(room, -1, np.int64)
            long_of[:first] = self.long_of[:first]
            self.extra, self.long_of = extra, long_of
            grown = [np.zeros(room, np.uint64) for _ in range(4)]
            if self.states is not None:
                for new, old in zip(grown, self.state_arrays(), strict=True):
                    new[:first] = old[:first]
            self.states = PCGStates(*grown)
        ids = np.arange(first, self.n_streams)
        for new, old in zip(self.state_arrays(), (states.hi, states.lo, states.inc_hi,
                                                  states.inc_lo), strict=True):
            new[ids] = old
        self.extra[ids] = numbers
        self.extra_id[runs, row] = ids

    def state_arrays(self) -> tuple[np.ndarray, ...]:
        s = self.states
        assert s is not None
        return (s.hi, s.lo, s.inc_hi, s.inc_lo)

    def _far(self, ids: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Number ``_FIRST + k`` of each stream in ``ids`` (distinct streams)."""
        fresh = ids[self.long_of[ids] < 0]
        if fresh.size:
            first = self.n_long
            self.n_long += len(fresh)
            if self.n_long > len(self.long):
                room = max(2 * len(self.long), self.n_long, 64)
                grown = np.zeros((room, self.long.shape[1]))
                grown[:first] = self.long[:first]
                filled, stream = np.zeros(room, np.int64), np.zeros(room, np.int64)
                filled[:first], stream[:first] = self.long_filled[:first], \
                    self.long_stream[:first]
                self.long, self.long_filled, self.long_stream = grown, filled, stream
            self.long_of[fresh] = np.arange(first, self.n_long)
            self.long_stream[first:self.n_long] = fresh
        lids = self.long_of[ids]
        short = k >= self.long_filled[lids]
        if short.any():
            self._extend(lids[short], int(k[short].max()) + 1)
        return self.long[lids, k]

    def _extend(self, lids: np.ndarray, needed: int) -> None:
        """Draw more numbers for the given long streams until each has ``needed``."""
        assert self.states is not None
        more = max(_FIRST, needed - int(self.long_filled[lids].min()),
                   int(self.long_filled[lids].max()))  # at least doubling
        width = int(self.long_filled[lids].max()) + more
        if width > self.long.shape[1]:
            wider = np.zeros((self.long.shape[0], max(width, 2 * self.long.shape[1])))
            wider[:, :self.long.shape[1]] = self.long
            self.long = wider
        s, ids = self.states, self.long_stream[lids]
        part = PCGStates(s.hi[ids], s.lo[ids], s.inc_hi[ids], s.inc_lo[ids])
        numbers = part.random(more)
        s.hi[ids], s.lo[ids] = part.hi, part.lo
        cols = self.long_filled[lids][:, None] + np.arange(more)[None, :]
        self.long[lids[:, None], cols] = numbers
        self.long_filled[lids] += more


class _Columns:
    """``V[slot]`` restricted to some runs: what a compiled vector closure reads."""

    __slots__ = ("runs", "values")

    def __init__(self, values: np.ndarray, runs: np.ndarray) -> None:
        self.values, self.runs = values, runs

    def __getitem__(self, slot: int) -> np.ndarray:
        return self.values[slot].take(self.runs)


class SubsetExpression:
    """A compiled expression evaluated for a subset of runs of a ``(slots, runs)`` array.

    Built from the expression's frozen intermediate form, so it computes exactly what
    ``evaluate_array`` computes, reading only the slots it needs for only those runs.
    Callers silence floating-point warnings (inf and nan are defined results).
    """

    __slots__ = ("constant", "dtype", "vector")

    def __init__(self, expr: CompiledExpression) -> None:
        self.dtype: Any = np.bool_ if expr.type == "bool" else np.float64
        self.constant = expr.constant
        self.vector = build_part(expr.ir).vector

    def __call__(self, values: np.ndarray, runs: np.ndarray) -> np.ndarray:
        if self.constant is not None:
            return np.full(len(runs), self.constant, self.dtype)
        columns: Any = _Columns(values, runs)  # read like V: columns[slot]
        r = np.asarray(self.vector(columns))
        if r.ndim == 0:
            return np.full(len(runs), r.item(), self.dtype)
        return r.astype(self.dtype, copy=False)


# ---------------------------------------------------------------------------- digests

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, element-wise (uint64 arithmetic wraps by design)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def _words(values: np.ndarray) -> np.ndarray:
    """Floats as their IEEE bits, integers as int64 two's complement, as uint64."""
    if values.dtype.kind == "f":
        return np.ascontiguousarray(values, dtype="<f8").view(np.uint64)
    return np.ascontiguousarray(values, dtype="<i8").view(np.uint64)


def vector_digest(fixed: list[np.ndarray], ragged: list[tuple[np.ndarray, np.ndarray]],
                  n: int) -> np.ndarray:
    """A 16-byte fingerprint per run, shape ``(n, 16)`` uint8, computed for all runs at once.

    ``fixed`` are ``(n, width)`` arrays, ``ragged`` are (flat values, offsets) pairs. Each
    value is mixed with its field and position, and the mixes are summed per run in two
    independent 64-bit lanes; lengths are mixed in too, so no two records of different
    shape share an encoding by construction. Not cryptographic: a change detector.
    """
    lanes = np.zeros((2, n), np.uint64)
    for lane in range(2):
        salt = (lane + 1) * _GOLDEN
        acc = lanes[lane]
        field = 0
        for values in fixed:
            field += 1
            w = _words(np.asarray(values).reshape(n, -1))
            pos = np.arange(w.shape[1], dtype=np.uint64)[None, :]
            tag = np.uint64((field * int(_M2) + salt) & _MASK)
            acc += _mix(w ^ _mix(pos + tag)).sum(axis=1, dtype=np.uint64)
        for flat, offsets in ragged:
            field += 1
            tag = np.uint64((field * int(_M2) + salt) & _MASK)
            lengths = np.diff(offsets).astype(np.uint64)
            acc += _mix(lengths ^ tag)
            if len(flat):
                run_of = np.repeat(np.arange(n), np.diff(offsets))
                pos = (np.arange(len(flat)) - offsets[run_of]).astype(np.uint64)
                mixed = _mix(_words(flat) ^ _mix(pos + tag))
                # per-run sums from one running sum (values are grouped by run)
                running = np.concatenate([np.zeros(1, np.uint64),
                                          np.cumsum(mixed, dtype=np.uint64)])
                acc += running[offsets[1:]] - running[offsets[:-1]]
        lanes[lane] = _mix(acc)
    return np.ascontiguousarray(lanes.T).view(np.uint8).reshape(n, 16)
