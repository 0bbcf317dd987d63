"""Running scenarios: :func:`run` (executors, chunk store, resume) and parameter sweeps.

The names in ``__all__`` are the supported surface; the modules are internal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator._lazy import lazy_exports

__all__ = ["DaskExecutor", "Executor", "SweepSpec", "load_sweep_spec", "run", "run_sweep"]

__getattr__, __dir__ = lazy_exports(__name__, {
    "DaskExecutor": "simulator.runner.dask_executor",
    "Executor": "simulator.runner.executors",
    "SweepSpec": "simulator.runner.sweep_spec",
    "load_sweep_spec": "simulator.runner.sweep_spec",
    "run": "simulator.runner.runner",
    "run_sweep": "simulator.runner.sweep",
})

if TYPE_CHECKING:
    from simulator.runner.dask_executor import DaskExecutor
    from simulator.runner.executors import Executor
    from simulator.runner.runner import run
    from simulator.runner.sweep import run_sweep
    from simulator.runner.sweep_spec import SweepSpec, load_sweep_spec
