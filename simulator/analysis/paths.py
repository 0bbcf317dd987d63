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

import heapq
import itertools
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.compute as pc

from simulator.analysis._common import outcome_labels, variant_model, variant_table
from simulator.analysis.rows import (
    DivergencePoint,
    EscalationPaths,
    OptionSequence,
    OutcomePaths,
    PathDivergence,
    RungSequence,
    StepMove,
)

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


class _Ragged:
    """Sequences of item codes (ints ≥ 0) as one flat array and row offsets."""

    __slots__ = ("offsets", "values")

    def __init__(self, values: np.ndarray, offsets: np.ndarray) -> None:
        self.values = np.asarray(values, np.int64)
        self.offsets = np.asarray(offsets, np.int64)

    @property
    def rows(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.rows), self.lengths)

    def keep(self, mask: np.ndarray, rows: np.ndarray | None = None) -> _Ragged:
        """Only the elements where ``mask``; only ``rows`` (ascending) if given."""
        lengths = np.bincount(self.row_ids()[mask], minlength=self.rows)
        values = self.values[mask]
        if rows is not None:
            starts = np.concatenate(([0], np.cumsum(lengths)))
            sub = _Ragged(values, starts)
            return sub.take(rows)
        return _Ragged(values, np.concatenate(([0], np.cumsum(lengths))))

    def take(self, rows: np.ndarray) -> _Ragged:
        """The sequences of ``rows``, in that order."""
        lengths = self.lengths[rows]
        starts = self.offsets[:-1][rows]
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        idx = np.repeat(starts - offsets[:-1], lengths) + np.arange(int(offsets[-1]))
        return _Ragged(self.values[idx], offsets)

    def collapse(self) -> _Ragged:
        """Consecutive repeats within each sequence dropped (see :func:`collapse`)."""
        v = self.values
        keep = np.ones(len(v), bool)
        if len(v) > 1:
            keep[1:] = v[1:] != v[:-1]
        keep[self.offsets[:-1][self.lengths > 0]] = True  # a sequence's first item
        return self.keep(keep)

    def padded(self, width: int) -> np.ndarray:
        """rows × width codes: the first ``width`` items of each sequence, −1 past its end."""
        out = np.full((self.rows, width), -1, np.int64)
        if width:
            col = np.arange(width)
            inside = self.lengths[:, None] > col
            out[inside] = self.values[(self.offsets[:-1, None] + col)[inside]]
        return out

    @classmethod
    def from_lists(cls, seqs: Sequence[Sequence[int]]) -> _Ragged:
        lengths = [len(x) for x in seqs]
        values = np.fromiter(itertools.chain.from_iterable(seqs), np.int64, sum(lengths))
        return cls(values, np.concatenate(([0], np.cumsum(lengths, dtype=np.int64))))


def _list_column(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """(flat values, lengths) of an Arrow list column (a null list counts as empty)."""
    lengths = pc.fill_null(pc.list_value_length(column), 0).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(column).to_numpy(zero_copy_only=False)
    return flat, np.asarray(lengths, np.int64)


def _paired(values: Any, times: Any) -> tuple[_Ragged, np.ndarray]:
    """Item codes and their times, each run cut to the shorter of its two lists."""
    v, lv = _list_column(values)
    t, lt = _list_column(times)
    if np.array_equal(lv, lt):
        return _Ragged(v, np.concatenate(([0], np.cumsum(lv)))), np.asarray(t, float)
    n = np.minimum(lv, lt)  # zip(strict=False) pairs only the shorter length
    rv = _Ragged(v, np.concatenate(([0], np.cumsum(lv))))
    rt = _Ragged(np.zeros(len(t)), np.concatenate(([0], np.cumsum(lt))))
    pos_v = np.arange(len(v)) - np.repeat(rv.offsets[:-1], lv)
    pos_t = np.arange(len(t)) - np.repeat(rt.offsets[:-1], lt)
    keep_v = pos_v < np.repeat(n, lv)
    keep_t = pos_t < np.repeat(n, lt)
    return (_Ragged(v[keep_v], np.concatenate(([0], np.cumsum(n)))),
            np.asarray(t[keep_t], float))


def _truncated(seqs: _Ragged, times: np.ndarray, limit: np.ndarray) -> _Ragged:
    """The reached runs' items at or before their ``limit`` (NaN: not reached, dropped)."""
    reached = np.flatnonzero(np.isfinite(limit))
    keep = times <= limit[seqs.row_ids()] + 1e-9
    return seqs.keep(keep, reached)


def _rank_codes(names: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(rank of each code in the sorted names, code of each rank)."""
    order = sorted(range(len(names)), key=lambda i: names[i])
    ranks = np.empty(len(names), np.int64)
    ranks[order] = np.arange(len(names))
    return ranks, np.asarray(order, np.int64)


def _top_codes(seqs: _Ragged, names: Sequence[Any], total: int, top: int,
               labels: dict[Any, str]) -> list[tuple[list[Any], list[str], int, float]]:
    """The ``top`` most common sequences (ties: in sequence order of the names), each as
    (sequence, its labels, runs, share of ``total``).

    Sequences are counted as byte strings of their items' big-endian ranks in the sorted
    names, which sort as the tuples of names do (shorter prefix first).
    """
    if seqs.rows == 0:
        return []
    ranks, codes = _rank_codes(names)
    dtype = ">u2" if len(names) < 2 ** 16 else ">u4"
    width = np.dtype(dtype).itemsize
    buf = ranks[seqs.values].astype(dtype).tobytes()
    bounds = (seqs.offsets * width).tolist()
    counter = Counter(buf[a:b] for a, b in itertools.pairwise(bounds))
    best = heapq.nsmallest(top, counter.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = []
    for raw, count in best:
        seq = [names[c] for c in codes[np.frombuffer(raw, dtype=dtype).astype(np.int64)]]
        rows.append((seq, [labels.get(s, str(s)) for s in seq], int(count),
                     count / total if total else 0.0))
    return rows


def _rung_sequences(seqs: _Ragged, rung_ids: Sequence[str], total: int, top: int,
                    labels: dict[Any, str]) -> list[RungSequence]:
    return [{"rungs": seq, "labels": lab, "count": count, "share": share}
            for seq, lab, count, share in _top_codes(seqs, rung_ids, total, top, labels)]


def _option_sequences(seqs: _Ragged, keys: Sequence[str], total: int, top: int,
                      labels: dict[Any, str]) -> list[OptionSequence]:
    return [{"options": seq, "labels": lab, "count": count, "share": share}
            for seq, lab, count, share in _top_codes(seqs, keys, total, top, labels)]


def _most_common_first(values: np.ndarray) -> int:
    """The most common value; on ties the one seen first (as ``Counter.most_common(1)``)."""
    uniq, first, counts = np.unique(values, return_index=True, return_counts=True)
    top = counts == counts.max()
    return int(uniq[top][np.argmin(first[top])])


def _divergence(a: _Ragged, b: _Ragged, names: Sequence[Any], labels: dict[Any, str]
                ) -> DivergencePoint | None:
    """:func:`divergence_point` on coded sequences (−1 is the "end" padding).

    The rows of both groups are sorted once by their first steps, so the runs sharing a
    k-step prefix are adjacent for every k; TV_k is computed from exact integer counts.
    """
    na, nb = a.rows, b.rows
    if na == 0 or nb == 0:
        return None
    longest = int(max(a.lengths.max(), b.lengths.max()))
    width = min(longest, MAX_STEPS)
    pad = np.vstack([a.padded(width), b.padded(width)])  # group A's rows, then B's
    n = na + nb
    order = np.lexsort(pad.T[::-1]) if width else np.arange(n)
    srt = pad[order]
    in_a = order < na
    tv = [0.0]
    new = np.zeros(n, bool)
    new[0] = True
    starts_by_k = [new.copy()]
    for k in range(1, width + 1):
        col = srt[:, k - 1]
        new[1:] |= col[1:] != col[:-1]
        starts_by_k.append(new.copy())
        gid = np.cumsum(new) - 1
        groups = int(gid[-1]) + 1
        ca = np.bincount(gid[in_a], minlength=groups)
        cb = np.bincount(gid[~in_a], minlength=groups)
        num = int(np.abs(ca * nb - cb * na).sum())
        tv.append(min(1.0, 0.5 * (num / (na * nb))))
    jumps = np.diff(tv)
    k = int(np.argmax(jumps)) + 1 if len(jumps) else 1
    # the most common (k − 1)-step prefix of A then B, first seen on ties
    starts = np.flatnonzero(starts_by_k[k - 1])
    counts = np.diff(np.append(starts, n))
    first_seen = np.minimum.reduceat(order, starts)
    top = counts == counts.max()
    g = np.flatnonzero(top)[np.argmin(first_seen[top])]
    prefix_codes = srt[starts[g], :k - 1].tolist()

    def name(code: int) -> Any:
        return END if code < 0 else names[code]

    prefix = [name(c) for c in prefix_codes]

    def nxt(group: np.ndarray) -> Any:
        steps = group[:, k - 1] if k <= width else np.full(len(group), -1)
        return name(_most_common_first(steps))

    next_a, next_b = nxt(pad[:na]), nxt(pad[na:])
    return {"step": k, "jump": float(jumps[k - 1]) if len(jumps) else 0.0,
            "tv_by_step": [float(x) for x in tv[1:]],
            "after": prefix, "after_labels": [labels.get(s, str(s)) for s in prefix],
            "next_a": next_a, "next_a_label": labels.get(next_a, str(next_a)),
            "next_b": next_b, "next_b_label": labels.get(next_b, str(next_b))}


def divergence_point(group_a: list[list[Any]], group_b: list[list[Any]],
                     labels: dict[Any, str]) -> DivergencePoint | None:
    """Where two groups of sequences split (see the module docstring); None if a group is empty."""
    if not group_a or not group_b:
        return None
    codes: dict[Any, int] = {}
    for seq in itertools.chain(group_a, group_b):
        for item in seq:
            codes.setdefault(item, len(codes))
    names = list(codes)
    a = _Ragged.from_lists([[codes[x] for x in s] for s in group_a])
    b = _Ragged.from_lists([[codes[x] for x in s] for s in group_b])
    return _divergence(a, b, names, labels)


def _option_labels(model: Model) -> dict[Any, str]:
    actors = {a.name: a.label or a.name for a in model.actors}
    return {o.key: f"{actors.get(o.actor, o.actor)}: {o.label or o.name}" for o in model.options}


def step_transitions(paths: _Ragged, max_steps: int) -> tuple[dict[int, int],
                                                                list[StepMove]]:
    """Runs per starting rung, and the moves of the first ``max_steps`` steps counted by
    step: ``[{"step": k, "from": a, "to": b, "runs": n}]`` (step 0 is a run's first move),
    in order of step, then from, then to — the columns of a Sankey diagram."""
    lengths = paths.lengths
    firsts = paths.values[paths.offsets[:-1][lengths > 0]]
    start = {int(r): int(c) for r, c in zip(*np.unique(firsts, return_counts=True),
                                            strict=True)}
    if paths.values.size < 2:
        return start, []
    pos = np.arange(paths.values.size) - np.repeat(paths.offsets[:-1], lengths)
    rid = paths.row_ids()
    idx = np.flatnonzero((rid[1:] == rid[:-1]) & (pos[:-1] < max_steps))
    base = int(paths.values.max()) + 1
    key = (pos[idx] * base + paths.values[idx]) * base + paths.values[idx + 1]
    uniq, counts = np.unique(key, return_counts=True)
    moves: list[StepMove] = []
    for k, c in zip(uniq.tolist(), counts.tolist(), strict=True):
        step, rest = divmod(k, base * base)
        a, b = divmod(rest, base)
        moves.append({"step": step, "from": a, "to": b, "runs": c})
    return start, moves


SANKEY_STEPS = 4  # moves counted step by step (columns of a Sankey after the start)


def escalation_paths(results: Results, variant: str = "baseline", *, top: int = 10
                     ) -> EscalationPaths:
    """Ladder moves and event sequences of one variant (definitions in the module docstring).

    Returns ``{"variant", "runs", "rungs": [ids], "rung_labels", "transitions": R×R counts
    (row = from, column = to; every move of every run), "start": {rung index: runs},
    "step_transitions": the first moves step by step (:func:`step_transitions`, for a
    Sankey), "top_sequences": [{rungs, labels,
    count, share}], "by_outcome": {outcome: {"label", "runs", "rung_sequences": [...],
    "option_sequences": [{options, labels, count, share}]}}, "divergence": [{"outcomes":
    [a, b], "runs_a", "runs_b", "rungs": point | None, "options": point | None}]}``;
    shares are fractions of the runs in the group. Without a ladder, rung parts are empty.
    """
    model = variant_model(results, variant)
    out_names = [o.name for o in model.outcomes]
    cols = ["rung_path", "rung_times", "event_options", "event_times"]
    cols += [f"outcome_time.{o}" for o in out_names]
    table = variant_table(results, variant, cols)
    n = table.num_rows
    rung_ids = list(model.ladder.rungs) if model.ladder else []
    rung_labels_list = list(model.ladder.labels) if model.ladder else []
    rlabel: dict[Any, str] = {r: lab or r for r, lab in zip(rung_ids, rung_labels_list,
                                                             strict=True)}
    olabel = _option_labels(model)
    keys = [o.key for o in model.options]
    R = len(rung_ids)
    trans = np.zeros((R, R), dtype=np.int64)
    paths, rung_times = _paired(table.column("rung_path"), table.column("rung_times"))
    # every move: consecutive items of the same run's path
    flat, lengths = _list_column(table.column("rung_path"))
    full = _Ragged(flat, np.concatenate(([0], np.cumsum(lengths))))
    if R and len(full.values) > 1:
        rid = full.row_ids()
        same = rid[1:] == rid[:-1]
        src, dst = full.values[:-1][same], full.values[1:][same]
        trans += np.bincount(src * R + dst, minlength=R * R).reshape(R, R)
    options, option_times = _paired(table.column("event_options"),
                                    table.column("event_times"))

    by_outcome: dict[str, OutcomePaths] = {}
    truncated: dict[str, tuple[np.ndarray, _Ragged, _Ragged]] = {}
    labels = outcome_labels(model)
    for o in out_names:
        times = table.column(f"outcome_time.{o}").to_numpy(zero_copy_only=False
                                                            ).astype(float)
        reached = np.isfinite(times)
        rseqs = _truncated(paths, rung_times, times) if R else _Ragged(
            np.zeros(0), np.zeros(1))
        oseqs = _truncated(options, option_times, times).collapse()
        truncated[o] = (reached, rseqs, oseqs)
        m = int(reached.sum())
        by_outcome[o] = {
            "label": labels[o], "runs": m,
            "rung_sequences": _rung_sequences(rseqs, rung_ids, m, top, rlabel) if R else [],
            "option_sequences": _option_sequences(oseqs, keys, m, top, olabel),
        }

    divergence: list[PathDivergence] = []
    for ia, name_a in enumerate(out_names):
        for name_b in out_names[ia + 1:]:
            ra, rs_a, os_a = truncated[name_a]
            rb, rs_b, os_b = truncated[name_b]
            only_a = np.flatnonzero(~rb[np.flatnonzero(ra)])
            only_b = np.flatnonzero(~ra[np.flatnonzero(rb)])
            divergence.append({
                "outcomes": [name_a, name_b], "runs_a": len(only_a), "runs_b": len(only_b),
                "rungs": _divergence(rs_a.take(only_a), rs_b.take(only_b), rung_ids, rlabel)
                if R else None,
                "options": _divergence(os_a.take(only_a), os_b.take(only_b), keys, olabel),
            })
    start, steps = step_transitions(full, SANKEY_STEPS) if R else ({}, [])
    return {"variant": variant, "runs": n, "rungs": rung_ids, "rung_labels": rung_labels_list,
            "transitions": trans.tolist(), "start": start, "step_transitions": steps,
            "top_sequences": _rung_sequences(full, rung_ids, n, top, rlabel) if R else [],
            "by_outcome": by_outcome, "divergence": divergence}
