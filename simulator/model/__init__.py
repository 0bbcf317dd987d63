"""The engine-neutral model: a scenario variant compiled to slots, random rows and
compiled expressions, with the semantic checks that need it.

The names in ``__all__`` are the supported surface; the modules are internal:
:mod:`.model` (the engine-neutral dataclasses), :mod:`.absorbing` (what `until absorbed`
forbids), and the compiler, :mod:`.compile`, split by concern into :mod:`._rows` (the
random rows and their sizes), :mod:`._context` (shared state, located diagnostics),
:mod:`._inputs` (horizon, time step, parameters, correlations, state, ladder),
:mod:`._effects` (set/add, ladder moves, triggers), :mod:`._options` (actors and options)
and :mod:`._outcomes` (outcomes, indicators, cross checks, usage warnings).

Imports flow one way, in the order just listed: a module imports only modules named
before it (``tests/test_module_order.py`` checks it). Outside this package the model
reads only the scenario layer and :mod:`simulator.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator._lazy import lazy_exports

__all__ = ["BASELINE", "Model", "check_scenario", "compile_model"]

__getattr__, __dir__ = lazy_exports(__name__, {
    "BASELINE": "simulator.model.compile",
    "Model": "simulator.model.model",
    "check_scenario": "simulator.model.compile",
    "compile_model": "simulator.model.compile",
})

if TYPE_CHECKING:
    from simulator.model.compile import BASELINE, check_scenario, compile_model
    from simulator.model.model import Model
