"""geosim — a geopolitical risk scenario simulator.

Write a crisis as a YAML scenario, validate it, run it as a SimPy discrete-event Monte
Carlo simulation and read the results::

    import simulator
    results = simulator.run("scenarios/us_mexico_cartels.yaml", variants="all", runs=5000)
    results.to_pandas()
"""

from simulator.errors import (
    Diagnostic,
    GeosimError,
    ResultsError,
    RunError,
    ScenarioError,
    TextError,
    UsageError,
)
from simulator.model.compile import compile_model
from simulator.results.results import Results
from simulator.runner.runner import run
from simulator.scenario.load import load_scenario, read_scenario
from simulator.scenario.schema import Scenario

__version__ = "0.1.0"

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
