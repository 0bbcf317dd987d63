"""The rows the analysis functions return: their keys, value types and units.

Plain JSON-ready dicts (what ``geosim … --json`` prints), typed so that the report and
the command line are checked against them. Probabilities and shares are fractions
(0–1); times are days since the scenario's start; ``ci95`` values are ``[lo, hi]``
95 % intervals in the unit of the value they bound (None where none can be given).
``docs/architecture.md`` lists the ones :mod:`simulator.analysis` exports, and a test
checks that the two agree.
"""

# No ``from __future__ import annotations``: TypedDict reads NotRequired[...] from
# evaluated annotations on Python 3.11.
from typing import NotRequired, TypedDict

__all__ = [
    "CausalLink",
    "CompareRow",
    "Counterfactual",
    "CounterfactualOutcome",
    "DiscoveryBox",
    "DiscoveryCondition",
    "DivergencePoint",
    "EscalationPaths",
    "ExplainEvent",
    "Explanation",
    "FirstOrderIndex",
    "GivenDataRow",
    "LeadTime",
    "OptionSequence",
    "OutcomeConfidence",
    "OutcomePaths",
    "PairedDifference",
    "ParameterDraw",
    "PathDivergence",
    "RungSequence",
    "SignpostRow",
    "SobolRow",
    "StepMove",
    "Story",
    "StoryLine",
    "TornadoRow",
    "VariableChange",
]


# ---------------------------------------------------------------- compare, what-if

class PairedDifference(TypedDict):
    """p_variant − p_base of paired 0/1 samples with its interval and the 2×2 counts."""

    diff: float  # probability difference, −1…1
    lo: float  # 95 % interval of diff
    hi: float
    se: float  # paired standard error of diff
    n: int  # pairs
    both: int  # pairs where both happen
    variant_only: int
    base_only: int
    neither: int


class CompareRow(TypedDict):
    """One outcome of one variant against the baseline, paired by run index."""

    variant: str
    variant_label: str
    outcome: str
    label: str  # the outcome's label
    p_base: float  # probability 0–1
    p_variant: float  # probability 0–1
    diff: float  # p_variant − p_base, −1…1
    ci95: list[float]  # [lo, hi] of diff
    se: float  # paired standard error of diff
    runs: int  # paired runs
    words_base: str  # ICD 203 words for p_base ("likely", …)
    words_variant: str
    variant_only: int  # runs where only the variant reaches the outcome
    base_only: int  # runs where only the baseline does


# ---------------------------------------------------------------- sensitivity

class FirstOrderIndex(TypedDict):
    """Given-data first-order index of one input for one output."""

    index: float  # share of the output's variance, ~0–1 (may dip below 0 by noise)
    ci95: list[float] | None  # bootstrap [lo, hi]; None without a bootstrap
    bins: int  # quantile bins


class GivenDataRow(TypedDict):
    """One parameter's given-data sensitivity for one outcome."""

    parameter: str
    label: str
    index: float  # share of the outcome's variance, ~0–1
    ci95: list[float] | None
    correlation: float | None  # Spearman rank correlation, −1…1 (None: outcome constant)
    method: str


class TornadoRow(TypedDict):
    """One parameter moved from its 10th to its 90th percentile, the others at medians."""

    outcome: str
    outcome_label: str
    parameter: str
    label: str
    low_value: float  # canonical units (hazard per day, days, fractions)
    high_value: float
    low_text: str  # the same values in the author's units
    high_text: str
    p_low: float  # probability 0–1 at the low value
    p_median: float  # probability 0–1 with every parameter at its median
    p_high: float  # probability 0–1 at the high value
    swing: float  # |p_high − p_low|, 0–1
    diff: float  # p_high − p_low, −1…1
    diff_ci95: list[float]  # paired [lo, hi] of diff


class SobolRow(TypedDict):
    """One parameter's Sobol' indices of P(outcome)."""

    parameter: str
    label: str
    outcome: str
    first_order: float  # share of variance, ~0–1
    first_order_ci95: list[float] | None  # None: the bootstrap degenerated
    total_order: float  # share of variance, ~0–1
    total_order_ci95: list[float] | None
    method: str
    samples: int  # base sample n (a power of 2)
    points: int  # parameter points, n·(d + 2)
    runs_per_point: int
    runs: int  # runs spent on the whole study
    wide: bool  # an interval is wider than the stated width


# ---------------------------------------------------------------- confidence

class OutcomeConfidence(TypedDict):
    """How much confidence one outcome's probability deserves, and why."""

    level: str  # high, moderate or low
    points: int  # the sum the level is read from (more points: lower confidence)
    assumption_share: float | None  # share 0–1 resting on assumptions (the larger below)
    variance_assumption_share: float | None  # share 0–1 of explained variance
    driver_assumption_share: float | None  # share 0–1 of the drivers in its definition
    drivers: int  # parameters its definition depends on
    band_shift: int  # ICD 203 bands one parameter moves it (low fifth against high fifth)
    band_shift_parameter: str | None
    ambiguity: str  # low, moderate or high: how plainly the outcome is defined
    tuned: bool  # parameter ranges were tuned to target bands
    method: str


# ---------------------------------------------------------------- signposts

class LeadTime(TypedDict):
    """Days from an indicator's sighting to the outcome, over the runs with both."""

    p10: float | None  # days
    median: float | None  # days
    p90: float | None  # days


class SignpostRow(TypedDict):
    """One indicator × outcome: how much a sighting raises the outcome's chance."""

    indicator: str
    indicator_label: str
    outcome: str
    outcome_label: str
    runs: int
    seen_first: int  # runs where the indicator is seen before the outcome (or without it)
    outcome_runs: int
    seen_first_and_outcome: int
    consequence_sightings: int  # sightings set aside as consequences of a shared cause
    shared_causes: list[str]  # option refs that can bring both
    p_if_seen: float | None  # probability 0–1 (None: never seen)
    p_if_seen_ci95: list[float] | None
    p_if_not_seen: float | None  # probability 0–1 (None: always seen)
    p_if_not_seen_ci95: list[float] | None
    lift: float | None  # p_if_seen − p_if_not_seen, −1…1
    likelihood_ratio: float | None  # time-matched, > 0
    lr_ci95: list[float] | None
    lr_corrected: bool  # Haldane correction applied (a zero count)
    lead_time: LeadTime | None  # None: never seen before the outcome


# ---------------------------------------------------------------- discovery

class DiscoveryCondition(TypedDict):
    """One parameter's restriction in a box, with each bound's one-sided test."""

    parameter: str
    label: str
    lower: float | None  # canonical units; None: unbounded below
    upper: float | None  # canonical units; None: unbounded above
    lower_text: str | None  # author's units
    upper_text: str | None
    text: str
    lower_z: float | None  # one-sided z of the lower bound
    upper_z: float | None
    lower_outside_rate: float | None  # outcome rate 0–1 among the runs the bound excludes
    upper_outside_rate: float | None
    lower_outside_runs: int | None
    upper_outside_runs: int | None
    strength: str  # the tests in words


class DiscoveryBox(TypedDict):
    """A box of parameter ranges where the outcome is more likely (PRIM)."""

    sentence: str
    coverage: float  # share 0–1 of the outcome's runs inside the box
    density: float  # probability 0–1 of the outcome inside the box
    support: float  # share 0–1 of all runs inside the box
    runs: int  # runs inside the box
    base_rate: float  # probability 0–1 over all runs
    conditions: list[DiscoveryCondition]
    test: str  # the test and its threshold, in one sentence


# ---------------------------------------------------------------- escalation paths

class RungSequence(TypedDict):
    """One sequence of rungs and how many runs followed it."""

    rungs: list[str]  # rung ids
    labels: list[str]
    count: int  # runs
    share: float  # share 0–1 of the runs in the group


class OptionSequence(TypedDict):
    """One sequence of options (repeats collapsed) and how many runs followed it."""

    options: list[str]  # option refs, actor.option
    labels: list[str]
    count: int  # runs
    share: float  # share 0–1 of the runs in the group


class DivergencePoint(TypedDict):
    """Where the paths of two groups of runs split."""

    step: int  # 1-based step with the largest jump in total variation
    jump: float  # rise of the total variation distance (0–1) at that step
    tv_by_step: list[float]  # total variation distance 0–1 of the k-step prefixes
    after: list[str]  # the most common prefix before the split
    after_labels: list[str]
    next_a: str  # the most common next step of group A ("(end)": none)
    next_a_label: str
    next_b: str
    next_b_label: str


class OutcomePaths(TypedDict):
    """The top paths of the runs that reach one outcome (up to the time it is reached)."""

    label: str
    runs: int
    rung_sequences: list[RungSequence]
    option_sequences: list[OptionSequence]


class PathDivergence(TypedDict):
    """Where the runs reaching only one of two outcomes part ways."""

    outcomes: list[str]  # [a, b]
    runs_a: int  # runs that reach a and not b
    runs_b: int
    rungs: DivergencePoint | None  # None: no ladder or an empty group
    options: DivergencePoint | None


# ``from`` is a keyword: the functional form.
StepMove = TypedDict("StepMove", {"step": int, "from": int, "to": int, "runs": int})
StepMove.__doc__ = """Runs moving from rung index ``from`` to ``to`` at their ``step``-th move
(0: a run's first move)."""


class EscalationPaths(TypedDict):
    """Ladder moves and event sequences of one variant."""

    variant: str
    runs: int
    rungs: list[str]  # rung ids, in ladder order
    rung_labels: list[str]
    transitions: list[list[int]]  # R×R move counts, row = from, column = to
    start: dict[int, int]  # rung index → runs starting there
    step_transitions: list[StepMove]
    top_sequences: list[RungSequence]
    by_outcome: dict[str, OutcomePaths]
    divergence: list[PathDivergence]


# ---------------------------------------------------------------- stories and explain

class StoryLine(TypedDict):
    """One event of a traced run, as a dated line."""

    day: int  # whole days since the start
    date: str  # calendar date, "17 Jan 2026"
    t: float  # days since the start
    kind: str  # option, lapsed, outcome, indicator or more
    text: str
    evidence: list[str]  # evidence ids
    why: NotRequired[str]  # the earlier event that led to it


class Story(TypedDict):
    """A sample run told for one outcome (``run`` None: no traced run reaches it)."""

    run: int | None
    outcome: str
    label: str
    reached_day: int | None  # whole days since the start
    events: list[StoryLine]
    same_path: NotRequired[int]  # traced runs reaching it by the same options
    traced_reaching: NotRequired[int]  # traced runs reaching it
    note: str  # "" for a story; else why there is none


class VariableChange(TypedDict):
    """A state variable changed by an earlier event."""

    variable: str
    before: float
    after: float


class CausalLink(TypedDict):
    """One option event and the earlier event that led to it, if any."""

    i: int  # index into the run's events
    t: float  # days since the start
    option: str  # actor.option
    cause: str | None
    link: str | None  # triggered, enabled, rate or None
    by: str | None  # the earlier event's option
    by_i: int | None  # its index
    via: list[VariableChange]


class ExplainEvent(CausalLink):
    """A causal link as a dated line."""

    day: int  # whole days since the start
    date: str  # calendar date
    text: str


class ParameterDraw(TypedDict):
    """One parameter's draw in a run and where it falls among the variant's runs."""

    parameter: str
    label: str
    value: float  # canonical units
    shown: str  # author's units
    percentile: float | None  # share 0–1 of runs at or below it (None: constant)


class CounterfactualOutcome(TypedDict):
    """When an outcome is reached, in days since the start (None: not reached)."""

    actual: float | None
    without: float | None


class Counterfactual(TypedDict):
    """The same run with one option disabled."""

    disabled: str  # actor.option
    label: str
    outcomes: dict[str, CounterfactualOutcome]


class Explanation(TypedDict):
    """One run as a causal chain, its draws and a counterfactual."""

    variant: str
    run: int
    seed: int
    reproduced: bool  # the rerun's digest matches the stored one
    events: list[ExplainEvent]
    outcomes: dict[str, float | None]  # outcome → days since the start (None: not reached)
    outcome_labels: dict[str, str]
    chains: dict[str, list[str]]  # outcome → option refs leading to it, oldest first
    draws: list[ParameterDraw]
    counterfactual: Counterfactual | None
