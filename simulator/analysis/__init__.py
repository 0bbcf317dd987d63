"""Policy questions on results: what changes an outcome, which assumptions matter, under
which conditions it becomes likely, which path leads there, what to watch, sample stories.

Plain data in, plain data (lists and dicts, JSON-ready) out; no plotting, no Rich. The
types of those rows (TypedDicts, with units) are exported too.
The names in ``__all__`` are the supported surface; the modules are internal.
"""

from simulator.analysis.compare import compare_scenario, compare_variants
from simulator.analysis.discovery import discover
from simulator.analysis.explain import explain
from simulator.analysis.paths import escalation_paths
from simulator.analysis.rows import (
    CausalLink,
    CompareRow,
    Counterfactual,
    CounterfactualOutcome,
    DiscoveryBox,
    DiscoveryCondition,
    DivergencePoint,
    EscalationPaths,
    ExplainEvent,
    Explanation,
    GivenDataRow,
    LeadTime,
    OptionSequence,
    OutcomePaths,
    ParameterDraw,
    PathDivergence,
    RungSequence,
    SignpostRow,
    SobolRow,
    StepMove,
    Story,
    StoryLine,
    TornadoRow,
    VariableChange,
)
from simulator.analysis.sensitivity import global_indices, tornado
from simulator.analysis.signposts import signposts
from simulator.analysis.sobol import sobol_indices
from simulator.analysis.stories import stories
from simulator.analysis.whatif import what_if_scenario

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
    "GivenDataRow",
    "LeadTime",
    "OptionSequence",
    "OutcomePaths",
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
    "compare_scenario",
    "compare_variants",
    "discover",
    "escalation_paths",
    "explain",
    "global_indices",
    "signposts",
    "sobol_indices",
    "stories",
    "tornado",
    "what_if_scenario",
]
