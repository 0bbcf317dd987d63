"""geosim — a geopolitical risk scenario simulator.

Write a crisis as a YAML scenario, validate it, run it as a SimPy discrete-event Monte
Carlo simulation and read the results::

    import simulator
    results = simulator.run("scenarios/us_mexico_cartels.yaml", variants="all", runs=5000)
    results.to_pandas()

The names below are loaded on first use, so ``import simulator`` (and the ``geosim``
command's start-up) does not pay for NumPy, SciPy, SimPy or Arrow until they are needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator._lazy import lazy_exports

# public name -> module that defines it
_EXPORTS = {
    "__version__": "simulator._version",
    "Diagnostic": "simulator.errors",
    "GeosimError": "simulator.errors",
    "ResultsError": "simulator.errors",
    "RunError": "simulator.errors",
    "ScenarioError": "simulator.errors",
    "TextError": "simulator.errors",
    "UsageError": "simulator.errors",
    "compile_model": "simulator.model.compile",
    "Results": "simulator.results.results",
    "run": "simulator.runner.runner",
    "load_scenario": "simulator.loading",
    "read_scenario": "simulator.loading",
    "Scenario": "simulator.scenario.schema",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "Diagnostic",
    "GeosimError",
    "Results",
    "ResultsError",
    "RunError",
    "Scenario",
    "ScenarioError",
    "TextError",
    "UsageError",
    "__version__",
    "compile_model",
    "load_scenario",
    "read_scenario",
    "run",
]

if TYPE_CHECKING:
    from simulator._version import __version__
    from simulator.errors import (
        Diagnostic,
        GeosimError,
        ResultsError,
        RunError,
        ScenarioError,
        TextError,
        UsageError,
    )
    from simulator.loading import load_scenario, read_scenario
    from simulator.model.compile import compile_model
    from simulator.results.results import Results
    from simulator.runner.runner import run
    from simulator.scenario.schema import Scenario
