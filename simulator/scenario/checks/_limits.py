"""Size limits of a scenario, checked before any simulation work.

A run's memory and time grow with the horizon and with the number of periodic
decisions (horizon ÷ cadence); a typo such as ``1000000000 years`` must be a located
error at validation, not an allocation of tens of GiB after it. The limits are far above
any real crisis scenario:

* :data:`MAX_HORIZON_DAYS` — a horizon of at most 1,000 years;
* :data:`MAX_DECISIONS` — at most 100,000 periodic decisions per actor per run.
"""

from __future__ import annotations

from simulator.errors import Diagnostic, GeosimError
from simulator.scenario.horizon import read_horizon
from simulator.scenario.quantities import parse_duration
from simulator.scenario.schema import Scenario

DAYS_PER_YEAR = 365.25
MAX_HORIZON_DAYS = 1000 * DAYS_PER_YEAR
MAX_DECISIONS = 100_000


def _days(text: str) -> float | None:
    """The median of a duration in days, or None when it does not parse (reported
    elsewhere, by the compiler)."""
    try:
        quantity = parse_duration(text)
    except GeosimError:
        return None
    return float(quantity.distribution.median)


def limit_diagnostics(scenario: Scenario, file: str = "<scenario>") -> list[Diagnostic]:
    """Diagnostics (unplaced: key paths only) for a scenario beyond the size limits."""
    out: list[Diagnostic] = []
    horizon = _days(read_horizon(str(scenario.horizon)).duration)  # `until absorbed`: its cap
    if horizon is None or horizon <= 0:
        return out
    if horizon > MAX_HORIZON_DAYS:
        out.append(Diagnostic(
            f"the horizon is {horizon / DAYS_PER_YEAR:,.0f} years; the limit is "
            f"{MAX_HORIZON_DAYS / DAYS_PER_YEAR:,.0f} years", file=file, path=("horizon",),
            expected=f"at most {MAX_HORIZON_DAYS / DAYS_PER_YEAR:,.0f} years",
            found=str(scenario.horizon), hint="check the number and the unit"))
        return out
    for name, actor in scenario.actors.items():
        if actor.decides is None:
            continue
        every = _days(str(actor.decides.every))
        if every is None or every <= 0:
            continue
        decisions = horizon / every
        if decisions > MAX_DECISIONS:
            out.append(Diagnostic(
                f"`{name}` would decide {decisions:,.0f} times per run; the limit is "
                f"{MAX_DECISIONS:,}", file=file, path=("actors", name, "decides", "every"),
                expected=f"a cadence of at least {horizon / MAX_DECISIONS:.3g} days",
                found=str(actor.decides.every),
                hint="decide less often, or shorten the horizon"))
    return out
