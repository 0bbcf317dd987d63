"""An idiomatic hand-written SimPy model of ``tests/data/mini.yaml``: the yardstick for
the SimPy engine's speed.

Same options, rates, decisions, trigger and outcomes as the scenario; parameters are
drawn from the same distributions (taken from the compiled scenario). Hazards whose
rate changes are written the usual SimPy way: a process waits an exponential time at
the current rate and is interrupted (and redraws, by memorylessness) when the state
changes. ``tests/engine/test_yardstick.py`` shows it is statistically equivalent to
geosim's engines.

    .venv/bin/python benchmarks/handwritten_mini.py [RUNS]
"""

from __future__ import annotations

import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import simpy

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini.yaml"

HORIZON = 365.25
MONTH = 365.25 / 12
CALM, PRESSURE, COVERT, STRIKE = 0, 1, 2, 3


class MiniRun:
    """One run: state, processes and what it records."""

    def __init__(self, rng: random.Random, strike_rate: float, backlash: float,
                 backlash_delay: Any) -> None:
        self.env = simpy.Environment()
        self.rng = rng
        self.strike_rate, self.backlash = strike_rate, backlash
        self.backlash_delay = backlash_delay  # days, from a uniform number
        self.cooperation, self.escalation = 0.7, PRESSURE
        self.us_strike = self.collapse = self.surveil_seen = math.nan
        self.struck = False
        self.done = self.env.event()
        self.strike_proc = self.env.process(self.strike())
        self.env.process(self.decide())
        self.env.process(self.calm_down())

    def run(self) -> tuple[float, float, float]:
        self.env.run(until=self.env.any_of([self.done, self.env.timeout(HORIZON)]))
        return self.us_strike, self.collapse, self.surveil_seen

    def changed(self) -> None:
        """The state changed: check the outcomes, and let the strike hazard redraw."""
        now = self.env.now
        if self.escalation >= STRIKE and self.us_strike != self.us_strike:
            self.us_strike = now
        if self.cooperation < 0.3 and not self.done.triggered:
            self.collapse = now
            self.done.succeed()
        if not self.struck and self.strike_proc.is_alive and \
                self.strike_proc is not self.env.active_process:
            self.strike_proc.interrupt()

    def decide(self) -> Any:
        while self.env.now + MONTH < HORIZON:  # a run covers [0, horizon)
            yield self.env.timeout(MONTH)
            if self.rng.random() * 3.0 < 1.0:  # surveil (weight 1) against idle (weight 2)
                self.escalation = min(STRIKE, self.escalation + 1)
                self.cooperation = max(0.0, self.cooperation - 0.05)
                if self.surveil_seen != self.surveil_seen:
                    self.surveil_seen = self.env.now
                self.changed()

    def strike(self) -> Any:
        while not self.struck:
            try:
                if self.escalation >= COVERT:
                    rate = self.strike_rate * (2.0 - self.cooperation)
                    yield self.env.timeout(self.rng.expovariate(rate))
                    self.struck = True
                    self.escalation = STRIKE
                    if self.rng.random() < self.backlash:
                        self.env.process(self.backlash_after(
                            self.backlash_delay(self.rng.random())))
                    self.changed()
                else:
                    yield self.env.event()  # until interrupted by a change
            except simpy.Interrupt:
                pass

    def backlash_after(self, delay: float) -> Any:
        yield self.env.timeout(delay)
        self.cooperation = max(0.0, self.cooperation - 0.3)
        self.changed()

    def calm_down(self) -> Any:
        while True:
            yield self.env.timeout(self.rng.expovariate(2.0 / 365.25))
            self.escalation = max(CALM, self.escalation - 1)
            self.changed()


def distributions() -> tuple[Any, Any, Any]:
    """The parameter and delay distributions of mini.yaml (inverse CDFs), from geosim."""
    sys.path.insert(0, str(ROOT))
    import simulator
    from simulator.model.model import Trigger

    model = simulator.compile_model(simulator.load_scenario(MINI))
    params = {p.name: p.quantity.distribution for p in model.parameters}
    strike = next(o for o in model.options if o.key == "us.strike")
    trigger = next(e for e in strike.effects if isinstance(e, Trigger))
    delay = trigger.delay.distribution  # type: ignore[union-attr]

    def scalar(d: Any) -> Any:
        return lambda u: float(d.ppf(u))

    return params["strike_rate"].ppf, params["backlash"].ppf, scalar(delay)


def simulate(runs: int, seed: int = 0) -> list[tuple[float, float, float]]:
    """``runs`` runs: (us_strike time, collapse time, surveil_seen time), NaN for never."""
    strike_ppf, backlash_ppf, delay_ppf = distributions()
    rng = random.Random(seed)
    # parameters for all runs at once (an inverse CDF per run would dominate the cost)
    strike_rates = strike_ppf([rng.random() for _ in range(runs)]).tolist()
    backlashes = backlash_ppf([rng.random() for _ in range(runs)]).tolist()
    return [MiniRun(rng, strike_rates[k], backlashes[k], delay_ppf).run()
            for k in range(runs)]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    cpu = time.process_time()
    results = simulate(n)
    cpu = time.process_time() - cpu
    share = [sum(r[k] == r[k] for r in results) / n for k in range(3)]
    print(f"{n} runs in {cpu:.2f} s CPU = {n / cpu:,.0f} runs/s; P(us_strike, collapse, "
          f"surveil_seen) = {share[0]:.3f}, {share[1]:.3f}, {share[2]:.3f}")
