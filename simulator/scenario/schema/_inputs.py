"""The scenario's inputs: key assumptions, parameters, correlations, state and ladder."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from simulator.scenario.schema._types import (
    EvidenceId,
    Label,
    Name,
    Number,
    QuantityKindName,
    QuantityText,
    Text,
    YamlBool,
    _Model,
    _shorthand,
)

# --------------------------------------------------------------------------- metadata


class KeyAssumption(_Model):
    """A structured-analytic key assumption the scenario rests on."""

    text: Text = Field(description="The assumption, in one or two sentences.")
    evidence: tuple[EvidenceId, ...] = Field(
        default=(), description="Ids of claims in the evidence register that bear on it."
    )
    broken_by: Name | None = Field(
        default=None,
        description=(
            "The variant in which this assumption fails; the report shows, beside the "
            "assumption, what changes when it does."
        ),
    )


class Parameter(_Model):
    """An uncertain input. Each run draws it once from its distribution."""

    value: QuantityText = Field(
        description=(
            "The quantity: `0.3`, `30%`, `2 to 5` (a 90% interval), `0.5% to 4% per month` "
            "(a rate), `2 to 6 weeks` (a duration), or a family such as `beta(2, 8)`."
        )
    )
    kind: QuantityKindName | None = Field(
        default=None,
        description=(
            "What the value measures; inferred from the text when omitted: `per` → rate, "
            "a time unit → duration, `%` or an interval inside [0, 1] → probability."
        ),
    )
    label: Label = Field(default="", description="Readable name for reports.")
    evidence: tuple[EvidenceId, ...] = Field(
        default=(), description="Claim ids in the evidence register that support the number."
    )
    assumption: YamlBool = Field(
        default=False,
        description="true when no evidence backs the number; `note` then says why it is set so.",
    )
    note: Text = Field(default="", description="One-line rationale for the number.")

    @model_validator(mode="before")
    @classmethod
    def _bare_value(cls, value: Any) -> Any:
        return _shorthand(value, "value")


class Correlation(_Model):
    """Two parameters that move together (a Gaussian copula; marginals are unchanged)."""

    # a list of two, not a 2-tuple: tuples become `prefixItems`, which draft-07 editors lack
    between: list[Name] = Field(min_length=2, max_length=2,
                                description="The two parameters, by name.")
    rho: Annotated[float, Field(gt=-1, lt=1, allow_inf_nan=False)] = Field(
        description=(
            "Correlation of their normal scores, between -1 and 1 (exclusive). The rank "
            "correlation of the draws is close to it: (6/π)·asin(rho/2)."
        )
    )
    evidence: tuple[EvidenceId, ...] = Field(
        default=(), description="Claim ids that support the dependence."
    )
    assumption: YamlBool = Field(
        default=False, description="true when no evidence backs rho; `note` says why."
    )
    note: Text = Field(default="", description="Why the two move together.")


class StateVariable(_Model):
    """A world variable that options change. Bounded ones are clamped to [min, max]."""

    initial: QuantityText = Field(
        description=(
            "Starting value: a number, a quantity drawn once per run (`0.6 to 0.8`), "
            "or an expression over parameters."
        )
    )
    min: Number | None = Field(default=None, description="Lower bound (values are clamped).")
    max: Number | None = Field(default=None, description="Upper bound (values are clamped).")
    label: Label = Field(default="", description="Readable name for reports.")
    description: Text = Field(default="", description="What the variable means.")
    evidence: tuple[EvidenceId, ...] = Field(
        default=(), description="Claim ids in the evidence register behind the initial value."
    )
    assumption: YamlBool = Field(
        default=False,
        description="true when no evidence backs the initial value; `note` then says why.",
    )
    note: Text = Field(default="", description="One-line rationale for the initial value.")

    @model_validator(mode="before")
    @classmethod
    def _bare_initial(cls, value: Any) -> Any:
        return _shorthand(value, "initial")

    @model_validator(mode="after")
    def _bounds_ordered(self) -> StateVariable:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        return self


class Rung(_Model):
    """One step of the escalation ladder."""

    id: Name = Field(description="Identifier; usable in expressions as the rung's position.")
    label: Label = Field(default="", description="Readable name for reports.")
    description: Text = Field(default="", description="What this rung means in the world.")


class Threshold(_Model):
    """A named line on the ladder, crossed when the ladder first reaches rung `below`."""

    below: Name = Field(description="The rung just above the threshold.")
    label: Label = Field(default="", description="Readable name for reports.")
    description: Text = Field(default="", description="Why crossing it matters.")


class Ladder(_Model):
    """A Kahn-style escalation ladder: ordered rungs, lowest first."""

    variable: Name = Field(
        default="escalation", description="Name of the ladder position in expressions."
    )
    initial: Name = Field(description="Rung id at the start.")
    rungs: tuple[Rung, ...] = Field(min_length=2, description="Rungs, lowest first.")
    thresholds: dict[Name, Threshold] = Field(
        default_factory=dict, description="Named thresholds between rungs."
    )
