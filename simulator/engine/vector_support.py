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

from simulator.engine.streams import OVERFLOW_BLOCK, RowLayout
from simulator.scenario._expr_compile import build_part
from simulator.scenario.expressions import CompiledExpression


class ChunkDraws:
    """The uniform numbers of runs ``[start, stop)``, by row, drawn in order per run."""

    def __init__(self, root_seed: int, start: int, stop: int, layout: RowLayout) -> None:
        self.root, self.start = root_seed, start
        n = stop - start
        self.block = np.empty((n, layout.total))
        for k in range(n):
            seq = np.random.SeedSequence(root_seed, spawn_key=(start + k,))
            self.block[k] = np.random.Generator(np.random.PCG64(seq)).random(layout.total)
        self.offsets = np.asarray(layout.offsets, np.int64)
        self.sizes = np.asarray(layout.sizes, np.int64)
        self.pos = np.zeros((n, len(layout.sizes)), np.int64)
        # overflow numbers: (run, row) -> a row of `extra`, whose length grows as needed
        self.extra_id = np.full((n, len(layout.sizes)), -1, np.int64)
        self.extra = np.zeros((0, OVERFLOW_BLOCK))
        self.extra_rows: list[tuple[int, int]] = []

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
        if k.max() >= self.extra.shape[1]:
            self._widen(int(k.max()) + 1)
        ids = self.extra_id[r, row]
        for j in np.flatnonzero(ids < 0):
            ids[j] = self._new_stream(int(r[j]), row)
        out[over] = self.extra[ids, k]
        return out

    def _generator(self, run: int, row: int) -> np.random.Generator:
        seq = np.random.SeedSequence(self.root, spawn_key=(self.start + run, 1 + row))
        return np.random.Generator(np.random.PCG64(seq))

    def _new_stream(self, run: int, row: int) -> int:
        """Give (run, row) its overflow numbers: those of Streams' overflow generator."""
        if len(self.extra_rows) == self.extra.shape[0]:
            grown = np.zeros((max(64, 2 * self.extra.shape[0]), self.extra.shape[1]))
            grown[:self.extra.shape[0]] = self.extra
            self.extra = grown
        k = len(self.extra_rows)
        self.extra[k] = self._generator(run, row).random(self.extra.shape[1])
        self.extra_rows.append((run, row))
        self.extra_id[run, row] = k
        return k

    def _widen(self, needed: int) -> None:
        """Longer overflow streams; a Generator's numbers do not depend on how it is
        sliced, so redrawing from the start gives the same numbers, and more."""
        width = OVERFLOW_BLOCK * -(-needed // OVERFLOW_BLOCK)
        wide = np.zeros((self.extra.shape[0], width))
        for k, (run, row) in enumerate(self.extra_rows):
            wide[k] = self._generator(run, row).random(width)
        self.extra = wide


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
