"""Stories: sample runs told as dated events, per outcome, from the stored traces.

Only the traced runs (run indices that are multiples of the runner's ``trace_every``,
500 by default) have full event traces; stories are drawn from them. Event lines read
"Day 12 (17 Jan 2026) — US executive: expands CIA drone flights [cia-drone-flights]."
where the day is whole days since the scenario's ``as_of`` date and the bracketed ids
are the option's evidence claims. Outcomes reached and signposts seen get their own
lines. For each outcome the stories are the traced runs that reach it, lowest run index
first, preferring runs whose sequence of options differs from the stories already
chosen. When no traced run reaches an outcome, its list holds one entry with
``run: None``, no events and a ``note`` saying so.

Each event line also says, where the scenario's structure allows, which earlier event
of the run triggered it, enabled it or changed its rate (:mod:`simulator.analysis.explain`),
and each story says how typical its path is: how many of the traced runs that reach the
outcome took the same sequence of options to get there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.analysis._common import (
    actor_labels,
    check_variant,
    day_and_date,
    outcome_labels,
    variant_model,
)
from simulator.analysis.explain import causal_links, why_texts
from simulator.analysis.paths import collapse
from simulator.analysis.rows import Story, StoryLine

if TYPE_CHECKING:
    from simulator.model.model import Model
    from simulator.results.results import Results

MAX_EVENTS = 80  # lines per story; longer runs are cut with a final "…" line


def _rung_change(model: Model, changes: dict[str, Any] | None) -> str:
    if not changes or model.ladder is None or model.ladder.variable not in changes:
        return ""
    old, new = changes[model.ladder.variable]
    labels = model.ladder.labels
    rungs = model.ladder.rungs
    new_i = round(float(new))
    if round(float(old)) == new_i or not 0 <= new_i < len(rungs):
        return ""
    verb = "rises" if new_i > round(float(old)) else "falls"
    return f"; the ladder {verb} to “{labels[new_i] or rungs[new_i]}”"


def event_line(model: Model, as_of: Any, event: dict[str, Any]
               ) -> StoryLine | None:
    """One trace event as ``{day, date, t, kind, text, evidence}`` (None to skip it)."""
    day, when = day_and_date(as_of, float(event["t"]))
    prefix = f"Day {day} ({when}) — "
    cause = event.get("cause")
    if "outcome" in event:
        label = outcome_labels(model).get(event["outcome"], event["outcome"])
        return {"day": day, "date": when, "t": float(event["t"]), "kind": "outcome",
                "text": f"{prefix}Outcome reached: {label}.", "evidence": []}
    if "indicator" in event:
        labels = {i.name: i.label or i.name for i in model.indicators}
        label = labels.get(event["indicator"], event["indicator"])
        return {"day": day, "date": when, "t": float(event["t"]), "kind": "indicator",
                "text": f"{prefix}Signpost seen: {label}.", "evidence": []}
    key = event.get("option")
    if key is None:
        return None
    options = {o.key: o for o in model.options}
    opt = options.get(key)
    actor, _, name = key.partition(".")
    actor_label = actor_labels(model).get(actor, actor)
    label = (opt.label or opt.name) if opt else name
    evidence = list(opt.evidence) if opt else []
    ev_text = f" [{', '.join(evidence)}]" if evidence else ""
    if cause == "lapsed":
        text = f"{prefix}{actor_label}: {label} does not happen (its condition no longer holds)."
        return {"day": day, "date": when, "t": float(event["t"]), "kind": "lapsed",
                "text": text, "evidence": evidence}
    extra = _rung_change(model, event.get("changes"))
    if cause == "triggered" and event.get("source"):
        src = options.get(event["source"])
        src_label = (src.label or src.name) if src else event["source"]
        extra += f" (in response to: {src_label})"
    text = f"{prefix}{actor_label}: {label}{extra}{ev_text}."
    return {"day": day, "date": when, "t": float(event["t"]), "kind": "option",
            "text": text, "evidence": evidence}


def tell(model: Model, as_of: Any, events: list[dict[str, Any]],
         why: dict[int, str] | None = None) -> list[StoryLine]:
    """Every event of one trace as story lines (at most :data:`MAX_EVENTS`); ``why`` maps
    an event's index to the earlier event that led to it (see :mod:`.explain`)."""
    lines: list[StoryLine] = []
    for i, e in enumerate(events):
        line = event_line(model, as_of, e)
        if line is None:
            continue
        if why and i in why:
            line = {**line, "why": why[i],
                    "text": f"{line['text'].removesuffix('.')} — {why[i]}."}
        lines.append(line)
    if len(lines) > MAX_EVENTS:
        cut = lines[MAX_EVENTS - 1]
        lines = [*lines[:MAX_EVENTS - 1],
                 {**cut, "kind": "more", "evidence": [],
                  "text": f"… and {len(lines) - MAX_EVENTS + 1} more events."}]
    return lines


def _path(trace: list[dict[str, Any]], t: float) -> tuple[str, ...]:
    """The run's options up to time ``t``, repeats collapsed: its path to the outcome."""
    return tuple(collapse([e["option"] for e in trace
                           if "option" in e and e.get("cause") != "lapsed" and e["t"] <= t]))


def stories(results: Results, variant: str = "baseline", *, per_outcome: int = 2
            ) -> dict[str, list[Story]]:
    """Up to ``per_outcome`` sample runs per outcome, told as dated event lines.

    ``{outcome: [{run, outcome, label, reached_day, events: [{day, date, t, kind, text,
    evidence: [ids], why?}], same_path, traced_reaching, note}]}``; ``note`` is "" for a
    real story, or says that no traced run reaches the outcome and how many runs were
    traced (then ``run`` is None). ``same_path`` of the ``traced_reaching`` traced runs
    that reach the outcome took the story's sequence of options (repeats collapsed).
    """
    check_variant(results, variant)
    model = variant_model(results, variant)
    as_of = results.scenario.as_of
    traces = results.traces.get(variant, {})
    runs = sorted(traces, key=int)
    labels = outcome_labels(model)
    out: dict[str, list[Story]] = {}
    for o in [x.name for x in model.outcomes]:
        reaching = []
        for run in runs:
            hits = [e for e in traces[run] if e.get("outcome") == o]
            if hits:
                reaching.append((run, float(hits[0]["t"])))
        chosen: list[tuple[str, float]] = []
        seen: set[tuple[str, ...]] = set()
        for run, t in reaching:
            seq = _path(traces[run], t)
            if seq not in seen:
                chosen.append((run, t))
                seen.add(seq)
            if len(chosen) >= per_outcome:
                break
        for run, t in reaching:
            if len(chosen) >= per_outcome:
                break
            if (run, t) not in chosen:
                chosen.append((run, t))
        chosen.sort(key=lambda rt: int(rt[0]))
        if not chosen:
            out[o] = [{"run": None, "outcome": o, "label": labels[o], "reached_day": None,
                       "events": [],
                       "note": (f"None of the {len(runs)} traced runs of `{variant}` reaches "
                                f"“{labels[o]}”; traces are kept only for a sample of runs "
                                f"(every 500th by default).")}]
            continue
        paths = {run: _path(traces[run], t) for run, t in reaching}
        out[o] = [{"run": int(run), "outcome": o, "label": labels[o],
                   "reached_day": day_and_date(as_of, t)[0],
                   "events": tell(model, as_of, traces[run],
                                  why_texts(model, as_of, traces[run], causal_links(
                                      results.scenario, variant, traces[run]),
                                      triggered=False)),
                   "same_path": sum(p == paths[run] for p in paths.values()),
                   "traced_reaching": len(reaching), "note": ""}
                  for run, t in chosen]
    return out
