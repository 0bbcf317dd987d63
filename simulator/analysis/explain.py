"""Explain one run: its causal chain, where its draws fall, and one counterfactual.

The run is simulated again from the stored scenario, root seed and run index with a full
event trace (a run is a pure function of those), and its digest is checked against the
stored one. Then:

* **Causal links** — for every event, the earlier event that led to it. A triggered
  option names its trigger. Otherwise the link is read from the scenario's structure
  (:func:`simulator.analysis.causes.touching`): the latest earlier event that changed a
  variable, or fired an option, that the event's condition (``when``) reads *enabled*
  it; failing that, the latest one that changed a variable its rate or weight reads
  *changed its rate* (with the change of those variables). Only an option's first
  firing can be *enabled*: one that fired before already had its condition met. Links
  say what the structure allows, not that the earlier event was necessary — the
  counterfactual tests that.
* **Chains** — for each outcome reached, the links followed back from the event that
  reached it.
* **Draws** — each parameter's value in this run and its percentile among all stored
  runs of the variant (the share of runs with a value at or below it).
* **Counterfactual** — the same run (same seed and run index, so the same random
  numbers wherever the change leaves them alone) with one option disabled, and which
  outcomes it changes. By default the option is the first link of the chain to the
  earliest outcome reached.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from simulator.analysis._common import (
    actor_labels,
    check_variant,
    day_and_date,
    format_value,
    outcome_labels,
    variant_frame,
    variant_model,
)
from simulator.analysis.causes import touching
from simulator.analysis.rows import (
    CausalLink,
    Counterfactual,
    ExplainEvent,
    Explanation,
    ParameterDraw,
    VariableChange,
)
from simulator.errors import ResultsError

if TYPE_CHECKING:
    from simulator.model.model import Model
    from simulator.results.results import Results
    from simulator.scenario.schema import Scenario

COUNTERFACTUAL = "explain_counterfactual"


def _effective(scenario: Scenario, variant: str, ref: str, field: str) -> str | None:
    """The option's ``when``/``rate``/``weight`` text as the variant runs it."""
    spec = scenario.variants.get(variant)
    override = spec.options.get(ref) if spec is not None else None
    value = getattr(override, field, None) if override is not None else None
    if value is None:
        option = scenario.option(ref)
        value = getattr(option, field, None) if option is not None else None
    return None if value is None else str(value)


def simulate_one(scenario: Scenario, variant: str, seed: int, run: int
                 ) -> tuple[list[dict[str, Any]], bytes | None]:
    """Run ``run`` of ``variant`` again with its full trace: (events, the run's digest)."""
    from simulator.runner.tasks import ChunkTask, run_task

    key = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
    [chunk] = run_task(ChunkTask(scenario, key, (variant,), seed, run, run + 1, 1))
    digest = chunk.columns.get("digest")
    return chunk.traces.get(run, []), (bytes(digest[0].tobytes()) if digest is not None
                                       else None)


def reached_times(events: list[dict[str, Any]]) -> dict[str, float]:
    """Outcome → the time (days) it was first reached in a traced run."""
    out: dict[str, float] = {}
    for e in events:
        if "outcome" in e and e["outcome"] not in out:
            out[e["outcome"]] = float(e["t"])
    return out


def _label(model: Model, ref: str) -> str:
    options = {o.key: o for o in model.options}
    actor, _, name = ref.partition(".")
    opt = options.get(ref)
    return f"{actor_labels(model).get(actor, actor)}: {(opt.label or opt.name) if opt else name}"


def causal_links(scenario: Scenario, variant: str, events: list[dict[str, Any]]
                 ) -> list[CausalLink]:
    """One row per option event that fired: ``{i, t, option, cause, link, by, by_i, via}``.

    ``link`` is ``triggered``, ``enabled``, ``rate`` or None; ``by``/``by_i`` name the
    earlier event (option ref, index into ``events``); ``via`` lists the variables (with
    their change) through which it acted.
    """
    rows: list[CausalLink] = []
    last: dict[str, int] = {}  # option ref -> index of its latest firing
    for i, e in enumerate(events):
        ref = e.get("option")
        if ref is None or e.get("cause") == "lapsed":
            continue
        row: CausalLink = {"i": i, "t": float(e["t"]), "option": ref,
                           "cause": e.get("cause"), "link": None, "by": None,
                           "by_i": None, "via": []}
        if e.get("cause") == "triggered" and e.get("source") in last:
            row.update({"link": "triggered", "by": e["source"], "by_i": last[e["source"]]})
        else:
            for link, field in (("enabled", "when"), ("rate", "rate"), ("rate", "weight")):
                text = _effective(scenario, variant, ref, field)
                # only a first firing can have been enabled: an option that fired before
                # already had its condition met
                if not text or (link == "enabled" and ref in last):
                    continue
                candidates = touching(scenario, text)
                earlier = [j for r, j in last.items() if r in candidates and r != ref]
                if earlier:
                    j = max(earlier)
                    changes = events[j].get("changes") or {}
                    via: list[VariableChange] = [
                        {"variable": name, "before": float(old), "after": float(new)}
                        for name, (old, new) in changes.items() if name in text]
                    row.update({"link": link, "by": events[j]["option"], "by_i": j, "via": via})
                    break
        rows.append(row)
        last[ref] = i
    return rows


def why_texts(model: Model, as_of: Any, events: list[dict[str, Any]],
              links: list[CausalLink], *, triggered: bool = True) -> dict[int, str]:
    """Event index → "triggered by X (day 12)", "enabled by ..." or "rate changed by ...
    via tension 0.40→0.50", for the events that have a link (``triggered=False`` leaves
    out trigger links, for text that already names the trigger)."""
    out: dict[int, str] = {}
    for row in links:
        by, by_i = row["by"], row["by_i"]  # set together with the link
        if (row["link"] is None or by is None or by_i is None
                or (row["link"] == "triggered" and not triggered)):
            continue
        by_day, _ = day_and_date(as_of, events[by_i]["t"])
        via = ", ".join(f"{v['variable']} {v['before']:.2f}→{v['after']:.2f}"
                        for v in row["via"])
        verb = {"triggered": "triggered by", "enabled": "enabled by",
                "rate": "rate changed by"}[row["link"]]
        out[row["i"]] = (f"{verb} {_label(model, by)} (day {by_day})"
                         + (f" via {via}" if via else ""))
    return out


def chains(model: Model, events: list[dict[str, Any]], links: list[CausalLink]
           ) -> dict[str, list[CausalLink]]:
    """Outcome → the links followed back from the last option event before it, oldest first."""
    by_index = {row["i"]: row for row in links}
    out: dict[str, list[CausalLink]] = {}
    for i, e in enumerate(events):
        outcome = e.get("outcome")
        if outcome is None or outcome in out:
            continue
        before = [row for row in links if row["i"] < i]
        chain: list[CausalLink] = []
        node = before[-1] if before else None
        seen: set[int] = set()
        while node is not None and node["i"] not in seen:
            seen.add(node["i"])
            chain.append(node)
            node = by_index.get(node["by_i"]) if node["by_i"] is not None else None
        out[outcome] = list(reversed(chain))
    return out


def draws(results: Results, variant: str, run: int) -> list[ParameterDraw]:
    """Each parameter's draw in ``run`` and its percentile among the variant's runs."""
    model = variant_model(results, variant)
    cols = [f"param.{p.name}" for p in model.parameters if not p.hidden]
    df = variant_frame(results, variant, ["run", *cols])
    mine = df[df["run"] == run]
    if mine.empty:
        raise ResultsError(f"run {run} is not in the results of `{variant}` "
                           f"(runs 0 to {int(df['run'].max())})")
    out: list[ParameterDraw] = []
    for p in model.parameters:
        col = f"param.{p.name}"
        if p.hidden or col not in df.columns:
            continue
        value = float(mine[col].iloc[0])
        values = df[col].to_numpy(dtype=float)
        varied = bool(values.max() > values.min())
        out.append({"parameter": p.name, "label": p.label or p.name, "value": value,
                    "shown": format_value(p.quantity, value),
                    "percentile": float((values <= value).mean()) if varied else None})
    return out


def counterfactual(scenario: Scenario, variant: str, seed: int, run: int, disable: str
                   ) -> list[dict[str, Any]]:
    """The same run with option ``disable`` removed from ``variant``."""
    from simulator.scenario.schema import OptionOverride, Variant

    if scenario.option(disable) is None:
        import difflib

        close = difflib.get_close_matches(disable, scenario.option_refs, n=1, cutoff=0.6)
        raise ResultsError(f"unknown option `{disable}`"
                           + (f"; did you mean `{close[0]}`?" if close else ""))
    base = scenario.variants.get(variant) or Variant()
    spec = base.model_copy(update={
        "options": {**base.options, disable: OptionOverride(enabled=False)}})
    changed = scenario.model_copy(update={"variants": {**scenario.variants,
                                                       COUNTERFACTUAL: spec}})
    events, _ = simulate_one(changed, COUNTERFACTUAL, seed, run)
    return events


def explain(results: Results, variant: str, run: int, *, disable: str | None = None
            ) -> Explanation:
    """Everything ``geosim explain`` prints, as plain data (see the module docstring)."""
    check_variant(results, variant)
    scenario, model, seed = results.scenario, variant_model(results, variant), results.seed
    parameter_draws = draws(results, variant, run)
    events, digest = simulate_one(scenario, variant, seed, run)
    stored = variant_frame(results, variant, ["run", "digest"])
    stored_digest = stored[stored["run"] == run]["digest"].iloc[0]
    reproduced = digest is not None and digest == bytes(stored_digest)
    links = causal_links(scenario, variant, events)
    outcome_chains = chains(model, events, links)
    times = reached_times(events)
    reached = {o.name: times.get(o.name) for o in model.outcomes}
    if disable is None:
        first = min((t, o) for o, t in reached.items() if t is not None) if any(
            t is not None for t in reached.values()) else None
        chain = outcome_chains.get(first[1], []) if first else []
        disable = chain[0]["option"] if chain else None
    cf: Counterfactual | None = None
    if disable is not None:
        without = reached_times(counterfactual(scenario, variant, seed, run, disable))
        cf = {"disabled": disable, "label": _label(model, disable), "outcomes": {
            o.name: {"actual": reached[o.name], "without": without.get(o.name)}
            for o in model.outcomes}}
    as_of = scenario.as_of
    why = why_texts(model, as_of, events, links)
    lines: list[ExplainEvent] = []
    for row in links:
        day, when = day_and_date(as_of, row["t"])
        text = f"Day {day} ({when}) — {_label(model, row['option'])}"
        text += f"; {why[row['i']]}" if row["i"] in why else ""
        lines.append({**row, "day": day, "date": when, "text": text})
    return {"variant": variant, "run": run, "seed": seed, "reproduced": reproduced,
            "events": lines, "outcomes": reached,
            "outcome_labels": outcome_labels(model),
            "chains": {o: [row["option"] for row in chain]
                       for o, chain in outcome_chains.items()},
            "draws": parameter_draws, "counterfactual": cf}
