"""Parts: one compiled sub-expression with both its evaluators, and the frozen
intermediate form both are rebuilt from.

Every checked sub-expression becomes a :class:`Part`: a scalar closure over a Python
list ``v``, a vectorised closure over an array ``V`` of shape ``(n_slots, n_runs)``,
the set of slots it reads, and — when it reads none — its folded value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

ScalarFn = Callable[[Sequence[float]], Any]
IR = tuple[Any, ...]
"""The frozen intermediate form of a checked, folded expression: nested tuples such as
``("binary", "*", ("slot", 3), ("const", 2.0))``. Names are resolved to slots and
constants folded; the closures of both evaluators are rebuilt from it by
:func:`build_part` (how a compiled model crosses a process boundary)."""
VectorFn = Callable[[np.ndarray], Any]


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
