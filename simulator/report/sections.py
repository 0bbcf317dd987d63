"""The report's sections, in page order: id, title, lede, builder, and when it applies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.report import (
    change_mind,
    figures_ladder,
    figures_outcomes,
    figures_params,
    figures_paths,
    figures_state,
    reproduce,
    score_card,
)
from simulator.report import figures_analysis as fa
from simulator.report.context import Context


@dataclass(frozen=True)
class Section:
    id: str  # anchor (fixed text, never user input)
    title: str
    lede: str  # what the section answers, one line
    build: Callable[[Context], str]
    applies: Callable[[Context], bool] = lambda ctx: True


SECTIONS: tuple[Section, ...] = (
    Section("headline", "Bottom line",
            "What the runs found, in words; then how likely each outcome is over the horizon "
            "(key outcomes first).", figures_outcomes.headline_section),
    Section("about", "The scenario", "What is being simulated, under which variants.",
            figures_params.about_section),
    Section("ladder", "Escalation ladder",
            "How far up the ladder runs climb, and where they stand over time.",
            figures_ladder.ladder_section, figures_ladder.has_ladder),
    Section("timing", "Time to each outcome",
            "The chance that each outcome has happened by a given date, variant by variant.",
            figures_outcomes.time_to_event_section),
    Section("state", "State of the world over time",
            "Each variant's median across runs as a line in the variant's colour (where "
            "lines coincide, the baseline's is on top); behind them, the 50% and 90% bands "
            "of the variant selected above.",
            figures_state.state_section, figures_state.has_states),
    Section("paths", "Escalation paths", "How runs move between rungs, step by step.",
            figures_paths.paths_section, figures_ladder.has_ladder),
    Section("compare", "Variant comparison",
            "How each variant changes the outcomes, relative to the baseline.",
            fa.compare_section, lambda ctx: any(len(s.views) > 1 for s in ctx.sources)),
    Section("drivers", "What would change our mind",
            "For each outcome: the inputs that move it most, how much of its variation they "
            "explain, and the signposts that raise it when seen.",
            change_mind.change_mind_section, change_mind.has_inputs),
    Section("discovery", "When does it happen?",
            "Simple conditions on the parameters under which each outcome is most likely.",
            fa.discovery_section, figures_params.has_parameters),
    Section("signposts", "Signposts to watch",
            "Indicators that raise an outcome's chance when seen, and how early they appear.",
            change_mind.signposts_section,
            lambda ctx: any(s.baseline.model.indicators for s in ctx.sources)),
    Section("stories", "Sample stories", "What individual runs that reach each outcome "
            "look like, event by event.", fa.stories_section),
    Section("scores", "Score card", "How the forecast fared: what happened, its scores, and "
            "the reference forecasts.", score_card.score_card_section, score_card.has_scores),
    Section("parameters", "Parameters", "Each uncertain input: as written, its 90% range in "
            "your units, and the evidence behind it.", figures_params.parameters_section),
    Section("evidence", "Evidence", "The claims of the evidence register that the scenario "
            "cites.", figures_params.evidence_section),
    Section("reproduce", "Reproduce", "The exact command, seed, versions and digests.",
            reproduce.reproduce_section),
)
