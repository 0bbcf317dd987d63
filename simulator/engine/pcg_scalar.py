"""NumPy's ``SeedSequence`` → ``PCG64`` → ``random()`` for one stream, in plain Python.

Creating a NumPy generator costs 40–110 µs (most of it in ``SeedSequence``), which is
what a run pays each time one of its rows runs past its block of numbers. The same
numbers, bit for bit, come from a few dozen integer operations here: the SeedSequence
hash on 32-bit words, then PCG64's 128-bit LCG with its XSL-RR output (doubles are
the top 53 bits). :mod:`.pcg_vector` computes the same for many streams at once; a
test compares both with NumPy itself.

References: ``numpy/random/bit_generator.pyx`` (SeedSequence) and
``numpy/random/src/pcg64/pcg64.h`` (PCG64).
"""

from __future__ import annotations

from functools import lru_cache

from simulator.engine.pcg_vector import int_words

_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1
_M128 = (1 << 128) - 1
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_MUL = (2549297995355413924 << 64) | 4865540595714422341  # PCG64's default multiplier
_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53


def _hashmix(value: int, hash_const: int) -> tuple[int, int]:
    value ^= hash_const
    hash_const = (hash_const * _MULT_A) & _M32
    value = (value * hash_const) & _M32
    return value ^ (value >> 16), hash_const


def _mix(x: int, y: int) -> int:
    result = (_MIX_L * x - _MIX_R * y) & _M32
    return result ^ (result >> 16)


@lru_cache(maxsize=16)
def _root_pool(root: int) -> tuple[tuple[int, ...], int]:
    """The pool and hash constant after mixing in ``root`` (with a spawn key to follow):
    the same for every stream of a root seed, so it is computed once."""
    entropy = int_words(root)
    if len(entropy) < _POOL:
        entropy += [0] * (_POOL - len(entropy))
    hash_const = _INIT_A
    pool = []
    for i in range(_POOL):
        value, hash_const = _hashmix(entropy[i], hash_const)
        pool.append(value)
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                value, hash_const = _hashmix(pool[src], hash_const)
                pool[dst] = _mix(pool[dst], value)
    for word in entropy[_POOL:]:
        for dst in range(_POOL):
            value, hash_const = _hashmix(word, hash_const)
            pool[dst] = _mix(pool[dst], value)
    return tuple(pool), hash_const


@lru_cache(maxsize=64)
def _constants(init: int, mult: int, count: int) -> tuple[tuple[int, int], ...]:
    """The hash constants a hash uses in turn, as (xor, multiply) pairs: they follow
    from the initial constant alone, never from the data."""
    out = []
    for _ in range(count):
        after = (init * mult) & _M32
        out.append((init, after))
        init = after
    return tuple(out)


_STATE_CONSTANTS = _constants(_INIT_B, _MULT_B, 8)  # generate_state(4, uint64): 8 words


def _pool(root: int, key: tuple[int, ...]) -> list[int]:
    """``SeedSequence(root, spawn_key=key).pool`` for a non-empty ``key``."""
    start, hash_const = _root_pool(root)
    p0, p1, p2, p3 = start
    words = [w for k in key for w in int_words(k)]
    constants = _constants(hash_const, _MULT_A, 4 * len(words))
    n = 0
    for word in words:
        # one hashmix of the word and one mix into each pool entry (unrolled: hot)
        xor, mul = constants[n]
        value = ((word ^ xor) * mul) & _M32
        r = (_MIX_L * p0 - _MIX_R * (value ^ (value >> 16))) & _M32
        p0 = r ^ (r >> 16)
        xor, mul = constants[n + 1]
        value = ((word ^ xor) * mul) & _M32
        r = (_MIX_L * p1 - _MIX_R * (value ^ (value >> 16))) & _M32
        p1 = r ^ (r >> 16)
        xor, mul = constants[n + 2]
        value = ((word ^ xor) * mul) & _M32
        r = (_MIX_L * p2 - _MIX_R * (value ^ (value >> 16))) & _M32
        p2 = r ^ (r >> 16)
        xor, mul = constants[n + 3]
        value = ((word ^ xor) * mul) & _M32
        r = (_MIX_L * p3 - _MIX_R * (value ^ (value >> 16))) & _M32
        p3 = r ^ (r >> 16)
        n += 4
    return [p0, p1, p2, p3]


class ScalarPCG:
    """``Generator(PCG64(SeedSequence(root, spawn_key=key)))``, for ``random()`` only."""

    __slots__ = ("inc", "state")

    def __init__(self, root: int, key: tuple[int, ...]) -> None:
        pool = _pool(root, key)
        words = []
        for i, (xor, mul) in enumerate(_STATE_CONSTANTS):  # generate_state(4, uint64)
            value = ((pool[i % _POOL] ^ xor) * mul) & _M32
            words.append(value ^ (value >> 16))
        val = [words[2 * i] | (words[2 * i + 1] << 32) for i in range(4)]
        seed = (val[0] << 64) | val[1]
        self.inc = ((((val[2] << 64) | val[3]) << 1) | 1) & _M128
        state = self.inc  # srandom: state 0, one step, add the seed, one step
        state = (state + seed) & _M128
        self.state = (state * _MUL + self.inc) & _M128

    def random(self, count: int) -> list[float]:
        """The next ``count`` doubles in [0, 1)."""
        state, inc = self.state, self.inc
        out = []
        for _ in range(count):
            state = (state * _MUL + inc) & _M128
            hi = state >> 64
            x = hi ^ (state & _M64)
            r = hi >> 58
            # XSL-RR: rotate hi ^ lo right by the top 6 bits of hi; keep the top 53 bits
            out.append(((((x >> r) | (x << ((64 - r) & 63))) & _M64) >> 11) * _DOUBLE)
        self.state = state
        return out
