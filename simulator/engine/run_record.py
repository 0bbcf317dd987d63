"""What one run of the SimPy engine records, and its 16-byte digest (per run, or for a
whole chunk at once from its columns: the same bytes)."""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_BIG_ENDIAN = sys.byteorder == "big"


@dataclass(slots=True)
class RunRecord:
    """What one run produced. Times are days since the start; NaN means "never"."""

    run: int
    outcome_times: list[float]
    indicator_times: list[float]
    final_state: list[float]
    counts: list[int]
    rung_path: list[int]
    rung_times: list[float]
    event_options: list[int]
    event_times: list[float]
    lapsed: int
    end_time: float
    # the state at the grid times, run-length encoded: (state row, how many consecutive
    # grid times it covers); the counts add up to the number of grid times
    grid: list[tuple[list[float], int]]
    trace: list[dict[str, Any]] | None = field(default=None)


def _le(values: array) -> bytes:
    if _BIG_ENDIAN:
        values.byteswap()
    return values.tobytes()


def run_digest(floats: tuple[Sequence[float], ...], ints: tuple[Sequence[int], ...]) -> bytes:
    """A 16-byte fingerprint of a run's record: exact, platform-independent and cheap.

    Floats are hashed as little-endian IEEE doubles and integers as little-endian int64,
    each list preceded by its length so that no two records share an encoding. (A repr
    of the values would be exact too, but costs ~0.4 µs per event time; the standard
    library's ``array`` packs a short list several times faster than NumPy.)
    """
    h = hashlib.blake2b(digest_size=16)
    update = h.update
    for values in floats:
        update(len(values).to_bytes(8, "little"))
        update(_le(array("d", values)))
    for values in ints:
        update(len(values).to_bytes(8, "little"))
        update(_le(array("q", values)))
    return h.digest()


Field = np.ndarray | tuple[np.ndarray, np.ndarray]
"""A record field for all runs: a ``(runs, width)`` array, or ragged ``(flat, offsets)``."""


def chunk_digests(floats: list[Field], ints: list[Field], n: int) -> np.ndarray:
    """:func:`run_digest` of every run of a chunk, as ``(n, 16)`` uint8, from its columns.

    Every item of the hashed message is an 8-byte word (a length, a double or an int64),
    so the messages of all runs are laid out in one array of words at once; only the
    hashing itself goes run by run.
    """
    if n == 0:
        return np.zeros((0, 16), np.uint8)
    fields = [(f, np.float64) for f in floats] + [(f, np.int64) for f in ints]
    lengths = []
    for values, _ in fields:
        if isinstance(values, tuple):
            lengths.append(np.diff(values[1]))
        else:
            lengths.append(np.full(n, values.shape[1], np.int64))
    sizes = np.sum([1 + length for length in lengths], axis=0, dtype=np.int64)
    ends = np.cumsum(sizes)
    words = np.empty(int(ends[-1]), "<u8")
    pos = ends - sizes  # where each run's next item goes
    for (values, dtype), length in zip(fields, lengths, strict=True):
        words[pos] = length
        pos = pos + 1
        if isinstance(values, tuple):
            flat, offsets = values
            index = np.repeat(pos - offsets[:-1], length) + np.arange(len(flat))
            words[index] = np.asarray(flat, dtype).view(np.uint64)
        else:
            block = np.asarray(values, dtype)
            words[pos[:, None] + np.arange(block.shape[1])] = block.view(np.uint64)
        pos = pos + length
    raw = memoryview(words.tobytes())
    out = bytearray()
    start = 0
    for end in (8 * ends).tolist():
        out += hashlib.blake2b(raw[start:end], digest_size=16).digest()
        start = end
    return np.frombuffer(bytes(out), np.uint8).reshape(n, 16)
