"""The scenario file's structure: frozen pydantic models, one per YAML mapping.

These models check *shape* only: which keys exist, their types, identifiers and
simple ranges. Meaning (quantities, expressions, references between parts) is checked
when the scenario is compiled into a model (:mod:`simulator.model.compile`), which
reports every problem with the key path so the loader can point at file:line:column.

Every field carries a description: the published JSON Schema (``geosim schema``) is
generated from these models and gives editors completion and hover help.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
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


# --------------------------------------------------------------------------- results of interest


class Outcome(_Model):
    """An end state of interest, reached the first time its condition holds."""

    label: Label = Field(default="", description="Readable name for reports.")
    description: Text = Field(default="", description="What the outcome means.")
    when: ExprText = Field(description="Condition; reached the first time it holds.")
    terminal: YamlBool = Field(default=False, description="true ends the run when reached.")
    key: YamlBool = Field(
        default=False,
        description=(
            "true marks a key outcome: reports lead with it and state it in words "
            "(the first outcome is key when none is marked)."
        ),
    )
    resolution: Text = Field(
        default="",
        description="Resolution criteria: who, what, where, by when; what does not count.",
    )
    ambiguity: ConfidenceLevel | None = Field(
        default=None,
        description=(
            "How arguable resolving the outcome would be (low, moderate, high); feeds the "
            "confidence level. Default: moderate with a `resolution`, high without."
        ),
    )


class Indicator(_Model):
    """A signpost an analyst could observe in the real world."""

    label: Label = Field(default="", description="Readable name for reports.")
    description: Text = Field(default="", description="What to watch for, concretely.")
    when: ExprText = Field(description="Condition; the indicator is seen the first time it holds.")


class OptionOverride(_Model):
    """Fields of one option replaced in a variant."""

    when: ExprText | None = Field(default=None, description="Replacement condition.")
    rate: ExprText | None = Field(default=None, description="Replacement hazard.")
    weight: ExprText | None = Field(default=None, description="Replacement decision weight.")
    enabled: YamlBool | None = Field(default=None, description="false removes the option.")


class Variant(_Model):
    """A policy option or counterfactual, run on common random numbers with the baseline."""

    label: Label = Field(default="", description="Readable name for reports.")
    description: Text = Field(default="", description="What the variant assumes.")
    parameters: dict[Name, QuantityText] = Field(
        default_factory=dict, description="Parameter → replacement value."
    )
    state: dict[Name, QuantityText] = Field(
        default_factory=dict, description="State variable → replacement initial value."
    )
    ladder_initial: Name | None = Field(default=None, description="Replacement starting rung.")
    options: dict[OptionRef, OptionOverride] = Field(
        default_factory=dict, description="`actor.option` → replaced fields."
    )
    provenance: Provenance | None = Field(
        default=None,
        description=(
            "Where the variant's numbers come from: one entry for all, or keys naming a "
            "parameter, a state variable or an `actor.option`."
        ),
    )


# --------------------------------------------------------------------------- the scenario


class Scenario(_Model):
    """A crisis scenario: who can do what, how likely, and what we want to know."""

    id: ScenarioId = Field(description="Short identifier: lowercase letters, digits, - and _.")
    title: str = Field(min_length=1, max_length=300, description="Title shown in reports.")
    as_of: date = Field(description="The date the scenario starts (day 0), YYYY-MM-DD.")
    horizon: QuantityText = Field(
        description=(
            "How long each run lasts: `1 year`, `180 days`. A run ends at the horizon or "
            "at a terminal outcome, whichever comes first; events at the horizon itself "
            "do not happen. `until absorbed` (or `until absorbed, at most 50 years`; "
            "default cap 100 years) runs until nothing more can happen: a terminal "
            "outcome, or no hazard with a positive rate, no pending trigger, no scheduled "
            "option to come and no decision option with weight; a run still going at the "
            "cap is an error. Periodic decisions first happen at `every` (not at day 0); "
            "same-time events go: horizon end, due triggers in creation order, then "
            "decisions and scheduled options in a random order drawn per run."
        )
    )
    description: Text = Field(default="", description="What the scenario is about.")
    time_step: QuantityText | None = Field(
        default=None,
        description=(
            "How often conditions and rates that read `t` are re-evaluated between events "
            "(they are also re-evaluated at every event). Default: the horizon / 100."
        ),
    )
    evidence_register: str | list[str] | None = Field(
        default=None,
        description=(
            "Path of the evidence register (or a list of them), relative to this file. "
            "When omitted, `seeds/evidence.yaml` in this folder or a parent folder is used "
            "if present."
        ),
    )
    key_assumptions: tuple[KeyAssumption, ...] = Field(
        default=(), description="Key assumptions the scenario rests on."
    )
    provenance: dict[Annotated[str, StringConstraints(
        pattern=r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=300)], ProvenanceSpec] = Field(
        default_factory=dict,
        description=(
            "Provenance kept in one table: a dotted key path (`actors.us.options.strike`, "
            "`state.cooperation`, `actors.us.options.strike.rate`) to claim ids or a "
            "sentence giving the assumption's reason. It covers every number under that "
            "path that has no provenance of its own; the longest matching path wins."
        ),
    )
    tuned_to_targets: YamlBool = Field(
        default=False,
        description=(
            "true when parameter ranges were chosen so that headline results land in bands "
            "set beforehand; the results then restate the analyst's prior with structure "
            "added, and every outcome's confidence is lowered one step."
        ),
    )
    parameters: dict[Name, Parameter] = Field(
        default_factory=dict, description="Uncertain inputs, drawn once per run."
    )
    correlations: tuple[Correlation, ...] = Field(
        default=(), description="Pairs of parameters whose draws are correlated."
    )
    state: dict[Name, StateVariable] = Field(
        default_factory=dict, description="World variables the options change."
    )
    ladder: Ladder | None = Field(default=None, description="The escalation ladder.")
    actors: dict[Name, Actor] = Field(min_length=1, description="The parties, by id.")
    outcomes: dict[Name, Outcome] = Field(min_length=1, description="Outcomes of interest.")
    indicators: dict[Name, Indicator] = Field(
        default_factory=dict, description="Signposts an analyst could watch."
    )
    variants: dict[Name, Variant] = Field(
        default_factory=dict, description="Policy options and counterfactuals."
    )

    def option(self, ref: str) -> Option | None:
        """The option named `actor.option`, or None."""
        actor_id, _, option_id = ref.partition(".")
        actor = self.actors.get(actor_id)
        return actor.options.get(option_id) if actor else None

    @property
    def option_refs(self) -> list[str]:
        """Every option as `actor.option`, sorted."""
        return sorted(f"{a}.{o}" for a, actor in self.actors.items() for o in actor.options)
