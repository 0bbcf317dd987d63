"""Expressions as data for the compiled engine: the intermediate form (IR) of every
compiled expression becomes a short postfix program, run by one compiled interpreter.

A program is a sequence of (operation, argument) pairs in one flat ``int64`` array
shared by all expressions of a model; constants live in a ``float64`` array. Numbers
follow the same IEEE rules as the scalar and the array evaluators
(:mod:`simulator.scenario.expressions._ieee`): ``x / 0`` is ``±inf``, ``x % 0``,
``log(-1)`` and ``sqrt(-1)`` are NaN, ``log(0)`` is ``-inf``, ``min``/``max``/``clip``
propagate NaN. Conditions are 1.0 (true) or 0.0 (false).

Why an interpreter rather than code generated per scenario: the program is data, so
nothing is compiled per scenario (the interpreter is compiled once and cached on disk),
and no text is ever turned into code.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulator.scenario.expressions import IR

# operations (the argument is a constant index, a slot, or a count of operands)
CONST, SLOT, FIRED, NEG, NOT = 0, 1, 2, 3, 4
ADD, SUB, MUL, DIV, MOD, POW = 5, 6, 7, 8, 9, 10
LT, LE, GT, GE, EQ, NE = 11, 12, 13, 14, 15, 16
AND, OR, COND = 17, 18, 19
MIN, MAX, CLIP, ABS, EXP, LOG, SQRT = 20, 21, 22, 23, 24, 25, 26

_BINARY = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "%": MOD, "**": POW}
_COMPARE = {"<": LT, "<=": LE, ">": GT, ">=": GE, "==": EQ, "!=": NE}
_CALL = {"min": MIN, "max": MAX, "clip": CLIP, "abs": ABS, "exp": EXP, "log": LOG,
         "sqrt": SQRT}


class Programs:
    """The programs of one model's expressions, in flat arrays the kernel reads.

    :meth:`add` returns an expression's id: its program is
    ``code[2 * start[id] : 2 * stop[id]]`` (pairs), evaluated by :func:`evaluate`.
    """

    def __init__(self) -> None:
        self._code: list[int] = []
        self._consts: list[float] = []
        self._const_index: dict[float, int] = {}
        self._start: list[int] = []
        self._stop: list[int] = []
        self._ids: dict[IR, int] = {}
        self.max_depth = 1

    def add(self, ir: IR) -> int:
        """The id of the program computing ``ir`` (equal forms share one program)."""
        known = self._ids.get(ir)
        if known is not None:
            return known
        start = len(self._code) // 2
        depth = self._emit(ir, 0)
        self.max_depth = max(self.max_depth, depth)
        self._start.append(start)
        self._stop.append(len(self._code) // 2)
        self._ids[ir] = len(self._start) - 1
        return self._ids[ir]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(code, consts, bounds)``: bounds[id] = (start, stop) in pairs."""
        code = np.asarray(self._code or [CONST, 0], np.int64)
        consts = np.asarray(self._consts or [0.0], np.float64)
        bounds = np.asarray(list(zip(self._start, self._stop, strict=True)) or [(0, 0)],
                            np.int64).reshape(-1, 2)
        return code, consts, bounds

    def _const(self, value: float) -> int:
        key = float(value)
        if math.isnan(key):  # NaN is not equal to itself: never shared
            self._consts.append(key)
            return len(self._consts) - 1
        if key == 0.0 and math.copysign(1.0, key) < 0:  # -0.0 == 0.0: keep the sign
            self._consts.append(key)
            return len(self._consts) - 1
        index = self._const_index.get(key)
        if index is None:
            index = self._const_index[key] = len(self._consts)
            self._consts.append(key)
        return index

    def _op(self, op: int, arg: int = 0) -> None:
        self._code += [op, arg]

    def _emit(self, ir: IR, depth: int) -> int:
        """Append the program of ``ir``; the deepest stack it needs above ``depth``."""
        kind = ir[0]
        if kind == "const":
            self._op(CONST, self._const(float(ir[1])))
            return depth + 1
        if kind == "slot":
            self._op(SLOT, int(ir[1]))
            return depth + 1
        if kind == "fired":
            self._op(FIRED, int(ir[1]))
            return depth + 1
        if kind == "unary":
            deepest = self._emit(ir[2], depth)
            self._op(NOT if ir[1] == "not" else NEG)
            return deepest
        if kind in ("binary", "compare"):
            a = self._emit(ir[2], depth)
            b = self._emit(ir[3], depth + 1)
            self._op((_BINARY if kind == "binary" else _COMPARE)[ir[1]])
            return max(a, b)
        if kind in ("logical", "call"):
            deepest = depth
            for k, part in enumerate(ir[2]):
                deepest = max(deepest, self._emit(part, depth + k))
            op = (AND if ir[1] == "and" else OR) if kind == "logical" else _CALL[ir[1]]
            self._op(op, len(ir[2]))
            return deepest
        if kind == "cond":
            deepest = max(self._emit(ir[1], depth), self._emit(ir[2], depth + 1),
                          self._emit(ir[3], depth + 2))
            self._op(COND)
            return deepest
        raise ValueError(f"unknown intermediate form {kind!r}")


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _min2(a: float, b: float) -> float:
    # np.minimum's NaN rule, in the scalar evaluator's order of tests
    if a < b:
        return a
    return b if a == a else a


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _max2(a: float, b: float) -> float:
    if a > b:
        return a
    return b if a == a else a


@njit(cache=True, nogil=True, error_model="numpy")
def evaluate(code: np.ndarray, consts: np.ndarray, bounds: np.ndarray, which: int,
             v: np.ndarray, stack: np.ndarray) -> float:
    """Run program ``which`` on the state vector ``v`` (conditions give 1.0 or 0.0)."""
    sp = 0
    pc = 2 * bounds[which, 0]
    end = 2 * bounds[which, 1]
    while pc < end:
        op = code[pc]
        arg = code[pc + 1]
        pc += 2
        if op == SLOT:
            stack[sp] = v[arg]
            sp += 1
        elif op == CONST:
            stack[sp] = consts[arg]
            sp += 1
        elif op == MUL:
            sp -= 1
            stack[sp - 1] = stack[sp - 1] * stack[sp]
        elif op == ADD:
            sp -= 1
            stack[sp - 1] = stack[sp - 1] + stack[sp]
        elif op == SUB:
            sp -= 1
            stack[sp - 1] = stack[sp - 1] - stack[sp]
        elif op <= NOT:
            if op == FIRED:
                stack[sp] = 1.0 if v[arg] > 0.0 else 0.0
                sp += 1
            elif op == NEG:
                stack[sp - 1] = -stack[sp - 1]
            else:
                stack[sp - 1] = 0.0 if stack[sp - 1] != 0.0 else 1.0
        elif op <= POW:
            sp -= 1
            a = stack[sp - 1]
            b = stack[sp]
            if op == DIV:
                stack[sp - 1] = a / b
            elif op == MOD:
                stack[sp - 1] = a % b if b != 0.0 else math.nan
            else:
                stack[sp - 1] = a ** b
        elif op <= NE:
            sp -= 1
            a = stack[sp - 1]
            b = stack[sp]
            if op == LT:
                r = a < b
            elif op == LE:
                r = a <= b
            elif op == GT:
                r = a > b
            elif op == GE:
                r = a >= b
            elif op == EQ:
                r = a == b
            else:
                r = a != b
            stack[sp - 1] = 1.0 if r else 0.0
        elif op in (AND, OR):
            first = sp - arg
            out = 1.0 if op == AND else 0.0
            for k in range(first, sp):
                if op == AND and stack[k] == 0.0:
                    out = 0.0
                elif op == OR and stack[k] != 0.0:
                    out = 1.0
            sp = first + 1
            stack[first] = out
        elif op == COND:
            sp -= 2
            stack[sp - 1] = stack[sp] if stack[sp - 1] != 0.0 else stack[sp + 1]
        elif op in (MIN, MAX):
            first = sp - arg
            acc = stack[first]
            for k in range(first + 1, sp):
                acc = _min2(acc, stack[k]) if op == MIN else _max2(acc, stack[k])
            sp = first + 1
            stack[first] = acc
        elif op == CLIP:
            sp -= 2
            stack[sp - 1] = _min2(_max2(stack[sp - 1], stack[sp]), stack[sp + 1])
        else:
            x = stack[sp - 1]
            if op == ABS:
                stack[sp - 1] = abs(x)
            elif op == EXP:
                stack[sp - 1] = math.exp(x)
            elif op == LOG:
                stack[sp - 1] = math.log(x) if x > 0.0 else (-math.inf if x == 0.0
                                                             else math.nan)
            else:
                stack[sp - 1] = math.sqrt(x) if x >= 0.0 else math.nan
    return stack[sp - 1]
