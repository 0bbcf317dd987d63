"""The unit of work sent to executors: one chunk of runs for some variants."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.engine.batch import ChunkResult
from simulator.engine.registry import DEFAULT_ENGINE, get_engine
from simulator.errors import RunError
from simulator.model.compile import compile_model
from simulator.model.model import Model
from simulator.scenario.schema import Scenario

_MODELS: dict[tuple[str, str], Model] = {}


@dataclass(frozen=True)
class ChunkTask:
    """Runs ``[start, stop)`` of each variant; ``scenario_key`` identifies the scenario.

    ``models`` are the compiled variants (they pickle), so workers do not recompile;
    without them a worker compiles the scenario once per variant.
    """

    scenario: Scenario
    scenario_key: str
    variants: tuple[str, ...]
    root_seed: int
    start: int
    stop: int
    trace_every: int
    engine: str = DEFAULT_ENGINE
    models: tuple[Model, ...] = ()


def model_for(scenario: Scenario, key: str, variant: str) -> Model:
    """Compile once per worker process and scenario variant (when not sent compiled)."""
    model = _MODELS.get((key, variant))
    if model is None:
        if len(_MODELS) > 64:
            _MODELS.clear()
        model = _MODELS[(key, variant)] = compile_model(scenario, variant)
    return model


def run_task(task: ChunkTask) -> list[ChunkResult]:
    """Simulate one chunk for every variant it names.

    A :class:`RunError` is re-raised naming the variant and run range that failed.
    """
    simulate = get_engine(task.engine)
    sent = {m.variant: m for m in task.models}
    out = []
    for v in task.variants:
        try:
            out.append(simulate(sent.get(v) or model_for(task.scenario, task.scenario_key, v),
                                task.root_seed, task.start, task.stop, task.trace_every))
        except RunError as exc:
            if exc.runs is not None:
                raise
            raise RunError(str(exc), variant=v, runs=(task.start, task.stop)) from exc
    return out
