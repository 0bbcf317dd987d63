"""Engines: simulate a chunk of runs of a compiled model (SimPy or vectorised NumPy),
chosen by name; both implement ``docs/engine-semantics.md``.

The names in ``__all__`` are the supported surface; the modules are internal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator._lazy import lazy_exports

__all__ = ["DEFAULT_ENGINE", "ChunkResult", "Engine", "engine_names", "get_engine"]

__getattr__, __dir__ = lazy_exports(__name__, {
    "ChunkResult": "simulator.engine.batch",
    "DEFAULT_ENGINE": "simulator.engine.registry",
    "Engine": "simulator.engine.registry",
    "engine_names": "simulator.engine.registry",
    "get_engine": "simulator.engine.registry",
})

if TYPE_CHECKING:
    from simulator.engine.batch import ChunkResult
    from simulator.engine.registry import DEFAULT_ENGINE, Engine, engine_names, get_engine
