"""The numba streams are NumPy's own, bit for bit: per-run blocks and overflow streams."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from simulator.engine.pcg_numba import (
    blocks,
    fill_blocks,
    next_double,
    overflow_seed,
    seed_words,
)
from simulator.engine.pcg_scalar import ScalarPCG
from simulator.engine.pcg_vector import spawned_uniforms

ROOTS = [0, 1, 7, 2**40 + 3, 282809669160055996200825292349374625031, 2**128 - 1,
         2**160 + 2**64 + 9]  # the last has more words than SeedSequence's pool
RUNS = [0, 1, 2**31, 2**32 - 1]


def numpy_uniforms(root: int, key: tuple[int, ...], count: int) -> np.ndarray:
    """What NumPy itself draws: ``Generator(PCG64(SeedSequence(root, spawn_key=key)))``."""
    seq = np.random.SeedSequence(root, spawn_key=key)
    return np.random.Generator(np.random.PCG64(seq)).random(count)


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("total", [0, 1, 332])
def test_a_block_is_numpys_own_stream(root: int, run: int, total: int) -> None:
    block = blocks(root, run, run + 1, total)
    assert block.shape == (1, total)
    assert block.dtype == np.float64
    np.testing.assert_array_equal(block[0], numpy_uniforms(root, (run,), total))


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("start", [0, 5, 2**31 - 2, 2**32 - 4])
def test_a_chunk_of_blocks_is_the_vector_modules_and_numpys(root: int, start: int) -> None:
    stop = start + 4
    chunk = blocks(root, start, stop, 37)
    keys = np.arange(start, stop, dtype=np.uint32)[:, None]
    np.testing.assert_array_equal(chunk, spawned_uniforms(root, keys, 37))
    for k, run in enumerate(range(start, stop)):
        np.testing.assert_array_equal(chunk[k], numpy_uniforms(root, (run,), 37))


def test_fill_blocks_writes_every_row_of_a_reused_buffer() -> None:
    out = np.full((3, 10), -1.0)
    fill_blocks(seed_words(7), 10, 13, 10, out)
    for k in range(3):
        np.testing.assert_array_equal(out[k], numpy_uniforms(7, (10 + k,), 10))


def test_an_empty_chunk_has_no_rows() -> None:
    assert blocks(1, 4, 4, 332).shape == (0, 332)


# not cached: numba's cache would keep a stale copy of the pcg_numba code it inlines
@njit
def _overflow_numbers(root_words: np.ndarray, run: int, row: int, count: int) -> np.ndarray:
    """An overflow stream drawn from compiled code, as an engine's kernel draws it."""
    state = np.empty(4, np.uint64)
    overflow_seed(root_words, run, row, state)
    out = np.empty(count)
    for i in range(count):
        out[i] = next_double(state)
    return out


OVERFLOWS = [(0, 0), (1, 5), (2**31, 0), (12345, 149), (2**32 - 1, 2**32 - 2)]


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize(("run", "row"), OVERFLOWS)
def test_an_overflow_stream_is_numpys_own(root: int, run: int, row: int) -> None:
    expected = numpy_uniforms(root, (run, 1 + row), 20)
    np.testing.assert_array_equal(_overflow_numbers(seed_words(root), run, row, 20), expected)
    np.testing.assert_array_equal(np.array(ScalarPCG(root, (run, 1 + row)).random(20)),
                                  expected)


def test_an_overflow_state_is_pcg64s_own() -> None:
    state = np.empty(4, np.uint64)
    overflow_seed(seed_words(2**40 + 3), 9, 2, state)
    numpy_state = np.random.PCG64(
        np.random.SeedSequence(2**40 + 3, spawn_key=(9, 3))).state["state"]
    assert (int(state[0]) << 64) | int(state[1]) == numpy_state["state"]
    assert (int(state[2]) << 64) | int(state[3]) == numpy_state["inc"]


def test_next_double_from_python_continues_the_stream() -> None:
    state = np.empty(4, np.uint64)
    overflow_seed(seed_words(1), 3, 4, state)
    drawn = [next_double(state) for _ in range(6)]
    np.testing.assert_array_equal(np.array(drawn), numpy_uniforms(1, (3, 5), 6))


def test_seed_words_are_little_endian_32_bit_words() -> None:
    assert seed_words(0).tolist() == [0]
    assert seed_words(2**40 + 3).tolist() == [3, 2**8]
    assert seed_words(2**128 - 1).tolist() == [2**32 - 1] * 4
    assert seed_words(5).dtype == np.uint32


@pytest.mark.parametrize(("start", "stop", "total"),
                         [(0, 2**32 + 1, 1), (-1, 2, 1), (3, 2, 1), (0, 2, -1)])
def test_blocks_refuses_what_it_cannot_draw(start: int, stop: int, total: int) -> None:
    with pytest.raises(ValueError, match=r"Runs|block size"):
        blocks(1, start, stop, total)


def test_a_negative_root_is_refused() -> None:
    with pytest.raises(ValueError, match="Negative seed"):
        seed_words(-1)
