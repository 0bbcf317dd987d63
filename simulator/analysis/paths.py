"""Escalation paths: how runs move up and down the ladder, and which moves lead where.

Definitions (times in days since the start):

* A run's **rung sequence** is its ``rung_path``: the starting rung, then every rung it
  moved to, in order (a move of several rungs at once is one step).
* Its **option sequence** is the ``actor.option`` keys of the options that fired, in
  firing order, with consecutive repeats collapsed (``a a b a`` → ``a b a``); lapsed
  triggers are not firings.
* For an outcome, sequences are **truncated at the outcome time**: only rungs entered
  and options fired at or before the moment the outcome was first reached count — the
  path *to* the outcome, not what happened after.
* **Divergence** between outcomes A and B compares the runs that reach A but not B with
  the runs that reach B but not A. For k = 1, 2, … let TV_k be the total-variation
  distance between the two groups' distributions of their first k steps (a sequence
  shorter than k is padded with "end"; k ≤ 30). TV_k never decreases; the divergence step is
  the k at which it jumps most (TV_k − TV_{k−1} largest, earliest on ties): the groups
  share their paths up to step k − 1 and split at step k. We report that step, the jump,
  the most common shared (k − 1)-step prefix, and each group's most common k-th step.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.analysis._common import outcome_labels, variant_frame

if TYPE_CHECKING:
    from simulator.model.model import Model
    from simulator.results.results import Results

END = "(end)"
MAX_STEPS = 30  # divergence looks at most this many steps


def collapse(seq: Sequence[Any]) -> list[Any]:
    """Drop consecutive repeats: ``[a, a, b, a]`` → ``[a, b, a]``."""
    out: list[Any] = []
    for x in seq:
        if not out or out[-1] != x:
            out.append(x)
    return out


def _truncate(values: Sequence[Any], times: Sequence[float], limit: float) -> list[Any]:
    return [v for v, t in zip(values, times, strict=False) if t <= limit + 1e-9]


def _top(counter: Counter[tuple[Any, ...]], total: int, top: int,
         labels: dict[Any, str], key: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for seq, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        rows.append({key: list(seq), "labels": [labels.get(s, str(s)) for s in seq],
                     "count": int(count), "share": count / total if total else 0.0})
    return rows


def _tv(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> float:
    ca, cb = Counter(a), Counter(b)
    na, nb = len(a), len(b)
    return 0.5 * sum(abs(ca[k] / na - cb[k] / nb) for k in set(ca) | set(cb))


def _prefixes(seqs: list[list[Any]], k: int) -> list[tuple[Any, ...]]:
    return [tuple(s[:k]) + (END,) * max(0, k - len(s)) for s in seqs]


def divergence_point(group_a: list[list[Any]], group_b: list[list[Any]],
                     labels: dict[Any, str]) -> dict[str, Any] | None:
    """Where two groups of sequences split (see the module docstring); None if a group is empty."""
    if not group_a or not group_b:
        return None
    longest = max(max(len(s) for s in group_a), max(len(s) for s in group_b))
    tv = [0.0]
    for k in range(1, min(longest, MAX_STEPS) + 1):
        tv.append(min(1.0, _tv(_prefixes(group_a, k), _prefixes(group_b, k))))
    jumps = np.diff(tv)
    k = int(np.argmax(jumps)) + 1 if len(jumps) else 1
    shared = Counter(_prefixes(group_a, k - 1) + _prefixes(group_b, k - 1)).most_common(1)
    prefix = list(shared[0][0]) if shared else []

    def nxt(group: list[list[Any]]) -> Any:
        steps = [s[k - 1] if len(s) >= k else END for s in group]
        return Counter(steps).most_common(1)[0][0]

    na, nb = nxt(group_a), nxt(group_b)
    return {"step": k, "jump": float(jumps[k - 1]) if len(jumps) else 0.0,
            "tv_by_step": [float(x) for x in tv[1:]],
            "after": prefix, "after_labels": [labels.get(s, str(s)) for s in prefix],
            "next_a": na, "next_a_label": labels.get(na, str(na)),
            "next_b": nb, "next_b_label": labels.get(nb, str(nb))}


def _option_labels(model: Model) -> dict[Any, str]:
    actors = {a.name: a.label or a.name for a in model.actors}
    return {o.key: f"{actors.get(o.actor, o.actor)}: {o.label or o.name}" for o in model.options}


def escalation_paths(results: Results, variant: str = "baseline", *, top: int = 10
                     ) -> dict[str, Any]:
    """Ladder moves and event sequences of one variant (definitions in the module docstring).

    Returns ``{"variant", "runs", "rungs": [ids], "rung_labels", "transitions": R×R counts
    (row = from, column = to; every move of every run), "top_sequences": [{rungs, labels,
    count, share}], "by_outcome": {outcome: {"label", "runs", "rung_sequences": [...],
    "option_sequences": [{options, labels, count, share}]}}, "divergence": [{"outcomes":
    [a, b], "runs_a", "runs_b", "rungs": point | None, "options": point | None}]}``;
    shares are fractions of the runs in the group. Without a ladder, rung parts are empty.
    """
    model = results.model(variant)
    out_names = [o.name for o in model.outcomes]
    cols = ["rung_path", "rung_times", "event_options", "event_times"]
    cols += [f"outcome_time.{o}" for o in out_names]
    df = variant_frame(results, variant, cols)
    n = len(df)
    rung_ids = list(model.ladder.rungs) if model.ladder else []
    rung_labels_list = list(model.ladder.labels) if model.ladder else []
    rlabel: dict[Any, str] = {r: lab or r for r, lab in zip(rung_ids, rung_labels_list,
                                                             strict=True)}
    olabel = _option_labels(model)
    keys = [o.key for o in model.options]
    R = len(rung_ids)
    trans = np.zeros((R, R), dtype=np.int64)
    paths: list[list[int]] = [list(map(int, p)) for p in df["rung_path"]]
    for p in paths:
        for a, b in itertools.pairwise(p):
            trans[a, b] += 1
    seq_counter: Counter[tuple[Any, ...]] = Counter(
        tuple(rung_ids[i] for i in p) for p in paths) if R else Counter()

    by_outcome: dict[str, Any] = {}
    truncated: dict[str, tuple[np.ndarray, list[list[Any]], list[list[Any]]]] = {}
    rung_times = list(df["rung_times"])
    ev_opts = list(df["event_options"])
    ev_times = list(df["event_times"])
    labels = outcome_labels(model)
    for o in out_names:
        times = df[f"outcome_time.{o}"].to_numpy(dtype=float)
        reached = np.isfinite(times)
        rseqs: list[list[Any]] = []
        oseqs: list[list[Any]] = []
        for i in np.flatnonzero(reached):
            limit = float(times[i])
            if R:
                rseqs.append([rung_ids[j] for j in _truncate(paths[i], rung_times[i], limit)])
            opts = _truncate(list(ev_opts[i]), list(ev_times[i]), limit)
            oseqs.append(collapse([keys[int(j)] for j in opts]))
        truncated[o] = (reached, rseqs, oseqs)
        m = int(reached.sum())
        by_outcome[o] = {
            "label": labels[o], "runs": m,
            "rung_sequences": _top(Counter(map(tuple, rseqs)), m, top, rlabel, "rungs"),
            "option_sequences": _top(Counter(map(tuple, oseqs)), m, top, olabel, "options"),
        }

    divergence = []
    for ia, name_a in enumerate(out_names):
        for name_b in out_names[ia + 1:]:
            ra, rs_a, os_a = truncated[name_a]
            rb, rs_b, os_b = truncated[name_b]
            idx_a = np.flatnonzero(ra)
            idx_b = np.flatnonzero(rb)
            only_a = [k for k, i in enumerate(idx_a) if not rb[i]]
            only_b = [k for k, i in enumerate(idx_b) if not ra[i]]
            divergence.append({
                "outcomes": [name_a, name_b], "runs_a": len(only_a), "runs_b": len(only_b),
                "rungs": divergence_point([rs_a[k] for k in only_a], [rs_b[k] for k in only_b],
                                          rlabel) if R else None,
                "options": divergence_point([os_a[k] for k in only_a],
                                            [os_b[k] for k in only_b], olabel),
            })
    return {"variant": variant, "runs": n, "rungs": rung_ids, "rung_labels": rung_labels_list,
            "transitions": trans.tolist(),
            "top_sequences": _top(seq_counter, n, top, rlabel, "rungs"),
            "by_outcome": by_outcome, "divergence": divergence}
