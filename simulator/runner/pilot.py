"""A short pilot before a long run: does any option fire implausibly often?

A rate written without its period (`0.5` where `0.5 per month` was meant, or a duration
parameter such as `1 to 4 months` used as a rate) is read as a hazard *per day*: the
option then fires hundreds or thousands of times per run, and a run of a few thousand
simulations takes minutes instead of seconds. A few runs in this process find it in
well under a second for ordinary scenarios; :func:`pilot_warnings` names each such
option and the likely slip, before the real run starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.scenario.schema import Scenario

PILOT_RUNS = 10
BUSY_PER_RUN = 100
"""Firings per run above which an option is reported (as ``geosim bench`` flags it)."""


@dataclass(frozen=True)
class BusyOption:
    """An option that fired implausibly often in the pilot, and what probably causes it."""

    key: str
    per_run: float
    message: str
    hint: str


def pilot_warnings(scenario: Scenario, *, variant: str = "baseline", runs: int = PILOT_RUNS,
                   seed: int = 0) -> list[BusyOption]:
    """Simulate ``runs`` runs of one variant here and report the options that fire more
    than :data:`BUSY_PER_RUN` times per run (hazards and triggered options; decisions
    fire at most once per decision, so their count is set by the cadence)."""
    from simulator.engine.profile import profile_model
    from simulator.model.compile import compile_model

    model = compile_model(scenario, variant)
    profile = profile_model(model, runs=runs, seed=seed, top=len(model.options))
    found = []
    for load in profile.busiest:
        if load.per_run <= BUSY_PER_RUN or load.mode not in ("hazard", "triggered"):
            continue
        option = scenario.option(load.key)
        message = (f"option `{load.key}` fired {load.per_run:,.0f} times per run in a "
                   f"{runs}-run pilot ({profile.events_per_run:,.0f} events per run in all)")
        if load.mode == "hazard" and option is not None and option.rate is not None:
            hint = (f"its rate `{option.rate}` is read as a hazard per day; if a number or "
                    "parameter in it is per month or per year, say so with `per` "
                    "(`2 per month`, `1% to 4% per month`); a duration (`1 to 4 months`) "
                    "is not a rate")
        else:
            hint = ("it is triggered that often: look for options that trigger each other "
                    "with short delays (`after`) and high chances")
        found.append(BusyOption(load.key, load.per_run, message, hint))
    return found
