"""Per-run random streams, split by purpose, for common random numbers.

A run's randomness is a pure function of ``(root seed, run index)``: its generator is
``SeedSequence(root, spawn_key=(run_index,))``. That generator fills one flat block,
cut into *rows* of fixed sizes (one number for a parameter, enough for every decision
of a deciding actor, a few firings for an option clock or a trigger). Rows are laid out
by :func:`simulator.model.compile.row_names` from the scenario's structure (one per
parameter, state draw, option clock, trigger and deciding actor), so the same row
means the same purpose in every variant. A row that
needs more numbers than its block continues from its own generator,
``SeedSequence(root, spawn_key=(run_index, 1 + row))`` — still a pure function of the
run, the row and the root.

Why one block instead of a generator per row: creating a NumPy generator costs about
8 µs, and a run of the flagship has ~150 rows, most of which use one or two numbers.
Row sizes depend only on the scenario's structure (never on a variant's values), so
the same number always serves the same purpose in every variant.
"""

from __future__ import annotations

import numpy as np

OVERFLOW_BLOCK = 256


class RowLayout:
    """Where each row's numbers sit in one flat block: sizes fixed by the scenario's structure."""

    __slots__ = ("offsets", "sizes", "total")

    def __init__(self, sizes: tuple[int, ...]) -> None:
        self.sizes = list(sizes)
        self.offsets = [0] * len(sizes)
        total = 0
        for i, size in enumerate(sizes):
            self.offsets[i] = total
            total += size
        self.total = total


class Streams:
    """Uniform numbers in [0, 1) for one run, by row."""

    __slots__ = ("_extra", "_flat", "_layout", "_pos", "_root", "_run")

    def __init__(self, root_seed: int, run_index: int, layout: RowLayout) -> None:
        self._root = root_seed
        self._run = run_index
        seq = np.random.SeedSequence(root_seed, spawn_key=(run_index,))
        generator = np.random.Generator(np.random.PCG64(seq))
        self._flat: list[float] = generator.random(layout.total).tolist()
        self._layout = layout
        self._pos = [0] * len(layout.sizes)
        # overflow per row: its own generator and a block of numbers already drawn from it
        self._extra: dict[int, tuple[np.random.Generator, list[float]]] = {}

    def first(self, row: int) -> float:
        """The row's first number, without consuming it (parameter and initial draws)."""
        return self._flat[self._layout.offsets[row]]

    def uniform(self, row: int) -> float:
        """The next number of ``row``."""
        pos = self._pos[row]
        self._pos[row] = pos + 1
        size = self._layout.sizes[row]
        if pos < size:
            return self._flat[self._layout.offsets[row] + pos]
        extra = self._extra.get(row)
        if extra is None:
            seq = np.random.SeedSequence(self._root, spawn_key=(self._run, 1 + row))
            extra = self._extra[row] = (np.random.Generator(np.random.PCG64(seq)), [])
        generator, block = extra
        k = pos - size
        while k >= len(block):
            # drawing in blocks gives the very same numbers as one call per number
            # (a Generator's stream does not depend on how it is sliced) at 1/20 the cost
            block.extend(generator.random(OVERFLOW_BLOCK).tolist())
        return block[k]


def normalise_seed(seed: int | None) -> int:
    """A root seed as a non-negative int; ``None`` draws fresh entropy (it is recorded)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if seed < 0:
        raise ValueError(f"Negative seed {seed}")
    return int(seed)
