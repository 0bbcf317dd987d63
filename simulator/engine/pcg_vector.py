"""NumPy's ``SeedSequence`` → ``PCG64`` → ``random()``, computed for many streams at once.

Creating one NumPy generator costs 15–30 µs, and the per-run streams of geosim need one
per run (and one per row that runs past its block). This module reproduces, bit for
bit, what ``Generator(PCG64(SeedSequence(root, spawn_key=key))).random(n)`` returns,
for a whole array of spawn keys at once, in array arithmetic: the SeedSequence hash on
uint32 words and PCG64's 128-bit LCG on pairs of uint64 words. A test compares it with
NumPy itself on many seeds and keys.

References: ``numpy/random/bit_generator.pyx`` (SeedSequence) and
``numpy/random/src/pcg64/pcg64.h`` (PCG64, XSL-RR output; doubles are the top 53 bits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_M32 = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
# PCG64's default 128-bit multiplier, as (high, low) 64-bit words
_MUL_HI, _MUL_LO = np.uint64(2549297995355413924), np.uint64(4865540595714422341)
_LO32 = np.uint64(_M32)
_S32, _S58, _S11 = np.uint64(32), np.uint64(58), np.uint64(11)
_DOUBLE = 1.0 / 9007199254740992.0
_BLOCK = 4096


def int_words(value: int) -> list[int]:
    """A non-negative int as little-endian uint32 words, as SeedSequence reads it."""
    if value == 0:
        return [0]
    words = []
    while value > 0:
        words.append(value & _M32)
        value >>= 32
    return words


def _hashmix(value: np.ndarray, hash_const: list[int]) -> np.ndarray:
    value = value ^ np.uint32(hash_const[0])
    hash_const[0] = (hash_const[0] * _MULT_A) & _M32
    value = value * np.uint32(hash_const[0])
    return value ^ (value >> np.uint32(16))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
    return result ^ (result >> np.uint32(16))


def seed_pools(root: int, keys: np.ndarray) -> np.ndarray:
    """SeedSequence(root, spawn_key=row).pool for every row of ``keys``; shape (n, 4) uint32.

    ``keys`` is (n, k) uint32: each spawn key's elements, each below 2**32 (one word).
    """
    n = keys.shape[0]
    run_words = int_words(root)
    if keys.shape[1] and len(run_words) < _POOL:
        run_words += [0] * (_POOL - len(run_words))
    entropy = [np.full(n, w, np.uint32) for w in run_words]
    entropy += [keys[:, j].astype(np.uint32) for j in range(keys.shape[1])]
    hash_const = [_INIT_A]
    zero = np.zeros(n, np.uint32)
    pool = [_hashmix(entropy[i] if i < len(entropy) else zero, hash_const)
            for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = _mix(pool[dst], _hashmix(pool[src], hash_const))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            pool[dst] = _mix(pool[dst], _hashmix(entropy[src], hash_const))
    return np.stack(pool, axis=1)


def _state_words(pool: np.ndarray, n_words: int) -> np.ndarray:
    """SeedSequence.generate_state(n_words // 2, np.uint64) as uint32 words, (n, n_words)."""
    hash_const = _INIT_B
    out = np.empty((pool.shape[0], n_words), np.uint32)
    for i in range(n_words):
        value = pool[:, i % _POOL] ^ np.uint32(hash_const)
        hash_const = (hash_const * _MULT_B) & _M32
        value = value * np.uint32(hash_const)
        out[:, i] = value ^ (value >> np.uint32(16))
    return out


def _mulhi(a: np.ndarray, b: np.uint64) -> np.ndarray:
    """The high 64 bits of the 128-bit product of uint64 ``a`` and the constant ``b``."""
    a0, a1 = a & _LO32, a >> _S32
    b0, b1 = b & _LO32, b >> _S32
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> _S32) + (p01 & _LO32) + (p10 & _LO32)
    return p11 + (p01 >> _S32) + (p10 >> _S32) + (mid >> _S32)


@dataclass
class PCGStates:
    """Many PCG64 states (128-bit state and increment, as high/low uint64 words)."""

    hi: np.ndarray
    lo: np.ndarray
    inc_hi: np.ndarray
    inc_lo: np.ndarray

    def step(self) -> None:
        """state = state × multiplier + increment (mod 2**128)."""
        lo = self.lo * _MUL_LO
        hi = _mulhi(self.lo, _MUL_LO) + self.lo * _MUL_HI + self.hi * _MUL_LO
        new_lo = lo + self.inc_lo
        carry = (new_lo < lo).astype(np.uint64)
        self.hi, self.lo = hi + self.inc_hi + carry, new_lo

    def random(self, count: int) -> np.ndarray:
        """The next ``count`` doubles in [0, 1) of every state, shape (n, count)."""
        n = len(self.lo)
        out = np.empty((count, n))
        for a in range(0, n, _BLOCK):  # blocks of states stay in the CPU cache
            b = min(n, a + _BLOCK)
            part = PCGStates(self.hi[a:b], self.lo[a:b], self.inc_hi[a:b], self.inc_lo[a:b])
            part._fill(out[:, a:b])
            self.hi[a:b], self.lo[a:b] = part.hi, part.lo
        out *= _DOUBLE
        return out.T

    def _fill(self, out: np.ndarray) -> None:
        hi, lo, inc_hi, inc_lo = self.hi.copy(), self.lo.copy(), self.inc_hi, self.inc_lo
        t1, t2, t3 = np.empty_like(lo), np.empty_like(lo), np.empty_like(lo)
        for j in range(out.shape[0]):
            # (hi, lo) = (hi, lo) * MUL + inc, in place: hi first (it needs the old lo)
            np.multiply(hi, _MUL_LO, out=hi)
            np.multiply(lo, _MUL_HI, out=t1)
            hi += t1
            hi += _mulhi(lo, _MUL_LO)
            np.multiply(lo, _MUL_LO, out=lo)
            np.add(lo, inc_lo, out=t2)
            np.less(t2, lo, out=t3, casting="unsafe")  # the carry, as 0 or 1
            hi += inc_hi
            hi += t3
            lo, t2 = t2, lo
            # XSL-RR output: rotate (hi ^ lo) right by hi >> 58; keep the top 53 bits
            np.bitwise_xor(hi, lo, out=t1)
            np.right_shift(hi, _S58, out=t3)
            np.right_shift(t1, t3, out=t2)
            np.subtract(np.uint64(64), t3, out=t3)
            t3 &= np.uint64(63)  # a rotation by 0 must not shift by 64
            np.left_shift(t1, t3, out=t1)
            t1 |= t2
            t1 >>= _S11
            out[j] = t1
        self.hi, self.lo = hi, lo


def pcg_states(root: int, keys: np.ndarray) -> PCGStates:
    """``PCG64(SeedSequence(root, spawn_key=key))`` for each row of ``keys``."""
    words = _state_words(seed_pools(root, keys), 8).astype(np.uint64)
    val = [words[:, 2 * i] | (words[:, 2 * i + 1] << _S32) for i in range(4)]
    seed_hi, seed_lo, seq_hi, seq_lo = val
    one = np.uint64(1)
    inc_hi = (seq_hi << one) | (seq_lo >> np.uint64(63))
    inc_lo = (seq_lo << one) | one
    zero = np.zeros_like(seed_hi)
    states = PCGStates(zero, zero.copy(), inc_hi, inc_lo)
    states.step()
    lo = states.lo + seed_lo
    carry = (lo < states.lo).astype(np.uint64)
    states.hi, states.lo = states.hi + seed_hi + carry, lo
    states.step()
    return states


def spawned_uniforms(root: int, keys: np.ndarray, count: int) -> np.ndarray:
    """``Generator(PCG64(SeedSequence(root, spawn_key=key))).random(count)`` per key row."""
    return pcg_states(root, keys).random(count)
