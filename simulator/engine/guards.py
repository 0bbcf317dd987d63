"""Run-time errors both engines share: a chance outside [0, 1], and runaway runs.

A trigger's `chance` may be an expression; the compiler proves some stay in [0, 1]
and warns about others (:mod:`simulator.scenario.checks`). One that leaves [0, 1] in a
run stops the simulation with an error naming the option and the scenario key: it is
never clamped, since a chance of 1.4 is a modelling mistake, not a certainty. Values
within :data:`ROUNDING` of the range (floating-point rounding of `a + b` with a + b = 1)
are read as 0 or 1.

A run that passes the event cap is diagnosed from its last events: if they all happen
at the same instant, the clock has stopped in a chain of zero-delay triggers, which is
named as a cycle of options (the static loop check's words); otherwise an option fires
implausibly often, which is usually a rate in the wrong unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulator.errors import RunError
from simulator.model.model import Model, Trigger

ROUNDING = 1e-9
RECENT = 1_000  # the most recent firings a runaway run is diagnosed from
SAME_INSTANT = 100  # this many firings at one instant: the clock has stopped
LOOP_FIX = ("give a trigger on the loop a delay (`after: 1 day`) or a chance below 1, "
            "give an option on it a `when` that turns false inside the loop, or make one "
            "of them `once: true`")


def checked_chance(value: float, trigger: Trigger, option_key: str, now: float,
                   run_index: int) -> float:
    """``value`` as a probability, or a :class:`RunError` when it is outside [0, 1]."""
    if -ROUNDING <= value <= 1.0 + ROUNDING:
        return min(max(value, 0.0), 1.0)
    where = f" (`{trigger.chance_path}`)" if trigger.chance_path else ""
    finite = math.isfinite(value)
    raise RunError(
        f"the chance `{trigger.chance.text}` of a trigger of `{option_key}`{where} is "
        f"{value:g} at day {now:g} of run {run_index}; a chance must be between 0 and 1, "
        "and geosim does not clamp it. "
        + ("Bound it explicitly with `clip(..., 0, 1)` or fix the arithmetic (a "
           "probability written as a percentage number, or a sum of chances)" if finite
           else "Check its expression for a division by zero or an overflow"))


def _zero_delay_edges(model: Model, among: set[int]) -> dict[int, list[int]]:
    """Trigger edges i → j among ``among`` that can be due at once (no delay, or a delay
    expression that may be 0)."""
    edges: dict[int, list[int]] = {}
    for i in sorted(among):
        for e in model.options[i].effects:
            if isinstance(e, Trigger) and e.target in among and (
                    e.zero_delay or (e.delay_expr is not None and e.delay_expr.constant is None)):
                edges.setdefault(i, []).append(e.target)
    return edges


def trigger_cycle(model: Model, fired: Sequence[int]) -> list[int]:
    """A cycle of zero-delay triggers among the options in ``fired`` (empty: none).

    Searched from each option in the order of their keys (as the static loop check
    does), so the same loop is named the same way before and during a run.
    """
    among = set(fired)
    edges = _zero_delay_edges(model, among)
    for start in sorted(among, key=lambda i: model.options[i].key):
        stack: list[tuple[int, list[int]]] = [(start, [start])]
        seen = {start}
        while stack:
            node, trail = stack.pop()
            for target in edges.get(node, []):
                if target == start:
                    return trail
                if target not in seen:
                    seen.add(target)
                    stack.append((target, [*trail, target]))
    return []


def runaway_error(model: Model, run_index: int, cap: int, options: Sequence[int],
                  times: Sequence[float], now: float) -> RunError:
    """The error of a run that passed ``cap`` events; ``options`` and ``times`` are its
    most recent firings (up to :data:`RECENT`, in order), the last one at ``now``."""
    keys = [o.key for o in model.options]
    last = keys[options[-1]] if options else "?"
    same = 0
    for t in reversed(times):
        if t != now:
            break
        same += 1
    if same >= min(SAME_INSTANT, len(times)) and same >= 2:
        cycle = trigger_cycle(model, options[len(options) - same:])
        if cycle:
            chain = " → ".join(f"`{keys[i]}`" for i in [*cycle, cycle[0]])
            return RunError(
                f"run {run_index} passed {cap:,} events, and the clock stopped at day "
                f"{now:g}: these options trigger each other with no delay, over and over: "
                f"{chain}. To end the loop, {LOOP_FIX}")
        return RunError(
            f"run {run_index} passed {cap:,} events, and the clock stopped at day {now:g}: "
            f"the last {same:,} events all happened at that instant (the last: `{last}`)")
    return RunError(
        f"run {run_index} passed {cap:,} events by day {now:g} (the last: `{last}`); a "
        "rate is probably in the wrong unit (expression rates are per day)")
