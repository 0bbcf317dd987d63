"""The unit of work sent to executors: one chunk of runs for some variants.

A task that carries a :class:`ChunkDir` (workers on this machine) writes its chunks
there itself and returns only :class:`ChunkWritten` receipts: the chunk's data — over
a kilobyte per run — is never pickled and sent back to the parent. Without one (a
cluster, whose workers may not see the parent's disk) the chunks are returned whole.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from simulator.engine.batch import ChunkResult
from simulator.engine.registry import DEFAULT_ENGINE, get_engine
from simulator.errors import RunError
from simulator.model.compile import compile_model
from simulator.model.model import Model
from simulator.runner.chunk_files import ChunkDir
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
    chunk_dir: ChunkDir | None = None  # where to write the chunks (else: return them)


@dataclass(frozen=True)
class ChunkWritten:
    """Receipt for a chunk a worker wrote to the chunk directory itself (complete, with
    its identity record)."""

    variant: str
    start: int
    stop: int

    @property
    def runs(self) -> int:
        return self.stop - self.start


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


def run_and_write_task(task: ChunkTask) -> list[ChunkResult | ChunkWritten]:
    """:func:`run_task`, then each chunk written to the task's ``chunk_dir`` (if it has
    one) and replaced by its receipt. One variant's chunk is held at a time."""
    if task.chunk_dir is None:
        return list(run_task(task))
    out: list[ChunkResult | ChunkWritten] = []
    sent = {m.variant: m for m in task.models}
    for v in task.variants:
        one = replace(task, variants=(v,))
        [chunk] = run_task(one)
        model = sent.get(v) or model_for(task.scenario, task.scenario_key, v)
        task.chunk_dir.write(model, chunk)
        out.append(ChunkWritten(chunk.variant, chunk.start, chunk.stop))
        del chunk
    return out
