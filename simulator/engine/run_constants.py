"""Per-run constants: sub-expressions that no event can change, evaluated once per run.

A slot that no effect writes (a parameter, a state variable no option changes) keeps
its value for the whole run, and so does any sub-expression reading only such slots
(``precedent_boost * venezuela_precedent``, the ``strike_lead_time * (2 - …)`` of a
time gate). The SimPy engine evaluates each of them once at the start of a run into an
extra slot appended to the run's vector ``v`` and uses closures rebuilt to read that
slot, so an expression evaluated at every event does only the work that can change.

The rebuilt closures compute every operation exactly as before, on the same values,
so results are identical bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from simulator.model.model import Assign, Model
from simulator.scenario._expr_compile import IR, build_part
from simulator.scenario.expressions import CompiledExpression

ScalarFn = Callable[[Sequence[float]], Any]


def written_slots(model: Model) -> set[int]:
    """Slots that change during a run: ``t``, the option counters and effects' targets."""
    written = {0}
    for option in model.options:
        written.add(option.counter_slot)
        written.update(e.slot for e in option.effects if isinstance(e, Assign))
    return written


def _reads(ir: IR) -> frozenset[int]:
    kind = ir[0]
    if kind == "const":
        return frozenset()
    if kind in ("slot", "fired"):
        return frozenset({ir[1]})
    if kind == "unary":
        return _reads(ir[2])
    if kind in ("binary", "compare"):
        return _reads(ir[2]) | _reads(ir[3])
    if kind in ("logical", "call"):
        return frozenset().union(*(_reads(x) for x in ir[2]))
    if kind == "cond":
        return _reads(ir[1]) | _reads(ir[2]) | _reads(ir[3])
    raise ValueError(f"unknown intermediate form {kind!r}")


class RunConstants:
    """The per-run constant sub-expressions of one model, and the closures that read them."""

    def __init__(self, model: Model) -> None:
        self.first_slot = model.n_slots
        self.fixed = frozenset(range(model.n_slots)) - written_slots(model)
        self.fns: list[ScalarFn] = []  # one per extra slot, in slot order
        self._slot_of: dict[IR, int] = {}

    def fn(self, expr: CompiledExpression) -> ScalarFn:
        """``expr``'s scalar closure, reading the per-run constants from their slots."""
        if expr.constant is not None:
            return expr.fn
        ir = self._hoist(expr.ir)
        return expr.fn if ir == expr.ir else build_part(ir).scalar

    def extend(self, v: list[float]) -> None:
        """Append this run's constants to its vector ``v`` (its original slots filled)."""
        if self.fns:
            v.extend([f(v) for f in self.fns])

    def _hoist(self, ir: IR) -> IR:
        kind = ir[0]
        if kind in ("const", "slot", "fired"):
            return ir
        if _reads(ir) <= self.fixed:
            slot = self._slot_of.get(ir)
            if slot is None:
                slot = self._slot_of[ir] = self.first_slot + len(self.fns)
                self.fns.append(build_part(ir).scalar)
            return ("slot", slot)
        if kind == "unary":
            return (kind, ir[1], self._hoist(ir[2]))
        if kind in ("binary", "compare"):
            return (kind, ir[1], self._hoist(ir[2]), self._hoist(ir[3]))
        if kind in ("logical", "call"):
            return (kind, ir[1], tuple(self._hoist(x) for x in ir[2]))
        if kind == "cond":
            return (kind, self._hoist(ir[1]), self._hoist(ir[2]), self._hoist(ir[3]))
        raise ValueError(f"unknown intermediate form {kind!r}")


class TickConstants:
    """Sub-expressions of what is re-evaluated at every clock tick that do not read ``t``.

    A rate such as ``arrest_rate * (0.5 + us_pressure) * (1 + k * exp(-t / m))`` is
    evaluated at every tick, but only its last factor changes between firings. Each
    largest part that does not read ``t`` (here ``arrest_rate * (0.5 + us_pressure)``)
    is kept in an extra slot after the per-run constants and refreshed after a firing
    that writes a slot it reads; at a tick only what reads ``t`` is computed. The slots
    hold exactly what the parts would evaluate to, so results are identical.
    """

    def __init__(self, model: Model, constants: RunConstants) -> None:
        self.constants = constants
        self.first_slot = model.n_slots + len(constants.fns)  # after the run constants
        self.fns: list[ScalarFn] = []
        self.reads: list[frozenset[int]] = []
        self._slot_of: dict[IR, int] = {}
        self.written_by = [_writes(o) for o in model.options]

    def fn(self, expr: CompiledExpression) -> ScalarFn:
        """``expr``'s closure with its parts that do not read ``t`` kept in slots."""
        if expr.constant is not None:
            return expr.fn
        base = self.constants._hoist(expr.ir)
        if self.first_slot != self.constants.first_slot + len(self.constants.fns):
            raise AssertionError("run constants must all be known before the tick slots")
        if 0 not in _reads(base):
            return self.constants.fn(expr)
        ir = self._split(base)
        return build_part(ir).scalar

    def refresh_after(self, option: int) -> tuple[tuple[int, ScalarFn], ...]:
        """The slots to re-evaluate after ``option`` fires, with their closures, in order."""
        written = self.written_by[option]
        return tuple((self.first_slot + k, fn) for k, (fn, reads)
                     in enumerate(zip(self.fns, self.reads, strict=True)) if reads & written)

    def extend(self, v: list[float]) -> None:
        """Append this run's initial values (``v`` holds the slots and the run constants)."""
        if self.fns:
            v.extend([f(v) for f in self.fns])

    def _split(self, ir: IR) -> IR:
        kind = ir[0]
        if kind in ("const", "slot", "fired"):
            return ir
        if 0 not in _reads(ir):
            slot = self._slot_of.get(ir)
            if slot is None:
                slot = self._slot_of[ir] = self.first_slot + len(self.fns)
                self.fns.append(build_part(ir).scalar)
                self.reads.append(_reads(ir))
            return ("slot", slot)
        if kind == "unary":
            return (kind, ir[1], self._split(ir[2]))
        if kind in ("binary", "compare"):
            return (kind, ir[1], self._split(ir[2]), self._split(ir[3]))
        if kind in ("logical", "call"):
            return (kind, ir[1], tuple(self._split(x) for x in ir[2]))
        if kind == "cond":
            return (kind, self._split(ir[1]), self._split(ir[2]), self._split(ir[3]))
        raise ValueError(f"unknown intermediate form {kind!r}")


def _writes(option: Any) -> frozenset[int]:
    """The slots a firing of ``option`` writes: its counter and its effects' targets."""
    return frozenset({option.counter_slot} | {e.slot for e in option.effects
                                              if isinstance(e, Assign)})
