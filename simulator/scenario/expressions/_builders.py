"""Closure builders (``unary``, ``binary``, ``compare``, ``logical``, ``conditional``,
``call``) that know nothing about syntax, and :func:`build_part`, which rebuilds a part
from its intermediate form with them.

Nothing here ever turns text into code: the closures below are fixed Python functions
chosen by operator name and combined by reference. That is both the safety argument
(no ``eval``) and the speed argument: a closure call costs ~50 ns, far less than
walking a tree. Numbers follow the IEEE semantics of :mod:`._ieee` on both paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

import numpy as np

from simulator.scenario.expressions._ieee import (
    _clip,
    _div,
    _exp,
    _log,
    _max2,
    _min2,
    _mod,
    _pow,
    _sqrt,
    _vpow,
)
from simulator.scenario.expressions._part import (
    IR,
    Part,
    ScalarFn,
    VectorFn,
    _fold,
    const_part,
    fired_part,
    slot_part,
)

# ---------------------------------------------------------------------------
# Unary
# ---------------------------------------------------------------------------


def unary(op: str, p: Part) -> Part:
    """``not``, ``-`` or ``+`` applied to a part."""
    if op == "+":
        return p
    f = p.scalar
    g = p.vector
    ir: IR = ("unary", op, p.ir)
    if op == "not":
        return _fold(lambda v: not f(v), [p], lambda V: np.logical_not(g(V)), ir)
    if p.slot is not None:
        i = p.slot
        return _fold(lambda v: -v[i], [p], lambda V: np.negative(g(V)), ir)
    return _fold(lambda v: -f(v), [p], lambda V: np.negative(g(V)), ir)


# ---------------------------------------------------------------------------
# Arithmetic: specialised closures for the shapes that dominate real scenarios
# (slot OP constant, constant OP slot, slot OP slot, slot OP sub-expression and back);
# the rest call sub-closures.
# ---------------------------------------------------------------------------

_Factory = Callable[[Any, Any], ScalarFn]

# v[i] OP c
_ARITH_SC: dict[str, _Factory] = {
    "+": lambda i, c: lambda v: v[i] + c,
    "-": lambda i, c: lambda v: v[i] - c,
    "*": lambda i, c: lambda v: v[i] * c,
}
# c OP v[i]
_ARITH_CS: dict[str, _Factory] = {
    "+": lambda c, i: lambda v: c + v[i],
    "-": lambda c, i: lambda v: c - v[i],
    "*": lambda c, i: lambda v: c * v[i],
}
# v[i] OP v[j]
_ARITH_SS: dict[str, _Factory] = {
    "+": lambda i, j: lambda v: v[i] + v[j],
    "-": lambda i, j: lambda v: v[i] - v[j],
    "*": lambda i, j: lambda v: v[i] * v[j],
}
# v[i] OP g(v)
_ARITH_SF: dict[str, _Factory] = {
    "+": lambda i, g: lambda v: v[i] + g(v),
    "-": lambda i, g: lambda v: v[i] - g(v),
    "*": lambda i, g: lambda v: v[i] * g(v),
}
# f(v) OP v[j]
_ARITH_FS: dict[str, _Factory] = {
    "+": lambda f, j: lambda v: f(v) + v[j],
    "-": lambda f, j: lambda v: f(v) - v[j],
    "*": lambda f, j: lambda v: f(v) * v[j],
}
# f(v) OP c
_ARITH_FC: dict[str, _Factory] = {
    "+": lambda f, c: lambda v: f(v) + c,
    "-": lambda f, c: lambda v: f(v) - c,
    "*": lambda f, c: lambda v: f(v) * c,
}
# c OP f(v)
_ARITH_CF: dict[str, _Factory] = {
    "+": lambda c, f: lambda v: c + f(v),
    "-": lambda c, f: lambda v: c - f(v),
    "*": lambda c, f: lambda v: c * f(v),
}
# f(v) OP g(v)
_ARITH_FF: dict[str, _Factory] = {
    "+": lambda f, g: lambda v: f(v) + g(v),
    "-": lambda f, g: lambda v: f(v) - g(v),
    "*": lambda f, g: lambda v: f(v) * g(v),
}
# Operators that need an IEEE helper (see module docstring).
_HELPERS: dict[str, Callable[[float, float], float]] = {"/": _div, "%": _mod, "**": _pow}

_NP_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "%": np.remainder,
    "**": _vpow,
}


def binary(op: str, a: Part, b: Part) -> Part:
    """An arithmetic operator (``+ - * / % **``) on two number parts."""
    fa, fb = a.vector, b.vector
    np_op = _NP_ARITH[op]
    vector: VectorFn = lambda V: np_op(fa(V), fb(V))  # noqa: E731
    scalar: ScalarFn
    if op in _HELPERS:
        h = _HELPERS[op]
        if op == "/" and b.is_const and b.value != 0 and a.slot is not None:
            i, c = a.slot, b.value
            scalar = lambda v: v[i] / c  # noqa: E731 — the divisor is known to be non-zero
        else:
            f, g = a.scalar, b.scalar
            scalar = lambda v: h(f(v), g(v))  # noqa: E731
    elif a.slot is not None and b.is_const:
        scalar = _ARITH_SC[op](a.slot, b.value)
    elif a.is_const and b.slot is not None:
        scalar = _ARITH_CS[op](a.value, b.slot)
    elif a.slot is not None and b.slot is not None:
        scalar = _ARITH_SS[op](a.slot, b.slot)
    elif a.slot is not None and not b.is_const:
        scalar = _ARITH_SF[op](a.slot, b.scalar)
    elif b.slot is not None and not a.is_const:
        scalar = _ARITH_FS[op](a.scalar, b.slot)
    elif b.is_const:
        scalar = _ARITH_FC[op](a.scalar, b.value)
    elif a.is_const:
        scalar = _ARITH_CF[op](a.value, b.scalar)
    else:
        scalar = _ARITH_FF[op](a.scalar, b.scalar)
    return _fold(scalar, [a, b], vector, ("binary", op, a.ir, b.ir))


# ---------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------

# IEEE comparisons are symmetric under swapping sides and flipping the operator,
# also for nan, so `c < x` can use the `x > c` closure.
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

_CMP_SC: dict[str, _Factory] = {
    "<": lambda i, c: lambda v: v[i] < c,
    "<=": lambda i, c: lambda v: v[i] <= c,
    ">": lambda i, c: lambda v: v[i] > c,
    ">=": lambda i, c: lambda v: v[i] >= c,
    "==": lambda i, c: lambda v: v[i] == c,
    "!=": lambda i, c: lambda v: v[i] != c,
}
_CMP_SS: dict[str, _Factory] = {
    "<": lambda i, j: lambda v: v[i] < v[j],
    "<=": lambda i, j: lambda v: v[i] <= v[j],
    ">": lambda i, j: lambda v: v[i] > v[j],
    ">=": lambda i, j: lambda v: v[i] >= v[j],
    "==": lambda i, j: lambda v: v[i] == v[j],
    "!=": lambda i, j: lambda v: v[i] != v[j],
}
_CMP_FC: dict[str, _Factory] = {
    "<": lambda f, c: lambda v: f(v) < c,
    "<=": lambda f, c: lambda v: f(v) <= c,
    ">": lambda f, c: lambda v: f(v) > c,
    ">=": lambda f, c: lambda v: f(v) >= c,
    "==": lambda f, c: lambda v: f(v) == c,
    "!=": lambda f, c: lambda v: f(v) != c,
}
_CMP_FF: dict[str, _Factory] = {
    "<": lambda f, g: lambda v: f(v) < g(v),
    "<=": lambda f, g: lambda v: f(v) <= g(v),
    ">": lambda f, g: lambda v: f(v) > g(v),
    ">=": lambda f, g: lambda v: f(v) >= g(v),
    "==": lambda f, g: lambda v: f(v) == g(v),
    "!=": lambda f, g: lambda v: f(v) != g(v),
}
_NP_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def compare(op: str, a: Part, b: Part) -> Part:
    """One comparison ``a OP b`` (chains are split into these by the caller)."""
    fa, fb = a.vector, b.vector
    np_op = _NP_CMP[op]
    vector: VectorFn = lambda V: np_op(fa(V), fb(V))  # noqa: E731
    ir: IR = ("compare", op, a.ir, b.ir)
    if a.is_const and not b.is_const:
        a, b, op = b, a, _FLIP[op]
    scalar: ScalarFn
    if a.slot is not None and b.is_const:
        scalar = _CMP_SC[op](a.slot, b.value)
    elif a.slot is not None and b.slot is not None:
        scalar = _CMP_SS[op](a.slot, b.slot)
    elif b.is_const:
        scalar = _CMP_FC[op](a.scalar, b.value)
    else:
        scalar = _CMP_FF[op](a.scalar, b.scalar)
    return _fold(scalar, [a, b], vector, ir)


# ---------------------------------------------------------------------------
# and / or / conditional
# ---------------------------------------------------------------------------


def logical(op: str, parts: Sequence[Part]) -> Part:
    """``and``/``or`` over bool parts, with short-circuit folding.

    ``x and false`` is false whatever ``x`` is, so it folds and reads no slot: the
    engine then never re-evaluates it.
    """
    absorbing = op == "or"  # the value that decides the result on its own
    live: list[Part] = []
    for p in parts:
        if p.is_const:
            if p.value is absorbing:
                return const_part(absorbing)
            continue  # the neutral element: drop it
        live.append(p)
    if not live:
        return const_part(not absorbing)
    if len(live) == 1:
        return live[0]
    np_op = np.logical_or if absorbing else np.logical_and
    vfns = [p.vector for p in live]
    vector: VectorFn = lambda V: reduce(np_op, [g(V) for g in vfns])  # noqa: E731
    # Nest pairwise from the right so Python's own short-circuit does the work.
    scalar = live[-1].scalar
    for p in reversed(live[:-1]):
        f, g = p.scalar, scalar
        if absorbing:
            scalar = _or2(f, g)
        else:
            scalar = _and2(f, g)
    return Part(scalar, vector, frozenset().union(*(p.slots for p in live)),
                ir=("logical", op, tuple(p.ir for p in live)))


def _and2(f: ScalarFn, g: ScalarFn) -> ScalarFn:
    return lambda v: f(v) and g(v)


def _or2(f: ScalarFn, g: ScalarFn) -> ScalarFn:
    return lambda v: f(v) or g(v)


def conditional(cond: Part, then: Part, other: Part) -> Part:
    """``then if cond else other``; np.where evaluates both branches, harmlessly."""
    if cond.is_const:
        return then if cond.value else other
    if then.is_const and other.is_const and then.value == other.value:
        return then
    c, a, b = cond.scalar, then.scalar, other.scalar
    scalar: ScalarFn
    if then.is_const and other.is_const:
        x, y = then.value, other.value
        scalar = lambda v: x if c(v) else y  # noqa: E731
    else:
        scalar = lambda v: a(v) if c(v) else b(v)  # noqa: E731
    vc, va, vb = cond.vector, then.vector, other.vector
    vector: VectorFn = lambda V: np.where(vc(V), va(V), vb(V))  # noqa: E731
    return Part(scalar, vector, cond.slots | then.slots | other.slots,
                ir=("cond", cond.ir, then.ir, other.ir))


# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------

_UNARY_FUNCS: dict[str, tuple[Callable[[float], float], Callable[[Any], Any]]] = {
    "abs": (abs, np.abs),
    "exp": (_exp, np.exp),
    "log": (_log, np.log),
    "sqrt": (_sqrt, np.sqrt),
}


def call(name: str, args: Sequence[Part]) -> Part:
    """A numeric function (``min max clip abs exp log sqrt``) on number parts."""
    ir: IR = ("call", name, tuple(p.ir for p in args))
    if name in _UNARY_FUNCS:
        sf, nf = _UNARY_FUNCS[name]
        f, g = args[0].scalar, args[0].vector
        return _fold(lambda v: sf(f(v)), args, lambda V: nf(g(V)), ir)
    if name == "clip":
        fx, flo, fhi = (p.scalar for p in args)
        gx, glo, ghi = (p.vector for p in args)
        return _fold(
            lambda v: _clip(fx(v), flo(v), fhi(v)),
            args,
            lambda V: np.minimum(np.maximum(gx(V), glo(V)), ghi(V)),
            ir,
        )
    if name in ("min", "max"):
        pair = _min2 if name == "min" else _max2
        np_pair = np.minimum if name == "min" else np.maximum
        scalar = args[0].scalar
        for p in args[1:]:
            scalar = _pairwise(pair, scalar, p.scalar)
        vfns = [p.vector for p in args]
        return _fold(scalar, args, lambda V: reduce(np_pair, [g(V) for g in vfns]), ir)
    raise AssertionError(f"unknown function {name!r} passed checking")


def _pairwise(pair: Callable[[float, float], float], f: ScalarFn, g: ScalarFn) -> ScalarFn:
    return lambda v: pair(f(v), g(v))


def build_part(ir: IR) -> Part:
    """Rebuild the closures of a part from its intermediate form (see :data:`IR`)."""
    kind = ir[0]
    if kind == "const":
        return const_part(ir[1])
    if kind == "slot":
        return slot_part(ir[1])
    if kind == "fired":
        return fired_part(ir[1])
    if kind == "unary":
        return unary(ir[1], build_part(ir[2]))
    if kind == "binary":
        return binary(ir[1], build_part(ir[2]), build_part(ir[3]))
    if kind == "compare":
        return compare(ir[1], build_part(ir[2]), build_part(ir[3]))
    if kind == "logical":
        return logical(ir[1], [build_part(x) for x in ir[2]])
    if kind == "cond":
        return conditional(build_part(ir[1]), build_part(ir[2]), build_part(ir[3]))
    if kind == "call":
        return call(ir[1], [build_part(x) for x in ir[2]])
    raise ValueError(f"unknown intermediate form {kind!r}")

