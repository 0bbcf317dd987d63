"""The engine seam: an :class:`Engine` turns a chunk of runs of a compiled model into the
columnar chunk result, and engines are chosen by name.

Every engine implements the semantics contract in ``docs/engine-semantics.md``; which one
to use when is in ``docs/engines.md``. An engine module is imported only when used.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from simulator.engine.batch import ChunkResult
    from simulator.model.model import Model

DEFAULT_ENGINE = "simpy"


class Engine(Protocol):
    """Simulates runs ``[start, stop)`` of one model; a pure function of its arguments."""

    def __call__(self, model: Model, root_seed: int, start: int, stop: int,
                 trace_every: int = 500) -> ChunkResult: ...


# name -> (module, function, one-line description)
ENGINES: dict[str, tuple[str, str, str]] = {
    "simpy": ("simulator.engine.batch", "simulate_chunk",
              "SimPy discrete events, one run at a time: the reference"),
    "numpy": ("simulator.engine.vector_engine", "simulate_chunk_vectorised",
              "vectorised NumPy, all runs of a chunk together"),
    "compiled": ("simulator.engine.compiled_engine", "simulate_chunk_compiled",
                 "the SimPy engine's event loop compiled with numba: for many runs"),
}


def engine_names() -> list[str]:
    return list(ENGINES)


def get_engine(name: str) -> Engine:
    """The engine called ``name``; a ``ValueError`` names the known ones otherwise."""
    try:
        module, function, _ = ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; expected one of "
                         + ", ".join(ENGINES)) from None
    engine: Callable[..., ChunkResult] = getattr(import_module(module), function)
    return engine
