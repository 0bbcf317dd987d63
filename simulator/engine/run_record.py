"""What one run of the SimPy engine records, and its 16-byte digest."""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
    digest: bytes = b""
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
