"""The front door: read a scenario file and check it through every stage.

Reading a scenario runs the scenario layer's checks (safe YAML, structure, static kinds
and loops, evidence) *and* the model layer's compiler, which finds what only meaning
shows (unknown names, a weight on an actor that does not decide, …). It therefore sits
above both layers; the scenario layer takes the compiler's checks as an argument.
"""

from __future__ import annotations

import os

from simulator.errors import ScenarioError
from simulator.model.compile import check_scenario
from simulator.scenario.load import ScenarioFile, check_scenario_file
from simulator.scenario.schema import Scenario

__all__ = ["ScenarioFile", "load_scenario", "read_scenario"]


def read_scenario(path: str | os.PathLike[str]) -> ScenarioFile:
    """Load and check one scenario file; never raises for bad input (see ``diagnostics``)."""
    return check_scenario_file(path, check_meaning=check_scenario)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load a scenario file; raise :class:`ScenarioError` with every problem found."""
    result = read_scenario(path)
    if not result.ok or result.scenario is None:
        raise ScenarioError(result.diagnostics)
    return result.scenario
