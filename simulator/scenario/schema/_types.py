"""The scenario schema's building blocks: constrained scalars and the base model.

Text fields carry quantities and expressions as text (their meaning is checked later);
``YamlBool`` accepts only true/false, since YAML 1.1's `yes`, `no`, `on`, `off` are traps.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

# --------------------------------------------------------------------------- scalars


def _yaml_bool(value: Any) -> Any:
    """Accept only true/false: YAML 1.1's `yes`, `no`, `on`, `off` are classic traps."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"expected true or false, found {value!r}")


def _as_text(value: Any) -> Any:
    """Quantities and expressions are text; numbers written in YAML become their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return value


YamlBool = Annotated[bool, BeforeValidator(_yaml_bool)]
Name = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$", max_length=64),
]
ScenarioId = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)
]
EvidenceId = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)
]
OptionRef = Annotated[
    str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$", max_length=130)
]
Text = Annotated[str, StringConstraints(max_length=20_000)]
#: A readable name shown in charts, legends, tables and the variant selector: short enough
#: to fit one line of a phone screen twice over.
LABEL_MAX = 120
Label = Annotated[str, StringConstraints(max_length=LABEL_MAX)]
QuantityText = Annotated[
    str, BeforeValidator(_as_text), StringConstraints(min_length=1, max_length=500)
]
ExprText = Annotated[
    str, BeforeValidator(_as_text), StringConstraints(min_length=1, max_length=1000)
]
Number = Annotated[float, Field(allow_inf_nan=False)]
QuantityKindName = Literal["probability", "rate", "duration", "positive", "real"]
ProvenanceKey = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$", max_length=130),
]
ProvenanceSpec = Annotated[
    tuple[EvidenceId, ...] | Text,
    Field(description=(
        "Where a number comes from: a list of claim ids (`[guerrero-backlash]`), or a "
        "sentence saying why it is an assumption (`\"judgement: half the strike's effect\"`)."
    )),
]
Provenance = Annotated[
    ProvenanceSpec | dict[ProvenanceKey, ProvenanceSpec],
    Field(description=(
        "Provenance of the numbers here: one entry for all of them, or a mapping from a "
        "field (`rate`, `weight`, `when`, `at`, `every`, `idle_weight`), `effects`, "
        "`triggers`, a variable, parameter or option name, or `all` to its provenance."
    )),
]
ConfidenceLevel = Literal["low", "moderate", "high"]


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, str_strip_whitespace=True
    )


def _shorthand(value: Any, field_name: str) -> Any:
    """Let a bare value stand for ``{field_name: value}`` (``strike_rate: 3% per month``)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return {field_name: value}
    return value
