"""The ``geosim`` command line (typer + Rich): one module per command.

``main`` is the console entry point; the modules are internal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator._lazy import lazy_exports

__all__ = ["main"]

__getattr__, __dir__ = lazy_exports(__name__, {"main": "simulator.cli.entry"})

if TYPE_CHECKING:
    from simulator.cli.entry import main
