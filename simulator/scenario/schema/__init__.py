"""The scenario file's structure: frozen pydantic models, one per YAML mapping.

These models check *shape* only: which keys exist, their types, identifiers and
simple ranges. Meaning (quantities, expressions, references between parts) is checked
when the scenario is compiled into a model (:mod:`simulator.model.compile`), which
reports every problem with the key path so the loader can point at file:line:column.

Every field carries a description: the published JSON Schema (``geosim schema``) is
generated from these models and gives editors completion and hover help.

Modules, by concern: :mod:`._types` (constrained scalars and the base model),
:mod:`._inputs` (key assumptions, parameters, correlations, state, ladder),
:mod:`._actors` (options, effects, decisions) and :mod:`._scenario` (outcomes,
indicators, variants, the scenario).

Imports flow one way: this subpackage uses only pydantic. It stores quantities and
expressions as text and knows nothing of the YAML front end (whose plain data it
validates) or of the quantity and expression languages (which read its text later).
"""

from simulator.scenario.schema._actors import (
    Actor,
    AddEffect,
    Decides,
    DeescalateEffect,
    Effect,
    EscalateEffect,
    Option,
    SetEffect,
    TriggerEffect,
)
from simulator.scenario.schema._inputs import (
    Correlation,
    KeyAssumption,
    Ladder,
    Parameter,
    Rung,
    StateVariable,
    Threshold,
)
from simulator.scenario.schema._scenario import (
    Indicator,
    OptionOverride,
    Outcome,
    Scenario,
    Variant,
)
from simulator.scenario.schema._types import LABEL_MAX, YamlBool

__all__ = [
    "LABEL_MAX",
    "Actor",
    "AddEffect",
    "Correlation",
    "Decides",
    "DeescalateEffect",
    "Effect",
    "EscalateEffect",
    "Indicator",
    "KeyAssumption",
    "Ladder",
    "Option",
    "OptionOverride",
    "Outcome",
    "Parameter",
    "Rung",
    "Scenario",
    "SetEffect",
    "StateVariable",
    "Threshold",
    "TriggerEffect",
    "Variant",
    "YamlBool",
]
