"""The engine-neutral model: a scenario variant compiled to slots, random rows and
compiled expressions, with the semantic checks that need it.

The names in ``__all__`` are the supported surface; the modules are internal.
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
