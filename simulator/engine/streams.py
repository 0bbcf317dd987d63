"""Per-run random streams, split by purpose, for common random numbers.

A run's randomness is a pure function of ``(root seed, run index)``: its generator is
``SeedSequence(root, spawn_key=(run_index,))``. That generator fills one block of
uniforms per *row*; rows are laid out by :func:`simulator.model.compile.row_names`
from the scenario's structure (one per parameter, state draw, option clock, trigger and
deciding actor), so the same row means the same purpose in every variant. A row that
needs more numbers than its block continues from its own generator,
``SeedSequence(root, spawn_key=(run_index, 1 + row))`` — still a pure function of the
run, the row and the root.

Why blocks instead of a generator per row: creating a NumPy generator costs about
8 µs, and a run of the flagship has ~80 rows, most of which use one or two numbers.
"""

from __future__ import annotations

import numpy as np

BLOCK = 8


class Streams:
    """Uniform numbers in [0, 1) for one run, by row."""

    __slots__ = ("_block", "_extra", "_pos", "_root", "_run")

    def __init__(self, root_seed: int, run_index: int, n_rows: int) -> None:
        self._root = root_seed
        self._run = run_index
        seq = np.random.SeedSequence(root_seed, spawn_key=(run_index,))
        generator = np.random.Generator(np.random.PCG64(seq))
        self._block: list[list[float]] = generator.random((n_rows, BLOCK)).tolist()
        self._pos = [0] * n_rows
        self._extra: dict[int, np.random.Generator] = {}

    def first(self, row: int) -> float:
        """The row's first number, without consuming it (parameter and initial draws)."""
        return self._block[row][0]

    def uniform(self, row: int) -> float:
        """The next number of ``row``."""
        pos = self._pos[row]
        self._pos[row] = pos + 1
        if pos < BLOCK:
            return self._block[row][pos]
        extra = self._extra.get(row)
        if extra is None:
            seq = np.random.SeedSequence(self._root, spawn_key=(self._run, 1 + row))
            extra = self._extra[row] = np.random.Generator(np.random.PCG64(seq))
        return float(extra.random())


def normalise_seed(seed: int | None) -> int:
    """A root seed as a non-negative int; ``None`` draws fresh entropy (recorded in the manifest)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if seed < 0:
        raise ValueError(f"Negative seed {seed}")
    return int(seed)
