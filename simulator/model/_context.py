"""What every part of the compiler shares: the scenario and variant being compiled, the
diagnostics collected so far, the names and slots defined so far, and the helpers that
turn a quantity or expression error into a located diagnostic instead of raising.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from simulator.errors import Diagnostic, KeyPath, TextError
from simulator.model._rows import row_names
from simulator.model.model import (
    ParameterSpec,
)
from simulator.scenario.expressions import (
    CompiledExpression,
    ExpressionError,
    Symbols,
    compile_expression,
)
from simulator.scenario.quantities import (
    Quantity,
    QuantityError,
)
from simulator.scenario.schema import (
    Scenario,
)

BASELINE = "baseline"
INF = float("inf")


def _suggest(name: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None



class CompilerBase:
    """The shared state of one compilation; the parts of the compiler extend it."""

    horizon: float
    """Days; for `until absorbed`, the cap."""
    absorbing: bool
    time_step: float
    """Days between clock ticks."""
    hidden: list[ParameterSpec]
    """Inline random rates, drawn once per run like parameters."""
    slot_names: list[str]
    variables: dict[str, int]
    symbols: Symbols
    param_symbols: Symbols
    """The names an initial value may use: parameters and rungs only."""
    ladder_initial: int

    def __init__(self, scenario: Scenario, variant: str) -> None:
        self.scenario = scenario
        self.variant_name = variant
        self.diags: list[Diagnostic] = []
        self.rows = {name: i for i, name in enumerate(row_names(scenario))}
        self.variant = scenario.variants.get(variant) if variant != BASELINE else None

    # ------------------------------------------------------------------ diagnostics

    def error(self, path: KeyPath, message: str, *, column: int = 1, **kw: Any) -> None:
        self.diags.append(Diagnostic(message, path=path, column=column, **kw))

    def warn(self, path: KeyPath, message: str, **kw: Any) -> None:
        self.diags.append(Diagnostic(message, path=path, severity="warning", **kw))

    def _from(self, path: KeyPath, exc: TextError) -> None:
        self.error(path, exc.message, column=exc.column, expected=exc.expected,
                   found=exc.found, hint=exc.hint)

    def quantity(
        self, path: KeyPath, text: str, parse: Callable[[str], Quantity]
    ) -> Quantity | None:
        try:
            return parse(text)
        except QuantityError as exc:
            self._from(path, exc)
            return None

    def expression(
        self, path: KeyPath, text: str, symbols: Symbols, want: str
    ) -> CompiledExpression | None:
        try:
            return compile_expression(text, symbols, want=want)  # type: ignore[arg-type]
        except ExpressionError as exc:
            self._from(path, exc)
            return None

