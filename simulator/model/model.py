"""The compiled model: an engine-neutral, index-based form of one scenario variant.

Everything an engine reads lives in one flat vector of floats ``v`` addressed by
*slots*: slot 0 is the time ``t`` (days since the start), then the parameters, the
state variables (the ladder position among them, as a rung index) and one counter per
option (how many times it has fired). Compiled expressions read ``v`` directly, so a
second engine (for example a vectorised NumPy one) can run the same model.

Random draws come from *rows* of uniform numbers, one row per purpose and name
(a parameter, a state variable's initial draw, an option's clock, a trigger, an actor's
decisions). The rows are laid out from the scenario's structure only — never from a
variant's values — so every variant of a scenario uses the same uniforms for the same
purpose: that is what keeps variant comparisons on common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simulator.scenario.expressions import CompiledExpression
from simulator.scenario.quantities import Quantity

OptionMode = Literal["hazard", "decision", "scheduled", "triggered"]

ORDER_ROW = "order"
"""The row of per-run priorities of same-time sources (see :func:`same_time_sources`)."""


@dataclass(frozen=True)
class ParameterSpec:
    """A parameter drawn once per run: ``value = quantity.distribution.ppf(u[row])``."""

    name: str
    slot: int
    row: int
    quantity: Quantity
    label: str
    evidence: tuple[str, ...]
    assumption: bool
    note: str
    hidden: bool = False  # an inline random rate of an option, not a named parameter


@dataclass(frozen=True)
class CopulaSpec:
    """A Gaussian copula over some parameters: ``members`` index ``Model.parameters``.

    Each run's uniforms u for the members become Φ(L·Φ⁻¹(u)), with L the Cholesky
    factor of their correlation matrix; the marginal distributions are unchanged.
    """

    members: tuple[int, ...]
    cholesky: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class StateSpec:
    """A state variable: its initial value is a draw, a constant or an expression of parameters."""

    name: str
    slot: int
    row: int
    label: str
    lo: float
    hi: float
    initial_quantity: Quantity | None
    initial_expression: CompiledExpression | None
    is_ladder: bool = False


@dataclass(frozen=True)
class Assign:
    """Set (or add to) a slot, then clamp to [lo, hi]; ladder positions are rounded."""

    slot: int
    value: CompiledExpression
    add: bool
    lo: float
    hi: float
    integer: bool


@dataclass(frozen=True)
class Trigger:
    """Make option ``target`` fire after ``delay`` days with probability ``chance``.

    ``row`` holds the uniforms for this trigger: one for the chance, one for the delay,
    per firing. The delay is either a duration quantity in days, drawn each time
    (``delay``), or an expression in days evaluated when the trigger happens
    (``delay_expr``: for example a duration parameter, drawn once per run).
    ``chance_path`` is the scenario key of the chance, for run-time errors.
    """

    target: int
    delay: Quantity | None
    chance: CompiledExpression
    row: int
    delay_expr: CompiledExpression | None = None
    chance_path: str = ""

    @property
    def zero_delay(self) -> bool:
        """Whether the target comes due at the very moment of the firing (no delay)."""
        if self.delay_expr is not None:
            c = self.delay_expr.constant
            return c is not None and not isinstance(c, bool) and float(c) <= 0.0
        dist = self.delay.distribution if self.delay is not None else None
        return dist is not None and dist.is_constant and float(dist.median) <= 0.0


Effect = Assign | Trigger


@dataclass(frozen=True)
class OptionSpec:
    """One option of one actor, compiled."""

    index: int
    key: str  # "actor.option"
    actor: str
    name: str
    label: str
    description: str
    mode: OptionMode
    enabled: bool
    when: CompiledExpression
    rate: CompiledExpression | None  # hazard per day
    weight: CompiledExpression | None
    at_day: float | None
    once: bool
    effects: tuple[Effect, ...]
    counter_slot: int
    clock_row: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ActorSpec:
    """An actor; ``every_days`` is its decision cadence in days (None: it never decides)."""

    name: str
    label: str
    every_days: float | None
    idle_weight: CompiledExpression | None
    options: tuple[int, ...]
    decision_options: tuple[int, ...]
    decide_row: int


@dataclass(frozen=True)
class PredicateSpec:
    """An outcome or an indicator: reached the first time ``when`` holds."""

    name: str
    label: str
    when: CompiledExpression
    terminal: bool = False
    description: str = ""
    resolution: str = ""


@dataclass(frozen=True)
class LadderSpec:
    """The escalation ladder: rung ids in order (lowest first) and its slot."""

    slot: int
    variable: str
    rungs: tuple[str, ...]
    labels: tuple[str, ...]
    thresholds: tuple[tuple[str, int, str], ...]  # (name, rung index, label)


@dataclass(frozen=True)
class Model:
    """One scenario variant compiled for an engine."""

    scenario_id: str
    title: str
    variant: str
    horizon_days: float
    time_step_days: float  # re-evaluation period for what reads `t` (days)
    slot_names: tuple[str, ...]
    parameters: tuple[ParameterSpec, ...]
    state: tuple[StateSpec, ...]
    ladder: LadderSpec | None
    options: tuple[OptionSpec, ...]
    actors: tuple[ActorSpec, ...]
    outcomes: tuple[PredicateSpec, ...]
    indicators: tuple[PredicateSpec, ...]
    n_rows: int
    row_names: tuple[str, ...]
    row_sizes: tuple[int, ...]
    # slot -> options whose `when`/`rate` read it; slot -> predicates (outcomes first) reading it
    copula: CopulaSpec | None = None
    option_watchers: tuple[tuple[int, ...], ...] = field(repr=False, default=())
    predicate_watchers: tuple[tuple[int, ...], ...] = field(repr=False, default=())
    # `horizon: until absorbed`: a run ends when nothing more can happen (see
    # simulator.engine.absorption); `horizon_days` is then the safety cap
    absorbing: bool = False


    @property
    def n_slots(self) -> int:
        return len(self.slot_names)

    @property
    def predicates(self) -> tuple[PredicateSpec, ...]:
        """Outcomes then indicators; predicate index i < len(outcomes) is an outcome."""
        return self.outcomes + self.indicators



def same_time_sources(model: Model) -> tuple[tuple[str, int], ...]:
    """The sources of same-time events, in the order of their numbers in the order row.

    Deciding actors (``("decide", actor index)``) then scheduled options
    (``("scheduled", option index)``), each in index order. Source ``k`` takes number
    ``k`` of the run's order row as its priority key; at equal times the source with the
    smaller key goes first. Which number a source gets follows the structure, never the
    spelling of ids in any meaningful way: renaming an actor only deals the same random
    keys differently, so the order is a fair random one in every run.
    """
    sources = [("decide", k) for k, a in enumerate(model.actors) if a.every_days is not None]
    sources += [("scheduled", o.index) for o in model.options if o.mode == "scheduled"]
    return tuple(sources)
