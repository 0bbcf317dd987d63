"""The random rows of a model: their names, laid out from the scenario's structure
alone, and how many numbers each row reserves per run (see :mod:`simulator.model.model`).
"""

from __future__ import annotations

from simulator.model.model import (
    ORDER_ROW,
    ActorSpec,
)
from simulator.scenario.schema import (
    Scenario,
    TriggerEffect,
)

ABSORBING_DECISION_ROW = 1024  # numbers reserved per decision row under `until absorbed`


def row_names(scenario: Scenario) -> tuple[str, ...]:
    """The random rows, laid out from the scenario's structure alone (see model.py)."""
    rows = [f"param:{p}" for p in sorted(scenario.parameters)]
    refs = scenario.option_refs
    rows += [f"inline:{ref}" for ref in refs]
    rows += [f"init:{s}" for s in sorted(scenario.state)]
    rows += [f"clock:{ref}" for ref in refs]
    for ref in refs:
        option = scenario.option(ref)
        assert option is not None
        rows += [
            f"trigger:{ref}:{i}"
            for i, effect in enumerate(option.effects)
            if isinstance(effect, TriggerEffect)
        ]
    rows += [f"decide:{a}" for a in sorted(scenario.actors)]
    # last, so that adding it left every other row's numbers where they were
    rows.append(ORDER_ROW)
    return tuple(rows)


def row_sizes(scenario: Scenario, rows: dict[str, int], actors: tuple[ActorSpec, ...],
              horizon: float, absorbing: bool) -> tuple[int, ...]:
    """Numbers reserved per row (more come from the row's own generator if needed).

    Sizes follow the structure only: a decision row holds one number per decision
    over the horizon (cadence and horizon are not variant-specific).
    """
    decisions = {f"decide:{a.name}": int(horizon // a.every_days) + 1
                 for a in actors if a.every_days}
    if absorbing:  # most runs end long before the cap: reserve a first stretch
        decisions = {row: min(size, ABSORBING_DECISION_ROW)
                     for row, size in decisions.items()}
    # one priority number per same-time source: deciding actors and scheduled options
    scheduled = [scenario.option(ref) for ref in scenario.option_refs]
    n_sources = sum(1 for a in scenario.actors.values() if a.decides is not None) + sum(
        1 for o in scheduled if o is not None and o.mode == "scheduled")
    sizes = []
    for name in rows:
        kind = name.partition(":")[0]
        if kind in ("param", "inline", "init"):
            sizes.append(1)
        elif kind == "decide":
            sizes.append(decisions.get(name, 0))
        elif name == ORDER_ROW:
            sizes.append(n_sources)
        else:
            sizes.append(4)  # clocks and triggers: a few firings per run is typical
    return tuple(sizes)

