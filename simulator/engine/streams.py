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
the same number always serves the same purpose in every variant. A chunk of runs draws
all its blocks at once (:func:`chunk_streams`, the same generators computed side by side
in :mod:`.pcg_vector`): about 4 µs per run instead of 30 µs, and the very same numbers.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.pcg_scalar import ScalarPCG
from simulator.engine.pcg_vector import spawned_uniforms

OVERFLOW_BLOCK = 4  # overflow numbers drawn at a time (most rows need one or two more)
_MAX_BLOCK_RUN = 2**32  # chunk blocks key runs by one 32-bit word (as one generator does)


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

    __slots__ = ("_end", "_extra", "_flat", "_next", "_offsets", "_root", "_run", "_sizes")

    def __init__(self, root_seed: int, run_index: int, layout: RowLayout,
                 block: list[float] | None = None) -> None:
        """``block``: this run's numbers when already drawn (see :func:`chunk_streams`)."""
        self._root = root_seed
        self._run = run_index
        if block is None:
            seq = np.random.SeedSequence(root_seed, spawn_key=(run_index,))
            generator = np.random.Generator(np.random.PCG64(seq))
            block = generator.random(layout.total).tolist()
        self._flat: list[float] = block
        self._offsets = layout.offsets
        self._sizes = layout.sizes
        # per row: the index in the block of its next number, and where its block ends
        self._next = list(layout.offsets)
        self._end = [o + n for o, n in zip(layout.offsets, layout.sizes, strict=True)]
        # overflow per row: its own generator and a block of numbers already drawn from it
        self._extra: dict[int, tuple[ScalarPCG, list[float]]] = {}

    def first(self, row: int) -> float:
        """The row's first number, without consuming it (parameter and initial draws)."""
        return self._flat[self._offsets[row]]

    def uniform(self, row: int) -> float:
        """The next number of ``row``."""
        pos = self._next[row]
        self._next[row] = pos + 1
        if pos < self._end[row]:
            return self._flat[pos]
        return self._overflow(row, pos - self._end[row])

    def _overflow(self, row: int, k: int) -> float:
        """Number ``k`` past the end of ``row``'s block: from the row's own generator."""
        extra = self._extra.get(row)
        if extra is None:
            # the numbers of Generator(PCG64(SeedSequence(root, spawn_key=(run, 1 + row)))),
            # computed in plain Python: a fifth of the cost of making a NumPy generator
            extra = self._extra[row] = (ScalarPCG(self._root, (self._run, 1 + row)), [])
        generator, block = extra
        while k >= len(block):
            # a stream does not depend on how it is sliced: blocks give the same numbers
            block.extend(generator.random(OVERFLOW_BLOCK))
        return block[k]


def chunk_streams(root_seed: int, start: int, stop: int, layout: RowLayout) -> list[Streams]:
    """The streams of runs ``[start, stop)``: each run's block as its own generator
    draws it, all drawn at once."""
    if stop > _MAX_BLOCK_RUN or stop - start < 2 or layout.total == 0:
        return [Streams(root_seed, i, layout) for i in range(start, stop)]
    keys = np.arange(start, stop, dtype=np.uint32)[:, None]
    blocks = spawned_uniforms(root_seed, keys, layout.total).tolist()
    return [Streams(root_seed, i, layout, blocks[k]) for k, i in enumerate(range(start, stop))]


def normalise_seed(seed: int | None) -> int:
    """A root seed as a non-negative int; ``None`` draws fresh entropy (it is recorded)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if seed < 0:
        raise ValueError(f"Negative seed {seed}")
    return int(seed)
