"""NumPy's ``SeedSequence`` → ``PCG64`` → ``random()``, compiled with numba.

The same numbers, bit for bit, as :mod:`.pcg_vector` (many streams in array arithmetic)
and :mod:`.pcg_scalar` (one stream in plain Python), for a compiled engine whose per-run
loop runs without Python objects:

* :func:`fill_blocks` draws the flat block of each run of a chunk,
  ``Generator(PCG64(SeedSequence(root, spawn_key=(run,)))).random(total)``;
* :func:`overflow_seed` and :func:`next_double` give, one number at a time, the stream
  of a row that runs past its block,
  ``Generator(PCG64(SeedSequence(root, spawn_key=(run, 1 + row)))).random()``.

Both are ``@njit`` functions, callable from other numba code. Run indices and rows
must be below 2**32 (``1 + row`` too): SeedSequence reads a larger spawn-key element
as two 32-bit words, which this module does not do (:func:`blocks` refuses such runs;
the compiled functions trust their caller).

Why: a NumPy generator costs 15–30 µs to create and the vector module ~10–13 µs per
run of a 332-number block; here that block costs ~1 µs and an overflow stream's seeding
~0.1 µs (``benchmarks/bench_pcg_numba.py``). The first call in a process pays numba's
start-up (~1–2 s, compiled code comes from the on-disk cache). Numba's cache does not
notice when a function a cached caller inlines changes in another file: a caller cached
with ``cache=True`` keeps its copy of this module's code until its own file changes.

Integer arithmetic is on uint64 only: numba has no 128-bit integers, so PCG64's LCG
works on (high, low) 64-bit words (the one 64 × 64 → 128-bit product it needs is LLVM's,
through a numba intrinsic), and SeedSequence's 32-bit hash keeps 32-bit values in
uint64 and masks after each multiply. Every constant is an ``np.uint64``: numba
turns uint64 mixed with a plain (int64) literal into float64.

References: ``numpy/random/bit_generator.pyx`` (SeedSequence) and
``numpy/random/src/pcg64/pcg64.h`` (PCG64, XSL-RR output; doubles are the top 53 bits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from simulator.engine.pcg_vector import int_words

_M32 = np.uint64(0xFFFFFFFF)
_INIT_A, _MULT_A = np.uint64(0x43B0D7E5), np.uint64(0x931E8875)
_INIT_B, _MULT_B = np.uint64(0x8B51F9DD), np.uint64(0x58F38DED)
_MIX_L, _MIX_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_POOL = 4  # SeedSequence's pool size, in 32-bit words
# PCG64's default 128-bit multiplier as (high, low) 64-bit words
_MUL_HI, _MUL_LO = np.uint64(2549297995355413924), np.uint64(4865540595714422341)
_U0, _U1 = np.uint64(0), np.uint64(1)
_S11, _S16, _S32 = np.uint64(11), np.uint64(16), np.uint64(32)
_S58, _S63, _S64 = np.uint64(58), np.uint64(63), np.uint64(64)
_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53
_MAX_RUN = 2**32  # a spawn-key element below this is one 32-bit word


def seed_words(root: int) -> np.ndarray:
    """The root seed as little-endian uint32 words, as SeedSequence reads it."""
    if root < 0:
        raise ValueError(f"Negative seed {root}")
    return np.array(int_words(root), dtype=np.uint32)


@njit(cache=True, nogil=True)
def _hashmix(value: np.uint64, hash_const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SeedSequence's hashmix on a 32-bit value: (hashed value, next hash constant)."""
    value = value ^ hash_const
    hash_const = (hash_const * _MULT_A) & _M32
    value = (value * hash_const) & _M32
    return value ^ (value >> _S16), hash_const


@njit(cache=True, nogil=True)
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:
    """SeedSequence's mix of two 32-bit values (wraps mod 2**64, so mod 2**32 too)."""
    result = (_MIX_L * x - _MIX_R * y) & _M32
    return result ^ (result >> _S16)


@njit(cache=True, nogil=True)
def _root_pool(root_words: np.ndarray, pool: np.ndarray) -> np.uint64:
    """Mix the root's words into ``pool`` (4 uint64), as when a spawn key follows them
    (the root is padded to the pool size); returns the hash constant to carry on with.
    The same for every run of a root, so a chunk computes it once."""
    n_root = root_words.shape[0]
    hash_const = _INIT_A
    for i in range(_POOL):
        word = np.uint64(root_words[i]) if i < n_root else _U0
        pool[i], hash_const = _hashmix(word, hash_const)
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                value, hash_const = _hashmix(pool[src], hash_const)
                pool[dst] = _mix(pool[dst], value)
    for i in range(_POOL, n_root):  # a root above 2**128 has more than 4 words
        for dst in range(_POOL):
            value, hash_const = _hashmix(np.uint64(root_words[i]), hash_const)
            pool[dst] = _mix(pool[dst], value)
    return hash_const


@njit(cache=True, nogil=True)
def _mix_word(pool: np.ndarray, word: np.uint64, hash_const: np.uint64) -> np.uint64:
    """Mix one more entropy word (a spawn-key element) into ``pool``."""
    for dst in range(_POOL):
        value, hash_const = _hashmix(word, hash_const)
        pool[dst] = _mix(pool[dst], value)
    return hash_const


def _mul_wide_typing(typingctx: object, a: object, b: object) -> tuple[object, object]:
    """``a × b`` of two uint64 as a full 128-bit product, (high, low) uint64.

    numba has no 128-bit integer type, but LLVM has: one widening multiply instead of
    four 32-bit partial products (the LCG step's latency sets the block's speed)."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        i64, i128 = ir.IntType(64), ir.IntType(128)
        product = builder.mul(builder.zext(args[0], i128), builder.zext(args[1], i128))
        high = builder.trunc(builder.lshr(product, ir.Constant(i128, 64)), i64)
        return context.make_tuple(builder, signature.return_type,
                                  [high, builder.trunc(product, i64)])

    return sig, codegen


# typed for mypy as what it is inside compiled code: (uint64, uint64) -> (high, low)
_mul_wide = cast("Callable[[np.uint64, np.uint64], tuple[np.uint64, np.uint64]]",
                 intrinsic(_mul_wide_typing))


@njit(cache=True, nogil=True)
def _step(hi: np.uint64, lo: np.uint64, inc_hi: np.uint64,
          inc_lo: np.uint64) -> tuple[np.uint64, np.uint64]:
    """One LCG step: state × multiplier + increment (mod 2**128), as (high, low)."""
    prod_hi, prod_lo = _mul_wide(lo, _MUL_LO)
    prod_hi += lo * _MUL_HI + hi * _MUL_LO
    new_lo = prod_lo + inc_lo
    carry = _U1 if new_lo < prod_lo else _U0
    return prod_hi + inc_hi + carry, new_lo


@njit(cache=True, nogil=True)
def _output(hi: np.uint64, lo: np.uint64) -> float:
    """XSL-RR: rotate hi ^ lo right by hi's top 6 bits; the top 53 bits as a double."""
    x = hi ^ lo
    r = hi >> _S58
    rotated = (x >> r) | (x << ((_S64 - r) & _S63))  # a rotation by 0 must not shift by 64
    # 53 bits fit an int64, whose conversion to double is one instruction (uint64's is not)
    return float(np.int64(rotated >> _S11)) * _DOUBLE


@njit(cache=True, nogil=True)
def _state_word(pool_word: np.uint64, hash_const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """One 32-bit word of SeedSequence.generate_state: (word, next hash constant)."""
    value = pool_word ^ hash_const
    hash_const = (hash_const * _MULT_B) & _M32
    value = (value * hash_const) & _M32
    return value ^ (value >> _S16), hash_const


@njit(cache=True, nogil=True)
def _seed_state(pool: np.ndarray, state: np.ndarray) -> None:
    """PCG64 seeded from ``pool`` (generate_state(4, uint64), then srandom) into
    ``state``: (state high, state low, increment high, increment low). ``state`` may be
    ``pool`` itself: the pool is read first, and nothing is allocated."""
    p0, p1, p2, p3 = pool[0], pool[1], pool[2], pool[3]
    w0, h = _state_word(p0, _INIT_B)
    w1, h = _state_word(p1, h)
    w2, h = _state_word(p2, h)
    w3, h = _state_word(p3, h)
    w4, h = _state_word(p0, h)
    w5, h = _state_word(p1, h)
    w6, h = _state_word(p2, h)
    w7, h = _state_word(p3, h)
    # the eight words read as four little-endian uint64: seed (high, low), then sequence
    seed_hi, seed_lo = w0 | (w1 << _S32), w2 | (w3 << _S32)
    seq_hi, seq_lo = w4 | (w5 << _S32), w6 | (w7 << _S32)
    inc_hi = (seq_hi << _U1) | (seq_lo >> _S63)
    inc_lo = (seq_lo << _U1) | _U1
    # srandom: state 0, one step, add the seed, one step
    hi, lo = _step(_U0, _U0, inc_hi, inc_lo)
    new_lo = lo + seed_lo
    hi = hi + seed_hi + (_U1 if new_lo < lo else _U0)
    hi, lo = _step(hi, new_lo, inc_hi, inc_lo)
    state[0], state[1], state[2], state[3] = hi, lo, inc_hi, inc_lo


@njit(cache=True, nogil=True)
def fill_blocks(root_words: np.ndarray, start: int, stop: int, total: int,
                out: np.ndarray) -> None:
    """Fill ``out[k, :]`` (shape (stop - start, total), float64) with run ``start + k``'s
    block: ``Generator(PCG64(SeedSequence(root, spawn_key=(run,)))).random(total)``.

    ``root_words``: :func:`seed_words` of the root. Runs must be below 2**32."""
    scratch = np.empty(2 * _POOL, np.uint64)  # one allocation per call, not per run
    root_pool, state = scratch[:_POOL], scratch[_POOL:]
    root_hash = _root_pool(root_words, root_pool)
    for k in range(stop - start):
        state[:] = root_pool  # the pool, until the seed replaces it
        _mix_word(state, np.uint64(start + k), root_hash)
        _seed_state(state, state)
        hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
        row = out[k]
        for j in range(total):
            hi, lo = _step(hi, lo, inc_hi, inc_lo)
            row[j] = _output(hi, lo)


@njit(cache=True, nogil=True)
def overflow_seed(root_words: np.ndarray, run: int, row: int, state: np.ndarray) -> None:
    """Write into ``state`` (4 uint64: state high, state low, increment high, increment
    low) the PCG64 of ``SeedSequence(root, spawn_key=(run, 1 + row))``: the stream a row
    continues from past its block. ``run`` and ``1 + row`` must be below 2**32.

    Allocates nothing: ``state`` holds the SeedSequence pool until the seed replaces it."""
    hash_const = _root_pool(root_words, state)
    hash_const = _mix_word(state, np.uint64(run), hash_const)
    _mix_word(state, np.uint64(1 + row), hash_const)
    _seed_state(state, state)


@njit(cache=True, nogil=True)
def next_double(state: np.ndarray) -> float:
    """Advance ``state`` (as written by :func:`overflow_seed`) and return its next
    ``random()`` double in [0, 1)."""
    hi, lo = _step(state[0], state[1], state[2], state[3])
    state[0], state[1] = hi, lo
    return _output(hi, lo)


def blocks(root: int, start: int, stop: int, total: int) -> np.ndarray:
    """The blocks of runs ``[start, stop)``, shape (stop - start, total), float64."""
    if not 0 <= start <= stop <= _MAX_RUN:
        raise ValueError(f"Runs [{start}, {stop}) must lie within [0, 2**32)")
    if total < 0:
        raise ValueError(f"Negative block size {total}")
    out = np.empty((stop - start, total), dtype=np.float64)
    fill_blocks(seed_words(root), start, stop, total, out)
    return out
