"""How heavy is a scenario? Runs per second, events per run, and which options fire most.

An option that fires hundreds of times per run is usually a unit slip (an expression
rate is a hazard per *day*); this is the first thing to look at when a scenario is slow.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from simulator.engine.registry import DEFAULT_ENGINE, get_engine
from simulator.model.model import Model


@dataclass(frozen=True)
class OptionLoad:
    """Mean firings per run of one option (and the share of runs in which it fires)."""

    key: str
    label: str
    mode: str
    per_run: float
    share_of_runs: float


@dataclass(frozen=True)
class Profile:
    """One core, one process: what a scenario costs to simulate."""

    runs: int
    engine: str
    seconds: float
    cpu_seconds: float
    events_per_run: float
    busiest: tuple[OptionLoad, ...]

    @property
    def runs_per_second(self) -> float:
        return self.runs / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")


def profile_model(model: Model, *, runs: int = 1000, seed: int = 0, top: int = 10,
                  engine: str = DEFAULT_ENGINE) -> Profile:
    """Simulate ``runs`` runs in this process on ``engine`` and time them (CPU time, so
    other load on the machine matters less)."""
    simulate = get_engine(engine)
    wall, cpu = time.perf_counter(), time.process_time()
    chunk = simulate(model, seed, 0, runs, trace_every=0)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    counts = chunk.columns["counts"]
    per_run = counts.mean(axis=0) if runs else np.zeros(len(model.options))
    fired = (counts > 0).mean(axis=0) if runs else np.zeros(len(model.options))
    order = np.argsort(-per_run, kind="stable")[:top]
    busiest = tuple(OptionLoad(model.options[i].key, model.options[i].label,
                               model.options[i].mode, float(per_run[i]), float(fired[i]))
                    for i in order if per_run[i] > 0)
    return Profile(runs=runs, engine=engine, seconds=wall, cpu_seconds=cpu,
                   events_per_run=float(chunk.columns["n_events"].mean()) if runs else 0.0,
                   busiest=busiest)
