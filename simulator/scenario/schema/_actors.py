"""What actors can do: their options, the options' effects, and periodic decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, model_validator

from simulator.scenario.schema._types import (
    EvidenceId,
    ExprText,
    Label,
    Name,
    OptionRef,
    Provenance,
    QuantityText,
    Text,
    YamlBool,
    _Model,
)

# --------------------------------------------------------------------------- effects


class SetEffect(_Model):
    """Set variables to values (expressions); rung ids are allowed for the ladder variable."""

    set_: dict[Name, ExprText] = Field(alias="set", min_length=1, description="variable → value")


class AddEffect(_Model):
    """Add to variables (clamped to their bounds)."""

    add: dict[Name, ExprText] = Field(min_length=1, description="variable → amount to add")


class EscalateEffect(_Model):
    """Move the ladder up by a number of rungs (stops at the top)."""

    escalate: Annotated[int, Field(ge=1, le=100)] = Field(description="Rungs to climb.")


class DeescalateEffect(_Model):
    """Move the ladder down by a number of rungs (stops at the bottom)."""

    deescalate: Annotated[int, Field(ge=1, le=100)] = Field(description="Rungs to descend.")


class TriggerEffect(_Model):
    """Make another option fire later, with a chance; it lapses if its `when` is false then."""

    trigger: OptionRef = Field(description="The option to trigger, as `actor.option`.")
    after: QuantityText = Field(
        default="0 days",
        description=(
            "Delay: a duration such as `3 days` or `2 to 6 weeks` (drawn each time), or an "
            "expression in days such as a duration parameter's name (negative means 0)."
        ),
    )
    chance: ExprText = Field(
        default="1", description="Probability that the trigger happens (an expression)."
    )


def _effect_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("set", "add", "escalate", "deescalate", "trigger"):
            if key in value:
                return key
        return None
    tags: list[tuple[type[BaseModel], str]] = [
        (SetEffect, "set"),
        (AddEffect, "add"),
        (EscalateEffect, "escalate"),
        (DeescalateEffect, "deescalate"),
        (TriggerEffect, "trigger"),
    ]
    return next((tag for cls, tag in tags if isinstance(value, cls)), None)


Effect = Annotated[
    Annotated[SetEffect, Tag("set")]
    | Annotated[AddEffect, Tag("add")]
    | Annotated[EscalateEffect, Tag("escalate")]
    | Annotated[DeescalateEffect, Tag("deescalate")]
    | Annotated[TriggerEffect, Tag("trigger")],
    Discriminator(
        _effect_tag,
        custom_error_type="effect_kind",
        custom_error_message=(
            "an effect must be a mapping starting with set, add, escalate, deescalate or trigger"
        ),
    ),
]


# --------------------------------------------------------------------------- actors


class Option(_Model):
    """Something an actor (or nature) can do, and what follows from it.

    How it fires depends on which of `rate`, `weight` and `at` it has: a hazard
    (`rate`), a choice at the actor's periodic decisions (`weight`), a scheduled date
    (`at`), or — with none of them — only when another option triggers it.
    """

    label: Label = Field(default="", description="Readable name for reports and stories.")
    description: Text = Field(default="", description="What the option is, in the world.")
    when: ExprText = Field(default="true", description="Condition under which it can fire.")
    rate: ExprText | None = Field(
        default=None,
        description=(
            "Hazard while enabled: a rate with units (`1 in 3 per year`) or an expression "
            "in hazard per day (`strike_rate * (1 + cartel_drones)`)."
        ),
    )
    weight: ExprText | None = Field(
        default=None,
        description="Relative weight when the actor decides (needs the actor's `decides`).",
    )
    at: str | None = Field(
        default=None,
        description=(
            "Scheduled time: a date (`2026-11-03`) or a delay from the start (`30 days`). "
            "At a time shared with a periodic decision, the scheduled option fires first."
        ),
    )
    once: YamlBool = Field(default=False, description="Fire at most once per run.")
    effects: tuple[Effect, ...] = Field(default=(), description="What happens, in order.")
    evidence: tuple[EvidenceId, ...] = Field(
        default=(), description="Claim ids in the evidence register behind this option."
    )
    assumption: YamlBool = Field(
        default=False,
        description=(
            "true when the option is the modeller's assumption, not in the evidence; its "
            "numbers are then assumptions too, for the reason given in `note`."
        ),
    )
    provenance: Provenance | None = Field(
        default=None,
        description=(
            "Where the option's numbers come from (`evidence` says why the option exists). "
            "Keys: `when`, `rate`, `weight`, `at`, `effects`, `triggers`, a state variable "
            "(its effect sizes) or `all`."
        ),
    )
    note: Text = Field(default="", description="Modelling note.")

    @model_validator(mode="after")
    def _one_timing(self) -> Option:
        given = [k for k in ("rate", "weight", "at") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(
                f"an option fires by one of rate, weight or at; this one has {' and '.join(given)}"
            )
        return self

    @property
    def mode(self) -> Literal["hazard", "decision", "scheduled", "triggered"]:
        if self.rate is not None:
            return "hazard"
        if self.weight is not None:
            return "decision"
        if self.at is not None:
            return "scheduled"
        return "triggered"


class Decides(_Model):
    """A periodic chooser: every period the actor picks at most one option by weight."""

    every: QuantityText = Field(
        description=(
            "Cadence, a duration such as `1 month`. The first decision is at `every` (not "
            "at day 0), then every `every` until the run ends. Decisions and scheduled "
            "options due at the same time go in a random order drawn for each run; a "
            "trigger without a delay runs right after the firing that caused it."
        )
    )
    idle_weight: ExprText = Field(
        default="0", description="Weight of doing nothing at a decision (an expression)."
    )


class Actor(_Model):
    """A party to the crisis — or `nature` for accidents, shocks and scheduled dates."""

    label: Label = Field(default="", description="Readable name for reports.")
    description: Text = Field(default="", description="Who the actor is.")
    decides: Decides | None = Field(
        default=None, description="Periodic decisions among the options that have a `weight`."
    )
    provenance: Provenance | None = Field(
        default=None,
        description="Where the numbers of `decides` come from (keys `every`, `idle_weight`).",
    )
    options: dict[Name, Option] = Field(
        min_length=1, description="What the actor can do, by id."
    )
