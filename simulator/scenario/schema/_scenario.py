"""The scenario itself: outcomes, indicators, variants, and the top-level :class:`Scenario`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from simulator.scenario.schema._actors import Actor, Option
from simulator.scenario.schema._inputs import (
    Correlation,
    KeyAssumption,
    Ladder,
    Parameter,
    StateVariable,
)
from simulator.scenario.schema._types import (
    ConfidenceLevel,
    ExprText,
    Label,
    Name,
    OptionRef,
    Provenance,
    ProvenanceSpec,
    QuantityText,
    ScenarioId,
    Text,
    YamlBool,
    _Model,
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
