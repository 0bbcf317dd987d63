"""The compiled engine's run digests: a 16-byte fingerprint per run, computed in
compiled code (the NumPy version costs ~14 µs per flagship run, more than a tenth of a
run's simulation).

Every value of a run's record (parameters, outcome and indicator times, final state,
lapses, end time, counts, and its firings and ladder path with their lengths) is taken
as its 64-bit pattern, mixed with its field and position (SplitMix64's finaliser), and
the mixes are summed per run in two independent lanes. Not cryptographic: a change
detector, as :func:`simulator.engine.vector_support.vector_digest`; the fields are the
same, the encoding is this engine's own, so no two engines share a digest.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_SALT = np.uint64(0xC0FFEE0D15EA5E00)  # this engine's own: its digests differ from others'


@njit(cache=True, nogil=True, inline="always")
def _mix(x: np.uint64) -> np.uint64:
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


@njit(cache=True, nogil=True)
def _digests(fixed: np.ndarray, ragged: np.ndarray, offsets: np.ndarray,
             out: np.ndarray) -> None:
    """``fixed``: (runs, width) uint64 words; ``ragged``: the flat words of every
    per-run list, list after list; ``offsets``: (lists, runs + 1) where each run's part
    of each list starts in ``ragged``. ``out``: (runs, 2) uint64."""
    n, width = fixed.shape
    for k in range(n):
        for lane in range(2):
            salt = _SALT + np.uint64(lane + 1) * _GOLDEN
            acc = np.uint64(0)
            for j in range(width):
                acc += _mix(fixed[k, j] ^ _mix(np.uint64(j) + salt))
            for f in range(offsets.shape[0]):
                tag = salt + np.uint64(f + 1) * _M2
                a, b = offsets[f, k], offsets[f, k + 1]
                acc += _mix(np.uint64(b - a) ^ tag)
                for p in range(a, b):
                    acc += _mix(ragged[p] ^ _mix(np.uint64(p - a) + tag))
            out[k, lane] = acc


def words(values: np.ndarray) -> np.ndarray:
    """Floats as their IEEE bits, integers as int64 two's complement, as uint64 words."""
    if values.dtype.kind == "f":
        return np.ascontiguousarray(values, dtype="<f8").view(np.uint64)
    return np.ascontiguousarray(values, dtype="<i8").view(np.uint64)


def run_digests(fixed: list[np.ndarray], ragged: list[tuple[np.ndarray, np.ndarray]],
                n: int) -> np.ndarray:
    """The digest of every run, shape ``(n, 16)`` uint8: ``fixed`` are ``(n, width)``
    arrays, ``ragged`` (flat values, offsets) per-run lists."""
    table = np.concatenate([words(np.asarray(f).reshape(n, -1)) for f in fixed], axis=1)
    flat = np.concatenate([words(values) for values, _ in ragged] or [np.zeros(0, np.uint64)])
    starts = np.cumsum([0] + [len(values) for values, _ in ragged[:-1]])
    offsets = np.stack([np.asarray(ptr, np.int64) + start
                        for (_, ptr), start in zip(ragged, starts, strict=True)]) \
        if ragged else np.zeros((0, n + 1), np.int64)
    out = np.empty((n, 2), np.uint64)
    _digests(np.ascontiguousarray(table), flat, offsets, out)
    return out.view(np.uint8).reshape(n, 16)
