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

_GROW = 8  # overflow numbers drawn at a time per stream
_MAX_RUN = 2**32  # run indices are one 32-bit word of the spawn key


class ChunkDraws:
    """The uniform numbers of runs ``[start, stop)``, by row, drawn in order per run.

    Every stream is computed for all runs at once (:mod:`.pcg_vector`); overflow
    streams are created when a row first runs past its block in some run, for every
    run of the chunk at once, and extended ``_GROW`` numbers at a time.
    """

    def __init__(self, root_seed: int, start: int, stop: int, layout: RowLayout) -> None:
        if stop > _MAX_RUN:
            raise ValueError(f"run indices must be below {_MAX_RUN:,}")
        self.root, self.start = root_seed, start
        n = stop - start
        self.block = spawned_uniforms(root_seed, np.arange(start, stop, dtype=np.uint32)[:, None],
                                      layout.total)
        self.offsets = np.asarray(layout.offsets, np.int64)
        self.sizes = np.asarray(layout.sizes, np.int64)
        self.pos = np.zeros((n, len(layout.sizes)), np.int64)
        # overflow streams: (run, row) -> stream id; per stream its numbers so far and
        # the generator state to continue from
        self.extra_id = np.full((n, len(layout.sizes)), -1, np.int64)
        self.extra = np.zeros((0, _GROW))
        self.filled = np.zeros(0, np.int64)
        self.n_streams = 0
        self.states: PCGStates | None = None

    def first(self, row: int) -> np.ndarray:
        """Every run's first number of ``row`` (not consumed): parameter and initial draws."""
        return self.block[:, self.offsets[row]]

    def draw(self, row: int, runs: np.ndarray) -> np.ndarray:
        """The next number of ``row`` for each run in ``runs`` (local indices, distinct)."""
        p = self.pos[runs, row]
        self.pos[runs, row] = p + 1
        size = int(self.sizes[row])
        inside = p < size
        if inside.all():
            return self.block[runs, self.offsets[row] + p]
        out = np.empty(len(runs))
        out[inside] = self.block[runs[inside], self.offsets[row] + p[inside]]
        over = ~inside
        r, k = runs[over], p[over] - size
        ids = self.extra_id[r, row]
        if (ids < 0).any():
            # a row that overflows for some runs soon does for many: one batch for every
            # run without a stream for it (cheaper than many small batches)
            self._new_streams(np.flatnonzero(self.extra_id[:, row] < 0), row)
            ids = self.extra_id[r, row]
        short = k >= self.filled[ids]
        if short.any():
            self._extend(ids[short], int(k[short].max()) + 1)
        out[over] = self.extra[ids, k]
        return out

    def _new_streams(self, runs: np.ndarray, row: int) -> np.ndarray:
        keys = np.stack([self.start + runs, np.full(len(runs), 1 + row)], axis=1)
        states = pcg_states(self.root, keys.astype(np.uint32))
        first = self.n_streams
        self.n_streams += len(runs)
        if self.n_streams > len(self.filled):  # grow by doubling: amortised O(1) per stream
            room = max(2 * len(self.filled), self.n_streams, 1024)
            extra = np.zeros((room, self.extra.shape[1]))
            extra[:first] = self.extra[:first]
            filled = np.zeros(room, np.int64)
            filled[:first] = self.filled[:first]
            self.extra, self.filled = extra, filled
            grown = [np.zeros(room, np.uint64) for _ in range(4)]
            if self.states is not None:
                for new, old in zip(grown, self.state_arrays(), strict=True):
                    new[:first] = old[:first]
            self.states = PCGStates(*grown)
        assert self.states is not None
        ids = np.arange(first, self.n_streams)
        for new, old in zip(self.state_arrays(), (states.hi, states.lo, states.inc_hi,
                                                  states.inc_lo), strict=True):
            new[ids] = old
        self.extra_id[runs, row] = ids
        return ids

    def state_arrays(self) -> tuple[np.ndarray, ...]:
        s = self.states
        assert s is not None
        return (s.hi, s.lo, s.inc_hi, s.inc_lo)

    def _extend(self, ids: np.ndarray, needed: int) -> None:
        """Draw more numbers for the given streams until each has at least ``needed``."""
        assert self.states is not None
        while True:
            ids = ids[self.filled[ids] < needed]
            if not ids.size:
                return
            ids = np.unique(ids)
            width = int(self.filled[ids].max()) + _GROW
            if width > self.extra.shape[1]:
                wider = np.zeros((self.extra.shape[0], max(width, 2 * self.extra.shape[1])))
                wider[:, :self.extra.shape[1]] = self.extra
                self.extra = wider
            s = self.states
            part = PCGStates(s.hi[ids], s.lo[ids], s.inc_hi[ids], s.inc_lo[ids])
            numbers = part.random(_GROW)
            s.hi[ids], s.lo[ids] = part.hi, part.lo
            cols = self.filled[ids][:, None] + np.arange(_GROW)[None, :]
            self.extra[ids[:, None], cols] = numbers
            self.filled[ids] += _GROW


class _Columns:
    """``V[slot]`` restricted to some runs: what a compiled vector closure reads."""

    __slots__ = ("runs", "values")

    def __init__(self, values: np.ndarray, runs: np.ndarray) -> None:
        self.values, self.runs = values, runs

    def __getitem__(self, slot: int) -> np.ndarray:
        return self.values[slot, self.runs]


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
