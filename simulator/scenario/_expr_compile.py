"""The compiler behind :func:`simulator.scenario.expressions.compile_expression`.

Two layers: closure builders (``unary``, ``binary``, ``compare``, ``logical``,
``conditional``, ``call``) that know nothing about syntax, and at the end of the file
``check``, which walks a parsed tree, resolves names against
:class:`~simulator.scenario.expressions.Symbols`, enforces the number/condition type
rules with hints, and calls the builders bottom-up.

Every checked sub-expression becomes a :class:`Part`: a scalar closure over a Python
list ``v``, a vectorised closure over an array ``V`` of shape ``(n_slots, n_runs)``,
the set of slots it reads, and — when it reads none — its folded value.

Nothing here ever turns text into code: the closures below are fixed Python functions
chosen by operator name and combined by reference. That is both the safety argument
(no ``eval``) and the speed argument: a closure call costs ~50 ns, far less than
walking a tree.

Numeric semantics are IEEE-754 as numpy implements them, and the scalar helpers
mirror numpy so that ``expr(v)`` and ``expr.evaluate_array(V)`` agree element by
element: ``x / 0`` is ``±inf`` (``nan`` for ``0 / 0``), ``x % 0`` is ``nan``,
``log(0)`` is ``-inf``, ``log(<0)`` and ``sqrt(<0)`` are ``nan``, overflowing ``**``
and ``exp`` give ``inf``, a negative base to a fractional power is ``nan``, and
``min``/``max``/``clip`` propagate ``nan``. Plain Python would raise
``ZeroDivisionError``/``OverflowError`` or return a complex number instead. The two
paths agree bit for bit except that numpy's own ``power``/``exp``/``log`` kernels may
round the last bit differently from the C library's.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np

from simulator.scenario.expressions import (
    FUNCTIONS,
    Binary,
    Boolean,
    Call,
    Compare,
    Conditional,
    ExpressionError,
    ExprNode,
    Logical,
    Name,
    Number,
    Ref,
    Symbols,
    Unary,
    ValueType,
    _snippet,
)

ScalarFn = Callable[[Sequence[float]], Any]
IR = tuple[Any, ...]
"""The frozen intermediate form of a checked, folded expression: nested tuples such as
``("binary", "*", ("slot", 3), ("const", 2.0))``. Names are resolved to slots and
constants folded; the closures of both evaluators are rebuilt from it by
:func:`build_part` (how a compiled model crosses a process boundary)."""
VectorFn = Callable[[np.ndarray], Any]

_INF = math.inf
_NAN = math.nan


# ---------------------------------------------------------------------------
# Scalar helpers that mirror numpy's IEEE behaviour (see module docstring).
# Each tries the plain Python operation first: on the common path that costs one
# ``try`` block, which is free in Python 3.11.
# ---------------------------------------------------------------------------


def _div(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0:  # nan / 0 and 0 / 0 are nan, as in numpy
            return _NAN
        # The sign of a zero divisor counts: 1 / -0.0 is -inf in numpy.
        return math.copysign(_INF, x) * math.copysign(1.0, y)


def _mod(x: float, y: float) -> float:
    # Python's float % and numpy's remainder share the sign-of-divisor convention;
    # they differ only for a zero divisor (Python raises, numpy gives nan).
    try:
        return x % y
    except ZeroDivisionError:
        return _NAN


def _is_odd_integer(y: float) -> bool:
    y = float(y)
    return y.is_integer() and y % 2 == 1


def _pow(x: float, y: float) -> float:
    """C's ``pow`` (what numpy's array-by-array ``power`` computes), without exceptions."""
    try:
        r = x**y
    except ZeroDivisionError:  # 0 ** negative: ±inf, signed only for odd whole powers
        return math.copysign(_INF, x) if _is_odd_integer(y) else _INF
    except OverflowError:
        if x < 0 and not float(y).is_integer():
            return _NAN  # Python overflowed on its way to a complex result
        return -_INF if x < 0 and _is_odd_integer(y) else _INF
    if type(r) is complex:  # (-8) ** (1/3): Python goes complex, C and numpy give nan
        return _NAN
    return r


def _vpow(x: Any, y: Any) -> Any:
    """Vectorised ``**``. Both sides are materialised as full, real-strided arrays
    because numpy shortcuts a scalar (or zero-stride) exponent — ``x ** 0.5`` becomes
    ``sqrt(x)``, which gives nan for -inf and -0.0 for -0.0 — and then disagrees with
    C's ``pow``, which the scalar path follows."""
    xa, ya = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return np.power(np.array(xa), np.array(ya))


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)  # math.log(inf) is inf
    if x == 0:
        return -_INF
    return _NAN  # negative or nan


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else _NAN  # nan fails `>= 0` too


def _min2(a: float, b: float) -> float:
    # Like np.minimum: nan if either side is nan (Python's min depends on order).
    return a if a < b else (b if a == a else a)


def _max2(a: float, b: float) -> float:
    return a if a > b else (b if a == a else a)


def _clip(x: float, lo: float, hi: float) -> float:
    # np.clip is minimum(maximum(x, lo), hi); so is this, including lo > hi → hi.
    return _min2(_max2(x, lo), hi)


# ---------------------------------------------------------------------------
# Parts
# ---------------------------------------------------------------------------

_NOT_CONST: Any = object()  # sentinel: a folded value may legitimately be False or 0.0


@dataclass(frozen=True)
class Part:
    """One compiled sub-expression.

    ``slot`` is set when the part is exactly ``v[slot]``, so that parents can pick a
    specialised closure (``v[3] >= 2.0`` instead of ``f(v) >= 2.0``).
    """

    scalar: ScalarFn
    vector: VectorFn
    slots: frozenset[int]
    value: Any = _NOT_CONST
    slot: int | None = None
    ir: IR = ("const", 0.0)

    @property
    def is_const(self) -> bool:
        return self.value is not _NOT_CONST


def const_part(value: float | bool) -> Part:
    """A folded value; bools stay bools and every number becomes a float."""
    value = bool(value) if isinstance(value, bool | np.bool_) else float(value)
    return Part(lambda v: value, lambda V: value, frozenset(), value=value,
                ir=("const", value))


def slot_part(i: int) -> Part:
    return Part(lambda v: v[i], lambda V: V[i], frozenset({i}), slot=i, ir=("slot", i))


def fired_part(i: int) -> Part:
    """``fired(a.b)``: the option's fire counter in slot ``i`` is positive."""
    return Part(lambda v: v[i] > 0, lambda V: V[i] > 0, frozenset({i}), ir=("fired", i))


def _fold(scalar: ScalarFn, parts: Sequence[Part], vector: VectorFn, ir: IR) -> Part:
    """Fold when every input is constant, else wrap the closures."""
    if all(p.is_const for p in parts):
        return const_part(scalar(()))
    return Part(scalar, vector, frozenset().union(*(p.slots for p in parts)), ir=ir)


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


def finish_vector(part: Part, want_bool: bool) -> Callable[[np.ndarray], np.ndarray]:
    """The public vectorised entry point: always a fresh ``(n_runs,)`` array.

    Warnings are silenced because inf/nan results are part of the documented
    semantics, and the test suite turns RuntimeWarning into an error.
    """
    dtype = np.bool_ if want_bool else np.float64
    g = part.vector

    def evaluate_array(V: np.ndarray) -> np.ndarray:
        V = np.asarray(V, dtype=np.float64)
        if V.ndim != 2:
            raise ValueError(f"expected an array of shape (n_slots, n_runs), got {V.shape}")
        with np.errstate(all="ignore"):
            r = np.asarray(g(V))
        if r.ndim == 0:
            return np.full(V.shape[1], r.item(), dtype=dtype)
        return np.array(r, dtype=dtype)  # a copy: never hand out a view of V

    return evaluate_array


# ---------------------------------------------------------------------------
# Checking: name resolution and types, building Parts bottom-up
# ---------------------------------------------------------------------------

_TYPE_WORD = {"number": "a number", "bool": "a condition (true/false)"}
TO_NUMBER_HINT = "to turn a condition into a number write `1 if condition else 0`"


class _Checker:
    """Resolves names, checks types and builds closures for one expression."""

    def __init__(self, text: str, symbols: Symbols) -> None:
        self.text = text
        self.symbols = symbols

    def snippet(self, node: ExprNode) -> str:
        return _snippet(self.text, node.col, node.end)

    def need(self, node: ExprNode, got: ValueType, want: ValueType, role: str) -> None:
        """Raise unless ``got == want``; ``role`` says who wanted it, e.g. "`and`"."""
        if got == want:
            return
        piece = self.snippet(node)
        if want == "bool":
            hint = f"did you mean `{piece} > 0`?"
        else:
            hint = TO_NUMBER_HINT
        raise ExpressionError(
            f"{role} needs {_TYPE_WORD[want]}, but `{piece}` is {_TYPE_WORD[got]}",
            column=node.col, expected=_TYPE_WORD[want], found=piece, hint=hint,
        )  # fmt: skip

    def check(self, node: ExprNode) -> tuple[ValueType, Part]:
        if isinstance(node, Number):
            return "number", const_part(node.value)
        if isinstance(node, Boolean):
            return "bool", const_part(node.value)
        if isinstance(node, Name):
            return "number", self.name(node)
        if isinstance(node, Unary):
            t, p = self.check(node.operand)
            want: ValueType = "bool" if node.op == "not" else "number"
            self.need(node.operand, t, want, f"`{node.op}`")
            return want, unary(node.op, p)
        if isinstance(node, Binary):
            (tl, pl), (tr, pr) = self.check(node.left), self.check(node.right)
            self.need(node.left, tl, "number", f"`{node.op}`")
            self.need(node.right, tr, "number", f"`{node.op}`")
            return "number", binary(node.op, pl, pr)
        if isinstance(node, Logical):
            parts = []
            for value in node.values:
                t, p = self.check(value)
                self.need(value, t, "bool", f"`{node.op}`")
                parts.append(p)
            return "bool", logical(node.op, parts)
        if isinstance(node, Compare):
            return "bool", self.compare(node)
        if isinstance(node, Conditional):
            tc, pc = self.check(node.cond)
            self.need(node.cond, tc, "bool", "the condition after `if`")
            (ta, pa), (tb, pb) = self.check(node.then), self.check(node.other)
            if ta != tb:
                raise ExpressionError(
                    "both results of `a if condition else b` must be numbers, "
                    "or both conditions",
                    column=node.other.col, expected=_TYPE_WORD[ta],
                    found=f"`{self.snippet(node.other)}` is {_TYPE_WORD[tb]}",
                    hint=TO_NUMBER_HINT if ta == "number" else None,
                )  # fmt: skip
            return ta, conditional(pc, pa, pb)
        if isinstance(node, Call):
            return self.call(node)
        # A Ref outside fired/count cannot come out of the parser; be safe anyway.
        raise ExpressionError("`actor.option` is only allowed inside fired() or count()",
                              column=node.col)  # fmt: skip

    def name(self, node: Name) -> Part:
        slot = self.symbols.variables.get(node.id)
        if slot is not None:
            return slot_part(slot)
        value = self.symbols.constants.get(node.id)
        if value is not None:
            return const_part(value)
        raise self.unknown_name(node)

    def unknown_name(self, node: Name) -> ExpressionError:
        s = self.symbols
        if node.id in FUNCTIONS:
            return ExpressionError(
                f"`{node.id}` is a function", column=node.col, found=node.id,
                hint=f"call it with values in parentheses: `{FUNCTIONS[node.id][2]}`",
            )  # fmt: skip
        known = [*s.variables, *s.constants]
        lower = {k.lower(): k for k in known}
        close = [lower[node.id.lower()]] if node.id.lower() in lower else []
        close = close or difflib.get_close_matches(node.id, [*known, *FUNCTIONS], n=3)
        kinds = sorted({s.kinds[k] for k in known if k in s.kinds})
        if not kinds:
            kinds = ["variable"] * bool(s.variables) + ["constant"] * bool(s.constants)
        expected = (", ".join(f"a {k}" for k in kinds) or "a known name") + " or a number"
        return ExpressionError(
            f"unknown name `{node.id}`",
            column=node.col,
            expected=expected,
            found=node.id,
            hint=_did_you_mean(close),
        )

    def compare(self, node: Compare) -> Part:
        checked = [self.check(o) for o in node.operands]
        pairs = []
        for k, op in enumerate(node.ops):
            (ta, pa), (tb, pb) = checked[k], checked[k + 1]
            a, b = node.operands[k], node.operands[k + 1]
            if op in ("==", "!="):
                if ta != tb:
                    raise ExpressionError(
                        f"`{op}` compares a condition with a number",
                        column=b.col if ta == "number" else a.col,
                        found=f"`{self.snippet(a)}` {op} `{self.snippet(b)}`",
                        hint="compare numbers with numbers, or conditions with conditions",
                    )
            else:
                self.need(a, ta, "number", f"`{op}`")
                self.need(b, tb, "number", f"`{op}`")
            pairs.append(compare(op, pa, pb))
        return pairs[0] if len(pairs) == 1 else logical("and", pairs)

    def call(self, node: Call) -> tuple[ValueType, Part]:
        if node.func in ("fired", "count"):
            ref = node.args[0]
            assert isinstance(ref, Ref)  # guaranteed by the parser
            slot = self.symbols.counters.get(ref.key)
            if slot is None:
                close = difflib.get_close_matches(ref.key, list(self.symbols.counters), n=3)
                raise ExpressionError(
                    f"unknown option `{ref.key}`", column=ref.col,
                    expected="an option written `actor.option`", found=ref.key,
                    hint=_did_you_mean(close),
                )  # fmt: skip
            if node.func == "fired":
                return "bool", fired_part(slot)
            return "number", slot_part(slot)
        parts = []
        for arg in node.args:
            t, p = self.check(arg)
            self.need(arg, t, "number", f"{node.func}()")
            parts.append(p)
        return "number", call(node.func, parts)


def _did_you_mean(close: Sequence[str]) -> str | None:
    if not close:
        return None
    names = [f"`{c}`" for c in close]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"did you mean {listed}?"


def check(tree: ExprNode, text: str, symbols: Symbols) -> tuple[ValueType, Part]:
    """Resolve names, check types and build the closures for a parsed expression;
    ``text`` is the normalised source the tree's columns refer to."""
    return _Checker(text, symbols).check(tree)
